"""Classifier figures: quality on the hand-labelled development sets, and speed.

    .venv/bin/python benchmarks/classify.py            # everything (~1 min + the store run)
    .venv/bin/python benchmarks/classify.py --quick    # 20k texts, a 50k-post store
    .venv/bin/python benchmarks/classify.py --store-posts 0   # no store run

Quality: the shipped rules on tests/fixtures/gold/*.csv (the development sets the rules
were written against — optimistic) and on the held-out files (labelled before the rules
were run on them). Speed: relevance + modality + content + sentiment together on the UCI
"Health News in Twitter" corpus read from /work/shared/data (51,075 tweets, used twice
to reach >100k texts), CPU time of this process on one core, best of 3 runs. Each text
is classified in full (`Pipeline.classify_post` reuses nothing between texts), so the
figure is the rate on distinct texts.

Store: `radsocial classify` (the CLI, in a child process, wall time) over a store of
`--store-posts` synthetic posts (default 1,000,000: the issue's target is < 2 min),
built once with `radsocial generate` + `radsocial import` under `--workdir`
(bench-data/, git-ignored) and copied fresh for every run. That run uses worker
processes when the machine has two or more cores, and classifies each distinct text
once (reposts repeat their original's text).
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "fixtures" / "gold"
UCI = Path(
    os.environ.get("RADSOCIAL_UCI", "/work/shared/data/uci-health-news-twitter/Health-Tweets")
)


def load_uci() -> list[str]:
    texts = []
    for f in sorted(glob.glob(str(UCI / "*.txt"))):
        raw = Path(f).read_bytes()
        try:
            txt = raw.decode("utf-8")
        except UnicodeDecodeError:
            txt = raw.decode("cp1252", errors="replace")
        for line in txt.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            parts = line.split("|", 2)
            if len(parts) == 3:
                texts.append(parts[2].replace("\x85", " ").strip())
    return texts


def quality() -> dict[str, float]:
    from radsocial.analysis.evaluate import evaluate
    from radsocial.analysis.train import cross_validate

    out: dict[str, float] = {}
    rel = evaluate("relevance", GOLD / "relevance.csv")
    mod = evaluate("modality", GOLD / "relevance.csv")
    st = evaluate("stakeholder", GOLD / "stakeholder.csv")
    st_real = _real_only_stakeholder()
    sth = evaluate("stakeholder", GOLD / "stakeholder_holdout.csv")
    se = evaluate("sentiment", GOLD / "sentiment.csv")
    relh = evaluate("relevance", GOLD / "relevance_holdout.csv")
    print("== quality (shipped rules) ==")
    print(
        f"relevance  dev n={rel.n:4d}  F1(relevant)={rel.positive_f1:.3f}  target >= 0.90  "
        f"P={rel.per_class['relevant']['precision']:.3f} R={rel.per_class['relevant']['recall']:.3f}"
    )
    fp = relh.per_class.get("relevant", {}).get("support", 0)
    wrong = sum(v for k, v in relh.confusion.get("not_relevant", {}).items() if k == "relevant")
    print(
        f"relevance  held-out negatives n={relh.n}: {wrong} predicted relevant (false positives), support {fp}"
    )
    print(f"modality   dev n={mod.n:4d}  macro-F1={mod.macro_f1:.3f}  exact-set={mod.accuracy:.3f}")
    print(
        f"stakeholder dev n={st.n:4d} macro-F1={st.macro_f1:.3f}  target >= 0.75  accuracy={st.accuracy:.3f}"
    )
    if st_real is not None:
        print(
            f"stakeholder dev, real bios only n={st_real.n:4d} macro-F1={st_real.macro_f1:.3f} accuracy={st_real.accuracy:.3f}"
        )
    print(
        f"stakeholder held-out n={sth.n:4d} macro-F1={sth.macro_f1:.3f}  accuracy={sth.accuracy:.3f}"
    )
    print(f"sentiment  dev n={se.n:4d}  macro-F1={se.macro_f1:.3f}  accuracy={se.accuracy:.3f}")
    print("-- naive Bayes trained on the same files, 5-fold cross-validation --")
    for task in ("relevance", "stakeholder", "sentiment"):
        cv = cross_validate(task, GOLD / f"{task}.csv", k=5)
        extra = f"  F1(relevant)={cv.positive_f1:.3f}" if cv.positive_f1 is not None else ""
        print(f"{task:11s} cv5 macro-F1={cv.macro_f1:.3f}{extra}")
    out.update(relevance_f1=rel.positive_f1 or 0.0, stakeholder_macro_f1=st.macro_f1)
    return out


def _real_only_stakeholder():
    import csv
    import tempfile

    from radsocial.analysis.evaluate import evaluate

    with open(GOLD / "stakeholder.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["source"] != "constructed"]
    with tempfile.NamedTemporaryFile(
        "w", suffix=".csv", delete=False, encoding="utf-8", newline=""
    ) as tmp:
        w = csv.DictWriter(tmp, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    try:
        return evaluate("stakeholder", tmp.name)
    finally:
        os.unlink(tmp.name)


def speed(n: int) -> float:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from radsocial.analysis.pipeline import Pipeline
    from radsocial.analysis.sentiment import FastVader
    from radsocial.analysis.text import Doc

    corpus = load_uci()
    if not corpus:
        print(f"speed: no UCI corpus under {UCI}; set RADSOCIAL_UCI", file=sys.stderr)
        return 0.0
    texts = (corpus * (n // len(corpus) + 1))[:n]
    print(
        f"\n== speed: {len(texts):,} texts ({len(corpus):,} distinct UCI tweets, each classified "
        "in full), one core, CPU time =="
    )
    pipe = Pipeline(("relevance", "modality", "content", "sentiment"))
    for t in texts[:200]:
        pipe.classify_post(t)

    def best(fn, items, runs=3):
        times = []
        for _ in range(runs):
            t0 = time.process_time()
            fn(items)
            times.append(time.process_time() - t0)
        return min(times)

    def run_all(items):
        cp = pipe.classify_post
        for t in items:
            cp(t)

    dt = best(run_all, texts)
    rate = len(texts) / dt
    print(
        f"relevance+modality+content+sentiment: {rate:,.0f} posts/s (target >= 20,000)  [{dt / len(texts) * 1e6:.1f} µs/post]"
    )
    sub = texts[:20000]
    for task in ("relevance", "modality", "content", "sentiment"):
        p = Pipeline((task,))
        d = best(lambda items, p=p: [p.classify_post(t) for t in items], sub, runs=2)
        print(f"  {task:10s} alone (incl. text preparation): {len(sub) / d:,.0f} posts/s")
    d = best(lambda items: [Doc(t) for t in items], sub, runs=2)
    print(f"  text preparation (Doc) alone: {len(sub) / d:,.0f} posts/s")
    fast, ref = FastVader(), SentimentIntensityAnalyzer()
    d_fast = best(lambda items: [fast.polarity_scores(t) for t in items], sub, runs=2)
    d_ref = best(lambda items: [ref.polarity_scores(t) for t in items], sub[:10000], runs=1)
    print(
        f"  VADER: vaderSentiment {10000 / d_ref:,.0f} texts/s, radsocial FastVader {len(sub) / d_fast:,.0f} texts/s"
    )
    mismatch = sum(1 for t in corpus if fast.polarity_scores(t) != ref.polarity_scores(t))
    print(
        f"  FastVader vs vaderSentiment on all {len(corpus):,} tweets: {mismatch} differing score dicts"
    )
    return rate


def _cli(*args: str) -> None:
    exe = Path(sys.executable).with_name("radsocial")
    subprocess.run([str(exe), *args], check=True, stdout=subprocess.DEVNULL)


def store_speed(n: int, workdir: Path) -> float:
    """Wall time of `radsocial classify` over a fresh copy of an n-post store."""
    base = workdir / f"classify-store-{n}"
    pristine = base / "pristine.db"
    if not (base / "built").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        print(f"\nbuilding a {n:,}-post store in {base} (once; import runs at ~6k posts/s) …")
        t0 = time.perf_counter()
        _cli("generate", str(base / "gen"), "--posts", str(n), "-q")
        _cli("import", str(base / "gen" / "corpus"), "--db", str(pristine), "-q")
        (base / "built").write_text(f"{time.perf_counter() - t0:.0f} s\n")
    run = base / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, run)
    t0 = time.perf_counter()
    _cli("classify", "--db", str(run))
    dt = time.perf_counter() - t0
    rate = n / dt
    print(f"\n== radsocial classify over a {n:,}-post store (wall time, CLI) ==")
    print(
        f"{rate:,.0f} posts/s, {dt:.1f} s; extrapolated to 1M posts: {1e6 / rate:.0f} s "
        f"(target < 120 s)  [{os.cpu_count()} cores]"
    )
    return rate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument(
        "--store-posts",
        type=int,
        default=None,
        help="store size (default 1M, --quick 50k; 0: skip)",
    )
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench-data")
    args = ap.parse_args()
    q = quality()
    rate = 0.0 if args.no_speed else speed(20000 if args.quick else 102150)
    n_store = args.store_posts
    if n_store is None:
        n_store = 50_000 if args.quick else 1_000_000
    store_rate = 0.0 if args.no_speed or n_store <= 0 else store_speed(n_store, args.workdir)
    print("\n== targets ==")
    print(
        f"relevance F1 {q['relevance_f1']:.3f} >= 0.90: {'OK' if q['relevance_f1'] >= 0.90 else 'MISSED'}"
    )
    print(
        f"stakeholder macro-F1 {q['stakeholder_macro_f1']:.3f} >= 0.75: {'OK' if q['stakeholder_macro_f1'] >= 0.75 else 'MISSED'}"
    )
    if rate:
        print(f"throughput {rate:,.0f} posts/s >= 20,000: {'OK' if rate >= 20000 else 'MISSED'}")
    if store_rate:
        est = 1e6 / store_rate
        print(f"classify 1M posts ~{est:.0f} s < 120 s: {'OK' if est < 120 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
