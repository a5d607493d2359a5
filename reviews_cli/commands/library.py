"""The library commands: add, embed, remove, parse, sources, stats."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

import click

from ..errors import ExitCode
from ..safe_text import clean_line
from ._common import _completer, _console, _library, _print, _width

if TYPE_CHECKING:
    from rich.progress import TaskID

T = TypeVar("T")

_CHANNEL_HELP = "The channel's username (as in t.me/USERNAME) for Telegram Desktop exports, which lack it."


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of the records.")
@click.option("--verbose", "-v", is_flag=True, help="List skipped posts with the reason.")
@click.option("--channel", metavar="USERNAME", help=_CHANNEL_HELP)
@click.option("--explain", is_flag=True,
              help="For every post: the decision, its score, the evidence that weighed most, the title "
                   "and the runner-up.")
def parse(paths: tuple[str, ...], as_json: bool, verbose: bool, channel: str | None, explain: bool = False) -> None:
    """Parse dumps without adding them to the library and print their records. PATHS are
    files, `-` (standard input), or folders: a Telegram Desktop export folder is one export (its
    result.json or messages*.html); any other folder is searched, subfolders too, for dumps,
    and the other files in it are skipped with a count. A file that cannot be read gets a
    one-line error; the others are still printed (exit 1 if any failed).

    \b
    Examples:
      reviews parse channel_page.txt --verbose
      reviews parse result.json --channel gonzo_ML --json
      reviews parse post.txt --explain
    """
    from ..parsing import parse_file

    if explain:
        _explain(paths, as_json, channel)
        return

    records = []
    failed = [0]
    for shown, parsed in _each_dump(paths, lambda p, shown: parse_file(p, display_path=shown, channel=channel),
                                    failed):
        records += parsed.reviews
        notes = "".join(f", {n}" for n in parsed.notes)
        click.echo(f"{clean_line(shown)}: {parsed.format}, {len(parsed.reviews)} reviews, "
                   f"{len(parsed.skipped)} skipped{clean_line(notes)}", err=True)
        if verbose:
            for s in parsed.skipped:
                click.echo(f"  skipped {clean_line(s.where)}: {clean_line(s.reason)}", err=True)
    if as_json:
        from ..render.machine import reviews_json

        click.echo(reviews_json(records))
    elif records:
        from ..render.human import reviews_table

        _print(reviews_table(records, _width()))
    sys.exit(ExitCode.FAILED if failed[0] else ExitCode.OK)


def _each_dump(paths: tuple[str, ...], read: Callable[[str, str], T], failed: list[int]) -> Iterator[tuple[str, T]]:
    """``(name shown, read(path, name shown))`` for each dump the user named (folders searched,
    `-` spooled). A folder with no dump, an unreadable standard input or a :class:`DumpError`
    gets its one-line error on stderr and adds one to ``failed[0]``; the other dumps go on."""
    from ..errors import DumpError
    from ..parsing import collect_inputs, stdin_spooled

    inputs = collect_inputs(list(paths))
    failed[0] += _report_scans(inputs.scans)
    _stdin_hint(inputs.files)
    with stdin_spooled(inputs.files) as spool:
        if spool.error:
            failed[0] += 1
            click.echo(f"reviews: {clean_line(str(spool.error))}", err=True)
        for p in spool.files:
            shown = spool.display(p)
            try:
                result = read(p, shown)
            except DumpError as exc:
                failed[0] += 1
                click.echo(f"reviews: {clean_line(str(exc))}", err=True)
                continue
            yield shown, result


def _explain(paths: tuple[str, ...], as_json: bool, channel: str | None) -> None:
    """`parse --explain`: the recognizer's reasons per post (core: parsing.explain_file)."""
    from ..parsing import explain_file
    from ..render.explain import explanation_dict, explanation_lines

    rows = []
    failed = [0]
    for shown, found in _each_dump(paths, lambda p, shown: explain_file(p, display_path=shown, channel=channel),
                                   failed):
        if as_json:
            rows += [explanation_dict(e, shown) for e in found]
        else:
            click.echo(f"{clean_line(shown)}: {len(found)} posts")
            for e in found:
                click.echo("\n".join(explanation_lines(e)))
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json(rows))
    sys.exit(ExitCode.FAILED if failed[0] else ExitCode.OK)


def _stdin_hint(files: list[str]) -> None:
    """Say what `-` waits for when standard input is a terminal (else it looks like a hang)."""
    if "-" in files and sys.stdin.isatty():
        click.echo("reviews: reading a dump from standard input; end it with Ctrl-D", err=True)


def _report_scans(scans) -> int:
    """One stderr line per searched folder ("12 dumps found, 30 other files skipped"); a folder
    with no dump in it is a failure. Returns how many folders failed."""
    failed = 0
    for scan in scans:
        if scan.found:
            click.echo(f"{clean_line(scan.folder)}: {scan.summary()}", err=True)
        else:
            failed += 1
            click.echo(f"reviews: {clean_line(scan.folder)}: is a directory with no dump in it ({scan.summary()})",
                       err=True)
    return failed



@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the per-dump summary as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="List skipped posts with the reason.")
@click.option("--channel", metavar="USERNAME", help=_CHANNEL_HELP)
@click.option("--no-embed", is_flag=True, help="With the [semantic] extra: leave embedding the new reviews to "
              "`reviews embed` (by default add embeds them).")
def add(paths: tuple[str, ...], as_json: bool, verbose: bool, channel: str | None, no_embed: bool) -> None:
    """Copy dumps into the library and index them. PATHS are files, `-` (standard input, stored
    as stdin-<hash>.txt) or folders: a Telegram Desktop export folder is one export (its
    result.json or messages*.html); any other folder is searched, subfolders too, for dumps.
    Each dump gets a summary: format detected, reviews, merged into records already there,
    posts skipped. A dump already in the library (the same content, bundled ones too) is not
    added twice. Unreadable dumps are refused (exit 1); the others are still added.

    \b
    Examples:
      reviews add ~/Downloads/ChatExport_2024-05-01
      reviews add saved_pages/ --verbose
      pbpaste | reviews add -
    """
    from ..library.sources import AddResult
    from ..parsing import STDIN_NAME, collect_inputs, stdin_spooled

    inputs = collect_inputs(list(paths))
    failed = _report_scans(inputs.scans)
    _stdin_hint(inputs.files)
    lib = _library(write=True)
    with stdin_spooled(inputs.files) as spool:
        labels = {spool.temp: (STDIN_NAME, spool.name)} if spool.temp and spool.name else {}
        with _progress(spool.files) as progress:
            results = lib.add(spool.files, progress=progress, channel=channel, labels=labels)
    if spool.error:
        refused = AddResult(STDIN_NAME)
        refused.error = spool.error.reason
        results.insert(inputs.files.index("-"), refused)
    for r in results:
        if r.error:
            click.echo(f"reviews: {clean_line(r.path)}: {clean_line(r.error)}", err=True)
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json([r.to_dict() for r in results]))
    else:
        from ..render.human import add_summary

        _print(add_summary(results))
        if verbose:
            for r in results:
                for where, why in r.skipped_posts:
                    click.echo(f"  {clean_line(r.name or r.path)}: skipped {clean_line(where)}: {clean_line(why)}",
                               err=True)
    from ..library.embedder import available

    if not no_embed and available() and any(r.name and not r.already for r in results):
        _embed(lib)
    sys.exit(ExitCode.FAILED if failed or any(r.error for r in results) else ExitCode.OK)


@click.command()
def embed() -> None:
    """Compute the vectors search by meaning uses (the [semantic] extra) for every review that
    has none, or whose text or model changed. Shows a progress bar; Ctrl-C keeps what is done
    and the next `reviews embed` goes on from there. `reviews add` embeds what it adds, unless
    given --no-embed.

    \b
    Examples:
      reviews embed
    """
    from ..library.embedder import SemanticUnavailable, available

    if not available():
        raise SemanticUnavailable
    _embed(_library(write=True))


def _embed(lib) -> None:
    """Embed what is missing (see ``library.vectors.embed_missing``), a progress bar with ETA on
    a terminal's stderr, one summary line after."""
    import time

    from ..library.embedder import load
    from ..library.vectors import embed_missing

    bar = task = None
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("embedding reviews"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       console=_console(stderr=True), transient=True)

    def progress(done: int, total: int, tokens: int) -> None:
        nonlocal task
        if bar is not None:
            if task is None:
                bar.start()
                task = bar.add_task("embed", total=total)
            bar.update(task, completed=done, total=total)

    start = time.perf_counter()
    try:
        lib._check_writable()
        n = embed_missing(lib.conn, load(), progress)
    finally:
        if bar is not None:
            bar.stop()
    if n:
        click.echo(f"embedded {n} reviews in {time.perf_counter() - start:.0f} s", err=True)


class _progress:
    """A progress bar on stderr while ``add`` parses and indexes large inputs, when stderr is a
    terminal; otherwise nothing. Used as a context manager yielding the callback."""

    MIN_BYTES = 20 * 1024 * 1024

    def __init__(self, files: list[str]) -> None:
        import os

        size = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
        self.bar = None
        if size >= self.MIN_BYTES and sys.stderr.isatty():
            from rich.progress import Progress

            self.bar = Progress(console=_console(stderr=True), transient=True)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self):
        bar = self.bar
        if bar is None:
            return None
        bar.start()

        def update(stage: str, done: int, total: int) -> None:
            label = {"parse": "parsing dumps", "index": "indexing reviews"}.get(stage, stage)
            if stage not in self.tasks:
                self.tasks[stage] = bar.add_task(label, total=total)
            bar.update(self.tasks[stage], completed=done, total=total)

        return update

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sources(as_json: bool) -> None:
    """The dumps in the library (bundled first, then added), with their format and record
    counts.

    \b
    Examples:
      reviews sources
      reviews sources --json
    """
    from ..pull.resume import pulled_channels

    lib = _library()
    rows = lib.sources()
    channels = pulled_channels(lib.home)
    pulled = {name: c for c in channels for name in c.names}
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json([{**r._asdict(), "pull": pulled[r.name].to_dict() if r.name in pulled else None}
                            for r in rows]))
        return
    from ..render.human import pulled_table, sources_table

    _print(sources_table(rows))
    if channels:
        _print(pulled_table([c.to_dict() for c in channels]))
    click.echo(f"{lib.count()} distinct reviews in {clean_line(lib.home)}", err=True)


@click.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...",
                shell_complete=_completer("complete_sources"))
def remove(sources: tuple[str, ...]) -> None:
    """Take added dumps out of the library. SOURCE is a name from `reviews sources` or the path
    a dump was added from. A SOURCE that names no added dump gets a one-line error (exit 1);
    the others are still removed.

    \b
    Examples:
      reviews remove other_channel.txt notes.txt
      reviews remove ~/Downloads/result.json
    """
    lib = _library(write=True)
    result = lib.remove_many(list(sources))
    for problem in result.problems:
        click.echo(f"reviews: {clean_line(problem)}", err=True)
    if result.removed:
        names = ", ".join(clean_line(n) for n in result.removed)
        click.echo(f"removed {names}; {lib.count()} reviews left", err=True)
    sys.exit(ExitCode.FAILED if result.problems else ExitCode.OK)



@click.command("stats")
@click.option("--by", type=click.Choice(["month", "year"]), default=None,
              help="Chart reviews per month or per year (default: per month when the posts span at most "
                   "3 years).")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="Reviewers and tags listed.")
@click.option("--json", "as_json", is_flag=True, help="Print the same numbers as JSON.")
def stats_(by: str | None, top: int, as_json: bool) -> None:
    """What is in the library: reviews by source, paper year, reviewer and tag, and a bar
    chart of reviews per month or year (by the post's date; by the paper's year when no post
    has a date).

    \b
    Examples:
      reviews stats
      reviews stats --by year --top 5
      reviews stats --json
    """
    from ..library.stats import library_stats

    lib = _library()
    result = library_stats(lib.conn, by=by, top=top)
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json(result.to_dict()))
        return
    from ..render.stats import stats_view

    _print(*stats_view(result, _width()))



COMMANDS = [add, embed, remove, parse, sources, stats_]
