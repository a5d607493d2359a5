"""`show`/`open` with a reference that matches several papers list the candidates (issue 8,
item 9); all reviews of one paper are still shown together."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from reviews_cli.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _post(title: str, arxiv: str, body: str) -> str:
    return f"{title}\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/{arxiv}\n\n{body}\n"


def test_title_fragment_matching_several_papers_lists_candidates():
    res = run("show", "neural")
    assert res.exit_code == 1
    assert res.stdout == ""
    assert "matches" in res.stderr and "different papers" in res.stderr
    ids = re.findall(r"^  ([0-9a-f]{8})  ", res.stderr, flags=re.M)
    assert len(ids) >= 2
    assert f"reviews show {ids[0]}" in res.stderr  # how to pick one
    titles = set()
    for rid in ids:
        picked = run("show", "--json", rid)
        assert picked.exit_code == 0, picked.output
        recs = json.loads(picked.stdout)
        assert [r["id"] for r in recs] == [rid]
        titles.add(recs[0]["title"])
    assert len(titles) == len(ids)  # one line per paper


def test_open_names_itself_in_the_hint(monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url))
    res = run("open", "neural")
    assert res.exit_code == 1 and opened == []
    assert "reviews open " in res.stderr


def test_reviews_of_one_paper_are_shown_together(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(_post("Sparse Widgets for Everyone", "2101.00001", "Первый обзор: виджеты разреживаются."),
                 encoding="utf-8")
    b.write_text(_post("Sparse Widgets for Everyone", "2101.00001",
                       "A second, unrelated review with its own words about pruning widgets at scale."),
                 encoding="utf-8")
    c = tmp_path / "c.txt"
    c.write_text(_post("Dense Gadgets", "2101.00002", "Про гаджеты."), encoding="utf-8")
    assert run("add", str(a), str(b), str(c)).exit_code == 0
    res = run("show", "--json", "sparse widgets")
    assert res.exit_code == 0, res.output
    recs = json.loads(res.stdout)
    assert len(recs) == 2 and {r["arxiv_id"] for r in recs} == {"2101.00001"}


def test_id_prefix_shared_by_two_papers_is_ambiguous():
    from reviews_cli.errors import Ambiguous
    from reviews_cli.models import Review
    from reviews_cli.search import resolve as rs

    one = Review(id="abcd1111", title="First Paper", arxiv_id="2101.00001")
    two = Review(id="abcd2222", title="Second Paper", arxiv_id="2101.00002")
    same = Review(id="abcd3333", title="First Paper, again", arxiv_id="2101.00001")
    assert rs.one_paper("abcd", [one, same]) == [one, same]
    try:
        rs.one_paper("abcd", [one, two, same])
    except Ambiguous as exc:
        assert [c[0] for c in exc.candidates] == ["abcd1111", "abcd2222"] and exc.more == 0
    else:
        raise AssertionError("two papers under one prefix must be ambiguous")


def test_a_record_bridging_two_keys_joins_them_into_one_paper():
    from reviews_cli.models import Review
    from reviews_cli.search import resolve as rs

    titled = Review(id="aaaa0001", title="Bridged Paper")  # no arXiv link in this review
    linked = Review(id="aaaa0002", title="Bridged Paper, a Review", arxiv_id="2101.00009")
    both = Review(id="aaaa0003", title="Bridged Paper", arxiv_id="2101.00009")
    assert rs.one_paper("aaaa", [titled, linked, both]) == [titled, linked, both]
