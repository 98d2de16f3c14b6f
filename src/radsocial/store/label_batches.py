"""The hot path of `radsocial classify`: posts and accounts in, label rows out, in batches.

`labels.classify_store` walks the store in id order; this module holds what it does
per batch, kept below SQLAlchemy's per-row machinery because a store holds millions
of posts:

- reading: only the columns the classifiers look at (text and entities for posts, the
  entities as JSON text, decoded in the worker);
- classifying: a post's labels depend only on its text, hashtags and mentions (the
  store run passes no author kind), so each distinct (text, hashtags, mentions) is
  classified once and its rows reused by identical texts later (reposts carry their
  original's text) — the same labels as classifying every post, minus the work;
- rows: built as tuples already in storage form (reasons as JSON, `created_at`
  converted once per batch), written with one executemany (SQLite) or COPY into a
  staging table followed by one INSERT … ON CONFLICT DO NOTHING (PostgreSQL);
- workers: classifying is pure CPU, so on a machine with two or more cores batches go
  to forked worker processes while this process reads and writes. Forked workers share
  the parent's string-hash seed, so their labels are exactly the ones this process
  would give (set iteration order, hence the order of some reasons, depends on it).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from radsocial.analysis.base import Label
from radsocial.analysis.text import Doc
from radsocial.models import Account
from radsocial.store.bulk import _json, _sqlite_datetime

__all__ = ["LABEL_COLUMNS", "BatchRunner", "auto_workers", "write_label_rows"]

#: post_labels / account_labels columns after the owner column, in row order
LABEL_COLUMNS = (
    "task",
    "value",
    "method",
    "coder",
    "score",
    "reasons",
    "version",
    "classifier",
    "created_at",
)
#: a label as stored, without its owner id and creation time
Template = tuple[str, str, str, str, float, str | None, str, str]
#: a post as classified: its text and its entities column as stored (JSON text)
PostItem = tuple[str, str | None]

#: pending posts from which a store run is worth worker processes
WORKERS_FROM = 50_000
#: distinct texts whose rows are kept for reuse (emptied when full, like the pipeline)
REUSE_LIMIT = 200_000


def templates(labels: Sequence[Label]) -> tuple[Template, ...]:
    """Storage-form rows of one post's labels; a repeated (task, value) keeps the first.

    A tuple of tuples of strings and floats: the garbage collector stops tracking such
    tuples, so the reuse cache (up to REUSE_LIMIT entries) costs nothing at each full
    collection — with lists, collections over it took a sixth of a store run.
    """
    seen: set[tuple[str, str]] = set()
    out: list[Template] = []
    for lb in labels:
        tv = (lb.task, lb.value)
        if tv in seen:
            continue
        seen.add(tv)
        out.append(
            (
                lb.task,
                lb.value,
                lb.method,
                "",  # coder: only manual labels have one, and classifiers never make those
                lb.score,
                _json(list(lb.reasons)),
                lb.version,
                lb.classifier,
            )
        )
    return tuple(out)


# -- work done in a worker (or in this process when there are none) ---------------------
_PIPELINE: Any = None


def _classify_posts(items: Sequence[PostItem]) -> list[tuple[Template, ...]]:
    classify = _PIPELINE.classify_post
    out = []
    for text, entities in items:
        ent = orjson.loads(entities) if entities else {}
        # the Doc a Post read from the store gets (queries._row_to_post + text.prepare)
        doc = Doc(
            text, tuple(ent.get("hashtags", ())) or None, tuple(ent.get("mentions", ())) or None
        )
        out.append(templates(classify(doc)))
    return out


def _classify_accounts(items: Sequence[Account]) -> list[tuple[Template, ...]]:
    classify = _PIPELINE.stakeholder.classify_account
    return [templates(classify(a)) for a in items]


def auto_workers(pending: int) -> int:
    """Worker processes for a run over `pending` rows: 0 (classify here) or the cores.

    Only with the fork start method (the workers inherit the pipeline and the hash
    seed) and only for runs large enough to repay starting them.
    """
    if pending < WORKERS_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(cores or 1, 4) if (cores or 1) >= 2 else 0


class _Done:
    """A finished result with the interface of AsyncResult.get (no workers)."""

    def __init__(self, value: list[tuple[Template, ...]]):
        self.value = value

    def get(self) -> list[tuple[Template, ...]]:
        return self.value


class BatchRunner:
    """Classifies batches, here or in `workers` forked processes, a few batches ahead.

    `submit` returns at once when workers run; `results` gives the batches back in
    the order submitted. At most `2 * workers` batches are in flight, so memory stays
    bounded however large the store.
    """

    def __init__(self, pipeline: Any, workers: int = 0):
        global _PIPELINE
        _PIPELINE = pipeline
        self.workers = workers
        self._pool: Any = None
        if workers > 0:
            self._pool = multiprocessing.get_context("fork").Pool(workers)
        self.depth = max(1, 2 * workers)

    def run(self, fn: Callable[[Any], list[tuple[Template, ...]]], items: Sequence[Any]) -> Any:
        if self._pool is None:
            return _Done(fn(items))
        return self._pool.apply_async(fn, (items,))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> BatchRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None and exc[0] is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self.close()


class PostBatches:
    """Posts -> label rows, classifying each distinct (text, hashtags, mentions) once."""

    def __init__(self, runner: BatchRunner):
        self.runner = runner
        self.reuse: dict[PostItem, tuple[Template, ...]] = {}
        self._inflight: deque[tuple[list[int], list[Any], list[PostItem], Any]] = deque()

    def submit(self, rows: Sequence[Any]) -> None:
        """`rows`: (id, text, entities as JSON text) of one batch, in id order.

        Posts are told apart by text and the entities' JSON: equal JSON means equal
        hashtags and mentions (all the labels depend on besides the text); posts whose
        JSON differs elsewhere (links, media) are merely classified once more. Decoding
        the JSON is left to the worker.
        """
        reuse = self.reuse
        if len(reuse) >= REUSE_LIMIT:
            reuse.clear()
        ids: list[int] = []
        # per post: its templates (known already) or the index of its new item
        slots: list[Any] = []
        new: dict[PostItem, int] = {}
        for pid, text, ent in rows:
            item = (text or "", ent)
            ids.append(pid)
            hit = reuse.get(item)
            if hit is not None:
                slots.append(hit)
                continue
            idx = new.get(item)
            if idx is None:
                idx = new[item] = len(new)
            slots.append(idx)
        items = list(new)
        self._inflight.append((ids, slots, items, self.runner.run(_classify_posts, items)))

    def full(self) -> bool:
        return len(self._inflight) >= self.runner.depth

    def pending(self) -> bool:
        return bool(self._inflight)

    def next_rows(self, created_at: Any) -> tuple[int, int, list[tuple[Any, ...]]]:
        """(posts, last id, rows) of the oldest batch submitted; waits for it."""
        ids, slots, items, result = self._inflight.popleft()
        done = result.get()
        reuse = self.reuse
        for item, tpls in zip(items, done, strict=True):
            reuse[item] = tpls
        rows: list[tuple[Any, ...]] = []
        for pid, slot in zip(ids, slots, strict=True):
            tpls = slot if type(slot) is tuple else done[slot]
            for t in tpls:
                rows.append((pid, *t, created_at))
        return len(ids), ids[-1], rows


def account_rows(
    runner: BatchRunner, batches: Iterator[tuple[list[int], list[Account]]], created_at: Any
) -> Iterator[tuple[int, int, list[tuple[Any, ...]]]]:
    """(accounts, last id, rows) per batch, classified a few batches ahead."""
    inflight: deque[tuple[list[int], Any]] = deque()

    def pop() -> tuple[int, int, list[tuple[Any, ...]]]:
        ids, result = inflight.popleft()
        rows = [
            (pk, *t, created_at) for pk, tpls in zip(ids, result.get(), strict=True) for t in tpls
        ]
        return len(ids), ids[-1], rows

    for ids, accs in batches:
        inflight.append((ids, runner.run(_classify_accounts, accs)))
        if len(inflight) >= runner.depth:
            yield pop()
    while inflight:
        yield pop()


def storage_time(backend: str, when: datetime) -> Any:
    """`when` as the DateTime column stores it on `backend` (see bulk.py)."""
    return _sqlite_datetime(when) if backend == "sqlite" else when


def write_label_rows(
    conn: sa.Connection, table: sa.Table, owner: str, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows in storage form, leaving out those whose key is already stored.

    SQLite: one executemany INSERT OR IGNORE. PostgreSQL: COPY into a temporary
    table, then one INSERT … SELECT … ON CONFLICT DO NOTHING (COPY alone cannot skip
    conflicts, and a row-by-row INSERT is several times slower).
    """
    if not rows:
        return
    cols = (owner, *LABEL_COLUMNS)
    collist = ", ".join(cols)
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        stage = f"_stage_{table.name}"
        with dbapi.cursor() as cur:
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} "
                f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            with cur.copy(f"COPY {stage} ({collist}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
            cur.execute(
                f"INSERT INTO {table.name} ({collist}) SELECT {collist} FROM {stage} "
                "ON CONFLICT DO NOTHING"
            )
        return
    marks = ", ".join("?" * len(cols))
    cur = dbapi.cursor()
    try:
        cur.executemany(f"INSERT OR IGNORE INTO {table.name} ({collist}) VALUES ({marks})", rows)
    finally:
        cur.close()
