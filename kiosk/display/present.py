"""What the kiosk screen shows, decided without I/O: the server's scan answer (or a kept
offline copy, or a failure) turned into a screen model the page renders as text — alerts
first, then product, producer, batch, inspections and the chain, all in Chinese.

The page sets every value with ``textContent``: nothing from the server becomes markup.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

CST = timezone(timedelta(hours=8))

STATUS = {"recalled": ("recall", "正在召回 请勿食用"), "suspect": ("danger", "疑似仿冒"),
          "expired": ("danger", "已过期 请勿食用"), "warning": ("warning", "请注意以下提示"),
          "ok": ("ok", "未发现问题")}
SEVERITY_TONE = {"critical": "recall", "high": "danger", "medium": "warning", "info": "info"}
EVENT_KINDS = {"raw_material_intake": "原料入库", "production": "生产加工",
               "inspection": "出厂检验", "storage_in": "入库", "storage_out": "出库",
               "shipping": "运输发出", "receiving": "到货验收", "sale": "销售",
               "import_clearance": "进口通关", "recall": "召回", "destruction": "销毁"}
ENTERPRISE_KINDS = {"producer": "生产企业", "processor": "加工企业", "distributor": "经销商",
                    "wholesaler": "批发商", "retailer": "零售商", "market": "农贸市场",
                    "caterer": "餐饮单位", "cold_storage": "冷库", "importer": "进口商",
                    "farm": "种植养殖基地"}
RESULTS = {"pass": "合格", "fail": "不合格"}
MAX_CHAIN = 12
_SPLIT = re.compile(r"^(.*?[。！？])\s+[A-Za-z]", re.DOTALL)

# (tone, title, text) of every screen that is not a trace view
NOTICES = {
    "looking": ("info", "正在查询…", "请稍候"),
    "not_found": ("danger", "查不到这个码", "这个码不在追溯平台的记录中。如果它印在食品包装上，"
                  "可能是仿冒产品，请保留包装并拨打12315举报。"),
    "withdrawn": ("danger", "这个码已作废", "印有它的包装不应在售。如您买到，请拨打12315举报。"),
    "rejected": ("warning", "这不是食品追溯码", "请扫描食品包装上的追溯码（二维码）或条形码。"),
    "too_long": ("warning", "无法识别这个码", "码的内容过长，不是食品追溯码。"),
    "empty": ("warning", "无法识别这个码", "这个码没有内容，请换一个角度再试。"),
    "too_many": ("warning", "画面里有多个码", "请一次只把一个包装上的码对准摄像头。"),
    "rate_limited": ("warning", "扫码太频繁", "请稍等几秒再扫。"),
    "unauthorized": ("warning", "本机暂时无法查询", "设备尚未登记或密钥已失效，请联系市场管理人员。"),
    "unreachable": ("warning", "网络暂时中断", "这个商品暂时查不到。扫码记录已保存，网络恢复后"
                    "会自动上传，请稍后再试。"),
    "timeout": ("warning", "服务器响应太慢", "扫码记录已保存，请稍后再试。"),
    "server_error": ("warning", "服务器暂时无法回答", "扫码记录已保存，请稍后再试。"),
    "bad_answer": ("warning", "服务器返回的信息无法显示", "请稍后再试，或用手机扫码查询。"),
}


def chinese(text: str | None) -> str:
    """The Chinese part of the server's bilingual messages ("中文。 English...")."""
    if not text:
        return ""
    match = _SPLIT.match(text)
    return match.group(1) if match else text


def when(value: str | None, *, with_time: bool = True) -> str:
    """ISO date or instant as 2026年9月2日 10:20 (Beijing time)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return str(value)
    if len(value) <= 10:
        return f"{moment.year}年{moment.month}月{moment.day}日"
    if moment.tzinfo is not None:
        moment = moment.astimezone(CST)
    day = f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{day} {moment:%H:%M}" if with_time else day


def age_text(seconds: float) -> str:
    if seconds < 90:
        return "刚刚"
    if seconds < 3600:
        return f"{round(seconds / 60)}分钟前"
    if seconds < 86400 * 2:
        return f"{round(seconds / 3600)}小时前"
    return f"{round(seconds / 86400)}天前"


def _rows(*pairs) -> list[list[str]]:
    return [[label, str(value)] for label, value in pairs if value not in (None, "", [])]


def _alerts(body: dict) -> list[dict]:
    out = []
    for alert in body.get("alerts") or ():
        if isinstance(alert, dict) and alert.get("message"):
            out.append({"tone": SEVERITY_TONE.get(alert.get("severity"), "info"),
                        "text": chinese(str(alert["message"]))})
    return out


def _sections(body: dict) -> list[dict]:
    product = body.get("product") or {}
    enterprise = body.get("enterprise") or {}
    batch = body.get("batch") or {}
    sections = [
        {"title": "产品", "rows": _rows(("名称", product.get("name")), ("品牌", product.get("brand")),
                                       ("规格", product.get("spec")),
                                       ("执行标准", product.get("standard")),
                                       ("贮存条件", product.get("storage")))},
        {"title": "生产企业", "rows": _rows(
            ("名称", enterprise.get("name")),
            ("类型", ENTERPRISE_KINDS.get(enterprise.get("kind"), enterprise.get("kind"))),
            ("地址", enterprise.get("address")), ("许可证", enterprise.get("licence_no")),
            ("电话", enterprise.get("public_phone")))},
    ]
    if batch:
        sections.append({"title": "批次", "rows": _rows(
            ("批号", batch.get("lot")), ("生产日期", when(batch.get("produced_at"))),
            ("保质期至", when(batch.get("expires_at"))))})
    checks = []
    inspections = body.get("inspections") or {}
    for s in inspections.get("sampling") or ():
        checks.append([f"{when(s.get('sampled_at'))} 监督抽检",
                       RESULTS.get(s.get("result"), s.get("result") or "")])
    for f in inspections.get("factory") or ():
        checks.append([f"{when(f.get('occurred_at'), with_time=False)} 出厂检验",
                       RESULTS.get(f.get("result"), f.get("result") or "")])
    if checks:
        sections.append({"title": "检验", "rows": checks})
    chain = [[when(e.get("occurred_at")), " ".join(filter(None, (
        EVENT_KINDS.get(e.get("kind"), e.get("kind")), (e.get("place") or {}).get("name"))))]
        for e in (body.get("events") or ())[:MAX_CHAIN] if isinstance(e, dict)]
    if chain:
        sections.append({"title": "流通过程", "rows": chain})
    inputs = [_input_row(i) for i in (body.get("inputs") or ()) if isinstance(i, dict)]
    if inputs:
        sections.append({"title": "原料来源", "rows": inputs})
    return [s for s in sections if s["rows"]]


def _input_row(item: dict) -> list[str]:
    producer = (item.get("producer") or {}).get("name") or ""
    lot = (item.get("batch") or {}).get("lot") or ""
    return [(item.get("product") or {}).get("name") or "原料", f"{producer} 批号{lot}".strip()]


def trace_screen(body: dict, *, raw: str, phone_base: str, complaint_url: str,
                 fetched_at: float | None = None, now: float | None = None) -> dict:
    """The screen for a trace view (``fetched_at`` set: a kept copy shown offline)."""
    tone, title = STATUS.get(body.get("status"), ("warning", "请注意"))
    alerts = _alerts(body)
    fallback = ((body.get("resolved") or {}).get("fallback") or {}).get("message")
    subject = body.get("code") or raw
    screen = {"screen": "trace", "tone": tone, "title": title, "alerts": alerts,
              "product_name": (body.get("product") or {}).get("name") or "",
              "note": chinese(fallback), "sections": _sections(body),
              "phone_url": f"{phone_base.rstrip('/')}/t/{quote(subject, safe='')}",
              "complaint_url": complaint_url.format(code=quote(subject, safe="")),
              "offline": None, "speech": None}
    if fetched_at is not None and now is not None:
        screen["offline"] = (f"网络暂时中断，以下是{age_text(now - fetched_at)}保存的信息"
                             f"（{when(datetime.fromtimestamp(fetched_at, CST).isoformat())}），"
                             "可能不是最新。")
    if tone in ("recall", "danger") and alerts:
        screen["speech"] = f"请注意。{alerts[0]['text']}"
    return screen


def notice_screen(kind: str, *, message: str | None = None, count: int = 0) -> dict:
    """A screen for anything but a trace view; ``message``: the server's own words."""
    tone, title, text = NOTICES.get(kind, NOTICES["server_error"])
    if kind in ("not_found", "withdrawn") and message and re.search(r"[\u4e00-\u9fff]", message):
        text = chinese(message)
    if kind == "too_many" and count:
        title = f"画面里有{count}个码"
    screen = {"screen": "notice", "tone": tone, "title": title, "text": text, "kind": kind,
              "speech": None}
    if kind in ("not_found", "withdrawn"):
        screen["speech"] = f"{title}。{text}"
    return screen


def idle_screen() -> dict:
    return {"screen": "idle", "tone": "info", "title": "扫码查询食品来源",
            "text": "请把包装上的追溯码（二维码或条形码）对准下方的摄像头"}
