// The review page: upload files -> one summary row per table, findings on expanding a row.
"use strict";

let records = [];      // {n, file, review}
let badFiles = [];     // {file, status, error}: files that could not be reviewed, for the XLSX report
let notes = [];        // {file, message}: rows the readers skipped
let sortDir = 0;       // 0 = upload order, 1 = total ascending (worst first), -1 = descending
const expanded = new Set();

function $(id) { return document.getElementById(id); }

function selectedFiles() { return Array.from($("files").files || []); }

function showFileNames() {
  const names = selectedFiles().map(f => f.name);
  $("file-names").textContent = names.length ? `已选择 ${names.length} 个文件：${names.join("、")}` : "";
}

async function onReview(ev) {
  ev.preventDefault();
  const files = selectedFiles();
  if (!files.length) { showStatus("请先选择要评审的文件", "error"); return; }
  const btn = $("btn-review");
  btn.disabled = true;
  btn.textContent = "评审中…";
  showStatus("");
  records = [];
  badFiles = [];
  notes = [];
  expanded.clear();
  const errors = $("file-errors");
  errors.replaceChildren();
  let n = 0;
  for (const file of files) {
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const resp = await api("/v1/score/file?errors=body", {method: "POST", body: form});
      const body = await resp.json();
      for (const r of body.results) records.push({n: ++n, file: file.name, review: r});
      for (const w of body.warnings) {
        notes.push(w);
        errors.append(el("li", {class: "file-note", "data-testid": "file-note", text: `提示：${w.message}`}));
      }
    } catch (e) {
      badFiles.push({file: file.name, status: e.status || 422, error: e.message});
      errors.append(el("li", {"data-testid": "file-error", text: e.message}));
    }
  }
  btn.disabled = false;
  btn.textContent = "开始评审";
  $("btn-download").disabled = !records.length;
  $("review-info").textContent = `共 ${files.length} 个文件，${records.length} 张表` +
    (badFiles.length ? `，${badFiles.length} 个文件无法读取` : "");
  render();
}

function sorted() {
  const out = records.slice();
  if (sortDir) out.sort((a, b) => sortDir * (a.review.total - b.review.total) || a.n - b.n);
  return out;
}

function render() {
  const body = $("summary-body");
  body.replaceChildren();
  const card = $("result-card");
  card.dataset.state = records.length ? "ready" : "empty";
  const arrow = document.querySelector("#th-total .arrow");
  arrow.textContent = sortDir < 0 ? "▼" : sortDir > 0 ? "▲" : "↕";
  $("th-total").dataset.sort = sortDir < 0 ? "desc" : sortDir > 0 ? "asc" : "";
  if (!records.length) {
    body.append(el("tr", {class: "empty-row"}, el("td", {colspan: 13, class: "muted", text: "没有可显示的评审结果。"})));
    renderOverview();
    return;
  }
  for (const rec of sorted()) {
    const r = rec.review;
    const counts = {error: 0, warning: 0, info: 0};
    for (const f of r.findings) counts[f.severity] = (counts[f.severity] || 0) + 1;
    const open = expanded.has(rec.n);
    const row = el("tr", {class: "summary-row" + (open ? " open" : ""), "data-testid": "summary-row", "data-n": rec.n,
                          tabindex: 0, onclick: () => toggle(rec.n), onkeydown: e => { if (e.key === "Enter") toggle(rec.n); }},
      el("td", {text: rec.n}),
      el("td", {class: "name"}, el("span", {class: "caret", text: open ? "▾" : "▸"}),
        el("span", {"data-testid": "row-name", text: r.name}), el("div", {class: "muted small", text: rec.file})),
      el("td", {text: r.indicator_count}),
      el("td", {class: "num total-cell", "data-testid": "row-total", text: fmtScore(r.total)}),
      el("td", {text: r.grade}),
      el("td", {}, el("span", {class: "decision " + (DECISION_CLASS[r.decision] || ""), "data-testid": "row-decision", text: r.decision})),
      ...DIMENSIONS.map(([k]) => el("td", {class: "num", text: fmtScore(r.dimensions[k])})),
      el("td", {class: "num" + (counts.error ? " err" : ""), text: counts.error}),
      el("td", {class: "num" + (counts.warning ? " warn" : ""), text: counts.warning}),
      el("td", {class: "num", text: counts.info}));
    body.append(row);
    if (open) body.append(detailRow(rec));
  }
  renderOverview();
}

function detailRow(rec) {
  const r = rec.review;
  let inner;
  if (!r.findings.length) {
    inner = el("p", {class: "muted", text: "没有发现问题。"});
  } else {
    const tbody = el("tbody");
    for (const f of r.findings) {
      tbody.append(el("tr", {class: "sev-" + f.severity, "data-testid": "finding-row", "data-code": f.code},
        el("td", {text: f.row === null ? "整表" : f.row}),
        el("td", {text: f.indicator || ""}),
        el("td", {}, el("code", {text: f.code})),
        el("td", {}, el("span", {class: "sev", text: SEVERITY_ZH[f.severity] || f.severity})),
        el("td", {text: f.message}),
        el("td", {text: f.suggestion || ""})));
    }
    inner = el("table", {class: "findings-table"},
      el("thead", {}, el("tr", {}, ["行号", "三级指标", "问题代码", "严重程度", "问题描述", "修改建议"].map(h => el("th", {text: h})))),
      tbody);
  }
  return el("tr", {class: "detail-row", "data-testid": "detail-row", "data-n": rec.n}, el("td", {colspan: 13}, inner));
}

function renderOverview() {
  const box = $("overview");
  box.replaceChildren();
  if (!records.length) return;
  const by = {"通过": 0, "修改后通过": 0, "退回修改": 0};
  for (const rec of records) by[rec.review.decision] = (by[rec.review.decision] || 0) + 1;
  const avg = records.reduce((s, rec) => s + rec.review.total, 0) / records.length;
  box.append(el("span", {class: "pill", text: `${records.length} 张表`}),
             el("span", {class: "pill", text: `平均分 ${fmtScore(avg)}`}),
             ...Object.entries(by).map(([k, v]) => el("span", {class: "pill decision " + DECISION_CLASS[k], text: `${k} ${v}`})));
}

function toggle(n) {
  if (expanded.has(n)) expanded.delete(n); else expanded.add(n);
  render();
}

// the first click puts the lowest totals first: the tables a reviewer has to send back
function onSort() {
  sortDir = sortDir === 1 ? -1 : 1;
  render();
}

// the report is made from the results on the page: nothing is uploaded or reviewed again
async function onDownload() {
  if (!records.length) return;
  const btn = $("btn-download");
  btn.disabled = true;
  try {
    const body = {results: records.map(r => r.review), file_errors: badFiles, warnings: notes};
    const resp = await postJSON("/v1/report?format=xlsx", body);
    await downloadResponse(resp, "评审报告.xlsx");
  } catch (e) {
    showStatus(e.message, "error");
  } finally {
    btn.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("upload-form").addEventListener("submit", onReview);
  $("files").addEventListener("change", showFileNames);
  $("th-total").addEventListener("click", onSort);
  $("btn-download").addEventListener("click", onDownload);
  const zone = $("dropzone");
  zone.addEventListener("dragover", e => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", e => {
    e.preventDefault();
    zone.classList.remove("over");
    $("files").files = e.dataTransfer.files;
    showFileNames();
  });
  render();
});
