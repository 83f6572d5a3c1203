// 企业信息: the public profile (licence, risk grade, recalls, sampling, enforcement, products,
// complaint counts) and a link to file a complaint about it.
import { api } from "../api.js";
import { LICENCE_STATES } from "../labels.js";
import { facts, fmtTime, h, loadInto, param, problem, put } from "../ui.js";

export function profileCards(p) {
  const [stateText, stateClass] = LICENCE_STATES[(p.licence || {}).state] || ["未知", ""];
  const recalls = p.recalls || [];
  const sampling = (p.sampling && p.sampling.items) || [];
  const enforcement = (p.enforcement && p.enforcement.items) || [];
  const products = (p.products && p.products.items) || [];
  const complaints = p.complaints || {};
  return [
    recalls.map((r) => h("div", { class: "alert critical", role: "alert" },
      `${r.level_label || ""}召回（${r.status === "ongoing" ? "进行中" : "已结束"}）：${r.reason}`,
      h("p", {}, `涉及：${(r.products || []).map((x) => x.name).join("、")}；批号 ${(r.lots || []).join("、")}`))),
    h("div", { class: "card" },
      h("h2", { id: "enterprise-name" }, p.name),
      facts([["类型", p.kind_label], ["信用代码", h("span", { class: "code-text" }, p.uscc)],
        ["许可证", p.licence ? h("span", {}, `${p.licence.type || ""} `, h("span", { class: "code-text" }, p.licence.number), " ", h("span", { class: `badge ${stateClass}` }, stateText)) : "无"],
        ["许可说明", p.licence && p.licence.message], ["风险等级", p.risk_grade], ["地址", p.address],
        ["所在地区", p.district], ["电话", p.public_phone], ["数据更新", fmtTime(p.data_updated_at)]])),
    h("div", { class: "card" }, h("h3", {}, `监督抽检（${(p.sampling && p.sampling.total) || 0} 次，不合格 ${(p.sampling && p.sampling.failed) || 0} 次）`),
      h("ul", { class: "list" }, sampling.map((s) => h("li", { class: s.highlight ? "alert critical" : "" },
        `${s.sampled_at} ${s.product_name || ""} ${s.lot ? `批号${s.lot}` : ""}：${s.result_label}`,
        (s.failed_items || []).map((f) => h("div", {}, f)))))),
    enforcement.length ? h("div", { class: "card" }, h("h3", {}, "行政处罚"),
      h("ul", { class: "list" }, enforcement.map((e) => h("li", {}, [e.decided_on, e.summary || e.reason || e.decision_no].filter(Boolean).join(" "))))) : null,
    h("div", { class: "card" }, h("h3", {}, `产品（${(p.products && p.products.total) || 0}）`),
      h("ul", { class: "list" }, products.map((x) => h("li", {}, h("a", { href: `/h5/product?id=${encodeURIComponent(x.product_id)}` }, x.name), h("span", { class: "muted" }, ` ${x.spec || ""}`))))),
    h("div", { class: "card" }, h("h3", {}, "近一年投诉举报"), h("p", {}, `共 ${complaints.total || 0} 件`)),
  ];
}

export async function render(main) {
  const uscc = param("uscc");
  if (!uscc) {
    main.replaceChildren(problem({ message: "没有指明要查看的企业，请从查询页进入。" }));
    return;
  }
  await loadInto(main, () => api(`/api/v1/enterprises/${encodeURIComponent(uscc)}`, { auth: false }), (p) => {
    put(main, ...profileCards(p).flat().filter(Boolean),
      h("a", { class: "btn block danger", id: "complain-enterprise", href: `/h5/complaint?uscc=${encodeURIComponent(p.uscc)}` }, "投诉举报该企业"));
  });
}
