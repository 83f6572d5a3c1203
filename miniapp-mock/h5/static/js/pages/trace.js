// 追溯结果: alerts first (a recall in red), the chain as a timeline, the inputs expandable,
// how often the code was scanned and where first, and a pre-filled "report a problem".
import { api } from "../api.js";
import { CERTIFICATES, EVENT_KINDS, RESULT, SEVERITY, STATUS, label } from "../labels.js";
import { facts, fmtTime, h, loadInto, param, problem, put } from "../ui.js";
import { ensureLogin, requestSubscribe } from "../wx.js";

function alertCard(alert) {
  const notices = (alert.notices || []).map((n) => h("p", {}, h("a", { href: `/h5/notices?id=${encodeURIComponent(n.notice_id)}` }, n.title)));
  return h("div", { class: `alert ${alert.severity}`, role: alert.severity === "critical" ? "alert" : null, "data-kind": alert.kind },
    h("span", { class: `badge ${alert.severity === "critical" ? "red" : "orange"}` }, label(SEVERITY, alert.severity)), " ",
    alert.message, notices);
}

function place(event) {
  const where = event.place || {};
  if (!where.name) return null;
  return where.uscc ? h("a", { href: `/h5/enterprise?uscc=${encodeURIComponent(where.uscc)}` }, where.name) : where.name;
}

function eventItem(event) {
  const detail = event.detail || {};
  const inspection = detail.inspection || {};
  const counterparty = detail.counterparty || {};
  return h("li", { class: event.kind === "recall" ? "red" : "" },
    h("div", { class: "timeline-kind" }, label(EVENT_KINDS, event.kind)),
    h("div", { class: "muted" }, fmtTime(event.occurred_at)),
    h("div", {}, place(event)),
    event.quantity ? h("div", {}, `数量：${event.quantity} ${event.unit || ""}`) : null,
    counterparty.name ? h("div", {}, `${event.kind === "receiving" ? "来自" : "发往"}：${counterparty.name}`) : null,
    inspection.item ? h("div", {}, `${inspection.item}：${label(RESULT, inspection.result)}`) : null,
    detail.vehicle ? h("div", {}, `车辆：${detail.vehicle.kind || ""} ${detail.vehicle.plate || ""}`) : null);
}

function inputItem(input) {
  const product = input.product || {};
  const batch = input.batch || {};
  const producer = input.producer || {};
  return h("details", { class: "input-item" },
    h("summary", {}, product.name || batch.batch_id || "原料"),
    facts([["批号", batch.lot], ["生产日期", batch.produced_at], ["保质期至", batch.expires_at],
      ["生产者", producer.uscc ? h("a", { href: `/h5/enterprise?uscc=${encodeURIComponent(producer.uscc)}` }, producer.name) : producer.name]]),
    (input.alerts || []).map(alertCard),
    h("ol", { class: "timeline" }, (input.events || []).map(eventItem)));
}

function scansLine(scans) {
  if (!scans) return null;
  const first = scans.first || {};
  return h("div", { class: "card", id: "scan-count" },
    h("p", {}, `该码已被查询 ${scans.count} 次`),
    first.at ? h("p", { class: "muted" }, `首次查询：${fmtTime(first.at)}，${first.city || "地点未知"}`) : null,
    scans.you_before ? h("p", { class: "muted" }, `你曾于 ${fmtTime(scans.you_before)} 查询过`) : null);
}

function header(view) {
  const [text, cls] = STATUS[view.status] || [view.status, "status-warning"];
  return h("div", { class: `status-banner ${cls}`, id: "trace-status" }, text);
}

function productCard(view) {
  const product = view.product || {};
  const batch = view.batch || {};
  const enterprise = view.enterprise || {};
  return h("div", { class: "card" },
    h("h2", {}, product.name || "食品"),
    facts([["追溯码", h("span", { class: "code-text" }, view.code)], ["品牌", product.brand], ["规格", product.spec],
      ["批号", batch.lot], ["生产日期", batch.produced_at], ["保质期至", batch.expires_at],
      ["贮存", product.storage],
      ["生产企业", enterprise.uscc ? h("a", { href: `/h5/enterprise?uscc=${encodeURIComponent(enterprise.uscc)}` }, enterprise.name) : enterprise.name],
      ["许可证", enterprise.licence_no], ["企业电话", enterprise.public_phone]]));
}

function moreCards(view) {
  const certificates = view.certificates || [];
  const sampling = (view.inspections && view.inspections.sampling) || [];
  return [
    certificates.length ? h("div", { class: "card" }, h("h3", {}, "证照"),
      h("ul", { class: "list" }, certificates.map((c) => h("li", {}, `${label(CERTIFICATES, c.kind)}：`, h("span", { class: "code-text" }, c.number), c.issuer ? `（${c.issuer}）` : "")))) : null,
    sampling.length ? h("div", { class: "card" }, h("h3", {}, "监督抽检"),
      h("ul", { class: "list" }, sampling.map((s) => h("li", {}, `${s.sampled_at} ${label(RESULT, s.result)}`,
        (s.failed_items || []).map((f) => h("div", { class: "muted" }, f)))))) : null,
  ];
}

function complaintLink(view) {
  return h("a", { class: "btn block danger", id: "report-problem", href: `/h5/complaint?code=${encodeURIComponent(view.code)}` }, "报告问题（投诉举报）");
}

function subscribeButton() {
  const note = h("p", { class: "muted", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "btn block plain", id: "subscribe-recall" }, "订阅召回提醒");
  button.addEventListener("click", async () => {
    try {
      await ensureLogin();
      const answers = await requestSubscribe(["recall"]);
      const accepted = Object.values(answers).includes("accept");
      note.textContent = accepted ? "已订阅：若这批食品被召回，将通过微信通知你。" : "你没有订阅召回提醒。";
    } catch (err) {
      note.textContent = err.message;
    }
  });
  return h("div", {}, button, note);
}

function reportUnknown(err, code) {
  if (err.code !== "code_not_found") return null;
  return h("p", {}, h("a", { class: "btn danger", href: `/h5/complaint?code=${encodeURIComponent(code)}` }, "举报可疑产品"));
}

export async function render(main) {
  const code = param("code");
  if (!code) {
    main.replaceChildren(problem({ message: "没有收到要查询的码，请重新扫码或输入。" }), h("a", { class: "btn block", href: "/h5/scan" }, "去扫码"));
    return;
  }
  const load = () => api(`/api/v1/scan?code=${encodeURIComponent(code)}&channel=h5`);
  await loadInto(main, load, (view) => {
    if (view.level === "enterprise" && view.enterprise && view.enterprise.uscc) {
      location.replace(`/h5/enterprise?uscc=${encodeURIComponent(view.enterprise.uscc)}`);
      return;
    }
    put(main, header(view),
      h("section", { id: "alerts", "aria-label": "风险提示" }, (view.alerts || []).map(alertCard)),
      productCard(view), scansLine(view.scans),
      h("div", { class: "card" }, h("h3", {}, "追溯链"), h("ol", { class: "timeline", id: "chain" }, (view.events || []).map(eventItem))),
      (view.inputs || []).length ? h("div", { class: "card", id: "inputs" }, h("h3", {}, `原料（${view.inputs.length}）`), view.inputs.map(inputItem)) : null,
      ...moreCards(view).filter(Boolean), complaintLink(view), subscribeButton());
  }, (err) => reportUnknown(err, code));
}
