"""Search benchmark: index build rate and size, query latency p50/p95 per kind, relevance at
rank 1 / top 5 per kind.

    python -m benchmarks.search_bench --enterprises 100000 --products 300000
    python -m benchmarks.search_bench --backend elasticsearch --es-url http://127.0.0.1:9200

Documents come from ``tracing.demo.generator.write_demo`` (exchange format NDJSON, realistic Liuzhou
names, streamed through a temporary file); ``--products`` sets products per enterprise as
products / enterprises. Queries are drawn deterministically (seed 11) from the indexed data:
substrings, pinyin, initials, identifiers, names, nearby, and the slips people make
(:mod:`tracing.demo.slips`: traditional characters, full-width initials, homophones, fuzzy
sounds, skipped characters, district plus name piece), each labelled with the enterprise it
was made from. Relevance is given twice: the intended key at rank 1, and a name equal to the
intended one at rank 1 (the demo data repeats names; no search can tell those apart).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from search.base import SearchDoc, SearchQuery
from search.pinyin import readings
from tracing.demo.slips import KINDS, slip


def _demo_lines(enterprises: int, products: int, cache: str | None):
    """The demo NDJSON lines, generated once into ``cache`` when given (iterating is faster)."""
    from tracing.demo.generator import write_demo

    if cache and Path(cache).exists():
        with open(cache, encoding="utf-8") as handle:
            yield from handle
        return
    with (open(cache, "w+", encoding="utf-8") if cache
          else tempfile.TemporaryFile("w+", encoding="utf-8")) as tmp:
        write_demo(tmp, enterprises=enterprises, products_per_enterprise=products / enterprises)
        tmp.seek(0)
        yield from tmp


def load_docs(enterprises: int, products: int, cache: str | None = None,
              product_points: bool = True) -> list[SearchDoc]:
    """Documents as :mod:`tracing.indexing` builds them: a product at its producer's place
    (``product_points``; off: products without a point, as this benchmark had them before)."""
    ents: dict[str, dict] = {}
    prods: list[dict] = []
    alerts: dict[str, set[str]] = {}
    wanted = tuple('{' + w for w in (
        '"type":"enterprise"', '"type":"product"', '"type":"sampling"',
              '"type":"enforcement"', '"type":"recall"'))
    for line in _demo_lines(enterprises, products, cache):
        if not line.startswith(wanted):
            continue
        rec = json.loads(line)
        kind = rec["type"]
        if kind == "enterprise":
            ents[rec["uscc"]] = rec
        elif kind == "product":
            prods.append(rec)
        elif kind == "sampling" and rec.get("result") == "fail":
            alerts.setdefault(rec["enterprise_uscc"], set()).add("sampling_failed")
        elif kind == "enforcement":
            alerts.setdefault(rec["enterprise_uscc"], set()).add("enforcement")
        elif kind == "recall" and rec.get("product_id"):
            alerts.setdefault(rec["product_id"], set()).add("recall")
    docs = [SearchDoc(
        "enterprise", e["uscc"], e["name"], e.get("address", ""),
        tuple(i for i in (e.get("licence_no"),) if i), (e.get("kind", ""),),
        e.get("division_code", ""), e.get("lat"), e.get("lng"), e.get("risk_grade"),
        e.get("status", "active"), tuple(sorted(alerts.get(e["uscc"], ()))))
        for e in ents.values()]
    for p in prods:
        owner = ents.get(p["enterprise_uscc"], {})
        docs.append(SearchDoc(
            "product", p["product_id"], p["name"],
            " ".join(x for x in (owner.get("name", ""), p.get("spec", "")) if x),
            tuple(i for i in (p.get("gtin"),) if i),
            tuple(x for x in (p.get("brand"), p.get("category")) if x),
            owner.get("division_code", ""), owner.get("lat") if product_points else None,
            owner.get("lng") if product_points else None, owner.get("risk_grade"),
            owner.get("status", "active"), tuple(sorted(alerts.get(p["product_id"], ())))))
    return docs


def make_queries(docs: list[SearchDoc], n: int = 40, seed: int = 11):
    """[(label, SearchQuery, expected key or None)], a fixed mix over the data."""
    rng = random.Random(seed)
    ents = [d for d in docs if d.kind == "enterprise"]
    prods = [d for d in docs if d.kind == "product"]
    out = []
    for _ in range(n):
        e, p = rng.choice(ents), rng.choice(prods)
        i = rng.randrange(max(1, len(e.title) - 3))
        full, initials = readings(e.title)[0]
        out += [
            ("substring", SearchQuery(q=e.title[i:i + 3]), None),
            ("short", SearchQuery(q=e.title[i:i + 2]), None),
            ("pinyin", SearchQuery(q=full[:12]), None),
            ("initials", SearchQuery(q=initials[:4]), None),
            ("identifier", SearchQuery(q=e.key), e.key),
            ("identifier", SearchQuery(q=p.identifiers[0] if p.identifiers else p.key), p.key),
            ("name", SearchQuery(q=e.title), e.key),
            ("full_pinyin", SearchQuery(q=full), e.key),
            ("full_initials", SearchQuery(q=initials), e.key),
        ]
        if e.has_point:
            out.append(("nearby", SearchQuery(near=(e.lat, e.lng), radius_km=2), None))
        for kind in KINDS:
            q = slip(kind, e.title, e.subtitle, rng)
            if q:
                out.append((kind, SearchQuery(q=q[:100]), e.key))
    return out


def index_bytes(backend) -> int | None:
    """Bytes on disk of the embedded index (every file of the live generation)."""
    path = getattr(backend, "path", None)
    if path is None or not path.exists():
        return None
    live = path.with_name(path.read_text().strip())
    return sum(f.stat().st_size for f in path.parent.glob(live.name + "*"))


async def build(backend, docs: list[SearchDoc], name: str) -> None:
    await backend.drop()
    # In key order, as `gongzhi reindex` reads them (keyset pages): the embedded index breaks
    # ties within a rank band by insertion order, so this gives the kind/key tie order.
    # (A sorted copy: the queries below are drawn from the generation order.)
    ordered = sorted(docs, key=lambda d: (d.kind, d.key))
    started, cpu = time.perf_counter(), time.process_time()
    await backend.rebuild(ordered)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = index_bytes(backend)
    load = os.getloadavg()[0]
    print(f"index build ({name}): {took:.1f} s, {await backend.count():,} documents, "
          f"{len(docs) / took:,.0f} documents/s (CPU {cpu:.1f} s: {len(docs) / cpu:,.0f}/s, "
          f"{cpu / len(docs) * 1e6:.1f} µs a document; load average {load:.1f} on "
          f"{os.cpu_count()} cores)" + (f", {size / 2**20:,.0f} MiB on disk" if size else ""))


async def run(args) -> None:
    started = time.perf_counter()
    docs = load_docs(args.enterprises, args.products, args.ndjson, not args.no_product_points)
    print(f"docs: {len(docs):,} ({sum(d.kind == 'enterprise' for d in docs):,} enterprises) "
          f"generated in {time.perf_counter() - started:.1f} s")
    # `gongzhi reindex` streams documents page by page; this benchmark holds them all, which
    # would make every full collection walk them: out of the collector's sight, as if streamed
    gc.freeze()
    if args.backend == "elasticsearch":
        from search.elastic import ElasticsearchSearchBackend
        backend = ElasticsearchSearchBackend(args.es_url, index_prefix="gzbench",
                                             plain_json=args.plain_json)
    else:
        from search.embedded import EmbeddedSearchBackend
        backend = EmbeddedSearchBackend(Path(args.data_dir) / "search.sqlite3")
    if args.keep_index and await backend.count() == len(docs):
        print(f"index kept ({args.backend}): {await backend.count():,} documents")
    else:
        await build(backend, docs, args.backend)
    queries = make_queries(docs)
    for _label, query, _ in queries[:50]:  # warm-up
        await backend.search(query)
    timings: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    ranks = []
    titles = {d.key: d.title for d in docs}
    for label, query, expected in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        result = await backend.search(query)
        timings.setdefault(label, []).append((time.perf_counter() - t0) * 1e3)
        cpu.setdefault(label, []).append((time.process_time() - c0) * 1e3)
        if expected:
            found = [h.key for h in result.hits]
            same = [h.title == titles[expected] for h in result.hits]
            ranks.append((label, found.index(expected) + 1 if expected in found else None,
                          same.index(True) + 1 if True in same else None))
    every = sorted(t for ts in timings.values() for t in ts)
    pct = lambda ts, p: ts[min(len(ts) - 1, int(round(p * (len(ts) - 1))))]  # noqa: E731
    print(f"latency over {len(every)} queries: p50 {pct(every, .5):.2f} ms, "
          f"p95 {pct(every, .95):.2f} ms, max {every[-1]:.2f} ms")
    print("  (CPU: the process's CPU time per query, what a shared machine does not inflate)")
    for label, ts in sorted(timings.items()):
        ts.sort()
        cs = sorted(cpu[label])
        print(f"  {label:14} n={len(ts):3}  p50 {pct(ts, .5):7.2f}  p95 {pct(ts, .95):7.2f}"
              f"  mean {statistics.fmean(ts):7.2f} ms  | CPU p50 {pct(cs, .5):6.2f}"
              f"  p95 {pct(cs, .95):6.2f} ms")
    for label in sorted({lab for lab, _, _ in ranks}) + ["all"]:
        rs = [(r, n) for lab, r, n in ranks if label in ("all", lab)]
        at1 = sum(r == 1 for r, _ in rs) / len(rs)
        top5 = sum(r is not None and r <= 5 for r, _ in rs) / len(rs)
        name1 = sum(n == 1 for _, n in rs) / len(rs)
        name5 = sum(n is not None and n <= 5 for _, n in rs) / len(rs)
        print(f"relevance {label:14} n={len(rs):3}  key rank 1: {at1:4.0%}  top 5: {top5:4.0%}"
              f"  | same name rank 1: {name1:4.0%}  top 5: {name5:4.0%}")
    await backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=300_000)
    parser.add_argument("--backend", choices=("embedded", "elasticsearch"), default="embedded")
    parser.add_argument("--data-dir", default="var/bench-search")
    parser.add_argument("--es-url", default="http://127.0.0.1:9200")
    parser.add_argument("--plain-json", action="store_true", help="for osmem-server")
    parser.add_argument("--keep-index", action="store_true",
                        help="reuse the index in --data-dir when it holds the same count")
    parser.add_argument("--no-product-points", action="store_true",
                        help="products without their producer's point (as before)")
    parser.add_argument("--ndjson", help="cache the generated demo NDJSON in this file and "
                                         "reuse it when it exists (same scale only)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
