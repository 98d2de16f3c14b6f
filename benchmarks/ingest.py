"""Ingest benchmark: parse + normalize, end-to-end import, memory on a 2 GB archive, peers.

Run from the repository root:

    .venv/bin/python benchmarks/ingest.py            # full run (~5–10 min on 2 cores)
    .venv/bin/python benchmarks/ingest.py --quick    # smoke run (small sizes, < 1 min)

Prints a table (each figure beside its target, PASS/FAIL), profiles of where the time goes,
and a last line `BENCH_JSON {...}` with every figure. See benchmarks/README.md.

Corpora are real X payloads from /work/shared/data replicated with fresh tweet ids
(`_corpus.py`), written once into --workdir (default ./bench-data) and reused.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import importlib
import io
import json
import os
import pstats
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _corpus  # noqa: E402
import orjson  # noqa: E402

TARGET_PARSE = 100_000  # posts/s, one core, X v2 and v1.1
TARGET_SQLITE = 30_000  # posts/s end to end
TARGET_PG = 20_000
TARGET_RSS_MB = 300

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_BENCH = "postgresql://postgres@127.0.0.1:5432/radsocial_bench"
V2_POSTS_PER_MB = 1752 / 3.484  # posts emitted per MB of the v2 corpus (one round), for sizing


# --------------------------------------------------------------------------- helpers
def guard_registry() -> list[str]:
    """Drop format modules that cannot be imported (work in progress elsewhere) from the
    registry, so autodetection works; return what was dropped."""
    import radsocial.sources as S

    ok, missing = [], []
    for spec in S.FORMATS:
        try:
            importlib.import_module(spec.partition(":")[0])
            ok.append(spec)
        except ImportError as exc:
            missing.append(f"{spec} ({exc})")
    if missing:
        S.FORMATS = tuple(ok)
        S.all_formats.cache_clear()
    return missing


def best_of(fn: Any, repeat: int) -> tuple[float, Any]:
    """Smallest wall time of `repeat` runs (after a GC), and the last result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def fmt_rate(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}/s"


def log(msg: str) -> None:
    print(msg, flush=True)


def remove_sqlite(db: Path) -> None:
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(f"{db}.quarantine", ignore_errors=True)


def pg_state(url: str) -> dict[str, Any]:
    """Server settings and table statistics that explain PostgreSQL plans."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as c:
            av = c.execute("SHOW autovacuum").fetchone()
            row = c.execute(
                "SELECT c.reltuples, s.last_analyze, s.last_autoanalyze, s.n_live_tup "
                "FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid "
                "WHERE c.relname = 'posts'"
            ).fetchone()
    except Exception as exc:
        return {"error": str(exc)}
    return {
        "autovacuum": av[0] if av else None,
        "posts_reltuples": row[0] if row else None,
        "last_analyze": str(row[1]) if row and row[1] else None,
        "last_autoanalyze": str(row[2]) if row and row[2] else None,
        "posts_live": row[3] if row else None,
    }


def fresh_pg() -> str | None:
    """Drop and create the benchmark database; return its URL or None when PG is absent."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute("DROP DATABASE IF EXISTS radsocial_bench")
            conn.execute("CREATE DATABASE radsocial_bench")
    except Exception as exc:
        log(f"  PostgreSQL not available ({exc}); skipped")
        return None
    return PG_BENCH


# --------------------------------------------------------------------------- child import
def _sql_key(statement: str) -> str:
    words = statement.split(None, 3)
    verb = words[0].upper() if words else "?"
    if verb == "INSERT" and len(words) > 2:
        return f"INSERT {words[2].split('(')[0]}"
    if verb == "UPDATE" and len(words) > 1:
        return f"UPDATE {words[1]}"
    if verb == "DELETE" and len(words) > 2:
        return f"DELETE {words[2]}"
    m = re.search(r"\bFROM\s+(\w+)", statement)
    return f"{verb} {m.group(1) if m else ''}".strip()


def child_import(
    db: str, paths: list[str], profile_out: str | None, deadline: float | None = None
) -> None:
    """Entry point run in a fresh interpreter: import `paths` into `db`, print JSON.

    Besides the summary it reports the time spent inside the database driver per
    statement kind (SQLAlchemy cursor events: driver + database engine time, without
    SQLAlchemy's own parameter processing) and the bytes read over time.
    """
    import faulthandler

    faulthandler.register(signal.SIGUSR1)  # the parent asks for a traceback when stuck
    missing = guard_registry()
    from sqlalchemy import event

    from radsocial.ingest import Importer
    from radsocial.store import Store

    t0 = time.perf_counter()
    store = Store.open(db)
    t_open = time.perf_counter() - t0
    sql: dict[str, list[float]] = {}  # key -> [seconds, calls, rows]
    stack: list[float] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        stack.append(time.perf_counter())

    @event.listens_for(store.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        dt = time.perf_counter() - stack.pop()
        acc = sql.setdefault(_sql_key(statement), [0.0, 0, 0])
        acc[0] += dt
        acc[1] += 1
        acc[2] += len(parameters) if executemany else 1

    # radsocial.store.bulk (when present) writes through the raw DB-API cursor, which
    # SQLAlchemy's events do not see: time it at its entry point instead.
    try:
        from radsocial.store import bulk as _bulk
    except ImportError:
        _bulk = None
    orig = getattr(_bulk, "insert_rows", None)
    if orig is not None:

        def timed(conn: Any, table: Any, cols: Any, rows: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return orig(conn, table, cols, rows, **kw)
            finally:
                acc = sql.setdefault(f"bulk {table.name}", [0.0, 0, 0])
                acc[0] += time.perf_counter() - t
                acc[1] += 1
                acc[2] += len(rows)

        for mod in list(sys.modules.values()):
            name = getattr(mod, "__name__", "") or ""
            if name.startswith("radsocial") and getattr(mod, "insert_rows", None) is orig:
                mod.insert_rows = timed

    marks: list[tuple[float, int]] = []
    start = 0.0

    def progress(_file: str, done: int, total: int) -> None:
        now = time.perf_counter() - start
        if not marks or done - marks[-1][1] >= total // 20 or done == total:
            marks.append((now, done))
        if deadline and now > deadline:
            # Stop like Ctrl-C, between records (a SIGINT landing inside psycopg's wait
            # is absorbed by its query cancellation and the import goes on).
            raise KeyboardInterrupt

    prof = cProfile.Profile() if profile_out else None
    gc.collect()
    start = t0 = time.perf_counter()
    if prof:
        prof.enable()
    importer = Importer(store, progress=progress)  # what import_paths() does
    interrupted = False
    try:
        summary = importer.run(paths)
    except KeyboardInterrupt:  # the parent's time limit: report what was committed
        summary = importer.summary
        interrupted = True
    if prof:
        prof.disable()
    seconds = time.perf_counter() - t0
    if prof and profile_out:
        prof.dump_stats(profile_out)
    sql_total = sum(v[0] for v in sql.values())
    st = store.stats()
    store.close()
    # MB/s in each fifth of the file: a store that slows down as it grows shows here.
    speed = []
    if marks and marks[-1][1]:
        total = marks[-1][1]
        for q in range(1, 6):
            a = max((m for m in marks if m[1] <= total * (q - 1) / 5), default=(0.0, 0))
            b = min((m for m in marks if m[1] >= total * q / 5), default=marks[-1])
            if b[0] > a[0]:
                speed.append(round((b[1] - a[1]) / 1e6 / (b[0] - a[0]), 1))
    out = {
        "seconds": seconds,
        "open_seconds": t_open,
        "records": summary.records,
        "posts_read": summary.posts_read,
        "new": summary.new,
        "duplicate": summary.duplicate,
        "rejected": summary.rejected,
        "warnings": summary.warnings,
        "accounts_new": summary.accounts_new,
        "status": summary.status,
        "interrupted": interrupted,
        "stored_posts": st.get("posts"),
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "sql_seconds": sql_total,
        "sql": {
            k: {"seconds": round(v[0], 3), "calls": v[1], "rows": v[2]}
            for k, v in sorted(sql.items(), key=lambda kv: -kv[1][0])
        },
        "mb_per_s_by_fifth": speed,
        "registry_dropped": missing,
    }
    print("CHILD_JSON " + json.dumps(out, default=str), flush=True)


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_import(
    db: str,
    paths: list[Path],
    *,
    profile_out: Path | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Import in a child process while sampling its RSS every 0.2 s.

    With `timeout`, the child stops itself after that many seconds of importing, like a
    Ctrl-C'd import (the batch being read is not written), and reports what it committed.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-import", db]
    cmd += [str(p) for p in paths]
    if profile_out:
        cmd += ["--child-profile", str(profile_out)]
    if timeout:
        cmd += ["--child-deadline", str(timeout)]
    samples: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = _rss_mb(proc.pid)
            if rss is not None:
                samples.append((time.perf_counter() - t0, rss))
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        # The child stops itself at the deadline; this is only a safety net.
        out, err = proc.communicate(timeout=timeout * 3 + 300 if timeout else None)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)  # faulthandler: where is it stuck?
        time.sleep(1)
        proc.kill()
        out, err = proc.communicate()
    stop.set()
    th.join()
    wall = time.perf_counter() - t0
    line = next((ln for ln in out.splitlines() if ln.startswith("CHILD_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"import child failed ({proc.returncode}):\n{err[-4000:]}")
    res: dict[str, Any] = json.loads(line[len("CHILD_JSON ") :])
    res["wall_seconds"] = wall
    res["timed_out"] = bool(res.get("interrupted"))
    res["limit_seconds"] = timeout
    res["posts_per_s"] = res["posts_read"] / res["seconds"] if res["seconds"] else 0.0
    res["peak_rss_sampled_mb"] = max((r for _, r in samples), default=None)
    res["rss_samples"] = len(samples)
    if samples:
        # RSS at 10 %, 25 %, 50 %, 75 %, 90 % of the run: flat means these stay close.
        qs = {}
        for q in (0.1, 0.25, 0.5, 0.75, 0.9):
            idx = min(int(q * len(samples)), len(samples) - 1)
            qs[f"{int(q * 100)}%"] = round(samples[idx][1], 1)
        res["rss_over_time_mb"] = qs
    return res


# --------------------------------------------------------------------------- parse
def load_lines(path: Path) -> list[bytes]:
    with open(path, "rb") as f:
        return f.read().splitlines()


def bench_parse(lines: list[bytes], kind: str, repeat: int) -> dict[str, Any]:
    import msgspec

    from radsocial.sources.base import Context
    from radsocial.sources.x_v1 import XV1Format
    from radsocial.sources.x_v2 import XV2Format

    fmt = XV2Format() if kind == "x-v2" else XV1Format()
    nbytes = sum(len(x) for x in lines)
    loads = orjson.loads
    dec = msgspec.json.Decoder()

    def data_count() -> int:
        if kind == "x-v2":
            return sum(len(loads(x)["data"]) for x in lines)
        return len(lines)

    n_data = data_count()

    def run_orjson() -> int:
        n = 0
        for x in lines:
            loads(x)
            n += 1
        return n

    def run_msgspec() -> int:
        n = 0
        for x in lines:
            dec.decode(x)
            n += 1
        return n

    typed = fmt.typed_decoder()

    def decode_as_importer(x: bytes) -> Any:
        # What the importer does once a file's format is known: the format's typed
        # decoder, generic JSON for lines it does not read.
        if typed is not None:
            value = typed(x)
            if value is not None:
                return value
        return loads(x)

    def run_radsocial() -> int:
        n = 0
        normalize = fmt.normalize
        for x in lines:
            n += len(normalize(decode_as_importer(x), Context(source="bench")))
        return n

    t_or, _ = best_of(run_orjson, repeat)
    t_ms, _ = best_of(run_msgspec, repeat)
    t_rs, emitted = best_of(run_radsocial, repeat)
    return {
        "kind": kind,
        "mb": nbytes / 1e6,
        "records": len(lines),
        "posts_data": n_data,
        "posts_emitted": emitted,
        "orjson_s": t_or,
        "msgspec_s": t_ms,
        "radsocial_s": t_rs,
        "orjson_rate": n_data / t_or,
        "msgspec_rate": n_data / t_ms,
        "radsocial_rate": n_data / t_rs,
        "radsocial_emitted_rate": emitted / t_rs,
        "orjson_mb_s": nbytes / 1e6 / t_or,
        "radsocial_mb_s": nbytes / 1e6 / t_rs,
        "ratio_to_orjson": t_or / t_rs,
        "ratio_to_msgspec": t_ms / t_rs,
    }


# --------------------------------------------------------------------------- peers
def bench_twitwi(lines: list[bytes]) -> dict[str, Any]:
    """twitwi per page, as a researcher would call it (orjson decode included).

    twitwi raises on pages whose `includes` lack a mentioned user or a referenced tweet
    (real twarc2 pages often do); a first pass finds the pages it accepts and only those
    are timed, so its rate is not charged for failures.
    """
    from twitwi import normalize_tweets_payload_v2

    accepted: list[bytes] = []
    errors: dict[str, int] = {}
    failed_tweets = 0
    for x in lines:
        page = orjson.loads(x)
        try:
            normalize_tweets_payload_v2(page, extract_referenced_tweets=True)
        except Exception as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            failed_tweets += len(page["data"])
            continue
        accepted.append(x)
    n_data = n_rows = 0

    def run() -> None:
        nonlocal n_data, n_rows
        n_data = n_rows = 0
        for x in accepted:
            page = orjson.loads(x)
            n_data += len(page["data"])
            n_rows += len(normalize_tweets_payload_v2(page, extract_referenced_tweets=True))

    t, _ = best_of(run, 2)
    return {
        "seconds": t,
        "posts_data": n_data,
        "rows": n_rows,
        "rate": n_data / t if t else 0.0,
        "pages_accepted": len(accepted),
        "pages_failed": len(lines) - len(accepted),
        "tweets_in_failed_pages": failed_tweets,
        "errors": errors,
    }


def bench_twarc_csv(path: Path, workdir: Path, n_data: int) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("twarc2")
    if not exe.exists():
        return {"error": f"{exe} not found (pip install twarc-csv==0.7.2 'pandas<3')"}
    out = workdir / "twarc2-out.csv"
    env = {**os.environ, "BEARER_TOKEN": "benchmark-no-network"}  # skips twarc2's setup prompt
    t0 = time.perf_counter()
    subprocess.run(
        [str(exe), "csv", "--help"], env=env, check=True, capture_output=True, timeout=120
    )
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "csv", "--hide-progress", "--hide-stats", str(path), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        stdin=subprocess.DEVNULL,
    )
    t = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"error": f"twarc2 csv failed: {proc.stderr[-800:]}"}
    csv.field_size_limit(1 << 30)
    with open(out, newline="", encoding="utf-8") as f:
        rows = sum(1 for _ in csv.reader(f)) - 1
    return {
        "seconds": t,
        "startup_seconds": startup,
        "posts_data": n_data,
        "rows": rows,
        "rate": n_data / t,
        "rate_net_of_startup": n_data / max(t - startup, 1e-9),
    }


# --------------------------------------------------------------------------- profiles
def _is(file_part: str, *names: str) -> Any:
    return lambda fn, name: file_part in fn and name in names


def _builtin(*parts: str) -> Any:
    return lambda fn, name: fn == "~" and all(p in name for p in parts)


#: (label, matcher(filename, function name)); the cumulative time of the match is shown.
STAGES: list[tuple[str, Any]] = [
    ("read lines + decode (iter_json_records)", _is("reader.py", "iter_json_records")),
    ("orjson.loads", _builtin("orjson.loads")),
    ("msgspec typed decode (x_v2_types.decode_page)", _is("x_v2_types.py", "decode_page")),
    ("normalize (XV2Format/XV1Format.normalize)", _is("sources/x_v", "normalize")),
    ("  _tweet / _status (one post each)", _is("sources/x_v", "_tweet", "_status")),
    ("  Post(...) / Account(...) construction", _is("<string>", "__init__")),
    ("  datetime.fromisoformat", _builtin("fromisoformat")),
    ("  parse_twitter_date (v1.1)", _is("base.py", "parse_twitter_date")),
    ("Importer._flush -> Store.write_batch (all DB work)", _is("store/__init__.py", "write_batch")),
    ("  write_raw (sha1, zstd, insert raw)", _is("writer.py", "write_raw")),
    ("    zstd compress", _builtin("compress", "zstd")),
    ("    sha1", _builtin("sha1")),
    ("  write_posts (posts, child rows, FTS)", _is("writer.py", "write_posts")),
    ("    _post_row (row dicts)", _is("writer.py", "_post_row")),
    ("    _child_rows (hashtags/mentions/links)", _is("writer.py", "_child_rows")),
    ("  write_accounts (upsert + snapshots)", _is("writer.py", "write_accounts")),
    (
        "  bulk.insert_rows (tuples: convert + executemany/COPY)",
        _is("store/bulk.py", "insert_rows"),
    ),
    ("    _sqlite_datetime (bulk)", _is("store/bulk.py", "_sqlite_datetime")),
    ("  index_new_posts (FTS5 INSERT…SELECT per batch)", _is("dialect.py", "index_new_posts")),
    ("  sqlite3 executemany (SQL incl. indexes)", _builtin("executemany", "sqlite3")),
    ("  sqlite3 execute", _builtin("'execute'", "sqlite3")),
    ("  sqlite3 commit", _builtin("commit", "sqlite3")),
    ("  psycopg execute/executemany", _is("psycopg/cursor.py", "execute", "executemany")),
    ("  psycopg COPY write_row", _is("psycopg/_copy_base.py", "write_row")),
    ("  psycopg waiting for the server (connection.wait)", _is("psycopg/connection.py", "wait")),
    ("  SQLAlchemy DATETIME bind (sqlite)", _is("sqlite/base.py", "process")),
    ("  JSON columns -> orjson.dumps (_json_dumps)", _is("store/engine.py", "_json_dumps")),
]


def _find(stats: pstats.Stats, match: Any) -> float:
    best = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if match(filename, name):
            best = max(best, ct)
    return best


def profile_text(
    prof_path: Path, total: float | None, title: str, top: int = 15
) -> tuple[str, dict]:
    buf = io.StringIO()
    st = pstats.Stats(str(prof_path), stream=buf)
    st.strip_dirs().sort_stats("tottime").print_stats(top)
    raw = buf.getvalue()
    lines = raw.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip().startswith("ncalls")), 0)
    body = "\n".join(lines[start:]).rstrip()
    st2 = pstats.Stats(str(prof_path))
    prof_total = st2.total_tt  # type: ignore[attr-defined]
    stages = {}
    for label, match in STAGES:
        ct = _find(st2, match)
        if ct >= 0.005 * prof_total:
            stages[label] = ct
    out = [f"--- {title}: top {top} functions by own time (cProfile; {prof_total:.2f} s"]
    out[0] += " under the profiler" + (f", {total:.2f} s without" if total else "") + ") ---"
    out.append(body)
    if stages:
        out.append(f"--- {title}: time by stage (cumulative, share of profiled total) ---")
        for label, ct in stages.items():
            out.append(f"  {label:56s} {ct:7.2f} s  {100 * ct / prof_total:5.1f} %")
    return "\n".join(out), {k: round(v / prof_total, 3) for k, v in stages.items()}


_FTS_TRIGGER = (
    "CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END"
)


#: Every table an import writes, parents before children.
IMPORT_TABLES = (
    "raw_records",
    "accounts",
    "account_snapshots",
    "posts",
    "post_hashtags",
    "post_mentions",
    "post_links",
)


def sqlite_floor(src: Path, wd: Path) -> dict[str, Any]:
    """Replay the rows an import wrote, with plain sqlite3 and tuples, into empty copies
    of the schema: the database's own cost for this schema, with no Python around it.

    Variants: the posts table with its indexes only; plus FTS5 filled by a per-row
    AFTER INSERT trigger (schema 0001); plus FTS5 filled by one INSERT…SELECT per batch
    (what the store does since migration 0002); and the same two with every table
    the import writes (raw records, accounts, snapshots, posts, hashtags, mentions,
    links) and foreign keys on. Same pragmas as the store, one transaction per 5,000
    posts (as the import batches).
    """
    import sqlite3

    c = sqlite3.connect(src)
    schema = c.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
    ).fetchall()
    order = list(IMPORT_TABLES)
    data = {t: c.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in order}
    c.close()
    n_posts = len(data["posts"])
    variants = {
        "posts table + its 4 indexes, no FTS": (["posts"], None),
        "posts + indexes + FTS5 by per-row trigger": (["posts"], "trigger"),
        "posts + indexes + FTS5 by 1 INSERT…SELECT/batch": (["posts"], "batch"),
        "all tables, FTS5 by per-row trigger, FKs on": (order, "trigger"),
        "all tables, FTS5 by INSERT…SELECT/batch, FKs on": (order, "batch"),
    }
    out: dict[str, Any] = {"posts": n_posts}
    for label, (tables, fts) in variants.items():
        db = wd / "floor.db"
        remove_sqlite(db)
        conn = sqlite3.connect(db, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "cache_size=-65536",
            "temp_store=MEMORY",
            f"foreign_keys={'ON' if len(tables) > 1 else 'OFF'}",
        ):
            conn.execute(f"PRAGMA {pragma}")
        for kind, name, tbl, sql in schema:
            if name.startswith("posts_fts_") and kind == "table":
                continue  # FTS5 shadow tables: made by CREATE VIRTUAL TABLE
            if (name == "posts_fts" or tbl == "posts_fts") and not fts:
                continue
            if kind == "trigger" and name == "posts_fts_ai":
                continue  # added below when the variant asks for it
            conn.execute(sql)
        if fts == "trigger":
            conn.execute(_FTS_TRIGGER)
        t0 = time.perf_counter()
        step = 5000
        by_post: dict[str, dict[int, list[tuple[Any, ...]]]] = {}
        for t in ("post_hashtags", "post_mentions", "post_links"):
            groups: dict[int, list[tuple[Any, ...]]] = {}
            for r in data[t]:
                groups.setdefault(r[0], []).append(r)
            by_post[t] = groups
        for i in range(0, n_posts, step):
            conn.execute("BEGIN IMMEDIATE")
            posts_chunk = data["posts"][i : i + step]
            for t in tables:
                if t == "posts":
                    chunk = posts_chunk
                elif t in by_post:
                    g = by_post[t]
                    chunk = [r for p in posts_chunk for r in g.get(p[0], ())]
                else:  # raw records, accounts, snapshots: few; all in the first batch
                    chunk = data[t] if i == 0 else []
                if chunk:
                    marks = ",".join("?" * len(chunk[0]))
                    conn.executemany(f"INSERT INTO {t} VALUES ({marks})", chunk)
                if t == "posts" and fts == "batch" and chunk:
                    conn.execute(
                        "INSERT INTO posts_fts(rowid, text) SELECT id, text FROM posts "
                        "WHERE id BETWEEN ? AND ?",
                        (chunk[0][0], chunk[-1][0]),
                    )
            conn.execute("COMMIT")
        dt = time.perf_counter() - t0
        conn.close()
        remove_sqlite(db)
        out[label] = {"seconds": dt, "posts_per_s": n_posts / dt}
    return out


def floor_text(title: str, floor: dict[str, Any]) -> str:
    """A floor's variants as printed lines: seconds and posts/s each."""
    out = [f"--- {title} ---"]
    for label, v in floor.items():
        if isinstance(v, dict):
            out.append(f"  {label:55s} {v['seconds']:6.2f} s  {_n(v['posts_per_s']):>9} posts/s")
    return "\n".join(out)


def pg_floor(url: str) -> dict[str, Any]:
    """The server's own cost for the rows a PostgreSQL import wrote: each variant
    copies them, server-side (`INSERT … SELECT` from the imported tables, no client,
    no parsing), into empty tables of a scratch schema, 5,000 posts per transaction.

    Variants add the store's parts one at a time — the posts table bare, its b-tree
    indexes, the generated `tsvector` column, its GIN index — then every table the
    import writes, without and with the foreign keys (PostgreSQL checks each one with
    a query per row). What a variant costs minus the one before is what that part
    costs the import, whatever the client does.
    """
    import psycopg

    src = "public"
    out: dict[str, Any] = {}
    with psycopg.connect(url, autocommit=True) as c:
        n_posts = c.execute("SELECT count(*) FROM posts").fetchone()[0]  # type: ignore[index]
        lo, hi = c.execute("SELECT min(id), max(id) FROM posts").fetchone()  # type: ignore[misc]
        out["posts"] = n_posts
        if not n_posts:
            return out

        def cols(table: str) -> str:
            rows = c.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
                (src, table),
            ).fetchall()
            return ", ".join(r[0] for r in rows)

        fks = c.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        ).fetchall()
        variants: dict[str, tuple[tuple[str, ...], str, bool]] = {
            "posts table, no index, no tsvector": (("posts",), "bare", False),
            "posts + its b-tree indexes": (("posts",), "btree", False),
            "posts + indexes + generated tsvector": (("posts",), "tsv", False),
            "posts + indexes + tsvector + GIN (the store's posts)": (("posts",), "all", False),
            "all tables, no foreign keys": (IMPORT_TABLES, "all", False),
            "all tables, foreign keys on (the store)": (IMPORT_TABLES, "all", True),
        }
        for label, (tables, posts_parts, with_fk) in variants.items():
            c.execute("DROP SCHEMA IF EXISTS floor CASCADE")
            c.execute("CREATE SCHEMA floor")
            for t in tables:
                if t != "posts" or posts_parts == "all":
                    c.execute(f"CREATE TABLE floor.{t} (LIKE {src}.{t} INCLUDING ALL)")
                    continue
                c.execute(
                    f"CREATE TABLE floor.posts (LIKE {src}.posts INCLUDING DEFAULTS INCLUDING GENERATED)"
                )
                if posts_parts == "bare":
                    c.execute("ALTER TABLE floor.posts DROP COLUMN tsv")
                    continue
                # b-tree indexes as the store has them (not the GIN one)
                for (ddl,) in c.execute(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = "
                    "'posts' AND indexdef NOT LIKE '%%USING gin%%'",
                    (src,),
                ).fetchall():
                    # index names are per schema: the same names serve in floor
                    c.execute(ddl.replace(" ON public.posts ", " ON floor.posts "))
                if posts_parts == "btree":
                    c.execute("ALTER TABLE floor.posts DROP COLUMN tsv")
            if with_fk:
                for table, ddl in fks:
                    name = table.split(".")[-1]
                    if name in tables:
                        target = ddl.replace("REFERENCES ", "REFERENCES floor.")
                        c.execute(f"ALTER TABLE floor.{name} ADD {target}")
            names = {t: cols(t) for t in tables}
            t0 = time.perf_counter()
            step = 5000
            first = True
            for a in range(lo - 1, hi, step):
                b = a + step
                with c.transaction():
                    for t in tables:
                        if t == "posts":
                            where = f"id > {a} AND id <= {b}"
                        elif t.startswith("post_"):
                            where = f"post_id > {a} AND post_id <= {b}"
                        elif first:  # raw records, accounts, snapshots: few; in batch one
                            where = "true"
                        else:
                            continue
                        c.execute(
                            f"INSERT INTO floor.{t} ({names[t]}) SELECT {names[t]} FROM {src}.{t} "
                            f"WHERE {where}"
                        )
                first = False
            dt = time.perf_counter() - t0
            out[label] = {"seconds": dt, "posts_per_s": n_posts / dt}
        c.execute("DROP SCHEMA floor CASCADE")
    return out


def profile_parse(lines: list[bytes], kind: str, out: Path) -> None:
    from radsocial.sources.base import Context
    from radsocial.sources.x_v1 import XV1Format
    from radsocial.sources.x_v2 import XV2Format

    fmt = XV2Format() if kind == "x-v2" else XV1Format()
    typed = fmt.typed_decoder()
    prof = cProfile.Profile()
    gc.collect()
    prof.enable()
    for x in lines:
        value = typed(x) if typed is not None else None
        fmt.normalize(orjson.loads(x) if value is None else value, Context(source="bench"))
    prof.disable()
    prof.dump_stats(str(out))


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=None, help="big archive size (default 2048)")
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--skip-pg", action="store_true", help="skip PostgreSQL")
    ap.add_argument("--skip-peers", action="store_true", help="skip twarc2 csv and twitwi")
    ap.add_argument("--skip-memory", action="store_true", help="skip the big-archive run")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    ap.add_argument("--workdir", default="bench-data", help="where corpora and stores go")
    ap.add_argument("--peer-mb", type=int, default=None, help="v2 parse/peer file (default 75)")
    ap.add_argument("--e2e-posts", type=int, default=None, help="end-to-end corpus posts")
    ap.add_argument(
        "--pg-timeout",
        type=float,
        default=150,
        help="stop the PostgreSQL import after this many seconds (0: never); default 150",
    )
    ap.add_argument("--repeat", type=int, default=5, help="parse runs (best is kept)")
    ap.add_argument("--child-import", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--child-profile", help=argparse.SUPPRESS)
    ap.add_argument("--child-deadline", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child_import:
        child_import(
            args.child_import[0], args.child_import[1:], args.child_profile, args.child_deadline
        )
        return 0

    size_mb = args.size_mb or (50 if args.quick else 2048)
    peer_mb = args.peer_mb or (8 if args.quick else 75)
    v1_mb = 4 if args.quick else 40
    e2e_posts = args.e2e_posts or (20_000 if args.quick else 200_000)
    wd = Path(args.workdir).resolve()
    wd.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    results: dict[str, Any] = {"quick": args.quick, "machine": machine()}
    notes: list[str] = []

    dropped = guard_registry()
    if dropped:
        notes.append(
            "format registry: could not import " + "; ".join(dropped) + " — left out of "
            "autodetection for this run (radsocial.sources.FORMATS names them)"
        )
        log("NOTE: " + notes[-1])

    free = shutil.disk_usage(wd).free
    need = (size_mb + peer_mb + v1_mb) * 1e6 + e2e_posts / V2_POSTS_PER_MB * 1e6 * 3
    log(f"workdir {wd}: {free / 1e9:.1f} GB free, this run needs about {need / 1e9:.1f} GB")
    if free < need:
        log("not enough free disk space; use --size-mb / --e2e-posts or another --workdir")
        return 2

    # ---------------------------------------------------------------- corpora
    log("building corpora (reused when present) …")
    t0 = time.perf_counter()
    v2_peer = _corpus.build(wd / f"x-v2-{peer_mb}mb.jsonl", "x-v2", peer_mb << 20, log=log)
    v1_file = _corpus.build(wd / f"x-v1-{v1_mb}mb.jsonl", "x-v1", v1_mb << 20, log=log)
    e2e_mb = max(1, round(e2e_posts / V2_POSTS_PER_MB))
    e2e = _corpus.build(wd / f"x-v2-e2e-{e2e_posts}.jsonl", "x-v2", e2e_mb << 20, log=log)
    big = None
    if not args.skip_memory:
        big = _corpus.build(wd / f"x-v2-archive-{size_mb}mb.jsonl", "x-v2", size_mb << 20, log=log)
    results["corpora"] = {
        k: v.as_dict() for k, v in {"v2_peer": v2_peer, "v1": v1_file, "e2e": e2e}.items()
    }
    if big:
        results["corpora"]["archive"] = big.as_dict()
    log(f"  corpora ready in {time.perf_counter() - t0:.1f} s")
    for name, c in results["corpora"].items():
        log(
            f"  {name:8s} {Path(c['path']).name:32s} {c['bytes'] / 1e6:8.1f} MB  "
            f"{c['records']:>8,} records  {c['data_tweets']:>9,} tweets in data  "
            f"{c['include_tweets']:>8,} in includes  ({c['rounds']} rounds)"
        )

    # ---------------------------------------------------------------- 1. parse + normalize
    log("1. parse + normalize (in memory, one core) …")
    v2_lines = load_lines(Path(v2_peer.path))
    p2 = bench_parse(v2_lines, "x-v2", args.repeat)
    v1_lines = load_lines(Path(v1_file.path))
    p1 = bench_parse(v1_lines, "x-v1", args.repeat)
    results["parse"] = {"x-v2": p2, "x-v1": p1}
    for p in (p2, p1):
        log(
            f"  {p['kind']}: {p['radsocial_rate']:,.0f} posts/s (data) "
            f"{p['radsocial_emitted_rate']:,.0f} emitted/s; orjson {p['orjson_rate']:,.0f}/s"
        )

    # ---------------------------------------------------------------- 4. peers
    if not args.skip_peers:
        log("4. peers on the same v2 file …")
        peers: dict[str, Any] = {}
        try:
            peers["twitwi"] = bench_twitwi(v2_lines)
        except ImportError as exc:
            peers["twitwi"] = {"error": f"twitwi not installed ({exc})"}
        peers["twarc2_csv"] = bench_twarc_csv(Path(v2_peer.path), wd, v2_peer.data_tweets)
        db = wd / "peer-file.db"
        remove_sqlite(db)
        peers["radsocial_sqlite_same_file"] = run_import(str(db), [Path(v2_peer.path)])
        peers["radsocial_sqlite_same_file"]["data_rate"] = (
            v2_peer.data_tweets / peers["radsocial_sqlite_same_file"]["seconds"]
        )
        remove_sqlite(db)
        results["peers"] = peers
        for k, v in peers.items():
            log(f"  {k}: " + (v.get("error") or f"{v.get('rate', v.get('data_rate', 0)):,.0f}/s"))
    del v2_lines, v1_lines
    gc.collect()

    # ---------------------------------------------------------------- 2. end to end
    log(f"2. end-to-end import of {e2e.bytes / 1e6:,.0f} MB ({e2e.data_tweets:,} tweets in data) …")
    db = wd / "e2e.db"
    remove_sqlite(db)
    results["e2e_sqlite"] = r = run_import(str(db), [Path(e2e.path)])
    r["db_mb"] = sum(p.stat().st_size for p in wd.glob("e2e.db*") if p.is_file()) / 1e6
    remove_sqlite(db)
    log(f"  SQLite: {r['posts_per_s']:,.0f} posts/s ({r['posts_read']:,} in {r['seconds']:.1f} s)")
    if not args.skip_pg:
        url = fresh_pg()
        if url:
            results["e2e_pg"] = r = run_import(
                url, [Path(e2e.path)], timeout=args.pg_timeout or None
            )
            r["pg_state"] = st = pg_state(url)
            sel = r["sql"].get("SELECT posts", {}).get("seconds", 0.0)
            if st.get("posts_reltuples", 0) < 0 or not (
                st.get("last_analyze") or st.get("last_autoanalyze")
            ):
                notes.append(
                    f"PostgreSQL: autovacuum={st.get('autovacuum')}, and the posts table was "
                    "never ANALYZEd during the import (reltuples "
                    f"{st.get('posts_reltuples')}); the existence check 'SELECT posts' took "
                    f"{sel:.0f} s of the {r['seconds']:.0f} s import — look at its plan"
                )
            log(
                f"  PostgreSQL: {r['posts_per_s']:,.0f} posts/s "
                f"({r['posts_read']:,} in {r['seconds']:.1f} s)"
            )

    # ---------------------------------------------------------------- 3. memory
    if big:
        log(f"3. memory: importing the {big.bytes / 1e9:.2f} GB archive in a child process …")
        db = wd / "archive.db"
        remove_sqlite(db)
        results["memory"] = r = run_import(str(db), [Path(big.path)])
        r["db_mb"] = sum(p.stat().st_size for p in wd.glob("archive.db*") if p.is_file()) / 1e6
        log(
            f"  peak RSS {r['peak_rss_sampled_mb']:.0f} MB sampled / {r['ru_maxrss_mb']:.0f} MB "
            f"ru_maxrss; {r['posts_per_s']:,.0f} posts/s"
        )
        remove_sqlite(db)  # 1–2 GB; the archive itself is kept for the next run

    # ---------------------------------------------------------------- profiles
    profiles: list[str] = []
    if not args.no_profile:
        log("profiling …")
        prof = wd / "parse-x-v2.prof"
        lines = load_lines(Path(v2_peer.path))
        profile_parse(lines, "x-v2", prof)
        del lines
        text, stages = profile_text(prof, p2["radsocial_s"], "parse + normalize, X v2")
        profiles.append(text)
        results.setdefault("profile_stages", {})["parse_x_v2"] = stages
        prof = wd / "parse-x-v1.prof"
        lines = load_lines(Path(v1_file.path))
        profile_parse(lines, "x-v1", prof)
        del lines
        text, stages = profile_text(prof, p1["radsocial_s"], "parse + normalize, X v1.1")
        profiles.append(text)
        results["profile_stages"]["parse_x_v1"] = stages
        db = wd / "profile.db"
        remove_sqlite(db)
        prof = wd / "import-sqlite.prof"
        r = run_import(str(db), [Path(v2_peer.path)], profile_out=prof)
        plain = results.get("peers", {}).get("radsocial_sqlite_same_file", {}).get("seconds")
        text, stages = profile_text(
            prof, plain, f"import into SQLite ({v2_peer.bytes / 1e6:.0f} MB v2 file)"
        )
        profiles.append(text)
        results["profile_stages"]["import_sqlite"] = stages
        floor = results["sqlite_floor"] = sqlite_floor(db, wd)
        if plain:
            floor["the same import through radsocial"] = {
                "seconds": plain,
                "posts_per_s": floor["posts"] / plain,
            }
        profiles.append(
            floor_text(
                f"SQLite floor: the rows of that import ({_n(floor['posts'])} posts) replayed "
                "with plain sqlite3 executemany(tuples), no SQLAlchemy, no parsing",
                floor,
            )
        )
        remove_sqlite(db)
        if not args.skip_pg and "e2e_pg" in results:
            url = fresh_pg()
            if url:
                prof = wd / "import-pg.prof"
                r = run_import(url, [Path(v2_peer.path)], profile_out=prof)
                text, stages = profile_text(
                    prof, None, f"import into PostgreSQL ({v2_peer.bytes / 1e6:.0f} MB v2 file)"
                )
                profiles.append(text)
                results["profile_stages"]["import_pg"] = stages
                pf = results["pg_floor"] = pg_floor(url)
                profiles.append(
                    floor_text(
                        f"PostgreSQL floor: the rows of that import ({_n(pf['posts'])} posts) "
                        "copied server-side into empty tables, part by part",
                        pf,
                    )
                )

    results["total_seconds"] = time.perf_counter() - t_start
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print_report(results, notes, profiles)
    slim = json.loads(json.dumps(results, default=str))
    print("BENCH_JSON " + json.dumps(slim, separators=(",", ":")), flush=True)
    return 0


def machine() -> dict[str, Any]:
    import platform
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    for dist in ("radsocial", "orjson", "msgspec", "sqlalchemy", "psycopg", "twitwi", "twarc-csv"):
        try:
            info[dist] = version(dist)
        except PackageNotFoundError:
            info[dist] = None
    return info


def _n(v: float) -> str:
    return f"{v:,.0f}"


def print_report(res: dict[str, Any], notes: list[str], profiles: list[str]) -> None:
    rows: list[tuple[str, str, str, str]] = []
    foot: list[str] = []

    def row(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((label, value, target, "" if ok is None else ("PASS" if ok else "FAIL")))

    verdicts: dict[str, bool] = {}
    for kind, p in res["parse"].items():
        name = "X v2 pages" if kind == "x-v2" else "X v1.1 statuses"
        ok = p["radsocial_rate"] >= TARGET_PARSE
        verdicts[f"parse_{kind}"] = ok
        row(
            f"1. parse+normalize, {name}",
            f"{_n(p['radsocial_rate'])}/s",
            f">= {_n(TARGET_PARSE)}/s",
            ok,
        )
        row("   all posts emitted (incl. includes)", f"{_n(p['radsocial_emitted_rate'])}/s")
        row(
            "   bare orjson.loads, same bytes",
            f"{_n(p['orjson_rate'])}/s",
            f"radsocial at {p['ratio_to_orjson']:.2f}x of it ({p['orjson_mb_s']:.0f} MB/s)",
        )
        row(
            "   bare msgspec.json.decode, same bytes",
            f"{_n(p['msgspec_rate'])}/s",
            f"radsocial at {p['ratio_to_msgspec']:.2f}x of it",
        )
        foot.append(
            f"1. {name}: {p['mb']:.1f} MB in memory, {_n(p['records'])} lines, "
            f"{_n(p['posts_data'])} tweets ({'in data' if kind == 'x-v2' else 'statuses'}), "
            f"{_n(p['posts_emitted'])} posts emitted; rates are tweets/s, best of runs"
        )
    for key, name, target in (
        ("e2e_sqlite", "SQLite", TARGET_SQLITE),
        ("e2e_pg", "PostgreSQL", TARGET_PG),
    ):
        r = res.get(key)
        if not r:
            row(f"2. end-to-end import, {name}", "skipped")
            continue
        ok = r["posts_per_s"] >= target
        verdicts[key] = ok
        tgt = f">= {_n(target)}/s"
        if r.get("timed_out"):
            tgt += f" (stopped by the {r['limit_seconds']:.0f} s limit; rate of what was committed)"
        row(f"2. end-to-end import, {name}", f"{_n(r['posts_per_s'])}/s", tgt, ok)
        row(
            "   posts read = new + duplicate",
            _n(r["posts_read"]),
            f"{_n(r['new'])} new + {_n(r['duplicate'])} dup, {r['rejected']} rejected",
        )
        row(
            "   import time; peak RSS",
            f"{r['seconds']:.1f} s",
            f"{r['ru_maxrss_mb']:.0f} MB; MB/s by fifth of file {r.get('mb_per_s_by_fifth')}",
        )
        row(
            "   time in DB calls",
            f"{r['sql_seconds']:.1f} s",
            f"{100 * r['sql_seconds'] / r['seconds']:.0f} % of import (driver calls + bulk inserts)",
        )
        top = list(r["sql"].items())[:6]
        foot.append(
            f"2. {name}: time in DB calls by statement (bulk X = radsocial.store.bulk "
            "tuple conversion + executemany/COPY into X): "
            + ", ".join(f"{k} {v['seconds']:.1f} s ({_n(v['rows'])} rows)" for k, v in top)
        )
    m = res.get("memory")
    if m:
        ok = (m["ru_maxrss_mb"] or 0) < TARGET_RSS_MB
        verdicts["memory"] = ok
        arch = res["corpora"]["archive"]
        row(
            f"3. peak RSS, import of {arch['bytes'] / 1e9:.2f} GB",
            f"{m['ru_maxrss_mb']:.0f} MB",
            f"< {TARGET_RSS_MB} MB (ru_maxrss of the child)",
            ok,
        )
        row(
            "   peak of VmRSS sampled every 0.2 s",
            f"{m['peak_rss_sampled_mb']:.0f} MB",
            f"at 10/25/50/75/90 % of run: {list((m.get('rss_over_time_mb') or {}).values())}",
        )
        row(
            "   throughput",
            f"{_n(m['posts_per_s'])}/s",
            f"{_n(m['posts_read'])} posts ({_n(m['new'])} new) in {m['seconds']:.0f} s",
        )
        row("   MB/s by fifth of the file", "", str(m.get("mb_per_s_by_fifth")))
        foot.append(
            f"3. archive: plain JSONL (not compressed), {arch['rounds']} rounds of "
            f"{arch['records'] // max(arch['rounds'], 1)} real pages, {_n(arch['data_tweets'])} "
            f"tweets in data + {_n(arch['include_tweets'])} in includes; database "
            f"{m.get('db_mb', 0):,.0f} MB"
        )
    else:
        row("3. memory, big archive", "skipped")
    peers = res.get("peers")
    if peers:
        rs = res["parse"]["x-v2"]["radsocial_rate"]
        same = peers.get("radsocial_sqlite_same_file", {})
        e2e_rate = same.get("data_rate") or 0.0
        row("4. radsocial parse+normalize (above)", f"{_n(rs)}/s", "tweets in data/s")
        row(
            "4. radsocial import into SQLite, same file",
            f"{_n(e2e_rate)}/s",
            f"tweets in data/s ({_n(same.get('posts_per_s', 0))} posts/s)",
        )
        for key, name in (
            ("twitwi", "twitwi normalize_tweets_payload_v2"),
            ("twarc2_csv", "twarc2 csv"),
        ):
            p = peers.get(key, {})
            if "error" in p:
                row(f"4. {name}", "error")
                foot.append(f"4. {name}: {p['error']}")
                continue
            row(
                f"4. {name}",
                f"{_n(p['rate'])}/s",
                f"radsocial/peer: parse {rs / p['rate']:.1f}x, import {e2e_rate / p['rate']:.1f}x",
            )
            if key == "twarc2_csv":
                foot.append(
                    f"4. twarc2 csv: subprocess, {_n(p['rows'])} CSV rows in {p['seconds']:.1f} s "
                    f"incl. {p['startup_seconds']:.1f} s start-up "
                    f"({_n(p['rate_net_of_startup'])}/s net of it)"
                )
            else:
                foot.append(
                    f"4. twitwi: in-process, orjson decode included, extract_referenced_tweets=True,"
                    f" {_n(p['rows'])} rows; timed on the {p['pages_accepted']} pages it accepts —"
                    f" it raised on {p['pages_failed']} pages ({_n(p['tweets_in_failed_pages'])} "
                    f"tweets): {p['errors']}"
                )
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    sep = "-" * (sum(w) + 9)
    title = "radsocial ingest benchmark"
    if res["quick"]:
        title += "  (--quick: small sizes, figures are not comparable to the targets)"
    print()
    print("=" * len(sep))
    print(title)
    print("=" * len(sep))
    print(f"{'figure':<{w[0]}} | {'value':>{w[1]}} | {'target / context':<{w[2]}} | result")
    print(sep)
    section = "1."
    for r in rows:
        if r[0][:2] in ("1.", "2.", "3.", "4.") and r[0][:2] != section:
            section = r[0][:2]
            print(sep)
        print(f"{r[0]:<{w[0]}} | {r[1]:>{w[1]}} | {r[2]:<{w[2]}} | {r[3]}")
    print(sep)
    for f in foot:
        print(f"  {f}")
    print(f"  machine: {res['machine']}")
    print(f"  total run time {res['total_seconds']:.0f} s")
    for n in notes:
        print(f"  note: {n}")
    res["verdicts"] = verdicts
    if profiles:
        print()
        for p in profiles:
            print(p)
            print()


if __name__ == "__main__":
    sys.exit(main())
