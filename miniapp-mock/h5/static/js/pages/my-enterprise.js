// 企业自查: the enterprise's own view: its public profile as the public sees it, plus its own
// figures (scans per day, suspect codes, complaints, expiring licences).
import { api } from "../api.js";
import { h, loadInto, param, put } from "../ui.js";
import { ensureLogin } from "../wx.js";
import { profileCards } from "./enterprise.js";

const CATEGORY = { poisoning: "疑似食物中毒", foreign_body: "食品异物", expired: "过期变质", no_licence: "无证经营",
  counterfeit: "假冒伪劣", hygiene: "卫生问题", labelling: "标签标识", other: "其他" };
const OUTCOME = { pending: "待受理", accepted: "已受理", refused: "不予受理", resolved: "已办结",
  transferred: "已转办", withdrawn: "已撤回", merged: "已合并" };

// Scans per day over the last `days` days (rows: {day, city, scans}, several cities a day).
function bars(perDay) {
  const totals = new Map();
  for (const row of perDay.rows || []) totals.set(row.day, (totals.get(row.day) || 0) + row.scans);
  const total = [...totals.values()].reduce((a, b) => a + b, 0);
  const most = Math.max(1, ...totals.values());
  const chart = h("div", { class: "bars", "aria-hidden": "true" }, [...totals.entries()].sort().map(([day, count]) => {
    const bar = h("span", { title: `${day}：${count} 次` });
    bar.style.height = `${Math.round((count / most) * 100)}%`;
    return bar;
  }));
  return h("div", {}, h("p", { id: "scan-total" }, `近 ${perDay.days || totals.size} 天共被扫码 ${total} 次`), total ? chart : null);
}

function privateCard(own) {
  const cases = (own.complaints && own.complaints.items) || [];
  const suspects = own.suspect_codes || [];
  const expiring = own.expiring_licences || [];
  return h("div", { class: "card", id: "private-figures" }, h("h2", {}, "本企业数据（仅本企业可见）"),
    h("h3", {}, "扫码次数"), bars(own.scans_per_day || {}),
    h("h3", {}, "疑似仿冒的码"), suspects.length ? h("ul", { class: "list" }, suspects.map((s) => h("li", {},
      h("span", { class: "code-text" }, s.code), ` ${s.product_name || ""} 扫码 ${s.scans} 次`,
      (s.findings || []).map((f) => h("div", { class: "muted" }, f.message)))))
      : h("p", { class: "muted" }, "暂无。"),
    h("h3", {}, `投诉举报（${cases.length} 件）`),
    h("ul", { class: "list", id: "enterprise-cases" }, cases.map((c) => h("li", {},
      `${c.received_on} ${c.kind === "report" ? "举报" : "投诉"} · ${CATEGORY[c.category] || c.category || ""} · ${OUTCOME[c.outcome] || c.status || ""}`,
      c.reason ? h("div", { class: "muted" }, c.reason) : null))),
    h("h3", {}, "许可证提醒"), expiring.length ? h("ul", { class: "list" }, expiring.map((l) => h("li", { class: "alert high" }, l.message || `${l.number} ${l.valid_until}`)))
      : h("p", { class: "muted" }, "许可证在有效期内。"));
}

export async function render(main) {
  const uscc = param("uscc");
  const load = async () => {
    await ensureLogin();
    return api(`/api/v1/me/enterprise${uscc ? `?uscc=${encodeURIComponent(uscc)}` : ""}`);
  };
  await loadInto(main, load, (data) => {
    const others = (data.enterprises || []).filter((u) => u !== data.profile.uscc);
    put(main, privateCard(data.private || {}), h("h2", {}, "公众看到的企业信息"),
      ...profileCards(data.profile).flat().filter(Boolean),
      others.length ? h("div", { class: "card" }, h("h3", {}, "切换企业"), others.map((u) => h("p", {}, h("a", { href: `/h5/my-enterprise?uscc=${u}` }, u)))) : null);
  }, (err) => (err.status === 403 ? h("p", {}, h("a", { class: "btn", href: "/h5/me#bind-form" }, "去绑定企业")) : null));
}
