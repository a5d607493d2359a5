"""Titles: where a title is named in prose, and the title cleaned of its wrappers."""

from __future__ import annotations

import re
import unicodedata

from ... import extract as ex
from ..post import HiddenLink
from .lines import _LABEL_WORDS, _news_headline, _titled_shape, paper_title_like, strip_bullet, title_like
from .memo import per_post

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



# page-type labels before a title, in the languages of the pages read (Habr, Medium, summary sites)
_TITLE_PREFIX = re.compile(
    r"^(?:\[?(?:Перевод|Translation|Recovery mode|Из песочницы)\]?\s+)?"
    r"(?:(?:Paper|Article|Research)\s+(?:review|summary|notes?|explained|walkthrough)|Review|Summary|TL;DR|TLDR|"
    r"Обзор(?:\s+статьи)?|Разбор(?:\s+статьи)?|Конспект(?:\s+статьи)?|Краткий пересказ|Пересказ(?:\s+статьи)?|"
    r"Статья|Paper|Title|Название|Заголовок|Paper title|Название статьи|Резюме статьи|Статья дня|Paper of the day)"
    r"\s*[:—–-]\s*(?=\S)",
    re.IGNORECASE)
_TITLE_TAIL = re.compile(r"\s*(?:[\[(](?:\d{1,2}\s*/\s*\d{1,2}|(?:19|20)\d\d|часть\s*\d+|part\s*\d+)[\])])\s*$", re.I)
_RU_SUBTITLE = re.compile(r"^(?P<t>[^\u0400-\u04ff]{8,}?)\s+[-—–]\s+(?=[^\n]*[\u0400-\u04ff])[^A-Za-z]*$")
# site suffixes of page titles: "<Title> — Хабр", "<Title> | by Name | Medium", "<Title> | Towards Data Science"
_SITE_SUFFIX = re.compile(
    r"(?:\s+[|—–-]\s+(?:Хабр|Habr|Habrahabr|Medium|arXiv|vc\.ru|Telegram|Telegraph|Teletype|Substack|"
    r"Towards Data Science|Hugging Face|YouTube|Reddit)|\s+\|\s+[^|]{1,40}?)+\s*$", re.IGNORECASE)
# an arXiv id printed with the title: "[2401.01234] Title" (arXiv listings), "Title (2512.05356v1)"
_ID_PREFIX = re.compile(
    r"^\s*(?:\[\s*(?:arXiv:)?\d{4}\.\d{4,5}(?:v\d+)?\s*\]|arXiv:\s*\d{4}\.\d{4,5}(?:v\d+)?)\s*[:—–-]?\s*",
    re.IGNORECASE)
_ID_SUFFIX = re.compile(r"\s*[\[(]\s*(?:arXiv:)?\d{4}\.\d{4,5}(?:v\d+)?\s*[\])]\s*$", re.IGNORECASE)
# a page-type word after the title: "KAN Kolmogorov-Arnold Networks A review", "<Title>: paper summary"
_TYPE_SUFFIX = re.compile(r"(?:\s+[—–|-]\s*(?:an?\s+)?|\s+an?\s+)(?:paper\s+)?(?:review|summary|explained|walkthrough|"
                          r"обзор|разбор|пересказ)\s*$", re.IGNORECASE)
_QUOTES = {"«": "»", '"': '"', "“": "”", "„": "“", "'": "'", "‘": "’", "「": "」"}


def _decoration(ch: str) -> bool:
    # emoji and pictographs (So), variation selectors and keycaps (Mn/Me), spaces, list and arrow marks
    return unicodedata.category(ch) in ("So", "Sk", "Zs", "Me") or ch in "\ufe0f\u200d•·▪►➤→←⬇*~|:—–-" or ch.isspace()


def strip_decoration(t: str) -> str:
    """``t`` without emoji, arrows, stars and bullets at either end (``🔥 Title 🔥``, ``📄 Title``);
    other characters (letters, quotes, brackets, format characters) stay."""
    i, j = 0, len(t)
    while i < j and _decoration(t[i]):
        i += 1
    while j > i and _decoration(t[j - 1]) and t[j - 1] not in "-":
        j -= 1
    return t[i:j]


def unquote(t: str) -> str:
    """``«Title»`` / ``"Title"`` / ``“Title”`` -> ``Title`` when the quotes wrap the whole text."""
    if len(t) >= 3 and t[0] in _QUOTES and t[-1] == _QUOTES[t[0]] and t.count(t[-1]) == (1 if t[0] != t[-1] else 2):
        return t[1:-1].strip()
    return t


# a lead-in glued to a title line: "Свежая статья <Title>", "New paper: <Title>"
_LEAD_PREFIX = re.compile(
    r"^(?:(?:свеж(?:ая|ий)|нов(?:ая|ый)|интересн(?:ая|ый)|классическ(?:ая|ий))\s+(?:стать[яи]|работа|препринт)|"
    r"(?:new|fresh|latest|recent)\s+(?:paper|preprint)|paper of the (?:day|week))\s*[:—–-]?\s+(?=[A-Z0-9«\"“])",
    re.IGNORECASE)
_PIPE_NUMBER = re.compile(r"^\s*\d{1,3}\s*\|\s*")
# section headings of a page, never a paper's title
_GENERIC = frozenset({
    "abstract", "introduction", "summary", "conclusion", "conclusions", "results", "method", "methods",
    "methodology", "approach", "discussion", "limitations", "key contributions", "key findings", "key takeaways",
    "tl;dr", "tldr", "overview", "background", "related work", "experiments", "references", "contents",
    "table of contents", "motivation", "ai quick summary", "paper summary", "paper review", "review",
    "аннотация", "введение", "выводы", "вывод", "заключение", "результаты", "итоги", "метод", "методы", "подход",
    "обзор", "резюме", "содержание", "мотивация", "эксперименты", "ограничения", "ссылки"})


def is_generic_heading(text: str) -> bool:
    """A page's section heading (``Abstract``, ``Key Contributions``, ``Выводы``), not a title."""
    t = " ".join(text.casefold().strip(" :.").split())
    return t in _GENERIC or len(t) < 3


@per_post
def clean_title(line: str) -> str:
    """A title line without its wrappers: bullet or numbering, emoji at either end, a page-type
    label (``Paper review:``, ``Разбор статьи:``, ``Summary:``, ``[Перевод]``), an arXiv id in
    brackets before or after it (``[2401.01234] Title``, ``Title (2512.05356v1)``), a site
    suffix (`` — Хабр``, `` | Medium``), quotes around it, a part or year marker (``[2/2]``,
    ``[2023]``), a Russian subtitle after a dash (``LlamaRec: … [2023] - о том, как …``).
    A Russian subtitle after a colon (``Mamba (S6): как линейные модели догнали трансформеры``) is
    part of the title and stays."""
    t = strip_decoration(strip_bullet(_PIPE_NUMBER.sub("", line)))
    for _ in range(2):
        t2 = _LEAD_PREFIX.sub("", _ID_PREFIX.sub("", t))
        t2 = _TITLE_PREFIX.sub("", t2)
        t2 = _TYPE_SUFFIX.sub("", _ID_SUFFIX.sub("", t2))
        t2 = _SITE_SUFFIX.sub("", t2) if "|" in t2 or " Хабр" in t2 or any(c in t2 for c in "—–-") else t2
        t2 = unquote(strip_decoration(t2))
        if len(t2) < 3 or t2 == t:
            break
        t = t2
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
    if len(url) > 500:  # no paper URL is this long; scanning one is quadratic
        return None
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


