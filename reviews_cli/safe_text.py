"""Untrusted text -> terminal-safe text.

Dump text may carry ANSI escape sequences, C0/C1 control characters, and Unicode bidi overrides
that reorder what the terminal shows. :func:`clean` makes such characters visible as ``\\xNN`` /
``\\uNNNN`` escapes instead of letting them act, keeping newlines and tabs. Rich markup is a
separate danger: callers wrap the result in ``rich.text.Text`` (never ``console.print(str)``), so
``[bold]`` in a title stays literal text.
"""

from __future__ import annotations

import re

# C0 controls but \t and \n, DEL, C1 controls; bidi embeddings, overrides and isolates; marks
# that flip direction; the BOM and other invisible format characters that hide text.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u2028\u2029"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str | None) -> str:
    """``text`` with every control, escape and bidi-control character shown as an escape."""
    if not text:
        return ""
    return _UNSAFE.sub(_escape, text)


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character :func:`clean` would escape."""
    return _UNSAFE.search(text) is not None


def json_safe(text: str) -> str:
    """Serialized JSON (or a YAML document whose strings holding such characters are
    double-quoted) with every remaining control and bidi character written as a ``\\uXXXX``
    escape, which both formats read back as the same character."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def clean_line(text: str | None) -> str:
    """:func:`clean` for one-line fields: runs of white space (newlines too) become one space,
    and the ends are stripped."""
    return clean(" ".join((text or "").split()))


def clean_fragment(text: str | None) -> str:
    """:func:`clean` for a piece of a line: newlines and tabs become spaces, nothing stripped,
    so offsets into the original stay valid."""
    return clean((text or "").replace("\n", " ").replace("\t", " "))
