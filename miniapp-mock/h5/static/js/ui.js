// Small DOM helpers: build elements, show a spinner that turns into a retry button, dialogs.
import { SLOW_MS } from "./api.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function spinner(text = "正在加载…") {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("span", { class: "loading-text" }, text));
}

export function problem(err, retry) {
  const box = h("div", { class: "problem", role: "alert" },
    h("p", { class: "problem-title" }, err.kind === "offline" ? "网络未连接" :
      err.kind === "timeout" ? "加载超时" : "出错了"),
    h("p", {}, err.message || "请求没有成功，请稍后再试。"));
  if (retry) box.append(h("button", { type: "button", class: "btn", onclick: retry }, "重试"));
  return box;
}

// Show a spinner in `container` while `load()` runs, then `render(data)`; on failure the error
// in plain words and a retry button (which runs the whole thing again).
// `extra(err)` may add nodes under the error (e.g. a report link for an unknown code).
export async function loadInto(container, load, render, extra = null) {
  container.replaceChildren(spinner());
  const slow = setTimeout(() => {
    const text = container.querySelector(".loading-text");
    if (text) text.textContent = "网络较慢，仍在加载，请稍候…";
  }, SLOW_MS);
  try {
    const data = await load();
    clearTimeout(slow);
    container.replaceChildren();
    await render(data);
  } catch (err) {
    clearTimeout(slow);
    if (!err || !err.kind) console.error(err);
    const shown = err && err.kind ? err : { message: "页面出了点问题，请重试。" };
    const box = problem(shown, () => loadInto(container, load, render, extra));
    if (extra) box.append(...[extra(shown)].flat().filter(Boolean));
    container.replaceChildren(box);
  }
}

export function dialog(title, body, buttons) {
  const root = document.getElementById("dialog-root");
  return new Promise((resolve) => {
    const close = (value) => { backdrop.remove(); resolve(value); };
    const box = h("div", { class: "dialog", role: "dialog", "aria-modal": "true", "aria-label": title },
      h("h2", {}, title), body,
      h("div", { class: "row" }, buttons.map(([label, value, cls]) =>
        h("button", { type: "button", class: `btn ${cls || ""}`, onclick: () => close(value) }, label))));
    const backdrop = h("div", { class: "dialog-backdrop" }, box);
    root.append(backdrop);
    const first = box.querySelector("button");
    if (first) first.focus();
  });
}

export function fmtTime(iso) {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(iso);
  if (!m) return iso;
  return m[4] ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}` : `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

// Append nodes (arrays flattened, null and false skipped).
export function put(container, ...nodes) {
  container.append(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
}
