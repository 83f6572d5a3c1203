"""Demo data: Liuzhou's river-snail rice noodle (螺蛳粉) chain in exchange format v1 (NDJSON).

Written cluster by cluster (about 10-20 enterprises: suppliers, producers, cold storage,
wholesale, markets, shops, caterers), each cluster's records in reference order (enterprise,
product, batch, code, code_alias, event, then sampling/enforcement/recall/notice), so memory
stays flat at any scale. The first cluster holds the well-known records of :data:`DEMO_KEYS`.
Deterministic for a given ``seed`` and ``now``.
"""

from __future__ import annotations

import json
import random
import typing
from datetime import date, datetime, timedelta

from tracing.demo import names
from tracing.demo.names import CST, RETAIL, Context, gtin_for, uscc_for
from tracing.codes.identifiers import gtin14

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; keep a slow fallback
    orjson = None

DEFAULT_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=CST)
MIN_ENTERPRISES = 10
CORE = ("snail", "noodle", "bamboo", "sides", "producer", "cold_storage", "wholesaler",
        "market", "retailer", "caterer")
CORE_DIVISIONS = ("450206", "450204", "450224", "450203", "450204", "450203", "450205",
                  "450202", "450202", "450205")
EXTRAS = (("producer",) * 3 + ("retailer",) * 4 + ("caterer",) * 4
          + ("market", "wholesaler", "packaging", "yuba", "snail_proc", "noodle", "bamboo"))
OK_LOT, RECALLED_LOT, EXCURSION_LOT = "L260902A", "L260917A", "LS261002"
RECALL_ID = "ZH-2026-0007"


_OK_CODE, _RECALLED_CODE, _EXCURSION_CODE = "LZ040000000001", "LZ040000000002", "LZ060000000003"
DEMO_KEYS = {
    "ok_code": _OK_CODE,
    "recalled_code": _RECALLED_CODE,
    "excursion_code": _EXCURSION_CODE,
    "item_code": _OK_CODE + "000001",
    "withdrawn_code": _OK_CODE + "000002",
    "case_code": _OK_CODE + "C001",
    "gs1_digital_link": f"https://id.gs1.org/01/{gtin14(gtin_for(4, 0))}/10/{OK_LOT}/21/000001",
    "alias": "JJJ-110105-2609020173",
    "failed_sampling_uscc": uscc_for(4, CORE_DIVISIONS[4]),
    "enforced_uscc": uscc_for(9, CORE_DIVISIONS[9]),
    "recall_id": RECALL_ID,
}


def _ndjson(records: list[dict]) -> str:
    """Records as NDJSON lines, Chinese left readable."""
    if orjson is not None:
        option = orjson.OPT_APPEND_NEWLINE
        return b"".join([orjson.dumps(rec, option=option) for rec in records]).decode()
    return "".join(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for rec in records)


class _Cluster:
    """One self-contained slice of the chain; its records are written together."""

    def __init__(self, g: Context, size: int, special: bool):
        self.g, self.special = g, special
        self.out: dict[str, list] = {k: [] for k in (
            "enterprise", "product", "batch", "code", "code_alias", "event", "tail")}
        r = g.rng
        roles = list(CORE) + [r.choice(EXTRAS) for _ in range(size - len(CORE))]
        self.ents = []
        for i, role in enumerate(roles):
            division = CORE_DIVISIONS[i] if special and i < len(CORE) else g.division(role)
            rec, info = g.enterprise(role, division)
            if special and i < len(CORE):
                rec["status"] = "suspended" if role == "caterer" else "active"
            if special and role == "caterer" and i < len(CORE):
                rec["risk_grade"] = "D"
            self.out["enterprise"].append(rec)
            self.ents.append(info)
        self.by_role: dict[str, list] = {}
        for e in self.ents:
            self.by_role.setdefault(e["role"], []).append(e)
        self.stock: dict[str, list] = {}  # ingredient -> supplier products
        self.used: set[str] = set()

    # -- products -------------------------------------------------------------------------
    def products(self) -> None:
        g, r = self.g, self.g.rng
        makers = [e for e in self.ents if e["role"] in names.SUPPLY_ROLES or e["role"] == "producer"]
        counts = {e["index"]: len(names.ROLE_INGREDIENTS.get(e["role"], "1")) for e in makers}
        extra = max(0, round(len(self.ents) * g.ppe) - sum(counts.values()))
        weights = [3 if e["role"] == "producer" else 1 for e in makers]
        for e in r.choices(makers, weights, k=extra):
            counts[e["index"]] += 1
        if self.special:
            first = self.by_role["producer"][0]["index"]
            counts[first] = max(counts[first], 2)
        for e in makers:
            e["products"] = [self.product(e, k) for k in range(counts[e["index"]])]

    def product(self, e: dict, k: int) -> dict:
        r, idx = self.g.rng, e["index"]
        trade = e["trade"]
        rec = {"type": "product", "product_id": f"LZP{idx:07d}-{k:02d}",
               "enterprise_uscc": e["uscc"], "gtin": gtin_for(idx, k), "brand": trade}
        if e["role"] == "producer":
            flavour = names.FLAVOURS[(k + idx) % len(names.FLAVOURS)]
            rec.update(name=f"{trade}柳州螺蛳粉（{flavour}）", spec=r.choice(names.SPECS),
                       category="方便食品（米粉制品）",
                       standard=r.choice(names.STANDARDS).format(n=idx % 1000),
                       ingredients=list(names.LUOSIFEN_INGREDIENTS[:6 + r.randint(0, 3)]),
                       shelf_life_days=r.choice((90, 180, 180, 240)),
                       storage="置于阴凉干燥处，避免阳光直射")
            info = {"rec": rec, "ing": "luosifen", "unit": "袋", "cold": False}
        else:
            ings = names.ROLE_INGREDIENTS[e["role"]]
            ing = ings[k % len(ings)]
            variants = names.RAW_PRODUCTS[ing]
            name, spec, category, _, standard, shelf, storage, unit = \
                variants[(k // len(ings)) % len(variants)]
            grade = ("", "（特级）", "（一级）", "（精选）", "（散装）")[(k // len(ings)) % 5]
            rec.update(name=name + grade, spec=spec, category=category, standard=standard,
                       shelf_life_days=shelf, storage=storage)
            info = {"rec": rec, "ing": ing, "unit": unit, "cold": ing == "snail"}
            self.stock.setdefault(ing, []).append(info)
        info["owner"] = e
        self.out["product"].append(rec)
        return info

    # -- batches, codes, events -----------------------------------------------------------
    def batch(self, prod: dict, produced: date, lot: str, quantity: int, code: str = "") -> dict:
        g = self.g
        rec = {"type": "batch", "batch_id": g.next_id("batch", "B", 9),
               "product_id": prod["rec"]["product_id"], "lot": lot,
               "produced_at": produced.isoformat(), "quantity": quantity, "unit": prod["unit"],
               "expires_at": (produced + timedelta(days=prod["rec"]["shelf_life_days"])
                              ).isoformat()}
        self.out["batch"].append(rec)
        if not code:
            g.code += 1
            code = f"LZ{prod['owner']['uscc'][6:8]}{g.code:010d}"
        self.out["code"].append({"type": "code", "code": code, "batch_id": rec["batch_id"],
                                 "level": "batch", "issuer": "柳州市食品安全追溯平台"})
        self.last_code = code
        return rec

    def chain(self, batch: dict, steps: list) -> list[dict]:
        """Append the events of ``steps`` (kind, time, place, extra) that happened by now."""
        events = []
        for kind, when, place, extra in steps:
            if when > self.g.now:
                break
            ev = {"type": "event", "event_id": self.g.next_id("event", "E", 10),
                  "batch_id": batch["batch_id"], "kind": kind,
                  "occurred_at": when.isoformat(), "place_uscc": place["uscc"],
                  "actor": extra.pop("actor", None) or self.g.person()}
            ev.update(extra)
            events.append(ev)
        self.out["event"].extend(events)
        return events

    def raw_batch(self, prod: dict, intake: date, producer: dict, excursion: bool = False):
        g, r = self.g, self.g.rng
        supplier, ing = prod["owner"], prod["ing"]
        made = intake - timedelta(days=1 if ing == "snail" else r.randint(3, 10))
        lot = EXCURSION_LOT if excursion else f"{made:%y%m%d}{r.randint(1, 9):02d}"
        batch = self.batch(prod, made, lot, r.randint(20, 200) * 10,
                           _EXCURSION_CODE if excursion else "")
        qty, unit = batch["quantity"], batch["unit"]
        steps = [("production", g.at(made, 6, r.randint(0, 59)), supplier,
                  {"quantity": qty, "unit": unit}),
                 ("inspection", g.at(made, 10, r.randint(0, 59)), supplier,
                  g.inspection(names.RAW_INSPECTIONS[ing], made, "JC"))]
        depart = g.at(intake, 7, r.randint(0, 30))
        ship = {"quantity": qty, "unit": unit,
                "detail": {"counterparty": {"name": producer["name"], "uscc": producer["uscc"]}}}
        if prod["cold"]:
            store = self.by_role["cold_storage"][0]
            steps += [("storage_in", g.at(made, 15), store, {"quantity": qty, "unit": unit}),
                      ("storage_out", g.at(intake, 5, 30), store, {"quantity": qty,
                                                                   "unit": unit})]
            ship["detail"]["temperatures"] = [
                {"at": (depart + timedelta(minutes=30 * i)).isoformat(),
                 "celsius": round(4.5 + 1.7 * i if excursion else r.uniform(1.0, 5.0), 1)}
                for i in range(5)]
            ship["detail"]["certificates"] = self.certificates(supplier, store, made)
            supplier = store
        steps.append(("shipping", depart, supplier, ship))
        if excursion:
            steps.append(("destruction", depart + timedelta(hours=3), producer, {
                "quantity": qty, "unit": unit,
                "detail": {"reason": "冷链运输途中温度超过8℃，拒收并监督销毁"}}))
        else:
            steps.append(("raw_material_intake", depart + timedelta(hours=3), producer, {
                "quantity": qty, "unit": unit,
                "detail": {"counterparty": {"name": prod["owner"]["name"],
                                            "uscc": prod["owner"]["uscc"]}}}))
        self.chain(batch, steps)
        self.used.add(prod["rec"]["product_id"])
        return batch

    def certificates(self, supplier: dict, store: dict, made: date) -> list[dict]:
        r = self.g.rng
        return [{"kind": "quarantine", "number": f"45{r.randrange(10**10):010d}",
                 "issuer": names.CERT_ISSUERS["quarantine"].format(d=supplier["district"])},
                {"kind": "disinfection", "number": f"XD{made:%Y%m%d}{r.randrange(999):03d}",
                 "issuer": store["name"]},
                {"kind": "nucleic_acid", "number": f"HS{made:%Y%m%d}{r.randrange(10**4):04d}",
                 "issuer": names.CERT_ISSUERS["nucleic_acid"]}]

    def producer_batches(self, producer: dict) -> None:
        g, r = self.g, self.g.rng
        plans = []
        for n, prod in enumerate(producer["products"]):
            count = r.randint(1, 3)
            if self.special and producer is self.by_role["producer"][0] and n == 0:
                plans += [(g.today - timedelta(days=60), prod, "ok"),
                          (g.today - timedelta(days=45), prod, "recalled")]
                count = max(0, count - 2)
            plans += [(g.today - timedelta(days=r.randint(2, 120)), prod, "") for _ in range(count)]
        stock: dict[str, tuple[dict, date]] = {}
        for made, prod, special in sorted(plans, key=lambda p: p[0]):
            inputs = []
            for ing, suppliers in self.stock.items():
                held = stock.get(ing)
                if held is None or ing == "snail" or (made - held[1]).days > 20:
                    intake = made - timedelta(days=r.randint(1, 3))
                    held = (self.raw_batch(r.choice(suppliers), intake, producer), intake)
                    stock[ing] = held
                inputs.append(held[0]["batch_id"])
            self.luosifen_batch(producer, prod, made, inputs, special)

    def luosifen_batch(self, producer, prod, made: date, inputs: list, special: str) -> None:
        g, r = self.g, self.g.rng
        lot = {"ok": OK_LOT, "recalled": RECALLED_LOT}.get(special) or \
            f"L{made:%y%m%d}{r.choice('ABC')}"
        code = {"ok": _OK_CODE, "recalled": _RECALLED_CODE}.get(special, "")
        batch = self.batch(prod, made, lot, r.randint(20, 200) * 100, code)
        qty = batch["quantity"]
        whole = r.choice(self.by_role["wholesaler"])
        shop = self.by_role["retailer"][0] if special else r.choice(
            [e for e in self.ents if e["role"] in RETAIL])
        out_day = made + timedelta(days=r.randint(1, 5))
        on_day = out_day + timedelta(days=r.randint(1, 4))
        sent = min(qty, r.randint(5, 60) * 20)
        steps = [
            ("production", g.at(made, 9, r.randint(0, 59)), producer,
             {"quantity": qty, "unit": "袋", "inputs": inputs}),
            ("inspection", g.at(made, 15, r.randint(0, 59)), producer,
             g.inspection(names.FACTORY_CHECK, made, "CC")),
            ("storage_in", g.at(made, 17, 30), producer, {"quantity": qty, "unit": "袋"}),
            ("storage_out", g.at(out_day, 8), producer, {"quantity": qty, "unit": "袋"}),
            ("shipping", g.at(out_day, 8, 30), producer, {"quantity": qty, "unit": "袋", "detail": {
                "counterparty": {"name": whole["name"], "uscc": whole["uscc"]},
                "vehicle": f"桂B{r.randrange(10**5):05d}"}}),
            ("receiving", g.at(out_day, 11, r.randint(0, 59)), whole, {"quantity": qty, "unit": "袋",
             "detail": {"counterparty": {"name": producer["name"], "uscc": producer["uscc"]}}}),
            ("shipping", g.at(on_day, 7), whole, {"quantity": sent, "unit": "袋", "detail": {
                "counterparty": {"name": shop["name"], "uscc": shop["uscc"]}}}),
            ("receiving", g.at(on_day, 9, r.randint(0, 59)), shop, {"quantity": sent, "unit": "袋",
             "detail": {"counterparty": {"name": whole["name"], "uscc": whole["uscc"]}}}),
            ("sale", g.at(on_day + timedelta(days=r.randint(1, 10)), r.randint(10, 20)), shop,
             {"quantity": max(1, sent // r.randint(2, 5)), "unit": "袋"}),
        ]
        events = self.chain(batch, steps)
        if not special and r.random() < 0.25:  # some lines print case and item labels
            self.out["code"] += [{"type": "code", "code": f"{self.last_code}{serial}",
                                  "batch_id": batch["batch_id"], "level": level,
                                  "serial": serial, "issuer": "柳州市食品安全追溯平台"}
                                 for level, serial in (("case", "C001"), ("item", "000001"),
                                                       ("item", "000002"))]
        if special == "ok":
            self.ok_extras(batch, events)
        elif special == "recalled":
            self.chain(batch, [("recall", g.at(g.today - timedelta(days=7), 10), producer, {
                "quantity": qty, "unit": "袋", "detail": {"recall_id": RECALL_ID}})])
            self.recalled = (batch, prod, producer)

    def ok_extras(self, batch: dict, events: list) -> None:
        """Item, case and withdrawn codes, a cross-region alias and a quantity correction."""
        bid = batch["batch_id"]
        self.out["code"] += [
            {"type": "code", "code": DEMO_KEYS["case_code"], "batch_id": bid, "level": "case",
             "serial": "C001", "issuer": "柳州市食品安全追溯平台"},
            {"type": "code", "code": DEMO_KEYS["item_code"], "batch_id": bid, "level": "item",
             "serial": "000001", "issuer": "柳州市食品安全追溯平台"},
            {"type": "code", "code": DEMO_KEYS["withdrawn_code"], "batch_id": bid,
             "level": "item", "serial": "000002", "issuer": "柳州市食品安全追溯平台",
             "status": "withdrawn"}]
        self.out["code_alias"].append({"type": "code_alias", "alias": DEMO_KEYS["alias"],
                                       "code": _OK_CODE, "issuer": "京津冀冷链"})
        stored = next(e for e in events if e["kind"] == "storage_in")
        fix = dict(stored, event_id=self.g.next_id("event", "E", 10),
                   corrects=stored["event_id"], detail={"reason": "入库数量录入少一位，更正"})
        stored["quantity"] //= 10
        self.out["event"].insert(self.out["event"].index(stored) + 1, fix)

    def raw_only(self) -> None:
        """Supplier products no producer here used still get one inspected batch."""
        g, r = self.g, self.g.rng
        for ings in self.stock.values():
            for prod in ings:
                if prod["rec"]["product_id"] in self.used:
                    continue
                made = g.today - timedelta(days=r.randint(2, 120))
                batch = self.batch(prod, made, f"{made:%y%m%d}{r.randint(1, 9):02d}",
                                   r.randint(20, 200) * 10)
                self.chain(batch, [
                    ("production", g.at(made, 7), prod["owner"], {"quantity": batch["quantity"],
                                                                 "unit": batch["unit"]}),
                    ("inspection", g.at(made, 11), prod["owner"],
                     g.inspection(names.RAW_INSPECTIONS[prod["ing"]], made, "JC"))])

    # -- official records -----------------------------------------------------------------
    def samplings(self) -> list[str]:
        g, r, ids = self.g, self.g.rng, []
        for b in self.out["batch"]:
            if b["unit"] != "袋" or r.random() > 0.2 or b["lot"] == RECALLED_LOT:
                continue
            when = date.fromisoformat(b["produced_at"]) + timedelta(days=r.randint(3, 20))
            if when < g.today:
                ids.append(self.sampling(b, when, None))
        return ids

    def sampling(self, b: dict, when: date, failed: list | None) -> str:
        sid = self.g.next_id("sample", "CJ2026", 7)
        prod = next(p for p in self.out["product"] if p["product_id"] == b["product_id"])
        rec = {"type": "sampling", "sample_id": sid, "enterprise_uscc": prod["enterprise_uscc"],
               "product_name": prod["name"], "lot": b["lot"], "sampled_at": when.isoformat(),
               "result": "fail" if failed else "pass", "authority": names.SAMPLING_AUTHORITY,
               "report_no": f"GXJC{when:%Y%m%d}{self.g.sample % 10000:04d}"}
        if failed:
            rec.update(failed_items=failed, source_system="LZ-SUPERVISION")
        self.out["tail"].append(rec)
        return sid

    def official(self, sample_ids: list[str]) -> None:
        """Failed sampling, recall, enforcement and notices of the special cluster."""
        g, tail = self.g, self.out["tail"]
        batch, prod, producer = self.recalled
        failed = self.sampling(batch, g.today - timedelta(days=20), [names.STORY["failed_item"]])
        started = g.at(g.today - timedelta(days=7), 10)
        case = "LZSJ-CF-2026-0088"
        caterer = self.by_role["caterer"][0]
        tail += [
            {"type": "enforcement", "case_no": case, "enterprise_uscc": caterer["uscc"],
             "document_no": names.STORY["document_no"],
             "decided_at": (started - timedelta(days=30)).date().isoformat(),
             "violation": names.STORY["violation"], "penalty": names.STORY["penalty"],
             "authority": names.SAMPLING_AUTHORITY, "source_system": "LZ-SUPERVISION"},
            {"type": "recall", "recall_id": RECALL_ID, "level": 2, "reason": names.STORY["reason"],
             "started_at": started.date().isoformat(), "batch_ids": [batch["batch_id"]],
             "status": "ongoing"},
            self.notice("recall", started, [RECALL_ID, batch["batch_id"]],
                        producer=producer["name"], product=prod["rec"]["name"], lot=batch["lot"]),
            self.notice("sampling", started - timedelta(days=5), [failed] + sample_ids[:20],
                        count=len(sample_ids) + 1),
            self.notice("enforcement", started - timedelta(days=28), [case, caterer["uscc"]],
                        name=caterer["name"]),
            self.notice("announcement", g.at(g.today - timedelta(days=100), 9), []),
        ]

    def notice(self, kind: str, when: datetime, related: list, **words: str) -> dict:
        title, body = names.NOTICES[kind]
        return {"type": "notice", "notice_id": self.g.next_id("notice", "GG", 7), "kind": kind,
                "title": title.format(**words), "body": body.format(**words),
                "published_at": when.isoformat(), "related": related}

    def enforcements(self) -> None:
        g, r = self.g, self.g.rng
        for e in self.ents:
            if e["risk"] == "D" and r.random() < 0.3 and not (self.special and e["index"] < 10):
                when = g.today - timedelta(days=r.randint(10, 300))
                self.out["tail"].append({
                    "type": "enforcement", "enterprise_uscc": e["uscc"],
                    "case_no": g.next_id("case", f"LZSJ-CF-{when.year}-", 4),
                    "decided_at": when.isoformat(), "violation": r.choice(names.VIOLATIONS),
                    "penalty": f"警告，罚款人民币{r.choice((5000, 10000, 20000, 50000))}元",
                    "authority": names.SAMPLING_AUTHORITY})

    def build(self) -> None:
        self.products()
        for producer in self.by_role["producer"]:
            self.producer_batches(producer)
        if self.special:
            farm, producer = self.by_role["snail"][0], self.by_role["producer"][0]
            self.raw_batch(farm["products"][0], self.g.today - timedelta(days=30), producer,
                           excursion=True)
        self.raw_only()
        sample_ids = self.samplings()
        if self.special:
            self.official(sample_ids)
        self.enforcements()


def write_demo(out: typing.TextIO, *, enterprises: int = 60, products_per_enterprise: float = 3.0,
               seed: int = 7, now: datetime | None = None) -> dict[str, int]:
    """Write the demo data set as NDJSON lines to ``out``; return counts per record type."""
    now = DEFAULT_NOW if now is None else now
    now = now.replace(tzinfo=CST) if now.tzinfo is None else now.astimezone(CST)
    g = Context(random.Random(seed), now, max(0.0, products_per_enterprise))
    counts: dict[str, int] = {}
    remaining = max(MIN_ENTERPRISES, int(enterprises))
    first = True
    while remaining:
        size = MIN_ENTERPRISES + g.rng.randint(0, 10)
        if remaining - size < MIN_ENTERPRISES:
            size = remaining
        remaining -= size
        cluster = _Cluster(g, size, special=first)
        cluster.build()
        first = False
        for kind, records in cluster.out.items():
            for rec in records if kind == "tail" else records[:1]:
                step = 1 if kind == "tail" else len(records)
                counts[rec["type"]] = counts.get(rec["type"], 0) + step
            out.write(_ndjson(records))
    return counts
