"""The parser's acceptance spec: every check of tests/fixtures/golden_seeds.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden import load_golden, mismatches, norm_title

from reviews_cli.parsing import parse_file

DUMPS = Path(__file__).resolve().parent.parent / "data" / "dumps"
G = load_golden()


@pytest.mark.parametrize("name", sorted(G["files"]))
def test_file_review_count(name):
    parsed = parse_file(DUMPS / name)
    assert len(parsed.reviews) == G["files"][name]["reviews"], [r.title for r in parsed.reviews]


@pytest.mark.parametrize("exp", G["reviews"], ids=lambda e: f"{e['file']}:{e['title'][:40]}")
def test_golden_record(exp):
    parsed = parse_file(DUMPS / exp["file"])
    by_title = {norm_title(r.title): r for r in parsed.reviews}
    rec = by_title.get(norm_title(exp["title"]))
    assert rec is not None, f"no record titled {exp['title']!r}; got {list(by_title)}"
    assert mismatches(exp, rec.to_dict()) == []


def test_library_dedup_and_merged_sources(library):
    records = library.all_reviews()
    assert len(records) == G["unique_reviews"]
    by_title = {norm_title(r.title): r for r in records}
    for exp in G["reviews"]:
        if "library_sources_contain" in exp:
            assert mismatches(exp, by_title[norm_title(exp["title"])].to_dict(), library=True) == []
