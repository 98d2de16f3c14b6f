"""A generated store for the benchmarks that need one (analytics, web): `radsocial
generate` + `radsocial import` (+ `radsocial classify`), written under bench-data/ and
reused while it holds the posts asked for. The corpus for N posts and a seed is shared.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench-data"
BIN = Path(sys.executable).parent


def sh(*args: str) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, check=True)


def build_store(db: str, n: int, seed: int, *, classify: bool = False) -> None:
    """Fill `db` with `n` synthetic posts unless it has (nearly) as many already; print
    how long generating, importing (rollups included) and classifying took."""
    from radsocial.store import Store

    with Store.open(db) as s:
        have = s.stats()["posts"]
    if have >= n * 0.95:
        print(f"{db}: {have:,} posts already", flush=True)
        return
    corpus = DATA / f"corpus-{n}" if seed == 7 else DATA / f"corpus-{n}-seed{seed}"
    if not (corpus / "truth.json").exists():
        t = time.perf_counter()
        sh(str(BIN / "radsocial"), "generate", str(corpus), "--posts", str(n), "--seed", str(seed))
        print(f"generate {n:,} posts: {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    sh(str(BIN / "radsocial"), "import", str(corpus / "corpus"), "--db", db, "-q")
    dt = time.perf_counter() - t
    print(f"import (incl. rollups) into {db}: {dt:.1f} s = {n / dt:,.0f} posts/s", flush=True)
    if classify:
        t = time.perf_counter()
        sh(str(BIN / "radsocial"), "classify", "--db", db)
        dt = time.perf_counter() - t
        print(f"classify: {dt:.1f} s = {n / dt:,.0f} posts/s", flush=True)
