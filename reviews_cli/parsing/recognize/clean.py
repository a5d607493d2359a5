"""Stage 1 of recognition: the post's text without page and post chrome.

Source formats: what a browser copies from a Telegram channel page (``t.me/s/<channel>``) or a
mirror site printing channel posts (tgstat, telemetr, tgoop and alike: ``Открыть в Telegram``,
view counts ``👁 1.2K``, reaction rows, ``<Name> – Telegram`` headers), saved web pages (Habr and
its reposts, Medium, blogs, summary sites: breadcrumbs ``Главная › Блог › …``, dates, bylines
``4 min read``, ``Время на прочтение``, ``Share``), and what copying does to text: CRLF line
ends, NBSP and zero-width characters, a URL broken across two lines, a headline or a whole post
printed twice, a post flattened into one line.

Every function here is pure. :func:`clean_lines` keeps the line count of its input (chrome is
blanked, not removed) so that hidden links, which name their line, stay where they were; only
:func:`unflatten` splits a line, and it moves the links with their label.
"""

from __future__ import annotations

import re

from ... import extract as ex
from ..post import HiddenLink
from .lines import is_furniture

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")
_SPACES = re.compile("[\u00a0\u202f\u2007\u2009\u2002\u2003\u3000]")


def normalize_text(text: str) -> str:
    """CRLF and lone CR to LF, NBSP-like spaces to a space, zero-width characters, soft hyphens
    and direction marks dropped (copies from browsers and Word carry them inside words)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = _SPACES.sub(" ", _INVISIBLE.sub("", text))
    return text


# --------------------------------------------------------------------------- chrome lines

_MONTHS = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?|"
           r"(?:янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)[а-я]*\.?")
_DATE = (rf"(?:\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?|"
         r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|\d{1,2}[./]\d{1,2}[./]\d{2,4}|"
         r"(?:сегодня|вчера|today|yesterday)(?:\s+(?:в|at)\s+\d{1,2}:\d{2})?)")
_CHROME = re.compile(
    rf"^(?:(?:published|posted|updated|опубликовано|обновлено|дата публикации)?\s*:?\s*{_DATE}"
    r"(?:\s*(?:[,·•|]|в|at)?\s*\d{1,2}:\d{2})?(?:\s*[·•|,]\s*\d+\s*(?:min|мин)\w*(?:\s+read)?)?\.?|"
    r"\d+\s*(?:min(?:ute)?s?\s+read|мин(?:ут[аы]?)?\s+(?:чтения|на чтение))|"
    r"(?:📅\s*)?(?:published|date|year(?:\s*/\s*venue)?|опубликовано|дата|год|создано|created|last update)"
    r"\s*:\s*.{0,30}|"
    r"(?:tg|telegram)(?: \w+){0,3} (?:group|channel|search|link|links|каналы?|поиск)(?: \w+){0,2}|"
    r"(?:время на прочтение|reading time|read time)\s*:?.{0,20}|"
    r"(?:posted|written|published)\s+by\s+.{2,60}|(?:автор публикации|editor at|редактор)\s*:?.{0,60}|"
    r"(?:👁|👀|👁‍🗨)\s*[\d.,]+\s*[KkMmКкМм]?.{0,20}|(?:просмотров|views)\s*:?\s*[\d\s.,]+[KkMmКкМм]?|"
    r"\d{1,3}(?:[ .,]?\d{3})*(?:[.,]\d+)?\s*[KkMmКкМм]?\s+(?:просмотр\w*|views?|comments?|комментари\w*|"
    r"reposts?|репост\w*)|"
    r"(?:открыть|смотреть|читать|посмотреть)\s+(?:в|пост в)\s+telegram|(?:open|view|read)\s+(?:in|on)\s+telegram|"
    r"(?:share|поделиться|copy link|скопировать ссылку|копировать ссылку|в избранное|добавить в закладки|"
    r"bookmark|save|сохранить|report|пожаловаться|подписаться|subscribe|follow|отписаться|"
    r"comments?|комментари[ийя]|ответить|reply|like|нравится|tweet|твитнуть|listen|слушать|"
    r"back to top|наверх|назад|back|next|previous|следующ\w+|предыдущ\w+|главная|home|menu|меню|поиск|search|"
    r"sign in|log in|войти|регистрация|sign up|get the app|open in app|member-only story|"
    r"перейти к (?:содержимому|каналу|посту|навигации|поиску)|skip to (?:main )?content|"
    r"jump to (?:content|navigation|search)|table of contents|содержание|оглавление)"
    r"(?:\s*[\d.,]+\s*[KkMm]?)?|"
    r"@[A-Za-z][\w]{3,31}|t\.me/[A-Za-z][\w]{3,31}(?:/\d+)?|"
    r"\d[\d\s.,]*[KkMmКкМм]?\s+(?:subscribers|подписчик\w*|members|участник\w*)|"
    r".{1,60}\s+[–—-]\s+telegram|telegram-канал .{1,60})\s*$",
    re.IGNORECASE,
)
_BREADCRUMB_SEP = re.compile(r"\s(?:›|»|>|/|→|\||·|•|::)\s")


def is_chrome(line: str) -> bool:
    """A line of page or post chrome, never a title, author or body line: furniture (view
    counts, times, ``Forwarded from``, reactions), dates (``5 Dec 2025``, ``12 марта 2024``,
    ``2024-03-05 12:00``), reading times (``4 min read``), mirror and share buttons (``Открыть
    в Telegram``, ``Share``, ``Copy link``), channel headers (``@gonzo_ML``, ``24.1K
    subscribers``, ``<Name> – Telegram``) and breadcrumbs (``Главная › Блог › ML``: three or more
    short parts joined by ``›``, ``»``, ``/``, ``>``, ``|``)."""
    s = line.strip()
    if not s or len(s) > 160:
        return False
    if is_furniture(s) or ex.is_reaction_line(s) or _CHROME.match(s):
        return True
    if len(s) <= 120:
        parts = _BREADCRUMB_SEP.split(s)
        if len(parts) >= 3 and all(0 < len(p.strip()) <= 40 for p in parts) and "://" not in s:
            return True
    return False


def _doubled(s: str) -> str | None:
    """The line once when it is printed twice in a row (``TitleTitle``, ``Title Title``)."""
    n = len(s)
    if n >= 16:
        half = n // 2
        if n % 2 == 0 and s[:half] == s[half:]:
            return s[:half]
        if n % 2 == 1 and s[half] == " " and s[:half] == s[half + 1:]:
            return s[:half]
    return None


def clean_lines(lines: list[str]) -> list[str]:
    """``lines`` with chrome blanked and doubling undone, same count: a chrome line (see
    :func:`is_chrome`) becomes ``''``; a line repeated right under itself (blank lines
    between allowed) is blanked the second time; a line that is its own text twice keeps one
    copy; a post whose whole text is printed twice keeps its first copy."""
    out = [ln for ln in lines]
    for i, ln in enumerate(out):
        if ln and is_chrome(ln):
            out[i] = ""
        elif len(ln) >= 16 and (once := _doubled(ln.strip())):
            out[i] = once
    # the same line right under itself: a headline printed twice (page title + h1)
    prev = -1
    for i, ln in enumerate(out):
        s = ln.strip()
        if not s:
            continue
        if prev >= 0 and s == out[prev].strip() and len(s) >= 8:
            out[i] = ""
            continue
        prev = i
    # the whole post printed twice (mirror pages render the preview and the full text)
    content = [i for i, ln in enumerate(out) if ln.strip()]
    n = len(content)
    if n >= 4 and n % 2 == 0:
        half = n // 2
        if all(out[content[k]].strip() == out[content[k + half]].strip() for k in range(half)):
            for k in range(half, n):
                out[content[k]] = ""
    return out


# ------------------------------------------------------------------------- broken URLs

_URL_AT_END = re.compile(r"(?:https?://|www\.)\S*$", re.IGNORECASE)
_URL_TAIL = re.compile(r"^[\w./?=&%#~+-]+")


def join_broken_urls(lines: list[str]) -> list[str]:
    """A URL broken across two lines joined back (same line count; the tail leaves the second
    line): the first line ends in a URL that ends in ``/ . - _ = ?`` or whose arXiv id is cut
    (``https://arxiv.org/abs/2401.`` / ``01234``), and the next line starts with URL characters
    only."""
    out = list(lines)
    for i in range(len(out) - 1):
        m = _URL_AT_END.search(out[i].rstrip())
        if not m:
            continue
        url = m.group(0)
        nxt = out[i + 1].lstrip()
        t = _URL_TAIL.match(nxt)
        if not t or not t.group(0).isascii():
            continue
        tail = t.group(0)
        cut = url[-1] in "/.-_=?&" or url.endswith(("://", "www."))
        digits_cut = bool(re.search(r"/\d{4}\.?\d{0,4}$", url)) and tail[:1].isdigit()
        if not (cut or digits_cut) or (tail[:1].isalpha() and tail[:1].isupper() and not cut):
            continue
        if cut and not (any(c.isdigit() for c in tail) or "/" in tail or "." in tail or url.endswith("/")):
            continue
        out[i] = out[i].rstrip() + tail
        out[i + 1] = nxt[len(tail):].lstrip()
    return out


# ------------------------------------------------------------------------- flattened posts

_LABELS = (r"Авторы статьи|Авторы|Authors?|Автор обзора|Статья|Ссылка на статью|Оригинал статьи|Paper|Arxiv|"
           r"arXiv|Код|Code|GitHub|Github|Project page|Проект|Demo|Демо|Blog|Блог|Датасет|Dataset|"
           r"📄\s*\w+|💻\s*\w+|🔗\s*\w+")
_SPLIT_AT = re.compile(rf"(?<=\S)\s+(?=(?:{_LABELS})\s*:)")
_SPLIT_AFTER_URL = re.compile(r"(?<=\S)(?<=[\w/)])\s+(?=(?:[A-ZА-ЯЁ][a-zа-яё]+[\s,]|#\w))")
_URL_IN = re.compile(r"(?:https?://|www\.)\S+")
_NAME = r"[A-Z][a-zà-žа-яё]+(?:-[A-Z][a-z]+)?(?: [A-Z]\.)? [A-Z][a-zà-ž]+(?:-[A-Z][a-zà-ž]+)?"
_AUTHORS_START = re.compile(rf"(?<=[\w)?])\s+(?={_NAME}, {_NAME}[,\s])")


def unflatten(text: str, links: list[HiddenLink]) -> tuple[str, list[HiddenLink]]:
    """A post flattened into one line (a mirror that drops line breaks) split at its labels:
    before ``Статья:``, ``Paper:``, ``Авторы:``, ``Code:`` … and after the URL that ends a
    label's value, before an author list that follows the title (``<Title> Ziming Liu, Yixuan
    Wang, …``), and before a closing run of hashtags. Only a text with at most two lines, one of
    them over 300 characters and holding a label, is split; hidden links move to
    the new line that holds their label. Other texts come back unchanged."""
    if text.count("\n") > 1:
        return text, links
    long = max(text.split("\n"), key=len)
    if len(long) < 300 or not _SPLIT_AT.search(long):
        return text, links
    parts: list[str] = []
    for seg in _SPLIT_AT.split(text):
        # "Paper: URL Some prose…": the prose after a label's URL is a line of its own
        urls = list(_URL_IN.finditer(seg))
        if urls and re.match(rf"^(?:{_LABELS})\s*:", seg):
            end = urls[-1].end()
            rest = seg[end:]
            m = _SPLIT_AFTER_URL.match(rest) if rest.strip() else None
            if m is not None or (rest.strip() and rest[:1].isspace()):
                parts += [seg[:end], rest.strip()]
                continue
        parts.append(seg)
    # "<Title> Ziming Liu, Yixuan Wang, …": the author list after the title is a line of its own
    if parts and (m := _AUTHORS_START.search(parts[0][:400])) and m.start() > 10:
        parts[:1] = [parts[0][:m.start()], parts[0][m.start():]]
    tags = re.search(r"(?:\s+#\w[\w-]*)+\s*$", parts[-1]) if parts else None
    if tags and tags.start() > 0:
        parts[-1:] = [parts[-1][:tags.start()], tags.group(0).strip()]
    new_lines = [p.strip() for p in parts if p.strip()]
    moved = []
    for hl in links:
        k = next((j for j, ln in enumerate(new_lines) if hl.label and hl.label in ln), 0)
        moved.append(HiddenLink(k, hl.label, hl.href))
    return "\n".join(new_lines), moved


# ---------------------------------------------------------------------------- markup

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}[ \t]+\S")
_HTML_LINE = re.compile(r"^<(?P<tag>h[1-6]|b|strong)(?:\s[^<>]{0,200})?>(?P<t>[^<>]*)</(?P=tag)>$", re.IGNORECASE)


def _unwrap(line: str) -> str | None:
    """The text of a heading line in markup, else ``None`` (string tests, no regex over the
    line's length: a long line of ``#`` or ``*`` stays linear)."""
    s = line.strip()
    if s[:1] == "#" and _MD_HEADING.match(line):
        t = s.lstrip("#").strip()
        if t.endswith("#") and " #" in t:  # closing hashes: "## Title ##"
            t = t.rstrip("#").rstrip()
        return t or None
    for mark in ("**", "__"):
        if len(s) > 4 and s.startswith(mark) and s.endswith(mark) and mark not in s[2:-2]:
            return s[2:-2].strip() or None
    if s[:1] == "<" and (m := _HTML_LINE.match(s)):
        return m.group("t").strip() or None
    return None


def strip_markup(lines: list[str]) -> tuple[list[str], list[int]]:
    """Lines set as headings in Markdown or HTML markup, unwrapped, and their indices (same line
    count): ``## Title``, ``**Title**`` / ``__Title__`` alone on a line, ``<h2>Title</h2>`` /
    ``<b>Title</b>`` alone on a line (a digest saved as Markdown, or with its tags, and the marker
    the Habr container puts on ``<h2>``–``<h4>``). A hashtag line (``#tag``) is not a heading."""
    out = list(lines)
    marks: list[int] = []
    for i, ln in enumerate(out):
        if ln.lstrip()[:1] in ("#", "*", "_", "<") and (t := _unwrap(ln)):
            out[i] = t
            marks.append(i)
    return out, marks


# ------------------------------------------------------------------------- not a digest

_CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from [\w.]+ import |return\b|if __name__|#!|@\w+|elif |else:|try:|except\b|"
    r"for \w+ in |while |with .+:$|print\(|[\w.\[\]'\"]+\s*[-+*/]?=\s*\S|[{}\[\]();,]+$|"
    r"(?:const|let|var|function|public|private|static|void|int|#include|package)\b)")
_BIBTEX_LINE = re.compile(r"^\s*(?:@\w+\s*\{|\w+\s*=\s*[{\"\d]|\}\s*,?\s*$)")
_DATA_ROW = re.compile(r"^[\s\d.,;:\t|+eE%-]*\d[\s\d.,;:\t|+eE%-]*$")
_README_HEADING = re.compile(
    r"^(?:installation|install|usage|license|licence|requirements|dependencies|getting started|quick ?start|"
    r"contributing|development|building|build|running|configuration|examples?|установка|использование|лицензия|"
    r"запуск|зависимости)\b", re.IGNORECASE)


def not_a_digest(lines: list[str], headings: list[int]) -> str | None:
    """What a text that is not a post or digest at all is (``source code``, ``a table of
    numbers``, ``a code repository's README``), else ``None``. Source code: half or more of the
    non-blank lines are code (``def``/``import``/``return``/assignments/brackets; indentation alone
    is not code: Habr copies indent their text); numbers:
    half or more are delimited numeric rows; a README: two or more of its usual headings
    (Installation, Usage, License, Requirements…) or one with a code fence or ``pip install``."""
    content = [ln for ln in lines if ln.strip()]
    if len(content) < 3:
        return None
    # a BibTeX entry (summary pages cite the paper with one) is not code
    code = [ln for ln in content if not _BIBTEX_LINE.match(ln)]
    if sum(1 for ln in code if _CODE_LINE.match(ln)) >= 0.5 * len(content):
        return "source code, not a post or digest"
    if sum(1 for ln in content if _DATA_ROW.match(ln) and len(re.findall(r"[,;\t|]", ln)) >= 1) >= 0.5 * len(content):
        return "a table of numbers, not a post or digest"
    marked = {lines[i].strip() for i in headings}
    readme = sum(1 for ln in content if len(ln) <= 40 and _README_HEADING.match(ln.strip())
                 and (ln.strip() in marked or ln.strip().rstrip(":") == ln.strip()))
    tools = any(ln.lstrip().startswith(("```", "pip install", "$ pip", "git clone", "npm install", "conda install"))
                for ln in content)
    if readme >= 2 or (readme >= 1 and tools):
        return "a code repository's README, not a post or digest"
    return None
