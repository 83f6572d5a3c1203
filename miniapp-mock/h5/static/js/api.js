// Calls to the Gongzhi API, every failure turned into an ApiError with a plain Chinese message
// (never raw JSON): offline, too slow, photo too large, too many requests, or the API's own.

export const SLOW_MS = 2500;      // after this the spinner says it is taking long
export const TIMEOUT_MS = 10000;  // after this the request is given up and a retry offered
const TOKEN_KEY = "h5.session";

export class ApiError extends Error {
  constructor(kind, message, { status = 0, code = null, field = null, retryAfter = null } = {}) {
    super(message);
    this.kind = kind;  // offline | timeout | http
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

const BY_STATUS = {
  400: "填写的内容有误，请检查后重试。",
  401: "请先登录。",
  403: "您没有权限查看这一内容。",
  404: "没有找到相关内容。",
  409: "操作与当前状态冲突，请刷新后重试。",
  410: "该码已被停用。",
  413: "照片太大，请压缩或换一张较小的照片再试",
  415: "只能上传照片（JPG、PNG 或 WebP 格式）。",
  502: "微信服务暂时无法连接，请稍后再试。",
  503: "服务暂时不可用，请稍后再试。",
};

// The Chinese part of an API message (some end with an English sentence for developers).
export function chineseOnly(text) {
  if (!text || !/[\u4e00-\u9fff]/.test(text)) return null;
  let end = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(text[i])) end = i + 1;
  }
  return text.slice(0, end);
}

function waitText(seconds) {
  if (!seconds) return "请稍后再试。";
  return seconds >= 60 ? `请约 ${Math.ceil(seconds / 60)} 分钟后再试。` : `请 ${seconds} 秒后再试。`;
}

export function errorFromAnswer(status, body, headers) {
  const error = (body && typeof body === "object" && body.error) || {};
  const retryAfter = Number(headers.get("Retry-After")) || null;
  let message;
  if (status === 429) {
    message = `操作太频繁了，${waitText(retryAfter)}`;
  } else if (status === 413) {
    message = `${BY_STATUS[413]}（不超过 ${document.body.dataset.uploadMaxMb || 10} MB）。`;
  } else if (status >= 500 && status !== 502 && status !== 503) {
    message = "服务器出了点问题，请稍后再试。";
  } else {
    message = chineseOnly(error.message) || BY_STATUS[status] || "请求没有成功，请稍后再试。";
  }
  return new ApiError("http", message, { status, code: error.code || null,
    field: error.field || null, retryAfter });
}

export function session() {
  try { return JSON.parse(localStorage.getItem(TOKEN_KEY) || "null"); } catch { return null; }
}

export function saveSession(value) {
  if (value) localStorage.setItem(TOKEN_KEY, JSON.stringify(value));
  else localStorage.removeItem(TOKEN_KEY);
}

// fetch() with a timeout; resolves to the decoded JSON (or null for 204), rejects with ApiError.
export async function api(path, { method = "GET", json, form, headers = {}, auth = true,
  timeout = TIMEOUT_MS } = {}) {
  if (navigator.onLine === false) {
    throw new ApiError("offline", "网络未连接，请检查手机网络后重试。");
  }
  const sent = { ...headers };
  const current = auth ? session() : null;
  if (current && current.token) sent.Authorization = `Bearer ${current.token}`;
  let body;
  if (json !== undefined) { sent["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  if (form !== undefined) body = form;
  const control = new AbortController();
  const timer = setTimeout(() => control.abort(), timeout);
  let answer;
  try {
    answer = await fetch(path, { method, headers: sent, body, signal: control.signal });
  } catch (err) {
    if (control.signal.aborted) {
      throw new ApiError("timeout", "服务器响应太慢，请稍后点“重试”。");
    }
    throw new ApiError("offline", "网络连接失败，请检查手机网络后重试。");
  } finally {
    clearTimeout(timer);
  }
  if (answer.status === 204) return null;
  let data = null;
  const text = await answer.text().catch(() => "");
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!answer.ok) {
    if (answer.status === 401 && current) saveSession(null);
    throw errorFromAnswer(answer.status, data, answer.headers);
  }
  if (data === null && text) throw new ApiError("http", "服务器返回了无法识别的内容，请稍后再试。");
  return data;
}
