"""Storing labels and running the classifiers over the store incrementally.

Each classifier's progress is kept in `classifier_state` (version, last id done): a run
classifies only rows added since, or — when any classifier's version changed — drops
that target's machine labels and classifies everything again. Manual labels (method
"manual") are never touched by a run and always win when labels are read.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from radsocial.analysis.base import Label
from radsocial.models import Account, utcnow
from radsocial.store.bulk import insert_dicts
from radsocial.store.census_rollup import settle
from radsocial.store.label_batches import (
    BatchRunner,
    PostBatches,
    account_rows,
    auto_workers,
    storage_time,
    write_label_rows,
)
from radsocial.store.schema import account_labels, accounts, classifier_state, post_labels, posts

MANUAL = "manual"


def _state(conn: sa.Connection, target: str) -> dict[str, tuple[str, int]]:
    q = sa.select(
        classifier_state.c.classifier, classifier_state.c.version, classifier_state.c.last_id
    )
    q = q.where(classifier_state.c.target == target)
    return {name: (version, last) for name, version, last in conn.execute(q)}


def start_point(conn: sa.Connection, target: str, versions: dict[str, str]) -> int:
    """The id after which rows still need classifying; resets on a version change."""
    state = _state(conn, target)
    if state and all(state.get(n, ("", -1))[0] == v for n, v in versions.items()):
        return min(last for _, last in state.values())
    table = post_labels if target == "posts" else account_labels
    conn.execute(table.delete().where(table.c.method != MANUAL))
    conn.execute(classifier_state.delete().where(classifier_state.c.target == target))
    return 0


def save_state(conn: sa.Connection, target: str, versions: dict[str, str], last_id: int) -> None:
    conn.execute(classifier_state.delete().where(classifier_state.c.target == target))
    now = utcnow()
    conn.execute(
        classifier_state.insert(),
        [
            {"target": target, "classifier": n, "version": v, "last_id": last_id, "updated_at": now}
            for n, v in versions.items()
        ],
    )


def label_rows(
    owner: str, owner_id: int, labels: Iterable[Label], coder: str = ""
) -> Iterator[dict[str, Any]]:
    now = utcnow()
    seen: set[tuple[str, str]] = set()
    for lb in labels:
        if (lb.task, lb.value) in seen:
            continue
        seen.add((lb.task, lb.value))
        yield {
            owner: owner_id,
            "task": lb.task,
            "value": lb.value,
            "method": lb.method,
            "coder": coder if lb.method == MANUAL else "",
            "score": lb.score,
            "reasons": list(lb.reasons),
            "version": lb.version,
            "classifier": lb.classifier,
            "created_at": now,
        }


def classify_store(
    store: Any,
    pipeline: Any,
    *,
    chunk: int = 20_000,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> dict[str, int]:
    """Run `pipeline` (radsocial.analysis.pipeline.Pipeline) over new posts and accounts.

    `workers`: processes that classify while this one reads and writes (see
    label_batches.py); None picks them from the cores and the number of pending rows,
    0 classifies here. The labels are the same either way.
    """
    versions = pipeline.versions()
    stake = pipeline.stakeholder.name
    post_versions = {k: v for k, v in versions.items() if k != stake}
    acct_versions = {stake: versions[stake]}
    with store.writer() as conn, conn.begin():
        post_last = start_point(conn, "posts", post_versions)
        acct_last = start_point(conn, "accounts", acct_versions)
    with store.engine.connect() as conn:
        top = conn.execute(sa.select(sa.func.max(posts.c.id))).scalar() or 0
        top_acct = conn.execute(sa.select(sa.func.max(accounts.c.id))).scalar() or 0
    if workers is None:
        workers = auto_workers(max(0, top - post_last) + max(0, top_acct - acct_last))
    created_at = storage_time(store.backend, utcnow())
    # Everything alive now (modules, registry, pipeline) stays alive for the run: taken
    # out of the collector's view, full collections no longer walk it every few batches
    # (a tenth of a run's time otherwise), and forked workers do not copy its pages.
    gc.freeze()
    try:
        counts = _run(
            store,
            pipeline,
            workers,
            chunk,
            progress,
            created_at,
            (post_versions, post_last),
            (acct_versions, acct_last),
        )
    finally:
        gc.unfreeze()
    # the new stakeholder labels regroup the census table now, not at the first read
    with store.writer() as conn, conn.begin():
        settle(conn)
    return counts


def _run(
    store: Any,
    pipeline: Any,
    workers: int,
    chunk: int,
    progress: Callable[[int], None] | None,
    created_at: Any,
    post_start: tuple[dict[str, str], int],
    acct_start: tuple[dict[str, str], int],
) -> dict[str, int]:
    """classify_store's batches: posts, then accounts, each batch one transaction."""
    (post_versions, post_last), (acct_versions, acct_last) = post_start, acct_start
    counts = {"posts": 0, "post_labels": 0, "accounts": 0, "account_labels": 0}
    with BatchRunner(pipeline, workers) as runner:
        batches = PostBatches(runner)

        def write_posts() -> None:
            n, last_id, rows = batches.next_rows(created_at)
            with store.writer() as conn, conn.begin():
                write_label_rows(conn, post_labels, "post_id", rows)
                save_state(conn, "posts", post_versions, last_id)
            counts["posts"] += n
            counts["post_labels"] += len(rows)
            if progress:
                progress(counts["posts"])

        post_cols = [posts.c.id, posts.c.text, sa.cast(posts.c.entities, sa.Text)]
        for rows in _batches(store, post_cols, post_last, chunk):
            batches.submit(rows)
            if batches.full():
                write_posts()
        while batches.pending():
            write_posts()

        acct_batches = (
            ([r.id for r in rows], [_account(r) for r in rows])
            for rows in _batches(store, [accounts.c[c] for c in _ACCOUNT_COLS], acct_last, chunk)
        )
        for n, last_id, rows in account_rows(runner, acct_batches, created_at):
            with store.writer() as conn, conn.begin():
                write_label_rows(conn, account_labels, "account_pk", rows)
                save_state(conn, "accounts", acct_versions, last_id)
            counts["accounts"] += n
            counts["account_labels"] += len(rows)
    return counts


_ACCOUNT_COLS = (
    "id",
    "platform",
    "account_id",
    "handle",
    "name",
    "bio",
    "followers",
    "verified",
    "location",
    "url",
)


def _account(r: Any) -> Account:
    return Account(
        platform=r.platform,
        account_id=r.account_id,
        handle=r.handle,
        name=r.name,
        bio=r.bio,
        followers=r.followers,
        verified=r.verified,
        location=r.location,
        url=r.url,
    )


def _batches(
    store: Any, cols: list[sa.ColumnElement[Any]], after: int, chunk: int
) -> Iterator[Sequence[Any]]:
    """Rows of `cols` (the first is the id) with id > `after`, `chunk` at a time."""
    table = cols[0].table  # type: ignore[attr-defined]  # the id column's table
    last = after
    while True:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*cols).where(table.c.id > last).order_by(table.c.id).limit(chunk)
            ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def label_counts(store: Any, task: str) -> dict[str, int]:
    """How many posts carry each value of `task`; a manual label overrides machine ones."""
    with store.engine.connect() as conn:
        manual = sa.select(post_labels.c.post_id).where(
            post_labels.c.task == task, post_labels.c.method == MANUAL
        )
        q = (
            sa.select(post_labels.c.value, sa.func.count(sa.distinct(post_labels.c.post_id)))
            .where(
                post_labels.c.task == task,
                sa.or_(post_labels.c.method == MANUAL, post_labels.c.post_id.not_in(manual)),
            )
            .group_by(post_labels.c.value)
        )
        return {v: int(n) for v, n in conn.execute(q)}


def import_manual(store: Any, labels: Iterable[Label], coder: str = "") -> tuple[int, int]:
    """Store manual labels on the posts they name; returns (stored, unknown posts)."""
    by_key: dict[tuple[str, str], list[Label]] = {}
    for lb in labels:
        if lb.key is not None:
            by_key.setdefault(lb.key, []).append(lb)
    stored = missing = 0
    with store.writer() as conn, conn.begin():
        rows: list[dict[str, Any]] = []
        for (platform, pid), lbs in by_key.items():
            post_id = conn.execute(
                sa.select(posts.c.id).where(
                    posts.c.platform == platform, posts.c.platform_id == pid
                )
            ).scalar()
            if post_id is None:
                missing += len(lbs)
                continue
            for lb in lbs:
                who = coder or lb.version.removeprefix("manual:") or "coder"
                rows.extend(label_rows("post_id", post_id, [lb], who))
        for r in rows:  # re-coding replaces the coder's earlier value for the task
            conn.execute(
                post_labels.delete().where(
                    post_labels.c.post_id == r["post_id"],
                    post_labels.c.task == r["task"],
                    post_labels.c.method == MANUAL,
                    post_labels.c.coder == r["coder"],
                )
            )
        insert_dicts(conn, post_labels, rows)
        stored = len(rows)
    return stored, missing
