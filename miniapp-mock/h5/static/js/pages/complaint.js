// 投诉举报: kind, category, what it is about (pre-filled from a scan or a profile), photos with
// previews (uploaded one by one), place, date, contact. The API's error names the field; its
// message is shown next to that field.
import { api, session } from "../api.js";
import { CATEGORIES } from "../labels.js";
import { h, param } from "../ui.js";
import { ensureLogin, requestSubscribe } from "../wx.js";
import { photoPicker } from "./photos.js";
import { rememberFollow } from "./me.js";

function field(name, labelText, control, hint) {
  const id = `f-${name.replace(/\W/g, "-")}`;
  if (control.tagName !== "DIV") control.id = id;
  return h("div", { class: "form-field", "data-field": name },
    h("label", { class: "field", for: control.tagName !== "DIV" ? id : null }, labelText), control,
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }));
}

function input(name, attrs = {}) {
  return h("input", { class: "input", name, ...attrs });
}

function clearErrors(form) {
  for (const p of form.querySelectorAll(".field-error")) p.textContent = "";
  for (const el of form.querySelectorAll(".invalid")) el.classList.remove("invalid");
}

// Show `message` next to the field the API named (or its nearest enclosing one).
export function showFieldError(form, fieldName, message) {
  const wrappers = [...form.querySelectorAll("[data-field]")];
  const parts = (fieldName || "").split(".");
  let target = null;
  for (let n = parts.length; n > 0 && !target; n -= 1) {
    const name = parts.slice(0, n).join(".");
    target = wrappers.find((w) => w.dataset.field === name && !w.hidden)
      || wrappers.find((w) => w.dataset.field.startsWith(`${name}.`) && !w.hidden);
  }
  if (!target) return false;
  target.querySelector(".field-error").textContent = message;
  const control = target.querySelector("input, select, textarea");
  if (control) { control.classList.add("invalid"); control.focus(); }
  target.scrollIntoView({ block: "center" });
  return true;
}

function targetFields(code, uscc) {
  // A target from a scan or a profile is shown, not edited (it wraps at any zoom).
  if (code) return [field("target.code", "追溯码", h("div", {}, h("p", { class: "code-text", id: "target-code" }, code)))];
  if (uscc) return [field("target.uscc", "被投诉企业（统一社会信用代码）", h("div", {}, h("p", { class: "code-text", id: "target-uscc" }, uscc)))];
  return [field("target.name", "商家名称", input("target.name", { placeholder: "店名" })),
    field("target.address", "商家地址", input("target.address", { placeholder: "地址" }))];
}

function readTarget(form, code, uscc) {
  if (code) return { type: "trace_code", code };
  if (uscc) return { type: "enterprise", uscc };
  return { type: "merchant", name: form.elements["target.name"].value, address: form.elements["target.address"].value };
}

function readBody(form, code, uscc, photos) {
  const kind = form.elements.kind.value;
  const anonymous = kind === "report" && form.elements.anonymous.checked;
  const name = form.elements["contact.name"].value.trim();
  const phone = form.elements["contact.phone"].value.trim();
  const body = { kind, description: form.elements.description.value, target: readTarget(form, code, uscc),
    photos: photos.ids(), channel: "h5", anonymous };
  const category = form.elements.category.value;
  if (category) body.category = category;
  const address = form.elements["place.address"].value.trim();
  const lat = form.dataset.lat;
  if (address || lat) body.place = { ...(address ? { address } : {}), ...(lat ? { lat: Number(lat), lng: Number(form.dataset.lng) } : {}) };
  const day = form.elements.occurred_on.value;
  if (day) body.occurred_on = day;
  if (!anonymous && (name || phone || kind === "complaint")) body.contact = { name, phone };
  return body;
}

// What the form checks before sending (the API checks everything again).
function localErrors(body) {
  const errors = [];
  if ((body.description || "").trim().length < 10) errors.push(["description", "问题描述至少 10 个字，请写清楚发生了什么。"]);
  if (body.kind === "complaint") {
    if (!body.contact.name) errors.push(["contact.name", "投诉须填写真实姓名。"]);
    if (!body.contact.phone) errors.push(["contact.phone", "投诉须填写联系电话。"]);
  }
  return errors;
}

function locate(form, note) {
  if (!navigator.geolocation) { note.textContent = "此浏览器不能获取位置，请填写地址。"; return; }
  note.textContent = "正在获取位置…";
  navigator.geolocation.getCurrentPosition((pos) => {
    form.dataset.lat = pos.coords.latitude.toFixed(5);
    form.dataset.lng = pos.coords.longitude.toFixed(5);
    note.textContent = `已获取位置（${form.dataset.lat}，${form.dataset.lng}）`;
  }, () => { note.textContent = "没有获得位置权限，请填写地址。"; }, { timeout: 10000 });
}

function done(main, answer) {
  const due = answer.deadline && answer.deadline.acceptance;
  main.replaceChildren(h("div", { class: "card", id: "complaint-done" },
    h("div", { class: "status-banner status-ok" }, "已提交"),
    h("p", {}, "受理编号：", h("strong", { class: "code-text", id: "ticket" }, answer.ticket)),
    due ? h("p", {}, `我们将在 ${due} 前告知你是否受理。`) : null,
    (answer.duplicates || []).length ? h("p", { class: "muted" }, "已有类似的投诉举报，工作人员会一并处理。") : null,
    h("a", { class: "btn block", href: `/h5/me?ticket=${encodeURIComponent(answer.ticket)}` }, "查看进度")));
}

export async function render(main) {
  const code = param("code");
  const uscc = param("uscc");
  const photos = photoPicker();
  const note = h("p", { class: "hint", "aria-live": "polite" });
  const kind = h("div", { class: "choices" },
    h("label", {}, h("input", { type: "radio", name: "kind", value: "complaint", checked: true }), "投诉（要求处理我的纠纷，须实名）"),
    h("label", {}, h("input", { type: "radio", name: "kind", value: "report" }), "举报（反映违法行为，可匿名）"));
  const anonymousField = h("label", { class: "choices" }, h("input", { type: "checkbox", name: "anonymous" }), "匿名举报（不留联系方式）");
  const form = h("form", { class: "card", novalidate: true, id: "complaint-form" },
    field("kind", "类型", kind),
    h("div", { "data-field": "anonymous", hidden: true, id: "anonymous-box" }, anonymousField, h("p", { class: "field-error" })),
    field("category", "问题类别（可不选）", h("select", { class: "input", name: "category" }, h("option", { value: "" }, "请选择"),
      Object.entries(CATEGORIES).map(([value, text]) => h("option", { value }, text)))),
    targetFields(code, uscc),
    field("description", "问题描述", h("textarea", { class: "input", name: "description", maxlength: "2000", placeholder: "买到了什么、发生了什么（至少 10 个字）" })),
    field("photos", `照片（最多 9 张，每张不超过 ${document.body.dataset.uploadMaxMb} MB）`, photos.element),
    field("place.address", "购买或消费地点（可不填）", input("place.address", { placeholder: "地址" })),
    h("p", {}, h("button", { type: "button", class: "btn small plain", onclick: () => locate(form, note) }, "使用当前位置")), note,
    field("occurred_on", "购买或发生日期", input("occurred_on", { type: "date" })),
    h("div", { id: "contact-box" },
      field("contact.name", "姓名", input("contact.name", { autocomplete: "name" })),
      field("contact.phone", "联系电话", input("contact.phone", { type: "tel", autocomplete: "tel" }))),
    h("div", { class: "toast", id: "form-error", role: "alert", hidden: true }),
    h("button", { type: "submit", class: "btn block", id: "submit-complaint" }, "提交"));
  const sync = () => {
    const report = form.elements.kind.value === "report";
    form.querySelector("#anonymous-box").hidden = !report;
    form.querySelector("#contact-box").hidden = report && form.elements.anonymous.checked;
  };
  form.addEventListener("change", sync);
  let idempotencyKey = crypto.randomUUID();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const formError = form.querySelector("#form-error");
    formError.hidden = true;
    if (photos.busy()) { showFieldError(form, "photos", "照片还在上传，请稍候。"); return; }
    const body = readBody(form, code, uscc, photos);
    const errors = localErrors(body);
    if (errors.length) { errors.reverse().forEach(([f, m]) => showFieldError(form, f, m)); return; }
    const button = form.querySelector("#submit-complaint");
    button.disabled = true;
    button.textContent = "正在提交…";
    try {
      await ensureLogin().catch(() => null);  // without WeChat a follow-up password is issued
      const answer = await api("/api/v1/complaints", { method: "POST", json: body, headers: { "Idempotency-Key": idempotencyKey } });
      idempotencyKey = crypto.randomUUID();
      if (answer.follow_secret) rememberFollow(answer.ticket, answer.follow_secret);
      if (session()) await requestSubscribe(["complaint", "recall"]).catch(() => null);
      done(main, answer);
    } catch (err) {
      if (!(err.field && showFieldError(form, err.field, err.message))) {
        formError.textContent = err.message;
        formError.hidden = false;
      }
    } finally {
      button.disabled = false;
      button.textContent = "提交";
    }
  });
  main.replaceChildren(form);
}
