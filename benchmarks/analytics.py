"""Analytics speed: the issue's queries on a generated store, SQLite and PostgreSQL,
with DuckDB over a Parquet export of the same posts printed beside them.

    .venv/bin/python benchmarks/analytics.py --posts 1000000          # build + measure
    .venv/bin/python benchmarks/analytics.py --db bench-data/a.db --pg postgresql://…

Queries (median of 5, warm): for the biggest hashtag in its busiest year — summary
(with the preceding period), daily time series, top 20 accounts, top 50 co-hashtags —
and the monthly series of the whole store. Target: each under 300 ms.

The store is built with `radsocial generate` + `radsocial import` (X v2, Bluesky and
Mastodon payloads) into bench-data/, reused when it already holds the posts asked for.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _store import DATA, build_store


def export_parquet(db: str, path: Path) -> None:
    """The columns the DuckDB queries read, straight from the posts table in batches
    (the `radsocial export` path builds full Post objects: ~7k posts/s, too slow at 10M)."""
    import orjson
    import pyarrow as pa
    import pyarrow.parquet as pq
    import sqlalchemy as sa

    from radsocial.models import utc
    from radsocial.store import Store
    from radsocial.store.schema import posts

    schema = pa.schema(
        [
            ("platform", pa.string()),
            ("created_at", pa.timestamp("us", tz="UTC")),
            ("author_handle", pa.string()),
            ("kind", pa.string()),
            ("hashtags", pa.list_(pa.string())),
            ("links", pa.list_(pa.string())),
            ("media_urls", pa.list_(pa.string())),
        ]
    )
    cols = [
        posts.c.id,
        posts.c.platform,
        posts.c.created_at,
        posts.c.author_handle,
        posts.c.kind,
        posts.c.entities,
    ]
    last = 0
    with Store.open(db) as s, pq.ParquetWriter(str(path), schema, compression="zstd") as w:
        while True:
            with s.engine.connect() as c:
                rows = c.execute(
                    sa.select(*cols).where(posts.c.id > last).order_by(posts.c.id).limit(200_000)
                ).all()
            if not rows:
                return
            last = rows[-1][0]
            ents = [r[5] if isinstance(r[5], dict) else orjson.loads(r[5]) for r in rows]
            w.write_table(
                pa.table(
                    {
                        "platform": [r[1] for r in rows],
                        "created_at": [utc(r[2]) for r in rows],
                        "author_handle": [r[3] for r in rows],
                        "kind": [r[4] for r in rows],
                        "hashtags": [e.get("hashtags", []) for e in ents],
                        "links": [e.get("links", []) for e in ents],
                        "media_urls": [[m.get("url") for m in e.get("media", [])] for e in ents],
                    },
                    schema=schema,
                )
            )


def median_ms(fn: Callable[[], Any], runs: int = 5) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def pick_tag(db: str) -> tuple[str, int]:
    """The biggest hashtag and its busiest year (from the rollups)."""
    import sqlalchemy as sa

    from radsocial.store import Store
    from radsocial.store.schema import rollup_hour

    with Store.open(db) as s, s.engine.connect() as c:
        tag = c.execute(
            sa.select(rollup_hour.c.tag)
            .where(rollup_hour.c.tag != "")
            .group_by(rollup_hour.c.tag)
            .order_by(sa.func.sum(rollup_hour.c.posts).desc())
            .limit(1)
        ).scalar_one()
        hours = c.execute(
            sa.select(rollup_hour.c.hour, rollup_hour.c.posts).where(rollup_hour.c.tag == tag)
        ).all()
    per_year: dict[int, int] = {}
    for h, n in hours:
        y = datetime.fromtimestamp(h * 3600, UTC).year
        per_year[y] = per_year.get(y, 0) + n
    return tag, max(per_year, key=lambda y: per_year[y])


def radsocial_queries(db: str, tag: str, year: int) -> dict[str, float]:
    from radsocial.analytics import run
    from radsocial.store import Selection, Store

    sel = Selection(
        hashtags=(tag,),
        since=datetime(year, 1, 1, tzinfo=UTC),
        until=datetime(year + 1, 1, 1, tzinfo=UTC),
    )
    out = {}
    with Store.open(db) as s:
        out["summary (tag, year, + previous)"] = median_ms(lambda: run("summary", s, sel))
        out["daily series (tag, year)"] = median_ms(
            lambda: run("timeseries", s, sel, interval="day")
        )
        out["top 20 accounts (tag, year)"] = median_ms(
            lambda: run("top", s, sel, what="accounts", n=20)
        )
        out["top 50 co-hashtags (tag, year)"] = median_ms(
            lambda: run("top", s, sel, what="hashtags", n=50)
        )
        out["monthly series (whole store)"] = median_ms(
            lambda: run("timeseries", s, Selection(), interval="month")
        )
    return out


def duckdb_queries(parquet: Path, tag: str, year: int) -> dict[str, float]:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW p AS SELECT * FROM read_parquet('{parquet}')")
    lo, hi = f"{year}-01-01", f"{year + 1}-01-01"
    has = f"list_contains(list_transform(hashtags, lambda x: lower(x)), '{tag}')"
    # created_at is timestamp[us, tz=UTC] in the export; results leave as text (no pytz)
    win = f"created_at >= TIMESTAMPTZ '{lo} 00:00:00+00' AND created_at < TIMESTAMPTZ '{hi} 00:00:00+00'"
    prev = f"created_at >= TIMESTAMPTZ '{year - 1}-01-01 00:00:00+00' AND created_at < TIMESTAMPTZ '{lo} 00:00:00+00'"
    summary = (
        "SELECT count(*), count(*) FILTER (kind='repost'), count(*) FILTER (kind='reply'), "
        "count(DISTINCT platform || author_handle), count(*) FILTER (len(links) > 0), "
        "sum(len(media_urls)) FROM p WHERE {has} AND {win}"
    )

    def q(sql: str) -> Callable[[], Any]:
        return lambda: con.execute(sql).fetchall()

    return {
        "summary (tag, year, + previous)": median_ms(
            lambda: (q(summary.format(has=has, win=win))(), q(summary.format(has=has, win=prev))())
        ),
        "daily series (tag, year)": median_ms(
            q(
                f"SELECT date_trunc('day', CAST(created_at AS TIMESTAMPTZ)) d, count(*) FROM p WHERE {has} AND {win} GROUP BY d ORDER BY d"
            )
        ),
        "top 20 accounts (tag, year)": median_ms(
            q(
                f"SELECT lower(author_handle) a, count(*) n FROM p WHERE {has} AND {win} GROUP BY a ORDER BY n DESC LIMIT 20"
            )
        ),
        "top 50 co-hashtags (tag, year)": median_ms(
            q(
                f"SELECT lower(t) tt, count(*) n FROM (SELECT unnest(hashtags) t FROM p WHERE {has} AND {win}) WHERE lower(t) <> '{tag}' GROUP BY tt ORDER BY n DESC LIMIT 50"
            )
        ),
        "monthly series (whole store)": median_ms(
            q(
                "SELECT date_trunc('month', CAST(created_at AS TIMESTAMPTZ)) m, platform, count(*) FROM p GROUP BY m, platform ORDER BY m"
            )
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=1_000_000, help="posts to generate (default 1M)")
    ap.add_argument("--db", help="SQLite store (default bench-data/analytics-N.db)")
    ap.add_argument("--pg", help="PostgreSQL URL to build and measure too")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-duckdb", action="store_true")
    a = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    dbs = [a.db or str(DATA / f"analytics-{a.posts}.db")]
    if a.pg:
        dbs.append(a.pg)
    results: dict[str, dict[str, float]] = {}
    tag = year = None
    for db in dbs:
        build_store(db, a.posts, a.seed)
        if tag is None:
            tag, year = pick_tag(db)
            print(f"hashtag #{tag}, year {year}", flush=True)
        label = "PostgreSQL" if db.startswith("postgresql") else "SQLite"
        results[label] = radsocial_queries(db, tag, year)
    if not a.skip_duckdb:
        pq = DATA / f"analytics-{a.posts}.parquet"
        if not pq.exists():
            t = time.perf_counter()
            export_parquet(dbs[0], pq)
            print(f"parquet export: {time.perf_counter() - t:.1f} s", flush=True)
        results["DuckDB/Parquet"] = duckdb_queries(pq, tag, year)
    names = list(next(iter(results.values())))
    cols = list(results)
    from radsocial.store import Store

    with Store.open(dbs[0]) as s:
        total = s.stats()["posts"]
    print(f"\n== analytics, {total:,} posts, median of 5 (ms); target < 300 ms ==")
    print(f"{'query':34s}" + "".join(f"{c:>16s}" for c in cols) + "  verdict")
    for n in names:
        vals = [results[c][n] for c in cols]
        ours = [results[c][n] for c in cols if c != "DuckDB/Parquet"]
        verdict = "PASS" if all(v < 300 for v in ours) else "FAIL"
        print(f"{n:34s}" + "".join(f"{v:16.1f}" for v in vals) + f"  {verdict}")
    if "DuckDB/Parquet" in results:
        for c in cols:
            if c == "DuckDB/Parquet":
                continue
            ratios = [results[c][n] / max(results["DuckDB/Parquet"][n], 0.01) for n in names]
            print(f"{c} / DuckDB ratio per query: " + ", ".join(f"{r:.1f}x" for r in ratios))


if __name__ == "__main__":
    main()
