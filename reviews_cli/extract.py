"""Field rules shared by every dump format: URLs and their roles, arXiv ids, hashtags, author
lists, affiliations, reviewers, reaction lines and image captions.

Everything here is pure (str in, values out) and format-agnostic; the format modules in
``reviews_cli.parsing`` decide *which* lines are header lines and call these on them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from .ids import arxiv_ids_in_url as arxiv_ids_in_url  # re-exported (the redundant alias says so to mypy)
from .ids import canonical_tag as canonical_tag
from .ids import parse_arxiv_id as parse_arxiv_id
from .ids import year_from_arxiv as year_from_arxiv
from .models import Link, Reviewer
from .safe_text import has_unsafe

# --------------------------------------------------------------------------------------- URLs

_URL_RE = re.compile(r"""(?:https?://|www\.)[^\s<>"'«»\[\]{}|\\^`]+""", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}»'\"…"


def find_urls(text: str) -> list[str]:
    """All http(s) URLs in ``text``, in order, with trailing sentence punctuation removed
    (a closing parenthesis is kept when the URL itself opened one)."""
    out = []
    for m in _URL_RE.finditer(text):
        url = m.group(0)
        if has_unsafe(url):  # a control, bidi or invisible character ends a URL (no URL holds one raw)
            url = url[:next(i for i, ch in enumerate(url) if has_unsafe(ch))]
        while url and url[-1] in _URL_TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if url.lower().startswith("www."):
            url = "http://" + url
        if len(url) > 10:
            out.append(url)
    return out


def normalize_url(url: str) -> str:
    """Canonical form for comparing and storing URLs: lower-case scheme and host, doubled
    slashes in the path collapsed, no trailing slash on a bare path."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    path = re.sub(r"/{2,}", "/", parts.path)
    if path.endswith("/") and len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment))


_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "gist.github.com", "paperswithcode.com/code")
_PAPER_HOSTS = ("arxiv.org", "openreview.net", "aclanthology.org", "aclweb.org", "proceedings.neurips.cc",
                "papers.nips.cc", "proceedings.mlr.press", "openaccess.thecvf.com", "dl.acm.org",
                "ieeexplore.ieee.org", "link.springer.com", "biorxiv.org", "medrxiv.org", "ssrn.com",
                "semanticscholar.org", "nature.com/articles", "science.org/doi", "doi.org", "huggingface.co/papers",
                "alphaxiv.org/abs", "paperswithcode.com/paper", "ojs.aaai.org", "aaai.org/ojs", "papers.neurips.cc",
                "ecva.net/papers", "ijcai.org/proceedings", "jmlr.org/papers", "aclweb.org/anthology")
_CODE_LABEL = re.compile(r"\b(код|code|repo|репозитори|implementation|github)", re.IGNORECASE)
_PAPER_LABEL = re.compile(r"^\W*(стать[яиюе]|paper|arxiv|pdf|оригинал)", re.IGNORECASE)


def link_role(url: str, label: str = "") -> str:
    """``paper``, ``code`` or ``other`` for a URL, judged by its host and the label before it
    (``Статья: …`` is a paper, ``Код: …`` code); a labelled paper link in a header wins."""
    low = url.lower()
    host_path = low.split("://", 1)[-1]
    if any(host_path.startswith(h) or host_path.startswith("www." + h) for h in _CODE_HOSTS):
        return "code"
    if label and _CODE_LABEL.search(label):
        return "code"
    if any(h in host_path for h in _PAPER_HOSTS) or host_path.endswith(".pdf"):
        return "paper"
    if label and _PAPER_LABEL.search(label):
        return "paper"
    return "other"


# ------------------------------------------------------------------------------------ hashtags

_HASHTAG = re.compile(r"(?<![\w/#&])#(\w[\w-]*)")
_HASHTAG_LINE = re.compile(r"^\s*(?:#\w[\w-]*[\s,;.]*(?:\d{4}[\s,;.]*)?)+\s*$")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")


def hashtags(text: str) -> list[str]:
    """Hashtags in ``text`` without the ``#``, as written, first occurrence order, no repeats
    (case-insensitively). ``#ICLR 2019`` gives ``ICLR``; ``#2018`` gives ``2018``."""
    seen: dict[str, str] = {}
    if "#" not in text:
        return []
    for m in _HASHTAG.finditer(text):
        tag = m.group(1).rstrip("-")
        seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def is_hashtag_line(line: str) -> bool:
    """A line made only of hashtags (commas, and a bare year such as ``2019``, allowed)."""
    return bool(_HASHTAG_LINE.match(line)) and "#" in line


def year_in(text: str) -> int | None:
    """The last plausible year (1950–2049) written in ``text``, else ``None``."""
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


# ------------------------------------------------------------------------- link / header lines

_LINK_LINE = re.compile(
    r"^\s*(?:(?P<label>[^:]{0,80}?)\s*[:：-]\s*)?"
    r"(?P<urls>(?:https?://|www\.)\S+(?:\s*[,;|]?\s*(?:[^\s:,;|/][^:,;|/]{0,30}?\s*[:：]\s*)?(?:https?://|www\.)\S+)*)\s*$",
    re.I)


def split_link_line(line: str) -> tuple[str, list[str]] | None:
    """``('Статья', [url])`` for a header link line such as ``Статья: https://…`` or a bare URL
    line, or several labelled links on one line (``Статья: URL, код: URL``: the first label is
    returned, the URLs in order); ``None`` when the line is anything else (prose with a URL in it)."""
    if "://" not in line and "www." not in line.lower():
        return None  # most lines: no regex at all
    m = _LINK_LINE.match(line.strip())
    if not m:
        return None
    label = (m.group("label") or "").strip()
    if label.startswith(("http://", "https://")):
        return None
    return label, find_urls(m.group("urls"))


def links_from_text(text: str, role_hint: str | None = None) -> list[Link]:
    """Every URL in ``text`` as a :class:`Link`, its role judged from the host and from the
    label that precedes it on its line."""
    out = []
    for line in text.split("\n"):
        parsed = split_link_line(line)
        label = parsed[0] if parsed else ""
        for url in find_urls(line):
            role = role_hint or link_role(url, label)
            out.append(Link(url, role))
    return out


# --------------------------------------------------------------------------- reactions, captions

_REACTION_LINE = re.compile(r"^\s*(?:\d+(?:[.,]\d+)?[KkMm]?\s?)?(?:[^\w\s\d]{1,4}\s?\d+(?:[.,]\d+)?[KkMm]?\s*)+$")


def is_reaction_line(line: str) -> bool:
    """A Telegram reactions row: emoji followed by counts, e.g. ``🔥7``, ``👍 12 ❤️ 3``, or a
    view count first as mirrors print it, ``12👍5🔥3``."""
    if len(line) > 80:
        return False
    return bool(_REACTION_LINE.match(line)) and any(not ch.isascii() for ch in line)


_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def is_caption_like(line: str) -> bool:
    """An image caption as the Telegram web preview prints it under a post: a short Latin-script
    line with no sentence punctuation at the end and no URL (``Face editing``)."""
    s = line.strip()
    return (
        0 < len(s) <= 90
        and not has_cyrillic(s)
        and s[-1] not in ".!?:;,)…»\"'"
        and not find_urls(s)
        and not s.startswith(("-", "•", "*", "#"))
        and not re.match(r"^\d+[.)]", s)
        and sum(ch.isalpha() for ch in s) >= 3
    )


# ---------------------------------------------------------------------------- authors, affils

_PARTICLES = {"de", "da", "del", "della", "der", "den", "van", "von", "la", "le", "du", "dos", "das",
              "di", "bin", "al", "el", "ten", "ter", "y", "e", "zu"}
_LOWER_START = frozenset("abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя")  # _NAME_WORD rejects these
_NAME_JOINERS = _PARTICLES | {"and", "и"}
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ\u0400-\u042F\u0401][\w'’.\-]*|[A-Z]\.(?:-?[A-Z]\.)*)$")
_ET_AL = re.compile(r"\s*(?:,\s*)?(?:et\.?\s*al\.?|и\s+др\.?|и\s+соавт\.?)\s*$", re.IGNORECASE)
_SURNAME_INITIALS = re.compile(
    r"([A-ZÀ-Þ\u0400-\u042F][\w'’\-]+(?:\s+[A-Z\u0400-\u042F]\.(?:\s*[A-Z\u0400-\u042F]\.)*))")
_ORG_WORDS = re.compile(
    r"\b(universit\w*|institut\w*|college|school|academy|research|lab|labs|laborator\w*|inc|ltd|corp|"
    r"google|deepmind|facebook|meta|microsoft|openai|nvidia|amazon|apple|ibm|baidu|alibaba|tencent|"
    r"huawei|samsung|yandex|яндекс|salesforce|uber|adobe|intel|mit|csail|cmu|stanford|berkeley|"
    r"oxford|cambridge|eth|epfl|inria|mila|vector|allen|ai2|ai|brain|cloud|университет|институт|"
    r"usa|uk|china|japan|korea|germany|france|canada|russia|россия|etri|kaist|nyu|ucl|ucla|tsinghua|"
    r"peking|skoltech|hse|вшэ|мфти|мгу|университет\w*|институт\w*|лаборатори\w*|politecnico|"
    r"universidad|universität|université|école|ecole|polytechnique|centre|center)\b",
    re.IGNORECASE,
)


def _is_person_name(part: str) -> bool:
    words = part.split()
    if not 1 <= len(words) <= 6:
        return False
    core = [w for w in words if w.lower() not in _PARTICLES]
    if not 1 <= len(core) <= 4:
        return False
    return all(_NAME_WORD.match(w) for w in core) and any(len(w.strip(".")) > 1 for w in core)


def strip_paren_tail(line: str) -> tuple[str, str | None]:
    """``('A B, C D', 'MIT')`` for ``'A B, C D (MIT)'``; ``(line, None)`` with no parenthesis at the end."""
    if not line.rstrip().endswith(")"):  # the regex below needs one: skip its scan of every other line
        return line.strip(), None
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", line.strip())
    if m and m.group(1):
        return m.group(1), m.group(2)
    return line.strip(), None


def split_authors(line: str) -> list[str] | None:
    """Parse an author list line; ``None`` when the line is not one.

    Accepts ``A B, C D and E F`` (commas, ``and``, ``&``, ``и``), the ``Surname I. Surname I.``
    form without commas, and a trailing ``et al.`` / ``et.al.`` / ``и др.``, which is dropped.
    An affiliation in parentheses at the end is not part of the list (see :func:`author_line`).
    """
    s = line.strip()
    if len(s) > 600:  # before any regex: a long line is not an author list
        return None
    if s.lower().rstrip(".").endswith(("al", "др", "соавт")):  # the only endings _ET_AL can match
        s = _ET_AL.sub("", s).strip()
    s = s.rstrip(",;")
    # prose is no author list: a name part admits no lower-case word but a particle, and the
    # "Surname I." form leaves at most 2 characters unread; checked before the costlier regexes
    if sum(len(w) for w in s.split() if w[0] in _LOWER_START and w.strip(",;") not in _NAME_JOINERS) > 2:
        return None
    if not s or len(s) > 600 or find_urls(s) or s.startswith("#"):
        return None
    if "," in s or re.search(r"\s(?:and|&|и)\s", s):
        parts = [p.strip() for p in re.split(r",|;|\s+and\s+|\s+&\s+|\s+и\s+", s) if p.strip()]
    else:
        initials = _SURNAME_INITIALS.findall(s)
        if len(initials) >= 2 and len("".join(initials).replace(" ", "")) >= len(s.replace(" ", "")) - 2:
            return [" ".join(x.split()) for x in initials]
        parts = [s]
    if parts and all(_is_person_name(p) for p in parts):
        return parts
    return None


def author_line(line: str) -> tuple[list[str], list[str]] | None:
    """``(authors, affiliations)`` for a header author line, where the affiliation may follow in
    parentheses (``Youngjoo Jo, Jongyoul Park (ETRI, South Korea)``); ``None`` if not authors."""
    if len(line) > 800:  # before any regex: a long line is no author line
        return None
    head, paren = strip_paren_tail(line)
    authors = split_authors(head)
    if authors is None:
        return None
    affs = split_affiliations(paren) if paren else []
    return authors, affs


def is_strong_author_line(line: str) -> bool:
    """An author line that cannot be mistaken for an organisation: two or more names, or one
    name followed by a parenthesised affiliation."""
    parsed = author_line(line)
    if not parsed:
        return False
    authors, affs = parsed
    if len(authors) >= 2:
        return not all(_ORG_WORDS.search(a) for a in authors)
    return bool(affs) and not _ORG_WORDS.search(authors[0])


def looks_like_affiliation(line: str) -> bool:
    """A short header line naming organisations or countries (``CSAIL MIT``, ``(Google, DeepMind)``)."""
    s = line.strip()
    if not s or len(s) > 200 or find_urls(s) or s.startswith("#"):
        return False
    if s.startswith("(") and s.endswith(")"):
        return True
    if s[-1] in ".!?:" or is_reaction_line(s):
        return False
    return bool(_ORG_WORDS.search(s)) or split_authors(s) is not None


def is_org_line(line: str) -> bool:
    """A line that names organisations for sure: parenthesised, or with an organisation or
    country word (``University``, ``Research``, ``Google``, ``MIT``…). Unlike
    :func:`looks_like_affiliation`, a bare person name does not qualify."""
    s = line.strip()
    if s.startswith("(") and s.endswith(")"):
        return True
    return looks_like_affiliation(s) and bool(_ORG_WORDS.search(s))


def split_affiliations(text: str) -> list[str]:
    """``'(Google, DeepMind; MIT)'`` -> ``['Google', 'DeepMind', 'MIT']``; a trailing year is
    not an affiliation (see :func:`affiliations_and_year`)."""
    s = text.strip()
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1]
    return [p.strip() for p in re.split(r"[,;]", s) if p.strip()]


def affiliations_and_year(text: str) -> tuple[list[str], int | None]:
    """``'Google Research, 2019'`` -> ``(['Google Research'], 2019)``."""
    parts = split_affiliations(text)
    year = None
    if parts and re.fullmatch(r"(19|20)\d{2}", parts[-1]):
        year = int(parts.pop())
    return parts, year


# ---------------------------------------------------------------------------------- reviewers

_REVIEWER = re.compile(
    r"^(?P<name>.*?)\s*\(\s*(?:в\s+сл[эе]ке|в\s+slack|slack|в\s+телеграме?|telegram|tg|ods)\s*[:\-]?\s*@?(?P<handle>[^)]+?)\s*\)\s*$",
    re.IGNORECASE,
)


def parse_reviewer(text: str) -> Reviewer | None:
    """``'Алексей (в слэке Arech)'`` -> ``Reviewer('Алексей', 'Arech')``; ``'Иван @ivan'`` ->
    ``Reviewer('Иван', 'ivan')``; a plain name gives a reviewer without a handle."""
    s = " ".join(text.split()).strip(" .")
    if not s:
        return None
    m = _REVIEWER.match(s)
    if m:
        return Reviewer(m.group("name").strip() or None, m.group("handle").strip() or None)
    m = re.match(r"^(?P<name>.*?)\s*\(?@(?P<handle>\w+)\)?$", s)
    if m:
        return Reviewer(m.group("name").strip() or None, m.group("handle"))
    return Reviewer(s, None)
