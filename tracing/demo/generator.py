"""Demo data: Liuzhou's river-snail rice noodle (螺蛳粉) chain in exchange format v1 (NDJSON).

Written cluster by cluster (about 10-20 enterprises: suppliers, producers, cold storage,
wholesale, markets, shops, caterers), each cluster's records in reference order (enterprise,
product, batch, code, code_alias, event, then sampling/enforcement/recall/notice), so memory
stays flat at any scale. The first cluster holds the well-known records of :data:`DEMO_KEYS`.
Deterministic for a given ``seed`` and ``now``.

The pieces: :mod:`~tracing.demo.enterprises` (who sits where), :mod:`~tracing.demo.products`,
:mod:`~tracing.demo.supply` (raw batches, cold chain), :mod:`~tracing.demo.production`
(luosifen batches and their way to the shops), :mod:`~tracing.demo.official` (samplings,
enforcement, notices), :mod:`~tracing.demo.specials` (the well-known cases) and
:mod:`~tracing.demo.writer`. They all draw from one random source in a fixed order: any
change of that order changes the data set.
"""

from __future__ import annotations

import random
import typing
from collections.abc import Iterator
from datetime import datetime

from core.clock import SHANGHAI
from tracing.demo import official, specials
from tracing.demo.cluster import Cluster
from tracing.demo.context import Context
from tracing.demo.keys import DEMO_KEYS
from tracing.demo.production import producer_batches
from tracing.demo.products import add_products
from tracing.demo.supply import raw_only
from tracing.demo.writer import write_records

__all__ = ["DEFAULT_NOW", "DEMO_KEYS", "MIN_ENTERPRISES", "write_demo"]

DEFAULT_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=SHANGHAI)
MIN_ENTERPRISES = 10


def write_demo(out: typing.TextIO, *, enterprises: int = 60, products_per_enterprise: float = 3.0,
               seed: int = 7, now: datetime | None = None) -> dict[str, int]:
    """Write the demo data set as NDJSON lines to ``out``; return counts per record type."""
    now = DEFAULT_NOW if now is None else now
    now = now.replace(tzinfo=SHANGHAI) if now.tzinfo is None else now.astimezone(SHANGHAI)
    ctx = Context(random.Random(seed), now, max(0.0, products_per_enterprise))
    counts: dict[str, int] = {}
    for n, size in enumerate(cluster_sizes(ctx.rng, enterprises)):
        cluster = Cluster(ctx, size, special=n == 0)
        build(cluster)
        write_records(out, cluster.out, counts)
    return counts


def cluster_sizes(rng: random.Random, enterprises: int) -> Iterator[int]:
    """Sizes of the clusters (10-20, the last one takes the rest), drawn one at a time.

    Lazy on purpose: each size is drawn from ``rng`` after the previous cluster was built.
    """
    remaining = max(MIN_ENTERPRISES, int(enterprises))
    while remaining:
        size = MIN_ENTERPRISES + rng.randint(0, 10)
        if remaining - size < MIN_ENTERPRISES:
            size = remaining
        remaining -= size
        yield size


def build(cluster: Cluster) -> None:
    """Every record of ``cluster``, in the order they draw from the random source."""
    add_products(cluster)
    for producer in cluster.by_role["producer"]:
        producer_batches(cluster, producer)
    if cluster.special:
        specials.excursion(cluster)
    raw_only(cluster)
    sample_ids = official.samplings(cluster)
    if cluster.special:
        specials.story(cluster, sample_ids)
    official.enforcements(cluster)
