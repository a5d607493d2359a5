"""Stage 2 of recognition: every place a post may name its paper.

Source formats (what real posts and pages do, each seen many times): the title alone on a line
(first, or after a lead sentence, breadcrumbs, a site name), maybe with emoji on both sides or
numbered; the title in quotes of any kind inside a sentence (``«…»``, ``"…"``, ``“…”``, ``„…“``);
after a lead-in (``Недавно вышла статья <Title>``, ``Сегодня разбираем <Title>``, ``The paper is
called <Title>``, ``a new paper titled <Title>``); after a field label (``Title: …``, ``Статья:
<Title>``, ``Название: …``); as a link's anchor text; in arXiv's listing form ``[<arXiv id>]
<Title>``; in a BibTeX ``title = {…}`` of a summary page; before a link in parentheses
(``<Title> (https://arxiv.org/…)``); a Latin title run into the first sentence of the text.

:func:`title_candidates` returns them cleaned of their wrappers (:func:`fields.clean_title`),
one per distinct text, each with the ways it was found (``kinds``), so the scorer can weigh them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import extract as ex
from ..post import HiddenLink
from .fields import _DASH_TITLE, _leading_title, _title_before_link, clean_title, is_generic_heading, unquote
from .lines import _LABEL_WORDS, _titled_shape, title_like

MAX_LINES = 10  # line candidates come from the first lines of a post: titles sit at the top
_SCAN = 4000  # characters scanned for titles in prose

_QUOTED = re.compile(r"«([^«»\n]{6,220})»|“([^“”\n]{6,220})”|„([^„“”\n]{6,220})[“”]|\"([^\"\n]{6,220})\"")
_LEAD_RU = re.compile(
    r"(?:вышл[аои]|вышел|опубликовал[аи]?|выложил[аи]?|представил[аи]?|разбираем|разберём|разберем|читаем|"
    r"обсудим|посмотрим на|расскажу (?:о|про)|рассказываю (?:о|про)|речь (?:пойд[её]т|идёт|идет) о|"
    r"(?=(?:свеж|нов|интересн)\w+\s+(?:стать|работ|препринт)))\s*"
    r"(?:(?:нов(?:ая|ую|ой)|свеж(?:ая|ую|ей)|интересн(?:ая|ую|ой)|классическ(?:ая|ую|ой)|)\s*"
    r"(?:стать[яюи]|работ[ау]|препринт|пейпер|папир|paper)\s*)?(?:под названием|с названием|называется)?\s*[:—–-]?\s*"
    r"(?P<t>[A-Z0-9«\"“][^\n\u0400-\u04ff]{5,220})", re.IGNORECASE)
_LEAD_EN = re.compile(
    r"(?:paper|preprint|work|study|article|report)\s+(?:is\s+)?(?:called|titled|entitled|named)\s*:?\s*"
    r"(?P<t>[A-Z0-9«\"“][^\n]{5,220})|(?:new|recent|latest)\s+paper\s*[:—–-]\s*(?P<u>[A-Z0-9«\"“][^\n]{5,220})")
# words one of which every Russian lead-in holds (a cheap test before the lead-in pattern runs)
_LEAD_KEYS = ("вышл", "вышел", "опубликова", "выложи", "представи", "разбира", "разбер", "читаем", "обсуд",
              "посмотрим", "расска", "речь ", "свеж", "новая ", "новую ", "нового ", "интересн")
_LABEL = re.compile(
    r"^\s*(?:Title|Paper|Paper title|Статья|Название|Название статьи|Работа|Заголовок)\s*[:—–]\s*(?P<t>\S.{3,300})$",
    re.IGNORECASE)
_ID_LINE = re.compile(r"^\s*(?:\[\s*(?:arXiv:)?\d{4}\.\d{4,5}(?:v\d+)?\s*\]|arXiv:\s*\d{4}\.\d{4,5}(?:v\d+)?)\s*\S",
                      re.IGNORECASE)
_BIBTEX = re.compile(r"^\s*title\s*=\s*[{\"]+(?P<t>[^{}\"\n]{5,300})[}\"]+", re.IGNORECASE | re.MULTILINE)
_STOP = re.compile(r"(?:\.\s|\s[(\[]|\s(?:от|by|from|из|авторов|in which|where|that|которая|которой)\s|"
                   r"[»”\"]|[;!?]\s|$)")
_STARTERS = {"we", "the", "this", "in", "a", "an", "our", "authors", "today", "here", "it", "they", "these",
             "авторы", "сегодня", "в", "это", "мы", "статья", "paper", "its", "их", "как", "новая"}
_URL = re.compile(r"(?:https?://|www\.)\S+")
# header fields are never a title: "Authors: Albert Gu, Tri Dao", "Автор обзора: …", "By A and B"
_FIELD = re.compile(
    r"^(?:Authors?|Авторы(?: статьи)?|Автор(?: обзора| разбора)?|Reviewers?|Reviewed by|By)\s*[:\s]\s*\S",
    re.IGNORECASE)
# a model's or method's short name heading a headline: "DeepSeek-R1: путь к …", "Titans (Google Research)",
# "Titans: How Google Is Teaching AI …" — a name has a capital or digit inside, a hyphen, or is one word
# what follows a name in a blog headline rather than in a paper's title ("Titans: How Google …")
_HEADLINE_REST = re.compile(r"(?:how|why|what|when|the|a|an|is|are|google|openai|meta|deepmind|inside|"
                            r"explained|review|summary|как|почему|что|зачем|путь|обзор|разбор)\b", re.IGNORECASE)
_NAME_HEAD = re.compile(r"^(?P<n>[A-Z][\w.+-]{1,30}(?: [A-Z0-9][\w.+-]{0,20}){0,2})\s*(?:\([^()\n]{1,40}\))?"
                        r"\s*(?:[:—–]\s+\S|$)")


@dataclass
class Candidate:
    """A place the post may name its paper: ``text`` the title cleaned of wrappers, ``kinds`` how
    it was found (``line``, ``quoted``, ``lead_in``, ``label``, ``anchor``, ``id_prefix``,
    ``bibtex``, ``before_link``, ``leading``, ``dash``, ``name``: the short name heading a
    headline), ``line`` the 0-based line it was
    first found on, ``rank`` that line's place among the post's non-blank lines (0 = first)."""

    text: str
    line: int
    rank: int
    kinds: set[str] = field(default_factory=set)


def _cut(span: str) -> str:
    """A title span cut where the sentence around it goes on (``… от Google``, ``… (NeurIPS)``,
    ``… by A. Author``, a closing quote, a sentence end)."""
    span = unquote(span.strip()) if span[:1] in "«\"“" else span
    m = _STOP.search(span, 1)
    return span[:m.start()] if m else span


def _leading_run(line: str) -> str | None:
    """A Latin title-case run that opens a line flattened into one (``Attention Is All You Need
    We propose …``): the capitalized words and connectors before the first lower-case word, minus
    a sentence starter (``We``, ``The``, ``This``) at its end; at least three words."""
    words = line.split()
    run: list[str] = []
    for w in words[:30]:
        core = w.strip("“”\"«»()[],:;")
        if not core:
            break
        if core[0].isupper() or core[0].isdigit() or core.lower() in {"of", "for", "with", "and", "the", "a", "an",
                                                                        "in", "on", "to", "via", "from", "is", "at"}:
            run.append(w)
            if w.endswith((".", "!", "?")):
                break
            continue
        break
    while run and run[-1].strip(",:;").lower() in _STARTERS:
        run.pop()
    text = " ".join(run).strip(" ,:;.")
    return text if len(run) >= 3 and text.isascii() else None


def title_candidates(lines: list[str], hidden: list[HiddenLink], paper_url: str | None) -> list[Candidate]:
    """Every title candidate of a post (see the module docstring), one per distinct cleaned text,
    in order of first appearance. ``lines`` are the cleaned lines, ``hidden`` the links behind
    words, ``paper_url`` the post's paper link when it has one."""
    found: dict[str, Candidate] = {}
    rank_of: dict[int, int] = {}
    content = [i for i, ln in enumerate(lines) if ln.strip()]
    for r, i in enumerate(content):
        rank_of[i] = r

    def add(text: str, line: int, kind: str, cleaned: bool = False) -> None:
        t = (text if cleaned else clean_title(_URL.sub("", text) if "://" in text or "www." in text else text)
             ).strip(" .,:;—–-")
        if not (3 <= len(t) <= 300) or not any(c.isalpha() for c in t) or is_generic_heading(t) or _FIELD.match(t):
            return
        key = " ".join(t.casefold().split())
        c = found.get(key)
        if c is None:
            found[key] = c = Candidate(t, line, rank_of.get(line, len(content)))
        c.kinds.add(kind)

    for i in content[:MAX_LINES]:
        s = lines[i].strip()
        if len(s) > 250 or "://" in s:
            continue
        ct = clean_title(s)
        if title_like(ct):
            add(ct, i, "line", cleaned=True)
            if (m := _NAME_HEAD.match(ct)) and m.group("n") != ct:
                add(m.group("n"), i, "name", cleaned=True)
                rest = ct[m.end("n"):].lstrip(" :—–([")
                if _HEADLINE_REST.match(rest) or (ex.has_cyrillic(rest) and not ex.has_cyrillic(m.group("n"))):
                    add(m.group("n"), i, "name_headline", cleaned=True)
        if s[:1] in "[aA" and _ID_LINE.match(s):
            add(s, i, "id_prefix")
    scanned = 0
    for i in content:
        if scanned > _SCAN:
            break
        s = lines[i]
        scanned += len(s)
        low = s.casefold()
        if ":" in s and (m := _LABEL.match(s)):
            val = m.group("t")
            if not _LABEL_WORDS.match(_URL.sub("", val).strip() or "paper"):
                add(val, i, "label")
        if any(q in s for q in "«“„\""):
            for m in _QUOTED.finditer(s):
                q = next(g for g in m.groups() if g)
                # a quoted phrase ("I don't know" answers) is no title: titles in quotes are title-cased,
                # Russian, or long
                if (q[0].isalpha() or q[0].isdigit()) and len(q.split()) >= 2 and (
                        _titled_shape(q) or ex.has_cyrillic(q) or len(q.split()) >= 5):
                    add(q, i, "quoted")
        if any(k in low for k in _LEAD_KEYS):
            for m in _LEAD_RU.finditer(s):
                add(_cut(m.group("t")), i, "lead_in")
        if any(k in low for k in ("paper", "work", "study", "article", "report", "preprint")):
            for m in _LEAD_EN.finditer(s):
                add(_cut(m.group("t") or m.group("u")), i, "lead_in")
        if i == content[0]:
            if (m := _DASH_TITLE.match(s.strip())) and len(m.group("t").split()) >= 2:
                add(m.group("t"), i, "dash")
            if lead := _leading_title(s):
                add(lead, i, "leading")
            if len(s) > 200 and (run := _leading_run(s.strip())):
                add(run, i, "leading")
    for hl in hidden:
        label = hl.label.strip(" «»\"[]()")
        if len(label.split()) >= 2 and not _LABEL_WORDS.match(label):
            add(label, hl.line, "anchor")
    head = "\n".join(lines)
    if "title" in head.lower():
        for m in _BIBTEX.finditer(head):
            add(m.group("t"), head.count("\n", 0, m.start()), "bibtex")
    if paper_url and (t := _title_before_link(lines, paper_url)):
        line = next((k for k, ln in enumerate(lines) if paper_url in ln), 0)
        add(t, line, "before_link")
    return list(found.values())


def add_candidate(cands: list[Candidate], text: str, lines: list[str], kind: str) -> None:
    """Add ``text`` found by ``kind`` to ``cands`` (in place): merged into the candidate with the
    same cleaned text, else appended at the first line that holds it."""
    t = clean_title(text).strip(" .,:;—–-")
    if not (3 <= len(t) <= 300) or is_generic_heading(t):
        return
    key = " ".join(t.casefold().split())
    for c in cands:
        if " ".join(c.text.casefold().split()) == key:
            c.kinds.add(kind)
            return
    line = next((k for k, ln in enumerate(lines) if t[:30] in ln), 0)
    rank = sum(1 for ln in lines[:line] if ln.strip())
    cands.append(Candidate(t, line, rank, {kind}))
