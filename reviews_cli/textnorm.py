"""Text normalization shared by the index and the query, so both sides agree token for token.

Pipeline for a piece of text:

1. Unicode NFKC, casefold, ``ё`` -> ``е``.
2. Homoglyph folding inside mixed-script words: a word typed in both scripts has its look-alike
   letters (``а е о р с х у к м т н в``…) mapped to the script it can only be in (``Тeлo`` ->
   ``тело``), while ``GAN-преобразования`` keeps both words. A one- or two-letter look-alike run
   (the Cyrillic ``О`` typed in ``O(sqrt(N))``) is ambiguous on its own; the query side searches
   both spellings of it (:func:`lookalike_variants`), which costs nothing at index time.
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Protocol

    class _Stemmer(Protocol):
        """What PyStemmer's ``Stemmer.Stemmer`` and snowballstemmer's stemmers both offer."""

        def stemWord(self, word: str) -> str: ...

        def stemWords(self, words: list[str]) -> list[str]: ...


_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[a-z]")
_WORD = re.compile(r"[^\W_]+")

# Cyrillic letters that look like Latin ones (after casefold), and back.
_CYR_TO_LAT = str.maketrans("аеорсхукмтнвіј", "aeopcxykmthbij")
_LAT_TO_CYR = str.maketrans("aeopcxykmthb", "аеорсхукмтнв")


def fold(text: str) -> str:
    """Step 1: NFKC, casefold, ``ё``→``е``."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


_CYR_LOOK = frozenset("аеорсхукмтнвіј")
_LAT_LOOK = frozenset("aeopcxykmthb")
_ACCENTED = re.compile(r"[^\x00-\x7f\u0400-\u04ff]")
_MIXED = re.compile(r"[a-z][\u0400-\u04ff]|[\u0400-\u04ff][a-z]")


@lru_cache(maxsize=65536)
def _fix_word(w: str) -> str:
    """Steps 2 and 4 for one word: fold a word typed in two scripts to the script it can only be
    in (else its majority), and drop diacritics from Latin words."""
    if _MIXED.search(w):
        c, lat = len(_CYR.findall(w)), len(_LAT.findall(w))
        cyr_ok = all(ch in _CYR_LOOK for ch in w if _CYR.match(ch))
        lat_ok = all(ch in _LAT_LOOK for ch in w if _LAT.match(ch))
        to_lat = cyr_ok if cyr_ok != lat_ok else lat >= c
        w = w.translate(_CYR_TO_LAT if to_lat else _LAT_TO_CYR)
    if not w.isascii() and not _CYR.search(w):
        w = "".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch))
    return w


def fix_word(w: str) -> str:
    """Steps 2 and 4 for one folded word (a no-op for plain ASCII words)."""
    return w if w.isascii() else _fix_word(w)


def raw_words(text: str) -> list[str]:
    """Steps 1 and 3 only: the index builder applies :func:`fix_word` once per distinct word."""
    return _WORD.findall(fold(text))


def words(text: str) -> list[str]:
    """Folded words of ``text`` (steps 1–4), in order, unstemmed."""
    return [fix_word(w) for w in _WORD.findall(fold(text))]


def lookalike_variants(ws: list[str]) -> list[list[str]]:
    """Query-side half of step 2: spellings of a word list in which each one- or two-letter run
    of look-alike letters is read in the other script too (``o sqrt n`` -> also ``о sqrt n``),
    so ``O(sqrt(N))`` typed in either script finds the other. At most 4 variants."""
    out = [list(ws)]
    for i, w in enumerate(ws):
        if len(w) > 2:
            continue
        if set(w) <= _LAT_LOOK:
            alt = w.translate(_LAT_TO_CYR)
        elif set(w) <= _CYR_LOOK:
            alt = w.translate(_CYR_TO_LAT)
        else:
            continue
        out += [v[:i] + [alt] + v[i + 1:] for v in out]
        if len(out) >= 4:
            break
    return out[:4]


_stemmers: dict[str, _Stemmer] = {}


def _stemmer(lang: str) -> _Stemmer:
    st = _stemmers.get(lang)
    if st is None:
        try:
            import Stemmer  # PyStemmer: C implementation of Snowball

            pystemmer = Stemmer.Stemmer(lang)
            pystemmer.maxCacheSize = 200_000
            st = pystemmer
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



def arxiv_token(arxiv_id: str) -> str:
    """Exact index term for an arXiv id: ``1803.03635`` -> ``ax1803x03635``."""
    return "ax" + re.sub(r"[^0-9a-z]+", "x", arxiv_id.casefold())


def tag_token(tag: str) -> str:
    """Exact index term for a hashtag: ``#GAN`` -> ``tggan``."""
    return "tg" + "".join(words(tag.lstrip("#")))
