// Chinese names of the API's codes.
export const EVENT_KINDS = {
  raw_material_intake: "原料入厂", production: "生产", inspection: "检验", storage_in: "入库",
  storage_out: "出库", shipping: "发货运输", receiving: "收货", sale: "销售",
  import_clearance: "进口通关", recall: "召回", destruction: "销毁",
};
export const STATUS = {
  ok: ["正常", "status-ok"], warning: ["请注意", "status-warning"],
  recalled: ["该批次正在召回，请勿食用", "status-recalled"], danger: ["存在风险", "status-danger"],
};
export const SEVERITY = { critical: "严重", high: "重要", medium: "提示", low: "提示", info: "提示" };
export const CATEGORIES = {
  poisoning: "疑似食物中毒", foreign_body: "食品异物", expired: "过期变质", no_licence: "无证经营",
  counterfeit: "假冒伪劣", hygiene: "卫生问题", labelling: "标签标识", other: "其他",
};
export const CERTIFICATES = {
  licence: "许可证", quarantine: "检疫证明", disinfection: "消毒证明", nucleic_acid: "核酸检测",
};
export const LICENCE_STATES = {
  valid: ["有效", "green"], expiring: ["即将到期", "orange"], expired: ["已过期", "red"],
  suspended: ["已暂停", "red"], revoked: ["已吊销", "red"], closed: ["已注销", "red"], unknown: ["未知", ""],
};
export const RESULT = { pass: "合格", fail: "不合格" };
export function label(table, key) {
  const value = table[key];
  return Array.isArray(value) ? value[0] : (value || key || "");
}
