"""Text normalisation and the character-bigram Dice similarity used across the engine."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def nfkc(text: str) -> str:
    """Full width to half width, compatibility forms folded; keeps ≥ ≤ and Chinese punctuation meaning."""
    return unicodedata.normalize("NFKC", text or "")


def tidy(text, fold: bool = False) -> str:
    """A cell as displayable text, as entered: whitespace collapsed, stripped (with `fold`, NFKC too).
    What users see — names, goals, notes — keeps their own punctuation (（二期）, “，”); matching folds
    the text itself (norm_key, tokenize, the framework)."""
    if type(text) is str:
        return _tidy(text, fold)
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return _tidy(str(text), fold)


@lru_cache(maxsize=1 << 18)  # bulk tables repeat the same cells thousands of times
def _tidy(s: str, fold: bool) -> str:
    if fold:
        s = unicodedata.normalize("NFKC", s)
    s = _CJK_GAP.sub("", s)  # line breaks inside Chinese words in Excel cells
    return _SPACE.sub(" ", s).strip()


def clean(text) -> str:
    """A cell as text for comparing and parsing: NFKC, whitespace collapsed, stripped."""
    return _tidy(text, True) if type(text) is str else tidy(text, fold=True)


@lru_cache(maxsize=1 << 18)
def _norm_key(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def norm_key(text: str) -> str:
    """The comparison key of a name: NFKC, lower case, no spaces or punctuation."""
    return _norm_key(text or "")


_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年度?")
_YEAR_CODE = re.compile(r"(?<!\d)20\d{2}(?!\d)")


def project_key(name: str) -> str:
    """A project name for matching tables of different versions or years ("2024年…项目" = "2023年…项目")."""
    return norm_key(_YEAR.sub("", name or ""))


def code_key(code: str) -> str:
    """A project code without the year it often carries ("WA03-2024" = "WA03-2025")."""
    return norm_key(_YEAR_CODE.sub("", code or ""))


def year_of(name: str) -> int | None:
    """The budget year a project name states ("2024年…" → 2024), if any."""
    m = _YEAR.search(name or "")
    return int(m.group(1)) if m else None


@lru_cache(maxsize=1 << 17)
def bigrams(text: str) -> frozenset[str]:
    key = norm_key(text)
    if len(key) < 2:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i:i + 2] for i in range(len(key) - 1))


def dice_sets(A: frozenset, B: frozenset) -> float:
    if not A or not B:
        return 0.0
    return 2.0 * len(A & B) / (len(A) + len(B))


class BigramMatrix:
    """Many names' bigram sets as postings (bigram → names), for the Dice of all of them with a few other
    names at once (dice_sets in a loop, for every library entry of a slot and every indicator of
    thousands of approved tables, was half of fitting the ranking weights; it is also on the path of
    every suggestion, for naming composed indicators)."""

    def __init__(self, grams: list[frozenset]):
        posting: dict[str, list[int]] = {}
        for i, g in enumerate(grams):
            for b in g:
                posting.setdefault(b, []).append(i)
        self.posting = {b: np.array(ix, dtype=np.int64) for b, ix in posting.items()}
        self.sizes = np.array([len(g) for g in grams], dtype=np.float64)

    def dice(self, others: list[frozenset]) -> np.ndarray:
        """(len(names) × len(others)) Dice coefficients, equal to dice_sets for every pair."""
        out = np.zeros((len(self.sizes), len(others)), dtype=np.float64)
        for j, g in enumerate(others):
            if not g:
                continue
            col = out[:, j]
            for b in g:
                ix = self.posting.get(b)
                if ix is not None:
                    col[ix] += 1.0  # a name's bigrams are a set: each posting holds a name once
            out[:, j] = 2.0 * col / (self.sizes + len(g))
        return out.astype(np.float32)
