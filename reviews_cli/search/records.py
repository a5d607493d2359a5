"""Records of the library's index by id, by hashtag, newest first, or grouped by paper:
:class:`Records` (the base of :class:`~reviews_cli.search.search.Searcher`) and :func:`recent`.
No ranking here: ``reviews tag``, ``reviews list`` and exports read records through these, a
chunk of :data:`SQL_CHUNK` ids at a time so memory stays flat however large the library.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..ids import canonical_tag
from ..models import Review
from .dates import DateRange

if TYPE_CHECKING:
    from .query import Query

# Records fetched per ``rid IN (...)`` query: well under the 999 parameters older SQLite builds allow.
SQL_CHUNK = 500


def _dated(dates: DateRange) -> tuple[str, list[object]]:
    """`` AND ...`` conditions on ``r.date`` for the bounds in ``dates`` (ISO dates compare as
    text), and their arguments; empty when ``dates`` bounds nothing."""
    cond, args = "", list[object]()
    for op, bound in zip((">=", "<"), dates):
        if bound:
            cond += f" AND r.date {op} ?"
            args.append(bound)
    return cond, args


def _marked(states: Sequence[tuple[str, bool]]) -> str:
    """`` AND ...`` conditions on ``r.rid`` for the user's marks ``states``
    (``library.state.flags_sql``, no arguments); empty when there are none."""
    return "".join(" AND " + c for c in state_conditions(states))


def state_conditions(states: Sequence[tuple[str, bool]]) -> list[str]:
    """SQL conditions on ``r.rid`` for the user's marks (``library.state.flags_sql``)."""
    if not states:
        return []
    from ..library.state import flags_sql

    return flags_sql(states)


def date_and_state_conditions(dates: DateRange, states: Sequence[tuple[str, bool]]) -> tuple[list[str], list[object]]:
    """SQL conditions on ``r.date`` for the bounds in ``dates`` (ISO dates compare as text) and
    on ``r.rid`` for the user's marks ``states``, and their arguments."""
    cond, args = _dated(dates)
    return [c for c in cond.split(" AND ") if c] + state_conditions(states), args


def field_conditions(q: Query) -> tuple[list[str], list[object]]:
    """SQL conditions on ``reviews r`` for ``q``'s tag:, year:, source: filters and their
    ``-`` exclusions, its dates and marks, and their arguments. A record with no year passes
    every ``-year:`` (it is in no year excluded). author: and reviewer: are FTS column terms,
    left to :class:`~reviews_cli.search.search.Searcher`."""
    where: list[str] = []
    args: list[object] = []
    for tag, op in [*((t, "IN") for t in q.tags), *((t, "NOT IN") for t in q.not_tags)]:
        where.append(f"r.rid {op} (SELECT rid FROM review_tags WHERE tag = ?)")
        args.append(tag)
    for (lo, hi), cond in [*((y, "r.year BETWEEN ? AND ?") for y in [q.years] if y),
                           *((y, "(r.year IS NULL OR r.year NOT BETWEEN ? AND ?)") for y in q.not_years)]:
        where.append(cond)
        args += [lo, hi]
    for src, op in [*((s, ">") for s in q.sources), *((s, "=") for s in q.not_sources)]:
        where.append(f"instr(lower(r.src), ?) {op} 0")
        args.append(src)
    conds, cargs = date_and_state_conditions(q.dates, q.states)
    return where + conds, args + cargs


class Records:
    """Reads records from an open library connection (``Library.conn``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
    def _load(self, rids: list[int]) -> dict[int, Review]:
        out = {}
        for i in range(0, len(rids), SQL_CHUNK):
            chunk = rids[i:i + SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            for rid, js in self.conn.execute(f"SELECT rid, json FROM records WHERE rid IN ({marks})", chunk):
                out[rid] = Review.from_dict(json.loads(js))
        return out

    # tags ---------------------------------------------------------------------------------

    def records(self, rids: list[int]) -> dict[int, Review]:
        """``{rid: record}`` of those ``rids`` still in the library."""
        return self._load(rids)

    def resort(self, scored: list[tuple[int, float]], sort: str) -> list[tuple[int, float]]:
        """``scored`` ``(rid, score)`` pairs ordered by ``sort``: ``date`` newest first, or
        ``title``; ``relevance`` leaves them as they are."""
        if sort == "relevance":
            return scored
        keys: dict[int, str] = {}
        for i in range(0, len(scored), SQL_CHUNK):
            chunk = [rid for rid, _ in scored[i:i + SQL_CHUNK]]
            marks = ",".join("?" * len(chunk))
            for rid, title, date, year in self.conn.execute(
                    f"SELECT rid, title, date, year FROM reviews WHERE rid IN ({marks})", chunk):
                keys[rid] = (date or str(year or "")) if sort == "date" else title.casefold()
        return sorted(scored, key=lambda x: keys.get(x[0], ""), reverse=sort == "date")

    def _tagged(self, tags: list[str], rids: list[int]) -> set[int]:
        """Those of ``rids`` whose records carry any of ``tags`` (canonical tags)."""
        out: set[int] = set()
        if not tags:
            return out
        tmarks = ",".join("?" * len(tags))
        for i in range(0, len(rids), SQL_CHUNK):
            chunk = rids[i:i + SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            out.update(rid for (rid,) in self.conn.execute(
                f"SELECT rid FROM review_tags WHERE tag IN ({tmarks}) AND rid IN ({marks})", [*tags, *chunk]))
        return out

    def _tag_set(self, tags: list[str], any_: bool) -> tuple[str, list[str]]:
        """SQL selecting the rids carrying all ``tags`` (or any), and its arguments."""
        keys = sorted({canonical_tag(t) for t in tags if canonical_tag(t)})
        if not keys:
            raise UsageError("give a tag, e.g. reviews tag GAN")
        marks = ",".join("?" * len(keys))
        having = "" if any_ else f" HAVING count(DISTINCT tag) = {len(keys)}"
        return f"SELECT rid FROM review_tags WHERE tag IN ({marks}) GROUP BY rid{having}", keys

    def by_tags(self, tags: list[str], any_: bool = False, limit: int | None = None,
                dates: DateRange = (None, None), states: Sequence[tuple[str, bool]] = ()) -> list[Review]:
        """Records carrying all ``tags`` (or any, with ``any_``), newest first, at most ``limit``,
        dated within ``dates`` when it bounds them, with the user's marks ``states``. Tags compare
        as :func:`canonical_tag` does: ``#GAN`` = ``GAN`` = ``gan``. Raises :class:`UsageError`
        when no tag is given."""
        return list(self.load(self.tag_ids(tags, any_, limit, dates, states)))

    def tag_ids(self, tags: list[str], any_: bool = False, limit: int | None = None,
                dates: DateRange = (None, None), states: Sequence[tuple[str, bool]] = ()) -> list[int]:
        """The record ids (``rid``) :meth:`by_tags` returns, in its order; only posts dated
        within ``dates`` (:func:`~reviews_cli.search.dates.date_range`) when it bounds them, and
        with the user's marks ``states`` (``library.state.flags_sql``)."""
        subquery, keys = self._tag_set(tags, any_)
        cond, args = _dated(dates)
        cond += _marked(states)
        sql = (f"SELECT r.rid FROM reviews r WHERE r.rid IN ({subquery}){cond} "
               f"ORDER BY coalesce(r.date, r.year) DESC, r.rid")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [rid for (rid,) in self.conn.execute(sql, [*keys, *args])]

    def count_tags(self, tags: list[str], any_: bool = False, dates: DateRange = (None, None),
                   states: Sequence[tuple[str, bool]] = ()) -> int:
        """How many records carry all ``tags`` (or any, with ``any_``), as :meth:`by_tags` counts."""
        subquery, keys = self._tag_set(tags, any_)
        cond, args = _dated(dates)
        cond += _marked(states)
        (n,) = self.conn.execute(f"SELECT count(*) FROM reviews r WHERE r.rid IN ({subquery}){cond}",
                                 [*keys, *args]).fetchone()
        return int(n)

    def dated_ids(self, dates: DateRange, states: Sequence[tuple[str, bool]] = ()) -> list[int]:
        """The ids of the records whose post date is within ``dates`` and that carry the user's
        marks ``states``, in library order."""
        cond, args = _dated(dates)
        cond += _marked(states)
        return [rid for (rid,) in self.conn.execute(f"SELECT r.rid FROM reviews r WHERE 1{cond} ORDER BY r.rid",
                                                    args)]

    # exports -------------------------------------------------------------------------------

    def load(self, rids: Iterable[int]) -> Iterator[Review]:
        """The records of ``rids``, in that order, decoded :data:`SQL_CHUNK` at a time (so an
        export holds one chunk, not the library); ids no longer in the library are skipped."""
        chunk: list[int] = []
        for rid in rids:
            chunk.append(rid)
            if len(chunk) == SQL_CHUNK:
                yield from self._load_ordered(chunk)
                chunk = []
        if chunk:
            yield from self._load_ordered(chunk)

    def _load_ordered(self, rids: list[int]) -> Iterator[Review]:
        records = self._load(rids)
        for rid in rids:
            if rid in records:
                yield records[rid]

    def paper_groups(self, rids: Sequence[int] | None = None) -> Iterator[list[Review]]:
        """The records grouped by paper (the reviews of one arXiv id together; a record without
        one is a paper of its own): of ``rids`` in their order (a paper where its first review
        is), or of the whole library by arXiv id then record order, streamed so memory holds
        one paper's reviews. For BibTeX exports."""
        if rids is None:
            group: list[Review] = []
            rows = self.conn.execute("SELECT json FROM records ORDER BY arxiv_id IS NULL, arxiv_id, rid")
            for (js,) in rows:
                r = Review.from_dict(json.loads(js))
                if group and (r.arxiv_id is None or r.arxiv_id != group[0].arxiv_id):
                    yield group
                    group = []
                group.append(r)
            if group:
                yield group
            return
        order: dict[str, list[int]] = {}
        for i in range(0, len(rids), SQL_CHUNK):
            chunk = list(rids[i:i + SQL_CHUNK])
            marks = ",".join("?" * len(chunk))
            paper = dict(self.conn.execute(f"SELECT rid, arxiv_id FROM reviews WHERE rid IN ({marks})", chunk))
            for rid in chunk:
                if rid in paper:
                    order.setdefault(paper[rid] or f"#{rid}", []).append(rid)
        for members in order.values():
            yield list(self.load(members))


def recent(conn: sqlite3.Connection, limit: int = 20, tags: Sequence[str] = (), source: str | None = None,
           dates: DateRange = (None, None), states: Sequence[tuple[str, bool]] = ()) -> tuple[list[Review], int]:
    """The newest records (by the post's date, else the order they were added), at most
    ``limit``, carrying every tag in ``tags``, read from a source whose name contains
    ``source``, dated within ``dates`` (:func:`~reviews_cli.search.dates.date_range`) when it
    bounds them, with the user's marks ``states`` (``library.state.flags_sql``); and how many
    match in all."""
    where: list[str] = []
    args: list[object] = []
    keys = sorted({canonical_tag(t) for t in tags if canonical_tag(t)})
    if keys:
        where.append(f"r.rid IN (SELECT rid FROM review_tags WHERE tag IN ({','.join('?' * len(keys))}) "
                     f"GROUP BY rid HAVING count(DISTINCT tag) = {len(keys)})")
        args += keys
    if source:
        where.append("instr(lower(r.src), ?) > 0")
        args.append(source.casefold())
    for op, bound in zip((">=", "<"), dates):
        if bound:
            where.append(f"r.date {op} ?")
            args.append(bound)
    where += state_conditions(states)
    cond = " WHERE " + " AND ".join(where) if where else ""
    (total,) = conn.execute(f"SELECT count(*) FROM records r{cond}", args).fetchone()
    rows = conn.execute(f"SELECT r.json FROM records r{cond} ORDER BY r.date IS NULL, r.date DESC, r.rid DESC LIMIT ?",
                        [*args, int(limit)])
    return [Review.from_dict(json.loads(js)) for (js,) in rows], int(total)
