"""A post with no headed section: one review, a round-up, or the reason it is not a review.

Source format: a channel post or a page about one paper in whatever shape it comes (a title
line or a title named in a sentence, review prose, links that may have been lost), or a round-up
of several paper-title paragraphs (one record each). :func:`analyse` gathers the evidence (link
facts, the title candidates with their features, the post's features) without deciding;
:func:`decide` weighs it with the fitted models and builds the drafts. The two are apart so a
dump can adjust the features by its own layout (:mod:`.layout`) between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import extract as ex
from ...ids import arxiv_ids_in_url
from ...models import Link
from ..common import PostDraft
from ..post import ARTICLE, HiddenLink
from .candidates import Candidate, add_candidate, title_candidates
from .drafts import (
    _Ctx,
    _labelled_paper,
    _named_in_prose,
    _next_item,
    _other_links,
    _paper_link_of,
    _roundup,
    _title_items,
    _trim_tail,
)
from .evidence import candidate_features, named_in_paper_context, post_features
from .fields import _first_sentence
from .lines import (
    _first_content,
    _news_headline,
    _review_prose,
    find_urls,
    link_role,
    non_review_kinds,
    split_link_line,
)
from .rules import rule_verdict
from .score import Model


@dataclass
class Analysis:
    """The evidence of one whole post: its paper link (``paper``, and ``paper_hidden`` when it
    was behind words), the label that preceded it (``paper_label``), the round-up items and
    papers named in prose, the title ``candidates`` with their ``cand_features``, and the
    post's ``features``."""

    ctx: _Ctx
    paper: Link | None
    paper_hidden: HiddenLink | None
    paper_label: str | None
    non_review: str | None
    items: list[tuple[int, int]]
    named: list[PostDraft]
    roundup: bool
    candidates: list[Candidate] = field(default_factory=list)
    cand_features: list[dict[str, float]] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class Verdict:
    """What :func:`decide` concluded: the drafts (empty for a non-review), the ``reason`` of a
    skip, the post ``score`` in [0, 1] with its ``threshold``, the chosen title candidate and the
    runner-up (``(text, score)``), and the evidence that weighed most (``(feature, effect)``)."""

    drafts: list[PostDraft]
    reason: str | None
    score: float | None
    threshold: float | None
    title: tuple[str, float] | None = None
    runner_up: tuple[str, float] | None = None
    evidence: list[tuple[str, float]] = field(default_factory=list)


def _paper_label(ctx: _Ctx, paper: Link | None, hidden: HiddenLink | None) -> str | None:
    """The label words before the paper link (``Статья``, ``📄 Arxiv``), for the dump's layout."""
    if paper is None:
        return None
    if hidden is not None:
        return hidden.label.strip(" :")[:40] or None
    for ln in ctx.lines:
        if paper.url in ln:
            parsed = split_link_line(ln)
            return parsed[0].strip(" :")[:40] or None if parsed else None
    return None


def analyse(ctx: _Ctx) -> Analysis:
    """The evidence of a post with no headed section (see :class:`Analysis`); decides nothing."""
    lines = ctx.lines
    text = "\n".join(lines)
    paper, paper_hidden = _paper_link_of(ctx, 0, len(lines))
    kinds = non_review_kinds(text)
    non_review = kinds[0] if kinds else None
    all_items = _title_items(lines)
    items = [(i, b) for k, (i, b) in enumerate(all_items)
             if _review_prose("\n".join(lines[b:_next_item(all_items, k, len(lines))]))]
    named = _named_in_prose(ctx) if paper is None and not non_review else []
    several = len(items) >= 2 or (len(items) == 1 and len(all_items) >= 2 and paper is None)
    a = Analysis(ctx, paper, paper_hidden, _paper_label(ctx, paper, paper_hidden), non_review, items, named,
                 # two or more paper-title paragraphs of review prose outweigh a passing "webinar"
                 roundup=(not non_review or len(items) >= 2) and len(named) < 2 and several)
    if a.roundup:
        return a
    a.candidates = title_candidates(lines, ctx.hidden, paper.url if paper else None)
    rule_yes, rule_title = rule_verdict(ctx, paper, paper_hidden, non_review, items, len(named))
    if rule_title:
        add_candidate(a.candidates, rule_title, lines, "rule")
    folded = " ".join(text.casefold().split())
    a.cand_features = [candidate_features(c, lines, folded) for c in a.candidates]
    urls = {u for u in find_urls(text) if link_role(u) == "paper"}
    urls |= {h.href for h in ctx.hidden if link_role(h.href, h.label) == "paper"}
    has_code = any(link_role(u) == "code" for u in find_urls(text)) or any(
        link_role(h.href, h.label) == "code" for h in ctx.hidden)
    a.features = post_features(
        text, lines, paper=paper is not None, labelled=_labelled_paper(lines, 0, len(lines)) is not None,
        arxiv=bool(paper and arxiv_ids_in_url(paper.url)), paper_links=len(urls), code=has_code,
        article=ctx.post.kind == ARTICLE, title_items=len(items), non_review=kinds)
    a.features["rule_review"] = float(rule_yes)
    short_names = [c.text for c in a.candidates if len(c.text.split()) <= 3 and not ex.has_cyrillic(c.text)]
    a.features["named_in_context"] = float(named_in_paper_context(short_names, text))
    return a


def rank_candidates(a: Analysis, cand_model: Model) -> list[tuple[float, int]]:
    """``(score, index)`` of every title candidate, best first (ties: earlier first)."""
    return sorted(((cand_model.probability(f), k) for k, f in enumerate(a.cand_features)), key=lambda x: (-x[0], x[1]))


def decide(a: Analysis, post_model: Model, cand_model: Model) -> Verdict:
    """Weigh the evidence: the drafts of a review or round-up, or the reason the post is not one."""
    ctx, lines = a.ctx, a.ctx.lines
    if a.roundup:
        return Verdict(_roundup(ctx, a.items), None, None, None, evidence=[("round-up items", float(len(a.items)))])
    ranked = rank_candidates(a, cand_model)
    best = ranked[0] if ranked else None
    feats = dict(a.features)
    if best is not None:
        feats["title_score"] = best[0]
        feats["title_paper_like"] = a.cand_features[best[1]].get("paper_like", 0.0)
    p = post_model.probability(feats)
    veto = _veto(a)
    if veto:  # an ad, job post or announcement, or a news headline, with no paper link and no rule for it
        p = min(p, post_model.threshold / 2)
    evidence = post_model.contributions(feats)[:6] + [("prior", post_model.bias)]
    title_pair = (a.candidates[best[1]].text, best[0]) if best else None
    runner = (a.candidates[ranked[1][1]].text, ranked[1][0]) if len(ranked) > 1 else None
    verdict = Verdict([], None, p, post_model.threshold, title_pair, runner, evidence)
    if p < post_model.threshold:
        verdict.reason = _reason(a, p, post_model.threshold)
        return verdict
    if len(a.named) >= 2 and (best is None or best[0] < cand_model.threshold):
        verdict.drafts = a.named
        return verdict
    paper = a.paper
    title_line: int | None = None
    if best is not None and (best[0] >= cand_model.threshold or not (paper and arxiv_ids_in_url(paper.url))):
        c = a.candidates[best[1]]
        title = c.text
        if c.kinds & {"line", "id_prefix"} and not c.kinds & {"leading", "dash"}:
            title_line = c.line
    elif paper is not None:
        aid = arxiv_ids_in_url(paper.url)
        first = _first_content(lines)
        title = f"arXiv:{aid}" if aid else (_first_sentence(lines[first]) if first is not None else paper.url)
    else:
        verdict.reason = "no paper evidence (no title found)"
        return verdict
    body_lines = _trim_tail([ln for i, ln in enumerate(lines) if i != title_line])
    links = ([paper] if paper else []) + _other_links(ctx, "\n".join(body_lines), 0, len(lines), paper)
    verdict.drafts = [ctx.draft(title, body_lines, links, paper, tags=ctx.tags)]
    return verdict


def _veto(a: Analysis) -> bool:
    """What the text says it is outright: an ad, job post or announcement, or a post under a news
    headline (``OpenAI Releases …``, ``Deadlines Extended``), when it carries no paper link and the
    review rules do not take it. Signs this explicit are not left to weights fitted on a sample
    with few of them."""
    if a.paper is not None or a.features.get("rule_review"):
        return False
    return bool(a.non_review) or bool(a.features.get("news_headline"))


def _reason(a: Analysis, p: float, threshold: float) -> str:
    """The one-line reason a whole post is not a review, most specific first."""
    text = "\n".join(a.ctx.lines)
    if a.non_review:
        return f"{a.non_review} ({'links a paper, but is not a review of it' if a.paper else 'no paper link'})"
    first = _first_content(a.ctx.lines)
    if a.paper is None and first is not None and _news_headline(a.ctx.lines[first]):
        return "news or announcement (a headline, no paper link)"
    if len(text.strip()) < 200:
        return "too short for a review (caption, meme or note)"
    return f"no paper evidence (score {p:.2f} < {threshold:.2f})"


def whole_post(ctx: _Ctx, post_model: Model, cand_model: Model) -> Verdict:
    """:func:`analyse` then :func:`decide`, for a post on its own (no dump layout)."""
    if _first_content(ctx.lines) is None:
        return Verdict([], "no text (media only)", None, None)
    return decide(analyse(ctx), post_model, cand_model)

