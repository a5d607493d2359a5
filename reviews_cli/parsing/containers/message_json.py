"""Lists of message objects that other tools write, streamed from the file:

- a JSON array of message objects (Telethon ``[m.to_dict() for m in …]`` or a script's own
  ``{"id", "date", "message"/"text", "url"}`` objects, Pyrogram's ``str(message)`` objects);
- JSON Lines, one message object per line (the same scripts; snscrape's ``telegram-channel``
  with ``--jsonl``: ``{"url", "date", "content", "outlinks", …}``);
- (an object holding such a list under ``messages``, as tdl's ``chat export`` writes it, is read by
  the Telegram Desktop container, which hands message objects it does not know to
  :func:`.message_text.message_object`.)

An array is read with ijson (bounded memory, the same nesting and number guards as the Telegram
Desktop export); JSON Lines a line at a time. A line that is not JSON is one skipped post.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...errors import DumpError
from ..common import Skipped
from ..detect import DumpSource
from ..post import Post
from .message_text import message_object

# a JSON Lines line longer than this is not a message
MAX_LINE_CHARS = 16 * 1024 * 1024
def iter_posts(src: DumpSource) -> Iterator[Post | Skipped]:
    """The messages of a JSON array or JSON Lines dump, streamed from ``src.path``."""
    from ..json_stream import open_utf8

    with open_utf8(src.path) as raw:
        first = raw.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if first.startswith(b"["):
        yield from _array(src)
    else:
        yield from _lines(src)


def _array(src: DumpSource) -> Iterator[Post | Skipped]:
    import ijson

    from ..json_stream import StreamReader, open_utf8

    with open_utf8(src.path) as raw:
        stream = StreamReader(raw, src.path)
        try:
            for k, obj in enumerate(ijson.items(stream, "item")):
                yield message_object(obj, k, src.channel)
        except ijson.JSONError as exc:
            msg = " ".join(str(exc).split())[:120]
            raise DumpError(src.path, f"broken JSON near byte {stream.consumed}: {msg}") from None


def _lines(src: DumpSource) -> Iterator[Post | Skipped]:
    with open(src.path, encoding="utf-8-sig", errors="replace", newline="") as f:
        k = 0
        n = 0
        while True:
            line = f.readline(MAX_LINE_CHARS + 1)
            if not line:
                break
            n += 1
            if len(line) > MAX_LINE_CHARS:
                while line and not line.endswith("\n"):  # skip the rest of an overlong line
                    line = f.readline(MAX_LINE_CHARS)
                yield Skipped(f"line {n}", "longer than a message can be")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                yield Skipped(f"line {n}", "not a JSON object")
                continue
            yield message_object(obj, k, src.channel)
            k += 1
