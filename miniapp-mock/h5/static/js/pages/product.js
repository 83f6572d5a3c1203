// 产品信息: the product's filing, its producer and its batches with their alerts.
import { api } from "../api.js";
import { facts, h, loadInto, param, problem, put } from "../ui.js";

export async function render(main) {
  const id = param("id");
  if (!id) {
    main.replaceChildren(problem({ message: "没有指明要查看的产品，请从查询页进入。" }));
    return;
  }
  await loadInto(main, () => api(`/api/v1/products/${encodeURIComponent(id)}`, { auth: false }), (page) => {
    const p = page.product || {};
    const producer = page.producer || {};
    put(main, 
      h("div", { class: "card" }, h("h2", {}, p.name),
        facts([["品牌", p.brand], ["规格", p.spec], ["类别", p.category], ["执行标准", p.standard],
          ["商品条码", p.gtin], ["保质期", p.shelf_life_days ? `${p.shelf_life_days} 天` : null], ["贮存", p.storage],
          ["配料", (p.ingredients || []).join("；")],
          ["生产企业", producer.uscc ? h("a", { href: `/h5/enterprise?uscc=${encodeURIComponent(producer.uscc)}` }, producer.name) : null]])),
      h("div", { class: "card" }, h("h3", {}, "批次"),
        h("ul", { class: "list" }, (page.batches || []).map((b) => h("li", { class: b.status === "recalled" ? "alert critical" : "" },
          `批号 ${b.lot || b.batch_id}，生产日期 ${b.produced_at || "未知"}`, b.status === "recalled" ? "（召回中，请勿食用）" : "",
          (b.alerts || []).map((a) => h("div", {}, a.message)))))));
  });
}
