"""Related risk along shared places (冷链产品关联风险智能预警). Pure, no I/O.

A cold-chain batch that was in the same cold store, or in the same vehicle, at an overlapping
time as a batch whose inspection failed gets a ``related_risk`` warning naming the place and
the time they shared.

Where a batch was, from its shown events (corrections applied):

- in a store from a ``storage_in`` at a place (by credit code) until the next ``storage_out`` at
  that place, else until its next event elsewhere, else open-ended;
- in a vehicle (``detail.vehicle.plate``) from a ``shipping`` until the next arrival
  (``receiving`` or ``raw_material_intake``), and up to a ``receiving`` from the departure
  before it; a leg whose other end is unknown counts :data:`TRIP` long.

:func:`lookup` says what to read about other batches (stores, plates and a time range);
:func:`related_risk_alerts` decides from those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import SHANGHAI
from core.i18n import T
from tracing.view.masking import mask_plate
from tracing.view.rules import apply_corrections

TRIP = timedelta(hours=24)
STORE_LOOKBACK = timedelta(days=90)  # how long before our stay another batch may have come in
ARRIVALS = ("receiving", "raw_material_intake")


@dataclass(frozen=True)
class Stay:
    kind: str  # store | vehicle
    key: str  # the store's credit code, or the plate
    start: datetime
    end: datetime | None  # None: still there, as far as the records go
    name: str | None = None  # the store's name


def _plate(event: dict) -> str | None:
    vehicle = (event.get("detail") or {}).get("vehicle")
    return vehicle.get("plate") if isinstance(vehicle, dict) else None


def stays(events: list[dict]) -> list[Stay]:
    """The batch's stays in stores and vehicles (``events`` shown, in time order)."""
    timed = [e for e in events if isinstance(e.get("occurred_at"), datetime)]
    out = []
    for i, event in enumerate(timed):
        at, later, earlier = event["occurred_at"], timed[i + 1:], timed[:i]
        place, plate = event.get("place_uscc"), _plate(event)
        if event["kind"] == "storage_in" and place:
            end = next((e["occurred_at"] for e in later if e["kind"] == "storage_out"
                        and e.get("place_uscc") == place), None) or next(
                (e["occurred_at"] for e in later if e.get("place_uscc") != place), None)
            out.append(Stay("store", place, at, end, event.get("place_name")))
        if plate and event["kind"] == "shipping":
            end = next((e["occurred_at"] for e in later if e["kind"] in ARRIVALS), at + TRIP)
            out.append(Stay("vehicle", plate, at, end))
        if plate and event["kind"] in ARRIVALS:
            start = next((e["occurred_at"] for e in reversed(earlier)
                          if e["kind"] == "shipping"), at - TRIP)
            out.append(Stay("vehicle", plate, start, at))
    return out


@dataclass(frozen=True)
class Lookup:
    """What to read about other batches: their events at these stores or in these vehicles
    between ``start`` and ``end`` (None: no upper bound)."""

    stores: tuple[str, ...]
    plates: tuple[str, ...]
    start: datetime
    end: datetime | None


def lookup(own: list[Stay]) -> Lookup | None:
    if not own:
        return None
    ends = [s.end for s in own]
    return Lookup(stores=tuple(sorted({s.key for s in own if s.kind == "store"})),
                  plates=tuple(sorted({s.key for s in own if s.kind == "vehicle"})),
                  start=min(s.start for s in own) - STORE_LOOKBACK,
                  end=None if None in ends else max(ends) + TRIP)


def _failed(events: list[dict]) -> bool:
    return any(((e.get("detail") or {}).get("inspection") or {}).get("result") == "fail"
               for e in events)


def _overlap(a: Stay, b: Stay) -> tuple[datetime, datetime | None] | None:
    start = max(a.start, b.start)
    ends = [e for e in (a.end, b.end) if e is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or start < end else None


def related_risk_alerts(own_events: list[dict], rows: list[dict] | tuple[dict, ...]
                        ) -> list[dict]:
    """``related_risk`` alerts of a batch (its shown events) against the event rows of other
    batches (each with ``batch_id``, ``p_name``, ``lot`` and the event columns)."""
    mine = stays(own_events)
    by_batch: dict[str, list[dict]] = {}
    for row in rows:
        by_batch.setdefault(row["batch_id"], []).append(row)
    out, seen = [], set()
    for batch_id, events in by_batch.items():
        shown = apply_corrections(events)
        if not _failed(shown):
            continue
        for theirs in stays(shown):
            for ours in mine:
                if (ours.kind, ours.key) != (theirs.kind, theirs.key):
                    continue
                shared = _overlap(ours, theirs)
                if shared and (batch_id, ours.kind, ours.key) not in seen:
                    seen.add((batch_id, ours.kind, ours.key))
                    out.append(_alert(ours, shared, events[0]))
    return out


def _local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else T("至今")


def _alert(stay: Stay, shared: tuple[datetime, datetime | None], other: dict) -> dict:
    start, end = shared
    when = T("{start}至{end}", start=_local(start), end=_local(end)) if end else \
        T("{start}起", start=_local(start))
    who = T("检验不合格的{product}（批号{lot}）", product=other.get("p_name") or T("批次"),
            lot=other.get("lot"))
    if stay.kind == "store":
        place = stay.name or stay.key
        where = T("存放在同一冷库（{place}）", place=place)
        data = {"place": place, "place_uscc": stay.key}
    else:
        place = mask_plate(stay.key)
        where = T("由同一车辆（{place}）运输", place=place)
        data = {"plate": place}
    return {"kind": "related_risk", "severity": "medium",
            "message": T("关联风险：{when}，该批次与{who}{where}。请留意后续通报。", when=when, who=who,
                         where=where),
            "shared": stay.kind, "from": start.astimezone(SHANGHAI).isoformat(),
            "to": end.astimezone(SHANGHAI).isoformat() if end else None,
            "batch_id": other["batch_id"], **data}
