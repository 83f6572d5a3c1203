// The photo picker of the complaint form: previews at once, each photo uploaded to
// POST /api/v1/uploads; a refused photo says why (too large, not a photo, too many uploads).
import { api } from "../api.js";
import { h } from "../ui.js";
import { ensureLogin } from "../wx.js";

const MAX = 9;

export function photoPicker() {
  const items = [];  // {id, pending, el}
  const list = h("div", { class: "photos", id: "photo-list" });
  const error = h("p", { class: "field-error", id: "photo-error" });
  const chooser = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true, class: "visually-hidden", name: "photo", id: "photo-input" });

  async function add(file) {
    const url = URL.createObjectURL(file);
    const state = h("div", { class: "state" }, "上传中…");
    const item = { id: null, pending: true };
    const remove = h("button", { type: "button", "aria-label": "删除这张照片", onclick: () => {
      items.splice(items.indexOf(item), 1); item.el.remove(); URL.revokeObjectURL(url);
    } }, "×");
    item.el = h("div", { class: "photo" }, h("img", { src: url, alt: file.name || "照片" }), remove, state);
    items.push(item);
    list.append(item.el);
    try {
      await ensureLogin().catch(() => null);
      const form = new FormData();
      form.append("file", file);
      const answer = await api("/api/v1/uploads", { method: "POST", form, timeout: 60000 });
      item.id = answer.id;
      state.textContent = "已上传";
    } catch (err) {
      state.textContent = "未上传";
      item.el.classList.add("failed");
      error.textContent = err.message;
      items.splice(items.indexOf(item), 1);
    } finally {
      item.pending = false;
    }
  }

  chooser.addEventListener("change", () => {
    error.textContent = "";
    const files = [...chooser.files];
    if (items.length + files.length > MAX) error.textContent = `最多只能上传 ${MAX} 张照片。`;
    files.slice(0, Math.max(0, MAX - items.length)).forEach(add);
    chooser.value = "";
  });
  return {
    element: h("div", {}, chooser, h("label", { class: "btn plain small", for: "photo-input" }, "＋ 添加照片"), list, error),
    ids: () => items.filter((i) => i.id).map((i) => i.id),
    busy: () => items.some((i) => i.pending),
  };
}
