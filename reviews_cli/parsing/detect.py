"""The format registry: every dump format, its sniffer and its container, in one place.

A container is a function ``iter_posts(source: DumpSource) -> Iterator[Post | Skipped]``: it says
where posts start and end and what links each carries, and nothing else (the recognizer decides
what is a review). Containers live in their own modules and are imported only when a dump of
their format is read, so ``import reviews_cli.parsing`` stays cheap for a search.

To add a format: write its container module, then add one :class:`Format` line to
:data:`FORMATS` (order matters: more specific sniffers first).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .common import Skipped
from .post import Post


@dataclass
class DumpSource:
    """One dump being read. ``path`` is the file to open, ``name`` what the records' sources and
    error messages call it, ``channel`` the channel's username where the format lacks it (Telegram
    Desktop exports), ``text`` the decoded content (``None`` for a format that streams the file
    itself). A container sets ``origin`` (the channel or site title) before its first post;
    ``notes`` says what the report should mention (invalid bytes replaced, a legacy encoding)."""

    path: str
    name: str
    channel: str | None = None
    text: str | None = None
    origin: str | None = None
    notes: list[str] = field(default_factory=list)  # for the report: how the bytes were decoded


PostIterator = Iterator[Post | Skipped]


@dataclass(frozen=True)
class Format:
    """A registered dump format.

    ``sniff(head)`` judges the first 200 000 decoded characters; ``container`` is
    ``"module:function"`` in this package; ``streamed`` formats read ``source.path`` themselves
    (never decoded in full); ``posts_apart`` is true where the container knows post bounds for
    sure (exports, saved pages), so a dump whose posts are all skipped is a normal dump with
    nothing to index rather than "no review found".
    """

    name: str
    sniff: Callable[[str], bool]
    container: str
    streamed: bool = False
    posts_apart: bool = False

    def iter_posts(self, source: DumpSource) -> PostIterator:
        module, func = self.container.split(":")
        container: Callable[[DumpSource], PostIterator] = getattr(
            importlib.import_module(f"{__package__}.{module}"), func)
        return container(source)


_JSON_EXPORT = re.compile(r'^\ufeff?\s*\{[\s\S]*?"(?:messages|chats|personal_information)"\s*:')
# an array of numbers is JSON only when it goes on like one: "[2501.00663] Title" is an arXiv listing line
_JSON_LIKE = re.compile(
    r'^\ufeff?\s*(?:\{\s*(?:"|\})|\[\s*(?:[\[{"\]]|-?\d[\d.eE+-]*\s*(?:,|\]\s*\Z)|true|false|null))')
_MIRROR_ID = re.compile(r"(?m)^\s*(?:https?://)?(?:www\.)?(?:tgoop\.com|t\.me|telegram\.me|tgstat\.\w+|teletype\.in)"
                        r"/(?:s/)?[A-Za-z]\w{3,}/\d+\s*$")
_NUMBERED = re.compile(r"(?m)^\s*\d{1,3}[.)]\s+\S[^\n]*\n\s*\n?\s*(?:[^\n:]{0,40}:\s*)?https?://\S+\s*$")


# How far into a page the HTML sniffers look: a page saved with its styles and fonts inlined
# (SingleFile and alike) can carry megabytes before the first post.
HTML_SNIFF_CHARS = 8_000_000
TEXT_SNIFF_CHARS = 200_000


def _html(head: str) -> bool:
    low = head[:20_000].lower()
    return "<html" in low or "<!doctype html" in low or "<div" in low or "<body" in low


def looks_like_json(head: str) -> bool:
    """Whether text starts like a JSON document (``{"…`` or ``[{…``), as opposed to prose that
    merely starts with a bracket (``[Алгоритмы, Машинное обучение] Рубрика …``, arXiv's listing
    form ``[2501.00663] Titans: …``)."""
    return bool(_JSON_LIKE.match(head))


_ID_KEY = re.compile(r'"(?:id|message_id|url|link|message_url)"\s*:')
_TEXT_KEY = re.compile(r'"(?:text|message|message_text|content|raw_text|caption)"\s*:')


def is_message_json(head: str) -> bool:
    """Whether decoded text starts like a list of message objects (Telethon, Pyrogram, snscrape):
    a JSON array whose first item is an object, or JSON Lines whose first line is a whole
    object, with an id or URL key and a text key in the first 64 KB."""
    start = head.lstrip("\ufeff \t\r\n")[:65536]
    if not (re.match(r"\[\s*\{", start) or start.startswith("{")):
        return False
    if not (_ID_KEY.search(start) and _TEXT_KEY.search(start)):
        return False
    return not start.startswith("{") or start.split("\n", 1)[0].rstrip().endswith("}")


TEXT_COLUMNS = ("text", "message", "message_text", "content", "body", "post", "caption", "текст", "сообщение")
DATE_COLUMNS = ("date", "datetime", "timestamp", "time", "published", "created_at", "дата")


def csv_header(head: str) -> tuple[str, list[str]] | None:
    """``(delimiter, column names casefolded)`` when the first line of ``head`` is a CSV header
    (``,``, ``;``, tab or ``|``) naming a text column and a date column, else ``None``."""
    import csv

    line = head.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    if not line or len(line) > 4000 or re.match(r"\s*[<\[{]", line):
        return None
    for d in ",;\t|":
        if d not in line:
            continue
        try:
            names = [c.strip().casefold() for c in next(csv.reader([line], delimiter=d))]
        except (csv.Error, StopIteration):
            continue
        if len(names) >= 2 and any(n in TEXT_COLUMNS for n in names) and any(n in DATE_COLUMNS for n in names):
            return d, names
    return None


def _is_mirror(head: str) -> bool:
    return bool(_MIRROR_ID.search(head[:40_000])) and bool(re.search(r"(?m)^\s*(?:Last Update:|Create:|BY )", head))


def _is_habr_text(head: str) -> bool:
    return bool(re.search(r"(?m)^\s*(?:\d{1,3}[.)]\s+.*\n\s*)?Авторы статьи\s*:", head)) and (
        bool(re.search(r"(?m)^\s*Автор обзора\s*:", head)) or "Читаем статьи за вас" in head)


FORMATS: list[Format] = [
    Format("telegram-export-json", lambda h: bool(_JSON_EXPORT.match(h[:65536])), "telegram_export:iter_json_posts",
           streamed=True, posts_apart=True),
    Format("telegram-messages-json", is_message_json, "containers.message_json:iter_posts", streamed=True,
           posts_apart=True),
    Format("messages-csv", lambda h: csv_header(h) is not None, "containers.csv_table:iter_posts", streamed=True,
           posts_apart=True),
    Format("telegram-web-html", lambda h: _html(h) and "tgme_widget_message" in h[:HTML_SNIFF_CHARS],
           "web_html:iter_tgme_posts", posts_apart=True),
    Format("telegram-export-html",
           lambda h: _html(h) and 'class="message' in h[:HTML_SNIFF_CHARS] and (
               "page_wrap" in h[:HTML_SNIFF_CHARS] or 'class="history"' in h[:HTML_SNIFF_CHARS]),
           "telegram_export:iter_html_posts", posts_apart=True),
    Format("habr-html", lambda h: _html(h) and any(
        m in h[:HTML_SNIFF_CHARS] for m in ("tm-article", "post__text", "habr.com", "Habr.com")),
           "web_html:iter_habr_posts"),
    Format("telegram-mirror-text", lambda h: not _html(h) and _is_mirror(h[:TEXT_SNIFF_CHARS]),
           "telegram_text:iter_mirror_posts"),
    Format("habr-text", lambda h: not _html(h) and _is_habr_text(h[:TEXT_SNIFF_CHARS]),
           "digest_text:iter_article_posts"),
    Format("numbered-digest-text", lambda h: not _html(h) and len(_NUMBERED.findall(h[:TEXT_SNIFF_CHARS])) >= 2,
           "digest_text:iter_article_posts"),
    # any other text: a copied channel page, a copied post or a mirror page without its id line
    Format("telegram-web-text", lambda h: not _html(h) and not looks_like_json(h), "telegram_text:iter_channel_posts"),
]

BY_NAME = {f.name: f for f in FORMATS}


def sniff(head: str) -> Format | None:
    """The registered format of a dump judged from its content (each sniffer looks as far as it
    needs: :data:`TEXT_SNIFF_CHARS` into text, :data:`HTML_SNIFF_CHARS` into a page), or ``None``."""
    return next((f for f in FORMATS if f.sniff(head)), None)


def refusal(head: str) -> str:
    """Why no format fits (for the one-line error)."""
    if _html(head):
        return "an HTML page, but not a saved t.me/s page, Telegram export or Habr article"
    if looks_like_json(head):
        return ("JSON, but not a Telegram Desktop export (no \"messages\" or \"chats\") nor a list of message "
                "objects (no id and text keys)")
    return "no review found (not a supported digest, channel dump or export)"
