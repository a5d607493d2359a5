"""Unit tests of the search modules (query, snippets, resolve, search) on tiny libraries built in
each test: the bundled corpus (31 records) plus a few one-review text dumps written here, with
words the corpus lacks (zebra, stripes, savanna...), so every expectation is about our records."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from reviews_cli.errors import NotFound, UsageError
from reviews_cli.library import Library
from reviews_cli.search import search as search_mod
from reviews_cli.search.query import MAX_QUERY_CHARS, MAX_TERMS, Query, Term
from reviews_cli.search.resolve import resolve
from reviews_cli.search.search import Searcher
from reviews_cli.search.snippets import SNIPPET_WIDTH, snippet

BUNDLED = 31


def _dump(folder: Path, name: str, title: str, authors: str, arxiv: str, body: str) -> str:
    """One review in the plain-text format: channel line, title, authors, blank, arXiv URL,
    blank, body."""
    path = folder / f"{name}.txt"
    path.write_text(f"Ch – Telegram\n{title}\n{authors}\n\nhttps://arxiv.org/abs/{arxiv}\n\n{body}\n",
                    encoding="utf-8")
    return str(path)


@pytest.fixture
def make_library(tmp_path):
    """``make_library(records)`` -> an open Library of the bundled corpus plus ``records``, each
    ``(title, authors, arxiv_id, body)``; closed after the test."""
    opened = []

    def make(records: list[tuple[str, str, str, str]]) -> Library:
        folder = tmp_path / "in"
        folder.mkdir()
        paths = [_dump(folder, f"r{i:03d}", *rec) for i, rec in enumerate(records)]
        lib = Library.open()
        opened.append(lib)
        lib.add(paths)
        assert lib.count() == BUNDLED + len(records)
        return lib

    yield make
    for lib in opened:
        lib.close()


ZEBRA = ("Zebra Stripes Explained", "Ann Lee, Bo Chen", "2001.00001",
         "Статья про лотерейного билета и Jégou. Zebra stripes are cool, see 2001.00001 for details.")
ZEBRA_AGAIN = ("Zebra Stripes Explained", "Ann Lee, Bo Chen", "2001.00001",
               "Another review of the zebra stripes paper, with different text.")
OLD_STYLE = ("Old Style Paper", "Carl Dee", "hep-th/9901001", "Old style body text about strings.")
CAFE = ("Café Zebra Models", "Dan Eve", "2003.00003", "A second zebra paper body.")


@pytest.fixture
def small(make_library) -> Library:
    return make_library([ZEBRA, ZEBRA_AGAIN, OLD_STYLE, CAFE])


def _ids(lib: Library, titles: tuple[str, ...]) -> list[str]:
    return [r.id for r in lib.all_reviews() if r.title in titles]


# ------------------------------------------------------------------------------- query parsing

def _terms(q: Query) -> list[tuple[str, list[str], bool, bool, bool]]:
    return [(t.raw, t.words, t.phrase, t.prefix, t.negative) for t in q.terms]


def test_words_are_folded_terms_and_stop_words_dropped():
    q = Query.parse("  The Lottery TICKETS of ёлка ")
    assert q.text == "The Lottery TICKETS of ёлка"
    assert _terms(q) == [("Lottery", ["lottery"], False, False, False), ("TICKETS", ["tickets"], False, False, False),
                         ("ёлка", ["елка"], False, False, False)]
    assert not q.has_filters and not q.arxiv_ids


def test_phrases_quoted_or_joined_by_punctuation():
    q = Query.parse('"winning tickets" «ёлка палка» “curly quotes” GPT-3 "the"')
    assert _terms(q) == [
        ("winning tickets", ["winning", "tickets"], True, False, False),
        ("ёлка палка", ["елка", "палка"], True, False, False),
        ("curly quotes", ["curly", "quotes"], True, False, False),
        ("GPT-3", ["gpt", "3"], True, False, False),  # punctuation inside a word makes a phrase
        ("the", ["the"], True, False, False),  # a quoted stop word is kept
    ]


def test_unbalanced_quote_runs_to_the_end_and_lone_quote_is_nothing():
    assert _terms(Query.parse('lottery "winning tick')) == [
        ("lottery", ["lottery"], False, False, False), ("winning tick", ["winning", "tick"], True, False, False)]
    with pytest.raises(UsageError, match="nothing to search for"):
        Query.parse('"')


def test_prefix_and_negation():
    q = Query.parse('prun* -pruning -"a b" lottery - x1')
    assert _terms(q) == [
        ("prun*", ["prun"], False, True, False),
        ("pruning", ["pruning"], False, False, True),
        ("a b", ["a", "b"], True, False, True),
        ("lottery", ["lottery"], False, False, False),
        ("x1", ["x1"], False, False, False),  # a lone "-" negates nothing
    ]
    assert [t.raw for t in q.positive] == ["prun*", "lottery", "x1"]


@pytest.mark.parametrize(("text", "field", "value"), [
    ("tag:GAN", "tags", ["gan"]),
    ("tags:#Gan тег:NLP", "tags", ["gan", "nlp"]),
    ("author:Frankle", "authors", [["frankle"]]),
    ('author:"Jonathan Frankle" автор:Иванов', "authors", [["jonathan", "frankle"], ["иванов"]]),
    ("reviewer:Скоблов by:someone", "reviewers", [["скоблов"], ["someone"]]),
    ("source:Habr", "sources", ["habr"]),
    ("year:2019", "years", (2019, 2019)),
    ("год:2019..2020", "years", (2019, 2020)),
    ("year:2020..2019", "years", (2019, 2020)),
    ("year:..2019", "years", (0, 2019)),
    ("year:2019..", "years", (2019, 9999)),
])
def test_filters(text, field, value):
    q = Query.parse(text)
    assert getattr(q, field) == value
    assert q.has_filters and q.terms == []


def test_filters_combine_with_words_and_unknown_field_is_a_word():
    q = Query.parse("lottery tag:pruning nonfield:value")
    assert q.tags == ["pruning"]
    assert _terms(q) == [("lottery", ["lottery"], False, False, False),
                         ("nonfield:value", ["nonfield", "value"], True, False, False)]


@pytest.mark.parametrize("text", ["1803.03635", "arXiv:1803.03635v2", "https://arxiv.org/abs/1803.03635v2",
                                  "https://arxiv.org/pdf/1803.03635.pdf"])
def test_arxiv_ids_are_not_words(text):
    q = Query.parse(text)
    assert q.arxiv_ids == ["1803.03635"] and q.terms == []


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty query"),
    ("   ", "empty query"),
    ("the of and", "nothing to search for"),
    ("-lottery", "only excludes words"),
    ("-lottery -ticket", "only excludes words"),
    ("x" * (MAX_QUERY_CHARS + 1), f"query too long \\({MAX_QUERY_CHARS + 1} characters; the limit is {MAX_QUERY_CHARS}"),
    (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), f"too many words in the query \\({MAX_TERMS + 1};"),
    ("tag:", "tag: needs a value, e.g. tag:GAN"),
    ("lottery year:", "year: needs a value"),
    ("year:abc", "expected a year such as 2019"),
    ("year:20190", "expected a year"),
    ("author:!!!", "the value has no letters or digits"),
])
def test_bad_queries_raise_usage_error(text, message):
    with pytest.raises(UsageError, match=message):
        Query.parse(text)


def test_limits_are_inclusive():
    assert len(Query.parse("x" * MAX_QUERY_CHARS).terms) == 1
    assert len(Query.parse(" ".join(f"w{i}" for i in range(MAX_TERMS))).terms) == MAX_TERMS


def test_names_still_importable_from_search():
    assert (search_mod.Query, search_mod.Term, search_mod.MAX_TERMS, search_mod.MAX_QUERY_CHARS) == \
        (Query, Term, MAX_TERMS, MAX_QUERY_CHARS)
    assert (search_mod.snippet, search_mod.resolve) == (snippet, resolve)  # resolve is re-exported lazily
    assert set(search_mod.__all__) <= set(dir(search_mod)) | {"resolve"}


# ------------------------------------------------------------------------------------ snippets

FILLER = " ".join(f"filler{i}" for i in range(60))  # about 600 characters of non-matching words


def _check_spans(text: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    """The highlighted words, after checking the offsets are in range, sorted and disjoint."""
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        last = e
    return [text[s:e] for s, e in spans]


def test_snippet_is_cut_around_the_matched_words(make_library):
    body = f"{FILLER} the lottery tickets found here {FILLER}"
    lib = make_library([("Cut Test Paper", "Ann Lee", "2101.00001", body)])
    (r,) = [x for x in lib.all_reviews() if x.title == "Cut Test Paper"]
    q = Query.parse("lottery ticket")
    text, spans = snippet(r, q.positive, q.arxiv_ids)
    assert text.startswith("…") and text.endswith("…")
    assert len(text) <= SNIPPET_WIDTH + 2 + 20  # two ellipses, at most one word's slack at the end
    assert _check_spans(text, spans) == ["lottery", "tickets"]  # stems match: ticket ~ tickets
    # cut at word boundaries: the excerpt starts and ends where the body has a space
    inner = text[1:-1]
    at = r.body.index(inner)
    assert r.body[at - 1] == " " and r.body[at + len(inner)] == " "
    # the same excerpt is what a search shows
    (hit,) = [h for h in Searcher(lib.conn).search(q).hits if h.review.id == r.id]
    assert (hit.snippet, hit.highlights) == (text, spans)


def test_snippet_prefers_the_densest_cluster_and_honours_width(make_library):
    body = f"zebra {FILLER} zebra stripes zebra stripes {FILLER}"
    lib = make_library([("Dense Test", "Ann Lee", "2101.00002", body)])
    (r,) = [x for x in lib.all_reviews() if x.title == "Dense Test"]
    q = Query.parse("zebra stripes")
    text, spans = snippet(r, q.positive, [])
    assert [w.casefold() for w in _check_spans(text, spans)] == ["zebra", "stripes", "zebra", "stripes"]
    short, short_spans = snippet(r, q.positive, [], width=40)
    assert len(short) < len(text) and _check_spans(short, short_spans)[0] == "zebra"


def test_snippet_matches_inflections_accents_and_arxiv_ids(small):
    (r,) = [x for x in small.all_reviews() if "Jégou" in x.body and x.title == "Zebra Stripes Explained"]
    for query, want in (("лотерея", ["лотерейного"]),  # a long Cyrillic stem matches as a prefix
                        ("jegou", ["Jégou"]),  # accents folded in the body too
                        ("STRIPE", ["stripes"])):
        text, spans = snippet(r, Query.parse(query).positive, [])
        assert _check_spans(text, spans) == want, query
    text, spans = snippet(r, [], ["2001.00001"])
    assert _check_spans(text, spans) == ["2001.00001"]


def test_snippet_without_a_match_is_the_start_of_the_body(make_library):
    body = f"{FILLER} end"
    lib = make_library([("No Match Test", "Ann Lee", "2101.00003", body)])
    (r,) = [x for x in lib.all_reviews() if x.title == "No Match Test"]
    text, spans = snippet(r, Query.parse("zebra").positive, [])
    # cut at the last space that fits, never inside a word
    assert spans == () and text.endswith("…") and len(text) <= SNIPPET_WIDTH
    assert r.body.startswith(text[:-1]) and r.body[len(text) - 1] == " "
    assert snippet(r._replace(body="  \n "), Query.parse("zebra").positive, []) == ("", ())
    assert snippet(r._replace(body="short  body\ntext"), [], []) == ("short body text", ())


# ---------------------------------------------------------------------------------- resolution

@pytest.mark.parametrize("ident", ["2001.00001", "arXiv:2001.00001", "arxiv:2001.00001v3",
                                   "https://arxiv.org/abs/2001.00001v2", "https://arxiv.org/pdf/2001.00001",
                                   "  2001.00001  "])
def test_resolve_arxiv_forms_give_every_review_of_the_paper(small, ident):
    assert [r.id for r in resolve(small.conn, ident)] == _ids(small, ("Zebra Stripes Explained",))


@pytest.mark.parametrize("ident", ["hep-th/9901001", "arXiv:hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"])
def test_resolve_old_style_arxiv_ids(small, ident):
    assert [r.title for r in resolve(small.conn, ident)] == ["Old Style Paper"]


def test_resolve_record_id_and_prefix(small):
    (cafe,) = _ids(small, ("Café Zebra Models",))
    assert [r.id for r in resolve(small.conn, cafe)] == [cafe]
    assert [r.id for r in resolve(small.conn, cafe.upper())] == [cafe]
    found = resolve(small.conn, cafe[:4])
    assert cafe in [r.id for r in found] and all(r.id.startswith(cafe[:4]) for r in found)
    with pytest.raises(NotFound):  # three hex digits are not an id prefix (nor a title)
        resolve(small.conn, cafe[:3])


@pytest.mark.parametrize(("ident", "titles"), [
    ("Old Style", ["Old Style Paper"]),
    ("old STYLE pap", ["Old Style Paper"]),  # a fragment may stop mid-word
    ("cafe zebra", ["Café Zebra Models"]),  # accents do not matter
    ("zebra stripes", ["Zebra Stripes Explained", "Zebra Stripes Explained"]),  # two reviews of one paper
    ("Old Style Papr", ["Old Style Paper"]),  # one clear fuzzy match is shown outright
    ("Cafe Zebra Modls", ["Café Zebra Models"]),
])
def test_resolve_title_fragments(small, ident, titles):
    assert sorted(r.title for r in resolve(small.conn, ident)) == sorted(titles)


def test_resolve_fragment_of_several_papers_is_ambiguous(small):
    from reviews_cli.errors import Ambiguous

    with pytest.raises(Ambiguous) as e:
        resolve(small.conn, "zebra")
    assert sorted(title for _, title, _ in e.value.candidates) == ["Café Zebra Models", "Zebra Stripes Explained"]


def test_resolve_not_found_suggests_close_titles(small):
    with pytest.raises(NotFound) as e:
        resolve(small.conn, "Olde Stile Papr")
    assert e.value.suggestions[0] == "Old Style Paper" and len(e.value.suggestions) <= 3
    with pytest.raises(NotFound) as e:
        resolve(small.conn, "Zebra Modelz")  # close to several titles: no single answer
    assert "Café Zebra Models" in e.value.suggestions
    with pytest.raises(NotFound) as e:
        resolve(small.conn, "qqqqqq")
    assert e.value.suggestions == [] and e.value.query == "qqqqqq"
    with pytest.raises(NotFound):
        resolve(small.conn, "9999.99999")  # a well-formed arXiv id nobody reviewed
    with pytest.raises(UsageError):
        resolve(small.conn, "   ")


# ------------------------------------------------------------------------------ flat-IDF branch

def _zebra_library(make_library) -> Library:
    """36 records with "zebra" (more than half of the 67): 3 in the title, 33 in the body only;
    "savanna" in 2 of them, "herd" in 10 others (under half), "striped" in 4 body-only ones."""
    recs = []
    for i in range(36):
        title = f"Zebra Paper Number {i}" if i < 3 else f"Plain Paper Number {i}"
        authors = "Ann Lee" if i % 2 else "Carl Dee"
        arxiv = f"{1901 + (i % 2) * 100}.{i + 1:05d}"  # 19xx (2019) or 20xx (2020)
        body = f"Body {i}: a zebra walks." + (" savanna" if i in (20, 21) else "") + \
            (" herd" if i < 10 else "") + (" striped" if i in (10, 11, 12, 13) else "")
        recs.append((title, authors, arxiv, body))
    return make_library(recs)


def _rid(lib: Library, record_id: str) -> int:
    return lib.conn.execute("SELECT rid FROM records WHERE id = ?", (record_id,)).fetchone()[0]


def test_idf_is_flat_only_when_every_word_is_in_over_half_the_records(make_library, monkeypatch):
    lib = _zebra_library(make_library)
    s = Searcher(lib.conn)

    def flat(text: str) -> bool:
        return s._idf_is_flat(Query.parse(text).terms)

    assert not flat("zebra")  # the real threshold: a library this small is never "flat"
    monkeypatch.setattr(search_mod, "FLAT_IDF_MIN_RECORDS", 0)
    assert flat("zebra") and flat("zebra walks") and flat("zebra -striped")
    assert not flat("zebra savanna") and not flat("herd") and not flat("zebra herd")


def test_flat_idf_ranks_short_field_matches_by_bm25_then_newest_first(make_library, monkeypatch):
    lib = _zebra_library(make_library)
    everyone = {h.review.id for h in Searcher(lib.conn).search(Query.parse("zebra"), limit=100).hits}
    assert len(everyone) == 36  # the normal BM25 path finds them all

    monkeypatch.setattr(search_mod, "FLAT_IDF_MIN_RECORDS", 0)
    taken = []
    real = Searcher._idf_is_flat
    monkeypatch.setattr(Searcher, "_idf_is_flat", lambda self, terms: taken.append(real(self, terms)) or taken[-1])
    hits = Searcher(lib.conn).search(Query.parse("zebra"), limit=100).hits
    assert taken == [True]
    assert {h.review.id for h in hits} == everyone  # the same records, in another order
    assert sorted(h.review.title for h in hits[:3]) == [f"Zebra Paper Number {i}" for i in range(3)]
    assert all(h.score > search_mod.TITLE_QUERY_BONUS for h in hits[:3])
    rest = hits[3:]
    assert all(h.score == 0.0 for h in rest)
    rids = [_rid(lib, h.review.id) for h in rest]
    assert rids == sorted(rids, reverse=True)  # newest (last indexed) first


def test_flat_idf_keeps_exclusions_and_filters(make_library, monkeypatch):
    lib = _zebra_library(make_library)
    monkeypatch.setattr(search_mod, "FLAT_IDF_MIN_RECORDS", 0)
    s = Searcher(lib.conn)
    hits = s.search(Query.parse("zebra -striped"), limit=100).hits
    assert len(hits) == 32 and not any("striped" in h.review.body for h in hits)
    hits = s.search(Query.parse("zebra author:Lee"), limit=100).hits
    assert len(hits) == 18 and all("Ann Lee" in h.review.authors for h in hits)
    assert hits[0].review.title == "Zebra Paper Number 1"  # the one title match by Ann Lee leads
    hits = s.search(Query.parse("zebra year:2019"), limit=100).hits
    assert len(hits) == 18 and all(h.review.year == 2019 for h in hits)


# ---------------------------------------------------------------- the Query is never changed

def _state(q: Query) -> tuple:
    return (q.text, [(t.raw, list(t.words), t.phrase, t.prefix, t.negative) for t in q.terms],
            q.authors, q.reviewers, q.tags, q.sources, q.years, q.arxiv_ids)


@pytest.mark.parametrize(("text", "flat", "expect"), [
    ("Zebrra strped", False, {"Zebrra": "zebra", "strped": "striped"}),  # typo corrections
    ("zebrra savanna herd", False, {"zebrra": "zebra"}),  # corrected, then partial matches
    ('"О(sqrt(N))" zebra', False, {}),  # look-alike letters searched in both scripts
    ('"zebra walks" herd* -savana', False, {}),  # phrases, prefixes and exclusions are never corrected
    ("Zebar Stirpes", False, {}),  # nothing matches: fuzzy titles
    ("zebrra -striped author:Lee year:2019..2020 2001.00002", True, {"zebrra": "zebra"}),  # flat-IDF branch
])
def test_search_does_not_change_the_query(make_library, monkeypatch, text, flat, expect):
    lib = _zebra_library(make_library)
    if flat:
        monkeypatch.setattr(search_mod, "FLAT_IDF_MIN_RECORDS", 0)
    q = Query.parse(text)
    before, snapshot = repr(q), copy.deepcopy(q)
    term_objects = [(t, t.words) for t in q.terms]
    s = Searcher(lib.conn)
    first = s.search(q)
    assert repr(q) == before and _state(q) == _state(snapshot)
    assert len(q.terms) == len(term_objects)
    assert all(t is t0 and t.words is w0 for t, (t0, w0) in zip(q.terms, term_objects))  # not even in place
    assert first.corrections == expect and first.query is q
    # so a second search of the same Query is the same search, corrections included
    second = s.search(q)
    assert second.corrections == first.corrections and second.searched_for == first.searched_for
    assert [(h.review.id, h.score, h.snippet, h.highlights) for h in second.hits] == \
        [(h.review.id, h.score, h.snippet, h.highlights) for h in first.hits]
    assert (second.partial, second.fuzzy) == (first.partial, first.fuzzy)
    assert repr(q) == before


def test_corrected_words_drive_bonuses_and_snippets(make_library):
    lib = _zebra_library(make_library)
    r = Searcher(lib.conn).search(Query.parse("zebrra"), limit=3)
    assert r.corrections == {"zebrra": "zebra"} and r.searched_for == "zebra"
    assert r.hits[0].review.title.startswith("Zebra Paper")  # title bonus for the corrected word
    assert r.hits[0].score >= search_mod.TITLE_QUERY_BONUS
    assert [re.sub(r"\W", "", r.hits[0].snippet[s:e]).casefold() for s, e in r.hits[0].highlights] == ["zebra"]


def test_term_with_words_is_a_copy():
    t = Term("Zebrra", ["zebrra"], negative=False)
    t2 = t.with_words(["zebra"])
    assert (t2.raw, t2.words, t.words) == ("Zebrra", ["zebra"], ["zebrra"]) and t2 is not t


# ------------------------------------------------------------------------------------- imports

@pytest.mark.parametrize(("module", "absent"), [
    ("reviews_cli.search.query", ["reviews_cli.search.search", "reviews_cli.search.snippets", "reviews_cli.search.resolve", "sqlite3"]),
    ("reviews_cli.search.snippets", ["reviews_cli.search.search", "reviews_cli.cli", "click", "rich"]),
    ("reviews_cli.search.resolve", ["reviews_cli.search.search", "reviews_cli.cli", "click", "rich", "rapidfuzz"]),
    ("reviews_cli.search.search", ["reviews_cli.search.resolve", "reviews_cli.cli", "click", "rich", "rapidfuzz"]),
])
def test_imports_run_one_way_and_stay_light(module, absent):
    import subprocess
    import sys

    code = f"import sys, {module}; print([m for m in {absent!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
