"""Variants of a labelled review post that must not change what the recognizer reads from it
(issue 16 point 6): the same title and, where the link survives, the same arXiv id. Shared by
tests/test_metamorphic.py."""

from __future__ import annotations

import re

_URL = re.compile(r"(?:https?://|www\.)\S+")
_LABELLED = re.compile(r"^(?P<label>[^\n:]{1,40}?)\s*:\s*(?:https?://|www\.)\S+\s*$", re.MULTILINE)

CHROME_ABOVE = ["Главная › Блог › Машинное обучение", "5 Dec 2025", "Posted by Ivan Petrov", "4 min read",
                "Открыть в Telegram", "@mlreviews", "24.1K subscribers"]
CHROME_BELOW = ["👁 1.2K", "🔥 12 👍 3 ❤️ 1", "Share", "Copy link", "1 234 просмотра", "Комментарии 3"]


def links_removed(text: str) -> str:
    """Every link gone, the words it sat behind kept: ``Статья: URL`` -> ``Статья``, a bare URL
    line dropped, a URL inside a sentence dropped."""
    text = _LABELLED.sub(lambda m: m.group("label"), text)
    return _URL.sub("", text)


def url_broken(text: str) -> str:
    """Every arXiv URL broken across two lines after ``abs/`` (or ``pdf/``)."""
    return re.sub(r"(arxiv\.org/(?:abs|pdf)/)(\S)", r"\1\n\2", text)


def with_chrome(text: str, above: list[str], below: list[str]) -> str:
    """Page and post chrome added above and below the post."""
    return "\n".join(above) + ("\n\n" if above else "") + text.rstrip("\n") + ("\n\n" if below else "") + \
        "\n".join(below) + "\n"


def printed_twice(text: str) -> str:
    """The whole post printed twice (mirror pages print the preview and the full text)."""
    return text.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"


def flattened(text: str) -> str:
    """Every line break removed."""
    return " ".join(ln.strip() for ln in text.split("\n") if ln.strip())


def title_moved(text: str, title: str, how: str, arxiv_id: str | None) -> str:
    """The title rewritten where it stands: in quotes, after a label, after a lead-in sentence,
    or prefixed by its arXiv id in brackets."""
    lines = text.split("\n")
    k = next(i for i, ln in enumerate(lines) if ln.strip() and title in ln)
    new = {"quotes": f"«{title}»", "label": f"Title: {title}",
           "lead_in": f"Недавно вышла статья «{title}».",
           "id": f"[{arxiv_id}] {title}" if arxiv_id else title}[how]
    lines[k] = lines[k].replace(title, new, 1)  # the rest of the line (a link after the title) stays
    return "\n".join(lines)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def nbsp(text: str) -> str:
    """Every other space a no-break space."""
    out, k = [], 0
    for ch in text:
        if ch == " ":
            k += 1
            out.append("\u00a0" if k % 2 else " ")
        else:
            out.append(ch)
    return "".join(out)


def zero_width(text: str) -> str:
    """Zero-width spaces and joiners after every tenth character."""
    return "".join(ch + ("\u200b" if i % 10 == 9 else "") for i, ch in enumerate(text))
