"""Property tests of the HTTP service: whatever JSON body or uploaded bytes arrive, the answer is a
well-formed 2xx or a 4xx with a Chinese {"error"} — never a 5xx."""
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.service.app import create_app
from serverkit import defective_table, good_table, long_csv, shared_service

CJK = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])

scalars = (st.none() | st.booleans() | st.integers(min_value=-10**20, max_value=10**20)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
# field values a drafter might plausibly (or wrongly) send, to get past validation into the engine
cells = (st.sampled_from(["", "≥500人次", "≥95%", "有效提升", "100%", "2026年12月底前", "1600人、200人", "≤30万元",
                          "=12个月", "0.98", "≥1e309", "120%", "-5", "按要求"])
         | st.text(max_size=20) | st.integers(-10**6, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
         | st.none() | st.booleans())
levels = st.sampled_from(["产出指标", "数量指标", "质量指标", "效益指标", "社会效益指标", "成本指标", "经济成本指标",
                          "满意度指标", "服务对象满意度指标", "可持续影响指标", "", "其他"]) | st.text(max_size=8)
projects = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=30) | st.sampled_from(["教师培训项目", "污水管网新建工程"]) | scalars},
    optional={"amount": cells, "category": st.sampled_from(["培训类", "工程基建类", "", "不存在的类"]) | scalars,
              "sector": st.sampled_from(["教育", "卫生健康", "生态环境"]) | scalars,
              "description": st.text(max_size=60) | scalars, "goal": st.text(max_size=60) | scalars,
              "year": scalars, "project_id": scalars, "extra": json_values})
indicators = st.fixed_dictionaries(
    {"indicator": st.text(max_size=20) | st.sampled_from(["培训人次", "满意度", "项目总成本", "群众知晓率"]) | scalars},
    optional={"level1": levels, "level2": levels, "value": cells, "unit": st.sampled_from(["人次", "%", "万元", ""]) | scalars,
              "nature": st.sampled_from(["定量", "定性", "≥"]) | scalars, "note": scalars, "name": scalars})
tables = st.fixed_dictionaries({"project": projects}, optional={"indicators": st.lists(indicators, max_size=8)})
# well-typed but arbitrary content: these get past validation and exercise the engine itself
texts = st.text(max_size=40)
typed_projects = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=30).filter(str.strip) | st.sampled_from(["教师培训项目", "污水管网新建工程"])},
    optional={"amount": st.floats(0, 1e9) | st.integers(0, 10**9), "category": texts, "sector": texts,
              "description": texts, "goal": texts, "department": texts})
typed_rows = st.fixed_dictionaries({"indicator": texts | st.sampled_from(["培训人次", "满意度", "项目总成本"])},
                                   optional={"level1": levels, "level2": levels, "value": cells, "unit": texts,
                                             "nature": texts, "note": texts})
typed_tables = st.fixed_dictionaries({"project": typed_projects, "indicators": st.lists(typed_rows, max_size=10)})
bodies = st.one_of(json_values, projects, tables, st.lists(tables, max_size=3),
                   typed_projects, typed_tables, st.lists(typed_tables, min_size=1, max_size=3))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(shared_service(tmp_path_factory), max_upload_mb=1), raise_server_exceptions=False)


def check(resp):
    assert resp.status_code < 500, resp.text[:500]
    if resp.status_code >= 400:
        body = resp.json()
        assert set(body) == {"error"} and CJK.search(body["error"])
    return resp


def post_json(client, path, body):
    # NaN and Infinity are sent as Python writes them: clients do send such bodies
    return check(client.post(path, content=json.dumps(body, allow_nan=True).encode(),
                             headers={"content-type": "application/json"}))


@FUZZ
@given(body=bodies, k=st.integers(-2, 25))
def test_suggest_never_5xx(client, body, k):
    r = post_json(client, f"/v1/suggest?k={k}", body)
    if r.status_code == 200:
        assert len(r.json()["slots"]) == 10
        assert 1 <= k <= 20 and isinstance(body, dict)


@FUZZ
@given(body=bodies)
def test_score_never_5xx(client, body):
    r = post_json(client, "/v1/score", body)
    if r.status_code == 200:
        out = r.json()
        assert len(out) == (len(body) if isinstance(body, list) else 1)
        for res in out:
            assert 0 <= res["total"] <= 100 and res["grade"] in "优良中差"


@FUZZ
@given(old=bodies, new=bodies)
def test_diff_never_5xx(client, old, new):
    r = post_json(client, "/v1/diff", {"old": old, "new": new})
    if r.status_code == 200:
        assert isinstance(old, dict) and isinstance(new, dict)


@FUZZ
@given(body=bodies, fmt=st.sampled_from(["xlsx", "json", "csv"]))
def test_export_never_5xx(client, body, fmt):
    r = post_json(client, f"/v1/export?format={fmt}", body)
    if r.status_code == 200:
        assert fmt in ("xlsx", "json")
        if fmt == "xlsx":
            from openpyxl import load_workbook

            load_workbook(io.BytesIO(r.content))
        else:
            assert "project" in r.json()


def _valid_files():
    csv_bytes = long_csv([defective_table(), good_table()]).encode("utf-8")
    return {"csv": csv_bytes, "gbk": long_csv([defective_table()]).encode("gbk"),
            "json": json.dumps([good_table()], ensure_ascii=False).encode()}


VALID = _valid_files()


def _mutate(data: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    for pos, junk in cuts:
        pos %= max(len(data), 1)
        data = data[:pos] + junk + data[pos + len(junk):]
    return data


uploads = st.one_of(
    st.binary(max_size=3000),
    st.builds(_mutate, st.sampled_from(list(VALID.values())),
              st.lists(st.tuples(st.integers(0, 5000), st.binary(min_size=1, max_size=12)), min_size=1, max_size=4)),
    st.builds(lambda t: t.encode("utf-8"), st.text(max_size=400)),
    st.builds(lambda rows: long_csv([{"project": {"name": "模糊测试项目"}, "indicators": rows}]).encode(),
              st.lists(st.fixed_dictionaries({"level1": levels, "level2": levels,
                                               "indicator": st.text(max_size=10),
                                               "value": st.text(max_size=10)}), max_size=6)),
)


@FUZZ
@given(data=uploads, name=st.sampled_from(["a.csv", "a.xlsx", "a.json", "a.xlsm", "a.txt", "a", "表.CSV"]),
       fmt=st.sampled_from(["json", "xlsx", "html"]))
def test_score_file_never_5xx(client, data, name, fmt):
    r = check(client.post(f"/v1/score/file?format={fmt}", files={"file": (name, data)}))
    if r.status_code == 200 and fmt == "json":
        assert isinstance(r.json(), list) and r.json()


@pytest.fixture(scope="module")
def xlsx_bytes(client):
    return client.post("/v1/export?format=xlsx", json=defective_table()).content


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=16)), min_size=1, max_size=3))
def test_damaged_xlsx_never_5xx(client, xlsx_bytes, cuts):
    check(client.post("/v1/score/file", files={"file": ("坏.xlsx", _mutate(xlsx_bytes, cuts))}))


media_types = st.sampled_from(["application/json", "text/plain", "application/octet-stream", "text/csv",
                               "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz",
                               "application/problem+json", "image/png", "", "text/html; charset=utf-8"]) \
    | st.text(max_size=20).filter(lambda t: t.isascii() and "\n" not in t and "\r" not in t)


@FUZZ
@given(path=st.sampled_from(["/v1/score", "/v1/suggest", "/v1/export", "/v1/diff", "/v1/score/file", "/v1/report"]),
       ctype=media_types, raw=st.binary(max_size=200) | st.builds(lambda b: json.dumps(b).encode(), bodies))
def test_any_content_type_never_5xx(client, path, ctype, raw):
    headers = {"content-type": ctype} if ctype else {}
    r = check(client.post(path, content=raw, headers=headers))
    media = ctype.split(";")[0].strip().lower()
    if path != "/v1/score/file" and media and media != "application/json" and not media.endswith("+json"):
        assert r.status_code == 415
    if path == "/v1/score/file" and media not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        assert r.status_code == 415


@FUZZ
@given(files=st.lists(st.tuples(st.sampled_from(["a.csv", "b.json", "c.xlsx", "d.txt", "e"]), uploads),
                      min_size=1, max_size=4),
       fmt=st.sampled_from(["json", "xlsx", "html"]), errors=st.sampled_from(["header", "body"]))
def test_mixed_uploads_never_5xx(client, files, fmt, errors):
    r = check(client.post(f"/v1/score/file?format={fmt}&errors={errors}",
                          files=[("file", (name, data)) for name, data in files]))
    if r.status_code == 200:
        bad = int(r.headers["X-File-Errors"])
        assert 0 <= bad < len(files)
        if fmt == "json" and errors == "body":
            body = r.json()
            assert body["results"] and len(body["file_errors"]) == bad
            assert all(CJK.search(e["error"]) for e in body["file_errors"])
        elif fmt == "json":
            assert isinstance(r.json(), list) and r.json()


@pytest.fixture(scope="module")
def results(client):
    return client.post("/v1/score", json=[defective_table(), good_table()]).json()


findings_like = st.fixed_dictionaries({"code": st.sampled_from(["VALUE_VAGUE", "VALUE_MISSING", "NOPE"]) | scalars,
                                       "severity": st.sampled_from(["error", "warning", "info", "fatal"]) | scalars},
                                      optional={"row": scalars, "indicator": scalars, "message": scalars,
                                                "candidates": st.lists(json_values, max_size=3)})


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(["xlsx", "html", "pdf"]))
def test_report_never_5xx(client, results, data, fmt):
    base = json.loads(json.dumps(results))
    for r in base:
        for key in data.draw(st.lists(st.sampled_from(sorted(r)), max_size=3)):
            r[key] = data.draw(json_values)
        if data.draw(st.booleans()):
            r["findings"] = data.draw(st.lists(findings_like, max_size=3))
    body = data.draw(st.sampled_from(["results", "report", "junk"]))
    payload = {"results": base} if body == "results" else \
        {"results": base, "file_errors": data.draw(st.lists(json_values, max_size=2))} if body == "report" else \
        data.draw(json_values)
    r = post_json(client, f"/v1/report?format={fmt}", payload)
    if r.status_code == 200:
        assert fmt in ("xlsx", "html")
