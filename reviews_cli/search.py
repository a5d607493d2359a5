"""Query language and ranking over the library's FTS5 index.

Query language (also in ``reviews search --help``)::

    lottery ticket          words: all must match (stemmed, Russian and English); when no review
                            has all of them, the best partial matches are shown, and said so
    "winning tickets"       exact phrase (the words adjacent, in order)
    prun*                   prefix
    -pruning  -"a b"        exclude a word or a phrase
    author:Frankle          field filters: author:, tag:, reviewer:, source:, year:
    year:2019  year:2019..2020
    1803.03635  https://arxiv.org/abs/1803.03635v2   an arXiv id or URL ranks that paper first

User input never reaches FTS5 as syntax: every term is folded into index terms (letters and digits
only) and quoted, so ``GPT-3``, ``C++``, ``O(sqrt(N))`` or a lone ``"`` are ordinary searches.

Ranking: FTS5 BM25 with column weights (title 10, tags 6, authors 6, reviewer 4, extra 2, body 1),
plus bonuses for a phrase or the whole query found in the title, and for the arXiv id asked for.
A query word not in the index vocabulary is corrected against it with rapidfuzz (edit distance 1
for words of 5–7 letters, 2 for longer ones); when nothing matches at all, titles are
fuzzy-matched instead.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import NamedTuple

from . import textnorm as tn
from .errors import UsageError
from .fields import BM25_WEIGHTS as WEIGHTS
from .ids import canonical_tag, parse_arxiv_id
from .models import Review

MAX_QUERY_CHARS = 2000
MAX_TERMS = 32
CANDIDATES = 300

STOP_WORDS = frozenset("""
a an and are as at be by for from has have in is it its of on or that the this to was were with
about into over than then there these those which who why how what when where can do does not
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
всю между это
""".split())


class Term:
    """One positive or negative query term: ``words`` (folded, unstemmed), ``phrase`` when the
    words must be adjacent, ``prefix`` for ``word*``."""

    __slots__ = ("negative", "phrase", "prefix", "raw", "words")

    # plain classes, not dataclasses: importing and generating dataclasses costs ~1.5 ms of
    # every search's start
    def __init__(self, raw: str, words: list[str], phrase: bool = False, prefix: bool = False,
                 negative: bool = False) -> None:
        self.raw, self.words, self.phrase, self.prefix, self.negative = raw, words, phrase, prefix, negative

    def __repr__(self) -> str:
        return (f"Term({self.raw!r}, {self.words!r}, phrase={self.phrase}, prefix={self.prefix}, "
                f"negative={self.negative})")


class Query:
    """A parsed query. Build with :meth:`parse`; raises :class:`UsageError` on bad input."""

    __slots__ = ("arxiv_ids", "authors", "reviewers", "sources", "tags", "terms", "text", "years")

    def __init__(self, text: str) -> None:
        self.text = text
        self.terms: list[Term] = []
        self.authors: list[list[str]] = []
        self.reviewers: list[list[str]] = []
        self.tags: list[str] = []
        self.sources: list[str] = []
        self.years: tuple[int, int] | None = None
        self.arxiv_ids: list[str] = []

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negative]

    @property
    def has_filters(self) -> bool:
        return bool(self.authors or self.reviewers or self.tags or self.sources or self.years)

    @classmethod
    def parse(cls, text: str) -> Query:
        """Parse the query language described in the module docstring."""
        text = text.strip()
        if not text:
            raise UsageError("empty query: give a word, a \"phrase\", an arXiv id or a filter such as tag:GAN")
        if len(text) > MAX_QUERY_CHARS:
            raise UsageError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
        q = cls(text=text)
        for neg, fname, value, quoted in _lex(text):
            if fname:
                q._add_filter(fname, value)
                continue
            aid = _arxiv_in(value) if not quoted else None
            if aid and not neg:
                q.arxiv_ids.append(aid)
                continue
            prefix = value.endswith("*") and not quoted
            ws = tn.words(value)
            if not ws:
                continue
            if not quoted and not neg and len(ws) == 1 and ws[0] in STOP_WORDS:
                continue
            q.terms.append(Term(value, ws, phrase=quoted or len(ws) > 1, prefix=prefix, negative=neg))
        if len(q.terms) > MAX_TERMS:
            raise UsageError(f"too many words in the query ({len(q.terms)}; the limit is {MAX_TERMS})")
        if not q.positive and not q.arxiv_ids and not q.has_filters:
            if q.terms:
                raise UsageError("the query only excludes words: add a word or a filter to search for")
            raise UsageError("nothing to search for: the query has only punctuation or stop words")
        return q

    def _add_filter(self, name: str, value: str) -> None:
        if not value.strip():
            raise UsageError(f"{name}: needs a value, e.g. {name}:{_EXAMPLES[name]}")
        if name == "year":
            m = re.fullmatch(r"\s*(\d{4})\s*(?:\.\.\s*(\d{4})?\s*)?", value) or \
                re.fullmatch(r"\s*\.\.\s*(\d{4})\s*()", value)
            if not m:
                raise UsageError(f"year:{value}: expected a year such as 2019 or a range 2019..2020")
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else (lo if ".." not in value else 9999)
            if value.strip().startswith(".."):
                lo, hi = 0, lo
            if lo > hi:
                lo, hi = hi, lo
            self.years = (lo, hi)
        elif name == "tag":
            self.tags.append(canonical_tag(value))
        elif name == "source":
            self.sources.append(value.casefold())
        else:
            ws = tn.words(value)
            if not ws:
                raise UsageError(f"{name}:{value}: the value has no letters or digits")
            (self.authors if name == "author" else self.reviewers).append(ws)


_EXAMPLES = {"author": "Frankle", "tag": "GAN", "year": "2019", "source": "habr", "reviewer": "Скоблов"}
_FIELD_ALIASES = {"author": "author", "authors": "author", "автор": "author", "tag": "tag", "tags": "tag",
                  "тег": "tag", "year": "year", "год": "year", "source": "source", "reviewer": "reviewer",
                  "by": "reviewer"}


def _lex(text: str):
    """Yield ``(negative, field, value, quoted)`` for each query item. Unbalanced quotes run to
    the end of the query; a lone quote is ignored."""
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        neg = False
        if text[i] == "-" and i + 1 < n and not text[i + 1].isspace():
            neg, i = True, i + 1
        fname = None
        m = re.match(r"([^\W\d_]+):", text[i:])
        if m and m.group(1).casefold() in _FIELD_ALIASES:
            fname = _FIELD_ALIASES[m.group(1).casefold()]
            i += m.end()
        if i < n and text[i] in "\"“«„":
            close = {"\"": "\"", "“": "”", "«": "»", "„": "“"}[text[i]]
            j = text.find(close, i + 1)
            if j < 0 and close != "\"":
                j = text.find("\"", i + 1)
            j = n if j < 0 else j
            yield neg, fname, text[i + 1:j], True
            i = j + 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        yield neg, fname, text[i:j], False
        i = j


def _arxiv_in(value: str) -> str | None:
    v = value.strip()
    if re.fullmatch(r"(?i)(arxiv:)?\d{4}\.\d{4,5}(v\d+)?", v) or "arxiv.org/" in v.lower() \
            or re.fullmatch(r"(?i)(arxiv:)?[a-z-]+(\.[a-z]{2})?/\d{7}(v\d+)?", v):
        return parse_arxiv_id(v)
    return None


# ---------------------------------------------------------------------------------- results


class Hit(NamedTuple):
    """One ranked result: the record, its ``score`` (higher is better), a one-line ``snippet`` of
    the body around the matched words, and ``highlights``: ``(start, end)`` offsets into it."""

    review: Review
    score: float
    snippet: str = ""
    highlights: tuple[tuple[int, int], ...] = ()


class SearchResult:
    """Hits for a query. ``corrections`` maps a query word to the vocabulary word searched
    instead; ``partial`` is set when no record had every word and the best partial matches are
    shown; ``fuzzy`` when nothing matched and titles were fuzzy-matched instead."""

    __slots__ = ("corrections", "fuzzy", "hits", "partial", "query")

    def __init__(self, query: Query, hits: list[Hit]) -> None:
        self.query, self.hits = query, hits
        self.corrections: dict[str, str] = {}
        self.partial = False
        self.fuzzy = False

    @property
    def searched_for(self) -> str:
        """The query as searched, corrections applied (``lottery ticket`` for ``lotery tiket``)."""
        out = self.query.text
        for wrong, right in self.corrections.items():
            out = re.sub(rf"(?i)(?<!\w){re.escape(wrong)}(?!\w)", right, out)
        return out


# ------------------------------------------------------------------------------- FTS building

def _q(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _prefix_ok(stem: str) -> bool:
    # Russian inflection changes the Snowball stem's end (лотерея -> лотере, лотерейного ->
    # лотерейн), so long Cyrillic stems match as prefixes.
    return tn.is_cyrillic(stem) and len(stem) >= 5


def _term_expr(t: Term, columns: str | None = None) -> str:
    variants = tn.lookalike_variants(t.words) if t.phrase else [t.words]
    exprs = [_one_term_expr(t, ws) for ws in variants]
    expr = exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")"
    return f"{{{columns}}} : ({expr})" if columns else expr


def _one_term_expr(t: Term, ws: list[str]) -> str:
    stems = tn.stems(ws)
    if t.phrase:
        return _q(" ".join(stems)) + ("*" if t.prefix else "")
    s = stems[0]
    if t.prefix:
        expr = _q(ws[0]) + "*"
        return f"({expr} OR {_q(s)}*)" if s != ws[0] else expr
    expr = _q(s) + "*" if _prefix_ok(s) else _q(s)
    return f"({expr} OR {_q(tn.tag_token(ws[0]))})"


def _arxiv_expr(aid: str) -> str:
    parts = re.split(r"[./]", aid)
    return f"({_q(tn.arxiv_token(aid))} OR {_q(' '.join(tn.words(' '.join(parts))))})"


class Searcher:
    """Runs queries against an open library connection (``Library.conn``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # vocabulary --------------------------------------------------------------------------

    def _known(self, word: str) -> bool:
        s = tn.stem(word)
        if _prefix_ok(s):
            row = self.conn.execute("SELECT 1 FROM vocab WHERE stem >= ? AND stem < ? LIMIT 1",
                                    (s, s + "\U0010ffff")).fetchone()
        else:
            row = self.conn.execute("SELECT 1 FROM vocab WHERE stem = ? LIMIT 1", (s,)).fetchone() or \
                self.conn.execute("SELECT 1 FROM vocab WHERE word = ? LIMIT 1", (word,)).fetchone()
        return row is not None

    def correct(self, word: str) -> str | None:
        """The closest vocabulary word to an unknown ``word`` within the length-aware edit limit
        (none under 5 letters, 1 up to 7, 2 beyond), most frequent on ties; else ``None``."""
        n = len(word)
        if n < 5 or word.isdigit():
            return None
        limit = 1 if n <= 7 else 2
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        rows = self.conn.execute(
            "SELECT word, n FROM vocab WHERE length(word) BETWEEN ? AND ?", (n - limit, n + limit)).fetchall()
        if not rows:
            return None
        freq = dict(rows)
        found = process.extract(word, list(freq), scorer=Levenshtein.distance, score_cutoff=limit, limit=20)
        if not found:
            return None
        best = min(found, key=lambda x: (x[1], -freq[x[0]], x[0]))
        return best[0]

    # running -----------------------------------------------------------------------------

    def _filters_sql(self, q: Query) -> tuple[str, list]:
        where: list[str] = []
        args: list[object] = []
        for tag in q.tags:
            where.append("r.rid IN (SELECT rid FROM review_tags WHERE tag = ?)")
            args.append(tag)
        if q.years:
            where.append("r.year BETWEEN ? AND ?")
            args += list(q.years)
        for s in q.sources:
            where.append("instr(lower(r.src), ?) > 0")
            args.append(s)
        return (" AND ".join(where), args)

    def _match_parts(self, q: Query, terms: list[Term], mode: str) -> list[str]:
        pos = [_term_expr(t) for t in terms if not t.negative]
        parts = []
        if pos:
            parts.append("(" + (" AND " if mode == "all" else " OR ").join(pos) + ")")
        for a in q.authors:
            parts.append(_term_expr(Term(" ".join(a), a, phrase=len(a) > 1), "authors"))
        for a in q.reviewers:
            parts.append(_term_expr(Term(" ".join(a), a, phrase=len(a) > 1), "reviewer"))
        return parts

    def _idf_is_flat(self, terms: list[Term]) -> bool:
        """Whether every positive term matches more than half the records (where FTS5's BM25
        gives all of them the same near-zero IDF). Costs one count per term, ~4 ms at worst."""
        pos = [t for t in terms if not t.negative]
        if not pos:
            return False
        n = self.conn.execute("SELECT max(rid) FROM reviews").fetchone()[0] or 0
        if n < 2000:
            return False  # small libraries: scoring everything is cheap anyway
        for t in pos:
            (df,) = self.conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (_term_expr(t),)).fetchone()
            if df * 2 <= n:
                return False
        return True

    def _run(self, q: Query, terms: list[Term], mode: str) -> list[tuple[int, float]]:
        parts = self._match_parts(q, terms, mode)
        negs = [_term_expr(t) for t in terms if t.negative]
        fsql, fargs = self._filters_sql(q)
        if q.arxiv_ids and mode == "all" and not parts:
            parts.append("(" + " OR ".join(_arxiv_expr(a) for a in q.arxiv_ids) + ")")
        if parts:
            match = " AND ".join(parts)
            if negs:
                match = f"{match} NOT ({' OR '.join(negs)})"
            join = "JOIN reviews r ON r.rid = f.rowid " if fsql else ""
            where = f" AND {fsql}" if fsql else ""
            bm25 = f"bm25(fts, {', '.join(map(str, WEIGHTS))})"
            if mode == "all" and self._idf_is_flat(terms):
                # Every word is in over half the records: FTS5 clamps their IDF to 1e-6, so BM25
                # cannot order the body matches and scoring them all is wasted work. Rank the
                # records with the words in their title, authors, tags, reviewer or ids by BM25,
                # then the rest newest first.
                head = " AND ".join(f"{{title authors tags reviewer extra}} : ({_term_expr(t)})"
                                    for t in terms if not t.negative)
                head_match = " AND ".join([head, *parts[1:]]) + (f" NOT ({' OR '.join(negs)})" if negs else "")
                top = [(rid, -sc) for rid, sc in self.conn.execute(
                    f"SELECT f.rowid, {bm25} AS s FROM fts f {join}WHERE fts MATCH ?{where} ORDER BY s LIMIT ?",
                    [head_match, *fargs, CANDIDATES])]
                seen = {rid for rid, _ in top}
                rest = self.conn.execute(
                    f"SELECT f.rowid FROM fts f {join}WHERE fts MATCH ?{where} ORDER BY f.rowid DESC LIMIT ?",
                    [match, *fargs, CANDIDATES + len(top)])
                return top + [(rid, 0.0) for (rid,) in rest if rid not in seen][:CANDIDATES - len(top)]
            sql = f"SELECT f.rowid, {bm25} AS s FROM fts f {join}WHERE fts MATCH ?{where} ORDER BY s LIMIT ?"
            return [(rid, -sc) for rid, sc in self.conn.execute(sql, [match, *fargs, CANDIDATES])]
        # filters only (and perhaps exclusions): every record that passes, newest first
        sql = "SELECT r.rid, 0.0 FROM reviews r" + (f" WHERE {fsql}" if fsql else "")
        if negs:
            sql += (" AND " if fsql else " WHERE ") + "r.rid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
            fargs = [*fargs, " OR ".join(negs)]
        sql += " ORDER BY coalesce(r.date, r.year) DESC, r.rid LIMIT ?"
        return list(self.conn.execute(sql, [*fargs, CANDIDATES]))

    def search(self, q: Query, limit: int = 10, sort: str = "relevance") -> SearchResult:
        """Rank records for ``q``; see the module docstring for the steps. ``sort`` is
        ``relevance``, ``date`` (newest first) or ``title``."""
        if limit < 1:
            raise UsageError("--limit must be at least 1")
        if sort not in ("relevance", "date", "title"):
            raise UsageError(f"unknown sort {sort!r}: use relevance, date or title")
        result = SearchResult(query=q, hits=[])
        terms = list(q.terms)
        for t in terms:
            if t.negative or t.phrase or t.prefix:
                continue
            w = t.words[0]
            if not self._known(w):
                fixed = self.correct(w)
                if fixed and fixed != w:
                    result.corrections[t.raw] = fixed
                    t.words = [fixed]
        scored = self._run(q, terms, "all")
        if not scored and len([t for t in terms if not t.negative]) > 1:
            scored = self._run(q, terms, "any")
            result.partial = bool(scored)
        arxiv_rids = set()
        if q.arxiv_ids:
            marks = ",".join("?" * len(q.arxiv_ids))
            arxiv_rids = {rid for (rid,) in self.conn.execute(
                f"SELECT rid FROM reviews WHERE arxiv_id IN ({marks})", q.arxiv_ids)}
            have = {rid for rid, _ in scored}
            fsql, fargs = self._filters_sql(q)
            for rid in arxiv_rids - have:
                if not fsql or self.conn.execute(
                        f"SELECT 1 FROM reviews r WHERE r.rid = ? AND {fsql}", [rid, *fargs]).fetchone():
                    scored.append((rid, 0.0))
        if not scored and q.positive and not q.has_filters:
            return self._fuzzy_titles(q, limit, result)
        # rank on the cheap columns, then decode only the records that are shown
        meta = {}
        rids = [rid for rid, _ in scored]
        for i in range(0, len(rids), 500):
            chunk = rids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for rid, title, date, year in self.conn.execute(
                    f"SELECT rid, title, date, year FROM reviews WHERE rid IN ({marks})", chunk):
                meta[rid] = (title, date or str(year or ""))
        ranked = []
        phrase_text = " ".join(w for t in q.positive for w in t.words)
        for rid, score in scored:
            if rid not in meta:
                continue
            title_words = " ".join(tn.words(meta[rid][0]))
            bonus = 0.0
            if phrase_text and f" {phrase_text} " in f" {title_words} ":
                bonus += 25.0 if phrase_text == title_words else 10.0
            for t in q.positive:
                if t.phrase and f" {' '.join(t.words)} " in f" {title_words} ":
                    bonus += 5.0
            if rid in arxiv_rids:
                bonus += 1000.0
            ranked.append((rid, round(score + bonus, 4)))
        if sort == "relevance":
            ranked.sort(key=lambda x: -x[1])
        elif sort == "date":
            ranked.sort(key=lambda x: meta[x[0]][1], reverse=True)
        else:
            ranked.sort(key=lambda x: meta[x[0]][0].casefold())
        shown = ranked[:limit]
        records = self._load([rid for rid, _ in shown])
        result.hits = [Hit(records[rid], score, *snippet(records[rid], q.positive, q.arxiv_ids))
                       for rid, score in shown if rid in records]
        return result

    def _load(self, rids: list[int]) -> dict[int, Review]:
        out = {}
        for i in range(0, len(rids), 500):
            chunk = rids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for rid, js in self.conn.execute(f"SELECT rid, json FROM records WHERE rid IN ({marks})", chunk):
                out[rid] = Review.from_dict(json.loads(js))
        return out

    def _fuzzy_titles(self, q: Query, limit: int, result: SearchResult) -> SearchResult:
        """Nothing matched: rank titles by rapidfuzz WRatio against the query words."""
        from rapidfuzz import fuzz, process

        text = " ".join(w for t in q.positive for w in t.words)
        titles = {rid: " ".join(tn.words(t)) for rid, t in self.conn.execute("SELECT rid, title FROM reviews")}
        found = process.extract(text, titles, scorer=fuzz.WRatio, score_cutoff=70, limit=limit)
        records = self._load([rid for _, _, rid in found])
        result.hits = [Hit(records[rid], round(score, 2), *snippet(records[rid], [], []))
                       for _, score, rid in found if rid in records]
        result.fuzzy = bool(result.hits)
        return result

    # tags ---------------------------------------------------------------------------------

    def by_tags(self, tags: list[str], any_: bool = False, limit: int | None = None) -> list[Review]:
        """Records carrying all ``tags`` (or any, with ``any_``), newest first. Tags compare as
        :func:`canonical_tag` does: ``#GAN`` = ``GAN`` = ``gan``."""
        keys = sorted({canonical_tag(t) for t in tags if canonical_tag(t)})
        if not keys:
            raise UsageError("give a tag, e.g. reviews tag GAN")
        marks = ",".join("?" * len(keys))
        having = "" if any_ else f" HAVING count(DISTINCT tag) = {len(keys)}"
        sql = (f"SELECT r.json FROM records r WHERE r.rid IN (SELECT rid FROM review_tags WHERE tag IN ({marks})"
               f" GROUP BY rid{having}) ORDER BY coalesce(r.date, r.year) DESC, r.rid")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Review.from_dict(json.loads(js)) for (js,) in self.conn.execute(sql, keys)]


# ------------------------------------------------------------------------------------ snippets

_TOKEN = re.compile(r"[^\W_]+")


# a token that folding may change: accents, other scripts, or Latin and Cyrillic mixed
_ODD = re.compile(r"[^\x00-\x7f\u0400-\u04ff]|[a-z].*[\u0400-\u04ff]|[\u0400-\u04ff].*[a-z]")


def snippet(r: Review, terms: list[Term], arxiv_ids: list[str],
            width: int = 140) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line excerpt of the body (about ``width`` characters) around the densest cluster of
    query words, with ``(start, end)`` offsets of the matched words in it."""
    body = " ".join(r.body.split())
    if not body:
        return "", ()
    want_stems = set()
    for t in terms:
        for s in tn.stems(t.words):
            want_stems.add(s)
    prefixes = tuple(s for s in want_stems if _prefix_ok(s))
    # cheap filter before folding and stemming a word: its first two letters must fit a stem
    heads = {s[:2] for s in want_stems}
    matches = []
    for m in _TOKEN.finditer(body[:50_000]):
        low = m.group(0).lower().replace("ё", "е")
        if low[:2] not in heads and (low.isascii() or not _ODD.search(low)):
            continue
        tok = m.group(0)
        ws = tn.words(tok)
        if not ws:
            continue
        st = tn.stem(ws[0])
        if st in want_stems or (prefixes and st.startswith(prefixes)):
            matches.append((m.start(), m.end()))
    for aid in arxiv_ids:
        for m in re.finditer(re.escape(aid), body):
            matches.append((m.start(), m.end()))
    matches.sort()
    if not matches:
        cut = body[:width]
        return (cut + "…" if len(body) > width else cut), ()
    best, best_n = 0, 0
    for i, (start, _) in enumerate(matches):
        n = sum(1 for s2, _ in matches[i:] if s2 < start + width)
        if n > best_n:
            best, best_n = i, n
    start = max(0, matches[best][0] - 30)
    if start > 0:
        sp = body.rfind(" ", 0, start)
        start = sp + 1 if sp >= 0 and start - sp < 20 else start
    end = min(len(body), start + width)
    if end < len(body):
        sp = body.find(" ", end)
        end = sp if 0 <= sp - end < 20 else end
    text = body[start:end]
    prefix = "…" if start > 0 else ""
    spans = [(s - start + len(prefix), e - start + len(prefix)) for s, e in matches if s >= start and e <= end]
    return prefix + text + ("…" if end < len(body) else ""), tuple(spans)


# ------------------------------------------------------------------------------------ lookup

def resolve(conn: sqlite3.Connection, ident: str) -> list[Review]:
    """The records ``reviews show`` means by ``ident``, tried in this order: an arXiv id or URL
    (``1803.03635``, ``arXiv:1803.03635``, ``https://arxiv.org/abs/1803.03635v2``: every review
    of that paper), a record id or a prefix of one (at least 4 hex digits), a title fragment
    (case- and accent-insensitive), then the best full-text match of the title.

    Raises :class:`~reviews_cli.errors.NotFound` with up to three close titles as suggestions.
    """
    from .errors import NotFound

    ident = ident.strip()
    if not ident:
        raise UsageError("give an arXiv id, a record id or a title fragment")
    load = lambda sql, args: [Review.from_dict(json.loads(js)) for (js,) in conn.execute(sql, args)]  # noqa: E731
    aid = _arxiv_in(ident) or (parse_arxiv_id(ident) if re.fullmatch(r"\S+", ident) and "/" not in ident else None)
    if aid:
        found = load("SELECT json FROM records WHERE arxiv_id = ? ORDER BY rid", (aid,))
        if found:
            return found
    low = ident.lower()
    if re.fullmatch(r"[0-9a-f]{4,8}\d*", low):
        found = load("SELECT json FROM records WHERE id >= ? AND id < ? ORDER BY id", (low, low + "g"))
        if found:
            return found
    want = " ".join(tn.words(ident))
    if want:
        titles = list(conn.execute("SELECT rid, title FROM reviews"))
        # a fragment may stop mid-word: "BioBERT: a pre-train"
        rids = [rid for rid, t in titles if f" {want}" in f" {' '.join(tn.words(t))} "]
        if rids:
            marks = ",".join("?" * len(rids))
            return load(f"SELECT json FROM records WHERE rid IN ({marks}) ORDER BY rid", rids)
        from rapidfuzz import fuzz, process

        choices = {rid: " ".join(tn.words(t)) for rid, t in titles}
        best = process.extract(want, choices, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
        by_rid = dict(titles)
        if best and best[0][1] >= 90 and (len(best) == 1 or best[1][1] < best[0][1] - 5):
            return load("SELECT json FROM records WHERE rid = ?", (best[0][2],))
        raise NotFound(ident, [by_rid[rid] for _, _, rid in best])
    raise NotFound(ident, [])
