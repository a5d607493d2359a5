"""Human output with rich: search tables, review pages, tag and source lists.

Every piece of dump text goes through :func:`reviews_cli.safe_text.clean` and into a
``rich.text.Text``; the console has markup, emoji codes and auto-highlighting off, so dump text is
never interpreted. This module is imported only by commands that print for people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..safe_text import clean, clean_fragment, clean_line

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..library import AddResult, SourceInfo
    from ..models import Review
    from ..search import SearchResult


def console(stderr: bool = False) -> Console:
    """A console for one run: no markup, no emoji codes, no highlighting; colour follows the
    terminal and ``NO_COLOR``."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


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


def _result_table(rows: Sequence[tuple[Review, RenderableType]], width: int, title: str | None = None) -> Table:
    """The shared results table. Below 100 columns the tags and source move from their own
    columns to a dim line under the title, so narrow terminals still show them legibly."""
    from rich.console import Group

    wide = width >= 100
    table = Table(show_header=True, header_style="bold", expand=True, title=clean_line(title) if title else None)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("title", ratio=6, overflow="fold")
    table.add_column("authors", ratio=2, overflow="fold")
    if wide:
        table.add_column("tags", ratio=2, overflow="fold")
        table.add_column("source", ratio=2, overflow="fold")
    table.add_column("id", no_wrap=True, style="cyan")
    for i, (r, cell) in enumerate(rows, start=1):
        tags = " ".join("#" + t for t in r.tags)
        if wide:
            cols: list[RenderableType] = [str(i), cell, _t(_short_authors(r.authors, 1)), _t(tags),
                                          _t(_source_label(r))]
        else:
            meta = _t(" · ".join(x for x in (tags, _source_label(r)) if x), "dim magenta")
            parts = list(cell.renderables) if isinstance(cell, Group) else [cell]
            cols = [str(i), Group(parts[0], meta, *parts[1:]), _t(_short_authors(r.authors, 1))]
        table.add_row(*cols, _t(r.id))
    return table


def search_table(result: SearchResult, width: int) -> list:
    """Renderables for a search: a note line (corrections, partial/fuzzy), then the table
    laid out for a terminal ``width`` columns wide."""
    out: list = []
    notes = []
    if result.corrections:
        notes.append(f"Searched for: {result.searched_for}")
    if result.partial:
        notes.append("No review has all the words; showing the best partial matches.")
    if result.fuzzy:
        notes.append("No word matched; showing the closest titles.")
    for n in notes:
        out.append(Text(clean_line(n), style="italic yellow"))
    rows = []
    for h in result.hits:
        cell: RenderableType = _t(h.review.title, "bold")
        if h.snippet:
            from rich.console import Group

            snip = highlighted(h.snippet, h.highlights)
            snip.no_wrap, snip.overflow = True, "ellipsis"
            cell = Group(cell, snip)
        rows.append((h.review, cell))
    out.append(_result_table(rows, width))
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


def reviews_table(reviews: list[Review], width: int, title: str | None = None) -> Table:
    """A results table of records (for ``tag`` and ``parse``)."""
    return _result_table([(r, _t(r.title, "bold")) for r in reviews], width, title)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def _body_markdown(body: str) -> str:
    """Plain post text as Markdown that renders the way it reads: each line its own paragraph,
    list lines kept as lists, every other Markdown character escaped (``alpha*l1`` is no emphasis,
    a leading ``#`` is no heading)."""
    out = []
    prev_list = False
    for line in clean(body).split("\n"):
        s = line.strip()
        if not s:
            prev_list = False
            continue
        m = re.match(r"^([-•*–—]|\d{1,3}[.)])\s+(.*)$", s)
        if m:
            marker = "-" if not m.group(1)[0].isdigit() else m.group(1)[:-1] + "."
            item = _MD_SPECIAL.sub(r"\\\1", m.group(2))
            out.append(("" if prev_list else "\n") + f"{marker} {item}")
            prev_list = True
        else:
            out.append("\n" + _MD_SPECIAL.sub(r"\\\1", s))
            prev_list = False
    return "\n".join(out).strip() + "\n"


# What `show` renders of a body by default: about ten screens. Rendering Markdown is linear but
# slow (a 10 MB post took minutes); the rest is one `--full` away.
SHOW_BODY_CHARS = 20_000


def review_page(r: Review, full: bool = False) -> list:
    """Renderables for ``show``: a header panel (title, authors, affiliations, year, tags,
    clickable links, reviewer, sources, id) and the body rendered as Markdown."""
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.style import Style

    head = Text()
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
    parts: list = [Panel(head, expand=True), Markdown(_body_markdown(body)) if body.strip() else Text("(no text)")]
    if more:
        parts.append(Text(f"… {more:,} more characters: reviews show {r.id} --full", style="dim"))
    return parts


def tags_table(tags: list[tuple[str, int]]) -> Table:
    table = Table(show_header=True, header_style="bold")
    table.add_column("tag")
    table.add_column("reviews", justify="right")
    for label, n in tags:
        table.add_row(_t("#" + label, "magenta"), str(n))
    return table


def sources_table(sources: list[SourceInfo]) -> Table:
    table = Table(show_header=True, header_style="bold")
    for col in ("source", "kind", "format", "reviews", "skipped", "origin"):
        table.add_column(col, justify="right" if col in ("reviews", "skipped") else "left", overflow="fold")
    for s in sources:
        table.add_row(_t(s.name), s.kind, _t(s.format or "-"), str(s.reviews), str(s.skipped),
                      _t((s.error and f"unreadable: {s.error}") or s.origin or "", "red" if s.error else ""))
    return table


def add_summary(results: list[AddResult]) -> Table:
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
    for r in results:
        if r.error:
            table.add_row(_t(r.path), "-", "-", "-", "-", _t(f"refused: {r.error}", "red"))
        else:
            status = f"already in the library as {r.name}" if r.already else f"added as {r.name}"
            status += "".join(f"; {n}" for n in r.notes)
            table.add_row(_t(r.path), _t(r.format), str(r.reviews), str(r.merged), str(r.skipped), _t(status))
    return table
