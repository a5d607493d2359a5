"""``reviews parse --explain``: why each post was or was not taken as a review.

Renders :class:`~reviews_cli.parsing.recognize.Explanation` objects as plain text lines (every
piece of dump text through :func:`~reviews_cli.safe_text.clean_line`) or as JSON-ready dicts.
"""

from __future__ import annotations

from typing import Any

from ..parsing.recognize import Explanation
from ..safe_text import clean_line


def explanation_dict(e: Explanation, path: str) -> dict[str, Any]:
    """One post's explanation as a JSON-ready dict (``--explain --json``)."""
    return {
        "file": path, "post": e.where, "decision": e.decision,
        "score": None if e.score is None else round(e.score, 3),
        "threshold": None if e.threshold is None else round(e.threshold, 3),
        "evidence": [{"feature": n, "effect": round(w, 3)} for n, w in e.evidence],
        "title": None if e.title is None else {"text": e.title[0], "score": round(e.title[1], 3)},
        "runner_up": None if e.runner_up is None else {"text": e.runner_up[0], "score": round(e.runner_up[1], 3)},
        "records": e.records, "reason": e.reason,
    }


def _cut(text: str, width: int = 90) -> str:
    text = clean_line(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def explanation_lines(e: Explanation) -> list[str]:
    """One post's explanation as text lines: the decision and score, the chosen title and the
    runner-up candidate with their scores, the evidence that weighed most (signed effect on the
    log-odds), and the skip reason."""
    head = f"{clean_line(e.where)}: {e.decision}"
    if e.score is not None and e.threshold is not None:
        head += f" (score {e.score:.2f}, threshold {e.threshold:.2f})"
    if e.records and len(e.records) > 1:
        head += f", {len(e.records)} records"
    out = [head]
    if e.title is not None:
        out.append(f"  title:     {_cut(e.title[0])} ({e.title[1]:.2f})")
    if e.runner_up is not None:
        out.append(f"  runner-up: {_cut(e.runner_up[0])} ({e.runner_up[1]:.2f})")
    if e.evidence and e.threshold is None:  # decided by structure: what the structure was
        out.append("  evidence:  " + "; ".join(f"{clean_line(n)} ({w:g})" for n, w in e.evidence))
    elif e.evidence:
        out.append("  evidence:  " + ", ".join(f"{clean_line(n)} {w:+.2f}" for n, w in e.evidence))
    if e.reason:
        out.append(f"  reason:    {_cut(e.reason)}")
    return out
