"""Dumps other tools make (issue 18, point 9): Telethon / Pyrogram / a script's JSON and JSON
Lines, snscrape's telegram-channel JSON Lines, tdl's chat export, CSV tables. Fixtures are built
from the real posts in tests/fixtures/real_posts (tests/tool_dumps.py); each shape must give the
records the same posts give as a saved t.me/s page."""

from __future__ import annotations

import json
import os
import tempfile

import pytest
import tool_dumps as T
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews_cli.cli import main
from reviews_cli.errors import DumpError
from reviews_cli.parsing import open_dump, parse_file, sniff_dump_head
from reviews_cli.parsing.common import Skipped
from reviews_cli.parsing.containers.message_text import entity_runs, markdown_runs, message_object
from reviews_cli.parsing.detect import DumpSource

FORMATS = {"telethon.json": "telegram-messages-json", "pyrogram.json": "telegram-messages-json",
           "script.jsonl": "telegram-messages-json", "snscrape.jsonl": "telegram-messages-json",
           "tdl.json": "telegram-export-json", "messages.csv": "messages-csv"}
NAMES_CHANNEL = {"pyrogram.json", "script.jsonl", "snscrape.jsonl", "messages.csv"}


def key(r):
    return r.arxiv_id or "", r.title, tuple(sorted(link.url for link in r.links))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    p = tmp_path_factory.mktemp("page") / "page.html"
    p.write_text(T.tme_page(), encoding="utf-8")
    return parse_file(p)


@pytest.mark.parametrize("name", sorted(T.SHAPES))
def test_each_shape_gives_what_the_channel_page_gives(name, tmp_path, baseline):
    path = tmp_path / name.replace(".", "_")  # sniffed by content, never by the file name
    path.write_text(T.SHAPES[name](), encoding="utf-8")
    parsed = parse_file(path)
    assert parsed.format == FORMATS[name]
    assert sorted(key(r) for r in parsed.reviews) == sorted(key(r) for r in baseline.reviews)
    assert len(parsed.reviews) > 15
    dates = {pid: date for pid, date, _ in T.sample()}
    for r in parsed.reviews:
        src = r.sources[0]
        if name in NAMES_CHANNEL:
            pid = int(src.url.rsplit("/", 1)[1])
            assert src.url == f"https://t.me/gonzo_ML/{pid}" and src.post_id == f"gonzo_ML/{pid}"
            assert src.date[:16] == dates[pid][:16]
        else:
            assert src.url is None and src.date  # the dump does not name the channel


@pytest.mark.parametrize("name", ["telethon.json", "tdl.json"])
def test_channel_option_builds_the_post_link(name, tmp_path):
    path = tmp_path / name
    path.write_text(T.SHAPES[name](), encoding="utf-8")
    parsed = parse_file(path, channel="gonzo_ML")
    assert all(r.sources[0].url == f"https://t.me/gonzo_ML/{r.sources[0].post_id.split('/')[1]}"
               for r in parsed.reviews)


def test_album_parts_and_media_without_text_are_skipped(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(T.telethon_json(), encoding="utf-8")
    parsed = parse_file(path)
    empty = [s for s in parsed.skipped if "no text" in s.reason]
    assert len(empty) == len(T.sample())


def test_links_behind_markdown_labels_and_entities_are_kept():
    text, ents = T.entities_form("😀 Title here\nСтатья: https://arxiv.org/abs/2601.10825\nбольше")
    assert ents[0]["offset"] == len("😀 Title here\n".encode("utf-16-le")) // 2  # UTF-16, as Telegram counts
    post = message_object({"id": 5, "message": text, "entities": ents}, 0, "gonzo_ML")
    assert "Статья: https://arxiv.org/abs/2601.10825" in post.text and post.url == "https://t.me/gonzo_ML/5"
    md = message_object({"id": 6, "text": "**Bold title** and [the paper](https://arxiv.org/abs/1803.03635)"}, 0, None)
    assert md.text == "Bold title and the paper"
    assert [(h.label, h.href) for h in md.links] == [("the paper", "https://arxiv.org/abs/1803.03635")]
    keep = message_object({"id": 7, "text": "see __init__.py and a*b**c"}, 0, None)
    assert keep.text == "see __init__.py and a*b**c"


def test_key_name_variants():
    for obj in ({"message_id": "9", "message_text": "x y", "date": 1700000000},
                {"id": 9, "content": "x y", "datetime": "2023-11-14 22:13:20"},
                {"url": "https://t.me/gonzo_ML/9", "caption": "x y", "date": "2023-11-14T22:13:20+00:00"}):
        post = message_object(obj, 0, "gonzo_ML")
        assert post.post_id == "gonzo_ML/9" and post.text == "x y" and post.date.startswith("2023-11-14T22:13:20")


def test_json_was_refused_before_and_a_foreign_json_still_is(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('[{"a": 1}]', encoding="utf-8")
    with pytest.raises(DumpError, match="nor a list of message objects"):
        parse_file(path)


def test_walked_folder_finds_every_shape(tmp_path):
    for name, fn in T.SHAPES.items():
        (tmp_path / name).write_text(fn(), encoding="utf-8")
    assert {sniff_dump_head(str(tmp_path / n)) for n in T.SHAPES} == set(FORMATS.values())


def test_array_is_streamed_and_a_broken_end_is_one_line(tmp_path):
    path = tmp_path / "cut.json"
    text = T.pyrogram_json()
    path.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    dump = open_dump(path)
    first = next(dump.posts)  # read before the parser reaches the broken end
    assert not isinstance(first, Skipped) and first.post_id == "gonzo_ML/1"
    with pytest.raises(DumpError) as err:
        list(dump.posts)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_bad_lines_cost_only_themselves(tmp_path):
    lines = T.script_jsonl().splitlines()
    lines.insert(3, '{"id": 3, "text": "broken')
    lines.insert(5, "[" * 100_000)
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = parse_file(path)
    assert len(parsed.reviews) == 23
    assert sum(1 for s in parsed.skipped if s.reason == "not a JSON object") == 2


def test_deep_nesting_in_an_array_is_refused_in_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('[{"id": 1, "text": "x", "e": ' + "[" * 5000 + "]" * 5000 + "}]", encoding="utf-8")
    with pytest.raises(DumpError) as err:
        parse_file(path)
    assert "nested" in str(err.value)


def test_csv_variants(tmp_path, baseline):
    for delim in (";", "\t"):
        path = tmp_path / f"m{ord(delim)}.csv"
        path.write_text("\ufeff" + T.messages_csv(delim), encoding="utf-8")
        assert sorted(key(r) for r in parse_file(path).reviews) == sorted(key(r) for r in baseline.reviews)
    header_only = tmp_path / "h.csv"
    header_only.write_text("id,date,text\n", encoding="utf-8")
    with pytest.raises(DumpError, match="no review found"):
        parse_file(header_only)


def test_cli_adds_a_snscrape_dump(tmp_path):
    path = tmp_path / "gonzo.jsonl"
    path.write_text(T.snscrape_jsonl(), encoding="utf-8")
    res = CliRunner().invoke(main, ["add", str(path), "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["format"] == "telegram-messages-json"
    show = CliRunner().invoke(main, ["show", "2512.07168", "--json"], catch_exceptions=False)
    urls = {s["url"] for r in json.loads(show.stdout) for s in r["sources"]}
    assert "https://t.me/gonzo_ML/5" in urls or any(u and u.startswith("https://t.me/gonzo_ML/") for u in urls)


# ---------------------------------------------------------------------------- properties

_json_scalar = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
_json = st.recursive(_json_scalar, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c,
                                                                                          max_size=4), max_leaves=20)
_keys = st.sampled_from(["id", "message_id", "text", "message", "content", "caption", "entities", "date", "url",
                         "link", "outlinks", "chat", "channel", "caption_entities", "_", "type", "raw"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=8) | _json)
def test_message_object_never_raises(obj):
    out = message_object(obj, 0, "gonzo_ML")
    assert isinstance(out, Skipped) or isinstance(out.text, str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.lists(st.fixed_dictionaries(
    {"_": st.sampled_from(["MessageEntityTextUrl", "MessageEntityUrl", "MessageEntityBold"]),
     "offset": st.integers(-3, 90), "length": st.integers(-3, 90), "url": st.text(max_size=10)}), max_size=5))
def test_entity_runs_keep_the_text(text, entities):
    assert "".join(r.text for r in entity_runs(text, entities)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab *_[]()~|`\nhttps:/x.")), max_size=80))
def test_markdown_runs_never_raise(text):
    markdown_runs(text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=60) | st.builds(json.dumps, st.dictionaries(_keys, _json, max_size=5)), max_size=8),
       st.sampled_from(["jsonl", "array", "csv"]))
def test_containers_yield_posts_or_one_line_errors(lines, shape):
    from reviews_cli.parsing.containers import csv_table, message_json

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "dump")
        if shape == "jsonl":
            body = '{"id": 1, "text": "x"}\n' + "\n".join(lines)
        elif shape == "array":
            body = "[" + ",".join(['{"id": 1, "text": "x"}'] + [ln for ln in lines if ln.startswith("{")]) + "]"
        else:
            body = "id,date,text\n" + "\n".join(lines)
        with open(path, "w", encoding="utf-8") as f:
            f.write(body)
        container = csv_table.iter_posts if shape == "csv" else message_json.iter_posts
        try:
            items = list(container(DumpSource(path=path, name="dump")))
        except DumpError as exc:
            assert "\n" not in str(exc)
            return
        assert all(hasattr(i, "where") for i in items)


def test_large_exports_with_escapes_across_read_buffers_load(tmp_path):
    """A streamed JSON file whose escapes grow when rewritten (Telegram Desktop's \\xNN) or sit
    across a read buffer's end: every message is read (this failed with 'memoryview assignment'
    once the rewritten bytes outgrew ijson's buffer)."""
    texts = [t for _, _, t in T.sample()]
    msgs = [{"id": k + 1, "type": "message", "date_unixtime": "1735725600", "text": texts[k % len(texts)]}
            for k in range(2000)]
    raw = json.dumps({"name": "gonzo", "type": "public_channel", "id": 1, "messages": msgs}, ensure_ascii=False)
    path = tmp_path / "result.json"
    path.write_text(raw.replace("\\n", "\\x0a", 400), encoding="utf-8")
    assert sum(1 for _ in open_dump(path).posts) == 2000
    arr = tmp_path / "a.json"
    arr.write_text(json.dumps(msgs, ensure_ascii=False), encoding="utf-8")
    assert sum(1 for _ in open_dump(arr).posts) == 2000


def test_a_script_naming_the_channel_beside_its_messages(tmp_path):
    msgs = [{"id": pid, "date": date, "message": text} for pid, date, text in T.sample()]
    path = tmp_path / "dump.json"
    path.write_text(json.dumps({"channel": "@gonzo_ML", "messages": msgs}, ensure_ascii=False), encoding="utf-8")
    parsed = parse_file(path)
    assert len(parsed.reviews) > 15
    assert all(r.sources[0].url == f"https://t.me/gonzo_ML/{r.sources[0].post_id.split('/')[1]}"
               for r in parsed.reviews)
