"""Graph speed: building, PageRank, HITS and communities on a large synthetic mention
graph, and the influence / network reports on a small generated store.

    .venv/bin/python benchmarks/graph.py                      # 200k nodes, 1M edges
    .venv/bin/python benchmarks/graph.py --nodes 20000 --edges 100000 --store-posts 5000
    .venv/bin/python benchmarks/graph.py --structure random   # no communities to find
    .venv/bin/python benchmarks/graph.py --pg postgresql://postgres@127.0.0.1:5432/graph_bench

`--pg` names a database the run may fill with generated posts (create it first; it is
reused, not emptied, by the next run).

The big graph is generated in memory and loaded through `graph_from_edges` (string
handles, as the store gives them), so "build" includes mapping handles to vertices.
Edges follow what conversation graphs look like: authors' activity and the attention
accounts receive are heavy-tailed, and with `--structure planted` (default) 80 % of the
edges stay inside groups of 1,000 accounts; `--structure random` drops the groups.
Louvain's time depends strongly on structure (docs/reports/influence.md); it is skipped
above `--louvain-max` edges (0 = always run it).

The last line is `BENCH_JSON {...}` with every figure.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def timed(label: str, out: dict[str, float], fn: Callable[[], Any]) -> Any:
    t = time.perf_counter()
    value = fn()
    out[label] = round(time.perf_counter() - t, 3)
    print(f"  {label:<34} {out[label]:>8.2f} s", flush=True)
    return value


def synthetic_edges(
    nodes: int, edges: int, structure: str, seed: int
) -> list[tuple[str, str, float]]:
    """(source, target, weight) triples between handles "u<i>"."""
    rng = random.Random(seed)
    group = 1000
    out = []
    for _ in range(edges):
        s = int(nodes * rng.random() ** 1.5)  # a few very active authors
        if structure == "planted" and rng.random() < 0.8:
            base = s - s % group
            t = base + int(min(group, nodes - base) * rng.random() ** 2)
        else:
            t = int(nodes * rng.random() ** 3)  # a few accounts everyone mentions
        if t == s:
            t = (t + 1) % nodes
        out.append((f"u{s}", f"u{t}", 1.0 + (rng.random() < 0.2)))
    return out


def big_graph(args: argparse.Namespace) -> dict[str, Any]:
    from radsocial.analytics.graph import communities, graph_from_edges, hits, pagerank

    print(
        f"Synthetic graph: {args.nodes:,} nodes, {args.edges:,} edges ({args.structure})",
        flush=True,
    )
    t: dict[str, float] = {}
    triples = timed(
        "generate edges (Python)",
        t,
        lambda: synthetic_edges(args.nodes, args.edges, args.structure, args.seed),
    )
    sg = timed("build (graph_from_edges)", t, lambda: graph_from_edges(triples))
    triples.clear()
    g = sg.graph
    notes: list[str] = []
    timed("PageRank (weighted, PRPACK)", t, lambda: pagerank(g, notes=notes))
    timed("HITS hub + authority", t, lambda: hits(g, notes=notes))
    if args.louvain_max == 0 or g.ecount() <= args.louvain_max:
        _, q, _ = timed("Louvain (multilevel)", t, lambda: communities(g, method="louvain"))
        t["louvain_modularity"] = round(q, 4)
    else:
        print(f"  Louvain skipped: {g.ecount():,} edges > --louvain-max", flush=True)
    _, q, _ = timed("Leiden (modularity, 2 iterations)", t, lambda: communities(g, method="leiden"))
    t["leiden_modularity"] = round(q, 4)
    t["vertices"] = g.vcount()
    t["edges"] = g.ecount()
    return t


def fill_store(url: str, n_posts: int, seed: int) -> None:
    """Posts by 2,000 accounts: mentions, replies and reposts, over 30 days."""
    from radsocial.models import Account, Post, RawRecord
    from radsocial.store import Store

    rng = random.Random(seed)
    t0 = datetime(2024, 11, 1, tzinfo=UTC)
    users = 2000

    def who() -> int:
        return int(users * rng.random() ** 2)

    with Store.open(url) as s:
        if s.stats()["posts"] >= n_posts:
            return
        batch: list[Post] = []
        for i in range(n_posts):
            u = who()
            author = Account("x", f"id{u}", handle=f"User{u}", followers=10 + 7 * (users - u))
            kind, extra = "original", {}
            r = rng.random()
            if i > 10 and r < 0.3:
                kind, extra = "repost", {"repost_of_id": f"t{rng.randrange(i)}"}
            elif i > 10 and r < 0.4:
                kind, extra = "reply", {"reply_to_id": f"t{rng.randrange(i)}"}
            mentions = tuple(f"user{who()}" for _ in range(rng.choice((0, 0, 1, 1, 2, 3))))
            tags = tuple(rng.sample(("rsna24", "radiology", "ai", "mri", "ct", "meded"), 2))
            batch.append(
                Post(
                    platform="x",
                    platform_id=f"t{i}",
                    created_at=t0 + timedelta(minutes=i * 43_200 // n_posts),
                    text="synthetic",
                    author_id=f"id{u}",
                    author_handle=f"User{u}",
                    kind=kind,
                    mentions=mentions,
                    hashtags=tags,
                    author=author,
                    **extra,
                )
            )
            if len(batch) == 5000:
                s.write_batch([(RawRecord("bench", f"{i}".encode(), "graph-bench"), batch)])
                batch = []
        if batch:
            s.write_batch([(RawRecord("bench", b"last", "graph-bench"), batch)])
        s.analyze()


def store_run(url: str, label: str, n_posts: int, seed: int, workdir: Path) -> dict[str, float]:
    from radsocial.analytics.influence import export_graph, influencers, network
    from radsocial.store import Selection, Store

    print(f"Store run ({label}, {n_posts:,} posts):", flush=True)
    t: dict[str, float] = {}
    timed("write posts", t, lambda: fill_store(url, n_posts, seed))
    sel = Selection(
        since=datetime(2024, 11, 16, tzinfo=UTC), until=datetime(2024, 12, 1, tzinfo=UTC)
    )
    with Store.open(url) as s:
        rep = timed("influencers (15 days + previous)", t, lambda: influencers(s, sel, n=100))
        t["accounts_ranked"] = rep.metrics["accounts"]
        net = timed("network interaction (2,000 nodes)", t, lambda: network(s, sel))
        t["network_edges"] = net.metrics["edges"]
        timed("network co-hashtag", t, lambda: network(s, sel, kind="cohashtag"))
        timed("export GEXF (whole graph)", t, lambda: export_graph(s, sel, workdir / "g.gexf"))
        timed(
            "export GraphML (whole graph)",
            t,
            lambda: export_graph(s, sel, workdir / "g.graphml", "graphml"),
        )
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--nodes", type=int, default=200_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--structure", choices=("planted", "random"), default="planted")
    ap.add_argument("--louvain-max", type=int, default=2_000_000, help="0 = always run Louvain")
    ap.add_argument("--store-posts", type=int, default=20_000)
    ap.add_argument("--pg", help="also run the store part on this PostgreSQL database URL")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    figures: dict[str, Any] = {"big_graph": big_graph(args)}
    with tempfile.TemporaryDirectory(prefix="radsocial-graph-") as tmp:
        work = Path(tmp)
        figures["store_sqlite"] = store_run(
            str(work / "bench.db"), "SQLite", args.store_posts, args.seed, work
        )
        if args.pg:
            figures["store_postgresql"] = store_run(
                args.pg, "PostgreSQL", args.store_posts, args.seed, work
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["peak_rss_mb"] = round(rss)
    print(f"Peak RSS: {rss:,.0f} MB")
    print("BENCH_JSON " + json.dumps(figures))


if __name__ == "__main__":
    main()
