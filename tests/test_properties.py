"""Property tests over every parser entry point: whatever the input, a parser returns records or
raises the one-line DumpError, never anything else; and records keep their invariants."""

from __future__ import annotations

import json
import os
import string

import exports as E
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews_cli.errors import DumpError
from reviews_cli.parsing import parse_file, parse_text, recognize_posts
from reviews_cli.parsing.messages import Run, message_post
from reviews_cli.parsing.post import HiddenLink, Post
from reviews_cli.parsing.recognize import recognize

SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# lines that look like the pieces of real posts, so the generator reaches the header rules
PIECES = [
    "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks", "Jonathan Frankle, Michael Carbin",
    "CSAIL MIT", "(Google Research, 2019)", "Статья: https://arxiv.org/abs/1803.03635", "Статья:",
    "https://arxiv.org/abs/1901.08746", "Код: https://github.com/x/y", "#CNN, #ICLR 2019", "🔥7", "1.2K views",
    "12:34", "Forwarded from gonzo", "Download Telegram", "1. ConvBERT: Improving BERT", "Авторы статьи: A B, C D (X, 2019)",
    "→ Оригинал статьи", "Автор обзора: Имя (в слэке nick)", "[Статья][Код]", "[1] https://arxiv.org/abs/2001.00001",
    "Оригинал статьи[1] :: GitHub project[2]", "Авторы предлагают новую модель и показывают результаты.",
    "Сегодня разбираем Chinchilla: Training Compute-Optimal Large Language Models", "Paper: https://openreview.net/forum?id=x",
    "#реклама скидка", "Вакансия: ищем ML-инженера", "", "", "[", "{", "\x1b[31m", "\u202e", "Face editing",
]
post_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40)), max_size=30).map("\n".join)
hidden = st.lists(st.builds(HiddenLink, st.integers(-2, 40), st.sampled_from(["Статья", "тут", "Paper", "", "A Title Here"]),
                            st.sampled_from(["https://arxiv.org/abs/2101.00001", "https://github.com/a/b", "x", ""])),
                  max_size=4)


def _check_records(reviews) -> None:
    for r in reviews:
        assert r.title and r.title == " ".join(r.title.split())
        assert len(r.id) == 8
        assert r.arxiv_id is None or "/" in r.arxiv_id or "." in r.arxiv_id
        assert all(link.role in ("paper", "code", "other") for link in r.links)


@SETTINGS
@given(text=post_text, links=hidden, kind=st.sampled_from(["message", "article", "service", "poll"]))
def test_recognize_never_raises(text, links, kind):
    drafts, reason = recognize(Post(text, "p", links=links, kind=kind))
    assert bool(drafts) != bool(reason)


@SETTINGS
@given(text=post_text)
def test_parse_text_gives_records_or_dump_error(text):
    try:
        parsed = parse_text(text, "x.txt")
    except DumpError as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    assert parsed.reviews
    _check_records(parsed.reviews)


@SETTINGS
@given(data=st.binary(max_size=400) | post_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_parse_file_of_any_bytes(tmp_path, data):
    p = tmp_path / "dump.txt"
    p.write_bytes(data)
    try:
        _check_records(parse_file(p).reviews)
    except DumpError as exc:
        assert "\n" not in exc.reason


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(PIECES),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "type", "text", "text_entities", "href", "date", "date_unixtime", "poll", "action",
                         "forwarded_from", "name", "messages", "chats", "list"]), children, max_size=5),
    max_leaves=20,
)


@SETTINGS
@given(messages=st.lists(json_value | st.builds(lambda t: E.json_message(5, t, 1546789267), post_text), max_size=6),
       stream=st.booleans())
def test_json_export_with_any_message_shapes(tmp_path, monkeypatch, messages, stream):
    """Bad message shapes (strings, lists, numbers as text) give records or one DumpError, in
    memory and on the streamed path alike."""
    import reviews_cli.library.ingest as lib

    p = tmp_path / "result.json"
    p.write_text(json.dumps({"name": "c", "type": "public_channel", "messages": messages}), encoding="utf-8")
    try:
        _check_records(parse_file(p).reviews)
    except DumpError as exc:
        assert "\n" not in exc.reason
    monkeypatch.setattr(lib, "STREAM_MIN_BYTES", 0 if stream else 1 << 40)
    parsed = lib.parse_one(str(p), "result.json")
    try:  # a streamed dump's error surfaces while its posts are read, as the same DumpError
        rows = list(parsed.posts) if parsed.error is None else []
    except DumpError as exc:
        rows, parsed = [], parsed._replace(error=exc.reason)
    assert parsed.error is None or "\n" not in parsed.error
    assert all(len(r) == 5 for r in rows)


@SETTINGS
@given(runs=st.lists(st.builds(Run, st.sampled_from(["plain", "text_link", "link", "hashtag", "bold"]),
                               st.one_of(st.sampled_from(PIECES), st.text(max_size=15)),
                               st.none() | st.sampled_from(["https://arxiv.org/abs/1803.03635", "javascript:x", ""])),
                     max_size=12))
def test_message_runs_to_records(runs):
    reviews, skipped = recognize_posts([message_post("1", runs, channel="c")], "x", "telegram-export-json")
    assert len(reviews) + len(skipped) >= 1
    _check_records(reviews)


html_piece = st.sampled_from([
    "<div class=\"tgme_widget_message\" data-post=\"c/1\">", "<div class=\"tgme_widget_message_text\">", "</div>",
    "<br>", "<a href=\"https://arxiv.org/abs/1803.03635\">Статья</a>", "<![x]>", "<!--", "<script>", "&#xd800;",
    "<div class=\"message default\" id=\"message5\"><div class=\"body\"><div class=\"text\">", "<p>", "</p>",
    "<h1 class=\"tm-title\">Рубрика</h1>", "<div class=\"article-formatted-body\">", "<ol><li>", "</li></ol>",
]) | st.sampled_from(PIECES) | st.text(alphabet=string.printable, max_size=10)


@SETTINGS
@given(parts=st.lists(html_piece, max_size=40), kind=st.sampled_from(["tgme", "export", "habr"]))
def test_html_pages_of_any_markup(tmp_path, parts, kind):
    head = {"tgme": "<html><div class=\"tgme_widget_message\">", "export": "<html><div class=\"page_wrap\">"
            "<div class=\"message default\">", "habr": "<html><div class=\"tm-article\">"}[kind]
    p = tmp_path / "page.html"
    p.write_text(head + "".join(parts), encoding="utf-8", errors="surrogatepass")
    try:
        _check_records(parse_file(p).reviews)
    except DumpError as exc:
        assert "\n" not in exc.reason


@SETTINGS
@given(data=st.one_of(st.binary(max_size=2000),
                      st.text(max_size=1500).map(lambda t: t.encode("utf-8", "surrogatepass")),
                      post_text.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_parse_from_stdin_gives_records_or_one_line(data):
    """`reviews parse -` with any bytes: records (exit 0) or a one-line error naming <stdin>
    (exit 1), never a traceback."""
    from click.testing import CliRunner

    from reviews_cli.cli import main

    res = CliRunner().invoke(main, ["parse", "--json", "-"], input=data)
    assert res.exit_code in (0, 1), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    if res.exit_code == 1:
        errors = [ln for ln in res.stderr.splitlines() if ln.startswith("reviews:")]
        assert len(errors) == 1 and "<stdin>" in errors[0], res.stderr
    else:
        for r in json.loads(res.stdout):
            assert r["title"] and len(r["id"]) == 8
            assert [s["path"] for s in r["sources"]] == ["<stdin>"]


@SETTINGS
@given(names=st.lists(st.sampled_from(["a.txt", "b.json", "c.html", ".hidden", "sub/d.txt", "sub/deeper/e.md",
                                       "f.png"]), max_size=6, unique=True),
       bodies=st.lists(st.one_of(post_text, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
                       min_size=6, max_size=6))
def test_any_folder_gives_dumps_or_one_line(tmp_path_factory, names, bodies):
    """A folder of any mix of files: each file found is a dump or counted as skipped, never an
    exception (`collect_inputs`, the folder entry point of parse and add)."""
    from reviews_cli.parsing import collect_inputs

    root = tmp_path_factory.mktemp("tree")
    for name, body in zip(names, bodies):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(body if not name.endswith(".json") else json.dumps({"messages": [body]}), encoding="utf-8",
                     errors="surrogatepass")
    found = collect_inputs([str(root)])
    for f in found.files:
        assert os.path.isfile(f) and not os.path.basename(f).startswith(".")
        try:
            parse_file(f)
        except DumpError as exc:
            assert "\n" not in exc.reason
