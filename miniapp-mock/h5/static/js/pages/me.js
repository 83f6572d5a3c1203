// 我的: my complaints and reports with their timelines (logged in through WeChat, or by the
// follow-up password of a case filed without it), my recall-warning consent, binding to an
// enterprise.
import { api } from "../api.js";
import { fmtTime, h, loadInto, param, problem, put } from "../ui.js";
import { ensureLogin, logout, requestSubscribe } from "../wx.js";

const FOLLOW_KEY = "h5.follow";
const OPEN = ["submitted", "moderation", "pending", "returned", "accepted", "in_progress"];

function follows() {
  try { return JSON.parse(localStorage.getItem(FOLLOW_KEY) || "{}"); } catch { return {}; }
}

export function rememberFollow(ticket, secret) {
  localStorage.setItem(FOLLOW_KEY, JSON.stringify({ ...follows(), [ticket]: secret }));
}

function caseApi(ticket, options = {}) {
  const secret = follows()[ticket];
  const headers = secret ? { "X-Follow-Secret": secret } : {};
  return api(`/api/v1/complaints/${encodeURIComponent(ticket)}${options.path || ""}`, { ...options, headers });
}

function timeline(items) {
  return h("ol", { class: "timeline", id: "case-timeline" }, items.map((e) => h("li", { class: e.status === "refused" ? "red" : "" },
    h("div", { class: "timeline-kind" }, e.status_name || "进展"), h("div", { class: "muted" }, fmtTime(e.at)),
    e.note ? h("div", {}, e.note) : null, e.refusal_reason_text ? h("div", {}, `理由：${e.refusal_reason_text}`) : null)));
}

function actions(view, reload) {
  const note = h("p", { class: "toast", hidden: true, role: "alert" });
  const act = async (path, json) => {
    try {
      await caseApi(view.ticket, { method: "POST", path, json });
      reload();
    } catch (err) { note.textContent = err.message; note.hidden = false; }
  };
  const buttons = [];
  if (view.status === "resolved") buttons.push(h("button", { type: "button", class: "btn grow", id: "confirm-close", onclick: () => act("/transitions", { to: "closed" }) }, "确认办结"));
  if (OPEN.includes(view.status)) buttons.push(h("button", { type: "button", class: "btn plain grow", id: "withdraw", onclick: () => act("/transitions", { to: "withdrawn", reason: "投诉人撤回" }) }, "撤回"));
  if (view.can_rate) {
    [5, 4, 3, 2, 1].forEach((score) => buttons.push(h("button", { type: "button", class: "btn small plain", "data-score": score, onclick: () => act("/rating", { score }) }, `${score} 分`)));
  }
  return h("div", {}, h("div", { class: "row" }, buttons), note);
}

function caseDetail(main, ticket) {
  const reload = () => caseDetail(main, ticket);
  return loadInto(main, () => caseApi(ticket), (view) => {
    put(main, h("div", { class: "card", id: "case-detail" },
      h("h2", {}, `${view.kind_name} · ${view.category_name || "未分类"}`),
      h("p", {}, "受理编号：", h("span", { class: "code-text" }, view.ticket)),
      h("p", {}, "当前状态：", h("strong", { id: "case-status" }, view.status_name)),
      view.deadline && view.deadline.current ? h("p", { class: "muted" }, `办理期限：${view.deadline.current}`) : null,
      h("p", {}, view.description),
      view.rating ? h("p", {}, `你的评分：${view.rating} 分`) : null,
      h("h3", {}, "办理进度"), timeline(view.timeline || []), actions(view, reload)),
    h("a", { class: "btn block plain", href: "/h5/me" }, "返回我的投诉举报"));
  });
}

async function loadCases() {
  let mine = [];
  try {
    await ensureLogin();
    mine = (await api("/api/v1/me/complaints")).items;
  } catch (err) {
    if (!Object.keys(follows()).length) throw err;  // cases filed without WeChat still show
  }
  const known = new Set(mine.map((c) => c.ticket));
  const others = [];
  for (const ticket of Object.keys(follows())) {
    if (!known.has(ticket)) others.push(await caseApi(ticket).catch(() => null));
  }
  return [...mine, ...others.filter(Boolean)];
}

function caseList(container) {
  return loadInto(container, loadCases, (cases) => {
    put(container, h("h2", {}, "我的投诉举报"), cases.length ? h("ul", { class: "list card", id: "my-cases" }, cases.map((c) => h("li", {},
      h("a", { class: "item", href: `/h5/me?ticket=${encodeURIComponent(c.ticket)}` },
        h("div", { class: "item-title" }, `${c.kind_name} · ${c.category_name || "未分类"}`),
        h("div", { class: "muted" }, `${c.ticket} · ${c.status_name} · ${fmtTime(c.received_at)}`)))))
      : h("p", { class: "card muted" }, "还没有投诉举报。"));
  });
}

function bindForm() {
  const input = h("input", { class: "input", id: "binding-code", placeholder: "如 ABCD-EFGH-JKLM", autocomplete: "off" });
  const error = h("p", { class: "field-error", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "bind-form" }, h("h2", {}, "企业用户"),
    h("label", { class: "field", for: "binding-code" }, "输入监管部门发放的绑定码"), input, error,
    h("div", { class: "row" }, h("button", { type: "submit", class: "btn grow" }, "绑定企业"),
      h("a", { class: "btn plain grow", href: "/h5/my-enterprise" }, "查看我的企业")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!input.value.trim()) { error.textContent = "请输入绑定码。"; return; }
    try {
      await ensureLogin();
      const answer = await api("/api/v1/me/enterprise/bind", { method: "POST", json: { code: input.value.trim() } });
      location.href = `/h5/my-enterprise?uscc=${encodeURIComponent(answer.uscc)}`;
    } catch (err) { error.textContent = err.message; input.classList.add("invalid"); }
  });
  return form;
}

function accountCard() {
  const note = h("p", { class: "muted", "aria-live": "polite" });
  return h("div", { class: "card" }, h("h2", {}, "消息提醒"),
    h("div", { class: "row" },
      h("button", { type: "button", class: "btn plain grow", onclick: async () => {
        try { await ensureLogin(); await requestSubscribe(["recall"]); note.textContent = "已保存你的选择。"; } catch (err) { note.textContent = err.message; }
      } }, "召回提醒设置"),
      h("button", { type: "button", class: "btn plain grow", onclick: async () => { await logout(); location.reload(); } }, "退出登录")), note);
}

export async function render(main) {
  const ticket = param("ticket");
  if (ticket) { await caseDetail(main, ticket); return; }
  if (param("ticket") === "") { main.replaceChildren(problem({ message: "没有指明案件编号。" })); return; }
  const cases = h("div", { id: "cases" });
  main.replaceChildren(cases, bindForm(), accountCard());
  await caseList(cases);
}
