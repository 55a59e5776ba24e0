"""Uploads from many units at once: a bad file costs only itself (JSON, ?errors=body, XLSX, HTML);
results name the uploaded file; content types the README promises 415 for; messages in Chinese;
what /v1/export and the report endpoints write stays what was sent."""
import io
import json
import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from engine.service.app import create_app
from serverkit import defective_table, good_table, long_csv, shared_service

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b(or|choose|from|Error|BadZipFile|KeyError|ValueError)\b")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(shared_service(tmp_path_factory)), raise_server_exceptions=False)


def error_of(resp, status) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and CJK.search(body["error"]) and not ENGLISH.search(body["error"]), body
    return body["error"]


def mixed_files():
    return [("file", ("甲.csv", long_csv([defective_table("甲项目"), good_table("乙项目")]).encode(), "text/csv")),
            ("file", ("坏.json", b"{broken", "application/json")),
            ("file", ("丙.json", json.dumps(good_table("丙项目")).encode(), "application/json")),
            ("file", ("名单.txt", b"whatever", "text/plain"))]


def test_mixed_upload_keeps_good_tables_json(client):
    r = client.post("/v1/score/file", files=mixed_files())
    assert r.status_code == 200
    out = r.json()
    assert [x["name"] for x in out] == ["甲项目", "乙项目", "丙项目"]  # the list shape of the contract
    assert [x["source"] for x in out] == ["甲.csv", "甲.csv", "丙.json"]  # the uploaded name, no temp path
    assert r.headers["X-File-Errors"] == "2"
    detail = json.loads(unquote(r.headers["X-File-Errors-Detail"]))
    assert [(d["file"], d["status"]) for d in detail] == [("坏.json", 422), ("名单.txt", 415)]
    assert "JSON" in detail[0]["error"] and "坏.json" in detail[0]["error"]


def test_all_good_upload_says_no_errors(client):
    r = client.post("/v1/score/file", files=[mixed_files()[0]])
    assert r.status_code == 200 and r.headers["X-File-Errors"] == "0" and "X-File-Errors-Detail" not in r.headers


def test_mixed_upload_errors_in_body_on_request(client):
    r = client.post("/v1/score/file?errors=body", files=mixed_files())
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"results", "file_errors", "warnings"}
    assert [x["name"] for x in body["results"]] == ["甲项目", "乙项目", "丙项目"]
    assert [e["file"] for e in body["file_errors"]] == ["坏.json", "名单.txt"]
    assert all(CJK.search(e["error"]) for e in body["file_errors"])


def test_mixed_upload_xlsx_and_html_name_the_bad_files(client):
    r = client.post("/v1/score/file?format=xlsx", files=mixed_files())
    assert r.status_code == 200 and r.headers["X-File-Errors"] == "2"
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["汇总", "问题清单", "无法评审的文件"]
    assert [row[2] for row in wb["汇总"].iter_rows(min_row=2, values_only=True)] == ["甲项目", "乙项目", "丙项目"]
    assert [row[16] for row in wb["汇总"].iter_rows(min_row=2, values_only=True)] == ["甲.csv", "甲.csv", "丙.json"]
    bad = [row[1] for row in wb["无法评审的文件"].iter_rows(min_row=2, values_only=True)]
    assert bad == ["坏.json", "名单.txt"]
    page = client.post("/v1/score/file?format=html", files=mixed_files())
    assert page.status_code == 200 and "无法评审的文件" in page.text and "坏.json" in page.text


def test_all_bad_upload_is_4xx_naming_every_file(client):
    files = [f for f in mixed_files() if f[1][0] in ("坏.json", "名单.txt")]
    msg = error_of(client.post("/v1/score/file", files=files), 422)
    assert "坏.json" in msg and "名单.txt" in msg
    # one bad file alone keeps its own status
    error_of(client.post("/v1/score/file", files=[files[1]]), 415)


def test_docs_show_the_upload_shapes(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/score/file"]["post"]
    assert "ScoreFileReport" in json.dumps(op["responses"]["200"]) and "X-File-Errors" in op["responses"]["200"]["headers"]
    assert {p["name"] for p in op["parameters"]} >= {"format", "errors"}
    assert {"results", "file_errors", "warnings"} <= set(spec["components"]["schemas"]["ScoreFileReport"]["properties"])


@pytest.mark.parametrize("path", ["/v1/score", "/v1/suggest", "/v1/export", "/v1/diff"])
@pytest.mark.parametrize("ctype", ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded"])
def test_json_endpoints_refuse_other_content_types_with_415(client, path, ctype):
    body = json.dumps(good_table()).encode()
    msg = error_of(client.post(path, content=body, headers={"content-type": ctype}), 415)
    assert ctype in msg and "application/json" in msg


@pytest.mark.parametrize("ctype", ["text/plain", "application/octet-stream", "application/json"])
def test_upload_endpoint_refuses_raw_bodies_with_415(client, ctype):
    msg = error_of(client.post("/v1/score/file", content=b"a,b\n1,2\n", headers={"content-type": ctype}), 415)
    assert "multipart/form-data" in msg


def test_validation_messages_are_chinese(client):
    msg = error_of(client.post("/v1/score/file?format=pdf", files=[mixed_files()[0]]), 422)
    assert "json、xlsx、html" in msg
    long = {"name": "项目", "description": "字" * 20001}
    assert "20000 个字符" in error_of(client.post("/v1/suggest", json=long), 422)
    deep = ("[" * 100000 + "]" * 100000).encode()
    msg = error_of(client.post("/v1/score", content=deep, headers={"content-type": "application/json"}), 422)
    assert "嵌套" in msg and "UTF-8" not in msg
    assert "UTF-8" in error_of(client.post("/v1/score", content=b"\xff\xfe{",
                                           headers={"content-type": "application/json"}), 422)


def test_damaged_xlsx_message_has_no_exception_names(client):
    msg = error_of(client.post("/v1/score/file", files={"file": ("坏.xlsx", b"PK\x03\x04 no zip")}), 422)
    assert "坏.xlsx" in msg


def test_export_keeps_text_as_entered_and_never_writes_formulas(client):
    t = good_table('=HYPERLINK("http://example.com","点击查看")（二期）')
    t["project"]["goal"] = "年内完成3000人次培训，合格率不低于95%。"
    t["indicators"][1]["indicator"] = "=1+1"
    t["indicators"][2]["note"] = "按（2026）年标准，逐项验收"
    r = client.post("/v1/export?format=xlsx", json=t)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert {t["project"]["name"], t["project"]["goal"], "=1+1", "按（2026）年标准，逐项验收"} <= values
    j = client.post("/v1/export?format=json", json=t).json()
    assert j["project"]["name"] == t["project"]["name"] and j["project"]["goal"] == t["project"]["goal"]
    assert j["indicators"][2]["note"] == "按（2026）年标准，逐项验收"
    scored = client.post("/v1/score", json=t).json()[0]
    assert scored["name"] == t["project"]["name"]


def sheet_values(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_report_from_results_equals_the_upload_report(client):
    body = client.post("/v1/score/file?errors=body", files=mixed_files()).json()
    direct = client.post("/v1/score/file?format=xlsx", files=mixed_files())
    again = client.post("/v1/report?format=xlsx", json=body)
    assert again.status_code == 200 and again.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert sheet_values(again.content) == sheet_values(direct.content)
    page = client.post("/v1/report?format=html", json={"results": body["results"]})
    assert page.status_code == 200 and "甲项目" in page.text and "无法评审的文件" not in page.text


@pytest.mark.parametrize("change, words", [
    (lambda r: r["findings"][0].update(code="NO_SUCH_CODE"), ["未知的问题代码“NO_SUCH_CODE”"]),
    (lambda r: r["dimensions"].pop("matching"), ["缺少维度得分", "matching"]),
    (lambda r: r.update(total=101), ["total", "应不大于 100"]),
])
def test_report_refuses_results_it_cannot_show(client, change, words):
    [result] = client.post("/v1/score", json=defective_table()).json()
    change(result)
    msg = error_of(client.post("/v1/report", json={"results": [result]}), 422)
    for w in words:
        assert w in msg, msg
