"""Official records of a cluster: routine samplings of luosifen batches, enforcement against
some grade-D enterprises, and the builders of sampling and notice records."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tracing.demo import names
from tracing.demo.cluster import Cluster
from tracing.demo.context import Context
from tracing.demo.enterprises import CORE
from tracing.demo.keys import RECALLED_LOT


def samplings(cluster: Cluster) -> list[str]:
    """Passed samplings of about one luosifen batch in five; return their ids."""
    ctx, r, ids = cluster.ctx, cluster.ctx.rng, []
    for b in cluster.out["batch"]:
        if b["unit"] != "袋" or r.random() > 0.2 or b["lot"] == RECALLED_LOT:
            continue
        when = date.fromisoformat(b["produced_at"]) + timedelta(days=r.randint(3, 20))
        if when < ctx.today:
            ids.append(sampling(cluster, b, when, None))
    return ids


def sampling(cluster: Cluster, b: dict, when: date, failed: list | None) -> str:
    """Add a sampling of batch ``b`` on ``when``, failed on the ``failed`` items if any."""
    ctx = cluster.ctx
    sid = ctx.next_id("sample", "CJ2026", 7)
    prod = next(p for p in cluster.out["product"] if p["product_id"] == b["product_id"])
    rec = {"type": "sampling", "sample_id": sid, "enterprise_uscc": prod["enterprise_uscc"],
           "product_name": prod["name"], "lot": b["lot"], "sampled_at": when.isoformat(),
           "result": "fail" if failed else "pass", "authority": names.SAMPLING_AUTHORITY,
           "report_no": f"GXJC{when:%Y%m%d}{ctx.sample % 10000:04d}"}
    if failed:
        rec.update(failed_items=failed, source_system="LZ-SUPERVISION")
    cluster.out["tail"].append(rec)
    return sid


def enforcements(cluster: Cluster) -> None:
    """Penalties for about three in ten grade-D enterprises (not the special cluster's core)."""
    ctx, r = cluster.ctx, cluster.ctx.rng
    for e in cluster.ents:
        if e["risk"] == "D" and r.random() < 0.3 \
                and not (cluster.special and e["index"] < len(CORE)):
            when = ctx.today - timedelta(days=r.randint(10, 300))
            cluster.out["tail"].append({
                "type": "enforcement", "enterprise_uscc": e["uscc"],
                "case_no": ctx.next_id("case", f"LZSJ-CF-{when.year}-", 4),
                "decided_at": when.isoformat(), "violation": r.choice(names.VIOLATIONS),
                "penalty": f"警告，罚款人民币{r.choice((5000, 10000, 20000, 50000))}元",
                "authority": names.SAMPLING_AUTHORITY})


def notice(ctx: Context, kind: str, when: datetime, related: list, **words: str) -> dict:
    """A public notice of ``kind`` (see :data:`names.NOTICES`) with ``words`` filled in."""
    title, body = names.NOTICES[kind]
    return {"type": "notice", "notice_id": ctx.next_id("notice", "GG", 7), "kind": kind,
            "title": title.format(**words), "body": body.format(**words),
            "published_at": when.isoformat(), "related": related}
