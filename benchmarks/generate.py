"""Generator benchmark: how fast `radsocial generate` writes, and in how much memory.

Run from the repository root:

    .venv/bin/python benchmarks/generate.py                    # 1,000,000 posts, default mix
    .venv/bin/python benchmarks/generate.py --posts 10000000   # the benchmark corpus size
    .venv/bin/python benchmarks/generate.py --formats x-v2 --posts 200000 --profile

Each run happens in a fresh child process (so peak RSS is the generator's, not this
script's) on one core: the generator is single-threaded and zstd compresses in the same
thread. Prints posts/s (wall and per CPU second), MB written (on disk and uncompressed),
MB/s, peak RSS, and a last line `BENCH_JSON {...}` with every figure.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET_POSTS_PER_S = 50_000  # one core
TARGET_RSS_MB = 300

_CHILD = r"""
import cProfile, json, pstats, resource, sys, time
from radsocial.synth import generate
args = json.loads(sys.argv[1])
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
profile = args.pop("profile")
t0, c0 = time.perf_counter(), time.process_time()
if profile:
    prof = cProfile.Profile()
    truth = prof.runcall(generate, **args)
else:
    truth = generate(**args)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
out = {
    "wall_s": wall,
    "cpu_s": cpu,
    "rss_before_mb": rss0 / 1024,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "posts": truth["totals"]["posts"],
    "bytes": truth["totals"]["bytes"],
    "raw_bytes": truth["totals"]["raw_bytes"],
    "records": truth["totals"]["records"],
    "by_platform": truth["totals"]["posts_by_platform"],
    "files": sum(len(p["files"]) for p in truth["platforms"].values()),
}
print("RESULT " + json.dumps(out), flush=True)
if profile:
    pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
"""


def run(args: argparse.Namespace, formats: str | None, posts: int) -> dict[str, Any]:
    out = Path(args.workdir) / (formats or "default").replace(",", "+").replace("=", "")
    params = {
        "out_dir": str(out),
        "posts": posts,
        "start_year": args.start_year,
        "end_year": args.end_year,
        "formats": formats,
        "seed": args.seed,
        "compress": args.compress,
        "overwrite": True,
        "profile": args.profile,
    }
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(params)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"generator failed ({proc.returncode})")
    if args.profile:
        sys.stderr.write(proc.stderr)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    r = json.loads(line[7:])
    r["formats"] = formats or "x-v2,bluesky,mastodon (default shares)"
    r["posts_per_s"] = r["posts"] / r["wall_s"]
    r["posts_per_cpu_s"] = r["posts"] / r["cpu_s"]
    r["mb_written"] = r["bytes"] / 1e6
    r["mb_raw"] = r["raw_bytes"] / 1e6
    r["mb_per_s"] = r["mb_written"] / r["wall_s"]
    r["raw_mb_per_s"] = r["mb_raw"] / r["wall_s"]
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--start-year", type=int, default=2016)
    ap.add_argument("--end-year", type=int, default=2025)
    ap.add_argument(
        "--formats",
        action="append",
        help="formats of one run (repeatable: one run each); default: the default mix, "
        "then each format alone with --per-format",
    )
    ap.add_argument("--per-format", action="store_true", help="also run each format alone")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--compress", choices=("zstd", "gzip", "none"), default="zstd")
    ap.add_argument("--workdir", default="bench-data/generate")
    ap.add_argument("--keep", action="store_true", help="keep the corpora (default: delete)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of each run")
    args = ap.parse_args()

    runs: list[str | None] = list(args.formats or [None])
    if args.per_format:
        runs += ["x-v2", "bluesky", "mastodon"]
        if args.start_year > 2023:
            raise SystemExit("--per-format needs years before 2024 for every format")
    results = []
    print(
        f"radsocial generate: {args.posts:,} posts per run, {args.start_year}-{args.end_year}, "
        f"{args.compress}, seed {args.seed}, one core"
    )
    print(
        f"{'formats':<40} {'posts/s':>9} {'per cpu-s':>10} {'MB disk':>9} {'MB raw':>9} "
        f"{'MB/s raw':>9} {'peak RSS':>9}"
    )
    for formats in runs:
        posts = args.posts
        if formats is not None and formats.startswith("bluesky") and args.start_year < 2023:
            # Bluesky only has posts from 2023: run its years so the size stays comparable
            args_b = argparse.Namespace(**{**vars(args), "start_year": 2023})
            r = run(args_b, formats, posts)
        else:
            r = run(args, formats, posts)
        results.append(r)
        print(
            f"{r['formats']:<40} {r['posts_per_s']:>9,.0f} {r['posts_per_cpu_s']:>10,.0f} "
            f"{r['mb_written']:>9,.1f} {r['mb_raw']:>9,.1f} {r['raw_mb_per_s']:>9,.1f} "
            f"{r['peak_rss_mb']:>7,.0f} MB",
            flush=True,
        )
    main_run = results[0]
    ok_speed = main_run["posts_per_cpu_s"] >= TARGET_POSTS_PER_S
    ok_rss = main_run["peak_rss_mb"] < TARGET_RSS_MB
    print(
        f"target >= {TARGET_POSTS_PER_S:,} posts/s per core: "
        f"{'PASS' if ok_speed else 'BELOW'} ({main_run['posts_per_cpu_s']:,.0f}); "
        f"peak RSS < {TARGET_RSS_MB} MB: {'PASS' if ok_rss else 'FAIL'} "
        f"({main_run['peak_rss_mb']:,.0f} MB)"
    )
    print(
        "BENCH_JSON "
        + json.dumps(
            {
                "posts": args.posts,
                "years": [args.start_year, args.end_year],
                "compress": args.compress,
                "runs": results,
                "ru_maxrss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
            },
            separators=(",", ":"),
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
