"""Helpers the command modules share: the library (opened as reader or writer), the user's
settings, the rich console (with the output held for the pager) and shell-completion callbacks.

Every command module imports its core and render modules inside the command functions, so
``reviews --help`` and a plain search start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import Terminated
from ..safe_text import clean_line

_F = TypeVar("_F", bound=Callable[..., Any])


def _completer(name: str):
    """A ``shell_complete`` callback that imports :mod:`reviews_cli.completion` only when the
    shell asks (it needs sqlite3, which a plain search start does not import this early)."""

    def complete(ctx, param, incomplete):
        from . import completion

        return getattr(completion, name)(ctx, param, incomplete)

    return complete



def _library(write: bool = False):
    """The library; a reader (the default) never waits for a writer (see ``Library.open``). A
    writer also ends on SIGTERM as on Ctrl-C (roll back, kill workers, one line, exit 143); a
    reader has nothing to undo and keeps the default."""
    from ..library import Library

    if write:
        _end_like_ctrl_c("SIGTERM")

    lib = Library.open(wait=write)
    for notice in lib.notices:
        click.echo(f"reviews: {clean_line(notice)}", err=True)
    return lib


def _end_like_ctrl_c(*signals: str) -> None:
    """From now on the named signals (``"SIGTERM"``, ``"SIGHUP"``) end the command as Ctrl-C
    does: :class:`Terminated` unwinds it (transactions roll back, temporary files go, workers
    are killed) where the default action would end the process on the spot. Signals this
    platform lacks are skipped."""
    import signal

    def terminated(signum: int, frame: object) -> None:
        raise Terminated

    for name in signals:
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, terminated)


class QueryCommand(click.Command):
    """A command whose arguments are query words, where ``-word`` excludes a word
    (``lottery -pruning``, ``-has:note``): only the exact short options the command declares
    (``-n``, ``-h``, ``-o``) and its long options (``--limit 5``, ``--limit=5``) are options,
    wherever they stand among the words; a short option that takes a number may carry it
    (``-n5``); ``--`` ends the options. Every other ``-token`` stays a query word, never split
    into single-letter options. A ``--word`` that is no option is a usage error naming the
    closest real one. The query argument must be ``nargs=-1, type=click.UNPROCESSED``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        import re

        takes_value: dict[str, click.Option] = {}
        flags: set[str] = set(self.get_help_option_names(ctx))
        for p in self.get_params(ctx):
            if isinstance(p, click.Option):
                for name in p.opts + p.secondary_opts:
                    if p.is_flag or p.count:
                        flags.add(name)
                    else:
                        takes_value[name] = p
        options: list[str] = []
        words: list[str] = []
        tokens = iter(args)
        for token in tokens:
            if token == "--":
                words += tokens
                break
            name = token.split("=", 1)[0] if token.startswith("--") else token
            if name in flags or name in takes_value:
                options.append(token)
                if name in takes_value and "=" not in token:
                    value = next(tokens, None)
                    if value is None:
                        raise click.BadOptionUsage(name, f"Option '{name}' requires a value.", ctx=ctx)
                    options.append(value)
            elif token.startswith("--") and len(token) > 2:
                import difflib

                longs = sorted(n for n in (*flags, *takes_value) if n.startswith("--"))
                close = difflib.get_close_matches(name, longs, n=1)
                hint = f" Did you mean {close[0]}?" if close else ""
                raise click.UsageError(f"No such option: {name}.{hint}", ctx=ctx)
            elif (m := re.fullmatch(r"(-[a-zA-Z])([0-9]+)", token)) and m.group(1) in takes_value:
                options += [m.group(1), m.group(2)]
            else:
                words.append(token)
        return super().parse_args(ctx, [*options, "--", *words])


def _limit_option(default_help: str) -> Callable[[_F], _F]:
    """``-n/--limit N``: the most results shown, any number from 1 (no hidden ceiling)."""
    return click.option("--limit", "-n", default=None, type=click.IntRange(min=1), metavar="N",
                        help=f"Most results shown.  [default: {default_help}]")


def _date_options(f: _F) -> _F:
    """``--since DATE`` and ``--until DATE`` (a year, month or day; see ``search.dates``)."""
    f = click.option("--until", metavar="DATE",
                     help="Only posts dated DATE or earlier, the whole period (2024, 2024-05, 2024-05-01).")(f)
    return click.option("--since", metavar="DATE",
                        help="Only posts dated DATE or later (2024, 2024-05, 2024-05-01).")(f)


def _settings():
    """The user's config (``config.load``), read once per invocation; a bad file raises
    ``ConfigError``, a one-line error naming the file and key."""
    meta = click.get_current_context().meta
    if "reviews.config" not in meta:
        from ..config import load

        meta["reviews.config"] = load()
    return meta["reviews.config"]


# The reading commands, whose output can run to many screens. Others (add, parse, sources) print
# progress and notes on stderr between their output, which holding stdout would reorder.
_PAGED = frozenset({"show", "search", "tag", "tags", "list", "related", "stats"})


def _console(stderr: bool = False):
    """This command's rich console, one per stream, kept on the click context so nothing
    outlives the invocation (a width read at start stays right for in-process callers).

    For a command of :data:`_PAGED`, when stdout is a terminal and the pager is on (no
    ``--no-pager``, config ``pager`` not false), the stdout console renders into a buffer that
    :func:`_flush_output` shows once the command is done: through the pager when it is taller
    than the terminal, else directly."""
    meta = click.get_current_context().meta
    key = f"reviews.console.{stderr}"
    if key not in meta:
        from ..render.human import console

        color = meta.get("reviews.color") or _settings().color
        ctx = click.get_current_context()
        if (not stderr and ctx.command.name in _PAGED and sys.stdout.isatty() and not meta.get("reviews.no_pager")
                and _settings().pager_enabled):
            import io

            meta["reviews.page_buffer"] = io.StringIO()
            meta[key] = console(color=color, file=meta["reviews.page_buffer"])
        else:
            meta[key] = console(stderr=stderr, color=color)
    return meta[key]


def _print(*renderables, stderr: bool = False) -> None:
    """Print rich renderables on stdout (or stderr); stdout output may be held for the pager
    until the command ends (see :func:`_console`)."""
    from ..render.fit import trimmed

    c = _console(stderr)
    for r in renderables:
        c.print(trimmed(r))


def _note(message: str) -> None:
    """A status line on stderr that belongs after the command's output ("3 of 32"): held
    while stdout is buffered for the pager, so it still comes after the output."""
    meta = click.get_current_context().meta
    if "reviews.page_buffer" in meta:
        meta.setdefault("reviews.notes", []).append(message)
    else:
        click.echo(message, err=True)


def _flush_output(meta: dict, show: bool = True) -> None:
    """Show (or with ``show`` false, drop) the stdout output a command left in the pager buffer,
    then its held notes. The pager runs when the output is taller than the terminal; a pager
    that cannot run or fails gets a one-line note and the text is printed instead."""
    buf = meta.pop("reviews.page_buffer", None)
    console = meta.pop("reviews.console.False", None)
    notes = meta.pop("reviews.notes", [])
    if buf is None or not show:
        return
    text = buf.getvalue()
    if text:
        from ..render.pager import page, too_tall

        failed = None
        tall = too_tall(text, console.height)
        if tall:
            command, command_from = meta["reviews.config"].pager_command()
            failed = page(text, command)
            if failed and command_from != "default":  # no less installed: just print, no complaint
                click.echo(f"reviews: {clean_line(failed)}; printing instead", err=True)
        if failed or not tall:
            sys.stdout.write(text)
            sys.stdout.flush()
    for n in notes:
        click.echo(n, err=True)


def _width() -> int:
    return _console().width

