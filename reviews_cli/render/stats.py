"""Human output of ``reviews stats`` with rich: count tables and a horizontal bar chart of
reviews per month or year, scaled to the terminal width.

Source names, origins, reviewer names and tags are dump text: each goes through
:func:`reviews_cli.safe_text.clean_line` into a ``rich.text.Text`` (never markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from ..safe_text import clean_line

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..library.stats import Stats

# Eighth blocks: a bar's end is drawn to an eighth of a column.
_EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
# Columns a bar never goes below, however narrow the terminal.
MIN_BAR_WIDTH = 10


def bar(value: int, top: int, width: int) -> str:
    """A bar of ``█`` (ending in an eighth block) for ``value`` on a scale where ``top`` fills
    ``width`` columns; at most ``width`` characters; empty for 0, at least ``▏`` for any
    positive value."""
    if value <= 0 or top <= 0 or width <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, rest = divmod(min(eighths, width * 8), 8)
    return FULL * full + (_EIGHTHS[rest] if rest else "")


def bar_chart(rows: list[tuple[str, int]], width: int, title: str | None = None) -> Table:
    """A horizontal bar chart: one line per ``(label, count)``, the label, the count and a bar
    scaled so the largest count fills what is left of ``width`` columns."""
    labels = [clean_line(label) for label, _ in rows]
    label_w = max((len(x) for x in labels), default=0)
    count_w = max((len(f"{n:,}") for _, n in rows), default=1)
    # label, count, two column gaps of 2, and a column of slack for the last eighth block
    bar_w = max(MIN_BAR_WIDTH, width - label_w - count_w - 5)
    top = max((n for _, n in rows), default=0)
    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1), title=title, title_justify="left",
                  title_style="bold")
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True, overflow="crop")
    for label, (_, n) in zip(labels, rows):
        table.add_row(Text(label), Text(f"{n:,}", style="dim"), Text(bar(n, top, bar_w), style="cyan"))
    return table


def _counts(title: str, head: str, rows: list[tuple[str, int]]) -> RenderableType:
    from .fit import stacked_when_narrow

    table = Table(title=title, title_justify="left", title_style="bold", show_header=True, header_style="bold")
    table.add_column(head, overflow="fold")
    table.add_column("reviews", justify="right", no_wrap=True)
    for label, n in rows:
        table.add_row(Text(clean_line(label)), f"{n:,}")
    return stacked_when_narrow(table, [(Text(f"{clean_line(label)}  {n:,}"), []) for label, n in rows])


def stats_view(stats: Stats, width: int) -> list[RenderableType]:
    """Renderables for ``reviews stats``: a summary line, tables of sources, paper years,
    reviewers and top tags, then the bar chart of reviews per period for a terminal ``width``
    columns wide."""
    out: list[RenderableType] = [Text(f"{stats.total:,} reviews from {len(stats.sources)} sources", style="bold")]
    if stats.state and stats.state.papers:
        st = stats.state
        orphans = f"; {st.orphaned:,} kept for reviews no longer in the library" if st.orphaned else ""
        out.append(Text(f"Your marks: {st.starred:,} starred, {st.read:,} read, {st.noted:,} with a note{orphans}"))
    if stats.sources:
        from .fit import stacked_when_narrow

        table = Table(title="By source", title_justify="left", title_style="bold", show_header=True,
                      header_style="bold")
        table.add_column("source", overflow="fold")
        table.add_column("origin", overflow="fold")
        table.add_column("reviews", justify="right", no_wrap=True)
        stacked = []
        for name, origin, n in stats.sources:
            table.add_row(Text(clean_line(name)), Text(clean_line(origin), style="dim"), f"{n:,}")
            stacked.append((Text(f"{clean_line(name)}  {n:,}"), [Text(clean_line(origin), style="dim")]))
        out.append(stacked_when_narrow(table, stacked))
    small: list[RenderableType] = []  # short tables, side by side where the width allows
    if stats.years and stats.basis != "paper year":  # else the chart below shows the same numbers
        rows = [(str(y), n) for y, n in stats.years] + ([("unknown", stats.no_year)] if stats.no_year else [])
        small.append(_counts("By paper year", "year", rows))
    if stats.reviewers:
        rows = list(stats.reviewers) + ([("(not named)", stats.no_reviewer)] if stats.no_reviewer else [])
        small.append(_counts("By reviewer", "reviewer", rows))
    if stats.tags:
        small.append(_counts("Top tags", "tag", [("#" + t, n) for t, n in stats.tags]))
    if small:
        from rich.columns import Columns

        out.append(Columns(small, padding=(0, 3)))
    if stats.timeline:
        per = "month" if stats.by == "month" else "year"
        note = f" (by {stats.basis})" + (f", {stats.undated:,} undated" if stats.undated else "")
        out.append(bar_chart(stats.timeline, width, title=f"Reviews per {per}{note}"))
    else:
        out.append(Text("No review has a post date or a paper year: nothing to chart.", style="italic yellow"))
    return out
