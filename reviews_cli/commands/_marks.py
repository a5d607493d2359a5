"""What the reading and export commands share about the user's marks (``library.state``): the
``--starred/--unread/--read/--noted`` filter options, the marks of the reviews shown, and how
``show`` marks what it shows as read. Apart from :mod:`.state`, so a search neither builds the
state commands nor imports what they need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..errors import UsageError


def state_filters(f: Callable[..., Any]) -> Callable[..., Any]:
    """The filter options on the user's marks: ``--starred``, ``--unread``, ``--read``,
    ``--noted`` (the command gets them as ``starred``, ``unread``, ``read``, ``noted``; turn
    them into flags with :func:`state_flags`)."""
    for name, helps in reversed((("starred", "Only reviews you starred."),
                                 ("unread", "Only reviews you have not read."),
                                 ("read", "Only reviews you have read."),
                                 ("noted", "Only reviews with your note."))):
        f = click.option(f"--{name}", is_flag=True, help=helps)(f)
    return f


def state_flags(starred: bool, unread: bool, read: bool, noted: bool) -> list[tuple[str, bool]]:
    """The flags (``library.state.flags_sql``) of the :func:`state_filters` options; raises
    :class:`UsageError` for ``--read`` with ``--unread``."""
    if read and unread:
        raise UsageError("--read and --unread exclude each other")
    flags = [("starred", True)] if starred else []
    if read or unread:
        flags.append(("read", read))
    if noted:
        flags.append(("noted", True))
    return flags


def states_for(lib, reviews):
    """A function giving each of ``reviews`` its state (for renderers)."""
    from ..library.state import NO_STATE, states_of

    found = states_of(lib.conn, [r.id for r in reviews])
    return lambda r: found.get(r.id, NO_STATE)


def mark_shown(lib, found) -> None:
    """``show`` marks what it shows as read (config ``mark_read_on_show``); a library that
    cannot be written, or is held by another writer, just leaves it unread."""
    import sqlite3

    from ..library.state import Change, change, states_of

    if lib.state_access != "write":
        return
    states = states_of(lib.conn, [r.id for r in found])
    if all(r.id in states and states[r.id].read for r in found):
        return
    try:
        change(lib.conn, [found], Change(read=True))
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
