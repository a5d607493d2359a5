"""A table of messages kept as CSV (a spreadsheet export, pandas' ``to_csv`` of a scrape): a
header row naming a text column and a date column, one message a row.

Columns are found by name, case-insensitive (first found wins): the text ``text``, ``message``,
``message_text``, ``content``, ``body``, ``post``, ``caption``, ``текст``, ``сообщение``; the date
``date``, ``datetime``, ``timestamp``, ``time``, ``published``, ``created_at``, ``дата``; and
optionally the id, the post's URL and the channel (as for JSON message objects, see
:mod:`.message_text`). The delimiter is the header's (``,``, ``;``, tab or ``|``); quoted fields
may hold line breaks. Text is read as plain text, or as Telethon Markdown when it has
``[label](url)`` links. Rows are read one at a time (bounded memory).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator

from ...errors import DumpError
from ..common import Skipped
from ..detect import TEXT_COLUMNS, DumpSource, csv_header
from ..post import Post
from .message_text import message_object

# map the table's own column names to the message-object keys message_object reads
_ALIASES = {"body": "text", "post": "text", "текст": "text", "сообщение": "text", "published": "date",
            "дата": "date", "ссылка": "url", "канал": "channel"}
# the largest field a post can be (csv's default 128 KB is too small for a long post)
MAX_FIELD_CHARS = 16 * 1024 * 1024


def iter_posts(src: DumpSource) -> Iterator[Post | Skipped]:
    """The rows of a CSV table of messages, one post each, streamed from ``src.path``."""
    csv.field_size_limit(min(MAX_FIELD_CHARS, sys.maxsize))
    with open(src.path, encoding="utf-8-sig", errors="replace", newline="") as f:
        found = csv_header(f.read(8192))
        if found is None:
            return
        delimiter, names = found
        f.seek(0)
        if f.read(1) != "\ufeff":
            f.seek(0)
        reader = csv.reader(f, delimiter=delimiter)
        next(reader, None)
        keys = [_ALIASES.get(n, n) for n in names]
        text_key = next(_ALIASES.get(n, n) for n in names if n in TEXT_COLUMNS)
        for k, row in enumerate(_rows(reader, src.path)):
            if not any(cell.strip() for cell in row):
                continue
            obj: dict[str, object] = {}
            for key, cell in zip(keys, row):
                obj.setdefault(key, cell if cell != "" else None)
            if text_key != "text":  # the text column under the key message_object reads first
                obj["text"] = obj.get(text_key)
            post = message_object(obj, k, src.channel)
            if isinstance(post, Skipped):
                post.where = f"row {k + 2}"
            yield post


def _rows(reader: Iterator[list[str]], path: str) -> Iterator[list[str]]:
    """The rows of ``reader``; a row csv refuses (a field over :data:`MAX_FIELD_CHARS`) is a
    :class:`DumpError`, as the reader cannot resync after it."""
    n = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DumpError(path, f"row {n + 1}: {' '.join(str(exc).split())[:120]}") from None
        n += 1
        yield row
