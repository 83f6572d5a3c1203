// The page shell: large-type mode, the WeChat banner, the tab bar, then the page's module.
const PAGES = {
  scan: "扫码查询", trace: "追溯结果", search: "查询企业和产品", enterprise: "企业信息",
  product: "产品信息", complaint: "投诉举报", me: "我的", notices: "通知公告",
  "my-enterprise": "企业自查",
};
const TABS = { scan: "scan", trace: "scan", search: "search", enterprise: "search",
  product: "search", notices: "notices", me: "me", complaint: "me", "my-enterprise": "me" };
const ELDER_KEY = "h5.elder";

function applyElder(on) {
  document.documentElement.classList.toggle("elder", on);
  const button = document.getElementById("elder-toggle");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "标准字体" : "大字模式";
}

function setUpElder() {
  applyElder(localStorage.getItem(ELDER_KEY) === "1");
  document.getElementById("elder-toggle").addEventListener("click", () => {
    const on = !document.documentElement.classList.contains("elder");
    localStorage.setItem(ELDER_KEY, on ? "1" : "0");
    applyElder(on);
  });
}

// Inside WeChat's in-app browser (its user agent, or wechat=1 from the resolver): offer to
// continue in the mini-program (its URL scheme).
function setUpWeChat(page) {
  const query = new URLSearchParams(location.search);
  if (!/MicroMessenger/i.test(navigator.userAgent) && query.get("wechat") !== "1") return;
  const { appid, wxaPage } = document.body.dataset;
  const code = query.get("code");
  const path = page === "complaint" ? "pages/complaint/complaint" : code ? wxaPage : "pages/index/index";
  const scene = code ? `code=${encodeURIComponent(code)}` : "";
  const link = `weixin://dl/business/?appid=${encodeURIComponent(appid)}&path=${encodeURIComponent(path)}&query=${encodeURIComponent(scene)}`;
  const banner = document.getElementById("wechat-banner");
  banner.replaceChildren();
  const text = document.createElement("span");
  text.textContent = "在小程序中查看更方便";
  const button = document.createElement("a");
  button.className = "btn small";
  button.href = link;
  button.textContent = "在小程序中继续";
  banner.append(text, button);
  banner.hidden = false;
}

async function start() {
  setUpElder();
  const page = location.pathname.replace(/^\/h5\/?/, "").split("/")[0] || "scan";
  const main = document.getElementById("page");
  setUpWeChat(page);
  for (const tab of document.querySelectorAll(".tabbar a")) {
    tab.classList.toggle("active", tab.dataset.tab === TABS[page]);
  }
  const back = document.getElementById("nav-back");
  back.hidden = ["scan", "search", "notices", "me"].includes(page);
  back.addEventListener("click", (event) => {
    if (history.length > 1 && document.referrer.startsWith(location.origin)) {
      event.preventDefault();
      history.back();
    }
  });
  if (!(page in PAGES)) {
    document.title = "页面不存在";
    main.textContent = "";
    const box = document.createElement("div");
    box.className = "problem";
    box.setAttribute("role", "alert");
    box.textContent = "没有这个页面。请从下方菜单重新进入。";
    main.append(box);
    return;
  }
  document.getElementById("nav-title").textContent = PAGES[page];
  document.title = `${PAGES[page]} - 食品安全追溯`;
  const module = await import(`./pages/${page}.js`);
  await module.render(main);
}

start().catch((err) => {
  console.error(err);
  const main = document.getElementById("page");
  main.textContent = "页面加载失败，请检查网络后刷新重试。";
});
