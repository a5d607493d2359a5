"""Human output with rich: search tables, review pages, tag and source lists.

Every piece of dump text goes through :func:`reviews_cli.safe_text.clean` and into a
``rich.text.Text``; the console has markup, emoji codes and auto-highlighting off, so dump text is
never interpreted. This module is imported only by commands that print for people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..safe_text import clean, clean_fragment, clean_line
from .fit import MAX_WIDTH, MIN_WIDTH, Trimmed, TrimmedTable, stacked_when_narrow

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement

    from ..config import Config
    from ..library import AddResult, SourceInfo
    from ..models import Review
    from ..search.related import Related
    from ..search.search import SearchResult
    from .machine import StateOf


class _Console(Console):
    """rich's console, except that a reader who closes the pipe early (``| head -1``) ends the
    run with exit 0, as for any other command, where rich exits 1."""

    def on_broken_pipe(self) -> None:
        import os
        import sys

        devnull = os.open(os.devnull, os.O_WRONLY)  # nothing more reaches the closed pipe
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(0)


def console(stderr: bool = False, color: str = "auto", file: IO[str] | None = None) -> Console:
    """A console for one run: no markup, no emoji codes, no highlighting.

    ``color``: ``auto`` (styles when the stream is a terminal; ``NO_COLOR`` drops the colours,
    keeping bold and underline), ``always`` (styles and colours even into a pipe or with
    ``NO_COLOR``) or ``never`` (plain text, no escape sequences at all). ``file`` (a buffer
    whose text goes to a pager or the terminal later) is rendered as the terminal it stands for:
    its size, and styles when that stream is a terminal. The width is kept within
    :data:`MIN_WIDTH`..:data:`MAX_WIDTH` columns."""
    kw: dict[str, Any] = {"stderr": stderr, "markup": False, "emoji": False, "highlight": False}
    if color == "always":
        kw.update(force_terminal=True, no_color=False)
    elif color == "never":
        kw.update(color_system=None)
    if file is not None:
        real = Console(**kw)
        kw.update(file=file, force_terminal=real.is_terminal, width=real.width, height=real.height)
    c = _Console(**kw)
    if color == "always" and c.color_system is None:  # TERM=dumb: asked for colours anyway
        c = _Console(**kw, color_system="standard")
    if not MIN_WIDTH <= c.width <= MAX_WIDTH:
        c.width = min(max(c.width, MIN_WIDTH), MAX_WIDTH)
    return c


def _t(text: str | None, style: str = "") -> Text:
    return Text(clean_line(text), style=style)


def _short_authors(authors: tuple[str, ...], n: int = 2) -> str:
    if not authors:
        return ""
    return ", ".join(authors[:n]) + (" et al." if len(authors) > n else "")


def _source_label(r: Review) -> str:
    """The first source, as a post id when known, else the dump name without its extension;
    ``+N`` counts the others."""
    labels = list(dict.fromkeys(s.post_id or s.path.rsplit("/", 1)[-1].rsplit(".", 1)[0] for s in r.sources))
    return labels[0] + (f" +{len(labels) - 1}" if len(labels) > 1 else "")


# Result table layouts by terminal width (columns): from WIDE_COLUMNS the tags and source have
# columns of their own; below it they move to a dim line under the title; below NARROW_COLUMNS
# the authors column and the source go, so the title keeps room for its words.
WIDE_COLUMNS = 100
NARROW_COLUMNS = 60
# Lines of a table cell a snippet is cut to fill (word wrapping may take one more).
SNIPPET_LINES = 2


def _cell(text: str | None, style: str = "") -> Text:
    """A table cell of dump text wrapped at spaces; a word longer than the whole cell ends in
    ``…`` on its line rather than continuing on the next one."""
    t = _t(text, style)
    t.overflow = "ellipsis"
    return t


def _joined(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


# How listings mark the user's starred and unread reviews.
STAR_MARK = "★"
UNREAD_MARK = "•"


def _marks(r: Review, state: StateOf) -> Text:
    marks = state(r)
    return Text((STAR_MARK if marks.starred else "") + ("" if marks.read else UNREAD_MARK), style="yellow")


def _result_table(rows: Sequence[tuple[Review, RenderableType]], width: int, title: str | None = None,
                  state: StateOf | None = None) -> Table:
    """The shared results table for a terminal ``width`` columns wide (layouts at
    :data:`WIDE_COLUMNS` and :data:`NARROW_COLUMNS`). Cells wrap at spaces: narrow terminals
    lose columns, not halves of words. With ``state``, a first column marks starred
    (:data:`STAR_MARK`) and unread (:data:`UNREAD_MARK`) reviews."""
    from rich.console import Group

    wide = width >= WIDE_COLUMNS
    narrow = width < NARROW_COLUMNS
    table = TrimmedTable(show_header=True, header_style="bold", expand=True,
                          title=clean_line(title) if title else None)
    if state:
        table.add_column("", no_wrap=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("title", ratio=6)
    if not narrow:
        table.add_column("authors", ratio=2)
    if wide:
        table.add_column("tags", ratio=2)
        table.add_column("source", ratio=2)
    table.add_column("id", no_wrap=True, style="cyan")
    for i, (r, cell) in enumerate(rows, start=1):
        tags = " ".join("#" + t for t in r.tags)
        authors = _cell(_short_authors(r.authors, 1))
        if wide:
            cols: list[RenderableType] = [str(i), cell, authors, _cell(tags), _cell(_source_label(r))]
        else:
            meta = _cell(tags if narrow else " · ".join(x for x in (tags, _source_label(r)) if x), "dim magenta")
            parts: list[RenderableType] = list(cell.renderables) if isinstance(cell, Group) else [cell]
            head: list[RenderableType] = [parts[0], meta] if meta.plain else [parts[0]]
            cols = [str(i), Group(*head, *parts[1:])]
            if not narrow:
                cols.append(authors)
        table.add_row(*([_marks(r, state)] if state else []), *cols, _t(r.id))
    return table


class _Snippet:
    """A hit's snippet, cut (:func:`reviews_cli.search.snippets.fit`) to the width its table cell gets
    at render time, :data:`SNIPPET_LINES` lines of it, around the highlighted words."""

    def __init__(self, text: str, spans: Sequence[tuple[int, int]]) -> None:
        self.text, self.spans = text, tuple(spans)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from ..search.snippets import fit

        text, spans = fit(self.text, self.spans, SNIPPET_LINES * options.max_width)
        t = highlighted(text, spans)
        t.overflow = "ellipsis"
        yield t

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        longest = max((len(w) for w in self.text.split()), default=1)
        return Measurement(min(longest, options.max_width), min(len(self.text), options.max_width))


def search_table(result: SearchResult, width: int, state: StateOf | None = None) -> list:
    """Renderables for a search: a note line (corrections, keyboard layout slips,
    partial/fuzzy), then the table laid out for a terminal ``width`` columns wide."""
    out: list = []
    notes = []
    if result.corrections:
        slips = result.layout_slips
        said = "".join(f"; \"{typed}\" → {meant} (keyboard layout)" for typed, meant in slips.items())
        notes.append(f"Searched for: {result.searched_for}{said}")
    if result.partial:
        notes.append("No review has all the words; showing the best partial matches.")
    if result.fuzzy:
        notes.append("No word matched; showing the closest titles.")
    for n in notes:
        out.append(Trimmed(Text(clean_line(n), style="italic yellow")))
    rows = []
    for h in result.hits:
        cell: RenderableType = _cell(h.review.title, "bold")
        if h.snippet:
            from rich.console import Group

            cell = Group(cell, _Snippet(h.snippet, h.highlights))
        rows.append((h.review, cell))
    out.append(_result_table(rows, width, state=state))
    return out


def highlighted(snippet: str, spans: Sequence[tuple[int, int]]) -> Text:
    """The snippet as dim text with the matched words in bold yellow; offsets are into
    ``snippet``, which is cleaned piecewise so they stay valid."""
    t = Text(style="dim")
    pos = 0
    for s, e in spans:
        if s < pos:
            continue
        t.append(clean_fragment(snippet[pos:s]))
        t.append(clean_fragment(snippet[s:e]), style="bold yellow")
        pos = e
    t.append(clean_fragment(snippet[pos:]))
    return t


def reviews_table(reviews: list[Review], width: int, title: str | None = None, state: StateOf | None = None) -> Table:
    """A results table of records (for ``tag``, ``list`` and, without ``state``, ``parse``)."""
    return _result_table([(r, _cell(r.title, "bold")) for r in reviews], width, title, state)


# & too: rich's Markdown decodes entities, and &rlm; or &ZeroWidthSpace; would print raw
# direction marks and invisible characters
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


def _body_markdown(body: str) -> str:
    """Plain post text as Markdown that renders the way it reads (see
    :func:`post_markdown.body_markdown`), every Markdown character escaped (``alpha*l1`` is no
    emphasis, a leading ``#`` is no heading)."""
    from .post_markdown import body_markdown

    return body_markdown(body, lambda s: _MD_SPECIAL.sub(r"\\\1", s)) + "\n"


# What `show` renders of a body by default: about ten screens. Rendering Markdown is linear but
# slow (a 10 MB post took minutes); the rest is one `--full` away.
SHOW_BODY_CHARS = 20_000


def review_page(r: Review, full: bool = False, state: StateOf | None = None) -> list:
    """Renderables for ``show``: a header panel (title, authors, affiliations, year, tags,
    clickable links, reviewer, sources, id; with ``state``, the star before the title and
    whether it was read), the user's note in a panel of its own, and the body rendered as
    Markdown."""
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.style import Style

    marks = state(r) if state else None
    head = Text()
    if marks and marks.starred:
        head.append(f"{STAR_MARK} ", style="bold yellow")
    head.append(clean_line(r.title), style="bold")
    rows: list[tuple[str, Text]] = []
    if r.authors:
        rows.append(("Authors", _t(", ".join(r.authors))))
    if r.affiliations:
        rows.append(("Affiliations", _t(", ".join(r.affiliations))))
    if r.year:
        rows.append(("Year", _t(str(r.year))))
    if r.arxiv_id:
        rows.append(("arXiv", _t(r.arxiv_id)))
    if r.tags:
        rows.append(("Tags", _t(" ".join("#" + t for t in r.tags), "magenta")))
    for link in ([x for x in r.links if x.role == "paper"] + [x for x in r.links if x.role == "code"]
                 + [x for x in r.links if x.role == "other"]):
        url = clean_line(link.url)
        safe_href = url if re.match(r"^https?://[^\s\\]+$", url) else None
        style = Style(link=safe_href, underline=True) if safe_href else ""
        rows.append((link.role.capitalize(), Text(url, style=style)))
    if r.reviewer:
        who = r.reviewer.name or ""
        if r.reviewer.handle:
            who = f"{who} ({r.reviewer.handle})" if who else r.reviewer.handle
        rows.append(("Reviewer", _t(who)))
    for s in r.sources:
        label = s.path + (f"  {s.url}" if s.url else "") + (f"  {s.date}" if s.date else "")
        rows.append(("Source", _t(label, "dim")))
    rows.append(("Id", _t(r.id, "cyan")))
    if marks:
        rows.append(("Starred", _t(f"{STAR_MARK} yes" if marks.starred else "no", "yellow" if marks.starred else "")))
        rows.append(("Read", _t("yes" if marks.read else "no")))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        head.append("\n")
        head.append(f"{k:<{width}}  ", style="bold dim")
        head.append_text(v)
    body = r.body
    more = 0
    if not full and len(body) > SHOW_BODY_CHARS:
        cut = body.rfind("\n", 0, SHOW_BODY_CHARS)
        cut = cut if cut > SHOW_BODY_CHARS // 2 else SHOW_BODY_CHARS
        body, more = body[:cut], len(body) - cut
    parts: list = [Panel(head, expand=True)]
    if marks and marks.note:
        parts.append(Panel(Text(clean(marks.note)), title="Note", title_align="left", border_style="yellow"))
    parts.append(Markdown(_body_markdown(body)) if body.strip() else Text("(no text)"))
    if more:
        parts.append(Text(f"… {more:,} more characters: reviews show {r.id} --full", style="dim"))
    return parts


def tags_table(tags: list[tuple[str, int]]) -> RenderableType:
    """The tags and their review counts; stacked when narrow (see :class:`.fit.FitOrStack`)."""
    table = Table(show_header=True, header_style="bold")
    table.add_column("tag")
    table.add_column("reviews", justify="right")
    for label, n in tags:
        table.add_row(_t("#" + label, "magenta"), str(n))
    return stacked_when_narrow(table, [(_t(f"#{label}  {n}", "magenta"), []) for label, n in tags])


def sources_table(sources: list[SourceInfo]) -> RenderableType:
    """The library's dumps: name, kind, format, counts, origin (or why it is unreadable);
    stacked when narrow (see :class:`.fit.FitOrStack`)."""
    table = Table(show_header=True, header_style="bold")
    for col in ("source", "kind", "format", "reviews", "skipped", "origin"):
        table.add_column(col, justify="right" if col in ("reviews", "skipped") else "left", overflow="fold")
    stacked = []
    for s in sources:
        origin = _t((s.error and f"unreadable: {s.error}") or s.origin or "", "red" if s.error else "")
        table.add_row(_t(s.name), s.kind, _t(s.format or "-"), str(s.reviews), str(s.skipped), origin)
        counts = _joined(s.kind, s.format, f"{s.reviews} reviews", f"{s.skipped} skipped")
        stacked.append((_t(s.name, "bold"), [_t(counts, "dim"), origin]))
    return stacked_when_narrow(table, stacked)


def pulled_table(channels: list[dict[str, Any]]) -> RenderableType:
    """The channels ``reviews pull`` keeps up with: posts stored, the newest post and when the
    channel was last pulled (``ChannelStatus.to_dict()`` rows)."""
    table = Table(show_header=True, header_style="bold", title="pulled channels", title_justify="left")
    for col in ("channel", "posts", "newest post", "last pull"):
        table.add_column(col, justify="right" if col == "posts" else "left", overflow="fold")
    stacked = []
    for c in channels:
        newest = " ".join(x for x in (c["newest_post"], f"({c['newest_date'][:10]})" if c["newest_date"] else "") if x)
        last = (c["last_pull"] or "-").replace("T", " ")[:16]
        table.add_row(_t(c["channel"]), f"{c['posts']} posts", _t(newest or "-"), _t(last))
        line = _joined(f"{c['posts']} posts", newest, f"pulled {last}")
        stacked.append((_t(c["channel"], "bold"), [_t(line, "dim")]))
    return stacked_when_narrow(table, stacked)


def add_summary(results: list[AddResult]) -> RenderableType:
    """One row per dump ``add`` was given, and a caption counting them: added, already in the
    library (the same content, not added again), refused."""
    added = sum(1 for r in results if r.name and not r.already and not r.error)
    already = sum(1 for r in results if r.already and not r.error)
    refused = sum(1 for r in results if r.error)
    caption = ", ".join(part for n, part in ((added, f"{added} added"), (already, f"{already} already in the library"),
                                             (refused, f"{refused} refused")) if n) or None
    table = Table(show_header=True, header_style="bold", caption=caption)
    for col in ("dump", "format", "reviews", "merged", "skipped", "result"):
        table.add_column(col, justify="right" if col in ("reviews", "merged", "skipped") else "left", overflow="fold")
    stacked = []
    for r in results:
        if r.error:
            table.add_row(_t(r.path), "-", "-", "-", "-", _t(f"refused: {r.error}", "red"))
            stacked.append((_t(r.path, "bold"), [_t(f"refused: {r.error}", "red")]))
        else:
            status = f"already in the library as {r.name}" if r.already else f"added as {r.name}"
            status += "".join(f"; {n}" for n in r.notes)
            table.add_row(_t(r.path), _t(r.format), str(r.reviews), str(r.merged), str(r.skipped), _t(status))
            counts = _joined(r.format, f"{r.reviews} reviews", f"{r.merged} merged", f"{r.skipped} skipped")
            stacked.append((_t(r.path, "bold"), [_t(counts, "dim"), _t(status)]))
    if caption:
        stacked.append((Text(caption), []))
    return stacked_when_narrow(table, stacked)


def related_table(refs: list[Review], items: list[Related], width: int) -> list:
    """Renderables for ``reviews related``: a line naming the paper the results are like, then
    a results table (as search's) with a "why" column of each record's reasons and its score."""
    head = Text("Related to: ", style="italic")
    head.append(clean_line(refs[0].title), style="bold")
    if len(refs) > 1:
        head.append(f" ({len(refs)} reviews)", style="dim")
    wide = width >= WIDE_COLUMNS
    narrow = width < NARROW_COLUMNS  # the reasons go under the title, as a search's snippet
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("title", ratio=5)
    if not narrow:
        table.add_column("why", ratio=4)
    if wide:
        table.add_column("authors", ratio=2, overflow="fold")
        table.add_column("score", justify="right", style="dim", no_wrap=True)
    table.add_column("id", no_wrap=True, style="cyan")
    for i, item in enumerate(items, start=1):
        r = item.review
        title = _cell(r.title, "bold")
        tags = " ".join("#" + t for t in r.tags)
        if tags:
            title.append("\n")
            title.append(clean_line(tags), style="dim magenta")
        why = Text("\n".join(clean_line(x) for x in item.reasons), style="green")
        why.overflow = "ellipsis"
        if narrow:
            title.append("\n")
            title.append_text(why)
        cols: list[RenderableType] = [str(i), title] if narrow else [str(i), title, why]
        if wide:
            cols += [_t(_short_authors(r.authors, 1)), f"{item.score:.2f}"]
        table.add_row(*cols, _t(r.id))
    return [head, table]


def config_view(cfg: Config) -> list:
    """Renderables for ``reviews config``: the file's path and whether it exists, then a table of
    each setting, its value and where the value comes from (``default`` / ``config file``)."""
    head = Text()
    head.append("config file  ", style="bold")
    head.append(clean_line(cfg.path))
    state = "exists" if cfg.exists else "does not exist: every setting is its default"
    head.append(f"\n             {state}" + ("  (named by $REVIEWS_CONFIG)" if cfg.from_env else ""), style="dim")
    table = Table(show_header=True, header_style="bold")
    for col in ("setting", "value", "from"):
        table.add_column(col, overflow="fold")
    command, command_from = cfg.pager_command()
    for key, value in cfg.values.items():
        if key == "limit" and value is None:
            shown = "per command (search 10, tag 50, list 20)"
        elif key == "pager":
            shown = f"on: {command} (from {command_from})" if cfg.pager_enabled else "off"
        elif isinstance(value, bool):
            shown = str(value).lower()
        else:
            shown = str(value)
        table.add_row(key, _t(shown), Text(cfg.origin(key), style="dim" if key not in cfg.from_file else "green"))
    return [head, table]
