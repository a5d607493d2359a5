"""Text normalization shared by the index and the query, so both sides agree token for token.

Pipeline for a piece of text:

1. Unicode NFKC, casefold, ``ё`` -> ``е``.
2. Homoglyph folding inside mixed-script words: a word typed in both scripts has its look-alike
   letters (``а е о р с х у к м т н в``…) mapped to its majority script, and a one- or two-letter
   look-alike run glued by punctuation to the other script follows it, so ``O(sqrt(N))`` typed
   with a Cyrillic ``О`` reads as Latin while ``GAN-преобразования`` keeps both words.
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
    return _CHUNK.sub(_fold_chunk, t)


_CHUNK = re.compile(r"\S+")
_RUN = re.compile(r"[^\W\d_]+")
_CYR_LOOK = frozenset("аеорсхукмтнвіј")
_LAT_LOOK = frozenset("aeopcxykmthb")


def _fold_chunk(m: re.Match) -> str:
    chunk = m.group(0)
    if not (_CYR.search(chunk) and _LAT.search(chunk)):
        return chunk
    n_cyr, n_lat = len(_CYR.findall(chunk)), len(_LAT.findall(chunk))

    def fix(run: re.Match) -> str:
        w = run.group(0)
        c, lat = len(_CYR.findall(w)), len(_LAT.findall(w))
        if c and lat:  # a word typed in two scripts: fold to the script it can only be in
            cyr_ok = all(ch in _CYR_LOOK for ch in w if _CYR.match(ch))
            lat_ok = all(ch in _LAT_LOOK for ch in w if _LAT.match(ch))
            to_lat = cyr_ok if cyr_ok != lat_ok else lat >= c
            return w.translate(_CYR_TO_LAT if to_lat else _LAT_TO_CYR)
        # a one- or two-letter look-alike run glued to the other script: О(sqrt(N))
        if len(w) <= 2 and c and n_lat > n_cyr and set(w) <= _CYR_LOOK:
            return w.translate(_CYR_TO_LAT)
        if len(w) <= 2 and lat and n_cyr > n_lat and set(w) <= _LAT_LOOK:
            return w.translate(_LAT_TO_CYR)
        return w

    return _RUN.sub(fix, chunk)


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
