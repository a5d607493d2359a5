"""Issue 16 point 6: variants of every labelled review the recognizer reads right must give the
same title and, where the link survives, the same arXiv id.

Hypothesis draws a review of the sample and a combination of variants that must never change the
result (chrome above and below, the post printed twice, CRLF, NBSP, zero-width characters, the
title after a label or after its arXiv id in brackets). The variants that do not hold for every
review yet (links removed with their words kept, the URL broken across lines, the title in quotes
or after a lead-in sentence, all line breaks removed) are measured over the whole sample, each
with the share it reaches today as its floor, so a change that loses ground fails."""

from __future__ import annotations

import metamorphic as M
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from real_sample import is_single_post, load_sample, norm_title

from reviews_cli.errors import DumpError
from reviews_cli.parsing import parse_text


def _records(text: str) -> list:
    try:
        return parse_text(text, "post.txt").reviews
    except DumpError:
        return []


def _base() -> list[tuple[dict, str, str | None]]:
    """``(entry, title, arXiv id)`` of every one-review entry whose review is read right as copied."""
    out = []
    for e in load_sample():
        reviews = e.get("reviews") or []
        if len(reviews) != 1 or not reviews[0].get("title"):
            continue
        got = _records(e["text"])
        if len(got) == 1 and norm_title(got[0].title) == norm_title(reviews[0]["title"]):
            out.append((e, got[0].title, got[0].arxiv_id))
    return out


BASE = _base()


def _same(text: str, title: str, aid: str | None, check_id: bool = True) -> bool:
    got = _records(text)
    return any(norm_title(r.title) == norm_title(title) and (not check_id or r.arxiv_id == aid) for r in got)


def test_the_base_is_wide():
    assert len(BASE) >= 30 and len({e["file"] for e, *_ in BASE}) >= 4


_ROBUST = ["chrome", "twice", "crlf", "nbsp", "zero_width"]


def _apply(kind: str, text: str, title: str, aid: str | None, data) -> str:
    if kind == "chrome":
        above = data.draw(st.lists(st.sampled_from(M.CHROME_ABOVE), max_size=4, unique=True), label="above")
        below = data.draw(st.lists(st.sampled_from(M.CHROME_BELOW), max_size=4, unique=True), label="below")
        return M.with_chrome(text, above, below)
    if kind == "twice":
        return M.printed_twice(text)
    if kind in ("label", "id"):
        # a title line takes a label or its arXiv id in front; a title inside a sentence or a JSON string does not
        starts = any(ln.strip().startswith(title) for ln in text.split("\n"))
        return M.title_moved(text, title, kind, aid) if starts else text
    return {"crlf": M.crlf, "nbsp": M.nbsp, "zero_width": M.zero_width}[kind](text)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_variants_and_their_combinations_keep_title_and_arxiv_id(data):
    e, title, aid = data.draw(st.sampled_from(BASE), label="review")
    move = data.draw(st.sampled_from([None, "label", "id"]), label="title move")
    kinds = data.draw(st.lists(st.sampled_from(_ROBUST), min_size=0 if move else 1, max_size=4, unique=True),
                      label="variants")
    # the title is moved first (it is found in the text as written), the rest in the drawn order
    text = _apply(move, e["text"], title, aid, data) if move else e["text"]
    for kind in kinds:
        text = _apply(kind, text, title, aid, data)
    assert _same(text, title, aid), (e["url"], move, kinds)


def _share(variant) -> float:
    ok = [_same(*variant(e, t, a)) for e, t, a in BASE]
    return sum(ok) / len(ok)


# the share each variant keeps today (all reviews of the sample), a little under it: a refit moves it by a
# review or two; raise the floor as it improves
@pytest.mark.parametrize("name, floor, variant", [
    ("links removed, words kept", 0.85, lambda e, t, a: (M.links_removed(e["text"]), t, None, False)),
    ("URL broken across lines", 0.92, lambda e, t, a: (M.url_broken(e["text"]), t, a)),
    ("title in quotes", 0.9, lambda e, t, a: (M.title_moved(e["text"], t, "quotes", a) if t in e["text"]
                                               else e["text"], t, a)),
    ("title after a lead-in", 0.83, lambda e, t, a: (M.title_moved(e["text"], t, "lead_in", a) if t in e["text"]
                                                     else e["text"], t, a)),
])
def test_variants_that_do_not_hold_everywhere_yet_keep_their_share(name, floor, variant):
    assert _share(variant) >= floor, name


def test_single_posts_flattened_into_one_line_keep_some_titles():
    singles = [(e, t, a) for e, t, a in BASE if is_single_post(e)]
    ok = [_same(M.flattened(e["text"]), t, a) for e, t, a in singles]
    assert sum(ok) >= 0.25 * len(ok)
