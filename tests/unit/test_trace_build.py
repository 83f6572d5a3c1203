"""The trace view built from hand-made rows (no database): corrections, the input tree,
alerts and their order, masking, certificates, tags, and the product-level view."""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone

import orjson

from tracing.view.build import build_view
from tracing.view.queries import ViewRows
from tracing.view.resolve import Resolved
from tracing.view.rules import Limits

TODAY = date(2026, 11, 1)
UTC = timezone.utc
MAIN_USCC = "91450204MA5L000001"


def batch(n: int, **more) -> dict:
    """A batch row with its product and producer columns, decoded as the queries give them."""
    return {"batch_id": f"B{n}", "lot": f"L{n}", "produced_at": date(2026, 9, 1),
            "expires_at": None, "quantity": 100, "unit": "袋", "product_id": f"P{n}",
            "p_name": f"产品{n}", "gtin": None, "brand": None, "spec": None, "category": None,
            "standard": None, "ingredients": [], "shelf_life_days": None, "storage": "常温",
            "uscc": MAIN_USCC if n == 0 else f"9145020400000000{n:02d}", "e_name": f"企业{n}",
            "e_kind": "producer", "licence_no": None, "licence_valid_until": None,
            "address": "柳州", "division_code": "450204", "lat": None, "lng": None,
            "risk_grade": "A", "e_status": "active", "public_phone": None, **more}


def event(event_id: str, batch_id: str, seq: int, *, hour: int = 8, **more) -> dict:
    return {"event_id": event_id, "batch_id": batch_id, "seq": seq, "kind": "storage_in",
            "occurred_at": datetime(2026, 9, 2, hour, tzinfo=UTC), "place_uscc": None,
            "place": None, "actor": None, "quantity": 100, "unit": "袋", "inputs": [],
            "detail": {}, "corrects": None, "place_name": None, "place_division": None, **more}


def recall(recall_id: str, *, batch_id=None, product_id=None, status="ongoing") -> dict:
    return {"recall_id": recall_id, "level": 2, "reason": "致病菌超标",
            "started_at": date(2026, 10, 20), "status": status, "product_id": product_id,
            "batch_id": batch_id}


def sampling(sample_id: str, b: dict, *, result="fail", name=None, items=("铅",)) -> dict:
    return {"sample_id": sample_id, "enterprise_uscc": b["uscc"], "product_name": name,
            "lot": b["lot"], "sampled_at": date(2026, 9, 10), "result": result,
            "failed_items": list(items), "authority": "柳州市市场监督管理局", "report_no": "R1"}


def view(main: dict, *, inputs=(), links=(), events=(), depth=3, today=TODAY, **rows):
    resolved = Resolved(level="batch", subject="LZ0", row=main,
                        code={"code": "LZ0", "level": "batch", "serial": None, "issuer": "x"},
                        queries=1)
    return build_view(ViewRows(resolved=resolved, depth=depth, batches=(main, *inputs),
                               links=tuple(links), events=tuple(events), queries=6,
                               **{k: tuple(v) for k, v in rows.items()}),
                      today=today, limits=Limits())


def chain(depth=3):
    """B0 made from B1 and B2; B1 made from B3; B3 made from B1 (a cycle in the records)."""
    b = [batch(i) for i in range(4)]
    events = [event("E0", "B0", 1, kind="production", inputs=["B1", "B2"]),
              event("E1", "B1", 2, kind="production", inputs=["B3"]),
              event("E2", "B2", 3), event("E3", "B3", 4, kind="production", inputs=["B1"])]
    links = [("B0", "B1"), ("B0", "B2"), ("B1", "B3"), ("B3", "B1")]
    return b, events, links


def ids(nodes: list[dict]) -> list:
    return [(n["batch"]["batch_id"], ids(n["inputs"])) for n in nodes]


class TestCorrections:
    def test_a_correction_is_shown_in_place_of_the_event_it_corrects(self):
        main = batch(0)
        v = view(main, events=[event("E1", "B0", 1, quantity=650, actor="谭军"),
                               event("E2", "B0", 2, quantity=6500, corrects="E1")])
        [shown] = v.body["events"]
        assert shown["event_id"] == "E1" and shown["quantity"] == 6500
        assert shown["corrected"] is True and shown["corrected_by"] == ["E2"]
        assert [h["quantity"] for h in shown["history"]] == [650]
        assert shown["history"][0]["actor"] == "谭*"

    def test_the_tree_follows_the_inputs_of_the_corrected_event(self):
        b, _, links = chain()
        events = [event("E0", "B0", 1, kind="production", inputs=["B1", "B2"]),
                  event("E9", "B0", 9, kind="production", inputs=["B2"], corrects="E0")]
        v = view(b[0], inputs=b[1:], links=links, events=events)
        assert ids(v.body["inputs"]) == [("B2", [])]


class TestInputTree:
    def test_walks_named_inputs_in_order_and_never_round_a_cycle(self):
        b, events, links = chain()
        v = view(b[0], inputs=b[1:], links=links, events=events)
        assert ids(v.body["inputs"]) == [("B1", [("B3", [])]), ("B2", [])]

    def test_stops_at_the_depth_read(self):
        b, events, links = chain()
        v = view(b[0], inputs=b[1:], links=links, events=events, depth=1)
        assert ids(v.body["inputs"]) == [("B1", []), ("B2", [])]

    def test_a_batch_no_shown_event_names_is_not_an_input(self):
        b, events, links = chain()
        events[0] = event("E0", "B0", 1, kind="production", inputs=["B2"])
        v = view(b[0], inputs=b[1:], links=links, events=events)
        assert ids(v.body["inputs"]) == [("B2", [])]

    def test_tags_cover_every_batch_product_producer_and_place_shown(self):
        b, events, links = chain()
        events[0]["place_uscc"] = "914502040000000098"
        events[2] = event("E2", "B2", 3, place_uscc="914502040000000099")
        v = view(b[0], inputs=b[1:], links=links, events=events)
        expected = {f"{kind}:{x[key]}" for x in b for kind, key in
                    (("batch", "batch_id"), ("product", "product_id"), ("enterprise", "uscc"))}
        assert v.tags == expected | {"code:LZ0", "enterprise:914502040000000098",
                                     "enterprise:914502040000000099"}


class TestAlerts:
    def test_order_status_and_which_input_alerts_reach_the_view(self):
        b, events, links = chain()
        b[0].update(expires_at=date(2026, 10, 1), e_status="suspended")
        b[3]["expires_at"] = date(2026, 10, 1)  # its completed recall is history now
        b[2]["storage"] = "0-4℃冷藏"
        events[2] = event("E2", "B2", 3, detail={"temperatures": [{"celsius": 12.5}]})
        v = view(b[0], inputs=b[1:], links=links, events=events,
                 recalls=[recall("R-IN", batch_id="B1"), recall("R-OLD", product_id="P3",
                                                                 status="completed"),
                          recall("R-OWN", product_id="P0")],
                 samplings=[sampling("S-OWN", b[0]), sampling("S-IN", b[1])])
        assert [(a["kind"], a.get("recall_id")) for a in v.alerts] == [
            ("recall", "R-OWN"), ("recall", "R-IN"), ("expired", None),
            ("failed_sampling", None), ("licence_suspended", None),
            ("input_failed_sampling", None), ("input_temperature_excursion", None)]
        assert v.status == "recalled"  # the scanned batch's alerts first within a kind
        node_b3 = v.body["inputs"][0]["inputs"][0]
        assert [a["kind"] for a in node_b3["alerts"]] == ["recall_history"]
        assert "产品1（批号L1）" in v.alerts[5]["message"]

    def test_a_clean_batch_is_ok_and_one_expiring_soon_is_a_warning(self):
        assert view(batch(0)).status == "ok" and view(batch(0)).alerts == []
        soon = view(batch(0, expires_at=date(2026, 11, 2)))
        assert [a["kind"] for a in soon.alerts] == ["expiring"] and soon.status == "warning"

    def test_samplings_match_producer_lot_and_product_name(self):
        main = batch(0)
        v = view(main, samplings=[sampling("S1", main, name="产品0"),
                                  sampling("S2", main, name="别的产品"),
                                  sampling("S3", main, result="pass")])
        assert [s["sample_id"] for s in v.body["inspections"]["sampling"]] == ["S1", "S3"]
        assert [a["sample_id"] for a in v.alerts] == ["S1"]
        assert v.body["inspections"]["sampling"][0]["sampled_at"] == "2026-09-10"


class TestPublicData:
    def test_people_and_numbers_are_masked(self):
        main = batch(0)
        detail = {"inspection": {"item": "菌落总数", "result": "pass", "inspector": "林永福"},
                  "reason": "联系13812345678", "internal_note": "不公开"}
        v = view(main, events=[event("E1", "B0", 1, actor="欧阳娜娜", detail=detail)],
                 enforcements=[{"case_no": "C1", "decided_at": date(2026, 8, 1),
                                "violation": "身份证11010519491231002X", "penalty": "罚款",
                                "authority": "局"}])
        [shown] = v.body["events"]
        assert shown["actor"] == "欧***" and shown["detail"]["reason"] == "联系138****5678"
        assert "internal_note" not in shown["detail"]
        assert v.body["inspections"]["factory"][0]["inspector"] == "林**"
        [case] = v.body["enterprise"]["enforcements"]
        assert case["violation"] == "身份证110105********002X"
        assert case["decided_at"] == "2026-08-01"

    def test_certificates_licence_first_then_own_events_then_inputs(self):
        b, events, links = chain()
        b[0].update(licence_no="SC10345020400001", licence_valid_until=date(2027, 1, 1))
        events[2] = event("E2", "B2", 3, detail={"certificates": [{"kind": "quarantine",
                                                                    "number": "Q2"}]})
        events[0]["detail"] = {"certificates": [{"kind": "inspection", "number": "I0"}]}
        v = view(b[0], inputs=b[1:], links=links, events=events)
        assert [(c["kind"], c["number"], c.get("batch_id")) for c in
                v.body["certificates"]] == [("licence", "SC10345020400001", None),
                                           ("inspection", "I0", "B0"), ("quarantine", "Q2", "B2")]
        assert v.body["certificates"][0]["valid_until"] == "2027-01-01"

    def test_the_rows_are_not_changed_and_the_view_is_the_same_twice(self):
        b, events, links = chain()
        rows = dict(inputs=b[1:], links=links, events=events,
                    recalls=[recall("R1", batch_id="B0")], samplings=[sampling("S", b[0])])
        before = copy.deepcopy((b, events, rows))
        first, second = view(b[0], **rows), view(b[0], **rows)
        assert (b, events, rows) == before
        assert orjson.dumps(first.body) == orjson.dumps(second.body)
        assert first.alerts == second.alerts and first.queries == 6


class TestProductLevel:
    def product_view(self, recalls, fallback=None):
        row = {k: v for k, v in batch(0).items() if k not in
               ("batch_id", "lot", "produced_at", "expires_at", "quantity", "unit")}
        resolved = Resolved(level="product", subject="01/06901234567892", row=row,
                            fallback=fallback, queries=1)
        recent = [{"batch_id": f"B{i}", "lot": f"L{i}", "produced_at": date(2026, 9, i),
                   "expires_at": None, "quantity": 1, "unit": "袋"} for i in (2, 1)]
        return build_view(ViewRows(resolved=resolved, depth=3, recent_batches=tuple(recent),
                                   recalls=tuple(recalls), queries=4),
                          today=TODAY, limits=Limits())

    def test_a_recall_of_some_batches_is_not_this_packs_recall(self):
        v = self.product_view([recall("R1", batch_id="B1")])
        assert [(a["kind"], a["severity"]) for a in v.alerts] == [
            ("recall_of_some_batches", "high")]
        assert v.status == "warning" and v.body["batch"] is None
        assert [b["produced_at"] for b in v.body["recent_batches"]] == ["2026-09-02",
                                                                       "2026-09-01"]
        assert v.tags == {"product:P0", f"enterprise:{MAIN_USCC}", "batches-of:P0",
                          "batch:B1", "batch:B2"}

    def test_a_recall_of_the_product_is_a_recall(self):
        v = self.product_view([recall("R1", batch_id="B1"), recall("R2", product_id="P0")])
        assert [a["kind"] for a in v.alerts] == ["recall", "recall_of_some_batches"]
        assert v.status == "recalled"

    def test_the_fallback_is_said(self):
        fallback = {"from": "lot", "lot": "X", "to": "product", "message": "批号 X 未登记"}
        v = self.product_view([], fallback=fallback)
        assert v.body["resolved"] == {"subject": "01/06901234567892", "fallback": fallback}
        assert v.status == "ok" and v.body["code"] is None
