// The drafting page: project facts -> suggested indicators per slot -> ticked rows scored live.
"use strict";

const SOURCE_ZH = {common: "共性", sector: "行业", history: "批复", approved: "已批复", composed: "据目标"};
const SRC_ZH = {given: "已填写", inferred: "自动识别", similar: "依相似项目", none: "未识别"};
let scoreTimer = null;
let scoreSeq = 0;

function field(id) { return document.getElementById(id); }

function readProject() {
  const p = {};
  for (const key of ["name", "department", "sector", "category", "description", "goal"]) {
    const v = field("f-" + key).value.trim();
    if (v) p[key] = v;
  }
  const amount = field("f-amount").value.trim();
  if (amount !== "") {
    const x = Number(amount);
    if (Number.isFinite(x) && x >= 0) p.amount = x;
  }
  return p;
}

// A 金额 the project cannot take (negative): said plainly instead of being dropped from the request.
function amountProblem() {
  const input = field("f-amount");
  const raw = input.value.trim();
  const x = Number(raw);
  const bad = raw !== "" && !(Number.isFinite(x) && x >= 0);
  input.classList.toggle("invalid", bad);
  input.setAttribute("aria-invalid", bad ? "true" : "false");
  return bad ? "项目金额应为不小于 0 的数字（万元），请修改后再试" : "";
}

// Ticked rows in framework order, each remembering its DOM row so findings can point back at it.
function tickedRows() {
  const rows = [];
  for (const slot of document.querySelectorAll("#slots .slot")) {
    for (const row of slot.querySelectorAll(".cand")) {
      const box = row.querySelector("input[type=checkbox]");
      if (!box || !box.checked) continue;
      const nameInput = row.querySelector(".custom-name");
      const name = nameInput ? nameInput.value.trim() : row.dataset.indicator;
      if (!name) continue;
      const unitInput = row.querySelector(".custom-unit");
      rows.push({
        el: row,
        data: {
          level1: slot.dataset.level1, level2: slot.dataset.level2, indicator: name,
          value: row.querySelector(".target").value.trim(),
          unit: unitInput ? unitInput.value.trim() : (row.dataset.unit || ""),
        },
      });
    }
  }
  return rows;
}

function currentTable() {
  return {project: readProject(), indicators: tickedRows().map(r => r.data)};
}

// ------------------------------------------------------------------ suggestions
async function onSuggest(ev) {
  ev.preventDefault();
  const project = readProject();
  if (!project.name) {
    showStatus("请先填写项目名称", "error");
    field("f-name").focus();
    return;
  }
  const badAmount = amountProblem();
  if (badAmount) {
    showStatus(badAmount, "error");
    field("f-amount").focus();
    return;
  }
  const btn = field("btn-suggest");
  btn.disabled = true;
  btn.textContent = "推荐中…";
  showStatus("");
  try {
    const resp = await postJSON("/v1/suggest?k=5", project);
    renderSuggestion(await resp.json());
  } catch (e) {
    showStatus(e.message, "error");
  } finally {
    btn.disabled = false;
    btn.textContent = "获取推荐";
  }
}

function renderSuggestion(s) {
  const info = field("suggest-info");
  const pj = s.project || {};
  const parts = [`类别：${pj.category || "未识别"}（${SRC_ZH[pj.category_source] || ""}）`,
                 `行业：${pj.sector || "未识别"}（${SRC_ZH[pj.sector_source] || ""}）`];
  if (s.similar_projects && s.similar_projects.length) {
    parts.push("相似批复项目：" + s.similar_projects.slice(0, 2).map(x => x.name).join("、"));
  }
  info.textContent = parts.join("　");
  if (s.notes && s.notes.length) showStatus(s.notes.join(" "), "info");

  const box = field("slots");
  box.replaceChildren();
  let lastLevel1 = "";
  for (const slot of s.slots) {
    if (slot.level1 !== lastLevel1) {
      box.append(el("h2", {class: "level1-title", text: slot.level1}));
      lastLevel1 = slot.level1;
    }
    box.append(renderSlot(slot));
  }
  box.dataset.state = "ready";
  renderPrevious(s.previous);
  scheduleScore();
}

// Last year's approved table of the same project: one click ticks every row with its value.
function renderPrevious(prev) {
  const box = field("previous");
  box.replaceChildren();
  box.hidden = !prev;
  if (!prev) return;
  box.append(
    el("span", {class: "prev-note", "data-testid": "previous-note", text: prev.why}),
    el("button", {type: "button", class: "primary", "data-testid": "btn-use-previous", text: "沿用上年批复表",
                  onclick: () => usePrevious(prev)}));
}

function usePrevious(prev) {
  let added = 0;
  for (const r of prev.rows) {
    const slot = document.querySelector(`#slots .slot[data-level2="${CSS.escape(r.level2)}"]`);
    if (!slot) continue;
    let row = [...slot.querySelectorAll(".cand")].find(x => x.dataset.indicator === r.indicator);
    if (!row) {
      row = customRow();
      row.querySelector(".custom-name").value = r.indicator;
      slot.querySelector(".cands").append(row);
    }
    const folded = row.closest("details");
    if (folded) folded.open = true;
    const box = row.querySelector("input[type=checkbox]");
    box.checked = true;
    row.classList.add("checked");
    row.querySelector(".target").value = r.suggested_value || r.value || "";
    if (r.adjusted) {
      row.classList.add("adjusted");
      row.querySelector(".target").title = `上年批复值 ${r.value}，已按项目金额调整`;
    }
    added += 1;
  }
  updatePicked();
  scheduleScore();
  showStatus(`已沿用上年批复表的 ${added} 个指标` + (prev.amount_changed ? "；项目金额有变化，黄色框的指标值已按金额调整，请核对" : ""), "info");
}

function renderSlot(slot) {
  const cands = el("div", {class: "cands"});
  // recommended candidates first and open; the weak ones folded away (contract §3 recommended/advice)
  const strong = slot.candidates.filter(c => c.recommended !== false);
  const weak = slot.candidates.filter(c => c.recommended === false);
  for (const c of strong) cands.append(candidateRow(c));
  if (slot.advice) cands.append(el("div", {class: "muted advice", "data-testid": "slot-advice", text: slot.advice}));
  if (weak.length) {
    const more = el("details", {class: "weak", "data-testid": "weak-cands"},
      el("summary", {text: `其他候选 ${weak.length} 个（与本项目关联较弱）`}));
    for (const c of weak) more.append(candidateRow(c));
    cands.append(more);
  }
  if (!slot.candidates.length) cands.append(el("div", {class: "muted empty", text: "指标库中暂无合适的候选，可添加自定义指标。"}));
  const section = el("section", {
    class: "card slot" + (slot.required ? " required" : ""), "data-testid": "slot",
    "data-level1": slot.level1, "data-level2": slot.level2,
  },
    el("div", {class: "slot-head"},
      el("h3", {}, slot.level2, slot.required ? el("span", {class: "tag req-tag", "data-testid": "required", text: "必填"}) : null),
      el("span", {class: "picked muted", text: ""})),
    cands,
    el("button", {type: "button", class: "link add-custom", "data-testid": "add-custom", text: "＋ 添加自定义指标",
                  onclick: () => { const row = customRow(); cands.append(row); row.querySelector(".custom-name").focus(); }}));
  return section;
}

function candidateRow(c) {
  const box = el("input", {type: "checkbox", "data-testid": "cand-check", onchange: onRowChange});
  const target = el("input", {class: "target", "data-testid": "cand-target", value: c.suggested_value || "",
                              placeholder: "指标值", "aria-label": `${c.indicator} 指标值`, oninput: onTargetEdit});
  return el("div", {class: "cand" + (c.recommended ? " recommended" : ""), "data-testid": "cand", "data-id": c.indicator_id, "data-indicator": c.indicator,
                    "data-unit": c.unit || ""},
    el("label", {class: "cand-main", title: c.explanation || ""}, box,
      el("span", {class: "cand-name", "data-testid": "cand-name", text: c.indicator}),
      el("span", {class: "tag src-" + c.source, text: SOURCE_ZH[c.source] || c.source}),
      c.recommended ? el("span", {class: "tag rec-tag", "data-testid": "recommended", title: `置信度 ${Math.round((c.confidence || 0) * 100)}%`, text: "推荐"}) : null),
    target,
    el("span", {class: "unit", text: c.unit || ""}),
    el("div", {class: "why", "data-testid": "cand-why", text: c.why || ""}));
}

function customRow() {
  const row = el("div", {class: "cand custom", "data-testid": "custom-row"},
    el("label", {class: "cand-main"},
      el("input", {type: "checkbox", checked: true, "data-testid": "cand-check", onchange: onRowChange}),
      el("input", {class: "custom-name", "data-testid": "custom-name", placeholder: "自定义三级指标名称", oninput: onTargetEdit})),
    el("input", {class: "target", "data-testid": "cand-target", placeholder: "指标值，如 ≥95%", oninput: onTargetEdit}),
    el("input", {class: "custom-unit unit-input", placeholder: "单位", oninput: onTargetEdit}),
    el("div", {class: "why"}, el("button", {type: "button", class: "link danger", text: "删除",
      onclick: () => { row.remove(); updatePicked(); scheduleScore(); }})));
  row.classList.add("checked");
  return row;
}

function onRowChange(ev) {
  const row = ev.target.closest(".cand");
  row.classList.toggle("checked", ev.target.checked);
  updatePicked();
  scheduleScore();
}

function onTargetEdit(ev) {
  const row = ev.target.closest(".cand");
  const box = row && row.querySelector("input[type=checkbox]");
  if (box && box.checked) scheduleScore();
}

function updatePicked() {
  for (const slot of document.querySelectorAll("#slots .slot")) {
    const n = slot.querySelectorAll(".cand input[type=checkbox]:checked").length;
    slot.querySelector(".picked").textContent = n ? `已选 ${n}` : "";
  }
}

// ------------------------------------------------------------------ live score
function scheduleScore() {
  clearTimeout(scoreTimer);
  scoreTimer = setTimeout(runScore, 350);
}

async function runScore() {
  const rows = tickedRows();
  const project = readProject();
  const panel = field("score-panel");
  const my = ++scoreSeq;
  document.querySelectorAll(".cand.has-issue").forEach(r => r.classList.remove("has-issue"));
  field("btn-export-xlsx").disabled = field("btn-export-json").disabled = !(rows.length && project.name);
  const badAmount = amountProblem();
  if (!rows.length || !project.name || badAmount) {
    resetPanel(badAmount || (project.name ? "勾选指标后自动评审，修改指标值会重新打分。" : "请先填写项目名称。"));
    panel.dataset.seq = my;
    return;
  }
  panel.dataset.state = "loading";
  try {
    const resp = await postJSON("/v1/score", {project, indicators: rows.map(r => r.data)});
    const result = (await resp.json())[0];
    if (my !== scoreSeq) return;  // a newer selection is already being scored
    renderScore(result, rows);
    panel.dataset.count = rows.length;
    panel.dataset.seq = my;
    panel.dataset.state = "ok";
  } catch (e) {
    if (my !== scoreSeq) return;
    panel.dataset.state = "error";
    showStatus(e.message, "error");
  }
}

function resetPanel(hint) {
  const panel = field("score-panel");
  panel.dataset.state = "empty";
  panel.dataset.count = 0;
  field("score-hint").textContent = hint;
  field("score-total").textContent = "--";
  field("score-total").className = "total";
  field("score-grade").textContent = "--";
  field("score-decision").textContent = "--";
  field("score-decision").className = "decision";
  field("score-count").textContent = "0";
  field("finding-count").textContent = "0";
  field("findings").replaceChildren();
  renderDims(null);
}

function renderDims(dims) {
  const box = field("dims");
  box.replaceChildren();
  for (const [key, zh] of DIMENSIONS) {
    const v = dims ? dims[key] : null;
    const bar = el("div", {class: "bar"}, el("div", {class: "fill" + (v !== null && v < 60 ? " low" : v !== null && v < 85 ? " mid" : ""),
                                                     style: `width:${v === null ? 0 : Math.max(0, Math.min(100, v))}%`}));
    box.append(el("div", {class: "dim", "data-testid": "dim-" + key, id: "dim-" + key},
      el("span", {class: "dim-name", text: zh}), bar, el("span", {class: "dim-value", text: fmtScore(v)})));
  }
}

function renderScore(r, rows) {
  field("score-hint").textContent = r.findings.length ? "点击问题可定位到对应指标。" : "没有发现问题。";
  const total = field("score-total");
  total.textContent = fmtScore(r.total);
  total.className = "total " + (DECISION_CLASS[r.decision] || "");
  field("score-grade").textContent = r.grade;
  const decision = field("score-decision");
  decision.textContent = r.decision;
  decision.className = "decision " + (DECISION_CLASS[r.decision] || "");
  field("score-count").textContent = String(r.indicator_count);
  field("finding-count").textContent = String(r.findings.length);
  renderDims(r.dimensions);
  const list = field("findings");
  list.replaceChildren();
  for (const f of r.findings) {
    const target = f.row ? rows[f.row - 1] : null;
    if (target) target.el.classList.add("has-issue");
    const where = f.row ? `第${f.row}行 · ${f.indicator}` : "整表";
    const item = el("li", {class: "finding sev-" + f.severity, "data-testid": "finding", "data-code": f.code,
                           "data-row": f.row === null ? "" : f.row},
      el("div", {class: "finding-head"},
        el("span", {class: "sev", text: SEVERITY_ZH[f.severity] || f.severity}),
        el("span", {class: "where", "data-testid": "finding-row", text: where}),
        el("code", {text: f.code})),
      el("div", {class: "msg", "data-testid": "finding-message", text: f.message}),
      f.suggestion ? el("div", {class: "sugg", "data-testid": "finding-suggestion", text: "建议：" + f.suggestion}) : null);
    if (target) {
      item.classList.add("clickable");
      item.addEventListener("click", () => {
        target.el.scrollIntoView({behavior: "smooth", block: "center"});
        target.el.classList.add("flash");
        setTimeout(() => target.el.classList.remove("flash"), 1200);
      });
    }
    list.append(item);
  }
}

// ------------------------------------------------------------------ export
async function onExport(format) {
  const table = currentTable();
  if (!table.project.name) { showStatus("请先填写项目名称", "error"); return; }
  if (!table.indicators.length) { showStatus("请至少勾选一个指标", "error"); return; }
  try {
    const resp = await postJSON(`/v1/export?format=${format}`, table);
    await downloadResponse(resp, `绩效目标申报表.${format}`);
    showStatus(`已导出 ${format.toUpperCase()}`, "ok");
  } catch (e) {
    showStatus(e.message, "error");
  }
}

// ------------------------------------------------------------------ start
async function loadMeta() {
  try {
    const meta = await (await api("/v1/meta")).json();
    const select = field("f-category");
    for (const k of meta.kinds) select.append(el("option", {value: k, text: k}));
    const list = field("sector-list");
    for (const s of meta.sectors) list.append(el("option", {value: s}));
  } catch (e) {
    showStatus(e.message, "error");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  resetPanel("勾选指标后自动评审，修改指标值会重新打分。");
  field("project-form").addEventListener("submit", onSuggest);
  field("project-form").addEventListener("input", () => { if (tickedRows().length) scheduleScore(); });
  field("btn-export-xlsx").addEventListener("click", () => onExport("xlsx"));
  field("btn-export-json").addEventListener("click", () => onExport("json"));
  loadMeta();
});
