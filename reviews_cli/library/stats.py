"""Library statistics for ``reviews stats``: counts by source, paper year, reviewer and tag, and
reviews per month or year, all computed by SQL aggregates over the index (no record is decoded
into a :class:`~reviews_cli.models.Review`). Knows nothing of click or rich.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import UsageError

if TYPE_CHECKING:
    from .state import StateCounts

# Tags and reviewers listed by default (the most frequent).
TOP = 10
# With no --by, the timeline is per month when the dated posts span at most this many years.
MONTHLY_MAX_YEARS = 3
# A post date the timeline reads: ISO 8601, year first.
_DATE_GLOB = "[12][0-9][0-9][0-9]-[01][0-9]*"


class Stats(NamedTuple):
    """Counts of a library. Lists are ``(label, count)`` pairs.

    ``sources``: ``(dump name, origin or None, reviews read from it)`` in library order (a record
    read from two dumps counts in each); ``years``: by the paper's year, oldest first, unknown
    years left out; ``reviewers`` and ``tags``: the ``top`` most frequent, most first (a tag as
    first written); ``timeline``: reviews per period (``YYYY-MM`` or ``YYYY``), oldest first,
    empty periods included; ``by``: ``month`` or ``year``; ``basis``: ``post date``, or ``paper
    year`` when no post has a date; ``undated``: records left off the timeline; ``state``: the
    user's stars, notes and read marks (orphaned: whose review is gone), when the state is attached.
    """

    total: int
    sources: list[tuple[str, str | None, int]]
    years: list[tuple[int, int]]
    no_year: int
    reviewers: list[tuple[str, int]]
    no_reviewer: int
    tags: list[tuple[str, int]]
    timeline: list[tuple[str, int]]
    by: str
    basis: str
    undated: int
    state: StateCounts | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: ``{total, sources: [{name, origin, reviews}], years: [{year,
        reviews}], no_year, reviewers: [{reviewer, reviews}], no_reviewer, tags: [{tag, reviews}],
        timeline: {by, basis, undated, periods: [{period, reviews}]}, state: {papers, starred, read,
        noted, orphaned} | null}``."""
        return {
            "total": self.total,
            "sources": [{"name": n, "origin": o, "reviews": k} for n, o, k in self.sources],
            "years": [{"year": y, "reviews": k} for y, k in self.years],
            "no_year": self.no_year,
            "reviewers": [{"reviewer": n, "reviews": k} for n, k in self.reviewers],
            "no_reviewer": self.no_reviewer,
            "tags": [{"tag": t, "reviews": k} for t, k in self.tags],
            "timeline": {"by": self.by, "basis": self.basis, "undated": self.undated,
                         "periods": [{"period": p, "reviews": k} for p, k in self.timeline]},
            "state": self.state.to_dict() if self.state else None,
        }


def library_stats(conn: sqlite3.Connection, by: str | None = None, top: int = TOP) -> Stats:
    """Counts of the library behind ``conn``. ``by`` is ``month``, ``year`` or ``None`` (per
    month when the dated posts span at most :data:`MONTHLY_MAX_YEARS` years, else per year);
    ``top`` is how many reviewers and tags are listed. Raises :class:`UsageError` for another
    ``by`` or a ``top`` under 1."""
    if by not in (None, "month", "year"):
        raise UsageError(f"--by takes month or year, not {by!r}")
    if top < 1:
        raise UsageError("--top must be at least 1")
    (total,) = conn.execute("SELECT count(*) FROM reviews").fetchone()
    sources = [(str(n), o, int(k)) for n, o, k in conn.execute(
        "SELECT name, origin, coalesce(n_reviews, 0) FROM sources ORDER BY ord, name")]
    years = [(int(y), int(k)) for y, k in conn.execute(
        "SELECT year, count(*) FROM reviews WHERE year IS NOT NULL GROUP BY year ORDER BY year")]
    no_year = int(total) - sum(k for _, k in years)
    # the reviewer lives only in the record's JSON: SQLite's JSON functions read it without Python
    # (one pass over each record's JSON; the name or handle is read from the small reviewer object)
    who = ("SELECT nullif(trim(coalesce(json_extract(rv, '$.name'), json_extract(rv, '$.handle'))), '') AS who "
           "FROM (SELECT json_extract(json, '$.reviewer') AS rv FROM records WHERE rv IS NOT NULL)")
    counted = conn.execute(f"SELECT who, count(*) FROM ({who}) GROUP BY who").fetchall()
    no_reviewer = int(total) - sum(int(k) for n, k in counted if n is not None)
    reviewers = sorted(((str(n), int(k)) for n, k in counted if n is not None), key=lambda x: (-x[1], x[0]))[:top]
    tags = [(str(t), int(k)) for t, k in conn.execute(
        "SELECT min(label), count(*) AS k FROM review_tags GROUP BY tag ORDER BY k DESC, tag LIMIT ?", (top,))]
    timeline, chosen, basis, undated = _timeline(conn, by, int(total))
    from .state import counts

    attached = "st" in {name for _, name, _ in conn.execute("PRAGMA database_list")}
    return Stats(int(total), sources, years, no_year, reviewers, no_reviewer, tags, timeline,
                 chosen, basis, undated, counts(conn) if attached else None)


def _timeline(conn: sqlite3.Connection, by: str | None, total: int) -> tuple[list[tuple[str, int]], str, str, int]:
    """Reviews per period by post date (or by paper year when no post has a date), empty periods
    filled in: ``(periods, by, basis, undated)``."""
    months = {str(m): int(k) for m, k in conn.execute(
        "SELECT substr(date, 1, 7) AS m, count(*) FROM reviews WHERE date GLOB ? AND substr(date, 6, 2) "
        "BETWEEN '01' AND '12' GROUP BY m", (_DATE_GLOB,))}
    if months:
        basis = "post date"
        first, last = min(months), max(months)
        if by is None:
            by = "month" if int(last[:4]) - int(first[:4]) < MONTHLY_MAX_YEARS else "year"
        if by == "month":
            periods = [(p, months.get(p, 0)) for p in _month_range(first, last)]
        else:
            per_year: dict[str, int] = {}
            for m, k in months.items():
                per_year[m[:4]] = per_year.get(m[:4], 0) + k
            periods = [(str(y), per_year.get(str(y), 0)) for y in range(int(first[:4]), int(last[:4]) + 1)]
    else:
        # no post dates at all (most text dumps): the paper's year is the only time there is
        basis, by = "paper year", "year"
        per_year = {str(y): int(k) for y, k in conn.execute(
            "SELECT year, count(*) FROM reviews WHERE year IS NOT NULL GROUP BY year")}
        periods = [(str(y), per_year.get(str(y), 0)) for y in range(int(min(per_year)), int(max(per_year)) + 1)] \
            if per_year else []
    return periods, by, basis, total - sum(k for _, k in periods)


def _month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
