"""``--since`` and ``--until``: the post-date bounds of ``list``, ``search``, ``tag`` and
``export``. A bound is a year (``2024``), a month (``2024-05``) or a day (``2024-05-01``) of
the Gregorian calendar; ``--since`` starts at the beginning of the period it names and
``--until`` takes in all of it. Posts' dates are ISO 8601 text (``2019-01-06T15:41:07+00:00``),
so the bounds are compared as text: ``since <= date < next period after until``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..errors import UsageError

_BOUND = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

# (lower bound, exclusive upper bound) on a post's ISO date; None: no bound on that side.
DateRange = tuple["str | None", "str | None"]


def _period(option: str, value: str) -> tuple[date, date | None, int]:
    """The first day of the period ``value`` names, the first day after it (``None`` after
    9999-12-31), and how many of its parts were given (1 year, 2 month, 3 day). Raises
    :class:`UsageError`."""
    m = _BOUND.fullmatch(value.strip())
    try:
        if m is None:
            raise ValueError
        y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
        start = date(y, mo, d)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date: give a year, month or day of the calendar "
                         f"(2024, 2024-05 or 2024-05-01)") from None
    parts = 3 if m.group(3) else 2 if m.group(2) else 1
    try:
        after = (start + timedelta(days=1) if parts == 3 else date(y + mo // 12, mo % 12 + 1, 1) if parts == 2
                 else date(y + 1, 1, 1))
    except (ValueError, OverflowError):
        return start, None, parts
    return start, after, parts


def date_range(since: str | None = None, until: str | None = None) -> DateRange:
    """``(lower, upper)`` text bounds for ``lower <= post date < upper`` from ``--since`` and
    ``--until`` values (either ``None``): ``("2024-05", "2024-07")`` for ``2024-05``..``2024-06``.
    Raises :class:`UsageError` (one line) for a value that is not a real calendar year, month or
    day (``2019-13``, ``2021-02-30``, ``yesterday``), or a ``--since`` after the ``--until``."""
    lower = upper = None
    if since is not None:
        start, _, parts = _period("--since", since)
        lower = start.isoformat()[:(4, 7, 10)[parts - 1]]
    if until is not None:
        _, after, parts = _period("--until", until)
        upper = after.isoformat()[:(4, 7, 10)[parts - 1]] if after else None
    if lower is not None and upper is not None and lower >= upper:
        raise UsageError(f"--since {since} is after --until {until}")
    return lower, upper
