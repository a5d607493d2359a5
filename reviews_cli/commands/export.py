"""The export command: the library, or what a query matches, in one of the export formats."""

from __future__ import annotations

import click

from ..errors import NotFound, UsageError
from ..safe_text import clean_line
from ._common import QueryCommand, _date_options, _end_like_ctrl_c, _library
from ._marks import state_filters, state_flags

# the export formats (render.exports.EXTENSIONS maps file extensions onto them)
_EXPORT_FORMATS = ("json", "jsonl", "yaml", "csv", "bibtex", "markdown")


@click.command(cls=QueryCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--format", "fmt", type=click.Choice(_EXPORT_FORMATS),
              help="Output format [default: from the -o file's extension, else json].")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (- for stdout, the default).")
@_date_options
@state_filters
def export(query: tuple[str, ...], fmt: str | None, output: str | None, since: str | None, until: str | None,
           **marks: bool) -> None:
    """Every record in the library, or with a QUERY (the language of `reviews search`) every
    record it matches, best first; --since/--until keep the posts of those dates. Written as
    it is read: memory stays flat however large the library.

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
    .bib .md) when --format is not given. Every record carries your marks:
    starred, read and note (CSV columns; BibTeX puts the note in note,
    Markdown under the body); --starred, --unread, --read, --noted export
    only those.

    \b
    Examples:
      reviews export -o library.json
      reviews export --format bibtex tag:GAN -o gan.bib
      reviews export --unread --format markdown -o to-read.md
    """
    import os

    from ..render.exports import format_for_path
    from ..search.dates import date_range
    from ..search.search import Searcher

    dates = date_range(since, until)
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
    flags = state_flags(**marks)
    lib = _library()
    searcher = Searcher(lib.conn)
    rids = None
    if query:
        from ..search.query import Query

        q = Query.parse(" ".join(query))
        q.dates = dates
        q.states += flags
        result, rids = searcher.matching_ids(q)
        if not rids:
            raise NotFound(q.text)
        if result.corrections:
            click.echo(f"searched for: {clean_line(result.searched_for)}", err=True)
        if result.partial:
            click.echo("no review has all the words; exporting the partial matches", err=True)
        if result.fuzzy:
            click.echo("no word matched; exporting the closest titles", err=True)
    elif any(dates) or flags:
        rids = searcher.dated_ids(dates, flags)
        if not rids:
            raise NotFound("reviews of those dates" if not flags else "reviews with these marks")
    pieces = _export_pieces(lib, searcher, fmt, rids)
    if to_file:
        from ..atomic import atomic_write

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
    of the whole library in its order; each with the user's marks, read a chunk at a time."""
    from ..library.state import StateView

    view = StateView(lib.conn)
    if fmt == "bibtex":
        from ..render.exports import bibtex_entries

        return bibtex_entries(view.follow_groups(searcher.paper_groups(rids)), view.get)
    if rids is None:
        reviews = view.follow(lib.iter_reviews())
    else:
        reviews = view.follow(searcher.load(rids))
    if fmt == "csv":
        from ..render.exports import csv_rows

        return csv_rows(reviews, view.get)
    if fmt == "markdown":
        from ..render.exports import markdown_sections

        return markdown_sections(reviews, view.get)
    from ..render.machine import stream_reviews

    return stream_reviews(reviews, fmt, view.get)


COMMANDS = [export]
