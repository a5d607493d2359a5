"""Line classes of posts and pages: furniture, bullets, titles, link labels, and the words of
non-reviews, headlines and review prose.

Source formats: Telegram channel pages as a browser copies them (``t.me/s/<channel>``, mirror
sites), Telegram Desktop exports, Habr articles; each rule names the shape it reads.
"""

from __future__ import annotations

import re

from ... import extract as ex
from ...ids import parse_arxiv_id
from ...models import Link
from .memo import per_post

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


# list markers: "1.", "1)", "(1)", "1|" (analyticsindiamag-style lists), keycap digits "1️⃣", bullets
_BULLET = re.compile(
    r"^\s*(?:\d{1,3}[.)|]|\d\ufe0f?\u20e3|🔟|[-•*—–▪►➤✅🔹🔸📌👉]|\(\d{1,3}\))\s*(?<=\s|\u20e3|🔟|\|)\s*")


def strip_bullet(line: str) -> str:
    """``'1. Title'`` / ``'• Title'`` -> ``'Title'``."""
    return _BULLET.sub("", line, count=1).strip()


_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def _letters(s: str) -> tuple[int, int]:
    """(letters, Latin letters) in ``s`` (counted in C: this runs on every line)."""
    total = sum(map(str.isalpha, s))
    if s.isascii():
        return total, total
    return total, len(_LATIN.findall(s))


def _is_header_line(line: str) -> bool:
    return ex.is_hashtag_line(line) or _link_line(line) is not None


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


@per_post
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


@per_post
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


# the same patterns over case-folded text: their literals are lower case, and a scan without
# IGNORECASE is several times faster on Cyrillic text
_NON_REVIEW_FOLDED = [(kind, re.compile(rx.pattern)) for kind, rx in _NON_REVIEW]


# words one of which each kind's pattern needs: the pattern runs only when one is there
_NON_REVIEW_KEYS = {
    "advertisement": ("реклам", "#ad", "erid", "промокод", "скидк", "партн", "sponsor", "по ссылке в профиле",
                      "розыгрыш"),
    "job post": ("ваканс", "#job", "#hiring", "ищем", "hiring", "зарплат", "з/п", "откликн", "резюме"),
    "announcement": ("стрим", "вебинар", "митап", "meetup", "webinar", "регистрац", "зарегистр", "приглаша",
                     "трансляц", "эфир", "запись", "ждём", "ждем", "анонс", "подключайтесь", "join us", "register",
                     "livestream"),
}


def non_review_kinds(text: str) -> list[str]:
    """Every kind of non-review post the text says it is (``advertisement``, ``job post``,
    ``announcement``), in that order; the signs are read in the first 20,000 characters."""
    folded = text[:20000].casefold()
    return [kind for kind, rx in _NON_REVIEW_FOLDED
            if any(k in folded for k in _NON_REVIEW_KEYS[kind]) and rx.search(folded)]


def _non_review(text: str) -> str | None:
    """The kind of non-review post (``advertisement``, ``job post``, ``announcement``) when the
    text says so, else ``None``."""
    kinds = non_review_kinds(text)
    return kinds[0] if kinds else None


_HEADLINE = re.compile(
    r"\b(?:releases?|released|launch(?:es|ed)?|announc(?:es|ed|ing)|unveil(?:s|ed)?|open-?sourc(?:es|ed)|"
    r"is out|now available|deadlines?|extended|call for papers|hiring|webinar|meetup|workshop|giveaway|"
    r"выпустил[аи]?|выкатил[аи]?|представил[аи]?|анонсировал[аи]?|запустил[аи]?|вышл[аои]|вышел|релиз|"
    r"опубликовал[аи]?|открыл[аи]? доступ|дедлайн|конкурс|вакансия|курс)\b",
    re.IGNORECASE,
)


@per_post
def _news_headline(title: str) -> bool:
    """A headline of news or an announcement (``OpenAI Releases GPT-5``, ``Deadlines
    Extended``, ``Google выпустила …``) rather than a paper's title: without a paper link it is
    not evidence of a paper."""
    return bool(_HEADLINE.search(title))


_REVIEW_WORDS_FOLDED = re.compile(_REVIEW_WORDS.pattern)  # lower-case literals, read over folded text
_TALK_ABOUT_PAPERS = frozenset({"paper", "autho", "авторы"[:5], "стать", "работ"})


def _review_prose(text: str) -> bool:
    """Whether ``text`` reads like a paper review: a few hundred characters of prose using the
    vocabulary of one (authors, model, method, results…). Stops reading once it knows."""
    if len(text) < 80:
        return False
    words: set[str] = set()
    for m in _REVIEW_WORDS_FOLDED.finditer(text.casefold()):
        words.add(m.group(0)[:5])
        # "paper" and "authors" alone are talk about papers (authorship, reviewing), not a review
        if len(words) >= 2 and words - _TALK_ABOUT_PAPERS:
            return True
    return False



def _first_content(lines: list[str]) -> int | None:
    return next((i for i, ln in enumerate(lines) if ln.strip()), None)


_BY_LINE = re.compile(r"^\s*(?:[^\w\s]{1,3}\s*)?(?:By|Authors?:|Авторы:)\s+\S.{0,300}$")


@per_post
def _titled_shape(s: str) -> bool:
    """A paper title as written without a link next to it: a colon or question, or most of its
    longer words capitalized (``Ranking Across Different Content Types``), as titles are and
    headlines and sentences mostly are not."""
    s = strip_bullet(s)
    if ":" in s or s.endswith("?"):
        return True
    words = [w for w in re.findall(r"[^\W\d_][\w\-’']*", s) if len(w) >= 4]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)




# arXiv ids as text prints them: "arXiv:2401.01234v1 [cs.CL]", "arXiv 2108.08754v2", "[2401.01234]",
# "arxiv.org/abs/…" without a scheme, arXiv's DOI "10.48550/arXiv.2401.01234", old-style "arXiv:cs/0601001"
_BARE_ARXIV = re.compile(
    r"(?<![\w/.])(?:arXiv\s*[:.]?\s*|(?:export\.)?arxiv\.org/(?:abs|pdf)/|10\.48550/arXiv\.|\[(?=\d{4}\.\d{4,5}(?:v\d+)?\])|"
    r"eprint\s*=\s*[{\"])"
    r"(\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?![\d.]?\d)",
    re.IGNORECASE)


def bare_arxiv(text: str) -> Link | None:
    """A paper link for an arXiv id written without a URL: ``arXiv:1706.03762``,
    ``arXiv:2401.01234v1 [cs.CL]`` (arXiv's listings and feeds), ``[2401.01234]``,
    ``arxiv.org/abs/1706.03762``, ``10.48550/arXiv.1706.03762`` (arXiv's DOI),
    ``arXiv:cs/0601001`` (old-style id), a BibTeX ``eprint = {2409.02525}`` (summary pages)."""
    m = _BARE_ARXIV.search(text)
    if m and (aid := parse_arxiv_id(m.group(1))):
        return Link(f"https://arxiv.org/abs/{aid}", "paper")
    return None


@per_post
def is_strong_author_line(line: str) -> bool:
    """:func:`..extract.is_strong_author_line`, remembered for the post."""
    return ex.is_strong_author_line(line)


@per_post
def link_role(url: str, label: str = "") -> str:
    """:func:`..extract.link_role`, remembered for the post."""
    return ex.link_role(url, label)


@per_post
def _author_line(line: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    parsed = ex.author_line(line)
    return (tuple(parsed[0]), tuple(parsed[1])) if parsed else None


def author_line(line: str) -> tuple[list[str], list[str]] | None:
    """:func:`..extract.author_line`, remembered for the post (fresh lists each call)."""
    parsed = _author_line(line)
    return (list(parsed[0]), list(parsed[1])) if parsed else None


@per_post
def _link_line(line: str) -> tuple[str, tuple[str, ...]] | None:
    parsed = ex.split_link_line(line)
    return (parsed[0], tuple(parsed[1])) if parsed else None


def split_link_line(line: str) -> tuple[str, list[str]] | None:
    """:func:`..extract.split_link_line`, remembered for the post (a fresh list each call)."""
    parsed = _link_line(line)
    return (parsed[0], list(parsed[1])) if parsed else None


@per_post
def _urls(text: str) -> tuple[str, ...]:
    return tuple(ex.find_urls(text))


def find_urls(text: str) -> list[str]:
    """:func:`..extract.find_urls` of one line, remembered for the post (a fresh list each call)."""
    return list(_urls(text))


def links_from_text(text: str) -> list[Link]:
    """:func:`..extract.links_from_text` with the line tests remembered for the post."""
    out = []
    for line in text.split("\n"):
        parsed = split_link_line(line)
        label = parsed[0] if parsed else ""
        out += [Link(url, link_role(url, label)) for url in find_urls(line)]
    return out
