"""The ``reviews`` command line: the click group, its global options, and the mapping of core
errors to one-line messages and exit codes. The commands live in :mod:`reviews_cli.commands`, one
module per group, and are registered here (see :func:`reviews_cli.commands.register`).

Exit codes: 0 success, 1 nothing found / a dump could not be read, 2 usage error.
Human output goes through ``render.human`` (rich, imported only when used); ``--json`` output
through ``render.machine`` and plain ``click.echo``.
"""

from __future__ import annotations

import sys

import click

from . import __version__, commands
from .commands._common import _flush_output
from .errors import Ambiguous, ExitCode, NotFound, ReviewsError, Terminated, UsageError
from .safe_text import clean_line


def _fail(exc: ReviewsError) -> None:

    # messages quote user input (a query, a path): never let it act on the terminal
    click.echo(f"reviews: {clean_line(str(exc))}", err=True)
    if isinstance(exc, NotFound) and exc.suggestions:
        click.echo("Did you mean:", err=True)
        for s in exc.suggestions[:3]:
            click.echo(f"  {clean_line(s)}", err=True)
    if isinstance(exc, Ambiguous):
        for rid, title, where in exc.candidates:
            click.echo(f"  {rid}  {clean_line(title)}  ({clean_line(where)})", err=True)
        if exc.more:
            click.echo(f"  ... and {exc.more} more; a longer fragment narrows them", err=True)
        ctx = click.get_current_context(silent=True)
        cmd = clean_line(getattr(ctx, "invoked_subcommand", None) or "show")
        click.echo(f"Pick one by its id, e.g.: reviews {cmd} {exc.candidates[0][0]}", err=True)
    sys.exit(exc.exit_code)




class _Group(click.Group):
    """Maps core errors to one-line messages and exit codes; no traceback for bad input.
    Commands are listed reading first, then the library, not alphabetically."""

    ORDER = ("search", "show", "open", "related", "tag", "tags", "list", "stats", "export", "star", "unstar", "note",
             "mark", "state", "add", "pull", "parse",
             "sources", "remove", "config")

    def list_commands(self, ctx):
        return sorted(self.commands, key=lambda n: (self.ORDER.index(n) if n in self.ORDER else len(self.ORDER), n))

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:  # the group's own options: `reviews --colour never`
            _usage_exit(exc)

    def invoke(self, ctx):
        try:
            return self._invoke(ctx)
        except click.UsageError as exc:  # a command's options or arguments, an unknown command
            _usage_exit(exc)

    def _invoke(self, ctx):
        import sqlite3

        # Group.invoke consumes the command line; keep it for a second attempt
        line = (list(getattr(ctx, "_protected_args", [])), list(ctx.args))
        try:
            try:
                return self._invoke_and_show(ctx)
            except sqlite3.DatabaseError as exc:
                # a damaged page found while reading: the index is a cache, so rebuild it from the
                # dumps and answer from the rebuilt one rather than give a wrong answer
                from .library import discard_index, reviews_home

                click.echo(f"reviews: the index is damaged ({clean_line(str(exc))}); rebuilding it from the dumps",
                           err=True)
                discard_index(reviews_home())
                ctx._protected_args, ctx.args = list(line[0]), list(line[1])
                return self._invoke_and_show(ctx)
        except ReviewsError as exc:
            _fail(exc)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(ExitCode.OK)
        except KeyboardInterrupt:
            _say_and_exit("interrupted", ExitCode.INTERRUPTED)
        except Terminated:
            _say_and_exit("terminated", ExitCode.TERMINATED)
        except OSError as exc:  # writing the output: a full disk, a closed terminal
            import errno

            if exc.errno == errno.EPIPE:
                sys.exit(ExitCode.OK)
            _say_and_exit(f"cannot write the output: {exc.strerror or exc}")

    def _invoke_and_show(self, ctx):
        """Run the command, then show the output it held for the pager: also when it ends with
        ``sys.exit`` or an error (output first, then the error line); never after Ctrl-C,
        SIGTERM or a damaged index (the command is run again)."""
        import sqlite3

        try:
            rv = super().invoke(ctx)
        except (KeyboardInterrupt, Terminated, sqlite3.DatabaseError):
            _flush_output(ctx.meta, show=False)
            raise
        except BaseException:
            _flush_output(ctx.meta)
            raise
        _flush_output(ctx.meta)
        return rv


def _usage_exit(exc: click.UsageError) -> None:
    """A usage error as grep and git give it: one line on stderr naming the problem and where
    the help is, exit 2 (click prints the usage block and the error on three)."""
    where = exc.ctx.command_path if exc.ctx is not None else "reviews"
    message = " ".join(exc.format_message().split())
    _say_and_exit(f"{message} (see '{where} -h')", ExitCode.USAGE)


def _say_and_exit(message: str, code: int = ExitCode.FAILED) -> None:
    """One line on stderr, if stderr can still take it, then exit."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        click.echo(f"reviews: {clean_line(message)}", err=True)
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reviews")
@click.option("--no-pager", is_flag=True,
              help="Print long output straight to the terminal instead of through $PAGER (default less -FRX).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default=None,
              help="Colours and styles: auto (when printing to a terminal, and NO_COLOR drops colours), always "
                   "(also into a pipe), never.  [default: the config's color, else auto]")
@click.pass_context
def main(ctx: click.Context, no_pager: bool, color: str | None) -> None:
    """A terminal reader for ML paper-review digests (Telegram channels, Habr, conference
    round-ups). The bundled dumps are always in the library; add your own with `reviews add`.
    Data lives in $REVIEWS_HOME (default: the platform's user data folder); settings in
    config.yaml (see `reviews config`)."""
    ctx.meta["reviews.no_pager"] = no_pager
    ctx.meta["reviews.color"] = color


commands.register(main)


def run() -> None:
    """Console-script entry point. Output the terminal's encoding cannot show (``LANG=C``,
    ``PYTHONIOENCODING=ascii``) is written as ``\\uXXXX`` escapes rather than failing."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="backslashreplace")
    try:
        main(prog_name="reviews")
    except UsageError as exc:  # raised outside a command (never expected)
        _fail(exc)
