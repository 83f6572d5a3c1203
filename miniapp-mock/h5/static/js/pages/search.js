// 查询: type-ahead names (/api/v1/search/suggest), results (/api/v1/search), and "nearby"
// (the browser's position, near=lat,lng).
import { api } from "../api.js";
import { h, loadInto, param, put } from "../ui.js";

function hitLink(hit) {
  return hit.kind === "enterprise" ? `/h5/enterprise?uscc=${encodeURIComponent(hit.key)}`
    : `/h5/product?id=${encodeURIComponent(hit.key)}`;
}

function hitItem(hit) {
  const alerts = (hit.alerts || []).includes("recall") ? h("span", { class: "badge red" }, "召回中") : null;
  return h("li", {}, h("a", { class: "item", href: hitLink(hit) },
    h("div", { class: "item-title" }, h("span", { class: "badge" }, hit.kind === "enterprise" ? "企业" : "产品"), " ", hit.title, " ", alerts),
    h("div", { class: "muted" }, hit.subtitle || "",
      hit.distance_km !== null && hit.distance_km !== undefined ? ` · 距离 ${hit.distance_km < 1 ? `${Math.round(hit.distance_km * 1000)} 米` : `${hit.distance_km.toFixed(1)} 公里`}` : "",
      hit.risk_grade ? ` · 风险等级 ${hit.risk_grade}` : "")));
}

function results(container, query) {
  const load = () => api(`/api/v1/search?${new URLSearchParams(query)}`);
  return loadInto(container, load, (data) => {
    const fuzzy = data.hits.length && ["sound", "partial"].includes(data.hits[0].match);
    put(container, 
      h("p", { class: "muted", id: "result-count" }, data.total ? `找到 ${data.total}${data.total_is_lower_bound ? "+" : ""} 条结果` : "没有找到相关企业或产品，换个词试试。"),
      fuzzy && query.q ? h("p", {}, `您是不是要找：${data.hits[0].title}`) : null,
      h("ul", { class: "list card", id: "results" }, data.hits.map(hitItem)));
  });
}

function typeAhead(input, list, choose) {
  let timer = null;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      const mine = ++asked;
      if (!q) { list.replaceChildren(); return; }
      try {
        const data = await api(`/api/v1/search/suggest?q=${encodeURIComponent(q)}&size=6`);
        if (mine !== asked) return;
        list.replaceChildren(...data.hits.map((hit) => h("li", {},
          h("button", { type: "button", onclick: () => choose(hit) }, hit.title, h("span", { class: "muted" }, ` ${hit.subtitle || ""}`)))));
      } catch {
        list.replaceChildren();
      }
    }, 200);
  });
}

function nearby(container, note) {
  if (!navigator.geolocation) { note.textContent = "此浏览器不能获取位置。"; return; }
  note.textContent = "正在获取位置…";
  navigator.geolocation.getCurrentPosition((pos) => {
    note.textContent = "";
    const near = `${pos.coords.latitude.toFixed(5)},${pos.coords.longitude.toFixed(5)}`;
    results(container, { near, radius_km: "5", size: "20" });
  }, () => { note.textContent = "没有获得位置权限，请在浏览器设置中允许定位后重试。"; }, { timeout: 10000 });
}

export async function render(main) {
  const input = h("input", { class: "input", id: "search-q", type: "search", name: "q", autocomplete: "off",
    placeholder: "名称、拼音或代码", value: param("q") || "", "aria-controls": "suggestions" });
  const list = h("ul", { class: "suggest", id: "suggestions", "aria-label": "搜索建议" });
  const out = h("div", { id: "search-results" });
  const note = h("p", { class: "muted", "aria-live": "polite" });
  const form = h("form", { class: "card", role: "search" },
    h("label", { class: "field", for: "search-q" }, "查询企业和产品"), input, list,
    h("div", { class: "row" }, h("button", { type: "submit", class: "btn grow" }, "搜索"),
      h("button", { type: "button", class: "btn plain grow", id: "nearby", onclick: () => nearby(out, note) }, "附近的企业")), note);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    list.replaceChildren();
    const q = input.value.trim();
    if (!q) { note.textContent = "请输入要查询的名称或代码。"; return; }
    history.replaceState(null, "", `/h5/search?q=${encodeURIComponent(q)}`);
    note.textContent = "";
    results(out, { q, size: "20" });
  });
  typeAhead(input, list, (hit) => { location.href = hitLink(hit); });
  main.replaceChildren(form, out);
  if (input.value) results(out, { q: input.value, size: "20" });
}
