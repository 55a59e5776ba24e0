"""What every evaluation and benchmark script does last: write its JSON under the repository."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_json(out: str, data: dict) -> Path:
    path = Path(out) if Path(out).is_absolute() else ROOT / out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n已写入 {path}")
    return path
