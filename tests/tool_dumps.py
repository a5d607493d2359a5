"""Dumps of the shapes other tools write (Telethon, Pyrogram, a script's JSON Lines, snscrape,
tdl, CSV), built from the real public posts in tests/fixtures/real_posts/*.yaml (each keeps its
source URL there). A line ``Статья: URL`` of a real post becomes, in the shapes that can carry
one, the word ``Статья`` with the URL behind it (a Telethon entity, a Markdown link, snscrape's
``outlinks``), as those tools write a link behind words."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

from tme_server import Channel, page, real_posts, text_html

CHANNEL = "gonzo_ML"
_LABELLED = re.compile(r"^(Статья|Paper|Код|Code): (https?://\S+)$")
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]»]")


def sample() -> list[tuple[int, str, str]]:
    """``(id, ISO date, text)`` of the real posts, ids from 1."""
    out = []
    for k, e in enumerate(real_posts(), start=1):
        out.append((k, f"2025-{1 + k // 28 % 12:02d}-{1 + k % 28:02d}T10:00:00+00:00", e["text"].rstrip("\n")))
    return out


def unix(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def entities_form(text: str) -> tuple[str, list[dict]]:
    """Text and Telethon entities: labelled links behind their label, bare URLs as url entities."""
    out, ents = [], []
    for line in text.split("\n"):
        m = _LABELLED.match(line)
        prefix = "".join(out)
        if m:
            ents.append({"_": "MessageEntityTextUrl", "offset": _utf16(prefix), "length": _utf16(m.group(1)),
                         "url": m.group(2)})
            out.append(m.group(1) + "\n")
        else:
            for u in _URL.finditer(line):
                ents.append({"_": "MessageEntityUrl", "offset": _utf16(prefix + line[:u.start()]),
                             "length": _utf16(u.group(0))})
            out.append(line + "\n")
    return "".join(out).rstrip("\n"), ents


def markdown_form(text: str) -> str:
    """Telethon/Pyrogram Markdown: labelled links as ``[label](url)``, the first line in bold."""
    lines = []
    for k, line in enumerate(text.split("\n")):
        m = _LABELLED.match(line)
        if m:
            line = f"[{m.group(1)}]({m.group(2)})"
        elif k == 0 and line.strip() and "http" not in line:
            line = f"**{line}**"
        lines.append(line)
    return "\n".join(lines)


def snscrape_form(text: str) -> tuple[str, list[str]]:
    """snscrape's ``content`` (a link's label, not its URL) and ``outlinks``."""
    lines, links = [], []
    for line in text.split("\n"):
        m = _LABELLED.match(line)
        if m:
            lines.append(m.group(1))
            links.append(m.group(2))
        else:
            lines.append(line)
            links += [u.group(0) for u in _URL.finditer(line)]
    return "\n".join(lines), links


def telethon_json() -> str:
    msgs = []
    for pid, date, text in sample():
        body, ents = entities_form(text)
        msgs.append({"_": "Message", "id": pid, "peer_id": {"_": "PeerChannel", "channel_id": 1326223284},
                     "date": date, "message": body, "out": False, "entities": ents, "views": 1200})
        msgs.append({"_": "Message", "id": pid + 10000, "peer_id": {"_": "PeerChannel", "channel_id": 1326223284},
                     "date": date, "message": "", "media": {"_": "MessageMediaPhoto"}, "grouped_id": pid})
    return json.dumps(msgs, ensure_ascii=False, indent=1)


def pyrogram_json() -> str:
    msgs = [{"_": "Message", "id": pid, "chat": {"_": "Chat", "id": -1001326223284, "type": "ChatType.CHANNEL",
                                                   "title": "gonzo-обзоры ML статей", "username": CHANNEL},
             "date": date.replace("T", " ")[:19], "text": markdown_form(text)} for pid, date, text in sample()]
    return json.dumps(msgs, ensure_ascii=False, indent=2)


def script_jsonl() -> str:
    return "\n".join(json.dumps({"message_id": pid, "date": unix(date), "message_text": markdown_form(text),
                                 "link": f"https://t.me/{CHANNEL}/{pid}"}, ensure_ascii=False)
                     for pid, date, text in sample()) + "\n"


def snscrape_jsonl() -> str:
    lines = []
    for pid, date, text in sample():
        content, links = snscrape_form(text)
        lines.append(json.dumps({"_type": "snscrape.modules.telegram.TelegramPost", "url": f"https://t.me/{CHANNEL}/{pid}",
                                 "date": date, "content": content, "outlinks": links, "views": None,
                                 "linkPreview": None}, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def tdl_json() -> str:
    return json.dumps({"id": 1326223284, "messages": [
        {"id": pid, "type": "message", "file": "", "date": unix(date), "text": text} for pid, date, text in sample()]},
        ensure_ascii=False, indent=1)


def messages_csv(delimiter: str = ",") -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter)
    w.writerow(["id", "date", "text", "views", "url"])
    for pid, date, text in sample():
        w.writerow([pid, date.replace("T", " ")[:19], markdown_form(text), 100, f"https://t.me/{CHANNEL}/{pid}"])
    return out.getvalue()


def tme_page() -> str:
    """The same posts as a saved t.me/s page: what every shape is compared with."""
    ch = Channel(CHANNEL, "gonzo-обзоры ML статей")
    for pid, date, text in sample():
        ch.posts[pid] = (text_html(text), date)
    return page(ch, sorted(ch.posts), None, None)


SHAPES = {"telethon.json": telethon_json, "pyrogram.json": pyrogram_json, "script.jsonl": script_jsonl,
          "snscrape.jsonl": snscrape_jsonl, "tdl.json": tdl_json, "messages.csv": messages_csv}
