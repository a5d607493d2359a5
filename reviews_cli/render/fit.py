"""Fitting rich tables to the terminal: lines without trailing white space, column widths that
keep every word whole, and rows stacked under each other when no such widths exist. Used by
the human renderers (:mod:`.human`, :mod:`.stats`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.segment import Segment

# The widths output is laid out for, whatever $COLUMNS says: at 0 a table vanished (the results
# with it), at 1 it was a column of borders; 100000 padded every table line to that width.
MIN_WIDTH = 30
MAX_WIDTH = 1000


def _trimmed(segments: Iterable[Segment]) -> Iterator[Segment]:
    """``segments`` with the white space at the end of each line dropped: rich pads cells,
    titles and wrapped lines to the width, which piped output should not carry."""
    from rich.segment import Segment

    line: list[Segment] = []

    def flush() -> Iterator[Segment]:
        while line and not line[-1].control and not line[-1].text.rstrip():
            line.pop()
        if line and not line[-1].control:
            last = line.pop()
            line.append(Segment(last.text.rstrip(), last.style))
        yield from line
        line.clear()

    for seg in segments:
        if seg.control or "\n" not in seg.text:
            line.append(seg)
            continue
        *done, rest = seg.text.split("\n")
        for piece in done:
            if piece:
                line.append(Segment(piece, seg.style))
            yield from flush()
            yield Segment.line()
        if rest:
            line.append(Segment(rest, seg.style))
    yield from flush()


class TrimmedTable(Table):
    """A rich Table whose lines carry no trailing white space (see :func:`_trimmed`)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        # Table yields segments and, for its title and caption, renderables
        segments = (seg for item in Table.__rich_console__(self, console, options)
                    for seg in ([item] if isinstance(item, Segment) else console.render(item, options)))
        yield from _trimmed(segments)


class Trimmed:
    """Any renderable, its lines without trailing white space (see :func:`_trimmed`)."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from _trimmed(console.render(self.inner, options))


def trimmed(renderable: RenderableType) -> RenderableType:
    """``renderable`` printed without white space at line ends (rich pads Markdown paragraphs,
    panels' surroundings and tables to the width; piped output should not carry that)."""
    return renderable if isinstance(renderable, (Trimmed, TrimmedTable)) else Trimmed(renderable)


def word_widths(table: Table, console: Console, options: ConsoleOptions) -> list[int] | None:
    """Column widths (padding included) that fit ``table`` in ``options.max_width`` with every
    column at least as wide as its longest word, taken from the columns with the most room to
    spare; ``None`` when no such widths exist. rich's own squeeze takes from the widest
    column whatever its words, splitting them although the table could hold them whole."""
    unbounded = options.update_width(MAX_WIDTH)
    ranges = [table._measure_column(console, unbounded, column) for column in table.columns]
    room = options.max_width - table._extra_width
    widths = [r.maximum for r in ranges]
    lowest = [r.maximum if c.no_wrap else r.minimum for r, c in zip(ranges, table.columns)]
    if sum(lowest) > room:
        return None
    excess = sum(widths) - room
    while excess > 0:
        k = max(range(len(widths)), key=lambda i: widths[i] - lowest[i])
        cut = min(excess, max(1, (widths[k] - lowest[k]) // 2))
        widths[k] -= cut
        excess -= cut
    return widths


class FitOrStack:
    """A table whose columns each hold their longest word, when the width allows, else the
    same rows stacked: each row's first cell on a line of its own and the others wrapped under
    it, indented; either way a narrow terminal wraps at spaces instead of splitting words (a
    single word longer than the whole line still folds)."""

    def __init__(self, table: Table, stacked: list[tuple[Text, list[Text]]]) -> None:
        self.table, self.stacked = table, stacked

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        import copy
        import dataclasses

        from rich.padding import Padding

        widths = word_widths(self.table, console, options)
        if widths is not None:
            table = copy.copy(self.table)
            table.columns = [dataclasses.replace(c, width=w - self.table._get_padding_width(i))
                             for i, (c, w) in enumerate(zip(self.table.columns, widths))]
            yield table
            return
        if self.table.title:
            yield Trimmed(Text(str(self.table.title), style="bold"))
        for head, rest in self.stacked:
            yield Trimmed(head)
            for line in rest:
                if line.plain:
                    yield Trimmed(Padding(line, (0, 0, 0, 2)))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement.get(console, options, self.table)


def stacked_when_narrow(table: Table, stacked: list[tuple[Text, list[Text]]]) -> RenderableType:
    """``table``, or ``stacked`` (each row as a head line and indented lines under it) when the
    table's columns cannot all hold their longest words at the width it is printed at."""
    return FitOrStack(table, stacked)
