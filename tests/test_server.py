"""The HTTP service (contract §5) through its ASGI app: every endpoint, with good and bad input.
Every error must be a 4xx with a Chinese {"error"} — never a 500 for the client's mistakes."""
import io
import json
import os
import re
import socket
import sys

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from engine.service.api import Service
from engine.cli import main
from engine.domain.framework import framework
from engine.domain.kinds import kinds
from engine.service.app import create_app
from serverkit import TRAINING, defective_table, good_table, long_csv, shared_service

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    return shared_service(tmp_path_factory)


@pytest.fixture(scope="module")
def client(service):
    return TestClient(create_app(service))


@pytest.fixture(scope="module")
def tiny(service):
    """An app whose upload limit is 2 KB."""
    return TestClient(create_app(service, max_upload_mb=0.002))


def error_of(resp, status) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert CJK.search(body["error"]), body
    return body["error"]


def workbook_text(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
                     if c is not None)


# ------------------------------------------------------------------ health, meta, pages
def test_healthz_names_the_loaded_engine(client, service):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "model": service.engine.version}


def test_meta_lists_framework_kinds_and_sectors(client):
    m = client.get("/v1/meta").json()
    assert [(s["level1"], s["level2"]) for s in m["slots"]] == [(s.level1, s.level2) for s in framework().slots]
    assert {s["level2"] for s in m["slots"] if s["required"]} == set(framework().required_level2)
    assert m["kinds"] == [k.name for k in kinds()] and len(m["kinds"]) == 15
    assert "教育" in m["sectors"]


def test_pages_and_their_assets_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for needle in ("获取推荐", 'id="f-name"', 'id="score-panel"', "导出XLSX", "导出JSON", "/static/draft.js"):
        assert needle in page.text
    review = client.get("/review")
    assert review.status_code == 200 and "下载XLSX报告" in review.text and 'id="th-total"' in review.text
    for asset in ("app.css", "common.js", "draft.js", "review.js"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn." not in docs.text
    js = re.search(r'src="([^"]+swagger-ui-bundle\.js)"', docs.text).group(1)
    assert client.get(js).status_code == 200
    spec = client.get("/openapi.json").json()
    for path in ("/v1/suggest", "/v1/score", "/v1/score/file", "/v1/indicators", "/v1/export", "/healthz"):
        assert path in spec["paths"]


def test_unknown_path_and_wrong_method_answer_chinese_errors(client):
    assert "/v1/nothing" in error_of(client.get("/v1/nothing"), 404)
    error_of(client.delete("/healthz"), 405)
    error_of(client.get("/v1/suggest"), 405)


# ------------------------------------------------------------------ suggest
def test_suggest_returns_all_slots_in_framework_order(client, service):
    r = client.post("/v1/suggest", json=TRAINING)
    assert r.status_code == 200
    s = r.json()
    assert [(x["level1"], x["level2"]) for x in s["slots"]] == [(x.level1, x.level2) for x in framework().slots]
    assert s["project"]["category"] == "培训类" and s["project"]["sector"] == "教育"
    qty = next(x for x in s["slots"] if x["level2"] == "数量指标")
    assert qty["required"] and qty["candidates"]
    assert all({"indicator_id", "indicator", "suggested_value", "why", "score"} <= set(c) for c in qty["candidates"])
    assert s == service.suggest(TRAINING, k=5)  # the HTTP layer adds nothing of its own


def test_suggest_k_limits_candidates(client):
    s = client.post("/v1/suggest?k=2", json={"name": "社区卫生服务中心医疗设备购置"}).json()
    assert max(len(x["candidates"]) for x in s["slots"]) == 2


@pytest.mark.parametrize("body, words", [
    ({"amount": 120}, ["name", "缺少"]),
    ({"name": 123}, ["name", "文本"]),
    ({"name": "   "}, ["项目名称不能为空"]),
    ({"name": "培训", "amount": "很多"}, ["amount", "数字"]),
    ({"name": "培训", "amount": -5}, ["amount"]),
    ({"name": "培训", "description": ["一", "二"]}, ["description"]),
    ([{"name": "培训"}], ["对象"]),
    ("培训", ["对象"]),
])
def test_suggest_rejects_malformed_projects(client, body, words):
    msg = error_of(client.post("/v1/suggest", json=body), 422)
    assert msg.startswith("请求格式错误：")
    for w in words:
        assert w in msg


@pytest.mark.parametrize("k", ["0", "21", "x"])
def test_suggest_rejects_bad_k(client, k):
    assert "k" in error_of(client.post(f"/v1/suggest?k={k}", json=TRAINING), 422)


@pytest.mark.parametrize("raw", [b"{not json", b"", b"NaN", b'{"name": "a", "amount": Infinity}', b"\xff\xfe\x00"])
def test_suggest_rejects_non_json_bodies(client, raw):
    error_of(client.post("/v1/suggest", content=raw, headers={"content-type": "application/json"}), 422)


def test_lone_surrogates_do_not_break_the_response(client):
    # "\ud800" is valid JSON but cannot be written back as UTF-8: refused or repaired, never a 500
    raw = b'{"name": "\\ud800\xe5\x9f\xb9\xe8\xae\xad"}'
    r = client.post("/v1/suggest", content=raw, headers={"content-type": "application/json"})
    assert "name" in error_of(r, 422)
    raw = b'{"project": {"name": "a"}, "indicators": [{"indicator": "\\udfff", "value": "\\ud83d\\ude00"}]}'
    r = client.post("/v1/score", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()[0]["indicator_count"] == 1


# ------------------------------------------------------------------ score
def test_score_one_table_finds_the_vague_row(client, service):
    t = defective_table()
    r = client.post("/v1/score", json=t)
    assert r.status_code == 200
    [res] = r.json()
    assert res["name"] == t["project"]["name"] and res["indicator_count"] == 4
    vague = [f for f in res["findings"] if f["code"] == "VALUE_VAGUE"]
    assert [f["row"] for f in vague] == [2] and vague[0]["indicator"] == "讲座内容合格率"
    assert res == service.score_json(t)[0]


def test_score_a_list_keeps_order_and_ranks_the_good_table_higher(client):
    r = client.post("/v1/score", json=[defective_table("甲项目"), good_table("乙项目")])
    assert r.status_code == 200
    a, b = r.json()
    assert (a["name"], b["name"]) == ("甲项目", "乙项目")
    assert b["total"] > a["total"]
    assert {"completeness", "quantification", "matching", "appropriateness"} == set(a["dimensions"])


def test_numeric_and_boolean_values_are_accepted_as_cells(client):
    t = good_table()
    t["indicators"][1]["value"] = 3000
    t["indicators"][2]["value"] = True
    r = client.post("/v1/score", json=t)
    assert r.status_code == 200 and r.json()[0]["indicator_count"] == 6


@pytest.mark.parametrize("body, words", [
    ([], ["没有任何绩效目标表"]),
    ({"indicators": []}, ["project", "缺少"]),
    ({"project": {"name": 5}}, ["project.name", "文本"]),
    ([{"project": {"name": "甲"}}, {"project": {}}], ["[2].project.name", "缺少"]),
    ({"project": {"name": "甲"}, "indicators": {"level1": "产出指标"}}, ["indicators", "列表"]),
    ({"project": {"name": "甲"}, "indicators": ["培训人次"]}, ["indicators[1]", "对象"]),
    ({"project": {"name": "甲"}, "indicators": [{"indicator": "培训人次", "value": {"x": 1}}]}, ["value"]),
    ("一张表", ["对象", "列表"]),
    (42, ["对象", "列表"]),
])
def test_score_rejects_malformed_tables(client, body, words):
    msg = error_of(client.post("/v1/score", json=body), 422)
    for w in words:
        assert w in msg, msg


def test_score_rejects_non_json(client):
    assert "JSON" in error_of(client.post("/v1/score", content=b"project=1",
                                          headers={"content-type": "application/json"}), 422)


def test_json_body_beyond_the_limit_is_413(tiny):
    big = good_table()
    big["project"]["description"] = "培训" * 200_000
    error_of(tiny.post("/v1/score", json=big), 413)
    raw = json.dumps(big).encode()
    chunked = (raw[i:i + 65536] for i in range(0, len(raw), 65536))  # no Content-Length: counted as it arrives
    error_of(tiny.post("/v1/score", content=chunked, headers={"content-type": "application/json"}), 413)


# ------------------------------------------------------------------ score/file
def test_upload_utf8_csv(client):
    data = long_csv([defective_table("甲项目"), good_table("乙项目")]).encode("utf-8-sig")
    r = client.post("/v1/score/file", files={"file": ("申报表.csv", data, "text/csv")})
    assert r.status_code == 200
    res = {x["name"]: x for x in r.json()}
    assert set(res) == {"甲项目", "乙项目"}
    assert any(f["code"] == "VALUE_VAGUE" and f["row"] == 2 for f in res["甲项目"]["findings"])


def test_upload_gbk_csv(client):
    data = long_csv([defective_table("社区健康讲座项目")]).encode("gbk")
    r = client.post("/v1/score/file", files={"file": ("gbk.csv", data, "text/csv")})
    assert r.status_code == 200
    [res] = r.json()
    assert res["name"] == "社区健康讲座项目"
    assert any(f["indicator"] == "讲座内容合格率" for f in res["findings"])


def test_upload_json_and_standard_xlsx(client):
    j = client.post("/v1/score/file", files={"file": ("t.json", json.dumps([good_table()]).encode(), "application/json")})
    assert j.status_code == 200 and j.json()[0]["total"] == 100.0
    xlsx = client.post("/v1/export?format=xlsx", json=defective_table()).content
    x = client.post("/v1/score/file", files={"file": ("表.xlsx", xlsx)})
    assert x.status_code == 200
    [res] = x.json()
    assert res["name"] == "社区健康讲座项目" and res["indicator_count"] == 4
    assert any(f["code"] == "VALUE_VAGUE" for f in res["findings"])


def test_upload_several_files_at_once(client):
    files = [("file", ("a.csv", long_csv([defective_table("甲项目")]).encode(), "text/csv")),
             ("file", ("b.json", json.dumps(good_table("乙项目")).encode(), "application/json"))]
    r = client.post("/v1/score/file", files=files)
    assert r.status_code == 200 and [x["name"] for x in r.json()] == ["甲项目", "乙项目"]


def test_upload_xlsx_report_is_a_workbook(client):
    data = long_csv([defective_table("甲项目"), good_table("乙项目")]).encode()
    r = client.post("/v1/score/file?format=xlsx", files={"file": ("a.csv", data, "text/csv")})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["汇总", "问题清单"]
    names = [row[2] for row in wb["汇总"].iter_rows(min_row=2, values_only=True)]
    assert names == ["甲项目", "乙项目"]
    codes = {row[6] for row in wb["问题清单"].iter_rows(min_row=2, values_only=True)}
    assert "VALUE_VAGUE" in codes


def test_upload_html_report(client):
    data = long_csv([defective_table("甲项目")]).encode()
    r = client.post("/v1/score/file?format=html", files={"file": ("a.csv", data, "text/csv")})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "甲项目" in r.text and "VALUE_VAGUE" in r.text


def test_upload_unknown_format_parameter(client):
    data = long_csv([good_table()]).encode()
    assert "format" in error_of(client.post("/v1/score/file?format=pdf", files={"file": ("a.csv", data)}), 422)


@pytest.mark.parametrize("name", ["表.txt", "表.xls", "表", "表.docx"])
def test_upload_wrong_type_is_415(client, name):
    msg = error_of(client.post("/v1/score/file", files={"file": (name, b"whatever")}), 415)
    assert "CSV" in msg or ".xlsx" in msg


def test_upload_oversize_is_413(tiny):
    data = long_csv([good_table()] * 10).encode()
    assert len(data) > 2000
    assert "过大" in error_of(tiny.post("/v1/score/file", files={"file": ("big.csv", data)}), 413)
    # and one far beyond the limit is refused before being read
    error_of(tiny.post("/v1/score/file", files={"file": ("huge.csv", b"x" * 3_000_000)}), 413)


@pytest.mark.parametrize("data", [b"PK\x03\x04 this is no zip", b"\x00" * 100, "不是表格".encode()])
def test_upload_corrupt_xlsx(client, data):
    r = client.post("/v1/score/file", files={"file": ("坏.xlsx", data)})
    assert r.status_code in (400, 422)
    assert "坏.xlsx" in error_of(r, r.status_code)


def test_upload_xlsx_without_a_goal_table(client):
    wb = Workbook()
    wb.active.append(["姓名", "年龄"])
    wb.active.append(["张三", 30])
    buf = io.BytesIO()
    wb.save(buf)
    msg = error_of(client.post("/v1/score/file", files={"file": ("名单.xlsx", buf.getvalue())}), 422)
    assert "表头" in msg


@pytest.mark.parametrize("data, words", [
    ("项目名称,指标值\n甲,≥5\n".encode(), ["缺少必需的列", "一级指标"]),
    (b"", ["为空"]),
    ('{"project": {"name": ""}}'.encode(), ["项目名称"]),
    (b"{broken json", ["JSON"]),
])
def test_upload_unreadable_content_is_422(client, data, words):
    name = "t.json" if data.startswith(b"{") else "t.csv"
    msg = error_of(client.post("/v1/score/file", files={"file": (name, data)}), 422)
    for w in words:
        assert w in msg


def test_upload_without_a_file(client):
    assert "file" in error_of(client.post("/v1/score/file", data={"x": "1"}), 422)
    error_of(client.post("/v1/score/file", content=b"garbage",
                         headers={"content-type": "multipart/form-data; boundary=zz"}), 400)
    error_of(client.post("/v1/score/file", json=good_table()), 415)  # a JSON body is no upload


# ------------------------------------------------------------------ indicators
def test_indicators_search_ranked_library_entries(client):
    r = client.get("/v1/indicators", params={"q": "培训 合格率", "k": 5})
    assert r.status_code == 200
    hits = r.json()
    assert 1 <= len(hits) <= 5
    assert all({"indicator_id", "indicator", "level1", "level2", "unit", "score"} <= set(h) for h in hits)
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert any("合格率" in h["indicator"] for h in hits)


def test_indicators_filters(client):
    q = client.get("/v1/indicators", params={"q": "满意度", "level2": "质量", "k": 20}).json()
    assert q and all(h["level2"] == "质量指标" for h in q)
    s = client.get("/v1/indicators", params={"q": "学生", "sector": "教育", "k": 20}).json()
    assert s and all(h["sector"] == "教育" for h in s)
    assert client.get("/v1/indicators", params={"q": "学生", "level2": "不存在的层级"}).json() == []


@pytest.mark.parametrize("params", [{}, {"q": "  "}, {"q": "培训", "k": 0}, {"q": "培训", "k": "many"}])
def test_indicators_bad_query(client, params):
    error_of(client.get("/v1/indicators", params=params), 422)


# ------------------------------------------------------------------ export
def test_export_xlsx_standard_layout_reads_back(client):
    t = good_table("导出测试项目")
    r = client.post("/v1/export?format=xlsx", json=t)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    text = workbook_text(r.content)
    assert "导出测试项目" in text
    for ind in t["indicators"]:
        assert ind["indicator"] in text and ind["value"] in text
    again = client.post("/v1/score/file", files={"file": ("back.xlsx", r.content)}).json()
    assert again[0]["name"] == "导出测试项目" and again[0]["indicator_count"] == len(t["indicators"])


def test_export_json_round_trips(client):
    t = defective_table()
    r = client.post("/v1/export?format=json", json=t)
    assert r.status_code == 200
    back = r.json()
    assert back["project"]["name"] == t["project"]["name"]
    assert [i["indicator"] for i in back["indicators"]] == [i["indicator"] for i in t["indicators"]]
    assert [i["value"] for i in back["indicators"]] == [i["value"] for i in t["indicators"]]
    assert client.post("/v1/score", json=back).json()[0]["indicator_count"] == 4


def test_export_rejects_bad_input(client):
    error_of(client.post("/v1/export", json={"project": {"department": "x"}}), 422)
    error_of(client.post("/v1/export", json=[good_table()]), 422)
    error_of(client.post("/v1/export?format=pdf", json=good_table()), 422)
    error_of(client.post("/v1/export", content=b"{", headers={"content-type": "application/json"}), 422)


# ------------------------------------------------------------------ internal errors
class _Broken(Service):
    def __init__(self, inner: Service):
        self.__dict__.update(inner.__dict__)

    def suggest(self, project, k=5):
        raise RuntimeError("boom")


def test_an_internal_fault_is_500_without_details(service):
    c = TestClient(create_app(_Broken(service)), raise_server_exceptions=False)
    r = c.post("/v1/suggest", json=TRAINING)
    assert r.status_code == 500 and r.json() == {"error": "内部错误"}
    assert c.get("/healthz").status_code == 200


# ------------------------------------------------------------------ command line
def test_serve_refuses_a_port_in_use_before_loading_the_engine(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--port", str(port), "--model", "/nonexistent/engine"]) == 2
    assert "已被占用" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--port", "70000"], ["--max-upload-mb", "0"]])
def test_serve_rejects_bad_options(args, capsys):
    assert main(["serve", *args]) == 2
    assert CJK.search(capsys.readouterr().err)


def test_worker_factory_loads_the_engine_the_parent_resolved(service, monkeypatch):
    from engine.service.app import app_from_env

    monkeypatch.setenv("JIXIAO_SERVE_MODEL", str(service.engine.path))
    monkeypatch.setenv("JIXIAO_SERVE_MAX_MB", "0.001")
    monkeypatch.delenv("JIXIAO_BLAS_THREADS", raising=False)
    interval = sys.getswitchinterval()
    try:
        c = TestClient(app_from_env())
        assert os.environ["JIXIAO_BLAS_THREADS"] == "1" and sys.getswitchinterval() == 0.001
    finally:
        sys.setswitchinterval(interval)
    assert c.get("/healthz").json() == {"status": "ok", "model": service.engine.version}
    assert c.post("/v1/score/file", files={"file": ("a.csv", long_csv([good_table()]).encode())}).status_code == 413


def test_control_characters_do_not_break_xlsx_output(client):
    t = defective_table("社区\x1b健康讲座项目")
    t["indicators"][0]["value"] = "≥12\x07场"
    r = client.post("/v1/export?format=xlsx", json=t)
    assert r.status_code == 200
    text = workbook_text(r.content)
    assert "社区健康讲座项目" in text and "≥12场" in text
    report = client.post("/v1/score/file?format=xlsx", files={"file": ("c.csv", long_csv([t]).encode())})
    assert report.status_code == 200
    assert "社区健康讲座项目" in workbook_text(report.content)


# ------------------------------------------------------------------ diff
def test_diff_lists_changes_and_rejects_bad_body(client):
    old = good_table()
    new = json.loads(json.dumps(old))
    first = new["indicators"][0]
    new["indicators"] = new["indicators"][1:] + [{"level1": "产出指标", "level2": "数量指标",
                                                  "indicator": "新增巡查次数", "value": "≥12次"}]
    r = client.post("/v1/diff", json={"old": old, "new": new})
    assert r.status_code == 200, r.text
    body = r.json()
    text = json.dumps(body, ensure_ascii=False)
    assert first["indicator"] in text and "新增巡查次数" in text
    error_of(client.post("/v1/diff", json={"old": old}), 422)
    error_of(client.post("/v1/diff", content=b"not json", headers={"content-type": "application/json"}), 422)
