"""Titles: where a title is named in prose, and the title cleaned of its wrappers."""

from __future__ import annotations

import re

from ... import extract as ex
from ..post import HiddenLink
from .lines import _LABEL_WORDS, _news_headline, _titled_shape, paper_title_like, strip_bullet, title_like

# -------------------------------------------------------------------------------- titles

_SENTENCE_TITLE = re.compile(
    r"(?:стать[яюи]|работ[ау]|paper|разбираем|разберём|разберем|читаем|обзор|review(?:ing)?|препринт|"
    r"preprint|entitled|titled|называется|под названием)\s*[:—–-]?\s*[«\"“]?(?P<t>[A-Z0-9][^\n«»\"“”]{6,}?)[»\"”]?"
    r"(?=\s*(?:$|[.()\[\]—–;]|\s-\s|\s(?:от|by|from|из)\s))",
    re.MULTILINE,
)
_QUOTED_TITLE = re.compile(r"[«\"“](?P<t>[A-Z][^«»\"“”\n]{8,200})[»\"”]")
_DASH_TITLE = re.compile(r"^(?P<t>[A-Z0-9][^\n—–]{6,200}?)\s+[—–-]\s+\S")


def _title_in_prose(text: str) -> str | None:
    """A paper title named inside a sentence: ``Свежая статья <Title>``, ``Сегодня разбираем
    <Title>``, ``«<Title>»``, or ``<Title> — …`` at the start of the post."""
    for rx in (_DASH_TITLE, _SENTENCE_TITLE, _QUOTED_TITLE):
        for m in rx.finditer(text):
            t = m.group("t").strip(" .,:;-–—")
            # a quoted phrase ("I don't know") is a title only when it is shaped like one; a
            # headline before a dash ("Google представила X — …") is news, not a paper
            if paper_title_like(t) and not ex.find_urls(t) and not _news_headline(t) \
                    and (rx is not _QUOTED_TITLE or _titled_shape(t)):
                return t
    return None



def _link_text_title(hl: HiddenLink) -> str | None:
    label = hl.label.strip(" «»\"[]()")
    if len(label.split()) >= 2 and not _LABEL_WORDS.match(label) and title_like(label):
        return label
    return None



_TITLE_PREFIX = re.compile(
    r"^(?:Paper\s+review|Review|Обзор(?:\s+статьи)?|Разбор(?:\s+статьи)?|Статья|Paper|TL;DR)\s*[:—–-]\s+(?=\S)",
    re.IGNORECASE)


_TITLE_TAIL = re.compile(r"\s*(?:[\[(](?:\d{1,2}\s*/\s*\d{1,2}|(?:19|20)\d\d|часть\s*\d+|part\s*\d+)[\])])\s*$", re.I)
_RU_SUBTITLE = re.compile(r"^(?P<t>[^\u0400-\u04ff]{8,}?)\s+[-—–]\s+(?=[^\n]*[\u0400-\u04ff])[^A-Za-z]*$")


def clean_title(line: str) -> str:
    """A title line without its bullet or numbering, a ``Paper Review:`` / ``Разбор статьи:``
    prefix, a part or year marker (``[2/2]``, ``[2023]``) or a Russian subtitle after a dash
    (``LlamaRec: … [2023] - о том, как …``)."""
    t = strip_bullet(line)
    t2 = _TITLE_PREFIX.sub("", t)
    t = t2 if len(t2) >= 3 else t
    if (m := _RU_SUBTITLE.match(t)) and paper_title_like(m.group("t")):
        t = m.group("t")
    for _ in range(2):
        t = _TITLE_TAIL.sub("", t)
    return t.strip()



_TITLE_BEFORE_LINK = re.compile(
    r"(?P<t>(?:[A-Z0-9][\w\-’'.&+]*|of|for|with|and|the|a|an|in|on|to|via|from|by|is|are|at|as|or|vs\.?)"
    r"(?:[ :]+(?:[A-Z0-9][\w\-’'.&+]*|of|for|with|and|the|a|an|in|on|to|via|from|by|is|are|at|as|or|vs\.?|[—–-]))+)"
    r"\s*[(\[]\s*(?P<u>https?://\S+?)\s*[)\]]")


def _title_before_link(lines: list[str], url: str) -> str | None:
    """``<Title> (<url>)`` written in a sentence: the title-cased words right before the link."""
    for ln in lines:
        pos = ln.find(url)
        if pos < 0:
            continue
        # only the stretch right before the link: a long capitalized run would make the scan quadratic
        for m in _TITLE_BEFORE_LINK.finditer(ln[max(0, pos - 300):pos + len(url) + 2]):
            if m.group("u").rstrip(").,") != url.rstrip(").,"):
                continue
            words = m.group("t").split()
            while words and not words[0][:1].isupper():
                words.pop(0)  # start at a capitalized word
            t = " ".join(words).strip(" :—–-")
            if len(words) >= 2 and paper_title_like(t) and _titled_shape(t):
                return t
    return None



_LEADING_TITLE = re.compile(r"^(?P<t>[A-Z][^\u0400-\u04ff]{10,200}?)\s+(?=[А-ЯЁ][а-яё])")


def _leading_title(line: str) -> str | None:
    """A Latin paper title run into the first Russian sentence on the same line."""
    m = _LEADING_TITLE.match(line.strip())
    if m and len(m.group("t").split()) >= 3 and paper_title_like(m.group("t")) and _titled_shape(m.group("t")):
        return m.group("t").strip(" .:—–-")
    return None


def _first_sentence(line: str, limit: int = 120) -> str:
    """The first sentence of ``line``, cut at a word within ``limit`` characters: the title of a
    post that links a paper (not on arXiv) but names it nowhere."""
    s = re.split(r"(?<=[.!?…])\s", line.strip(), maxsplit=1)[0].rstrip(".")
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0] + "…"
    return s


def _sentence_goes_on(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is a sentence the copy broke (at a link): the next line goes on in
    lower case, maybe after the URL (``… на английском языке`` / ``https://… , содержат …``)."""
    nxt = next((ln.strip() for ln in lines[i + 1:] if ln.strip()), "")
    nxt = re.sub(r"^(?:https?://|www\.)\S+\s*", "", nxt)
    return bool(nxt) and (nxt[0].islower() or nxt[0] in ",;)")


