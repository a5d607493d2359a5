"""Errors the core raises, and the exit codes; the CLI maps each error to a one-line message
and its exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status of ``reviews``."""

    OK = 0
    FAILED = 1  # nothing found, nothing matched, a dump could not be read
    USAGE = 2  # a bad option, query or value
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM)


class ReviewsError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = ExitCode.FAILED


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C (transactions roll back, workers are killed)."""


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


class Ambiguous(ReviewsError):
    """A reference (a title fragment, an id prefix) matches reviews of several different papers.
    ``candidates`` are ``(record id, title, source label)`` triples, best first; ``more`` counts
    the matches left out of them."""

    def __init__(self, ref: str, candidates: list[tuple[str, str, str]], more: int = 0) -> None:
        n = len(candidates) + more
        super().__init__(f"{ref!r} matches {n} different papers; give one of their ids")
        self.ref = ref
        self.candidates = candidates
        self.more = more


class UsageError(ReviewsError):
    """The user's input (a query, a filter value) cannot be understood."""

    exit_code = ExitCode.USAGE


class LibraryError(ReviewsError):
    """The library in REVIEWS_HOME cannot be read or written."""
