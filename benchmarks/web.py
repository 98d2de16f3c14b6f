"""Web app speed: every page and API call on a 1-million-post store, then a bounded load
test on loopback.

    .venv/bin/python benchmarks/web.py                        # build bench-data/web-1000000.db
    .venv/bin/python benchmarks/web.py --db bench-data/x.db   # reuse a store
    .venv/bin/python benchmarks/web.py --skip-load            # server times only

1. Server time: each URL is requested 20 times in-process (TestClient: routing, the
   analyses, rendering; no network) and the median and the first (cold) answer are
   printed. The result cache is turned off (cache_seconds=0) so every request runs its
   analyses; the "cached" column is the same median with the app's default
   result cache (identical requests while no post was added). Target: median < 300 ms.
2. Load: the app under uvicorn on 127.0.0.1, `wrk` (Debian's package; installed if
   absent when run as root) with 50 connections for 60 s over a mix of pages and API
   calls. Prints requests/s, p50/p99 latency and errors. Loopback only, bounded in time.

The store is built with radsocial.synth (X v2, Bluesky and Mastodon payloads) and
`radsocial import`, into bench-data/, and reused when it already holds the posts.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _store import DATA, build_store

BIN = Path(sys.executable).parent

#: (label, path): every page and the API calls behind them. {tag}, {meeting}, {chat},
#: {handle} and {since}/{until} are filled from the store.
URLS = [
    ("page overview", "/"),
    ("page explore", "/explore"),
    ("page explore search", "/explore?q=mammography"),
    ("page explore filtered", "/explore?hashtag={tag}&platform=x&kind=original"),
    ("page hashtags", "/hashtags"),
    ("page hashtag", "/hashtag/{tag}"),
    ("page conferences", "/conferences"),
    ("page conference", "/conference/{meeting}"),
    ("page tweetchats", "/tweetchats"),
    ("page tweetchat", "/tweetchat/{chat}"),
    ("page influencers", "/influencers"),
    ("page accounts", "/accounts"),
    ("page account", "/account/x/{handle}"),
    ("page imports", "/imports"),
    ("page labels", "/labels"),
    ("page settings", "/settings"),
    ("api summary", "/api/report/summary?hashtag={tag}&since={since}&until={until}"),
    ("api timeseries", "/api/report/timeseries?hashtag={tag}"),
    ("api top accounts", "/api/report/top?what=accounts&hashtag={tag}"),
    ("api top hashtags csv", "/api/report/top?what=hashtags&format=csv"),
    ("api influence", "/api/report/influence?hashtag={tag}&since={since}&until={until}"),
    ("api network", "/api/report/network?hashtag={tag}&since={since}&until={until}"),
    ("api conference", "/api/report/conference?meeting={meeting}"),
    ("api tweetchat", "/api/report/tweetchat?hashtag={chat}"),
    ("api census", "/api/report/census?group=stakeholders"),
    ("api posts", "/api/posts?limit=50"),
    ("api posts search", "/api/posts?q=scan&limit=50&count=true"),
    ("api posts deep page", "/api/posts?limit=50&cursor={cursor}"),
    ("api imports", "/api/imports"),
    ("api page overview", "/api/pages/overview"),
]
LOAD_PATHS = [
    "/",
    "/explore",
    "/hashtag/{tag}",
    "/api/report/summary?hashtag={tag}",
    "/api/report/top?what=accounts",
    "/api/posts?limit=50",
    "/api/posts?q=mammography&limit=20",
    "/conference/{meeting}",
]


def pick(store: Any) -> dict[str, str]:
    import sqlalchemy as sa

    from radsocial.knowledge.registry import default_registry
    from radsocial.store.schema import post_hashtags, posts
    from radsocial.web.data import encode_cursor

    reg = default_registry()
    with store.engine.connect() as conn:
        tags = conn.execute(
            sa.select(post_hashtags.c.tag, sa.func.count().label("n"))
            .group_by(post_hashtags.c.tag)
            .order_by(sa.desc("n"))
            .limit(200)
        ).all()
        last = conn.execute(sa.select(sa.func.max(posts.c.created_at))).scalar()
        handle = conn.execute(
            sa.select(posts.c.author_handle, sa.func.count().label("n"))
            .where(posts.c.platform == "x", posts.c.created_at >= last - _days(30))
            .group_by(posts.c.author_handle)
            .order_by(sa.desc("n"))
            .limit(1)
        ).scalar()
        deep = conn.execute(
            sa.select(posts.c.created_at, posts.c.id)
            .order_by(posts.c.created_at.desc(), posts.c.id.desc())
            .offset(100_000)
            .limit(1)
        ).first()
    topic = next(
        (t for t, _ in tags if reg.hashtag_kind(t) in ("topic", None)), tags[0][0] if tags else "x"
    )
    meeting = next((t for t, _ in tags if reg.meeting_for_hashtag(t)), "RSNA2019")
    chat = next((t for t, _ in tags if reg.tweetchat_for_hashtag(t)), "JACR")
    until = last.date()
    return {
        "tag": topic,
        "meeting": meeting,
        "chat": chat,
        "handle": handle or "RSNA",
        "since": str(until - _days(30)),
        "until": str(until),
        "cursor": encode_cursor(deep.created_at, deep.id) if deep else "",
    }


def _days(n: int) -> Any:
    from datetime import timedelta

    return timedelta(days=n)


def _timed(client: Any, url: str, runs: int, budget_s: float) -> list[float]:
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < runs and (not times or time.perf_counter() - start < budget_s):
        t = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    return times


def server_times(
    db: str, values: dict[str, str], runs: int, budget_s: float
) -> list[tuple[str, float, float, float, int, int]]:
    """(label, first ms, median, median with the cache, status, requests) per URL.

    Pages are timed as served: the shell with every section already computed inline
    and the others as placeholders the browser fetches (`/fragment/…`); each such
    fragment is then timed on its own, like an API call, without the result cache —
    that is the analysis's cost — and with it. Time is taken around each in-process
    request (routing, analyses, rendering; no network). A URL whose requests exceed
    `budget_s` in total stops repeating early; the count behind each median is printed.
    """
    from fastapi.testclient import TestClient

    from radsocial.store import Store
    from radsocial.web.app import create_app

    out = []
    with Store.open(db) as store:
        served = TestClient(create_app(store, warm=False), base_url="http://127.0.0.1")
        cold = TestClient(
            create_app(store, cache_seconds=0, warm=False), base_url="http://127.0.0.1"
        )
        warm = TestClient(create_app(store, warm=False), base_url="http://127.0.0.1")

        def measure(label: str, url: str, pair: tuple[Any, Any]) -> None:
            t = time.perf_counter()
            r = pair[0].get(url)
            first = (time.perf_counter() - t) * 1000
            times = _timed(pair[0], url, runs, budget_s)
            cached = _timed(pair[1], url, runs, budget_s)
            med, medc = statistics.median(times), statistics.median(cached)
            out.append((label, first, med, medc, r.status_code, len(times)))
            flag = "  OVER" if med >= 300 else ""
            print(
                f"  {label:30} {r.status_code}  first {first:8.1f}  median {med:8.1f} "
                f"(n={len(times):2})  cached {medc:7.1f} ms{flag}   {url[:60]}",
                flush=True,
            )

        fragments: list[tuple[str, str]] = []
        for label, path in URLS:
            url = path.format(**values)
            if label.startswith("page"):
                measure(label, url, (served, served))
                html = served.get(url).text
                for src in re.findall(r'data-src="([^"]+)"', html):
                    src = src.replace("&amp;", "&")
                    fragments.append((f"  section {src.split('?')[0][10:]} ({label[5:]})", src))
            else:
                measure(label, url, (cold, warm))
        print("\nSections the pages left to the browser (each an analysis):", flush=True)
        for label, src in dict.fromkeys(fragments):
            measure(label, src, (cold, warm))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "wrk"], check=False)
    return shutil.which("wrk")


def load_test(db: str, values: dict[str, str], seconds: int, clients: int, workers: int) -> None:
    """uvicorn on loopback + wrk: bounded (duration, connections), loopback only."""
    wrk = ensure_wrk()
    if wrk is None:
        print("load test skipped: wrk is not installed (apt-get install wrk)")
        return
    port = _free_port()
    env = dict(os.environ, RADSOCIAL_DB=db, RADSOCIAL_WEB_HOST="127.0.0.1")
    cmd = [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        "radsocial.web.app:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(cmd, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        paths = [p.format(**values) for p in LOAD_PATHS]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(_LUA.replace("PATHS", ", ".join(f'"{p}"' for p in paths)))
            script = fh.name
        base = f"http://127.0.0.1:{port}"
        # warm the caches once, as a browser session would
        subprocess.run([wrk, "-t1", "-c1", "-d3s", "-s", script, base], capture_output=True)
        print(
            f"$ wrk -t2 -c{clients} -d{seconds}s --latency --timeout 10s -s <mix of "
            f"{len(paths)} URLs> {base}",
            flush=True,
        )
        res = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{clients}",
                f"-d{seconds}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                script,
                base,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        os.unlink(script)
        print(res.stdout)
        summarize(res.stdout)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


_LUA = """
local paths = {PATHS}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("STATS p50_ms=%.1f p99_ms=%.1f requests=%d non2xx=%d errors=%d\\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


def summarize(text: str) -> None:
    m = re.search(
        r"STATS p50_ms=([\d.]+) p99_ms=([\d.]+) requests=(\d+) non2xx=(\d+) errors=(\d+)", text
    )
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m:
        print("could not read wrk's output")
        return
    p50, p99, n, bad, errs = m.groups()
    print(
        f"LOAD: {n} requests, {rps.group(1) if rps else '?'} req/s, p50 {p50} ms, p99 {p99} ms, "
        f"non-2xx {bad}, socket errors {errs}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=1_000_000, help="posts in the store (1M)")
    ap.add_argument("--db", help="store to use (default bench-data/web-N.db, built if needed)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=20, help="requests per URL (median)")
    ap.add_argument(
        "--budget", type=float, default=30.0, help="seconds per URL before repeating stops"
    )
    ap.add_argument("--seconds", type=int, default=60, help="load test duration")
    ap.add_argument("--clients", type=int, default=50, help="concurrent connections")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--skip-load", action="store_true")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    db = args.db or str(DATA / f"web-{args.posts}.db")
    if not args.db or not Path(db).exists():
        build_store(db, args.posts, args.seed, classify=True)
    from radsocial.store import Store

    with Store.open(db) as store:
        values = pick(store)
        n = store.stats()["posts"]
    print(f"\nstore {db}: {n:,} posts; URLs use {values}\n", flush=True)
    print(
        f"Server time per request, median of {args.runs} (fewer when a URL's requests exceed "
        f"{args.budget:g} s); 'cached' = the app's result cache (default 600 s) (ms):",
        flush=True,
    )
    rows = server_times(db, values, args.runs, args.budget)
    for group, pick_rows in (
        ("pages", [r for r in rows if r[0].startswith("page")]),
        ("API calls and sections", [r for r in rows if not r[0].startswith("page")]),
    ):
        if not pick_rows:
            continue
        slow = [r for r in pick_rows if r[2] >= 300]
        slowc = [r for r in pick_rows if r[3] >= 300]
        worst = max(pick_rows, key=lambda r: r[2])
        print(
            f"\n{group}: {len(pick_rows)}; slowest median {worst[2]:.1f} ms ({worst[0].strip()}); "
            f"{len(slow)} at or over 300 ms uncached, {len(slowc)} with the cache; "
            f"{sum(r[4] >= 500 for r in pick_rows)} server errors",
            flush=True,
        )
    if not args.skip_load:
        print()
        load_test(db, values, args.seconds, args.clients, args.workers)


if __name__ == "__main__":
    main()
