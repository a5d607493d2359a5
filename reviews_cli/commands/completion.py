"""Shell completion for ``reviews`` (click's ``_REVIEWS_COMPLETE`` protocol for bash, zsh and
fish): hashtags for ``tag``, arXiv ids and record ids for ``show``/``open``/``related``, source
names for ``remove``. File paths for ``add``/``parse`` come from ``click.Path``.

Completion runs on every Tab press, so it reads the index without syncing it or waiting for a
writer, and any failure (no library yet, a locked or damaged index) offers nothing rather than
printing an error into the user's prompt.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem

# Most candidates offered for one Tab press (a shell lists them all).
MAX_ITEMS = 200


@contextlib.contextmanager
def _index() -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the library's index, or None when there is none yet."""
    import os

    from ..library.store import INDEX_FILE, reviews_home

    path = os.path.join(reviews_home(), INDEX_FILE)
    if not os.path.isfile(path):
        yield None
        return
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
    try:
        yield conn
    finally:
        conn.close()


def _complete(query: Callable[[sqlite3.Connection, str], list[tuple[str, str]]]) -> Callable[..., list[CompletionItem]]:
    """A click ``shell_complete`` callback from ``query(conn, incomplete) -> [(value, help)]``."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        try:
            with _index() as conn:
                rows = query(conn, incomplete) if conn is not None else []
        except (sqlite3.Error, OSError):
            return []
        from ..safe_text import clean_line, has_unsafe

        quote = _bash_quote if _shell(ctx) == "bash" else str
        # a value with a control character or a newline (a dump's file name can hold both) would
        # reach the terminal raw or split into two candidates: not offered
        return [CompletionItem(quote(value), help=clean_line(text)[:80] or None)
                for value, text in rows[:MAX_ITEMS] if not has_unsafe(value) and not _SPACES & set(value)]

    return complete


_SPACES = set("\n\t")


def _shell(ctx: click.Context) -> str:
    """The shell asking (``bash``, ``zsh``, ``fish``), from click's ``_<PROG>_COMPLETE``."""
    import os

    prog = ctx.find_root().info_name or "reviews"
    var = f"_{prog}_COMPLETE".replace("-", "_").replace(".", "_").upper()
    return os.environ.get(var, "").partition("_")[0]


def _bash_quote(value: str) -> str:
    """``value`` as bash must insert it: click's bash script puts a candidate into the command
    line as it is (zsh and fish quote it themselves), so ``a$(cmd).txt`` would run ``cmd``.
    Values of word characters and ``@%+=:,./#-`` (ids, hashtags, plain names) stay as they are."""
    import re
    import shlex

    return value if re.fullmatch(r"[\w@%+=:,./#-]+", value) else shlex.quote(value)


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _tags(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    hashed = incomplete.startswith("#")
    rows = conn.execute(
        "SELECT min(label), count(*) AS n FROM review_tags WHERE label LIKE ? ESCAPE '\\' "
        "GROUP BY tag ORDER BY n DESC, tag LIMIT ?", (_like(incomplete.lstrip("#")), MAX_ITEMS))
    return [(("#" if hashed else "") + label, f"{n} review{'s' * (n != 1)}") for label, n in rows]


def _refs(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    like = _like(incomplete.lower())
    arxiv = conn.execute("SELECT arxiv_id, min(title) FROM reviews WHERE arxiv_id LIKE ? ESCAPE '\\' "
                         "GROUP BY arxiv_id ORDER BY arxiv_id LIMIT ?", (like, MAX_ITEMS)).fetchall()
    ids = conn.execute("SELECT id, title FROM reviews WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
                       (like, MAX_ITEMS)).fetchall()
    return [(a, t) for a, t in arxiv] + [(i, t) for i, t in ids]


def _sources(conn: sqlite3.Connection, incomplete: str) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT name, format FROM sources WHERE kind = 'added' AND name LIKE ? ESCAPE '\\' "
                        "ORDER BY ord LIMIT ?", (_like(incomplete), MAX_ITEMS))
    return [(name, fmt or "") for name, fmt in rows]


complete_tags = _complete(_tags)
complete_refs = _complete(_refs)
complete_sources = _complete(_sources)
