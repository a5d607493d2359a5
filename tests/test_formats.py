"""Issue 4: the dumps people really have, each built in the shape the real tool writes."""

from __future__ import annotations

import json

import exports as E
import pytest
from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.errors import DumpError
from reviews_cli.parsing import detect_format, parse_file


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def by_title(parsed):
    return {r.title: r for r in parsed.reviews}


# ------------------------------------------------------------------------ Telegram JSON export

@pytest.fixture
def channel_json(tmp_path):
    return E.write_json(tmp_path / "result.json", E.channel_json())


def test_json_export_reviews_and_fields(channel_json):
    parsed = parse_file(channel_json, channel="gonzo_ML")
    assert parsed.format == "telegram-export-json" and parsed.origin == "gonzo-обзоры ML статей"
    recs = by_title(parsed)
    lottery = recs[E.TITLE]
    assert lottery.arxiv_id == "1803.03635"  # behind the word «Статья» (a text_link)
    assert lottery.authors == ("Jonathan Frankle", "Michael Carbin") and lottery.affiliations == ("CSAIL MIT",)
    assert set(lottery.tags) == {"CNN", "FFNN", "optimization", "pruning", "ICLR"}
    assert lottery.date == "2019-01-06T15:41:07+00:00"  # from date_unixtime, in UTC
    src = lottery.sources[0]
    assert (src.post_id, src.url) == ("gonzo_ML/21", "https://t.me/gonzo_ML/21")
    assert "winning tickets" in lottery.body and "🔥" not in lottery.body
    biobert = recs[E.BIOBERT_TITLE]
    assert biobert.arxiv_id == "1901.08746"  # the linked title, not 1712.05902 cited in the body
    roles = {link.url: link.role for link in biobert.links}
    assert roles["https://github.com/dmis-lab/biobert"] == "code"
    assert roles["https://arxiv.org/abs/1712.05902"] == "other"


def test_json_export_skips_are_reported_with_reasons(channel_json):
    parsed = parse_file(channel_json)
    reasons = {s.where: s.reason for s in parsed.skipped}
    assert reasons["message 1"].startswith("service message")
    assert reasons["message 20"].startswith("announcement")
    assert reasons["message 23"] == "poll"
    assert reasons["message 24"].startswith("no text")
    assert len(parsed.reviews) + len(parsed.skipped) == 6  # every message accounted for


def test_json_export_without_username_still_has_post_ids(channel_json):
    src = by_title(parse_file(channel_json))[E.TITLE].sources[0]
    assert src.post_id == "gonzo-обзоры ML статей/21" and src.url is None


def test_json_text_as_plain_string_and_entities_only(tmp_path):
    msg = E.json_message(7, E.HEAD + "Статья: https://arxiv.org/abs/1803.03635\n\n" + E.BODY, 1546789267)
    del msg["text_entities"]
    path = E.write_json(tmp_path / "result.json", E.channel_json([msg]))
    assert parse_file(path).reviews[0].arxiv_id == "1803.03635"


def test_full_account_export_reads_every_channel(tmp_path):
    path = E.write_json(tmp_path / "result.json", E.account_json())
    parsed = parse_file(path)
    assert len(parsed.reviews) == 3  # two in the first channel, one in «Другой канал»
    assert any(s.where == "chat 'Mom'" and "not a channel" in s.reason for s in parsed.skipped)
    assert {r.sources[0].post_id.split("/")[0] for r in parsed.reviews} == {"gonzo-обзоры ML статей", "Другой канал"}


def test_json_with_telegram_control_escapes_loads(tmp_path):
    msgs = E.default_messages()
    msgs[2]["text"][0] = E.HEAD.replace("CSAIL MIT", "CSAIL MIT\u0007")
    msgs[2]["text_entities"][0]["text"] = msgs[2]["text"][0]
    path = E.write_json(tmp_path / "result.json", E.channel_json(msgs), telegram_escapes=True)
    assert b"\\x07" in path.read_bytes()
    parsed = parse_file(path)
    assert E.TITLE in by_title(parsed)


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.999])
def test_truncated_json_error_names_line_and_column(tmp_path, channel_json, cut):
    data = channel_json.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(DumpError) as err:
        parse_file(broken)
    assert "broken JSON" in err.value.reason and "line" in err.value.reason and "column" in err.value.reason
    res = run("add", str(broken))
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert len([ln for ln in res.stderr.splitlines() if ln.startswith("reviews:")]) == 1


def test_json_that_is_not_an_export(tmp_path):
    p = tmp_path / "data.json"
    p.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(DumpError, match="not a Telegram Desktop export"):
        parse_file(p)


# ------------------------------------------------------------------------ Telegram HTML export

@pytest.fixture
def html_export(tmp_path):
    folder = tmp_path / "ChatExport_2024-01-01"
    folder.mkdir()
    (folder / "messages.html").write_text(E.export_html_page(
        [(21, E.lottery_entities(), "06.01.2019 18:41:07 UTC+03:00")], service=[1]), encoding="utf-8")
    (folder / "messages2.html").write_text(E.export_html_page([(30, E.ANNOUNCEMENT, "07.01.2019 10:00:00 UTC+03:00")]),
                                           encoding="utf-8")
    (folder / "messages10.html").write_text(E.export_html_page(
        [(40, [f"{E.BIOBERT_TITLE}\nJinhyuk Lee, Wonjin Yoon\n\n",
               {"type": "text_link", "text": "Статья", "href": "https://arxiv.org/abs/1901.08746"}, "\n\n" + E.BIOBERT_BODY],
          "08.01.2019 10:00:00 UTC+03:00")]), encoding="utf-8")
    return folder


def test_html_export_page(html_export):
    parsed = parse_file(html_export / "messages.html", channel="gonzo_ML")
    assert parsed.format == "telegram-export-html" and parsed.origin == "gonzo-обзоры ML статей"
    r = parsed.reviews[0]
    assert r.title == E.TITLE and r.arxiv_id == "1803.03635" and r.date == "2019-01-06T18:41:07+03:00"
    assert r.sources[0].url == "https://t.me/gonzo_ML/21"
    assert "🔥" not in r.body and "winning tickets" in r.body
    assert parsed.skipped[0].reason.startswith("service message")


def test_html_export_folder_means_all_pages_in_order(html_export):
    res = run("parse", "--json", str(html_export))
    assert res.exit_code == 0, res.output
    titles = [r["title"] for r in json.loads(res.stdout)]
    assert titles == [E.TITLE, E.BIOBERT_TITLE]  # messages.html, messages2.html, messages10.html
    assert res.stderr.index("messages2.html") < res.stderr.index("messages10.html")
    added = run("add", "--json", str(html_export))
    names = [r["name"] for r in json.loads(added.stdout)]
    assert names[0] == "ChatExport_2024-01-01/messages.html" and added.exit_code == 0


def test_folder_without_export_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    res = run("parse", str(tmp_path / "empty"))
    assert res.exit_code == 1 and "directory" in res.stderr


# ------------------------------------------------------------------------- saved t.me/s page

def test_tgme_page(tmp_path):
    p = tmp_path / "gonzo_ML – Telegram.html"
    p.write_text(E.tgme_page(), encoding="utf-8")
    parsed = parse_file(p)
    assert parsed.format == "telegram-web-html"
    recs = by_title(parsed)
    lottery = recs[E.TITLE]
    assert lottery.sources[0].post_id == "gonzo_ML/21" and lottery.date == "2019-01-06T15:41:07+00:00"
    assert set(lottery.tags) == {"CNN", "FFNN", "optimization", "pruning", "ICLR"}
    assert "3.2K" not in lottery.body and "views" not in lottery.body
    # the reply quoting the lottery post is not a review, and its quote is nobody's body
    assert [s.where for s in parsed.skipped] == ["message 25"]
    word = recs["Word Translation Without Parallel Data"]
    assert word.arxiv_id == "1710.04087" and "Forwarded from" not in word.body


# ------------------------------------------------------------------------------ Habr pages

@pytest.mark.parametrize("old", [False, True], ids=["tm-markup", "post__text-markup"])
def test_habr_page(tmp_path, old):
    p = tmp_path / "habr.html"
    p.write_text(E.habr_page(old=old), encoding="utf-8")
    parsed = parse_file(p)
    assert parsed.format == "habr-html"
    assert [r.title for r in parsed.reviews] == [t for t, *_ in E.HABR_SECTIONS]
    layer, roberta = parsed.reviews
    assert layer.arxiv_id == "1806.01603"  # the «Оригинал статьи» href
    assert layer.reviewer.name == "Святослав Скоблов" and layer.reviewer.handle == "error_derivative"
    assert layer.year == 2018 and "Vanilla SGD" in layer.body and "RoBERTa" not in layer.body
    assert roberta.affiliations == ("University of Washington", "Facebook AI")
    src = roberta.sources[0]
    assert src.url == "https://habr.com/ru/company/ods/blog/470300/" and src.date.startswith("2019-10-09")
    assert "Комментарии" not in roberta.body and "144,93" not in roberta.body


# --------------------------------------------------------------- one post through many formats

def test_same_post_from_two_formats_is_one_record(tmp_path, channel_json):
    page = tmp_path / "tgme.html"
    page.write_text(E.tgme_page(), encoding="utf-8")
    res = run("add", "--json", "--channel", "gonzo_ML", str(channel_json), str(page))
    assert res.exit_code == 0, res.output
    recs = json.loads(run("show", "--json", "1803.03635").stdout)
    assert len(recs) == 1
    paths = {s["path"] for s in recs[0]["sources"]}
    assert {"gonzo_ml_channel_page_1.txt", "tgoop_gonzo_ml_21.txt", f"{tmp_path.name}/result.json", "tgme.html"} <= paths
    info = {r["name"]: r for r in json.loads(res.stdout)}
    assert info[f"{tmp_path.name}/result.json"]["merged"] == 1 and info["tgme.html"]["merged"] == 1


def test_add_reports_skips_and_verbose_lists_them(channel_json):
    res = run("add", "--verbose", str(channel_json))
    assert res.exit_code == 0
    assert "skipped message 23: poll" in res.stderr
    data = json.loads(run("sources", "--json").stdout)
    row = next(d for d in data if d["name"].endswith("result.json"))
    assert (row["reviews"], row["skipped"], row["format"]) == (2, 4, "telegram-export-json")
    assert run("remove", row["name"]).exit_code == 0
    assert not any(d["name"].endswith("result.json") for d in json.loads(run("sources", "--json").stdout))


# ------------------------------------------------------------------------ encodings, line ends

POST = E.HEAD + "Статья: https://arxiv.org/abs/1803.03635\n\n#pruning\n\n" + E.BODY + "\n"


@pytest.mark.parametrize("encoding, line_end", [
    ("utf-8", "\n"), ("utf-8-sig", "\n"), ("utf-16", "\n"), ("cp1251", "\n"), ("utf-8", "\r\n"), ("utf-8", "\r"),
])
def test_text_dump_encodings(tmp_path, encoding, line_end):
    p = tmp_path / "post.txt"
    text = ("Канал – Telegram\n" + POST).replace("\n", line_end)
    p.write_bytes(text.encode(encoding, errors="replace"))
    r = parse_file(p).reviews[0]
    assert r.title == E.TITLE and r.arxiv_id == "1803.03635" and "\r" not in r.body
    assert "лотерейного" in r.body


def test_separators_inside_post_do_not_split_it(tmp_path):
    p = tmp_path / "post.txt"
    body = E.BODY.replace("Интуиция тут такая:", "Интуиция\x1c тут\x85 такая\u2028:")
    p.write_text("Канал – Telegram\n" + E.HEAD + "Статья: https://arxiv.org/abs/1803.03635\n\n" + body, encoding="utf-8")
    r = parse_file(p).reviews[0]
    assert "\u2028" in r.body and "\x85" in r.body and "winning tickets" in r.body


def test_nul_bytes_without_bom_are_binary(tmp_path):
    p = tmp_path / "post.txt"
    p.write_bytes(POST.encode("utf-16-le"))
    with pytest.raises(DumpError, match="binary"):
        parse_file(p)


def test_single_copied_post_without_header_is_one_review(tmp_path):
    p = tmp_path / "post.txt"
    body = "Очень длинный разбор статьи про диффузионные модели и их ускорение, без шапки с авторами."
    p.write_text(f"GONZO_ML Telegram 99\nDiffusion Models Beat GANs\n{body}\n\n\ntgoop.com/gonzo_ML/99\nCreate:\n"
                 f"Last Update:\n\nDiffusion Models Beat GANs\n{body}\n\nBY gonzo-обзоры ML статей\n", encoding="utf-8")
    parsed = parse_file(p)
    assert [r.title for r in parsed.reviews] == ["Diffusion Models Beat GANs"]
    assert parsed.reviews[0].body.count("диффузионные") == 1  # the page prints it twice


def test_formats_are_sniffed_not_named(tmp_path):
    for name, content in [("a.txt", E.tgme_page()), ("b.json", E.habr_page()), ("c.html", POST)]:
        (tmp_path / name).write_text(content, encoding="utf-8")
    assert detect_format(E.tgme_page()) == "telegram-web-html"
    assert parse_file(tmp_path / "a.txt").format == "telegram-web-html"
    assert parse_file(tmp_path / "b.json").format == "habr-html"
    assert parse_file(tmp_path / "c.html").format == "telegram-web-text"


# --------------------------------------------------------- large exports: the streaming path

@pytest.fixture
def stream_everything(monkeypatch):
    """Make every JSON export take the path large ones take (streamed, worker pool)."""
    import reviews_cli.library.ingest as ingest

    monkeypatch.setattr(ingest, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(ingest, "CHUNK", 2)


def test_streamed_export_gives_the_same_records(tmp_path, channel_json, stream_everything):
    res = run("add", "--json", "--verbose", "--channel", "gonzo_ML", str(channel_json))
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)[0]
    assert (info["reviews"], info["skipped"], info["merged"]) == (2, 4, 1)
    assert ["message 1", "service message (create_channel)"] in info["skipped_posts"]
    recs = json.loads(run("show", "--json", E.BIOBERT_TITLE[:20]).stdout)  # the bundled review and this one
    assert len(recs) == 2 and all(r["arxiv_id"] == "1901.08746" for r in recs)
    assert recs[1]["sources"][0]["path"] == f"{tmp_path.name}/result.json"
    lottery = json.loads(run("show", "--json", "1803.03635").stdout)[0]
    assert "gonzo_ML/21" in {s["post_id"] for s in lottery["sources"]}


def test_streamed_broken_export_is_refused_and_library_unchanged(tmp_path, channel_json, stream_everything):
    data = channel_json.read_bytes()
    broken = tmp_path / "broken" / "result.json"
    broken.parent.mkdir()
    broken.write_bytes(data[:int(len(data) * 0.8)])
    res = run("add", str(broken), str(channel_json))
    assert res.exit_code == 1
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("reviews:")]
    assert len(errors) == 1 and "broken JSON" in errors[0] and "line" in errors[0]
    names = [d["name"] for d in json.loads(run("sources", "--json").stdout)]
    assert f"{tmp_path.name}/result.json" in names and "broken/result.json" not in names
    assert len(json.loads(run("export").stdout)) == 32  # 31 bundled + BioBERT; the lottery post merged


def test_large_export_under_any_name_is_streamed_not_sent_to_the_pool(tmp_path, channel_json, monkeypatch):
    """Whether a dump is streamed is decided by its content, as its format is, not its name."""
    import reviews_cli.library.ingest as ingest

    monkeypatch.setattr(ingest, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(ingest, "PARALLEL_MIN_BYTES", 0)
    renamed = tmp_path / "gonzo-export.dat"
    renamed.write_bytes(channel_json.read_bytes())
    page = tmp_path / "tgme.html"
    page.write_text(E.tgme_page(), encoding="utf-8")
    res = run("add", "--json", str(renamed), str(page))
    assert res.exit_code == 0, res.output
    assert [r["reviews"] for r in json.loads(res.stdout)] == [2, 2]
