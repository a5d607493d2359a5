"""Issue 7: the recognizer on real posts of many channels and years (tests/fixtures/real_posts),
as copied and wrapped as a Telegram Desktop export. The figures are printed by
bench/real_sample.py; here the targets are asserted."""

from __future__ import annotations

import collections

import pytest
from real_sample import MODES, evaluate, load_sample, score_entry

SAMPLE = load_sample()


def test_sample_is_real_and_wide():
    channels = {e["channel"] for e in SAMPLE}
    years = {str(e["date"])[:4] for e in SAMPLE}
    assert len(SAMPLE) >= 60 and len(channels) >= 10
    assert {"2019", "2025"} <= years and len(years) >= 5
    assert all(str(e["url"]).startswith("http") for e in SAMPLE)
    assert sum(1 for e in SAMPLE if not e["reviews"]) >= 15  # non-reviews, for precision
    urls = collections.Counter((e["url"], e["text"][:80]) for e in SAMPLE)
    assert not [u for u, n in urls.items() if n > 1]


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    return evaluate(tmp_path_factory.mktemp("sample"), SAMPLE)


@pytest.mark.parametrize("mode", MODES)
def test_recall_precision_fields_at_least_95(scores, mode):
    s = scores[mode]
    report = "\n".join(s.failures[:40])
    assert s.recall >= 0.95, report
    assert s.precision >= 0.95, report
    assert s.fields >= 0.95, report


def test_scorer_counts_misses_extras_and_wrong_fields():
    entry = {"file": "x", "n": 0, "url": "u", "reviews": [
        {"title": "Attention Is All You Need", "arxiv_id": "1706.03762", "tags": ["NLP"], "body_contains": "self-attention"}]}
    right = {"title": "Attention is all you need", "arxiv_id": "1706.03762", "tags": ["nlp"], "body": "… self-attention …"}
    s = score_entry(entry, [right])
    assert (s.recall, s.precision, s.fields) == (1.0, 1.0, 1.0)
    s = score_entry(entry, [dict(right, tags=[], body="x"), {"title": "Ad", "arxiv_id": None, "tags": [], "body": ""}])
    assert s.recall == 1.0 and s.precision == 0.5 and s.fields == 0.5
    assert score_entry(entry, []).recall == 0.0
