"""The hand-labelled sample of real public posts (tests/fixtures/real_posts/*.yaml) and how the
parser is scored on it. Shared by tests/test_real_sample.py (which asserts the targets) and
bench/real_sample.py (which prints the figures).

Each fixture entry is one real post (or one copied page) with its source URL and labels::

    - url: https://t.me/gonzo_ML/1234
      channel: gonzo_ML
      date: "2021-03"
      text: |
        <the post as the page shows it>
      reviews:                      # [] for a non-review (then `kind` and `why` say what it is)
        - title: "Paper Title"      # null: the post names no title
          arxiv_id: "2103.00020"    # null: no arXiv link in the post
          tags: [NLP]
          body_contains: "a phrase of the review"

Two modes: ``text`` parses the post as a file, exactly as copied; ``export`` wraps each single
Telegram post (not whole copied pages, which carry a channel header, nor web articles) as a
Telegram Desktop ``result.json`` message whose labelled links (``Статья: URL``) become
``text_link`` entities behind the label, bare URLs ``link`` entities and hashtags ``hashtag``
entities, as Telegram Desktop writes them.

Scores: *recall* is the share of labelled reviews the parser produced, *precision* the share of
produced reviews that are labelled ones (a record from a non-review post, or a second record of
one paper, counts against it), *fields* the share of field checks (title, arXiv id, tags, body
phrase; a paper named only by its link must be titled ``arXiv:<id>``) that pass on matched
records.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FIXTURES = Path(__file__).parent / "fixtures" / "real_posts"
MODES = ("text", "export")


def load_sample() -> list[dict]:
    """Every entry of every fixture file, with ``file`` set to the fixture's name."""
    entries = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        for k, e in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            e["file"] = path.name
            e["n"] = k
            entries.append(e)
    return entries


def source_key(entry: dict) -> str:
    """The group an entry belongs to for the train/test split: its ``source`` key when it has one,
    else the Telegram channel username lowercased (a ``channel`` with no dot or space), else the
    domain of its URL without ``www.`` (web pages and mirror copies of unknown channels)."""
    if entry.get("source"):
        return str(entry["source"]).strip().casefold()
    ch = str(entry.get("channel") or "")
    if ch and re.fullmatch(r"[A-Za-z0-9_]+", ch):
        return ch.casefold()
    host = re.sub(r"^[a-z]+://", "", str(entry.get("url") or "")).split("/", 1)[0].casefold()
    return host.removeprefix("www.")


def part_of(entry: dict) -> str:
    """``train`` or ``test``: fixed by a hash of the entry's source key, about 2:1, so every post of
    one channel or site lands in the same part."""
    h = int(hashlib.sha256(source_key(entry).encode("utf-8")).hexdigest()[:8], 16)
    return "test" if h % 3 == 0 else "train"


def split_sample(entries: list[dict] | None = None) -> dict[str, list[dict]]:
    """The sample split by source: ``{'train': [...], 'test': [...]}``."""
    parts: dict[str, list[dict]] = {"train": [], "test": []}
    for e in entries if entries is not None else load_sample():
        parts[part_of(e)].append(e)
    return parts


def norm_title(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "").casefold()
    s = s.replace("ё", "е")
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def ws(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split()).casefold()


# ------------------------------------------------------------------------------ export wrap

_LINK_LINE = re.compile(r"^(?P<label>[^\n:]{1,40}?)\s*:\s*(?P<url>https?://\S+)\s*$")
_URL = re.compile(r"https?://[^\s<>\"'«»]+")
_TAG = re.compile(r"(?<![\w/#&])#\w[\w-]*")


def _entities(text: str) -> list:
    """Telegram Desktop ``text`` entities for a post: ``Label: URL`` lines become a
    ``text_link`` on the label, bare URLs ``link``, hashtags ``hashtag``."""
    parts: list = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        end = "\n" if i < len(lines) - 1 else ""
        m = _LINK_LINE.match(line)
        if m and not m.group("label").strip().startswith(("http", "#")):
            parts.append({"type": "text_link", "text": m.group("label").strip(), "href": m.group("url")})
            parts.append(end)
            continue
        pos = 0
        for t in sorted(list(_URL.finditer(line)) + list(_TAG.finditer(line)), key=lambda x: x.start()):
            if t.start() < pos:
                continue
            parts.append(line[pos:t.start()])
            kind = "hashtag" if t.group(0).startswith("#") else "link"
            parts.append({"type": kind, "text": t.group(0)})
            pos = t.end()
        parts.append(line[pos:] + end)
    return [p for p in parts if p != ""]


def is_single_post(entry: dict) -> bool:
    """A single Telegram channel post (what an export message holds): a channel username (no
    dot: sites are named by their domain) and no copied page header."""
    return not entry.get("whole_page") and "." not in str(entry.get("channel")) and "Download Telegram" not in entry["text"] \
        and not re.search(r"(?m)^.+ [–—-] Telegram$", entry["text"][:300])


def export_json(entries: list[dict]) -> dict:
    """A single-channel ``result.json`` holding each entry as one message (id = its index)."""
    msgs = []
    for k, e in enumerate(entries):
        ents = _entities(e["text"])
        msgs.append({
            "id": k + 1, "type": "message", "date": f"{str(e.get('date') or '2020')[:4]}-01-01T12:00:00",
            "from": e.get("channel") or "channel", "text": ents,
            "text_entities": [{"type": "plain", "text": p} if isinstance(p, str) else p for p in ents],
        })
    return {"name": "real sample", "type": "public_channel", "id": 1, "messages": msgs}


# --------------------------------------------------------------------------------- scoring

@dataclass
class Score:
    expected: int = 0
    found: int = 0  # labelled reviews the parser produced
    produced: int = 0
    correct: int = 0  # produced records that match a labelled review
    checks: int = 0
    passed: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("expected", "found", "produced", "correct", "checks", "passed"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.failures += other.failures

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.produced if self.produced else 1.0

    @property
    def fields(self) -> float:
        return self.passed / self.checks if self.checks else 1.0


def _matches(exp: dict, rec: dict) -> bool:
    if exp.get("arxiv_id") and rec.get("arxiv_id") == str(exp["arxiv_id"]):
        return True
    if exp.get("title"):
        a, b = norm_title(exp["title"]), norm_title(rec["title"])
        if a and (a == b or (len(a) > 12 and (a in b or b in a) and min(len(a), len(b)) > 0.6 * max(len(a), len(b)))):
            return True
    return False


def score_entry(entry: dict, records: list[dict]) -> Score:
    """Score the records parsed from one entry against its labels."""
    where = f"{entry['file']}#{entry['n']} {entry.get('url')}"
    s = Score(expected=len(entry.get("reviews") or []), produced=len(records))
    used: set[int] = set()
    for exp in entry.get("reviews") or []:
        k = next((i for i, r in enumerate(records) if i not in used and _matches(exp, r)), None)
        if k is None:
            s.failures.append(f"{where}: missed {exp.get('title') or exp.get('arxiv_id')!r}; "
                              f"got {[r['title'][:50] for r in records]}")
            continue
        used.add(k)
        s.found += 1
        s.correct += 1
        rec = records[k]
        checks = []
        if exp.get("title"):
            checks.append(("title", norm_title(exp["title"]) == norm_title(rec["title"]), rec["title"]))
        elif exp.get("arxiv_id"):  # a post that names its paper by link only: keyed by the arXiv id
            checks.append(("title", rec["title"] == f"arXiv:{exp['arxiv_id']}", rec["title"]))
        checks.append(("arxiv_id", (str(exp["arxiv_id"]) if exp.get("arxiv_id") else None) == rec["arxiv_id"],
                       rec["arxiv_id"]))
        want_tags = {str(t).casefold().lstrip("#") for t in exp.get("tags") or []}
        checks.append(("tags", want_tags == {t.casefold() for t in rec["tags"]}, rec["tags"]))
        if exp.get("body_contains"):
            checks.append(("body", ws(exp["body_contains"]) in ws(rec["body"]), rec["body"][:80]))
        for name, ok, got in checks:
            s.checks += 1
            s.passed += ok
            if not ok:
                s.failures.append(f"{where}: {name} of {exp.get('title') or exp.get('arxiv_id')!r} is {got!r}")
    for i, r in enumerate(records):
        if i not in used:
            s.failures.append(f"{where}: extra record {r['title'][:60]!r}"
                              + (f" from a {entry.get('kind')}" if not entry.get("reviews") else ""))
    return s


def parse_entry_text(entry: dict, tmp: Path) -> list[dict]:
    """Records from the entry's text parsed as a copied file (``[]`` when the parser refuses it)."""
    from reviews_cli.errors import DumpError
    from reviews_cli.parsing import parse_file

    path = tmp / f"post-{entry['file']}-{entry['n']}.txt"
    path.write_text(entry["text"], encoding="utf-8")
    try:
        return [r.to_dict() for r in parse_file(path).reviews]
    except DumpError:
        return []


def parse_export(entries: list[dict], tmp: Path) -> dict[int, list[dict]]:
    """Records per entry index from all entries wrapped as one Telegram Desktop export."""
    from reviews_cli.parsing import parse_file

    out: dict[int, list[dict]] = {k: [] for k in range(len(entries))}
    if not entries:
        return out
    path = tmp / "result.json"
    path.write_text(json.dumps(export_json(entries), ensure_ascii=False), encoding="utf-8")
    for r in parse_file(path, channel="sample").reviews:
        out[int(r.sources[0].post_id.rsplit("/", 1)[1]) - 1].append(r.to_dict())
    return out


def evaluate(tmp: Path, entries: list[dict] | None = None) -> dict[str, Score]:
    """Scores per mode (``text``, ``export``) over the sample."""
    entries = entries if entries is not None else load_sample()
    scores = {m: Score() for m in MODES}
    for e in entries:
        scores["text"].add(score_entry(e, parse_entry_text(e, tmp)))
    posts = [e for e in entries if is_single_post(e)]
    by_entry = parse_export(posts, tmp)
    for k, e in enumerate(posts):
        scores["export"].add(score_entry(e, by_entry[k]))
    return scores
