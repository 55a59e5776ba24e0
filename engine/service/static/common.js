// Shared helpers of the drafting and review pages (no build step, no external scripts).
"use strict";

// Create an element; text goes through textContent so user data is never parsed as HTML.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Call the API; a non-2xx answer becomes an Error carrying the server's Chinese message.
async function api(path, options) {
  let resp;
  try {
    resp = await fetch(path, options);
  } catch (e) {
    throw new Error("无法连接服务，请确认 jixiao serve 正在运行");
  }
  if (!resp.ok) {
    let msg = `请求失败（HTTP ${resp.status}）`;
    try {
      const body = await resp.json();
      if (body && body.error) msg = body.error;
    } catch (e) { /* not JSON: keep the generic message */ }
    const err = new Error(msg);
    err.status = resp.status;
    throw err;
  }
  return resp;
}

function postJSON(path, body) {
  return api(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
}

// The file name the server proposed (RFC 5987 filename*), or a fallback.
function filenameOf(resp, fallback) {
  const cd = resp.headers.get("Content-Disposition") || "";
  const m = cd.match(/filename\*=UTF-8''([^;]+)/i);
  if (m) {
    try { return decodeURIComponent(m[1]); } catch (e) { /* fall through */ }
  }
  return fallback;
}

async function downloadResponse(resp, fallback) {
  const blob = await resp.blob();
  const url = URL.createObjectURL(blob);
  const a = el("a", {href: url, download: filenameOf(resp, fallback), style: "display:none"});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

let statusTimer = null;

function showStatus(text, kind) {
  const box = document.getElementById("status");
  if (!box) return;
  box.textContent = text || "";
  box.className = "status" + (kind ? " " + kind : "") + (text ? " visible" : "");
  clearTimeout(statusTimer);
  if (text) statusTimer = setTimeout(() => box.classList.remove("visible"), kind === "error" ? 8000 : 4000);
}

const DIMENSIONS = [
  ["completeness", "完整性"], ["quantification", "细化量化"], ["matching", "相应匹配"], ["appropriateness", "合理可行"],
];
const SEVERITY_ZH = {error: "错误", warning: "警告", info: "提示"};
const DECISION_CLASS = {"通过": "pass", "修改后通过": "revise", "退回修改": "reject"};

function fmtScore(x) {
  return (x === null || x === undefined || Number.isNaN(Number(x))) ? "--" : Number(x).toFixed(1).replace(/\.0$/, "");
}
