"""Is this post a paper review, and of which paper(s)? One recognizer for every format.

A container hands over a :class:`~reviews_cli.parsing.post.Post` (plain text, the links that were
behind words, date, post id); :func:`recognize` returns the review drafts in it, or the reason it
is not a review. The rules work on evidence, not on one channel's layout:

**Headed sections.** A *title line* followed by a *header block* that carries paper evidence opens
a review, which runs to the next headed section. The header block is any run of (blank lines
allowed between them):

- an author line (``Jonathan Frankle, Michael Carbin``, ``Conneau A. Lample G. et al.``), with
  affiliations in parentheses or on the next line (``CSAIL MIT``);
- field lines: ``Авторы статьи: … (<affiliations>, <year>)`` / ``Authors: …``, ``Автор обзора: …``
  / ``Reviewer: …``, ``→ Оригинал статьи :: GitHub project`` (Habr, the arrow maybe lost to ``?``);
- link lines, bare or labelled (``Статья: URL``, ``Код: URL``, ``Paper: URL``; a label alone on its
  line followed by the URL on the next counts as one), and bracketed link words
  (``[Статья][Код]``, ``[Paper] [Code]``) whose hrefs the container kept;
- hashtag lines (``#CNN, #ICLR 2019``).

Paper evidence is a paper link in the block (by label or by host: arXiv, OpenReview, ACL
Anthology, PMLR, NeurIPS/CVF proceedings, DOI, …), an ``Авторы статьи:`` field, an author line
with links or hashtags, or a linked title. The title line may be numbered or bulleted
(``1. <title>``, round-ups and digests).

**Whole posts.** A message with no headed section is one review when it carries a paper link
(labelled anywhere, e.g. ``Paper: URL`` near the end; behind the words «статья»/«paper»; a bare
paper URL) or opens with a paper-title line followed by review prose, and it is not an ad, job post
or announcement. Its title is the paper-title line, else the title named in a sentence
(``Сегодня разбираем <Title>``, ``<Title> — …``), else the paper link's text, else ``arXiv:<id>``.

**Round-ups.** A message whose body is several paper-title lines (maybe numbered or bulleted), each
followed by its paragraph, gives one review per title.

**Furniture** (view counts, times, ``Forwarded from``, ``Reply``, reaction rows, image captions,
``Download Telegram``) is never a title, author or body; a paragraph printed twice is kept once.
Bodies may cite other papers: only the header's (or the labelled) paper link is the reviewed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import extract as ex
from ..ids import arxiv_ids_in_url, parse_arxiv_id, year_from_arxiv
from ..models import Link, Reviewer
from .common import PostDraft
from .post import ARTICLE, POLL, SERVICE, HiddenLink, Post

_MAX_TITLE = 300

# ------------------------------------------------------------------------------- line classes

_VIEWS = re.compile(r"^\s*\d+(?:[.,]\d+)?\s?[KkMmКкМм]?\s+(?:views?|просмотр\w*)\b.*$", re.IGNORECASE)
_TIME = re.compile(r"^\s*(?:edited\s+|изменено\s+)?(?:\d{1,2}[./]\d{1,2}[./]\d{2,4},?\s*)?"
                   r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?\s*$")
_FURNITURE = re.compile(
    r"^\s*(?:Forwarded from\b.*|Переслано (?:из|от)\b.*|Reply|Ответить|Download Telegram|Open in Telegram|"
    r"View in Telegram|Load more|Показать ещё|Preview channel|Join channel|Subscribe|Подписаться|"
    r"\d+(?:[.,]\d+)?[KkMm]? (?:subscribers|members|photos|videos|files|links|подписчик\w*)|"
    r"Pinned message|Закреплённое сообщение|This post is unavailable.*|Please open Telegram to view this post|"
    r">>\s*Click here to continue\s*<<|Show more|Expand|Развернуть|Читать далее|"
    r"(?:Photo|Image|Picture|Фото|Изображение) (?:by|from|:|—)\s.*|Generated (?:with|by) \S.{0,40}|.{1,60} bio photo|"
    r"Illustration for .*|Источник изображения.*)\s*$",
    re.IGNORECASE,
)


_ANY_FURNITURE = re.compile("|".join(f"(?:{rx.pattern})" for rx in (_VIEWS, _TIME, _FURNITURE)), re.IGNORECASE)


def is_furniture(line: str) -> bool:
    """Channel-page furniture that is never part of a post: view counts (``1.2K views``), times
    (``12:34``, ``edited 12:34``), ``Forwarded from …``, ``Reply``, ``Download Telegram``, the
    channel's counters (``24.1K subscribers``)."""
    if len(line) > 160:  # furniture is short; most lines of a post are long paragraphs
        return False
    return bool(_ANY_FURNITURE.match(line))


_BULLET = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*—–▪►➤✅🔹🔸📌👉]|\(\d{1,3}\))\s+")


def strip_bullet(line: str) -> str:
    """``'1. Title'`` / ``'• Title'`` -> ``'Title'``."""
    return _BULLET.sub("", line, count=1).strip()


def _letters(s: str) -> tuple[int, int]:
    """(letters, Latin letters) in ``s``."""
    total = latin = 0
    for ch in s:
        if ch.isalpha():
            total += 1
            if ch.isascii() or "\u00c0" <= ch <= "\u024f":
                latin += 1
    return total, latin


def _is_header_line(line: str) -> bool:
    return ex.is_hashtag_line(line) or ex.split_link_line(line) is not None


_LABEL_WORDS = re.compile(
    r"^(?:(?:ссылк[аи]|на|статья|статью|статьи|оригинал|код|code|paper|papers|link|links|arxiv|pdf|github|"
    r"project|page|blog|блог|demo|демо|docs?|source|источник|подробнее|читать|read|more|here|тут|здесь|"
    r"twitter|x|video|видео|slides|слайды|website|сайт|репозиторий|repo|датасет|dataset|model|модель|"
    r"weights|веса|huggingface|hf|colab|notebook|и|and|the|a|к|по|в|from|с)\b[\s:,./-]*)+$",
    re.IGNORECASE,
)


_ABBREV_END = re.compile(r"\b[A-Z][a-z]{0,3}\.$")  # "… et al." "… vs." "… Inc."


def is_link_label(text: str) -> bool:
    """Whether ``text`` is only link-label words (``Статья``, ``Код``, ``Paper``, ``Ссылка на
    статью``, ``GitHub``…), the words a link hides behind in a header."""
    return bool(_LABEL_WORDS.match(text.strip()))


def title_like(line: str) -> bool:
    """A line that can be a title: 3–300 characters, letters in it, not a link, hashtag, reaction
    or furniture line, not a label (``Ссылка на статью``), not ending in ``: ; ,`` or a sentence
    period, not a bullet."""
    s = line.strip()
    if not (2 < len(s) <= _MAX_TITLE) or s[-1] in ":;,(" or s[0] == "(":
        return False
    if s.endswith(".") and not s.endswith(("..", "et al.")) and not _ABBREV_END.search(s):
        return False  # a sentence
    if "://" in s or "www." in s or (s[0] == "#" and ex.is_hashtag_line(s)):
        return False
    if ex.is_reaction_line(s) or is_furniture(s) or _LABEL_WORDS.match(s):
        return False
    letters, _ = _letters(s)
    return letters >= 3 and not _BRACKET_WORDS.match(s)


def paper_title_like(line: str) -> bool:
    """A title line that reads like a paper's title: title-like, mostly Latin script, at least two
    words, and not a sentence with a verb-ish Russian ending."""
    s = strip_bullet(line)
    if not title_like(s) or len(s.split()) < 2:
        return False
    letters, latin = _letters(s)
    return latin >= 0.6 * letters


_LABEL_LINE = re.compile(r"^\s*([^\s:][^:]{0,38}?)\s*[:：]\s*$")
_WRAPPED = re.compile(r"^[a-z]{1,5} [A-Z]")


def _label_only(line: str) -> str | None:
    """``'Статья:'`` -> ``'Статья'``: a link label alone on its line (the URL follows below)."""
    if len(line) > 60 or not line.rstrip().endswith((":", "：")):
        return None
    m = _LABEL_LINE.match(line)
    if m and _LABEL_WORDS.match(m.group(1)):
        return m.group(1)
    return None


# one separator class between the brackets: "\s*[|,]?\s*" would backtrack exponentially
_BRACKET_WORDS = re.compile(r"^\s*(?:\[[^\[\]]{1,30}\][\s|,/·•]*)+$")


# ------------------------------------------------------------------------------ preparation

_FOOTNOTE_REF = re.compile(r"\[(\d{1,3})\]")
_FOOTNOTE_DEF = re.compile(r"^\s*\[?(\d{1,3})[\].:)]?\s+((?:https?://|www\.)\S+)\s*$")


def _prepare(text: str, links: list[HiddenLink]) -> tuple[list[str], list[HiddenLink]]:
    """Lines of the post, same count as the input, with furniture blanked, a label line joined
    with the URL line under it, and ``[n]`` footnote markers resolved to hidden links (the
    footnote list at the end is blanked)."""
    lines = text.split("\n")
    links = list(links)
    for i, ln in enumerate(lines):
        if is_furniture(ln):
            lines[i] = ""
    # a paper title wrapped over two lines: "… with Context Parallelism" / "on Hierarchical …"
    for i in range(len(lines) - 1):
        a, b = lines[i].strip(), lines[i + 1].strip()
        if a and b and b[0].islower() and _WRAPPED.match(b) and len(b) <= 100 and b[-1].isalnum() \
                and not ex.has_cyrillic(b) and paper_title_like(a) and a[-1].isalnum():
            lines[i], lines[i + 1] = f"{a} {b}", ""
    # "Статья:" / "https://…" on two lines is one labelled link line
    for i in range(len(lines) - 1):
        label = _label_only(lines[i])
        if label is None:
            continue
        j = i + 1
        while j < len(lines) and j <= i + 2 and not lines[j].strip():
            j += 1
        below = ex.split_link_line(lines[j]) if j < len(lines) else None
        if below is not None and not below[0]:
            lines[i] = f"{label}: {lines[j].strip()}"
            lines[j] = ""
    # print views: "Оригинал статьи[1] :: GitHub project[2]" … "[1] https://arxiv.org/abs/…"
    defs: dict[str, tuple[int, str]] = {}
    for i in range(len(lines) - 1, max(-1, len(lines) - 200), -1):
        m = _FOOTNOTE_DEF.match(lines[i])
        if m:
            defs.setdefault(m.group(1), (i, ex.find_urls(m.group(2))[0] if ex.find_urls(m.group(2)) else m.group(2)))
        elif lines[i].strip() and defs:
            break
    if defs:
        def_lines = {d[0] for d in defs.values()}
        used = False
        for i, ln in enumerate(lines):
            if i in def_lines or "[" not in ln:
                continue
            hit = False
            for m in _FOOTNOTE_REF.finditer(ln):
                if m.group(1) in defs:
                    # the words just before the marker name the link (a bounded look back)
                    before = ln[max(0, m.start() - 80):m.start()]
                    label = re.split(r"[\]\[:]{1,2}|::", before)[-1].strip(" :→?-–—") or before.strip()[-40:]
                    links.append(HiddenLink(i, label, defs[m.group(1)][1]))
                    hit = True
            if hit:  # only the markers that resolved: "W[12]" in a formula stays
                lines[i] = _FOOTNOTE_REF.sub(lambda m: "" if m.group(1) in defs else m.group(0), ln)
                used = True
        if used:
            for i in def_lines:
                lines[i] = ""
    return lines, links


# ---------------------------------------------------------------------------------- headers

_AUTHORS_FIELD = re.compile(r"^\s*(?:Авторы\s+статьи|Авторы|Authors?)\s*:\s*(.+)$", re.IGNORECASE)
_REVIEWER_FIELD = re.compile(
    r"^\s*(?:Автор\s+обзора|Автор\s+разбора|Обзор\s+подготовил[аи]?|Разбор\s+подготовил[аи]?|Reviewer|Review\s+by|"
    r"Reviewed\s+by)\s*:\s*(.+)$", re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*(?:[→?>-]\s*)?Оригинал\s+статьи\b", re.IGNORECASE)


@dataclass
class _Header:
    """A title line and the header block under it (line indices into the prepared lines)."""

    title: int
    body_start: int
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    year: int | None = None
    reviewer: Reviewer | None = None
    links: list[Link] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    has_author_line: bool = False
    byline: bool = False
    authors_field: bool = False
    link_lines: int = 0


def _header_label(label: str) -> bool:
    """A link label as headers write them (``Статья``, ``Родной код на pytorch``, ``Пара
    пересказов``), not a sentence ending in a URL (``Речь идёт об этой статье: URL``)."""
    return len(label) <= 40 and not re.search(r"[.!?…]\s", label)


def _read_header(lines: list[str], hidden: dict[int, list[HiddenLink]], t: int, stop: int) -> _Header:
    """The header block under title line ``t`` (see the module docstring)."""
    h = _Header(title=t, body_start=t + 1)
    blanks = 0
    i = t + 1
    first = True
    while i < stop:
        s = lines[i].strip()
        if not s:
            blanks += 1
            if blanks > 3:
                break
            i += 1
            continue
        blanks = 0
        if m := _AUTHORS_FIELD.match(s):
            head, paren = ex.strip_paren_tail(m.group(1))
            h.authors = ex.split_authors(head) or [a.strip() for a in head.split(",") if a.strip()]
            if paren:
                h.affiliations, h.year = ex.affiliations_and_year(paren)
            h.authors_field = True
        elif m := _REVIEWER_FIELD.match(s):
            h.reviewer = ex.parse_reviewer(m.group(1))
        elif _ORIGINAL.match(s):
            h.links += [Link(u, ex.link_role(u, "Статья")) for u in ex.find_urls(s)]
            for hl in hidden.get(i, ()):
                h.links.append(Link(hl.href, ex.link_role(hl.href, hl.label) if "github" not in hl.label.lower()
                                    else "code"))
            h.link_lines += 1
        elif ex.is_hashtag_line(s):
            h.tags += ex.hashtags(s)
            h.year = h.year or ex.year_in(s.replace("#", " #"))
        elif (parsed := ex.split_link_line(s)) is not None and _header_label(parsed[0]):
            label, urls = parsed
            h.links += [Link(u, ex.link_role(u, label)) for u in urls]
            h.link_lines += 1
        elif _BARE_ARXIV.fullmatch(s.strip(" .")) or (re.fullmatch(r"(?:arXiv|arxiv)\s*:?\s*\S+", s) and bare_arxiv(s)):
            link = bare_arxiv(s)
            if link:
                h.links.append(link)
                h.link_lines += 1
            else:
                break
        elif _BRACKET_WORDS.match(s) and i in hidden:
            h.links += [Link(hl.href, ex.link_role(hl.href, hl.label)) for hl in hidden[i]]
            h.link_lines += 1
        elif first and (auth := ex.author_line(s)) and not _LABEL_WORDS.match(s):
            h.authors, h.affiliations = auth
            h.has_author_line = True
        elif first and (by := _byline(s)):
            h.authors, h.affiliations = by
            h.has_author_line = h.byline = True
        elif h.has_author_line and not h.link_lines and not h.affiliations and ex.looks_like_affiliation(s) \
                and not title_like_sentence(s):
            h.affiliations = ex.split_affiliations(s)
        else:
            break
        first = False
        i += 1
        h.body_start = i
    return h


_BY = re.compile(r"^\s*(?:By|Авторы:?)\s+(?P<names>.+?)(?:\s+(?:from|at|из)\s+(?P<org>.+?))?\s*\.?$")


def _byline(line: str) -> tuple[list[str], list[str]] | None:
    """``By A, B, and C from Stanford University`` -> ``(['A', 'B', 'C'], ['Stanford University'])``."""
    m = _BY.match(line)
    if not m:
        return None
    authors = ex.split_authors(re.sub(r",\s*and\s+", ", ", m.group("names")))
    if not authors:
        return None
    return authors, ex.split_affiliations(m.group("org")) if m.group("org") else []


def title_like_sentence(s: str) -> bool:
    """A line that reads as prose rather than a header field (ends like a sentence)."""
    return s.rstrip()[-1:] in ".!?…" and len(s.split()) > 6


def _evidence(h: _Header, lines: list[str], hidden: dict[int, list[HiddenLink]]) -> bool:
    """Whether the header block under a title line says "this is a paper"."""
    if h.authors_field:
        return True
    if any(ln.role == "paper" for ln in h.links):
        return True
    if h.has_author_line and (h.link_lines or h.tags):
        return True
    if h.byline and len(h.authors) >= 2:  # "By A, B and C from X": a paper's byline
        return True
    return any(ex.link_role(hl.href, "") == "paper" for hl in hidden.get(h.title, ()))


def _headed_sections(lines: list[str], hidden: dict[int, list[HiddenLink]]) -> list[_Header]:
    """Every headed section, in order, non-overlapping."""
    found: list[_Header] = []
    i = 0
    n = len(lines)
    while i < n:
        s = lines[i].strip()
        if s and title_like(strip_bullet(s)):
            h = _read_header(lines, hidden, i, n)
            # an author-like line is a title only with an author line under it
            # ("Regularizing and Optimizing LSTM Language Models" reads as two names)
            # a later section must look like a paper title (a cited-paper line inside a body such
            # as "Похожая работа" + URL must not split the review)
            if h.body_start > i + 1 and _evidence(h, lines, hidden) and (h.has_author_line or not ex.author_line(s)) \
                    and (not found or paper_title_like(s) or h.authors_field or h.has_author_line):
                found.append(h)
                i = h.body_start
                continue
        i += 1
    return found


# ------------------------------------------------------------------------------ non-reviews

# Words that mark a post as something else than a review. Each is specific enough not to occur
# in review prose ("регистрация изображений", "стриминговое распознавание", "Резюме:" as a
# summary are review words, so they are not here).
_NON_REVIEW = [
    ("advertisement", re.compile(
        r"#реклама|#ad\b|\bреклама\b|\berid\b|промокод|скидк[аиу]|партн[её]рск\w+ пост|sponsored|"
        r"по ссылке в профиле|розыгрыш", re.IGNORECASE)),
    ("job post", re.compile(
        r"#ваканси|#job|#hiring|\bвакансия\b|\bвакансии\b|мы ищем|ищем (?:в команду|\w+ разработчик|\w*инженер|ml|"
        r"data|сильн)|we(?:'re| are) hiring|\bhiring\b|зарплат\w* (?:от|до)|\bз/п\b|откликнуться|"
        r"(?:присылайте|отправляйте|жд[её]м) (?:ваше )?резюме|резюме (?:на|в) @", re.IGNORECASE)),
    ("announcement", re.compile(
        r"\bстрим(?:а|е|ы|ом)?\b|вебинар|митап|meetup|webinar|регистраци[яю] (?:по ссылке|открыта)|"
        r"зарегистрир|регистрируйтесь|приглашаем|прям(?:ая|ой) (?:трансляци|эфир)|в прямом эфире|"
        r"запись (?:доклада|стрима|вебинара)|ждём вас|ждем вас|\bанонс\b|#анонс|подключайтесь|join us|"
        r"register\b|livestream", re.IGNORECASE)),
]

_REVIEW_WORDS = re.compile(
    r"\b(?:авторы|автор(?:ы)? статьи|стать[яеиюй]|работ[аеуы]|предлага\w+|предложил\w*|показал\w*|"
    r"обучил\w*|обучени\w+|модел\w+|метод\w*|подход\w*|датасет\w*|бенчмарк\w*|архитектур\w+|эксперимент\w*|"
    r"результат\w*|authors?|paper|propos\w+|model\w*|method\w*|approach\w*|dataset\w*|benchmark\w*|"
    r"architectur\w+|experiment\w*|results?|trained|training|we show|outperform\w*)\b",
    re.IGNORECASE,
)


def _non_review(text: str) -> str | None:
    """The kind of non-review post (``advertisement``, ``job post``, ``announcement``) when the
    text says so, else ``None``."""
    for kind, rx in _NON_REVIEW:
        if rx.search(text):
            return kind
    return None


_HEADLINE = re.compile(
    r"\b(?:releases?|released|launch(?:es|ed)?|announc(?:es|ed|ing)|unveil(?:s|ed)?|open-?sourc(?:es|ed)|"
    r"is out|now available|deadlines?|extended|call for papers|hiring|webinar|meetup|workshop|giveaway|"
    r"выпустил[аи]?|выкатил[аи]?|представил[аи]?|анонсировал[аи]?|запустил[аи]?|вышл[аои]|вышел|релиз|"
    r"опубликовал[аи]?|открыл[аи]? доступ|дедлайн|конкурс|вакансия|курс)\b",
    re.IGNORECASE,
)


def _news_headline(title: str) -> bool:
    """A headline of news or an announcement (``OpenAI Releases GPT-5``, ``Deadlines
    Extended``, ``Google выпустила …``) rather than a paper's title: without a paper link it is
    not evidence of a paper."""
    return bool(_HEADLINE.search(title))


def _review_prose(text: str) -> bool:
    """Whether ``text`` reads like a paper review: a few hundred characters of prose using the
    vocabulary of one (authors, model, method, results…)."""
    if len(text) < 80:
        return False
    words = {m.group(0).casefold()[:5] for m in _REVIEW_WORDS.finditer(text)}
    # "paper" and "authors" alone are talk about papers (authorship, reviewing), not a review
    return len(words) >= 2 and bool(words - {"paper", "autho", "авторы"[:5], "стать", "работ"})


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


# --------------------------------------------------------------------------------- drafts


def _roles_for_body(links: list[Link]) -> list[Link]:
    # links in a body are cited, not reviewed: never the paper role
    return [Link(ln.url, "code" if ln.role == "code" else "other") for ln in links]


_PAPER_LABEL = re.compile(
    r"^\W*(?:статья|статью|оригинал(?:\s+статьи)?|paper|paper link|arxiv|pdf|preprint|препринт|"
    r"ссылка на статью|link to (?:the )?paper|openreview|статья на arxiv)\W*$",
    re.IGNORECASE,
)


def _labelled_paper(lines: list[str], start: int, stop: int) -> Link | None:
    """A link line in ``lines[start:stop]`` whose label names the paper (``Paper: URL``)."""
    for i in range(start, stop):
        parsed = ex.split_link_line(lines[i])
        if parsed and parsed[0] and _PAPER_LABEL.match(parsed[0]) and parsed[1]:
            return Link(parsed[1][0], "paper")
    return None


def _dedupe_paragraphs(body: str) -> str:
    """A paragraph printed twice (mirror pages, copy glitches) is kept once."""
    seen: set[str] = set()
    out: list[str] = []
    for para in re.split(r"\n\s*\n", body):
        key = " ".join(para.split()).casefold()
        if len(key) >= 40 and key in seen:
            continue
        seen.add(key)
        out.append(para)
    return "\n\n".join(out)


def _trim_tail(body: list[str]) -> list[str]:
    """Drop the reactions row and image captions that end a post in the web preview."""
    while body and not body[-1].strip():
        body.pop()
    for k in range(len(body) - 1, max(-1, len(body) - 4), -1):
        if ex.is_reaction_line(body[k]) and all(
            not ln.strip() or ex.is_caption_like(ln) for ln in body[k + 1:]
        ):
            return body[:k]
    # no reactions row: at most two caption lines directly under the last paragraph
    dropped = 0
    while body and dropped < 2 and ex.is_caption_like(body[-1]) and len(body) > 1 \
            and body[-2].strip() and not ex.is_caption_like(body[-2]):
        body.pop()
        dropped += 1
    return body


# Site furniture that ends an article (Habr and news sites), matched on a stripped line.
_FOOTER = re.compile(
    r"^(?:\d{1,4}[,.]\d{1,2}|Поделиться(?: публикацией)?|Комментарии(?:\s*\d+|:)?|Комментировать|"
    r"Теги:.*|Хабы:.*|Источник:.*|Реклама|Подробнее|Самое читаемое|Читают сейчас|Похожие публикации|"
    r"AdBlock похитил.*|Только полноправные пользователи.*|Ваш аккаунт|Вакансии|Информация|"
    r"Tags:.*|Hubs:.*|Share|Comments(?:\s*\d+)?)$"
)


def _footer_start(lines: list[str], start: int) -> int:
    """Index where an article's site footer begins after ``start`` (``len(lines)`` when none):
    the first footer marker, moved up over the short label lines stuck to it (the company name)."""
    for i in range(start, len(lines)):
        if _FOOTER.match(lines[i].strip()):
            j = i
            while j - 1 > start and lines[j - 1].strip() and len(lines[j - 1].strip()) <= 60 \
                    and lines[j - 1].strip()[-1] not in ".!?:":
                j -= 1
            return j
    return len(lines)


class _Ctx:
    """Per-post state shared by the draft builders."""

    def __init__(self, post: Post, lines: list[str], hidden: list[HiddenLink]) -> None:
        self.post = post
        self.lines = lines
        self.hidden = hidden
        self.by_line: dict[int, list[HiddenLink]] = {}
        for hl in hidden:
            self.by_line.setdefault(hl.line, []).append(hl)
        self._tags: list[str] | None = None

    @property
    def tags(self) -> list[str]:
        """Every hashtag of the post: Telegram makes every #word in a post a hashtag."""
        if self._tags is None:
            self._tags = ex.hashtags(self.post.text) if "#" in self.post.text else []
        return self._tags

    def draft(self, title: str, body_lines: list[str], links: list[Link], paper: Link | None,
              **fields: Any) -> PostDraft:
        body = _dedupe_paragraphs("\n".join(ln for ln in body_lines if not ex.is_hashtag_line(ln)))
        tags = list(fields.pop("tags", []))
        year = fields.pop("year", None)
        arxiv_id = arxiv_ids_in_url(paper.url) if paper else None
        return PostDraft(
            title=title, body=body, links=links, paper_url=paper.url if paper else None, arxiv_id=arxiv_id,
            year=year or (year_from_arxiv(arxiv_id) if arxiv_id else None), tags=tags,
            date=self.post.date, url=self.post.url, post_id=self.post.post_id, **fields,
        )

    def hidden_in(self, start: int, stop: int) -> list[HiddenLink]:
        return [hl for hl in self.hidden if start <= hl.line < stop]


def _section_draft(ctx: _Ctx, h: _Header, stop: int, prefix: list[str], only: bool) -> PostDraft:
    lines = ctx.lines
    body_lines = _trim_tail(prefix + lines[h.body_start:stop])
    body_text = "\n".join(body_lines)
    links = list(h.links)
    paper = next((ln for ln in links if ln.role == "paper"), None)
    for hl in ctx.hidden_in(h.title, h.body_start):
        role = ex.link_role(hl.href, hl.label)
        if paper is None and (role == "paper" or (hl.line == h.title and arxiv_ids_in_url(hl.href))):
            paper = Link(hl.href, "paper")
            links.append(paper)
        elif not any(ex.normalize_url(x.url) == ex.normalize_url(hl.href) for x in links):
            links.append(Link(hl.href, role if role != "paper" else "other"))
    if paper is None:
        paper = _labelled_paper(lines, h.body_start, stop)
        if paper:
            links.append(paper)
    links += _roles_for_body(ex.links_from_text(body_text))
    links += [Link(hl.href, "code" if ex.link_role(hl.href, hl.label) == "code" else "other")
              for hl in ctx.hidden_in(h.body_start, stop)]
    if only and ctx.post.kind != ARTICLE:  # the post's hashtags, wherever they stand
        tags = h.tags + [t for t in ctx.tags if t[0].isalpha() or h.tags]
    else:
        tags = h.tags + [t for t in ex.hashtags(body_text) if t[0].isalpha() or h.tags]
    year = h.year
    if year is None and paper is not None:
        m = re.search(r"/((?:19|20)\d{2})/", paper.url)
        year = int(m.group(1)) if m else None
    title = clean_title(lines[h.title])
    return ctx.draft(title, body_lines, links, paper, tags=tags, year=year, authors=h.authors,
                     affiliations=h.affiliations, reviewer=h.reviewer)


def _link_text_title(hl: HiddenLink) -> str | None:
    label = hl.label.strip(" «»\"[]()")
    if len(label.split()) >= 2 and not _LABEL_WORDS.match(label) and title_like(label):
        return label
    return None


def _first_content(lines: list[str]) -> int | None:
    return next((i for i, ln in enumerate(lines) if ln.strip()), None)


_BY_LINE = re.compile(r"^\s*(?:By|Authors?:|Авторы:)\s+\S.{0,300}$")


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


def _titled_shape(s: str) -> bool:
    """A paper title as written without a link next to it: a colon or question, or most of its
    longer words capitalized (``Ranking Across Different Content Types``), as titles are and
    headlines and sentences mostly are not."""
    s = strip_bullet(s)
    if ":" in s or s.endswith("?"):
        return True
    words = [w for w in re.findall(r"[^\W\d_][\w\-’']*", s) if len(w) >= 4]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _title_items(lines: list[str], limit: int | None = None) -> list[tuple[int, int]]:
    """Lines that open a paper's paragraph: ``(title line, first body line)`` for each
    paper-title line (maybe numbered or bulleted) that starts a paragraph and has prose under
    it (after an optional ``By <authors>`` line). ``limit`` stops the scan after that many
    non-blank lines."""
    items = []
    seen = 0
    for i, ln in enumerate(lines):
        s = ln.strip()
        if not s:
            continue
        seen += 1
        if limit is not None and seen > limit:
            break
        if not (paper_title_like(s) and _titled_shape(s)) or (ex.is_caption_like(s) and len(s.split()) < 3) \
                or _BY_LINE.match(s) or _news_headline(s):
            continue
        prev = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        if prev and i > 0 and lines[i - 1].strip() and (prev[-1].isalnum() or prev[-1] in ",;-–—(") \
                and not _BULLET.match(s):
            continue  # the middle of a paragraph, not a title
        nxt = [j for j in range(i + 1, min(len(lines), i + 6)) if lines[j].strip()][:2]
        if nxt and _BY_LINE.match(lines[nxt[0]]):
            nxt = nxt[1:]
        if not nxt or paper_title_like(lines[nxt[0]]) or len(lines[nxt[0]].strip()) < 60:
            continue
        if _BULLET.match(s) and _BULLET.match(lines[nxt[0]]):
            continue  # a list of fields ("- Affiliation: …", "- Education: …"), not a title
        items.append((i, nxt[0]))
    return items


_BARE_ARXIV = re.compile(r"(?<![\w/.])(?:arXiv\s*:\s*|arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5})(?:v\d+)?(?![\d.]?\d)",
                         re.IGNORECASE)


def bare_arxiv(text: str) -> Link | None:
    """A paper link for an arXiv id written without a URL (``arXiv:1706.03762``,
    ``arxiv.org/abs/1706.03762``)."""
    m = _BARE_ARXIV.search(text)
    if m and parse_arxiv_id(m.group(1)):
        return Link(f"https://arxiv.org/abs/{m.group(1)}", "paper")
    return None


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


def _next_item(items: list[tuple[int, int]], k: int, end: int) -> int:
    return items[k + 1][0] if k + 1 < len(items) else end


def _paper_link_of(ctx: _Ctx, start: int, stop: int) -> tuple[Link | None, HiddenLink | None]:
    """The reviewed paper's link in ``lines[start:stop]``: a labelled paper link (``Статья:``,
    ``Paper:``), else a paper link behind words, else the first bare paper URL."""
    lines = ctx.lines
    paper = _labelled_paper(lines, start, stop)
    if paper:
        return paper, None
    for hl in ctx.hidden_in(start, stop):
        if ex.link_role(hl.href, hl.label) == "paper":
            return Link(hl.href, "paper"), hl
    # a paper URL on a line of its own is the post's link; one inside a sentence may be a citation
    for ln in lines[start:stop]:
        parsed = ex.split_link_line(ln)
        if parsed is not None and not parsed[0]:
            u = next((u for u in parsed[1] if ex.link_role(u) == "paper"), None)
            if u:
                return Link(u, "paper"), None
    for ln in lines[start:stop]:
        u = next((u for u in ex.find_urls(ln) if ex.link_role(u) == "paper"), None)
        if u:
            return Link(u, "paper"), None
        if "xiv" in ln.lower() and (bare := bare_arxiv(ln)):
            return bare, None
    return None, None


def _other_links(ctx: _Ctx, body_text: str, start: int, stop: int, paper: Link | None) -> list[Link]:
    out: list[Link] = []
    key = ex.normalize_url(paper.url) if paper else None
    for ln in ex.links_from_text(body_text):
        if ex.normalize_url(ln.url) != key:
            out.append(Link(ln.url, "code" if ln.role == "code" else "other"))
    for hl in ctx.hidden_in(start, stop):
        if ex.normalize_url(hl.href) != key:
            out.append(Link(hl.href, "code" if ex.link_role(hl.href, hl.label) == "code" else "other"))
    return out


_NAMED_IN_PROSE = re.compile(
    r"(?:[“\"«](?P<q>[A-Z][^“”\"«»\n]{8,200}?)[”\"»]|(?:\b(?:the\s+)?paper|статье|статья|работе|работа)\s+"
    r"(?P<p>[A-Z][\w\-’'.,:&+/()]*(?: [\w\-’'.,:&+/()]+){1,30}?)),? +(?:by|от|авторов) +(?P<by>\S+)")


def _named_in_prose(ctx: _Ctx) -> list[PostDraft]:
    """Papers named in sentences with their authors (``“<Title>” by A, B``, ``the paper
    <Title> by …``): one draft per title, each with the text up to the next one."""
    lines = ctx.lines
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, ln in enumerate(lines):
        if " by " not in ln and " от " not in ln and "авторов" not in ln:
            continue
        for m in _NAMED_IN_PROSE.finditer(ln):
            t = (m.group("q") or m.group("p") or "").strip(" .,:;")
            if t not in seen and paper_title_like(t) and len(t.split()) >= 3:
                seen.add(t)
                found.append((i, t))
    drafts = []
    for k, (i, title) in enumerate(found):
        stop = found[k + 1][0] if k + 1 < len(found) and found[k + 1][0] > i else len(lines)
        body_lines = _trim_tail(list(lines[i:stop]))
        paper, _ = _paper_link_of(ctx, i, stop)
        links = ([paper] if paper else []) + _other_links(ctx, "\n".join(body_lines), i, stop, paper)
        drafts.append(ctx.draft(title, body_lines, links, paper, tags=ctx.tags))
    return drafts


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


def _whole_post(ctx: _Ctx) -> tuple[list[PostDraft], str]:
    """The fallback for a post with no headed section: one review (or a round-up), or the reason
    it is not a review."""
    lines = ctx.lines
    text = "\n".join(lines)
    first = _first_content(lines)
    if first is None:
        return [], "no text (media only)"
    paper, paper_hidden = _paper_link_of(ctx, 0, len(lines))
    non_review = _non_review(text)
    # round-up items are papers only with review prose under them (not a profile or a dataset note)
    all_items = _title_items(lines)
    items = [(i, b) for k, (i, b) in enumerate(all_items)
             if _review_prose("\n".join(lines[b:_next_item(all_items, k, len(lines))]))]
    named = _named_in_prose(ctx) if paper is None and not non_review else []
    several = len(items) >= 2 or (len(items) == 1 and len(all_items) >= 2 and paper is None)
    if not non_review and len(named) < 2 and several:
        return _roundup(ctx, items), ""
    first_line = lines[first].strip()
    top_item = next((i for i, _ in items if sum(1 for ln in lines[:i] if ln.strip()) < 6), None)
    title_line = top_item if top_item is not None else (first if paper_title_like(first_line) else None)
    title = clean_title(lines[title_line]) if title_line is not None else None
    if title is None and (lead := _leading_title(first_line)):
        title = lead  # "Recommender Systems with Generative Retrieval Современные модели …"
    if title is None and len(items) == 1 and paper is None:
        return _roundup(ctx, items), ""  # one paper-title paragraph under someone else's intro
    has_code = any(ln.role == "code" for ln in ex.links_from_text(text)) or any(
        ex.link_role(h.href, h.label) == "code" for h in ctx.hidden)
    if paper is None:
        if non_review:
            return [], f"{non_review} (no paper link)"
        if named and (title is None or len(named) >= 2):
            return named, ""
        prose_from = title_line + 1 if title_line is not None else first + 1
        if title and _review_prose("\n".join(lines[prose_from:])) and not _news_headline(title) and (
                title_line != first or _titled_shape(title) or has_code):
            pass
        elif has_code and title_like(first_line) and _review_prose("\n".join(lines[first + 1:])):
            title_line, title = first, clean_title(first_line)  # a translated title over a code link
        elif (t := _title_in_prose(text)) and _review_prose(text):
            title_line, title = None, t
        elif title and _news_headline(title):
            return [], "news or announcement (a headline, no paper link)"
        elif len(text.strip()) < 200:
            return [], "too short for a review (caption, meme or note)"
        else:
            return [], "no paper evidence (no paper link, no paper title with review prose)"
    else:
        if non_review and not _review_prose(text.replace(paper.url, "")):
            return [], f"{non_review} (links a paper, but is not a review of it)"
        beside = _title_before_link(lines, paper.url)
        if beside and (title is None or not _titled_shape(title) or ":" not in title):
            title_line, title = None, beside
        if title is None:
            title = _title_in_prose(text) or (_link_text_title(paper_hidden) if paper_hidden else None)
        if title is None and title_like(first_line) and not _sentence_goes_on(lines, first) \
                and not re.search(r",\s+(?:что|как|котор\w+|which|that)\b", first_line):
            title = clean_title(first_line)  # the post's own headline: it stays in the body too
        if title is None:
            aid = arxiv_ids_in_url(paper.url)
            title = f"arXiv:{aid}" if aid else _first_sentence(first_line) or paper.url
    body_lines = _trim_tail([ln for i, ln in enumerate(lines) if i != title_line])
    body_text = "\n".join(body_lines)
    links = ([paper] if paper else []) + _other_links(ctx, body_text, 0, len(lines), paper)
    return [ctx.draft(title, body_lines, links, paper, tags=ctx.tags)], ""


def _roundup(ctx: _Ctx, items: list[tuple[int, int]]) -> list[PostDraft]:
    """One draft per paper-title item of a round-up, each with the paragraphs under it."""
    lines = ctx.lines
    drafts = []
    for k, (i, body_start) in enumerate(items):
        stop = items[k + 1][0] if k + 1 < len(items) else len(lines)
        body_lines = _trim_tail(list(lines[body_start:stop]))
        paper, _ = _paper_link_of(ctx, i, stop)
        links = ([paper] if paper else []) + _other_links(ctx, "\n".join([lines[i]] + body_lines), i, stop, paper)
        title = re.sub(r"\s*[(\[]?(?:https?://|www\.)\S+[)\]]?\s*$", "", clean_title(lines[i]))
        authors: list[str] = []
        by = next((j for j in range(i + 1, body_start) if _BY_LINE.match(lines[j])), None)
        if by is not None:
            names = re.sub(r"^\s*(?:By|Authors?:|Авторы:)\s+", "", lines[by])
            names = re.split(r"\s+(?:from|at|из)\s+", names)[0]
            authors = ex.split_authors(names) or []
        drafts.append(ctx.draft(title, body_lines, links, paper, tags=ctx.tags, authors=authors))
    return drafts


def recognize(post: Post) -> tuple[list[PostDraft], str | None]:
    """The review drafts in ``post`` and ``None``, or ``([], reason)`` when it is not a review
    (``service message (…)``, ``poll``, ``no text (media only)``, ``advertisement …``,
    ``job post …``, ``announcement …``, ``no paper evidence …``)."""
    if post.kind == SERVICE:
        return [], f"service message ({post.action or 'service'})"
    if post.kind == POLL:
        return [], "poll"
    lines, hidden = _prepare(post.text, post.links)
    ctx = _Ctx(post, lines, hidden)
    if _first_content(lines) is None:
        return [], "no text (media only)"
    heads = _headed_sections(lines, ctx.by_line)
    if heads:
        drafts = []
        end = _footer_start(lines, heads[-1].body_start) if post.kind == ARTICLE else len(lines)
        prefix: list[str] = []
        if post.kind != ARTICLE:
            before = [ln for ln in lines[:heads[0].title] if ln.strip()]
            # text above the first title in a message is the reviewer's lead-in, not a caption
            if any(not ex.is_caption_like(ln) and not ex.is_reaction_line(ln) for ln in before):
                prefix = lines[:heads[0].title] + [""]
        for k, h in enumerate(heads):
            stop = heads[k + 1].title if k + 1 < len(heads) else end
            drafts.append(_section_draft(ctx, h, stop, prefix if k == 0 else [], len(heads) == 1))
        return drafts, None
    if post.kind == ARTICLE:
        return [], "no headed paper section (an article with no review in it)"
    drafts, reason = _whole_post(ctx)
    return drafts, (None if drafts else reason)
