"""The real-table development set (tests/data/real): real published tables transcribed into the bulk
long format. Every file reads, every table has a source row with a public URL, and no source is a page
held out for evaluation (nor on the same host as one) or a table already in data/eval/published."""
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from engine.io.readers import read_file

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(__file__).parent / "data" / "real"
SHARED = Path(os.environ.get("JIXIAO_SHARED", ROOT.parent / "shared"))
HELD_OUT = SHARED / "data" / "evaluation_pages.txt"
PUBLISHED = ROOT / "data" / "eval" / "published"
MIN_TABLES = 30  # what issue 19 asks of the set
URL = re.compile(r"https?://[^\s|)]+")


def _files() -> list[Path]:
    if not REAL.is_dir():
        pytest.skip(f"真实表开发集不存在：{REAL}")
    return sorted(p for p in REAL.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))


def _sources() -> dict[str, str]:
    """project_id → URL from the SOURCES.md table."""
    out = {}
    for line in (REAL / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) >= 5 and (m := URL.search(cells[4])):
            out[cells[0]] = m.group(0)
    return out


def _host(url: str) -> str:
    """The site of a URL; www.x and x are one site."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _tables():
    return [t for f in _files() for t in read_file(f).tables]


def test_every_file_reads():
    files = _files()
    assert files, "开发集目录里没有 CSV/XLSX 文件"
    for f in files:
        tables = read_file(f).tables  # a parse error raises InputError
        assert tables and all(t.indicators for t in tables), f


@pytest.mark.xfail(strict=True, reason="开发集目前不足 30 张表（见 tests/data/real/SOURCES.md）；补足后删去此标记")
def test_enough_tables():
    assert len(_tables()) >= MIN_TABLES


def test_every_table_has_a_source_url():
    sources = _sources()
    ids = {t.project.project_id for t in _tables()}
    missing = sorted(i for i in ids if i not in sources)
    assert not missing, f"SOURCES.md 缺少这些项目的来源网址：{missing}"


def test_no_source_is_held_out_or_already_published():
    hosts = {_host(u) for u in _sources().values()}
    assert all(hosts)
    if HELD_OUT.exists():
        held = {_host(u) for u in URL.findall(HELD_OUT.read_text(encoding="utf-8"))}
        assert not hosts & held, f"来源与留作评测的网页同站：{sorted(hosts & held)}"
    published = {_host(u) for f in PUBLISHED.glob("SOURCES_*.md") for u in URL.findall(f.read_text(encoding="utf-8"))}
    assert not hosts & published, f"来源与 data/eval/published 的表同站：{sorted(hosts & published)}"
