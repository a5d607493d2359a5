"""Untrusted text -> terminal-safe text.

Dump text may carry ANSI escape sequences, C0/C1 control characters, and Unicode bidi overrides
that reorder what the terminal shows. :func:`clean` makes such characters visible as ``\\xNN`` /
``\\uNNNN`` escapes instead of letting them act, keeping newlines and tabs. Rich markup is a
separate danger: callers wrap the result in ``rich.text.Text`` (never ``console.print(str)``), so
``[bold]`` in a title stays literal text.
"""

from __future__ import annotations

import functools

# C0 controls but \t and \n, DEL, C1 controls; bidi embeddings, overrides and isolates; marks
# that flip direction; the BOM and other invisible format characters that hide text. A table
# for str.translate, not a regex: a character class reaching past U+00FF costs ~1 ms to compile
# (a 64K-entry bitmap), on every start of the program.
_UNSAFE_CODES = (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200B, 0x200E, 0x200F,
                 *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0x2028, 0x2029, 0xFEFF,
                 *range(0xFFF9, 0xFFFC), *range(0xE0000, 0xE0080))
_UNSAFE = frozenset(map(chr, _UNSAFE_CODES))


@functools.cache
def _table(kind: str) -> dict[int, str]:
    """The ``str.translate`` table writing each unsafe character as an escape: ``shown`` for
    the terminal (``\\xNN``/``\\uNNNN``), ``json`` (only ``\\uXXXX``: a character past U+FFFF as
    its UTF-16 surrogate pair), ``yaml`` (``\\UXXXXXXXX`` past U+FFFF: YAML reads a surrogate
    pair as two lone surrogates). Built on first use: most runs print no unsafe character."""
    if kind == "shown":
        return {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _UNSAFE_CODES}
    if kind == "json":
        return {c: f"\\u{0xD800 + ((c - 0x10000) >> 10):04x}\\u{0xDC00 + ((c - 0x10000) & 0x3FF):04x}"
                if c > 0xFFFF else f"\\u{c:04x}" for c in _UNSAFE_CODES}
    return {c: f"\\U{c:08x}" if c > 0xFFFF else f"\\u{c:04x}" for c in _UNSAFE_CODES}


def clean(text: str | None) -> str:
    """``text`` with every control, escape and bidi-control character shown as an escape."""
    if not text:
        return ""
    return text if _UNSAFE.isdisjoint(text) else text.translate(_table("shown"))


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character :func:`clean` would escape."""
    return not _UNSAFE.isdisjoint(text)


def json_safe(text: str) -> str:
    """Serialized JSON with every remaining control and bidi character written as a ``\\uXXXX``
    escape (a surrogate pair past U+FFFF), which JSON reads back as the same character."""
    return text if _UNSAFE.isdisjoint(text) else text.translate(_table("json"))


def yaml_safe(text: str) -> str:
    """A serialized YAML document whose strings holding such characters are double-quoted, with
    every remaining control and bidi character written as ``\\uXXXX`` or ``\\UXXXXXXXX``, which
    YAML reads back as the same character."""
    return text if _UNSAFE.isdisjoint(text) else text.translate(_table("yaml"))


def clean_line(text: str | None) -> str:
    """:func:`clean` for one-line fields: runs of white space (newlines too) become one space,
    and the ends are stripped."""
    return clean(" ".join((text or "").split()))


def clean_fragment(text: str | None) -> str:
    """:func:`clean` for a piece of a line: newlines and tabs become spaces, nothing stripped,
    so offsets into the original stay valid."""
    return clean((text or "").replace("\n", " ").replace("\t", " "))
