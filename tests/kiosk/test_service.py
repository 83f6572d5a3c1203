"""A scan through the kiosk service against a real HTTP stand-in server: the headers the
server gets, offline answers from kept views, the durable queue (server down, 100 scans,
server up: exactly 100 recorded), and a server answering 500, garbage or taking 30 s."""

import threading

from conftest import make_service
from standin import StandIn, free_port, wait_until

from kiosk.client import ServerClient
from kiosk.sender import QueueSender


def test_scan_sends_the_raw_text_with_the_kiosk_headers(standin, store):
    service = make_service(standin.url, store)
    text = "01069012345678921" + "0L260902A\x1d21000001"
    service.scan("LZ040000000002")
    service.scan(text)
    first, second = standin.requests
    assert first["code"] == "LZ040000000002" and second["code"] == text
    assert first["channel"] == "kiosk" and first["header_channel"] == "kiosk"
    assert first["kiosk"] == "market-01" and first["kiosk_key"] == "k3y-secret"
    assert len(first["scan_id"]) == 36 and first["scanned_at"].endswith("+00:00")
    assert store.pending() == 0


def test_recall_shown_and_kept_for_offline_use(standin, store):
    service = make_service(standin.url, store)
    screen = service.scan("RECALL-LZ0001")
    assert screen["screen"] == "trace" and screen["tone"] == "recall"
    assert service.hub.snapshot()["screen"]["title"].startswith("正在召回")
    standin.stop()
    offline = service.scan("RECALL-LZ0001")
    assert offline["tone"] == "recall" and offline["offline"].startswith("网络暂时中断")
    assert service.hub.snapshot()["status"]["online"] is False
    assert store.pending() == 1  # the offline scan waits for the network
    unknown = service.scan("LZ999")
    assert unknown["screen"] == "notice" and unknown["title"] == "网络暂时中断"


def test_server_down_100_scans_server_up_exactly_100_recorded(store):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = make_service(url, store)
    for i in range(100):
        screen = service.scan(f"LZ{i:012d}")
        assert screen["title"] == "网络暂时中断"
    assert store.pending() == 100
    sender = QueueSender(store, ServerClient(url, kiosk_id="market-01", key="k"), backoff=0.05,
                         max_backoff=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=sender.run, args=(stop,), kwargs={"interval": 0.05})
    thread.start()
    try:
        assert not wait_until(lambda: store.pending() < 100, 0.5)  # still down
        with StandIn(port) as server:
            assert wait_until(lambda: store.pending() == 0, 20)
            assert len(server.requests) == 100 and len(server.scan_ids) == 100
            assert [r["code"] for r in server.requests] == [f"LZ{i:012d}" for i in range(100)]
            assert all(r["scanned_at"] for r in server.requests)
            assert not wait_until(lambda: len(server.requests) > 100, 0.5)  # nothing doubled
    finally:
        stop.set()
        sender.wake()
        thread.join(5)


def test_server_answering_500_then_garbage(standin, store):
    service = make_service(standin.url, store)
    service.scan("LZ1")  # kept while the server works
    standin.mode = "error500"
    assert service.scan("LZ1")["offline"]  # the kept copy, marked offline
    assert service.scan("LZ2")["title"] == "服务器暂时无法回答"
    assert store.pending() == 2  # a 500 is not a delivery: sent again later
    standin.mode = "garbage"
    assert service.scan("LZ3")["title"] == "服务器返回的信息无法显示"
    assert service.last_answer.outcome == "bad_answer" and store.pending() == 2


def test_server_taking_30_seconds(standin, store):
    service = make_service(standin.url, store, scan_timeout=0.5)
    standin.mode = "slow"
    screen = service.scan("LZ1")
    assert screen["title"] == "服务器响应太慢" and service.last_answer.outcome == "timeout"
    assert store.pending() == 1


def test_codes_the_server_refuses(standin, store):
    service = make_service(standin.url, store)
    assert service.scan("wxp://f2f0abcdef")["title"] == "这不是食品追溯码"
    nf = service.scan("NF-LZ0001")
    assert nf["title"] == "查不到这个码" and nf["text"] == "这个码不在追溯平台的记录中。"
    assert store.pending() == 0
    assert service.scan("x" * 3000)["title"] == "无法识别这个码"
    assert len(standin.requests) == 2  # the 3,000 characters were never sent


def test_heartbeat_tolerates_a_server_without_the_endpoint(standin):
    client = ServerClient(standin.url, kiosk_id="market-01", key="k")
    from kiosk.client import heartbeat_payload

    payload = heartbeat_payload(camera="lost", fps=24.96, decode_rate=0.91234, queue=3)
    assert client.heartbeat(payload).outcome == "absent"
    standin.heartbeat_status = 204
    assert client.heartbeat(payload).outcome == "ok"
    assert standin.heartbeats[-1] == {"camera": "lost", "fps": 25.0, "decode_rate": 0.912,
                                      "queue": 3, "version": "0.1.0"}
    standin.stop()
    assert client.heartbeat(payload).outcome == "unreachable"
