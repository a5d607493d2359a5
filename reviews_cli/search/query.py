"""The query language: parsing ``reviews search`` input into a :class:`Query` of :class:`Term`.

Query language (also in ``reviews search --help``)::

    lottery ticket          words: all must match (stemmed, Russian and English); when no review
                            has all of them, the best partial matches are shown, and said so
    "winning tickets"       exact phrase (the words adjacent, in order)
    prun*                   prefix
    -pruning  -"a b"        exclude a word or a phrase
    author:Frankle          field filters: author:, tag:, reviewer:, source:, year:
    year:2019  year:2019..2020
    -tag:GAN  -year:2019    a ``-`` before a filter excludes what it matches (a query of
                            excluding filters alone lists every review they let through)
    1803.03635  https://arxiv.org/abs/1803.03635v2   an arXiv id or URL ranks that paper first
    #GAN                    a hashtag: searched as the word, the reviews carrying the tag first
    is:starred  is:read  is:unread  has:note     your own marks (``state``); -is:read = is:unread

User input never reaches FTS5 as syntax: every term is folded into index terms (letters and digits
only) here, and :mod:`reviews_cli.search.search` quotes them, so ``GPT-3``, ``C++``, ``O(sqrt(N))`` or a
lone ``"`` are ordinary searches. Bad input (an empty query, a query over the limits below, a
filter without a usable value, a query that only excludes) raises :class:`UsageError`.

This module knows nothing of SQL or ranking; :mod:`reviews_cli.search.search` runs a :class:`Query`
(without changing it) and :mod:`reviews_cli.search.snippets` and :mod:`reviews_cli.search.resolve` reuse the
small matching rules at the end of this file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import textnorm as tn
from ..errors import UsageError
from ..ids import canonical_tag, parse_arxiv_id

# Most characters in a query: a longer one is pasted text, not a search.
MAX_QUERY_CHARS = 2000
# Most words and phrases in a query: each becomes one FTS5 expression (and perhaps one count).
MAX_TERMS = 32
# Shortest Snowball stem matched as a prefix, for Cyrillic words only (see matches_as_prefix).
MIN_PREFIX_STEM = 5

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

    def with_words(self, words: list[str]) -> Term:
        """A copy of this term searching ``words`` instead (a typo correction)."""
        return Term(self.raw, words, phrase=self.phrase, prefix=self.prefix, negative=self.negative)


class Query:
    """A parsed query. Build with :meth:`parse`; raises :class:`UsageError` on bad input.
    Searching never changes it: corrections live in the :class:`~reviews_cli.search.search.SearchResult`."""

    __slots__ = ("arxiv_ids", "authors", "dates", "hashtags", "not_authors", "not_reviewers", "not_sources",
                 "not_tags", "not_years", "reviewers", "sources", "states", "tags", "terms", "text", "years")

    def __init__(self, text: str) -> None:
        self.text = text
        self.terms: list[Term] = []
        self.authors: list[list[str]] = []
        self.reviewers: list[list[str]] = []
        self.tags: list[str] = []
        self.sources: list[str] = []
        self.years: tuple[int, int] | None = None
        # excluded by ``-author:``, ``-reviewer:``, ``-tag:``, ``-source:``, ``-year:`` (same shapes)
        self.not_authors: list[list[str]] = []
        self.not_reviewers: list[list[str]] = []
        self.not_tags: list[str] = []
        self.not_sources: list[str] = []
        self.not_years: list[tuple[int, int]] = []
        self.arxiv_ids: list[str] = []
        # canonical tags of ``#tag`` words: ranked first, not a filter (``tag:`` filters)
        self.hashtags: list[str] = []
        # post-date bounds from --since/--until (search.dates.date_range), not from the text
        self.dates: tuple[str | None, str | None] = (None, None)
        # the user's marks asked for: (``starred``/``read``/``noted``, wanted), see ``state.FLAGS``
        self.states: list[tuple[str, bool]] = []

    def __repr__(self) -> str:
        return "Query(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__) + ")"

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negative]

    @property
    def has_filters(self) -> bool:
        return bool(self.authors or self.reviewers or self.tags or self.sources or self.years or any(self.dates)
                    or self.states or self.not_authors or self.not_reviewers or self.not_tags or self.not_sources
                    or self.not_years)

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
            if fname in ("is", "has"):
                q._add_state(fname, value, neg)
                continue
            if fname:
                q._add_filter(fname, value, neg)
                continue
            aid = arxiv_in(value) if not quoted else None
            if aid and not neg:
                q.arxiv_ids.append(aid)
                continue
            prefix = value.endswith("*") and not quoted
            ws = tn.words(value)
            if not ws:
                continue
            if not quoted and not neg and len(ws) == 1 and ws[0] in STOP_WORDS:
                continue
            if not quoted and not neg and value.startswith("#") and _HASHTAG.fullmatch(value):
                q.hashtags.append(canonical_tag(value))
            q.terms.append(Term(value, ws, phrase=quoted or len(ws) > 1, prefix=prefix, negative=neg))
        if len(q.terms) > MAX_TERMS:
            raise UsageError(f"too many words in the query ({len(q.terms)}; the limit is {MAX_TERMS})")
        if not q.positive and not q.arxiv_ids and not q.has_filters:
            if q.terms:
                raise UsageError("the query only excludes words: add a word or a filter to search for")
            raise UsageError("nothing to search for: the query has only punctuation or stop words")
        return q

    def _add_state(self, name: str, value: str, negative: bool) -> None:
        """``is:starred``, ``is:read``, ``is:unread``, ``has:note``; ``-`` negates."""
        flag = _STATES.get((name, value.strip().casefold()))
        if flag is None:
            known = ", ".join(f"{n}:{v}" for n, v in _STATES)
            raise UsageError(f"{name}:{value}: unknown mark (known: {known})")
        self.states.append((flag[0], flag[1] != negative))

    def _add_filter(self, name: str, value: str, negative: bool = False) -> None:
        """A ``name:value`` filter; ``negative`` (``-name:value``) excludes what it matches."""
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
            if negative:
                self.not_years.append((lo, hi))
            else:
                self.years = (lo, hi)
        elif name == "tag":
            (self.not_tags if negative else self.tags).append(canonical_tag(value))
        elif name == "source":
            (self.not_sources if negative else self.sources).append(value.casefold())
        else:
            ws = tn.words(value)
            if not ws:
                raise UsageError(f"{name}:{value}: the value has no letters or digits")
            if name == "author":
                (self.not_authors if negative else self.authors).append(ws)
            else:
                (self.not_reviewers if negative else self.reviewers).append(ws)


# A hashtag as channels write them: ``#GAN``, ``#representation_learning``, ``#обзор``.
_HASHTAG = re.compile(r"#\w+")

_EXAMPLES = {"author": "Frankle", "tag": "GAN", "year": "2019", "source": "habr", "reviewer": "Скоблов"}
# ``is:``/``has:`` values: the state flag and whether it is wanted.
_STATES = {("is", "starred"): ("starred", True), ("is", "read"): ("read", True), ("is", "unread"): ("read", False),
           ("has", "note"): ("noted", True)}
_FIELD_ALIASES = {"author": "author", "authors": "author", "автор": "author", "tag": "tag", "tags": "tag",
                  "тег": "tag", "year": "year", "год": "year", "source": "source", "reviewer": "reviewer",
                  "by": "reviewer", "is": "is", "has": "has"}


def _lex(text: str) -> Iterator[tuple[bool, str | None, str, bool]]:
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


# ------------------------------------------------------------------- matching rules (shared)

def arxiv_in(value: str) -> str | None:
    """The arXiv id ``value`` is, when it is one (``1803.03635``, ``arXiv:1803.03635v2``,
    ``hep-th/9901001``, an arxiv.org URL), else ``None``."""
    v = value.strip()
    # ASCII-only patterns (?a): arXiv ids are ASCII, and a case-blind [a-z] in Unicode mode
    # costs ~1 ms to compile (it takes in the Kelvin sign and the long s)
    if re.fullmatch(r"(?ai)(arxiv:)?\d{4}\.\d{4,5}(v\d+)?", v) or "arxiv.org/" in v.lower() \
            or re.fullmatch(r"(?ai)(arxiv:)?[a-z-]+(\.[a-z]{2})?/\d{7}(v\d+)?", v):
        return parse_arxiv_id(v)
    return None


def matches_as_prefix(stem: str) -> bool:
    """Whether a query word's ``stem`` also matches longer stems. Russian inflection changes the
    Snowball stem's end (лотерея -> лотере, лотерейного -> лотерейн), so long Cyrillic stems
    match as prefixes, in the index (:mod:`reviews_cli.search.search`) and in snippets alike."""
    return tn.is_cyrillic(stem) and len(stem) >= MIN_PREFIX_STEM
