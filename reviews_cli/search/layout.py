"""Keyboard layout slips: a word typed with the Russian ЙЦУКЕН layout active while meaning a
Latin (QWERTY) word, or the reverse: ``дщееукн`` is ``lottery``, ``j,pjh`` is ``обзор``.

:func:`swap` maps each character through the standard key table (the same physical key in the
other layout), both directions, lower and upper case, including the punctuation keys that carry
Russian letters (``[ ] ; ' , . `` and their shifted ``{ } : " < > ~``). The search tries the
swapped word when the typed one is not in the library (:mod:`reviews_cli.search.search`).
"""

from __future__ import annotations

import re

# One string per keyboard row, key for key: the Latin key and the Russian letter it carries.
_LAT_ROWS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_CYR_ROWS = "ёйцукенгшщзхъфывапролджэячсмитьбю"
# Shifted: the upper-case letters, and the shifted punctuation keys.
_LAT_SHIFT = '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
_CYR_SHIFT = "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"

_TO_CYR = str.maketrans(_LAT_ROWS + _LAT_SHIFT, _CYR_ROWS + _CYR_SHIFT)
_TO_LAT = str.maketrans(_CYR_ROWS + _CYR_SHIFT, _LAT_ROWS + _LAT_SHIFT)

_HAS_CYR = re.compile(r"[\u0400-\u04ff]")
_HAS_LAT = re.compile(r"[A-Za-z]")


def swap(text: str) -> str | None:
    """``text`` as typed on the other layout: Latin keys become the Russian letters they carry
    (``ltkj`` -> ``дело``, ``j,pjh`` -> ``обзор``) and Russian letters the Latin keys
    (``ДЩЕЕУКН`` -> ``LOTTERY``); case is kept, characters on neither layout (digits, ``-``)
    stay. ``None`` when ``text`` mixes both alphabets or has neither (nothing to swap)."""
    cyr, lat = bool(_HAS_CYR.search(text)), bool(_HAS_LAT.search(text))
    if cyr == lat:
        return None
    return text.translate(_TO_LAT if cyr else _TO_CYR)
