"""The ``reviews`` command line: parse options, call the core, hand results to a renderer.

Exit codes: 0 success, 1 nothing found / a dump could not be read, 2 usage error.
Human output goes through ``render.human`` (rich, imported only when used); ``--json`` output
through ``render.machine`` and plain ``click.echo``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import Ambiguous, ExitCode, NotFound, ReviewsError, Terminated, UsageError
from .safe_text import clean_line

if TYPE_CHECKING:
    from rich.progress import TaskID

SEARCH_HELP = """Search the library; the best match comes first.

\b
QUERY language:
  lottery ticket        all words must match (Russian and English, any
                        inflection: лотерея finds «лотерейного»); when
                        no review has them all, the best partial matches
  "winning tickets"     exact phrase
  prun*                 prefix
  -pruning              exclude a word (or -"a phrase")
  author:Frankle        in the authors      reviewer:Скоблов  the reviewer
  tag:GAN               with that hashtag   source:habr       from that dump
  year:2019             paper year          year:2019..2020   a range
  1803.03635            an arXiv id or URL ranks that paper's reviews first
  #GAN                  ranks the reviews with that hashtag first

\b
A misspelt word is corrected to the closest word in the library, and a
word typed in the wrong keyboard layout (дщееукн for lottery, j,pjh for
обзор) is searched as meant; the output says what was searched.
Punctuation is never syntax: GPT-3, C++ and O(sqrt(N)) are ordinary
searches.

\b
Examples:
  reviews search lottery ticket
  reviews search '"winning tickets"' --sort date
  reviews search author:Frankle year:2018..2020 --json

Exit status: 0 found, 1 nothing found, 2 bad query.
"""


def _completer(name: str):
    """A ``shell_complete`` callback that imports :mod:`reviews_cli.completion` only when the
    shell asks (it needs sqlite3, which a plain search start does not import this early)."""

    def complete(ctx, param, incomplete):
        from . import completion

        return getattr(completion, name)(ctx, param, incomplete)

    return complete


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


def _library(write: bool = False):
    """The library; a reader (the default) never waits for a writer (see ``Library.open``). A
    writer also ends on SIGTERM as on Ctrl-C (roll back, kill workers, one line, exit 143); a
    reader has nothing to undo and keeps the default."""
    from .library import Library

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


def _refuse_long_options(words: tuple[str, ...]) -> None:
    """A command whose arguments are query words (where ``-word`` excludes a word) still treats
    ``--word`` as an option: a mistyped one is a usage error, with the closest real option."""
    for word in words:
        if word.startswith("--") and len(word) > 2:
            import difflib

            names = [n for p in click.get_current_context().command.params for n in p.opts if n.startswith("--")]
            close = difflib.get_close_matches(word.split("=")[0], names + ["--help"], n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise click.UsageError(f"No such option: {word}.{hint}")


def _settings():
    """The user's config (``config.load``), read once per invocation; a bad file raises
    ``ConfigError``, a one-line error naming the file and key."""
    meta = click.get_current_context().meta
    if "reviews.config" not in meta:
        from .config import load

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
        from .render.human import console

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
    from .render.human import trimmed

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
        from .render.pager import page, too_tall

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


class _Group(click.Group):
    """Maps core errors to one-line messages and exit codes; no traceback for bad input.
    Commands are listed reading first, then the library, not alphabetically."""

    ORDER = ("search", "show", "open", "related", "tag", "tags", "list", "stats", "export", "add", "parse",
             "sources", "remove", "config")

    def list_commands(self, ctx):
        return sorted(self.commands, key=lambda n: (self.ORDER.index(n) if n in self.ORDER else len(self.ORDER), n))

    def invoke(self, ctx):
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


# `-word` excludes a word, so unknown options are query words, and there are no short options
# (`-nlp` must not read as `-n lp`).
@main.command(help=SEARCH_HELP,
              context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]})
@click.argument("query", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--limit", default=None, type=click.IntRange(1, 10_000),
              help="Most results shown.  [default: the config's limit, else 10]")
@click.option("--sort", type=click.Choice(["relevance", "date", "title"]), default=None,
              help="Result order.  [default: the config's sort, else relevance]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with score and snippet) instead of a table.")
def search(query: tuple[str, ...], limit: int | None, sort: str | None, as_json: bool) -> None:
    from .query import Query
    from .search import Searcher

    _refuse_long_options(query)
    q = Query.parse(" ".join(query))
    limit = limit or _settings().limit or 10
    sort = sort or _settings().sort
    lib = _library()
    result = Searcher(lib.conn).search(q, limit=limit, sort=sort)
    if as_json:
        from .render.machine import search_json

        click.echo(search_json(result))
        sys.exit(ExitCode.OK if result.hits else ExitCode.FAILED)
    if not result.hits:
        raise NotFound(q.text)
    from .render.human import search_table

    _print(*search_table(result, _width()))
    _say_shown(len(result.hits), result.total)


def _say_shown(shown: int, total: int) -> None:
    """``10 of 214`` on stderr under a table, and how to see more when some are left out."""
    more = "; --limit N shows more" if total > shown else ""
    _note(f"{shown} of {total}{more}")


@main.command()
@click.argument("tags", nargs=-1, required=True, shell_complete=_completer("complete_tags"))
@click.option("--any", "any_", is_flag=True, help="Records with any of the tags (default: all of them).")
@click.option("--limit", "-n", default=None, type=click.IntRange(1, None),
              help="Most results shown.  [default: the config's limit, else 50]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {total, hits: [record + rank, score, snippet]}.")
def tag(tags: tuple[str, ...], any_: bool, limit: int | None, as_json: bool) -> None:
    """Reviews with a hashtag, newest first: '#GAN', GAN and gan are the same tag. Several
    tags: all must be present (or any, with --any).

    \b
    Examples:
      reviews tag '#GAN'
      reviews tag ICLR pruning --any
      reviews tag NLP --json
    """
    from .search import Searcher

    limit = limit or _settings().limit or 50
    lib = _library()
    searcher = Searcher(lib.conn)
    found = searcher.by_tags(list(tags), any_=any_, limit=limit)
    total = searcher.count_tags(list(tags), any_=any_) if len(found) == limit else len(found)
    if as_json:
        from .render.machine import hits_json

        click.echo(hits_json(found, total))
        sys.exit(ExitCode.OK if found else ExitCode.FAILED)
    if not found:
        raise NotFound(" ".join(tags))
    from .render.human import reviews_table

    _print(reviews_table(found, _width()))
    _say_shown(len(found), total)


@main.command("list")
@click.option("--limit", "-n", default=None, type=click.IntRange(1, None),
              help="Most reviews shown.  [default: the config's limit, else 20]")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only reviews with this hashtag (repeatable).")
@click.option("--source", metavar="NAME", help="Only reviews read from a source whose name contains NAME.")
@click.option("--since", metavar="DATE", help="Only posts dated DATE or later (2024, 2024-05, 2024-05-01).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {total, hits: [record + rank, score, snippet]}.")
def list_(limit: int | None, tags: tuple[str, ...], source: str | None, since: str | None, as_json: bool) -> None:
    """The newest reviews first (by the post's date, else the order they were added).

    \b
    Examples:
      reviews list
      reviews list --tag ICLR -n 5
      reviews list --source gonzo --json
    """
    from .search import recent

    limit = limit or _settings().limit or 20
    lib = _library()
    found, total = recent(lib.conn, limit, tags, source, since)
    if as_json:
        from .render.machine import hits_json

        click.echo(hits_json(found, total))
        sys.exit(ExitCode.OK if found else ExitCode.FAILED)
    if not found:
        raise NotFound("reviews matching these filters")
    from .render.human import reviews_table

    _print(reviews_table(found, _width()))
    _say_shown(len(found), total)


@main.command("open")
@click.argument("ref", metavar="REF", shell_complete=_completer("complete_refs"))
@click.option("--paper", "what", flag_value="paper", default=True, help="Open the paper (the default).")
@click.option("--code", "what", flag_value="code", help="Open the code.")
@click.option("--post", "what", flag_value="post", help="Open the post the review was read from.")
def open_(ref: str, what: str) -> None:
    """Open a review's paper, code or post in the browser ($BROWSER is honoured) and print the
    URL. REF is anything `show` takes.

    \b
    Examples:
      reviews open 1803.03635
      reviews open --code SC-FEGAN
      reviews open --post 8d5fd2cd
    """
    from .resolve import resolve

    lib = _library()
    found = resolve(lib.conn, ref)
    url = next((u for r in found for u in _urls_of(r, what) if u.lower().startswith(("https://", "http://"))), None)
    if url is None:
        raise ReviewsError(f"{found[0].title}: the review has no {what} link")
    click.echo(clean_line(url))
    import webbrowser

    webbrowser.open(url)


def _urls_of(r, what: str) -> list[str]:
    """A review's URLs of one kind: ``paper`` (its paper URL, paper links, the arXiv page),
    ``code`` (code links) or ``post`` (the posts it was read from)."""
    if what == "paper":
        urls = [r.paper_url] + [ln.url for ln in r.links if ln.role == "paper"]
        return [u for u in urls if u] + ([f"https://arxiv.org/abs/{r.arxiv_id}"] if r.arxiv_id else [])
    if what == "code":
        return [ln.url for ln in r.links if ln.role == "code"]
    return [s.url for s in r.sources if s.url]


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON: [{tag, reviews}].")
def tags(as_json: bool) -> None:
    """Every tag in the library with its number of reviews, most used first.

    \b
    Examples:
      reviews tags
      reviews tags --json
    """
    lib = _library()
    rows = lib.tags()
    if as_json:
        from .render.machine import to_json

        click.echo(to_json([{"tag": t, "reviews": n} for t, n in rows]))
        return
    from .render.human import tags_table

    _print(tags_table(rows))


@main.command()
@click.argument("ident", metavar="ID", shell_complete=_completer("complete_refs"))
@click.option("--json", "as_json", is_flag=True, help="Print the records as a JSON array.")
@click.option("--full", is_flag=True, help="Render the whole body of a very long review (by default the first "
              "20,000 characters).")
def show(ident: str, as_json: bool, full: bool) -> None:
    """One review, or every review of one paper. ID is an arXiv id or URL (1803.03635,
    arXiv:1803.03635, https://arxiv.org/abs/1803.03635v2), a record id (or 4+ of its first
    digits), or a title fragment. A fragment or prefix matching several papers lists them with
    their ids (exit 1).

    \b
    Examples:
      reviews show 1803.03635
      reviews show "lottery ticket"
      reviews show 8d5fd2cd --json
    """
    from .resolve import resolve

    lib = _library()
    found = resolve(lib.conn, ident)
    if as_json:
        from .render.machine import reviews_json

        click.echo(reviews_json(found))
        return
    from .render.human import review_page

    parts = []
    for i, r in enumerate(found):
        if i:
            from rich.rule import Rule

            parts.append(Rule())
        parts += review_page(r, full=full)
    _print(*parts)


_CHANNEL_HELP = "The channel's username (as in t.me/USERNAME) for Telegram Desktop exports, which lack it."


@main.command()
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
    from .errors import DumpError
    from .parsing import collect_inputs, parse_file, stdin_spooled

    if explain:
        _explain(paths, as_json, channel)
        return

    inputs = collect_inputs(list(paths))
    failed = _report_scans(inputs.scans)
    _stdin_hint(inputs.files)
    records = []
    with stdin_spooled(inputs.files) as spool:
        if spool.error:
            failed += 1
            click.echo(f"reviews: {clean_line(str(spool.error))}", err=True)
        for p in spool.files:
            shown = spool.display(p)
            try:
                parsed = parse_file(p, display_path=shown, channel=channel)
            except DumpError as exc:
                failed += 1
                click.echo(f"reviews: {clean_line(str(exc))}", err=True)
                continue
            records += parsed.reviews
            notes = "".join(f", {n}" for n in parsed.notes)
            click.echo(f"{clean_line(shown)}: {parsed.format}, {len(parsed.reviews)} reviews, "
                       f"{len(parsed.skipped)} skipped{clean_line(notes)}", err=True)
            if verbose:
                for s in parsed.skipped:
                    click.echo(f"  skipped {clean_line(s.where)}: {clean_line(s.reason)}", err=True)
    if as_json:
        from .render.machine import reviews_json

        click.echo(reviews_json(records))
    elif records:
        from .render.human import reviews_table

        _print(reviews_table(records, _width()))
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)


def _explain(paths: tuple[str, ...], as_json: bool, channel: str | None) -> None:
    """`parse --explain`: the recognizer's reasons per post (core: parsing.explain_file)."""
    from .errors import DumpError
    from .parsing import collect_inputs, explain_file, stdin_spooled
    from .render.explain import explanation_dict, explanation_lines

    inputs = collect_inputs(list(paths))
    failed = _report_scans(inputs.scans)
    rows = []
    with stdin_spooled(inputs.files) as spool:
        failed += bool(spool.error)
        if spool.error:
            click.echo(f"reviews: {clean_line(str(spool.error))}", err=True)
        for p in spool.files:
            shown = spool.display(p)
            try:
                found = explain_file(p, display_path=shown, channel=channel)
            except DumpError as exc:
                failed += 1
                click.echo(f"reviews: {clean_line(str(exc))}", err=True)
                continue
            if as_json:
                rows += [explanation_dict(e, shown) for e in found]
            else:
                click.echo(f"{clean_line(shown)}: {len(found)} posts")
                for e in found:
                    click.echo("\n".join(explanation_lines(e)))
    if as_json:
        from .render.machine import to_json

        click.echo(to_json(rows))
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)


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


# the export formats (render.exports.EXTENSIONS maps file extensions onto them)
_EXPORT_FORMATS = ("json", "jsonl", "yaml", "csv", "bibtex", "markdown")


@main.command(context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]})
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--format", "fmt", type=click.Choice(_EXPORT_FORMATS),
              help="Output format [default: from the -o file's extension, else json].")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (- for stdout, the default).")
def export(query: tuple[str, ...], fmt: str | None, output: str | None) -> None:
    """Every record in the library, or with a QUERY (the language of `reviews search`) every
    record it matches, best first. Written as it is read: memory stays flat however large the
    library.

    \b
    Formats:
      json      an array of records (as `show --json` gives them)
      jsonl     one compact JSON record per line
      yaml      a list of records
      csv       one row per review; lists joined with "; "; a cell that a
                spreadsheet would run as a formula (= + - @) starts with '
      bibtex    one @misc entry per paper: arXiv eprint, title, authors,
                year, url, and a note with the review's URL
      markdown  one section per review, links kept
    The format comes from the -o file's extension (.json .jsonl .yaml .csv
    .bib .md) when --format is not given.

    \b
    Examples:
      reviews export -o library.json
      reviews export --format bibtex tag:GAN -o gan.bib
      reviews export pruning year:2019.. --format csv > pruning.csv
    """
    import os

    from .render.exports import format_for_path
    from .search import Searcher

    _refuse_long_options(query)
    to_file = output if output not in (None, "-") else None
    if output == "":  # -o "$OUT" with OUT unset: not stdout
        raise UsageError("-o: empty file name")
    if to_file and os.path.isdir(to_file):
        raise UsageError(f"{to_file}: cannot write (is a folder; give a file name)")
    if fmt is None:
        fmt = format_for_path(to_file) if to_file else "json"
        if fmt is None:
            raise UsageError(f"{output}: cannot tell the format from the extension; give --format "
                             f"({', '.join(_EXPORT_FORMATS)})")
    lib = _library()
    searcher = Searcher(lib.conn)
    rids = None
    if query:
        from .query import Query

        q = Query.parse(" ".join(query))
        result, rids = searcher.matching_ids(q)
        if not rids:
            raise NotFound(q.text)
        if result.corrections:
            click.echo(f"searched for: {clean_line(result.searched_for)}", err=True)
        if result.partial:
            click.echo("no review has all the words; exporting the partial matches", err=True)
        if result.fuzzy:
            click.echo("no word matched; exporting the closest titles", err=True)
    pieces = _export_pieces(lib, searcher, fmt, rids)
    if to_file:
        from .atomic import atomic_write

        _end_like_ctrl_c("SIGTERM", "SIGHUP")  # so the temporary file is removed, not left behind
        count = len(rids) if rids is not None else lib.count()
        entries = 0
        # a device or pipe (/dev/null, a FIFO) is written in place: replacing it with a regular
        # file would be wrong (and, as root, would replace /dev/null itself)
        special = os.path.exists(to_file) and not os.path.isfile(to_file) and not os.path.isdir(to_file)
        try:
            with open(to_file, "w", encoding="utf-8") if special else atomic_write(to_file, follow_symlinks=True) as f:
                for piece in pieces:
                    f.write(piece)
                    entries += 1
        except OSError as exc:
            raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
        papers = f" as {entries} BibTeX entries" if fmt == "bibtex" else ""
        click.echo(f"wrote {count} reviews{papers} to {clean_line(to_file)} ({fmt})", err=True)
    else:
        for piece in pieces:
            click.echo(piece, nl=False)


def _export_pieces(lib, searcher, fmt: str, rids: list[int] | None):
    """The export's text in pieces: of the records ``rids`` (in that order) or, for ``None``,
    of the whole library in its order."""
    if fmt == "bibtex":
        from .render.exports import bibtex_entries

        return bibtex_entries(searcher.paper_groups(rids))
    if rids is None:
        reviews = lib.iter_reviews()
    else:
        reviews = searcher.load(rids)
    if fmt == "csv":
        from .render.exports import csv_rows

        return csv_rows(reviews)
    if fmt == "markdown":
        from .render.exports import markdown_sections

        return markdown_sections(reviews)
    from .render.machine import stream_reviews

    return stream_reviews(reviews, fmt)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the per-dump summary as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="List skipped posts with the reason.")
@click.option("--channel", metavar="USERNAME", help=_CHANNEL_HELP)
def add(paths: tuple[str, ...], as_json: bool, verbose: bool, channel: str | None) -> None:
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
    from .parsing import STDIN_NAME, collect_inputs, stdin_spooled
    from .sources import AddResult

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
        from .render.machine import to_json

        click.echo(to_json([r.to_dict() for r in results]))
    else:
        from .render.human import add_summary

        _print(add_summary(results))
        if verbose:
            for r in results:
                for where, why in r.skipped_posts:
                    click.echo(f"  {clean_line(r.name or r.path)}: skipped {clean_line(where)}: {clean_line(why)}",
                               err=True)
    sys.exit(ExitCode.FAILED if failed or any(r.error for r in results) else ExitCode.OK)


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


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sources(as_json: bool) -> None:
    """The dumps in the library (bundled first, then added), with their format and record
    counts.

    \b
    Examples:
      reviews sources
      reviews sources --json
    """
    lib = _library()
    rows = lib.sources()
    if as_json:
        from .render.machine import to_json

        click.echo(to_json([r._asdict() for r in rows]))
        return
    from .render.human import sources_table

    _print(sources_table(rows))
    click.echo(f"{lib.count()} distinct reviews in {clean_line(lib.home)}", err=True)


@main.command()
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


@main.command("related")
@click.argument("ref", metavar="REF", shell_complete=_completer("complete_refs"))
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Most reviews shown.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {of: [ids], hits: [record + rank, score, reasons]}.")
def related_(ref: str, limit: int, as_json: bool) -> None:
    """The reviews most like one paper's review: similar text, shared tags and authors, papers
    cited. Best first, never the paper itself; the "why" column says what they share. REF is
    anything `show` takes (an arXiv id or URL, a record id, a title fragment).

    \b
    Examples:
      reviews related 1803.03635
      reviews related "lottery ticket" -n 5
      reviews related 8d5fd2cd --json
    """
    from .related import related
    from .resolve import resolve

    lib = _library()
    refs = resolve(lib.conn, ref)  # every review of one paper; several papers: Ambiguous, as for show
    hits = related(lib.conn, refs, limit=limit)
    if as_json:
        from .render.machine import to_json

        click.echo(to_json({"of": [r.id for r in refs], "hits": [
            {**x.review.to_dict(), "rank": k, "score": x.score, "reasons": list(x.reasons)}
            for k, x in enumerate(hits, start=1)]}))
        sys.exit(ExitCode.OK if hits else ExitCode.FAILED)
    if not hits:
        raise ReviewsError(f"{refs[0].title}: no other review shares its words, tags, authors or cited papers")
    from .render.human import related_table

    _print(*related_table(refs, hits, _width()))


@main.command("stats")
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
    from .stats import library_stats

    lib = _library()
    result = library_stats(lib.conn, by=by, top=top)
    if as_json:
        from .render.machine import to_json

        click.echo(to_json(result.to_dict()))
        return
    from .render.stats import stats_view

    _print(*stats_view(result, _width()))


@main.command("config")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {path, exists, from_env, settings: {name: {value, from}}, pager_command}.")
def config_(as_json: bool) -> None:
    """Where the settings file is and what it sets. The file is config.yaml in the user config
    folder, or the file $REVIEWS_CONFIG names; every setting is optional:

    \b
      limit: 20        results of search, tag and list without --limit
      sort: date       order of search without --sort (relevance, date, title)
      pager: false     true (default: $PAGER, else less -FRX), false, or a command
      color: never     auto (default), always, never; --color overrides it

    A bad file is an error naming the key (exit 2).

    \b
    Examples:
      reviews config
      REVIEWS_CONFIG=~/reviews.yaml reviews config --json
    """
    cfg = _settings()
    command, command_from = cfg.pager_command()
    if as_json:
        from .render.machine import to_json

        click.echo(to_json({
            "path": cfg.path, "exists": cfg.exists, "from_env": cfg.from_env,
            "settings": {k: {"value": v, "from": cfg.origin(k)} for k, v in cfg.values.items()},
            "pager_command": {"value": command, "from": command_from},
        }))
        return
    from .render.human import config_view

    _print(*config_view(cfg))


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
