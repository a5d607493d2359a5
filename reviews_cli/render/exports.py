"""``reviews export`` formats besides JSON and YAML (those are in :mod:`.machine`): CSV, BibTeX
and Markdown. Each writer takes an iterator and yields the output in pieces, one record (or one
paper) at a time, so an export's memory does not grow with the library. Dump text is untrusted:
control and bidi characters are written as visible escapes in every format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..models import Review
from ..safe_text import clean, clean_line

if TYPE_CHECKING:
    from .machine import StateOf

# the file extensions that choose an export format when --format is not given (the formats
# themselves are the CLI's --format choices, listed there so a start need not import this module)
EXTENSIONS = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv",
    ".bib": "bibtex", ".bibtex": "bibtex", ".md": "markdown", ".markdown": "markdown",
}


def format_for_path(path: str) -> str | None:
    """The export format a file name implies by its extension (``all.bib`` -> ``bibtex``),
    case-insensitively; ``None`` for an extension not in :data:`EXTENSIONS`."""
    import os

    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


# ----------------------------------------------------------------------------------------- CSV

# The fields of the JSON records, in their order, but for ``links``: every link's URL, and the
# code links again on their own; the date beside the year; the long body last.
CSV_HEADER = ("id", "title", "authors", "affiliations", "arxiv_id", "paper_url", "year", "date", "tags", "links",
              "code", "reviewer", "sources", "body")
# The user's marks, after CSV_HEADER when an export carries them (``state``), as in the JSON.
CSV_STATE = ("starred", "read", "note")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection); tab and CR
# are on OWASP's list too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else clean(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def _reviewer(r: Review) -> str:
    if not r.reviewer:
        return ""
    name, handle = r.reviewer.name, r.reviewer.handle
    handle = f"@{handle.lstrip('@')}" if handle else None
    return f"{name} ({handle})" if name and handle else name or handle or ""


def csv_rows(reviews: Iterable[Review], state: StateOf | None = None) -> Iterator[str]:
    """The records as CSV (RFC 4180, via the ``csv`` module): the header :data:`CSV_HEADER`, then
    one row per record. Lists are joined with ``"; "`` (authors, affiliations, tags, link URLs,
    code link URLs, the URLs of the posts the review was read from, or the dump paths where a
    post has no URL); the date is ISO 8601 as in JSON, the reviewer ``name (@handle)``. Guards
    against spreadsheet formula injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text.
    Control and bidi characters are written as ``\\xNN``/``\\uNNNN`` escapes. With ``state``,
    the user's marks follow (:data:`CSV_STATE`: ``true``/``false``, and the note)."""
    buf = io.StringIO()
    writer = csv.writer(buf)

    def row(values: Iterable[object]) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow([_cell(v) for v in values])
        return buf.getvalue()

    yield row(CSV_HEADER + (CSV_STATE if state else ()))
    for r in reviews:
        marks = state(r) if state else None
        yield row([
            r.id, r.title, "; ".join(r.authors), "; ".join(r.affiliations), r.arxiv_id, r.paper_url, r.year, r.date,
            "; ".join(r.tags), "; ".join(ln.url for ln in r.links),
            "; ".join(ln.url for ln in r.links if ln.role == "code"), _reviewer(r),
            "; ".join(dict.fromkeys(s.url or s.path for s in r.sources)), r.body,
        ] + ([str(marks.starred).lower(), str(marks.read).lower(), marks.note] if marks else []))


# -------------------------------------------------------------------------------------- BibTeX

@lru_cache(maxsize=1)
def _latex_encoder() -> Any:
    from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

    # BibTeX counts every brace, escaped or not, so \{ would unbalance a field: braces become
    # balanced text commands instead
    braces = UnicodeToLatexConversionRule(RULE_DICT, {ord("{"): r"{\textbraceleft}", ord("}"): r"{\textbraceright}"})
    return UnicodeToLatexEncoder(conversion_rules=[braces, "defaults"], unknown_char_policy="keep",
                                 unknown_char_warning=False)


def latex(text: str | None) -> str:
    """``text`` as LaTeX for a BibTeX field, by pylatexenc's ``latexencode``: the special
    characters ``# $ % & _ ~ ^ \\`` escaped, braces as ``{\\textbraceleft}``/
    ``{\\textbraceright}`` (so a field's braces always balance), accented letters as accent
    commands (``{\\"o}``), Cyrillic as the T2A macros (``{\\cyrp}``) that BibTeX and biber pass
    through and LaTeX with ``babel``'s ``russian`` prints; white space runs are one space and
    control or bidi characters visible escapes. Characters with no LaTeX form (emoji) stay."""
    return str(_latex_encoder().unicode_to_latex(clean_line(text)))


# URL characters that stay as they are; everything else is percent-encoded (braces, backslashes
# and spaces would break a field, non-ASCII a pdfTeX \url)
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def _url(url: str) -> str:
    return quote(clean_line(url), safe=_URL_SAFE)


def _bib_key(group: list[Review]) -> str:
    aid = group[0].arxiv_id
    if aid:
        return "arxiv-" + re.sub(r"[^A-Za-z0-9.]", "-", aid)
    return "review-" + re.sub(r"[^A-Za-z0-9]", "-", group[0].id)


def _author(name: str) -> str:
    text = latex(name)
    # " and " separates names in BibTeX: one inside a name (an organisation) is protected
    return "{" + text + "}" if re.search(r"\sand\s", text, re.I) else text


def bibtex_entry(group: list[Review], state: StateOf | None = None) -> str:
    """One ``@misc`` entry for a paper from its reviews (``group``: the records of one paper,
    the first one's title used). Key: ``arxiv-<id>`` (``/`` and other punctuation as ``-``),
    else ``review-<record id>``, so it is stable across runs and unique in an export. Fields:
    ``title`` (in an extra pair of braces, so a style keeps its capitals: GAN, BERT),
    ``author`` (joined by ``and``), ``year``, ``eprint`` + ``archivePrefix = {arXiv}`` for an
    arXiv paper, ``url`` (the arXiv page, else the paper's URL), ``keywords`` (the hashtags)
    and ``note`` with the URL of each post reviewing it (``\\url{...}``, or the dump's name
    where a post has no URL), after the user's note on the paper (``state``). Text goes
    through :func:`latex`."""
    first = group[0]
    authors = max((r.authors for r in group), key=len)
    year = next((r.year for r in group if r.year), None)
    aid = first.arxiv_id
    url = f"https://arxiv.org/abs/{aid}" if aid else next((r.paper_url for r in group if r.paper_url), None)
    tags = list(dict.fromkeys(t.lstrip("#") for r in group for t in r.tags))
    posts = list(dict.fromkeys(s.url or s.path.rsplit("/", 1)[-1] for r in group for s in r.sources))
    fields: list[tuple[str, str]] = [("title", "{" + latex(first.title) + "}")]
    if authors:
        fields.append(("author", " and ".join(_author(a) for a in authors)))
    if year:
        fields.append(("year", str(year)))
    if aid:
        fields += [("eprint", latex(aid)), ("archivePrefix", "arXiv")]
    if url:
        fields.append(("url", _url(url)))
    if tags:
        fields.append(("keywords", latex(", ".join(tags))))
    notes = list(dict.fromkeys(n for n in (state(r).note for r in group) if n)) if state else []
    if posts or notes:
        label = "Review" if len(posts) == 1 else "Reviews"
        shown = [r"\url{" + _url(p).replace("%", r"\%").replace("#", r"\#") + "}"
                 if p.lower().startswith(("https://", "http://")) else latex(p) for p in posts]
        said = [latex(n) for n in notes] + ([f"{label}: " + "; ".join(shown)] if posts else [])
        fields.append(("note", ". ".join(said)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{_bib_key(group)},\n{body}\n}}\n\n"


def bibtex_entries(groups: Iterable[list[Review]], state: StateOf | None = None) -> Iterator[str]:
    """A BibTeX file, one :func:`bibtex_entry` per paper (``groups``: the reviews of each
    paper, as ``Searcher.paper_groups`` yields them), ASCII but for emoji and the like."""
    for group in groups:
        if group:
            yield bibtex_entry(group, state)


# ------------------------------------------------------------------------------------ Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&$])")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]»”]", re.I)


def _md(text: str) -> str:
    """Inline Markdown for untrusted text: every Markdown (and HTML) character escaped, except
    in http(s) URLs, which become ``<autolinks>``."""
    out, pos = [], 0
    for m in _URL_IN_TEXT.finditer(text):
        out.append(_MD_SPECIAL.sub(r"\\\1", text[pos:m.start()]))
        out.append(_md_link(m.group(0)))
        pos = m.end()
    out.append(_MD_SPECIAL.sub(r"\\\1", text[pos:]))
    return "".join(out)


def _md_link(url: str) -> str:
    url = clean_line(url)
    if not url.lower().startswith(("https://", "http://")):  # no javascript: links
        return _MD_SPECIAL.sub(r"\\\1", url)
    return "<" + quote(url, safe=_URL_SAFE) + ">"


def _md_body(body: str) -> str:
    from .post_markdown import body_markdown

    return body_markdown(body, _md)


def markdown_section(r: Review, state: StateOf | None = None) -> str:
    """One record as a Markdown section: ``## title``, a list of its facts (authors, paper and
    code links, arXiv id, year, tags, reviewer, date, the posts it was read from, record id),
    then the body, then the user's note (``state``; its star and read mark are facts). Every
    link is kept (http(s) ones as ``<autolinks>``, bare URLs in the body too); every other
    Markdown or HTML character in dump text is escaped."""
    lines = [f"## {_md(clean_line(r.title)) or 'Untitled'}", ""]

    def fact(name: str, value: str) -> None:
        if value:
            lines.append(f"- **{name}:** {value}")

    fact("Authors", _md(clean_line(", ".join(r.authors))))
    fact("Affiliations", _md(clean_line("; ".join(r.affiliations))))
    papers = [r.paper_url] + [ln.url for ln in r.links if ln.role == "paper"]
    if r.arxiv_id:
        papers.append(f"https://arxiv.org/abs/{r.arxiv_id}")
    fact("Paper", " ".join(_md_link(u) for u in dict.fromkeys(u for u in papers if u)))
    fact("arXiv", _md(clean_line(r.arxiv_id)))
    fact("Code", " ".join(_md_link(ln.url) for ln in r.links if ln.role == "code"))
    fact("Links", " ".join(_md_link(ln.url) for ln in r.links if ln.role == "other"))
    fact("Year", str(r.year or ""))
    fact("Tags", _md(clean_line(" ".join("#" + t.lstrip("#") for t in r.tags))))
    fact("Reviewer", _md(clean_line(_reviewer(r))))
    fact("Date", _md(clean_line(r.date)))
    fact("Posts", " ".join(_md_link(s.url) if s.url else _md(clean_line(s.path)) for s in r.sources))
    fact("Id", f"`{clean_line(r.id).replace('`', '')}`")
    marks = state(r) if state else None
    if marks:
        fact("Starred", "yes" if marks.starred else "no")
        fact("Read", "yes" if marks.read else "no")
    body = _md_body(r.body)
    note = "\n\n**Note:**\n\n" + _md_body(marks.note) if marks and marks.note else ""
    return "\n".join(lines) + ("\n\n" + body if body else "") + note + "\n\n"


def markdown_sections(reviews: Iterable[Review], state: StateOf | None = None) -> Iterator[str]:
    """A Markdown document, one :func:`markdown_section` per record."""
    for r in reviews:
        yield markdown_section(r, state)
