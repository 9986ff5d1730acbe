"""Text as people meant to type it: full-width forms folded to ASCII, bidi controls removed.

A name written with full-width digits (``ＲＵＣ２０１２３``, from an East Asian input method) looks
like another name and sorts and searches apart from it; a bidi override (U+202E) makes a file
name read backwards (``factura‮fdp.exe``). Not full NFKC: that would also turn Spanish ``Nº``
into ``No`` and ``m²`` into ``m2``.
"""

from __future__ import annotations

import re

# Bidi embeddings, overrides and isolates, and the invisible direction marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_TABLE = str.maketrans({**_FULL_WIDTH, **dict.fromkeys(map(ord, BIDI_CONTROLS))})
_NEEDS = re.compile("[" + BIDI_CONTROLS + "\u3000\uff01-\uff5e]")


def clean_text(value: str) -> str:
    """``value`` with full-width ASCII forms folded and bidi controls removed."""
    return value.translate(_TABLE) if _NEEDS.search(value) else value


def needs_cleaning(value: str) -> bool:
    return _NEEDS.search(value) is not None
