"""`reviews stats`: counts and the bar chart, on the bundled corpus (no post dates: the paper's
year) and on tiny dated libraries built here, through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import exports as E
import pytest
from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.library import Library
from reviews_cli.library.stats import library_stats
from reviews_cli.render.stats import bar


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def stats_json(*args: str) -> dict:
    res = run("stats", "--json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _message(mid: int, title: str, aid: str, date: str, unixtime: int) -> dict:
    return E.json_message(mid, f"{title}\nAnn Lee\n\nhttps://arxiv.org/abs/{aid}\n\nТекст обзора про {title}.",
                          unixtime, date=date)


@pytest.fixture
def dated(tmp_path, _isolated_home) -> Path:
    """A Telegram export of three reviews posted in January and March 2019 (none in February),
    added to the library under a file name holding a bidi override."""
    messages = [_message(30, "Alpha Paper Title Words", "1901.00001", "2019-01-06T18:41:07", 1546789267),
                _message(31, "Beta Paper Title Words", "1903.00002", "2019-03-03T08:00:00", 1551600000),
                _message(32, "Gamma Paper Title Words", "1903.00003", "2019-03-20T08:00:00", 1553068800)]
    path = E.write_json(tmp_path / "evil\u202ename.json", E.channel_json(messages))
    with Library.open() as lib:
        (res,) = lib.add([str(path)], channel="chan")
        assert res.error is None and res.reviews == 3
    return path


def test_bundled_counts():
    data = stats_json()
    assert data["total"] == 31
    assert sum(y["reviews"] for y in data["years"]) + data["no_year"] == 31
    assert sum(s["reviews"] for s in data["sources"]) == 32  # the lottery post is read from two dumps
    yandex = data["sources"][3]
    assert (yandex["name"], yandex["reviews"]) == ("yandex_neurips_2020_review.txt", 12)
    assert data["reviewers"][0] == {"reviewer": "Святослав Скоблов", "reviews": 2}
    assert sum(r["reviews"] for r in data["reviewers"]) + data["no_reviewer"] == 31
    assert data["tags"][0] == {"tag": "ICLR", "reviews": 3}
    assert len(data["tags"]) == 10
    # no post in the bundled dumps is dated: the chart falls back to the paper's year
    tl = data["timeline"]
    assert (tl["by"], tl["basis"], tl["undated"]) == ("year", "paper year", 0)
    assert tl["periods"] == [{"period": str(y["year"]), "reviews": y["reviews"]} for y in data["years"]]


def test_top_limits_tags_and_reviewers():
    data = stats_json("--top", "2")
    assert len(data["tags"]) == 2 and len(data["reviewers"]) == 2
    assert run("stats", "--top", "0").exit_code == 2
    assert run("stats", "--by", "week").exit_code == 2


def test_dated_library_per_month_with_empty_months(dated):
    tl = stats_json()["timeline"]
    assert (tl["by"], tl["basis"], tl["undated"]) == ("month", "post date", 31)
    assert tl["periods"] == [{"period": "2019-01", "reviews": 1}, {"period": "2019-02", "reviews": 0},
                             {"period": "2019-03", "reviews": 2}]
    tl = stats_json("--by", "year")["timeline"]
    assert tl["by"] == "year" and tl["periods"] == [{"period": "2019", "reviews": 3}]


def test_long_span_defaults_to_years(tmp_path, _isolated_home):
    messages = [_message(40, "Old Paper Title Words", "1501.00001", "2015-02-01T00:00:00", 1422748800),
                _message(41, "New Paper Title Words", "2301.00002", "2023-05-01T00:00:00", 1682899200)]
    path = E.write_json(tmp_path / "result.json", E.channel_json(messages))
    with Library.open() as lib:
        lib.add([str(path)], channel="chan")
        s = library_stats(lib.conn)
        assert s.by == "year" and [p for p, _ in s.timeline] == [str(y) for y in range(2015, 2024)]
        assert dict(s.timeline)["2015"] == 1 and dict(s.timeline)["2019"] == 0
        assert len(library_stats(lib.conn, by="month").timeline) == 12 * 8 + 4


def test_human_output_tables_and_chart(dated, monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")
    res = run("stats")
    assert res.exit_code == 0
    out = res.stdout
    assert "34 reviews from 6 sources" in out
    assert "Reviews per month (by post date), 31 undated" in out
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln[:7] in ("2019-01", "2019-02", "2019-03")}
    assert lines["2019-03"].count("█") > lines["2019-01"].count("█") > 0
    assert "█" not in lines["2019-02"]
    assert max(len(ln) for ln in out.splitlines()) <= 70
    # the dump's file name is shown with its override escaped, in tables and in JSON
    assert "\u202e" not in out and "evil\\u202ename.json" in out
    raw = run("stats", "--json").stdout
    assert "\u202e" not in raw and json.loads(raw)["sources"][-1]["name"] == "evil\u202ename.json"


def test_chart_fills_the_width(monkeypatch):
    for cols in (60, 120):
        monkeypatch.setenv("COLUMNS", str(cols))
        out = run("stats").stdout
        bars = [ln for ln in out.splitlines() if "█" in ln]
        longest = max(bars, key=lambda ln: ln.count("█"))
        assert longest.startswith("2019")  # 15 of the 31 reviews are of 2019 papers
        assert cols - 6 <= len(longest.rstrip()) <= cols


def test_bar():
    assert bar(0, 10, 20) == ""
    assert bar(10, 10, 20) == "█" * 20
    assert bar(5, 10, 20) == "█" * 10
    assert bar(1, 1000, 20) == "▏"  # any review shows
    assert bar(3, 16, 8) == "█▌"  # 1.5 columns
    assert len(bar(10**9, 10, 5)) == 5
