// 扫码: take or upload a photo of a code (read on the server, POST /api/v1/scan/photo; the
// browser's BarcodeDetector where the server cannot be reached), or type the code; the trace
// page answers it.
import { api } from "../api.js";
import { h } from "../ui.js";

const FORMATS = ["qr_code", "data_matrix", "ean_13", "ean_8", "code_128", "upc_a"];

function openTrace(code) {
  location.href = `/h5/trace?code=${encodeURIComponent(code.trim())}`;
}

async function readOnServer(file) {
  const form = new FormData();
  form.append("file", file);
  const answer = await api("/api/v1/scan/photo", { method: "POST", form, timeout: 30000 });
  if (!answer.codes.length) return { error: "照片中没有找到追溯码，请对准码重拍，或在下方输入。" };
  return { code: answer.codes[0].text };
}

async function decodePhoto(file) {
  try {
    return await readOnServer(file);
  } catch (err) {
    if (err.kind === "http" || !("BarcodeDetector" in window)) return { error: err.message };
  }
  const supported = await window.BarcodeDetector.getSupportedFormats();
  const detector = new window.BarcodeDetector({ formats: FORMATS.filter((f) => supported.includes(f)) });
  const bitmap = await createImageBitmap(file);
  const found = await detector.detect(bitmap);
  if (!found.length) return { error: "照片中没有找到追溯码，请对准码重拍，或在下方输入。" };
  return { code: found[0].rawValue };
}

export async function render(main) {
  const message = h("p", { class: "field-error", role: "alert", "aria-live": "polite" });
  const photo = h("input", { type: "file", accept: "image/*", capture: "environment", id: "scan-photo", class: "visually-hidden" });
  photo.addEventListener("change", async () => {
    const file = photo.files[0];
    if (!file) return;
    message.textContent = "正在识别…";
    try {
      const result = await decodePhoto(file);
      if (result.code) openTrace(result.code);
      else message.textContent = result.error;
    } catch {
      message.textContent = "照片无法识别，请换一张或在下方输入。";
    }
    photo.value = "";
  });
  const input = h("input", { class: "input", id: "scan-code", name: "code", autocomplete: "off",
    placeholder: "追溯码或链接", "aria-describedby": "scan-error" });
  const error = h("p", { class: "field-error", id: "scan-error" });
  const form = h("form", { class: "card", novalidate: true },
    h("label", { class: "field", for: "scan-code" }, "输入追溯码"),
    input, error, h("button", { type: "submit", class: "btn block" }, "查询"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (code.length < 4) {
      error.textContent = code ? "追溯码至少 4 个字符，请核对后再输入。" : "请输入追溯码。";
      input.classList.add("invalid");
      input.focus();
      return;
    }
    openTrace(code);
  });
  main.replaceChildren(
    h("div", { class: "card" },
      h("h2", {}, "扫一扫包装上的追溯码"),
      h("p", { class: "muted" }, "拍摄或选择一张带有追溯码的照片，即可查看这批食品从生产到销售的全过程。"),
      photo, h("label", { class: "btn block", for: "scan-photo" }, "拍照或选择照片"), message),
    form,
    h("div", { class: "card row" },
      h("a", { class: "btn plain grow", href: "/h5/search" }, "查企业、查产品"),
      h("a", { class: "btn plain grow", href: "/h5/complaint" }, "我要投诉举报")));
}
