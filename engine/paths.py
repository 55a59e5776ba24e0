"""Where the engine reads its inputs and keeps its versions: one value, created by the CLI, the server
or a script and passed down (nothing else decides where files are read or written)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    """`data`: the library, the example approved tables and the domain files (read only); `models`:
    the engine versions and the pointer to the one in use (written by build, train and models use)."""

    data: Path
    models: Path

    @classmethod
    def default(cls, data: str | os.PathLike | None = None, models: str | os.PathLike | None = None) -> "Paths":
        """The given folders, else $JIXIAO_DATA / $JIXIAO_MODELS, else data/ and models/ of the checkout."""
        return cls(Path(data or os.environ.get("JIXIAO_DATA") or REPO / "data"),
                   Path(models or os.environ.get("JIXIAO_MODELS") or REPO / "models"))

    @property
    def library(self) -> Path:
        return self.data / "library"

    @property
    def examples(self) -> Path:
        return self.data / "examples"
