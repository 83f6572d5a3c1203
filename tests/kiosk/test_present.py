"""The screen model of a scan answer (pure): alerts first, Chinese labels, offline age."""

from standin import view

from kiosk.display.present import age_text, chinese, idle_screen, notice_screen, trace_screen, when


def screen(body, **kw):
    return trace_screen(body, raw=body.get("code") or "LZ1", phone_base="https://gz.example.cn",
                        complaint_url="https://gz.example.cn/c?code={code}", **kw)


def test_recall_first_in_red_and_spoken():
    s = screen(view("LZ040000000002", "recalled"))
    assert s["tone"] == "recall" and s["title"].startswith("正在召回")
    assert s["alerts"][0]["tone"] == "recall" and "召回" in s["alerts"][0]["text"]
    assert s["speech"].startswith("请注意。该批次正在一级召回")
    assert [sec["title"] for sec in s["sections"]] == ["产品", "生产企业", "批次", "流通过程"]
    assert s["sections"][2]["rows"][1] == ["生产日期", "2026年9月2日"]
    assert s["sections"][3]["rows"][0] == ["2026年9月2日 10:20", "生产加工 螺状元一号车间"]
    assert s["phone_url"] == "https://gz.example.cn/t/LZ040000000002"
    assert s["complaint_url"] == "https://gz.example.cn/c?code=LZ040000000002"
    assert s["offline"] is None


def test_ok_view_is_not_spoken_and_offline_copy_says_its_age():
    s = screen(view("LZ1"), fetched_at=1000.0, now=1000.0 + 600)
    assert s["tone"] == "ok" and s["speech"] is None
    assert s["offline"].startswith("网络暂时中断，以下是10分钟前保存的信息")


def test_unexpected_shapes_do_not_break_the_screen():
    s = screen({"status": "weird", "alerts": [None, {"message": None}, "x"], "events": [1],
                "inputs": ["x"], "product": None})
    assert s["tone"] == "warning" and s["alerts"] == [] and s["sections"] == []


def test_link_escapes_what_a_code_may_hold():
    s = screen(dict(view("LZ1"), code="a/b?c=d#e"))
    assert s["phone_url"].endswith("/t/a%2Fb%3Fc%3Dd%23e")


def test_texts():
    assert chinese("这个码已被作废。 This code was withdrawn.") == "这个码已被作废。"
    assert chinese("只有中文。") == "只有中文。" and chinese(None) == ""
    assert when("2026-09-02T02:20:00+00:00") == "2026年9月2日 10:20"
    assert when("not a date") == "not a date"
    assert [age_text(s) for s in (30, 3000, 7200, 86400 * 3)] == ["刚刚", "50分钟前", "2小时前",
                                                                 "3天前"]
    assert notice_screen("too_many", count=10)["title"] == "画面里有10个码"
    assert notice_screen("not_found", message="假码。 Fake.")["text"] == "假码。"
    assert notice_screen("not_found", message="English only")["text"].startswith("这个码不在")
    assert notice_screen("no-such-kind")["title"] == "服务器暂时无法回答"
    assert idle_screen()["screen"] == "idle"
