"""Tokenising Chinese project and indicator text with jieba, a domain dictionary built from the
library, and stop words from data/lexicon."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from engine.domain.resources import load_lines
from engine.domain.text import nfkc

_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def normalize(text: str) -> str:
    """Full/half width folded, lower case, brackets unified, whitespace collapsed."""
    s = nfkc(text or "").lower()
    s = s.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    return re.sub(r"\s+", " ", s).strip()


class Tokenizer:
    """A private jieba tokenizer (the global one is left alone) with the domain words added."""

    def __init__(self, words: list[str] | None = None):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        self.words = sorted(set(words or []))
        for w in self.words:
            self._tk.add_word(w, freq=2000)
        self.stop = frozenset(load_lines("stopwords.txt"))

    def tokens(self, text: str) -> list[str]:
        s = normalize(text)
        if not s:
            return []
        out = []
        for tok in self._tk.cut_for_search(s):
            tok = tok.strip()
            if not tok or tok in self.stop or not _KEEP.search(tok):
                continue
            if len(tok) == 1 and not tok.isalnum():
                continue
            out.append(tok)
        return out

    def save_words(self, path: Path) -> None:
        path.write_text("\n".join(self.words) + "\n", encoding="utf-8")

    @classmethod
    def from_words_file(cls, path: Path) -> "Tokenizer":
        words = [w for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
        return cls(words)


_LEADING_PLACE = re.compile(r"^(?:20\d{2}\s*年度?)?((?:[\u4e00-\u9fff]{2,6}?(?:省|自治区|自治州|市|州|盟|县|区|旗|镇|乡|街道))+)")
_GENERIC_PLACE = re.compile(r"^(全|本|各|该|城|市|县|区|乡|镇)")


_PLACE_TOKEN = re.compile(r"^[\u4e00-\u9fff]{1,6}(?:省|自治区|自治州|市|州|盟|县|区|旗|镇|乡|街道)$")


def places(*texts: str, tokens: list[str] = ()) -> set[str]:
    """Place names in project facts — the place a name starts with ("龙海区…", "湖北省襄阳市…") and
    tokens that are one ("秦安县") — so that finding similar projects is not led by the county or the
    year they share."""
    out = set()
    for text in texts:
        m = _LEADING_PLACE.match(normalize(text)[:60])
        if m and not _GENERIC_PLACE.match(m.group(1)):
            out.add(m.group(1))
    out.update(t for t in tokens if len(t) >= 3 and _PLACE_TOKEN.match(t) and not _GENERIC_PLACE.match(t))
    return out


def topic_tokens(tokens: list[str], place_words: set[str]) -> list[str]:
    """Tokens without numbers and the pieces of place names."""
    return [t for t in tokens if not t.isdigit() and not any(t in p for p in place_words)]


def domain_words(names: list[str], keywords: list[str], units: list[str]) -> list[str]:
    """The domain dictionary: indicator names and keywords that are words (2–8 characters), units."""
    out = set()
    for w in list(keywords) + list(units):
        w = normalize(w)
        if 2 <= len(w) <= 8 and not re.search(r"\s", w):
            out.add(w)
    for n in names:
        n = normalize(re.sub(r"[\(（][^)）]*[\)）]", "", n))
        if 2 <= len(n) <= 6 and not re.search(r"[\s\d]", n):
            out.add(n)
    return sorted(out)
