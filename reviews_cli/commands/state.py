"""The state commands: star, unstar, note, mark, and state export/import: the user's own marks on
papers (``library.state``), kept apart from the index so no rebuild loses them. The
``--starred/--unread/--read/--noted`` filters the reading and export commands share are in
:mod:`._marks` (a search need not build these commands)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import ExitCode, LibraryError, UsageError
from ..safe_text import clean_line
from ._common import _completer, _end_like_ctrl_c, _library

# ------------------------------------------------------------------------------- the commands


def _writer():
    lib = _library(write=True)
    if lib.state_access != "write":
        raise LibraryError(f"{lib.home}: stars, notes and read marks cannot be changed here (see above); "
                           "nothing was changed")
    return lib


def _papers(lib, refs: tuple[str, ...]):
    """Every REF resolved as ``show`` does, before anything changes (an unknown or ambiguous
    REF changes nothing)."""
    from ..search.resolve import resolve

    return [resolve(lib.conn, ref) for ref in refs]


def _report(papers, states, what: Callable[[Any], str]) -> None:
    for group, st in zip(papers, states):
        click.echo(f"{what(st)}  {group[0].id}  {clean_line(group[0].title)}")


_REFS = click.argument("refs", nargs=-1, required=True, metavar="REF...", shell_complete=_completer("complete_refs"))


@click.command()
@_REFS
def star(refs: tuple[str, ...]) -> None:
    """Star papers. REF is anything `show` takes: an arXiv id or URL, a record id (or 4+ of its
    first digits), a title fragment naming one paper. A REF that names nothing, or several
    papers (they are listed), is an error and nothing changes (exit 1).

    \b
    Examples:
      reviews star 1803.03635 "BioBERT"
    """
    _set(refs, starred=True)


@click.command()
@_REFS
def unstar(refs: tuple[str, ...]) -> None:
    """Take the star off papers (REF as for `star`).

    \b
    Examples:
      reviews unstar 1803.03635
    """
    _set(refs, starred=False)


def _set(refs: tuple[str, ...], starred: bool) -> None:
    from ..library.state import Change, change

    lib = _writer()
    papers = _papers(lib, refs)
    states = change(lib.conn, papers, Change(starred=starred))
    _report(papers, states, lambda st: "★ starred" if st.starred else "unstarred")


@click.command()
@click.argument("ref", metavar="REF", shell_complete=_completer("complete_refs"))
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove the note.")
def note(ref: str, text: str | None, clear: bool) -> None:
    """Your note on a paper: `note REF "text"` sets it, `note REF` opens it in $VISUAL or $EDITOR,
    `note REF --clear` removes it. REF as for `star`. The note is shown by `show`, searched by
    `search` (has:note finds noted reviews) and carried by every export.

    \b
    Examples:
      reviews note 1803.03635 "rewinding matters more than the init"
      reviews note 1803.03635 --clear
    """
    from ..library.state import Change, change, states_of

    if clear and text is not None:
        raise UsageError("give a note or --clear, not both")
    if text is not None and not text.strip():
        raise UsageError("the note is empty; --clear removes a note")
    lib = _writer()
    (paper,) = _papers(lib, (ref,))
    if text is None and not clear and not sys.stdin.isatty() and not (
            os.environ.get("VISUAL") or os.environ.get("EDITOR")):
        raise UsageError("no editor to open: set $VISUAL or $EDITOR, or give the note: reviews note REF \"text\"")
    if clear:
        what = Change(clear_note=True)
    elif text is not None:
        what = Change(note=text)
    else:
        before = states_of(lib.conn, [r.id for r in paper]).get(paper[0].id)
        old = before.note if before else None
        edited = click.edit(old or "", extension=".txt", require_save=True)
        if edited is None or not edited.strip() or edited.rstrip() == (old or "").rstrip():
            click.echo("note unchanged" + (" (empty; --clear removes a note)" if edited is not None
                                            and not edited.strip() and old else ""), err=True)
            return
        now = states_of(lib.conn, [r.id for r in paper]).get(paper[0].id)
        if (now.note if now else None) != old:  # written elsewhere while the editor was open: keep both
            edited = edited.rstrip() + "\n\n" + (now.note if now and now.note else "")
        what = Change(note=edited.rstrip())
    (st,) = change(lib.conn, [paper], what)
    _report([paper], [st], lambda s: "note set" if s.note else "note removed")


@click.command()
@click.argument("refs", nargs=-1, metavar="[REF]...", shell_complete=_completer("complete_refs"))
@click.option("--read/--unread", "read", default=None, help="Mark read, or unread.")
@click.option("--all", "all_", is_flag=True, help="Every review in the library.")
def mark(refs: tuple[str, ...], read: bool | None, all_: bool) -> None:
    """Mark papers read or unread (REF as for `star`), or with --all every review. `show`
    marks what it shows as read (config mark_read_on_show: false turns that off).

    \b
    Examples:
      reviews mark 1803.03635 --read
      reviews mark --all --unread
    """
    from ..library.state import Change, change, mark_all

    if read is None:
        raise UsageError("say --read or --unread")
    if all_ == bool(refs):
        raise UsageError("give REFs or --all" if not all_ else "give REFs or --all, not both")
    lib = _writer()
    if all_:
        n = mark_all(lib.conn, read)
        click.echo(f"marked {n} reviews {'read' if read else 'unread'}")
        return
    papers = _papers(lib, refs)
    states = change(lib.conn, papers, Change(read=read))
    _report(papers, states, lambda st: "read  " if st.read else "unread")


@click.group("state")
def state_() -> None:
    """Back up your stars, notes and read marks, and merge a backup in. They live in
    state.sqlite in $REVIEWS_HOME, apart from the index: no re-index, `remove` + `add` or
    upgrade loses them, and marks on reviews no longer in the library are kept for when they
    come back (`reviews stats` counts them).

    \b
    Examples:
      reviews state export -o mine.json
      reviews state import mine.json
    """


@state_.command("export")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (default: standard output).")
def state_export(output: str | None) -> None:
    """Every star, note and read mark as JSON (reviews-state format), orphans included.

    \b
    Examples:
      reviews state export > mine.json
      reviews state export -o ~/backup/reviews-state.json
    """
    from ..library.state_backup import export_state
    from ..render.machine import to_json

    lib = _library()
    if lib.state_access == "none":
        raise LibraryError(f"{lib.home}: the state file cannot be read (see above); nothing exported")
    data = export_state(lib.conn)
    text = to_json(data) + "\n"
    if output in (None, "-"):
        click.echo(text, nl=False)
        return
    from ..atomic import atomic_write

    _end_like_ctrl_c("SIGTERM", "SIGHUP")
    try:
        with atomic_write(output, follow_symlinks=True) as f:
            f.write(text)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
    click.echo(f"wrote the state of {len(data['papers'])} papers to {clean_line(output)}", err=True)


@state_.command("import")
@click.argument("path", metavar="FILE", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {added, merged, unchanged, conflicts}.")
def state_import(path: str, as_json: bool) -> None:
    """Merge a backup made by `state export` into the library's state: stars and read marks
    are added; a note fills an empty one; a note that differs from yours is never written
    over: it is reported as a conflict (exit 1) and yours is kept. FILE - reads standard input.

    \b
    Examples:
      reviews state import mine.json
    """
    from ..library.state_backup import MAX_BACKUP_BYTES, import_state, parse_backup, read_backup

    if path == "-":
        entries = parse_backup(sys.stdin.buffer.read(MAX_BACKUP_BYTES + 1), "standard input")
    else:
        entries = read_backup(path)
    lib = _writer()
    result = import_state(lib.conn, entries)
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json(result.to_dict()))
    else:
        shown = "standard input" if path == "-" else path
        click.echo(f"{clean_line(shown)}: {result.added} added, {result.merged} merged, {result.unchanged} unchanged"
                   + (f", {len(result.conflicts)} notes in conflict (yours kept)" if result.conflicts else ""))
    for c in result.conflicts:
        theirs = clean_line(" ".join(c.theirs.split()))
        click.echo(f"  conflict: {clean_line(c.title)}: yours kept; the file's note: {theirs[:100]}"
                   + ("…" if len(theirs) > 100 else ""), err=True)
    sys.exit(ExitCode.FAILED if result.conflicts else ExitCode.OK)


COMMANDS = [star, unstar, note, mark, state_]
