"""Per-post memory of pure line tests (``title_like``, ``paper_title_like``, author lines…).

The stages ask the same question of the same line many times (the candidates, the round-up
items, the features and the rules each test every line); each answer is remembered until the
next post starts (:func:`clear`, called by :func:`..stage`), so a memory never outlives the post
it was built on and never grows with the dump.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

_CACHES: list[Any] = []


def per_post(fn: F) -> F:
    """``fn`` (pure, hashable arguments, an immutable result) remembered until :func:`clear`."""
    cached = functools.lru_cache(maxsize=4096)(fn)
    _CACHES.append(cached)
    return cast(F, cached)


def clear() -> None:
    """Forget every remembered answer (at the start of each post)."""
    for c in _CACHES:
        c.cache_clear()
