"""Issues 7 and 16: the recognizer on real posts and pages of many channels and sites
(tests/fixtures/real_posts), as copied and wrapped as a Telegram Desktop export, split by source
into a training part (rules changed and weights fitted there) and a test part. The figures are
printed by bench/real_sample.py (with grouped cross-validation); here the floors are asserted."""

from __future__ import annotations

import collections

import pytest
from real_sample import evaluate, load_sample, part_of, score_entry, source_key, split_sample

SAMPLE = load_sample()


def test_sample_is_real_and_wide():
    channels = {e["channel"] for e in SAMPLE}
    years = {str(e["date"])[:4] for e in SAMPLE}
    assert len(SAMPLE) >= 120 and len(channels) >= 25 and len({source_key(e) for e in SAMPLE}) >= 25
    assert {"2019", "2025"} <= years and len(years) >= 5
    assert all(str(e["url"]).startswith("http") for e in SAMPLE)
    assert sum(1 for e in SAMPLE if not e["reviews"]) >= 40  # non-reviews, for precision
    urls = collections.Counter((e["url"], e["text"][:80]) for e in SAMPLE)
    assert not [u for u, n in urls.items() if n > 1]


def test_the_split_is_by_source():
    parts = split_sample(SAMPLE)
    train = {source_key(e) for e in parts["train"]}
    test = {source_key(e) for e in parts["test"]}
    assert not train & test  # no channel or site in both parts
    assert len(parts["train"]) + len(parts["test"]) == len(SAMPLE)
    assert 1.5 <= len(parts["train"]) / len(parts["test"]) <= 3  # about 2:1
    assert part_of({"source": "gonzo_ml"}) == part_of({"channel": "gonzo_ML", "url": "https://t.me/gonzo_ML/1"})
    assert source_key({"channel": "habr.com (repost: forpes.ru)", "url": "https://forpes.ru/post/1"}) == "forpes.ru"


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    parts = split_sample(SAMPLE)
    return {name: evaluate(tmp_path_factory.mktemp(name), part) for name, part in parts.items()}


# Floors at what the recognizer honestly reaches (bench/real_sample.py prints the figures). The
# issue's target for the test part is 0.9 recall and precision: not reached yet (see the README
# of the sample); a change that loses ground fails here.
FLOORS = {
    ("train", "text"): (0.70, 0.70, 0.95), ("train", "export"): (1.0, 0.90, 1.0),
    ("test", "text"): (0.48, 0.60, 0.94), ("test", "export"): (1.0, 0.79, 1.0),
}


@pytest.mark.parametrize("part, mode", sorted(FLOORS))
def test_recall_precision_fields_floors(scores, part, mode):
    s = scores[part][mode]
    recall, precision, fields = FLOORS[part, mode]
    report = "" if part == "test" else "\n".join(s.failures[:40])  # the test part's failures are not read
    assert s.recall >= recall, report
    assert s.precision >= precision, report
    assert s.fields >= fields, report


def test_scorer_counts_misses_extras_and_wrong_fields():
    entry = {"file": "x", "n": 0, "url": "u", "reviews": [
        {"title": "Attention Is All You Need", "arxiv_id": "1706.03762", "tags": ["NLP"], "body_contains": "self-attention"}]}
    right = {"title": "Attention is all you need", "arxiv_id": "1706.03762", "tags": ["nlp"], "body": "… self-attention …"}
    s = score_entry(entry, [right])
    assert (s.recall, s.precision, s.fields) == (1.0, 1.0, 1.0)
    s = score_entry(entry, [dict(right, tags=[], body="x"), {"title": "Ad", "arxiv_id": None, "tags": [], "body": ""}])
    assert s.recall == 1.0 and s.precision == 0.5 and s.fields == 0.5
    assert score_entry(entry, []).recall == 0.0
