// 通知公告: notices newest first, by kind, a page at a time; one notice in full.
import { api } from "../api.js";
import { fmtTime, h, loadInto, param, put } from "../ui.js";

const KINDS = [["", "全部"], ["recall", "召回"], ["sampling", "抽检"], ["enforcement", "处罚"], ["announcement", "公告"]];

function item(n) {
  return h("li", {}, h("a", { class: "item", href: `/h5/notices?id=${encodeURIComponent(n.notice_id)}` },
    h("div", { class: "item-title" }, n.kind === "recall" ? h("span", { class: "badge red" }, n.kind_label) : h("span", { class: "badge" }, n.kind_label), " ", n.title),
    h("div", { class: "muted" }, fmtTime(n.published_at)), n.summary ? h("div", {}, n.summary) : null));
}

function page(list, more, query) {
  return loadInto(more, () => api(`/api/v1/notices?${new URLSearchParams(query)}`, { auth: false }), (data) => {
    put(list, ...data.items.map(item));
    if (!list.children.length) list.append(h("li", { class: "muted" }, "暂无公告。"));
    if (data.next_cursor) {
      put(more, h("button", { type: "button", class: "btn block plain", onclick: () => page(list, more, { ...query, cursor: data.next_cursor }) }, "加载更多"));
    }
  });
}

function detail(main, id) {
  return loadInto(main, () => api(`/api/v1/notices/${encodeURIComponent(id)}`, { auth: false }), (n) => {
    put(main, h("article", { class: "card", id: "notice" }, h("h2", {}, n.title),
      h("p", { class: "muted" }, `${n.kind_label || ""} · ${fmtTime(n.published_at)}`),
      (n.body || n.summary || "").split("\n").map((line) => h("p", {}, line)),
      (n.recalls || []).map((r) => h("div", { class: "alert critical" }, `召回：${r.reason || r.recall_id}`,
        (r.batches || []).map((b) => h("p", {}, `${(b.product || {}).name || ""} 批号 ${b.lot || b.batch_id}：`,
          (b.codes || []).map((code) => h("a", { href: `/h5/trace?code=${encodeURIComponent(code)}` }, `查看追溯（${code}）`)),
          b.destination ? h("div", {}, b.destination) : null))))),
    h("a", { class: "btn block plain", href: "/h5/notices" }, "返回公告列表"));
  });
}

export async function render(main) {
  const id = param("id");
  if (id) { await detail(main, id); return; }
  const kind = param("kind") || "";
  const tabs = h("div", { class: "row card", role: "tablist" }, KINDS.map(([value, text]) =>
    h("a", { class: `btn small ${value === kind ? "" : "plain"}`, href: value ? `/h5/notices?kind=${value}` : "/h5/notices", "aria-current": value === kind ? "page" : null }, text)));
  const list = h("ul", { class: "list card", id: "notice-list" });
  const more = h("div", {});
  main.replaceChildren(tabs, list, more);
  await page(list, more, kind ? { kind, limit: "10" } : { limit: "10" });
}
