// What the mini-program gets from WeChat, simulated for the H5 page: wx.login (a one-time
// code the server exchanges at POST /api/v1/auth/wechat) and wx.requestSubscribeMessage
// (a consent dialog; the recall warning's answer is recorded at /api/v1/me/subscriptions).
import { api, session, saveSession } from "./api.js";
import { dialog, h } from "./ui.js";

const DEVICE_KEY = "h5.device";

function randomText(length) {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

// The WeChat user of this device (the stand-in logs every code "<user>-<nonce>" in as <user>).
export function deviceUser() {
  let user = localStorage.getItem(DEVICE_KEY);
  if (!user || !/^[a-z][a-z0-9]{0,31}$/.test(user)) {
    user = `h5${randomText(12)}`;
    localStorage.setItem(DEVICE_KEY, user);
  }
  return user;
}

// wx.login(): a fresh one-time code, from the WeChat stand-in's POST /mock/wx.login when the
// page names it; else made here in the form the stand-in accepts ("<user>-<nonce>").
export async function wxLogin() {
  const url = document.body.dataset.loginUrl;
  if (url) {
    try {
      const answer = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: deviceUser() }) });
      const data = answer.ok ? await answer.json() : {};
      if (data.code) return data.code;
    } catch {
      // an older stand-in without /mock/wx.login: fall through
    }
  }
  return `${deviceUser()}-${randomText(16)}`;
}

export function loggedIn() {
  const current = session();
  return Boolean(current && current.token && (!current.expires_at || Date.parse(current.expires_at) > Date.now()));
}

export async function ensureLogin() {
  if (loggedIn()) return session();
  const answer = await api("/api/v1/auth/wechat", { method: "POST", json: { code: await wxLogin() }, auth: false });
  saveSession({ token: answer.token, user: answer.user, expires_at: answer.expires_at });
  return session();
}

export async function logout() {
  if (loggedIn()) await api("/api/v1/auth/session", { method: "DELETE" }).catch(() => null);
  saveSession(null);
}

const TEMPLATE_NAMES = { recall: "食品召回提醒", complaint: "投诉举报处理进度通知" };

// wx.requestSubscribeMessage: the user allows or refuses; {templateId: "accept"|"reject"}.
export async function requestSubscribe(kinds) {
  const ids = kinds.map((kind) => document.body.dataset[`${kind}Template`]);
  const choice = await dialog("“食品安全追溯”申请发送订阅消息",
    h("div", {}, h("p", {}, "允许后，将通过微信服务通知向你发送："),
      h("ul", {}, kinds.map((kind) => h("li", {}, TEMPLATE_NAMES[kind])))),
    [["允许", "accept"], ["取消", "reject", "plain"]]);
  const answers = Object.fromEntries(ids.map((id) => [id, choice]));
  const recall = document.body.dataset.recallTemplate;
  if (recall in answers) {
    await api("/api/v1/me/subscriptions", { method: "POST", json: { [recall]: answers[recall] } });
  }
  return answers;
}
