// The kiosk page: renders the state pushed by /events (server-sent events). Every value is
// set with textContent; nothing from the server becomes markup.
"use strict";
const $ = (id) => document.getElementById(id);
let idleTimer = null;
let shownSeq = -1;
let status = {};

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function only(name) {
  for (const id of ["idle", "notice", "trace"]) $(id).hidden = id !== name;
}

function setTone(tone) { document.body.className = "tone-" + (tone || "info"); }

function renderIdle() {
  only("idle");
  setTone("info");
  renderStatus();
  document.body.dataset.screen = "idle";
}

function renderStatus() {
  const notes = [];
  if (status.camera === "lost") notes.push("摄像头连接中断，正在重新连接…");
  if (status.online === false) notes.push("网络暂时中断：仍可查看最近扫过的商品，扫码记录会在网络恢复后上传。");
  $("idle-status").textContent = notes.join(" ");
}

function renderNotice(s) {
  only("notice");
  setTone(s.tone);
  $("notice-title").textContent = s.title || "";
  $("notice-text").textContent = s.text || "";
}

function renderTrace(s) {
  only("trace");
  setTone(s.tone);
  $("trace-title").textContent = s.title || "";
  $("trace-product").textContent = s.product_name || "";
  $("offline").hidden = !s.offline;
  $("offline").textContent = s.offline || "";
  $("note").hidden = !s.note;
  $("note").textContent = s.note || "";
  const alerts = $("alerts");
  alerts.replaceChildren(...(s.alerts || []).map((a) => el("div", "alert tone-" + a.tone, a.text)));
  const sections = $("sections");
  sections.replaceChildren(...(s.sections || []).map((sec) => {
    const box = el("section");
    box.append(el("h2", "", sec.title));
    for (const [k, v] of sec.rows) {
      const row = el("div", "row");
      row.append(el("span", "k", k), el("span", "v", v));
      box.append(row);
    }
    return box;
  }));
  sections.scrollTop = 0;
  pauseUntil = Date.now() + 4000;
  $("qr-phone").src = "/qr.svg?text=" + encodeURIComponent(s.phone_url || "");
  $("qr-complaint").src = "/qr.svg?text=" + encodeURIComponent(s.complaint_url || "");
}

function render(state) {
  status = state.status || {};
  const s = state.screen;
  renderStatus();
  if (s.seq === shownSeq) return;
  shownSeq = s.seq;
  clearTimeout(idleTimer);
  if (s.screen === "trace") renderTrace(s);
  else if (s.screen === "notice") renderNotice(s);
  else { renderIdle(); return; }
  document.body.dataset.screen = s.screen;
  if (s.idle_after) {
    const left = s.idle_after * 1000 - (state.now - s.shown_at) * 1000;
    idleTimer = setTimeout(renderIdle, Math.max(0, left));
  }
  document.body.dataset.seq = String(s.seq);
  window.kioskShownAt = Date.now();
}

// A long trace scrolls by itself (no touch screen needed): down slowly, pause, back to top.
let pauseUntil = 0;
function autoScroll() {
  const box = $("sections");
  const max = box.scrollHeight - box.clientHeight;
  if ($("trace").hidden || max <= 2 || Date.now() < pauseUntil) return;
  if (box.scrollTop >= max - 1) {
    pauseUntil = Date.now() + 4000;
    setTimeout(() => { box.scrollTop = 0; pauseUntil = Date.now() + 4000; }, 4000);
    return;
  }
  box.scrollTop += 2;
}
setInterval(autoScroll, 40);

function connect() {
  const source = new EventSource("/events");
  source.onmessage = (event) => render(JSON.parse(event.data));
  source.onerror = () => { /* EventSource reconnects by itself */ };
}
renderIdle();
connect();
