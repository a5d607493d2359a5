"""Text normalization shared by the index and the query, so both sides agree token for token.

Pipeline for a piece of text:

1. Unicode NFKC, casefold, ``ё`` -> ``е``.
2. Homoglyph folding inside mixed-script words: a white-space delimited chunk that mixes
   Cyrillic and Latin letters has its look-alike letters (``а е о р с х у к м т н в``…) mapped to
   the script of the majority, so ``O(sqrt(N))`` typed with a Cyrillic ``О`` reads as Latin.
3. Words: runs of letters and digits (``\\w`` without ``_``).
4. Diacritics dropped from Latin words only (``jégou`` -> ``jegou``; ``й`` stays ``й``).
5. Snowball stemming: Russian for Cyrillic words, English for Latin ones; numbers as they are.

Exact tokens (index terms that are not words): an arXiv id ``1803.03635`` becomes
``ax1803x03635`` and a hashtag ``#GAN`` becomes ``tggan``, so ids and tags match exactly too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[a-z]")
_WORD = re.compile(r"[^\W_]+")

# Cyrillic letters that look like Latin ones (after casefold), and back.
_CYR_TO_LAT = str.maketrans("аеорсхукмтнвіј", "aeopcxykmthbij")
_LAT_TO_CYR = str.maketrans("aeopcxykmthb", "аеорсхукмтнв")


def fold(text: str) -> str:
    """Steps 1–2: NFKC, casefold, ``ё``→``е``, homoglyph folding in mixed-script chunks."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    if not (_CYR.search(t) and _LAT.search(t)):
        return t
    out = []
    for chunk in t.split(" "):
        if _CYR.search(chunk) and _LAT.search(chunk):
            n_cyr = len(_CYR.findall(chunk))
            n_lat = len(_LAT.findall(chunk))
            chunk = chunk.translate(_CYR_TO_LAT if n_lat >= n_cyr else _LAT_TO_CYR)
        out.append(chunk)
    return " ".join(out)


def words(text: str) -> list[str]:
    """Folded words of ``text`` (steps 1–4), in order, unstemmed."""
    return [_strip_latin_diacritics(w) for w in _WORD.findall(fold(text))]


@lru_cache(maxsize=4096)
def _strip_latin_diacritics(word: str) -> str:
    if word.isascii() or _CYR.search(word):
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_stemmers: dict[str, object] = {}


def _stemmer(lang: str):
    st = _stemmers.get(lang)
    if st is None:
        try:
            import Stemmer  # PyStemmer: C implementation of Snowball

            st = Stemmer.Stemmer(lang)
            st.maxCacheSize = 200_000
        except ImportError:  # pure-Python Snowball, same algorithms
            import snowballstemmer

            st = snowballstemmer.stemmer(lang)
        _stemmers[lang] = st
    return st


def is_cyrillic(word: str) -> bool:
    return bool(_CYR.search(word))


def stem(word: str) -> str:
    """Snowball stem of one folded word: Russian for Cyrillic, English for Latin, digits as is."""
    if word.isdigit():
        return word
    return _stemmer("russian" if _CYR.search(word) else "english").stemWord(word)


def stems(ws: list[str]) -> list[str]:
    """Stems of many folded words, batched per language (the fast path for indexing)."""
    out = list(ws)
    ru = [i for i, w in enumerate(ws) if not w.isdigit() and _CYR.search(w)]
    en = [i for i, w in enumerate(ws) if not w.isdigit() and not _CYR.search(w)]
    for lang, idx in (("russian", ru), ("english", en)):
        if idx:
            for i, s in zip(idx, _stemmer(lang).stemWords([ws[i] for i in idx])):
                out[i] = s
    return out


def analyze(text: str) -> list[str]:
    """The index terms of ``text``: folded, stemmed words in order."""
    return stems(words(text))


def arxiv_token(arxiv_id: str) -> str:
    """Exact index term for an arXiv id: ``1803.03635`` -> ``ax1803x03635``."""
    return "ax" + re.sub(r"[^0-9a-z]+", "x", arxiv_id.casefold())


def tag_token(tag: str) -> str:
    """Exact index term for a hashtag: ``#GAN`` -> ``tggan``."""
    return "tg" + "".join(words(tag.lstrip("#")))
