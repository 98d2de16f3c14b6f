"""Storing labels and running the classifiers over the store incrementally.

Each classifier's progress is kept in `classifier_state` (version, last id done): a run
classifies only rows added since, or — when any classifier's version changed — drops
that target's machine labels and classifies everything again. Manual labels (method
"manual") are never touched by a run and always win when labels are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from radsocial.analysis.base import Label
from radsocial.models import Account, utcnow
from radsocial.store.bulk import insert_dicts
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
    chunk: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Run `pipeline` (radsocial.analysis.pipeline.Pipeline) over new posts and accounts."""
    from radsocial.store.queries import _POST_COLS, _row_to_post

    versions = pipeline.versions()
    stake = pipeline.stakeholder.name
    post_versions = {k: v for k, v in versions.items() if k != stake}
    acct_versions = {stake: versions[stake]}
    counts = {"posts": 0, "post_labels": 0, "accounts": 0, "account_labels": 0}
    with store.writer() as conn, conn.begin():
        last = start_point(conn, "posts", post_versions)
    while True:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*_POST_COLS).where(posts.c.id > last).order_by(posts.c.id).limit(chunk)
            ).all()
        if not rows:
            break
        out: list[dict[str, Any]] = []
        ids = [r.id for r in rows]
        for pid, (_, labels) in zip(
            ids, pipeline.classify_posts(_row_to_post(r) for r in rows), strict=True
        ):
            out.extend(label_rows("post_id", pid, labels))
        with store.writer() as conn, conn.begin():
            insert_dicts(conn, post_labels, out, skip_existing=True)
            save_state(conn, "posts", post_versions, ids[-1])
        last = ids[-1]
        counts["posts"] += len(rows)
        counts["post_labels"] += len(out)
        if progress:
            progress(counts["posts"])
    with store.writer() as conn, conn.begin():
        last = start_point(conn, "accounts", acct_versions)
    cols = [
        accounts.c[c]
        for c in (
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
    ]
    while True:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*cols).where(accounts.c.id > last).order_by(accounts.c.id).limit(chunk)
            ).all()
        if not rows:
            break
        accs = [
            Account(
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
            for r in rows
        ]
        out = []
        for r, (_, labels) in zip(rows, pipeline.classify_accounts(accs), strict=True):
            out.extend(label_rows("account_pk", r.id, labels))
        with store.writer() as conn, conn.begin():
            insert_dicts(conn, account_labels, out, skip_existing=True)
            save_state(conn, "accounts", acct_versions, rows[-1].id)
        last = rows[-1].id
        counts["accounts"] += len(rows)
        counts["account_labels"] += len(out)
    return counts


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
