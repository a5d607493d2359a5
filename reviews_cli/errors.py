"""Errors the core raises; the CLI maps each to a one-line message and an exit code."""

from __future__ import annotations


class ReviewsError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with (1: not found / unreadable, 2: usage)."""

    exit_code = 1


class DumpError(ReviewsError):
    """A dump could not be read or yielded no review: ``path`` and a one-line ``reason``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnknownFormat(DumpError):
    """The content matched none of the supported dump formats."""


class NotFound(ReviewsError):
    """Nothing matched ``query``; ``suggestions`` are up to three close titles or ids."""

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        super().__init__(f"nothing found for {query!r}")
        self.query = query
        self.suggestions = suggestions or []


class UsageError(ReviewsError):
    """The user's input (a query, a filter value) cannot be understood."""

    exit_code = 2


class LibraryError(ReviewsError):
    """The library in REVIEWS_HOME cannot be read or written."""
