"""Locating and reading the domain files under data/ (the engine's only source of domain facts)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from engine.paths import Paths

DATA_DIR = Paths.default().data  # the domain files (framework, rules, dictionaries) are read from here


def data_path(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)


@lru_cache(maxsize=None)
def load_json(name: str) -> dict:
    with open(data_path(name), encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=None)
def load_lines(name: str) -> tuple[str, ...]:
    """Non-empty, non-comment lines of a lexicon file."""
    out = []
    with open(data_path("lexicon", name), encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                out.append(line)
    return tuple(out)
