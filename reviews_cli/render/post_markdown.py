"""Plain post text as Markdown that reads the way the post does, shared by ``show`` (rendered
with rich) and the Markdown export."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..safe_text import clean

# a list line in a post: a bullet, a dash, or a number with a dot or parenthesis
_LIST_LINE = re.compile(r"^([-•*–—]|\d{1,3}[.)])\s+(.*)$")


def body_markdown(body: str, inline: Callable[[str], str]) -> str:
    """``body`` as Markdown: each line its own paragraph (a post reads line by line), list lines
    kept as lists (``-`` or ``N.``); ``inline`` turns each line's text into safe inline Markdown
    (escaping, links). Control characters are escaped first (:func:`safe_text.clean`)."""
    out: list[str] = []
    prev_list = False
    for line in clean(body).split("\n"):
        s = line.strip()
        if not s:
            prev_list = False
            continue
        m = _LIST_LINE.match(s)
        if m:
            marker = "-" if not m.group(1)[0].isdigit() else m.group(1)[:-1] + "."
            out.append(("" if prev_list else "\n") + f"{marker} {inline(m.group(2))}")
            prev_list = True
        else:
            out.append("\n" + inline(s))
            prev_list = False
    return "\n".join(out).strip()
