"""Builders for valid exchange records (docs/exchange.md, v1.1) and NDJSON bodies.

Each builder returns a fresh ``dict`` that ``validate_record`` accepts; keyword arguments
override or add fields, and :func:`without` drops some. Keys default to one small world:
enterprise ``uscc(1)`` makes product ``P1``, whose batch ``B1`` has code ``LZ0000000001``.
"""

from __future__ import annotations

from typing import Any, Iterable

import orjson

from tracing.codes.identifiers import gtin_check_digit, make_uscc

DIVISION = "450204"  # 柳州市柳南区


def uscc(n: int = 1, division: str = DIVISION) -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    return make_uscc("9", "1", division, f"{n:08d}")


def gtin(n: int = 1) -> str:
    """A valid GTIN-13 with a correct GS1 check digit, distinct for each ``n``."""
    body = f"69{n:010d}"
    return body + gtin_check_digit(body)


def _build(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``over`` applied; a ``None`` override drops the field."""
    return {k: v for k, v in {**base, **over}.items() if v is not None}


def enterprise(n: int = 1, **over: Any) -> dict:
    return _build({
        "type": "enterprise", "uscc": uscc(n), "name": f"柳州螺蛳粉食品有限公司{n}号",
        "kind": "producer", "licence_no": "SC10345020400017", "licence_valid_until": "2029-12-31",
        "address": "广西柳州市柳南区航岭路1号", "division_code": DIVISION,
        "lat": 24.31, "lng": 109.38, "legal_representative": "韦明", "risk_grade": "B",
        "status": "active", "public_phone": "0772-3801234",
    }, over)


def product(product_id: str = "P1", enterprise_n: int = 1, **over: Any) -> dict:
    return _build({
        "type": "product", "product_id": product_id, "enterprise_uscc": uscc(enterprise_n),
        "name": "原味螺蛳粉", "gtin": gtin(int("".join(c for c in product_id if c.isdigit()) or 1)),
        "brand": "柳味", "spec": "330g/袋", "category": "方便食品",
        "standard": "Q/LZ 0001S", "ingredients": ["米粉", "螺蛳汤料", "酸笋"],
        "shelf_life_days": 180, "storage": "阴凉干燥处",
    }, over)


def batch(batch_id: str = "B1", product_id: str = "P1", **over: Any) -> dict:
    return _build({
        "type": "batch", "batch_id": batch_id, "product_id": product_id, "lot": f"L{batch_id}",
        "produced_at": "2026-09-02", "quantity": 5000, "unit": "袋",
    }, over)


def code(code: str = "LZ0000000001", batch_id: str = "B1", **over: Any) -> dict:
    return _build({
        "type": "code", "code": code, "batch_id": batch_id, "level": "batch",
        "issuer": "柳州市市场监管局",
    }, over)


def code_alias(alias: str = "JJJ-110105-0001", code: str = "LZ0000000001", **over: Any) -> dict:
    return _build({"type": "code_alias", "alias": alias, "code": code,
                   "issuer": "京津冀追溯平台"}, over)


def event(event_id: str = "E1", batch_id: str = "B1", kind: str = "production",
          **over: Any) -> dict:
    base = {"type": "event", "event_id": event_id, "batch_id": batch_id, "kind": kind,
            "occurred_at": "2026-09-02T08:00:00+08:00", "place_uscc": uscc(1),
            "actor": "生产部", "quantity": 5000, "unit": "袋"}
    if kind == "inspection":
        base["detail"] = {"inspection": {"item": "菌落总数", "result": "pass",
                                         "report_no": "R-1"}}
    return _build(base, over)


def sampling(sample_id: str = "S1", enterprise_n: int = 1, **over: Any) -> dict:
    return _build({
        "type": "sampling", "sample_id": sample_id, "enterprise_uscc": uscc(enterprise_n),
        "product_name": "原味螺蛳粉", "lot": "LB1", "sampled_at": "2026-09-20",
        "result": "pass", "authority": "柳州市市场监督管理局", "report_no": "CJ-0001",
    }, over)


def enforcement(case_no: str = "LSJ-2026-001", enterprise_n: int = 1, **over: Any) -> dict:
    return _build({
        "type": "enforcement", "case_no": case_no, "enterprise_uscc": uscc(enterprise_n),
        "decided_at": "2026-10-01", "violation": "标签不符合食品安全标准",
        "penalty": "警告，罚款五千元", "authority": "柳州市市场监督管理局",
    }, over)


def recall(recall_id: str = "ZH-2026-0001", **over: Any) -> dict:
    return _build({
        "type": "recall", "recall_id": recall_id, "level": 2, "reason": "酸笋亚硝酸盐超标",
        "started_at": "2026-10-05", "batch_ids": ["B1"], "status": "ongoing",
    }, over)


def notice(notice_id: str = "N1", **over: Any) -> dict:
    return _build({
        "type": "notice", "notice_id": notice_id, "kind": "announcement",
        "title": "关于螺蛳粉追溯的公告", "body": "扫码可查看批次来源。",
        "published_at": "2026-10-06T09:00:00+08:00", "related": ["ZH-2026-0001"],
    }, over)


def without(record: dict, *names: str) -> dict:
    """A copy of ``record`` without ``names``."""
    return {k: v for k, v in record.items() if k not in names}


def world() -> list[dict]:
    """A small valid data set of every type, in reference order (21 records)."""
    return [
        enterprise(1), enterprise(2, kind="retailer", licence_no="JY14502040000011"),
        product("P1"), product("P2", enterprise_n=2, shelf_life_days=None, gtin=None),
        batch("B1"), batch("B2", product_id="P2", expires_at="2027-01-01"), batch("B3"),
        code("LZ0000000001"), code("LZ0000000002", batch_id="B2", level="case"),
        code_alias(),
        event("E1"), event("E2", kind="inspection"),
        event("E3", kind="shipping", detail={"counterparty": {"name": "柳州某超市",
                                                              "uscc": uscc(2)}}),
        event("E4", batch_id="B2", kind="production", inputs=["B1"]),
        event("E5", batch_id="B3", kind="storage_in",
              place={"name": "冷库", "division_code": DIVISION, "lat": 24.3, "lng": 109.4},
              place_uscc=None, detail={"temperatures": [
                  {"at": "2026-09-02T10:00:00+08:00", "celsius": -18}]}),
        sampling("S1"), sampling("S2", enterprise_n=2, result="fail",
                                 failed_items=["亚硝酸盐"]),
        enforcement(), recall(), recall("ZH-2026-0002", batch_ids=None, product_id="P2",
                                        level=3),
        notice(),
    ]


WORLD_COUNTS = {"enterprise": 2, "product": 2, "batch": 3, "code": 2, "code_alias": 1,
                "event": 5, "sampling": 2, "enforcement": 1, "recall": 2, "notice": 1}


def ndjson(records: Iterable[dict | bytes | str]) -> bytes:
    """NDJSON bytes: dicts are encoded (Chinese as UTF-8), bytes/str lines kept as given."""
    out = []
    for record in records:
        if isinstance(record, dict):
            out.append(orjson.dumps(record))
        elif isinstance(record, str):
            out.append(record.encode())
        else:
            out.append(record)
    return b"\n".join(out) + b"\n"
