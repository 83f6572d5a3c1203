"""Products of a cluster: luosifen of the producers, raw materials of the suppliers.

Each maker gets at least one product per ingredient it supplies; the rest of the cluster's
``products_per_enterprise`` share goes to makers at random, producers weighted three to one.
Supplier products are stocked by ingredient for the producers to draw raw batches from.
"""

from __future__ import annotations

import random

from tracing.demo import names
from tracing.demo.cluster import Cluster

GRADES = ("", "（特级）", "（一级）", "（精选）", "（散装）")


def add_products(cluster: Cluster) -> None:
    """Give every supplier and producer of ``cluster`` its products (``e["products"]``)."""
    makers = [e for e in cluster.ents
              if e["role"] in names.SUPPLY_ROLES or e["role"] == "producer"]
    counts = _product_counts(cluster, makers)
    for e in makers:
        e["products"] = [_product(cluster, e, k) for k in range(counts[e["index"]])]


def _product_counts(cluster: Cluster, makers: list[dict]) -> dict[int, int]:
    r = cluster.ctx.rng
    counts = {e["index"]: len(names.ROLE_INGREDIENTS.get(e["role"], "1")) for e in makers}
    extra = max(0, round(len(cluster.ents) * cluster.ctx.ppe) - sum(counts.values()))
    weights = [3 if e["role"] == "producer" else 1 for e in makers]
    for e in r.choices(makers, weights, k=extra):
        counts[e["index"]] += 1
    if cluster.special:  # the ok and recalled batches need the first producer's first product
        first = cluster.by_role["producer"][0]["index"]
        counts[first] = max(counts[first], 2)
    return counts


def _product(cluster: Cluster, e: dict, k: int) -> dict:
    """Product ``k`` of maker ``e``: its record and what batches need (ingredient, unit...)."""
    idx, trade = e["index"], e["trade"]
    rec = {"type": "product", "product_id": f"LZP{idx:07d}-{k:02d}",
           "enterprise_uscc": e["uscc"], "gtin": names.gtin_for(idx, k), "brand": trade}
    if e["role"] == "producer":
        info = _luosifen(cluster.ctx.rng, rec, idx, k, trade)
    else:
        info = _raw_material(rec, e["role"], k)
        cluster.stock.setdefault(info["ing"], []).append(info)
    info["owner"] = e
    cluster.out["product"].append(rec)
    return info


def _luosifen(r: random.Random, rec: dict, idx: int, k: int, trade: str) -> dict:
    flavour = names.FLAVOURS[(k + idx) % len(names.FLAVOURS)]
    rec.update(name=f"{trade}柳州螺蛳粉（{flavour}）", spec=r.choice(names.SPECS),
               category="方便食品（米粉制品）",
               standard=r.choice(names.STANDARDS).format(n=idx % 1000),
               ingredients=list(names.LUOSIFEN_INGREDIENTS[:6 + r.randint(0, 3)]),
               shelf_life_days=r.choice((90, 180, 180, 240)),
               storage="置于阴凉干燥处，避免阳光直射", storage_class="ambient")
    return {"rec": rec, "ing": "luosifen", "unit": "袋", "cold": False}


def _raw_material(rec: dict, role: str, k: int) -> dict:
    ings = names.ROLE_INGREDIENTS[role]
    ing = ings[k % len(ings)]
    variants = names.RAW_PRODUCTS[ing]
    variant = k // len(ings)
    name, spec, category, _, standard, shelf, storage, unit = variants[variant % len(variants)]
    rec.update(name=name + GRADES[variant % 5], spec=spec, category=category,
               standard=standard, shelf_life_days=shelf, storage=storage,
               storage_class="chilled" if "冷藏" in storage else "ambient")
    return {"rec": rec, "ing": ing, "unit": unit, "cold": ing == "snail"}
