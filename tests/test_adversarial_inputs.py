"""Regressions of the attacker's pass over the input paths of other tools' dumps (JSON / JSON
Lines / CSV message tables), ``state import``, ``parse --explain`` and ``pull`` page parsing:
each hostile input gives records or one line ``reviews: FILE: reason`` (exit ≠ 0), never a
traceback, and its text never reaches the terminal raw."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.extract import find_urls
from reviews_cli.parsing.containers import csv_table
from reviews_cli.parsing.containers.message_text import iso_date
from reviews_cli.pull.resume import PullState
from reviews_cli.safe_text import has_unsafe


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def _one_line_error(res, path) -> None:
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"reviews: {path}: "), lines


def test_a_csv_field_over_the_limit_is_one_line_not_a_traceback(tmp_path):
    # csv.Error("field larger than field limit") escaped the dump-error mapping
    path = tmp_path / "huge.csv"
    path.write_text('id,date,text\n1,2024-01-01,"' + "a" * (csv_table.MAX_FIELD_CHARS + 10) + '"\n',
                    encoding="utf-8")
    for cmd in ("parse", "add"):
        res = run(cmd, str(path))
        _one_line_error(res, path)
        assert "row 2" in res.stderr and "field" in res.stderr


@pytest.mark.parametrize("date", ["2024-01-05\x1b[31mRED\u202e[bold]x", "2024-13-45", "2024-02-30T10:00:00",
                                  "2024-01-05T25:61", 1e308, -1e308, "", None, [2024], {"y": 2024}, True])
def test_a_garbage_date_is_dropped_not_stored(tmp_path, date):
    # a string that merely started with YYYY-MM-DD was kept whole, escapes and all, as the date
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"id": 5, "date": date, "url": "https://t.me/chan/5",
                                 "message": "Attention Networks for Vision\nBob Smith\n"
                                            "https://arxiv.org/abs/2102.00001\nThe review of attention."}]),
                    encoding="utf-8")
    res = run("parse", str(path), "--json")
    assert res.exit_code == 0, res.output
    (rec,) = json.loads(res.stdout)
    assert rec["date"] is None


def test_iso_dates_tools_write_are_kept():
    assert [iso_date(v) for v in ("2024-01-05", "2024-01-05 10:00:00", "2024-01-05T10:00:00.5+03:00",
                                  "2024-01-05T10:00:00Z", 1704448800, "1704448800")] == [
        "2024-01-05", "2024-01-05T10:00:00", "2024-01-05T10:00:00.5+03:00", "2024-01-05T10:00:00Z",
        "2024-01-05T10:00:00+00:00", "2024-01-05T10:00:00+00:00"]


def test_a_control_or_bidi_character_ends_a_url(tmp_path):
    # "http://evil\x07L\u202eEVIL" (an OSC 8 hyperlink's BEL, a bidi override) was one stored link
    text = ("Attention Networks for Vision\nBob Smith\nhttps://arxiv.org/abs/2102.00001 see "
            "http://evil.example/a\x07L\u202eEVIL/x\nСтатья\nThe review of attention.")
    ents = [{"_": "MessageEntityTextUrl", "offset": text.index("Статья"), "length": 6,
             "url": "http://b.example/p\x1b[31m\u202ex"}]
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"id": 5, "url": "https://t.me/chan/5", "message": text, "entities": ents}]),
                    encoding="utf-8")
    res = run("parse", str(path), "--json")
    assert res.exit_code == 0, res.output
    urls = {link["url"] for link in json.loads(res.stdout)[0]["links"]}
    assert urls == {"https://arxiv.org/abs/2102.00001", "http://evil.example/a", "http://b.example/p"}
    assert find_urls("x https://a.example/\u200bzw\u2066y") == ["https://a.example/"]


def test_a_state_backup_with_a_huge_version_is_one_short_line(tmp_path):
    # the whole version value (any size) was quoted in the error line
    path = tmp_path / "st.json"
    path.write_text(json.dumps({"format": "reviews-state", "version": "\x1b[31m[bold]" + "9" * 1_000_000,
                                "papers": []}), encoding="utf-8")
    res = run("state", "import", str(path))
    _one_line_error(res, path)
    assert len(res.stderr) < 200 and "\x1b" not in res.stderr and "[bold]" in res.stderr


def test_a_state_backup_with_a_huge_integer_is_one_line(tmp_path):
    # json.loads's ValueError for an integer over 4300 digits was a traceback
    path = tmp_path / "st.json"
    path.write_text('{"format": "reviews-state", "version": ' + "9" * 5000 + ', "papers": []}', encoding="utf-8")
    res = run("state", "import", str(path))
    _one_line_error(res, path)
    assert "number too long" in res.stderr


@pytest.mark.parametrize("text", ["[" * 100_000, '{"channel": "a", "base": "b", "covered": 5}',
                                  '{"channel": "a", "base": "b", "covered": "12"}',
                                  '{"channel": "a", "base": "b", "covered": {"1": 2}}'])
def test_a_hand_edited_pull_state_is_read_as_none_or_without_its_ranges(text):
    # deep nesting raised RecursionError, a "covered" number TypeError
    state = PullState.from_json(text)
    assert state is None or (state.channel, state.covered) == ("a", [])


_TME_POST = ('<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" data-post="evilch/{pid}">'
             '<div class="tgme_widget_message_text">Attention Networks for Vision {pid}<br/>Bob Smith<br/>'
             '<a href="https://arxiv.org/abs/2102.0000{pid}">https://arxiv.org/abs/2102.0000{pid}</a><br/>'
             'The review of attention and transformers.</div><a class="tgme_widget_message_date" '
             'href="https://t.me/evilch/{pid}"><time datetime="{date}">x</time></a></div></div>')


def test_a_garbage_time_datetime_in_a_preview_page_is_dropped(tmp_path):
    # <time datetime> was stored whole as the record's date: escapes, [bold], 100 kB of text
    dates = ["2024-01-05T10:00:00+00:00", "\x1b[31m", "[bold]x", "9999-99-99", "2024-01-05\u202eEVIL", "x" * 100_000]
    posts = "".join(_TME_POST.format(pid=k + 1, date=d) for k, d in enumerate(dates))
    path = tmp_path / "evil.html"
    path.write_text(f'<html><body><section class="tgme_channel_history">{posts}</section></body></html>',
                    encoding="utf-8")
    res = run("parse", str(path), "--json")
    assert res.exit_code == 0, res.output
    got = {r["arxiv_id"]: r["date"] for r in json.loads(res.stdout)}
    assert got == {"2102.00001": "2024-01-05T10:00:00+00:00", **{f"2102.0000{k}": None for k in range(2, 7)}}


def test_a_garbage_date_string_in_a_telegram_desktop_export_is_dropped(tmp_path):
    msgs = [{"id": k + 1, "type": "message", "date": d,
             "text": f"Attention Networks for Vision {k}\nBob Smith\nhttps://arxiv.org/abs/2102.0000{k + 1}\n"
                     "The review of attention and transformers."}
            for k, d in enumerate(["2019-03-04T12:00:00", "2019-03-04\x1b[31m[bold]x", "2019-02-30T12:00:00"])]
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "Ch", "type": "public_channel", "id": 1, "messages": msgs}), encoding="utf-8")
    res = run("parse", str(path), "--json")
    assert res.exit_code == 0, res.output
    got = {r["arxiv_id"]: r["date"] for r in json.loads(res.stdout)}
    assert got == {"2102.00001": "2019-03-04T12:00:00", "2102.00002": None, "2102.00003": None}


@pytest.mark.parametrize("title, shown", [
    ("[bold]Attention[/bold] Networks for Vision Transformers", "[bold]Attention[/bold] Networks"),
    ("Attention Networks \x1b[31mfor Vision Transformers", "Attention Networks \\x1b[31mfor"),
    ("Attention Networks \u202efor Vision Transformers", "Attention Networks \\u202efor")])
def test_explain_shows_a_hostile_title_as_written_and_escaped(tmp_path, title, shown):
    path = tmp_path / "t.txt"
    path.write_text(f"Ch – Telegram\n{title}\nBob Smith, Eve Jones\nMIT\n\nhttps://arxiv.org/abs/2102.00001\n\n"
                    "#tag\n\nThe review text about transformers and attention continues here.\n", encoding="utf-8")
    human = run("parse", str(path), "--explain")
    assert human.exit_code == 0 and not has_unsafe(human.stdout)
    assert f"title:     {shown}" in human.stdout
    as_json = run("parse", str(path), "--explain", "--json")
    assert as_json.exit_code == 0 and not has_unsafe(as_json.stdout)
    assert json.loads(as_json.stdout)[0]["title"]["text"] == title  # JSON keeps the text, escaped by json


@pytest.mark.parametrize("unit", ["**a ", "__a ", "~~a ", "||a "])
def test_markdown_marks_search_is_bounded_by_the_next_mark(unit):
    # "**a " repeated: every opening mark scanned up to 5000 characters for a closing one
    # (~10 s for 200 kB). A mark's text now stops at the next pair of its marks, so no match spans one.
    from reviews_cli.parsing.containers.message_text import _MD_MARKS, markdown_runs

    text = unit * 2000 + unit[:2] + "x" * 100 + unit[:2]
    assert [m.group(0) for m in _MD_MARKS.finditer(text)] == [unit[:2] + "x" * 100 + unit[:2]]
    assert markdown_runs("**bold** __it_al__ ~~s~~ ||sp|| `c`")[0].text == "bold it_al s sp c"


def test_snscrape_outlinks_are_read_up_to_a_bound(tmp_path):
    # each outlink was tested against every other and against the whole text: 50 000 took 16 s
    from reviews_cli.parsing.containers.message_text import MAX_OUTLINKS, outlink_runs

    runs, left = outlink_runs("Статья\nКод\nbody", [f"https://a.example/{k}" for k in range(MAX_OUTLINKS * 5)])
    assert [r.href for r in runs if r.kind == "text_link"] == ["https://a.example/0", "https://a.example/1"]
    assert len(left) == MAX_OUTLINKS - 2 and left[0] == "https://a.example/2"
