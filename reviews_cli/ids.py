"""Identifier grammars the search hot path needs without the rest of ``extract``: arXiv ids
and hashtag keys. Kept small so ``reviews search`` starts fast."""

from __future__ import annotations

import re

# New-style ids (April 2007 on): YYMM.NNNN (to 2014-12) or YYMM.NNNNN (2015-01 on), optional vN.
_ARXIV_NEW = r"(?<![\w.])(\d{2})(0[1-9]|1[0-2])\.(\d{4,5})(?:v\d+)?(?![\w.]*\d)"
# Old-style ids: archive(.SUBJ)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
_ARXIV_OLD = r"(?<![\w.])([a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?)/(\d{2}(?:0[1-9]|1[0-2])\d{3})(?:v\d+)?\b"
_ARXIV_URL = r"(?i)arxiv\.org/(?:abs|pdf|html)/([^\s?#]+)"
# (patterns, not compiled here: re compiles and caches them on first use, which a search
# without an id never reaches)


def _valid_new(yy: str, mm: str, num: str) -> bool:
    yymm = int(yy + mm)
    if yymm < 704:
        return False
    return len(num) == 4 if yymm < 1501 else len(num) == 5


def parse_arxiv_id(text: str) -> str | None:
    """The canonical arXiv id in ``text`` (a bare id, ``arXiv:1803.03635v2``, or an
    ``arxiv.org/abs|pdf/…`` URL), without version or prefix; ``None`` when there is no valid one.

    Follows arXiv's identifier scheme: ``YYMM.NNNN`` up to 2014, ``YYMM.NNNNN`` from 2015, and
    old-style ``archive/YYMMNNN``. ``1802.0595`` is not a valid id (2018 ids have 5 digits).
    """
    m = re.search(_ARXIV_URL, text)
    candidates = [m.group(1).removesuffix(".pdf")] if m else []
    candidates.append(re.sub(r"(?i)\barxiv:\s*", "", text))
    for cand in candidates:
        for n in re.finditer(_ARXIV_NEW, cand):
            if _valid_new(n.group(1), n.group(2), n.group(3)):
                return f"{n.group(1)}{n.group(2)}.{n.group(3)}"
        o = re.search(_ARXIV_OLD, cand)
        if o:
            return f"{o.group(1)}/{o.group(2)}"
    return None


def arxiv_ids_in_url(url: str) -> str | None:
    """The arXiv id of an arxiv.org URL (``export.arxiv.org``, versioned PDF links
    ``arxiv.org/pdf/2401.01234v2``, arXiv's DOI ``doi.org/10.48550/arXiv.<id>``; or of a
    site that names papers by their arXiv id:
    ``huggingface.co/papers/<id>``, ``alphaxiv.org/abs/<id>``), else ``None`` (a bare number
    elsewhere is not an id)."""
    low = url.lower()
    if "10.48550/arxiv." in low:  # arXiv's DOI: doi.org/10.48550/arXiv.2401.01234
        return parse_arxiv_id(low.split("10.48550/arxiv.", 1)[1])
    if "arxiv.org/" not in low and "huggingface.co/papers/" not in low and "alphaxiv.org/abs/" not in low:
        return None
    return parse_arxiv_id(url)


def year_from_arxiv(arxiv_id: str | None) -> int | None:
    """Submission year implied by an arXiv id (``1803.03635`` -> 2018)."""
    if not arxiv_id:
        return None
    m = re.match(r"(?:.*/)?(\d{2})\d{2}", arxiv_id)
    if not m:
        return None
    yy = int(m.group(1))
    return 2000 + yy if yy < 91 else 1900 + yy



def canonical_tag(tag: str) -> str:
    """Tag comparison key: ``'#GAN'``, ``'GAN'`` and ``'gan'`` are the same tag."""
    return tag.strip().lstrip("#").casefold()
