"""Comparison rules of ../shared/golden/README.md, as one function per record."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

GOLDEN = Path(__file__).parent / "fixtures" / "golden_seeds.yaml"


def load_golden() -> dict:
    return yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))


def norm_title(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def ws(s: str) -> str:
    return " ".join(s.split())


def _url(u: str) -> str:
    return u.rstrip("/")


def _collapse_path(u: str) -> str:
    m = re.match(r"^(\w+://[^/]+)(.*)$", u)
    return m.group(1) + re.sub(r"/{2,}", "/", m.group(2)) if m else u


def mismatches(exp: dict, rec: dict, library: bool = False) -> list[str]:
    """Every golden key of ``exp`` that ``rec`` (a Review.to_dict()) fails, as messages."""
    bad = []
    t = exp["title"]
    if "authors" in exp:
        authors = [a for a in rec["authors"] if not re.fullmatch(r"et\.?\s*al\.?", a.strip(), re.I)]
        if len(authors) != len(exp["authors"]):
            bad.append(f"{t}: authors {authors} != {exp['authors']}")
        else:
            for want, got in zip(exp["authors"], authors):
                surname = want.split()[-1] if not re.search(r"\b[A-Z]\.$", want) else want.split()[0]
                if surname not in got:
                    bad.append(f"{t}: author {got!r} lacks {surname!r}")
    if "affiliation_text" in exp:
        got = ", ".join(rec["affiliations"]) or None
        if got != exp["affiliation_text"]:
            bad.append(f"{t}: affiliations {got!r} != {exp['affiliation_text']!r}")
    if "arxiv_id" in exp and rec["arxiv_id"] != exp["arxiv_id"]:
        bad.append(f"{t}: arxiv_id {rec['arxiv_id']!r} != {exp['arxiv_id']!r}")
    if "tags" in exp and {x.casefold().lstrip("#") for x in rec["tags"]} != {str(x).casefold() for x in exp["tags"]}:
        bad.append(f"{t}: tags {rec['tags']} != {exp['tags']}")
    urls = {_url(x["url"]) for x in rec["links"]}
    for u in exp.get("links", []):
        if _url(u) not in urls:
            bad.append(f"{t}: link {u} missing from {sorted(urls)}")
    code = {_url(x["url"]) for x in rec["links"] if x["role"] == "code"}
    for u in exp.get("code_links", []):
        if _url(u) not in code:
            bad.append(f"{t}: code link {u} missing from {sorted(code)}")
    if "paper_url" in exp and _collapse_path(rec["paper_url"] or "") != _collapse_path(exp["paper_url"]):
        bad.append(f"{t}: paper_url {rec['paper_url']!r} != {exp['paper_url']!r}")
    for key in ("year",):
        if key in exp and rec[key] != exp[key]:
            bad.append(f"{t}: {key} {rec[key]!r} != {exp[key]!r}")
    if "reviewer" in exp and (rec["reviewer"] or {}).get("name") != exp["reviewer"]:
        bad.append(f"{t}: reviewer {rec['reviewer']} != {exp['reviewer']!r}")
    if "reviewer_handle" in exp and (rec["reviewer"] or {}).get("handle") != exp["reviewer_handle"]:
        bad.append(f"{t}: reviewer handle {rec['reviewer']} != {exp['reviewer_handle']!r}")
    body = ws(rec["body"])
    for s in exp.get("body_contains", []):
        if ws(s) not in body:
            bad.append(f"{t}: body lacks {s!r}")
    for s in exp.get("body_excludes", []):
        if ws(s) in body:
            bad.append(f"{t}: body has {s!r}")
    key = "library_sources_contain" if library else "sources_contain"
    for s in exp.get(key, []):
        if not any(s in (src.get("url") or "") or s in (src.get("post_id") or "") for src in rec["sources"]):
            bad.append(f"{t}: no source contains {s!r}: {rec['sources']}")
    return bad
