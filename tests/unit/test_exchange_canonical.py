"""The canonical form the import hashes is pinned: rows written before and after any change
to how it is computed must verify (tracing/chain.py is the verification contract)."""

from datetime import datetime, timedelta, timezone

from tracing.model.chain import canonical

CONTENT = {
    "event_id": "E1", "batch_id": "B1", "kind": "storage_in", "quantity": 3.0,
    "occurred_at": datetime(2026, 8, 24, 9, 1, 0, 250, tzinfo=timezone(timedelta(hours=8))),
    "place": {"name": "库", "lat": 24.0, "lng": 109.5}, "inputs": ("B0",),
    "detail": {"a": [1.0, {"b": 2.5, "c": (1.0, "x")}], "w": [[[2.0]]], "b": True, "n": None,
               "t": datetime(999, 12, 31, 23, 0, tzinfo=timezone.utc), "e": 1e16},
    "extra": None,
}


def test_canonical_bytes_are_pinned():
    assert canonical(CONTENT) == (
        '{"actor":null,"batch_id":"B1","corrects":null,"detail":{"a":[1,{"b":2.5,"c":[1,"x"]}],'
        '"b":true,"e":10000000000000000,"n":null,"t":"999-12-31T23:00:00.000000Z","w":[[[2]]]},'
        '"event_id":"E1","extra":{},"inputs":["B0"],"kind":"storage_in",'
        '"occurred_at":"2026-08-24T01:01:00.000250Z","place":{"lat":24,"lng":109.5,"name":"库"},'
        '"place_uscc":null,"quantity":3,"unit":null}').encode()


def test_empty_content_has_empty_containers():
    assert canonical({}) == (
        b'{"actor":null,"batch_id":null,"corrects":null,"detail":{},"event_id":null,"extra":{},'
        b'"inputs":[],"kind":null,"occurred_at":null,"place":null,"place_uscc":null,'
        b'"quantity":null,"unit":null}')


def test_unchanged_containers_are_not_copied_but_changed_ones_are():
    place = {"name": "库", "lat": 24.5}
    content = {"place": place, "detail": {"t": [{"celsius": 4.0}]}}
    assert canonical(content) == canonical({"place": dict(place), "detail": {"t": [{"celsius": 4}]}})
    assert content["detail"] == {"t": [{"celsius": 4.0}]}  # the input is left alone
