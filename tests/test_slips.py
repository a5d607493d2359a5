"""Search slips (issue 8, item 15): a word typed in the wrong keyboard layout is searched as
meant and the output says so; a ``#hashtag`` query ranks the reviews carrying the tag first.
On the bundled corpus and on tiny libraries written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.library import Library
from reviews_cli.search.layout import swap
from reviews_cli.search.query import Query
from reviews_cli.search.search import HASHTAG_BONUS, Searcher

LOTTERY = "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def search_json(*query):
    res = run("search", "--json", *query)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _dump(folder: Path, name: str, title: str, body: str, tags: str = "", arxiv: str = "2101.00001") -> str:
    """One review in the plain-text format (channel line, title, authors, arXiv URL, tags, body)."""
    path = folder / f"{name}.txt"
    tag_line = f"{tags}\n\n" if tags else ""
    path.write_text(f"Ch – Telegram\n{title}\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/{arxiv}\n\n{tag_line}{body}\n",
                    encoding="utf-8")
    return str(path)


@pytest.fixture
def tiny(tmp_path):
    """``tiny([(title, body, tags), ...])`` -> an open Library of the bundled corpus plus those."""
    opened = []

    def make(records: list[tuple[str, str, str]]) -> Library:
        folder = tmp_path / "in"
        folder.mkdir()
        paths = [_dump(folder, f"r{i}", title, body, tags, f"2101.{i + 1:05d}")
                 for i, (title, body, tags) in enumerate(records)]
        lib = Library.open()
        opened.append(lib)
        results = lib.add(paths)
        assert not any(r.error for r in results)
        return lib

    yield make
    for lib in opened:
        lib.close()


# ----------------------------------------------------------------------------- the key table

@pytest.mark.parametrize("typed, meant", [
    ("дщееукн", "lottery"), ("ДЩЕЕУКН", "LOTTERY"), ("ызфкыу", "sparse"), ("Ызфкыу", "Sparse"),
    ("j,pjh", "обзор"), ("J<PJH", "ОБЗОР"), ("[jhjij", "хорошо"), ("{jhjij", "Хорошо"), ("k.,jq", "любой"),
    ("`krf", "ёлка"), ("~krf", "Ёлка"), ("gjlmtv", "подьем"), ("gjl]tv", "подъем"), ("'nj", "это"),
    (";ehyfk", "журнал"), ("gpt-3", "пзе-3"),
])
def test_swap_maps_every_key_both_ways(typed, meant):
    assert swap(typed) == meant
    assert swap(meant) == typed


@pytest.mark.parametrize("text", ["1803.03635", "", "---", "gаn"])  # no letters; both alphabets ("а" Cyrillic)
def test_swap_needs_one_alphabet(text):
    assert swap(text) is None


# ---------------------------------------------------------------------- layout slips: corpus

@pytest.mark.parametrize("typed", ["ДЩЕЕУКН", "дщееукн"])
def test_russian_layout_for_lottery_finds_it_and_says_so(typed):
    data = search_json(typed)
    assert data["hits"][0]["title"] == LOTTERY
    assert data["corrections"] == {typed: "lottery"}
    assert data["searched_for"] == "lottery"
    res = run("search", typed)
    assert res.exit_code == 0
    assert "Searched for: lottery" in res.stdout
    assert f'"{typed}" → lottery (keyboard layout)' in " ".join(res.stdout.split())


def test_sparse_typed_on_the_russian_layout():
    data = search_json("ызфкыу")
    assert data["searched_for"] == "sparse"
    assert LOTTERY in [h["title"] for h in data["hits"]]


def test_russian_word_typed_on_the_latin_layout():
    # обзор is on the keys j , p j h: the comma carries "б", so the item is swapped as typed
    data = search_json("j,pjh")
    assert data["corrections"] == {"j,pjh": "обзор"}
    assert data["searched_for"] == "обзор"
    plain = search_json("обзор")
    assert [h["id"] for h in data["hits"]] == [h["id"] for h in plain["hits"]]


def test_slips_next_to_plain_words_and_typos():
    data = search_json("дщееукн", "tiket")
    assert data["corrections"] == {"дщееукн": "lottery", "tiket": "ticket"}
    assert data["hits"][0]["title"] == LOTTERY
    res = run("search", "дщееукн", "tiket")
    said = " ".join(res.stdout.split())
    assert '"дщееукн" → lottery (keyboard layout)' in said
    assert '"tiket"' not in said  # a typo is not called a layout slip


def test_known_corpus_words_are_never_swapped():
    for word in ("lottery", "обзор", "GAN"):
        assert search_json(word)["corrections"] == {}


def test_nothing_to_swap_to_still_fails_cleanly():
    res = run("search", "ячсмить")  # "zxcvbnm" is in no review either
    assert res.exit_code == 1
    assert "nothing found" in res.stderr


# ------------------------------------------------------------------ layout slips: tiny library

def test_a_known_word_is_searched_as_typed_even_when_its_swap_is_known_too(tiny):
    # "rjn" is the same keys as "кот": both are words of this library
    lib = tiny([("Latin Nonsense", "The token rjn appears in this body.", ""),
                ("Cyrillic Cat", "Здесь живёт кот и больше никого.", "")])
    s = Searcher(lib.conn)
    latin = s.search(Query.parse("rjn"))
    assert latin.corrections == {} and [h.review.title for h in latin.hits] == ["Latin Nonsense"]
    cyr = s.search(Query.parse("кот"))
    assert cyr.corrections == {} and [h.review.title for h in cyr.hits] == ["Cyrillic Cat"]


def test_an_unknown_word_is_swapped_when_the_swap_is_known(tiny):
    lib = tiny([("Cyrillic Cat", "Здесь живёт кот и больше никого.", "")])
    r = Searcher(lib.conn).search(Query.parse("rjn"))
    assert r.corrections == {"rjn": "кот"} and r.layout_slips == {"rjn": "кот"}
    assert [h.review.title for h in r.hits] == ["Cyrillic Cat"]
    # the word matched in the body is highlighted, as for any search
    (h,) = r.hits
    assert [h.snippet[a:b] for a, b in h.highlights] == ["кот"]


def test_a_typo_correction_is_not_reported_as_a_layout_slip(tiny):
    lib = tiny([("Zebra Paper", "Zebras and their stripes explained.", "")])
    r = Searcher(lib.conn).search(Query.parse("stripez"))
    assert r.corrections == {"stripez": "stripes"} and r.layout_slips == {}


# ------------------------------------------------------------------------------- hashtags

def test_hashtag_query_is_parsed():
    q = Query.parse("#GAN faces #представления")
    assert q.hashtags == ["gan", "представления"]
    assert [t.words for t in q.terms] == [["gan"], ["faces"], ["представления"]]
    assert Query.parse('"#GAN" GAN -#GAN').hashtags == []  # quoted or excluded: not a hashtag


def test_hashtag_ranks_tagged_reviews_first_on_the_corpus():
    data = search_json("#GAN")
    tagged = ["gan" in [t.casefold() for t in h["tags"]] for h in data["hits"]]
    assert tagged[0]
    assert tagged == sorted(tagged, reverse=True)  # every tagged review before every other
    # the plain word does not favour the tag this way
    assert search_json("GAN")["hits"][0]["title"] != data["hits"][0]["title"]


def test_hashtag_beats_a_body_full_of_the_word(tiny):
    lib = tiny([("GAN GAN Everywhere", "GAN " * 200 + "and more GAN talk.", ""),
                ("Quiet Generators", "A review that says GAN only once.", "#GAN #generative")])
    s = Searcher(lib.conn)
    tagged = s.search(Query.parse("#GAN"))
    assert tagged.hits[0].review.title == "Quiet Generators"
    assert tagged.hits[0].score >= HASHTAG_BONUS
    plain = s.search(Query.parse("GAN"))
    assert plain.hits[0].review.title == "GAN GAN Everywhere"
    # a tag with other words: still all words required, the tagged record first among them
    both = s.search(Query.parse("#GAN once"))
    assert [h.review.title for h in both.hits] == ["Quiet Generators"]
