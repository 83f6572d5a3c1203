"""The kiosk's SQLite file: kept views for offline answers, and the durable scan queue."""

from kiosk.store import OfflineStore


def test_views_kept_and_counted(store):
    store.save_view("LZ1", 200, {"status": "ok"})
    store.save_view("LZ1", 200, {"status": "recalled"})
    kept = store.view("LZ1")
    assert kept.body == {"status": "recalled"} and kept.status == 200 and kept.hits == 2
    assert store.view("LZ1").hits == 3 and store.view("nope") is None


def test_recent_and_frequent_views_survive_the_trim(tmp_path):
    now = [0.0]
    store = OfflineStore(tmp_path / "k.sqlite3", max_views=10, clock=lambda: now[0])
    for _ in range(20):
        now[0] += 1
        store.save_view("FREQUENT", 200, {})
    for i in range(30):
        now[0] += 1
        store.save_view(f"ONCE{i}", 200, {})
    assert store.view_count() <= 10
    assert store.view("FREQUENT", note_scan=False) is not None
    assert store.view("ONCE29", note_scan=False) is not None
    assert store.view("ONCE0", note_scan=False) is None


def test_queue_survives_a_restart_and_claims_are_exclusive(tmp_path):
    now = [100.0]
    path = tmp_path / "k.sqlite3"
    store = OfflineStore(path, claim_seconds=30, clock=lambda: now[0])
    live = store.enqueue("LZ1")  # claimed by the live request
    free = store.enqueue("LZ2", claimed=False)
    assert [s.code for s in store.claim_due()] == ["LZ2"]
    assert store.claim_due() == []  # claimed: nobody else gets it
    store.close()
    store = OfflineStore(path, claim_seconds=30, clock=lambda: now[0] + 31)
    due = store.claim_due()
    assert [(s.scan_id, s.code) for s in due] == [(live.scan_id, "LZ1"), (free.scan_id, "LZ2")]
    store.delivered(live.scan_id)
    store.retry_later(free.scan_id, delay=5, error="unreachable")
    assert store.pending() == 1
    store.unclaim([free.scan_id])
    assert [s.attempts for s in store.claim_due()] == [1]
    store.close()


def test_queue_cap_drops_the_oldest(tmp_path):
    store = OfflineStore(tmp_path / "k.sqlite3", max_queue=5)
    for i in range(8):
        store.enqueue(f"LZ{i}", claimed=False)
    assert [s.code for s in store.claim_due()] == [f"LZ{i}" for i in range(3, 8)]
    store.close()
