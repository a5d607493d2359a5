"""`reviews related`: a tiny library built here (shared author, shared rare tag, a cited paper,
other reviews of the same paper) on top of the bundled corpus, through click's test runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.library import Library
from reviews_cli.models import Link, Review
from reviews_cli.search.related import cited_ids, related
from reviews_cli.search.resolve import resolve

HEADER = "tiny-обзоры – Telegram\ntiny-обзоры\n1K subscribers\nDownload Telegram\n"
FILLER = "Авторы обучают модель на данных и сравнивают качество с бейзлайнами на нескольких бенчмарках."
FLUX = "Quasiorthogonal Flux Capacitors for Graph Routing"


def _post(title: str, authors: str, aid: str, tags: str, body: str) -> str:
    return "\n".join([title, authors, "Skoltech", "", f"Статья: https://arxiv.org/abs/{aid}", "", tags, "", body,
                      "🔥5"])


POSTS = {
    # the reference: cites 2101.00002 in its text
    "flux": _post(FLUX, "Zelda Quimby, Bo Chen", "2101.00001", "#graphs #fluxology",
                  "Флюксоидные конденсаторы маршрутизируют графы квазиортогонально. " + FILLER
                  + " Идея растёт из 2101.00002."),
    "author": _post("Cooking Recipes with Diffusion", "Zelda Quimby", "2102.00003", "#diffusion",
                    "Рецепты борща генерирует диффузия."),
    "tag": _post("Capacitor Networks\u202e Revisited", "Ann Lee", "2103.00004", "#fluxology",
                 "Флюксоидные конденсаторы снова, теперь квазиортогонально и быстрее. " + FILLER),
    "cited": _post("Graph Routing Baselines", "Carl Sagan", "2101.00002", "#baselines",
                   "Простые бейзлайны для маршрутизации графов. " + FILLER),
    # the same paper: the same title (another arXiv id typed), the same arXiv id (another title)
    "same_title": _post(FLUX, "Zelda Quimby, Bo Chen", "2104.00005", "#misc",
                        "Другой обзор той же статьи: флюксоидные конденсаторы, квазиортогонально, маршрутизация."),
    "same_arxiv": _post("A Different Title Entirely", "Dan Brown", "2101.00001", "#misc",
                        "Ещё один пересказ: флюксоидные конденсаторы квазиортогонально маршрутизируют."),
    # shares nothing with anything
    "alone": _post("Xylophonic Zebrafication", "Qwerty Uiopasdf", "2105.00006", "#zzzonly",
                   "Ъыъыъ жужужуж."),
}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def tiny(tmp_path, _isolated_home) -> dict[str, str]:
    """The tiny dump added to the library; its record ids by key."""
    dump = tmp_path / "tiny.txt"
    dump.write_text(HEADER + "\n".join(POSTS.values()) + "\n", encoding="utf-8")
    with Library.open() as lib:
        (res,) = lib.add([str(dump)])
        assert res.error is None and res.reviews == len(POSTS)
        by_title = {}
        for r in lib.all_reviews():
            by_title.setdefault((r.title, r.arxiv_id), r.id)
    ids = {}
    for key, text in POSTS.items():
        title, _, _, _, link = text.split("\n")[:5]
        ids[key] = by_title[(title, link.rsplit("/", 1)[1])]
    return ids


def related_json(*args: str) -> dict:
    res = run("related", "--json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_related_finds_shared_author_tag_and_citation(tiny):
    data = related_json(tiny["flux"])
    assert data["of"] == [tiny["flux"]]
    hits = {h["id"]: h for h in data["hits"]}
    assert "same author (Zelda Quimby)" in hits[tiny["author"]]["reasons"]
    assert "1 shared tag (#fluxology)" in hits[tiny["tag"]]["reasons"]
    assert "reviews a paper this one cites (2101.00002)" in hits[tiny["cited"]]["reasons"]
    assert any(x.startswith("similar text (capacitors") for x in hits[tiny["tag"]]["reasons"])
    # the three that share something specific come before records with only common words
    assert {h["id"] for h in data["hits"][:3]} == {tiny["author"], tiny["tag"], tiny["cited"]}


def test_related_never_the_same_paper(tiny):
    ids = [h["id"] for h in related_json(tiny["flux"], "--limit", "100")["hits"]]
    assert tiny["flux"] not in ids
    assert tiny["same_title"] not in ids  # same normalized title
    assert tiny["same_arxiv"] not in ids  # same arXiv id
    assert len(ids) == len(set(ids))
    # by arXiv id: every review of the paper is the reference, none is a result
    data = related_json("2101.00001", "--limit", "100")
    assert set(data["of"]) == {tiny["flux"], tiny["same_arxiv"]}
    assert not {tiny["flux"], tiny["same_title"], tiny["same_arxiv"]} & {h["id"] for h in data["hits"]}


def test_related_json_is_records_with_rank_score_reasons(tiny):
    hits = related_json(tiny["flux"], "-n", "4")["hits"]
    assert len(hits) == 4
    assert [h["rank"] for h in hits] == [1, 2, 3, 4]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    for h in hits:
        assert h["reasons"] and all(isinstance(x, str) for x in h["reasons"])
        rec = {k: v for k, v in h.items() if k not in ("rank", "score", "reasons")}
        assert Review.from_dict(rec).to_dict() == rec
    # machine output escapes the bidi override in a title
    raw = run("related", "--json", tiny["flux"]).stdout
    assert "\u202e" not in raw and "\\u202e" in raw


def test_related_table_has_why_column_and_safe_text(tiny):
    res = run("related", tiny["flux"])
    assert res.exit_code == 0
    out = res.stdout
    assert out.startswith("Related to: " + FLUX)
    assert "why" in out and "same author (Zelda" in out and "Graph Routing Baselines" in out
    assert "\u202e" not in out and "\\u202e" in out  # the title's override is shown, not obeyed


def test_related_nothing_shared_exit_1(tiny):
    res = run("related", tiny["alone"])
    assert res.exit_code == 1
    assert res.stderr == "reviews: Xylophonic Zebrafication: no other review shares its words, tags, authors or cited papers\n"
    res = run("related", "--json", tiny["alone"])
    assert res.exit_code == 1 and json.loads(res.stdout)["hits"] == []


def test_related_unknown_ref_one_line():
    res = run("related", "zzqqxxyy-no-such-paper")
    assert res.exit_code == 1
    assert res.stderr.startswith("reviews: nothing found for 'zzqqxxyy-no-such-paper'")


def test_related_bad_limit_is_usage_error():
    assert run("related", "1803.03635", "--limit", "0").exit_code == 2


def test_related_on_bundled_corpus():
    data = related_json("1803.03635")
    assert data["of"] == ["8d5fd2cd"]
    hits = data["hits"]
    assert len(hits) == 10
    assert all("Lottery Ticket" not in h["title"] for h in hits)
    # the one other record with three of its tags (#CNN #FFNN #optimization) comes first
    assert hits[0]["title"].startswith("Identity Crisis")
    assert any("3 shared tags" in x for x in hits[0]["reasons"])


def test_core_related_limit_and_empty(library):
    refs = resolve(library.conn, "1803.03635")
    assert len(related(library.conn, refs, limit=3)) == 3
    assert related(library.conn, [], limit=3) == []


def test_cited_ids_bare_urls_links_not_own():
    r = Review(id="x", title="t", arxiv_id="1803.03635",
               body="See 1803.03635 and arXiv:1901.08746v2, https://arxiv.org/abs/hep-th/9901001 and "
                    "version 3.1415 or 2019.12345 (not ids); again 1901.08746.",
               links=(Link("https://arxiv.org/pdf/2005.14165.pdf", "paper"), Link("https://example.org/1234.56789")))
    assert cited_ids(r) == ["hep-th/9901001", "1901.08746", "2005.14165"]


def test_fragment_of_several_papers_lists_candidates_as_show_does(tiny):
    res = run("related", "--json", "graph routing")
    assert res.exit_code == 1 and res.stdout == ""
    # the fragment matches the flux paper (two reviews by title) and the baselines paper
    assert "2 different papers" in res.stderr and "reviews related " in res.stderr
    assert tiny["flux"] in res.stderr or tiny["same_title"] in res.stderr
