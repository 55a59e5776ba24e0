"""What every learned part of the engine has in common (the scikit-learn contract): `__init__` only
stores parameters, `fit` learns and returns self without writing files, learned state ends in `_`, and
`save`/`load` write and read a folder of params JSON plus `.npy` arrays (never pickle). Loading
restores what was learned; it never learns."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator


class Component(BaseEstimator):
    """Base of the learned parts: subclasses list their learned JSON state in `_json_state` and their
    arrays in `_array_state` (attribute names ending in `_`)."""

    _json_state: tuple[str, ...] = ()
    _array_state: tuple[str, ...] = ()

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = {a: getattr(self, a) for a in self._json_state}
        (path / "config.json").write_text(json.dumps({"params": self.get_params(), "state": state},
                                                     ensure_ascii=False), encoding="utf-8")
        for a in self._array_state:
            np.save(path / f"{a.rstrip('_')}.npy", np.asarray(getattr(self, a)), allow_pickle=False)

    @classmethod
    def load(cls, path: Path):
        path = Path(path)
        meta = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self = cls(**meta["params"])
        for a in cls._json_state:
            setattr(self, a, meta["state"][a])
        for a in cls._array_state:
            setattr(self, a, np.load(path / f"{a.rstrip('_')}.npy", allow_pickle=False))
        self._check_loaded(path)
        return self

    def _check_loaded(self, path: Path) -> None:
        """Raise ValueError when what was read cannot be this component's state."""


MAX_TABLES = 2000  # beyond this many approved tables, an even sample of them teaches a learned component


def even_sample(items: list, at_most: int = MAX_TABLES) -> list:
    """Every n-th item, so that at most about `at_most` remain (all of them when there are fewer)."""
    return items[:: max(1, -(-len(items) // at_most))]
