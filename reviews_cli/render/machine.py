"""Machine output: JSON, JSON Lines and YAML strings for ``--json`` and ``export`` (its other
formats are in :mod:`.exports`). The CLI prints them with plain ``click.echo``, never through
rich. JSON escapes control characters itself; YAML output is produced by PyYAML's safe dumper.
In both, every control and bidi character (C1 controls and U+202E included, which JSON and YAML
would otherwise write raw) is a ``\\uXXXX`` escape, so machine output never acts on a terminal
yet reads back as the same data."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..models import Review
from ..safe_text import has_unsafe, json_safe
from ..search.search import SearchResult

if TYPE_CHECKING:
    from ..library.state import State

    # A record's state (stars, notes, read marks): ``state.StateView.get`` or a dict's lookup.
    StateOf = Callable[[Review], State]


def to_json(data: Any) -> str:
    """Indented JSON, non-ASCII text as itself, control and bidi characters escaped."""
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2))


def record_dict(r: Review, state: StateOf | None = None) -> dict[str, Any]:
    """A record's JSON object (the contract in ``models``); with ``state``, the user's marks
    too: ``starred`` (bool), ``read`` (bool), ``note`` (string or null)."""
    d = r.to_dict()
    if state is not None:
        d.update(state(r).to_dict())
    return d


def stream_reviews(reviews: Iterable[Review], fmt: str, state: StateOf | None = None) -> Iterator[str]:
    """The records as ``json`` (the same array :func:`reviews_json` gives), ``jsonl`` (one
    compact object per line) or ``yaml`` (a list), in pieces, one record at a time, so an
    export's memory does not grow with the library; with ``state`` each carries the user's
    marks (:func:`record_dict`)."""
    if fmt == "yaml":
        for r in reviews:
            yield reviews_yaml([r], state)
        return
    if fmt == "jsonl":
        for r in reviews:
            yield json_safe(json.dumps(record_dict(r, state), ensure_ascii=False, separators=(",", ":"))) + "\n"
        return
    first = True
    for r in reviews:
        item = to_json(record_dict(r, state)).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + item
        first = False
    yield "[]\n" if first else "\n]\n"


def reviews_json(reviews: list[Review], state: StateOf | None = None) -> str:
    """A JSON array of review objects (:func:`record_dict`)."""
    return to_json([record_dict(r, state) for r in reviews])


def reviews_yaml(reviews: list[Review], state: StateOf | None = None) -> str:
    """The same records as a YAML list."""
    import yaml

    return json_safe(yaml.dump([record_dict(r, state) for r in reviews], Dumper=_yaml_dumper(), allow_unicode=True,
                               sort_keys=False, width=100))


@lru_cache(maxsize=1)
def _yaml_dumper() -> type:
    """PyYAML's safe dumper (libyaml's when built with it: exports are ~6x faster) writing a
    string that needs an escape in double quotes: ``"\u202e"`` is only an escape there."""
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        pass

    def text(dumper: yaml.SafeDumper, s: str) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style='"' if has_unsafe(s) else None)

    Dumper.add_representer(str, text)
    return Dumper


def hit_dict(review: Review, rank: int, score: float | None = None, snippet: str | None = None,
             highlights: Iterable[tuple[int, int]] = (), state: StateOf | None = None) -> dict[str, Any]:
    """One hit of ``search``, ``tag`` or ``list`` as JSON data: the full record (as ``show
    --json`` gives it) plus ``rank`` (1 = first), ``score`` (relevance, higher is better;
    ``null`` where nothing is ranked by relevance), ``snippet`` (one line of the body; its start
    when no ``snippet`` is given) and ``highlights`` (``[start, end]`` offsets into it)."""
    if snippet is None:
        from ..search.snippets import snippet as make_snippet

        snippet, highlights = make_snippet(review, [], [])
    return {**record_dict(review, state), "rank": rank, "score": score, "snippet": snippet,
            "highlights": [list(x) for x in highlights]}


def hits_json(reviews: list[Review], total: int, state: StateOf | None = None) -> str:
    """``{total, hits: [hit]}`` for a list of records (``tag``, ``list``): ``total`` counts all
    the records matching, ``hits`` are the ones shown, each as :func:`hit_dict` makes it."""
    return to_json({"total": total, "hits": [hit_dict(r, k, state=state) for k, r in enumerate(reviews, start=1)]})


def search_json(result: SearchResult, state: StateOf | None = None) -> str:
    """``{query, searched_for, corrections, partial, fuzzy, total, hits: [hit]}``: ``total``
    counts every record matching, ``hits`` are those shown, each the full record plus ``rank``,
    ``score``, ``snippet`` and ``highlights`` (see :func:`hit_dict`)."""
    return to_json({
        "query": result.query.text,
        "searched_for": result.searched_for,
        "corrections": result.corrections,
        "partial": result.partial,
        "fuzzy": result.fuzzy,
        "total": result.total,
        "hits": [hit_dict(h.review, i, h.score, h.snippet, h.highlights, state)
                 for i, h in enumerate(result.hits, start=1)],
    })
