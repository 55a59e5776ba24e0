"""Text normalisation and the character-bigram Dice similarity used across the engine."""
from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def nfkc(text: str) -> str:
    """Full width to half width, compatibility forms folded; keeps ≥ ≤ and Chinese punctuation meaning."""
    return unicodedata.normalize("NFKC", text or "")


def clean(text) -> str:
    """A cell as displayable text: NFKC, whitespace collapsed, stripped."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = _CJK_GAP.sub("", nfkc(str(text)))  # line breaks inside Chinese words in Excel cells
    return _SPACE.sub(" ", s).strip()


def norm_key(text: str) -> str:
    """The comparison key of a name: NFKC, lower case, no spaces or punctuation."""
    return _PUNCT.sub("", nfkc(text).lower())


def bigrams(text: str) -> frozenset[str]:
    key = norm_key(text)
    if len(key) < 2:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i:i + 2] for i in range(len(key) - 1))


def dice(a: str, b: str) -> float:
    """Character-bigram Dice coefficient of two names after normalisation (set based)."""
    A, B = bigrams(a), bigrams(b)
    if not A or not B:
        return 0.0
    return 2.0 * len(A & B) / (len(A) + len(B))


def dice_sets(A: frozenset, B: frozenset) -> float:
    if not A or not B:
        return 0.0
    return 2.0 * len(A & B) / (len(A) + len(B))
