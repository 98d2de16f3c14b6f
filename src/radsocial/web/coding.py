"""Hand coding in the browser: a queue per coder, manual labels, and two-coder agreement.

Codes are stored as manual labels (`method = "manual"`, `coder` = the coder's name) in
`post_labels` and, for the author's stakeholder, `account_labels` — the same rows
`radsocial label import` writes, so a manual label always wins over the classifiers.

An item counts as coded by a coder when it has that coder's relevance label: relevance
is the one field the form requires, which tells "coded, no modality" apart from "not
coded yet" for the multi-label fields.

Both coders see the same items in the same order (the coding set, else the selection
by id), so their work overlaps and agreement (Cohen's kappa per field) can be computed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from radsocial.analysis.agreement import cohen_kappa
from radsocial.analysis.base import Label
from radsocial.analysis.taxonomy import (
    CLINICAL_AREAS,
    CONTENT_CATEGORIES,
    MODALITIES,
    QUESTION_VALUES,
    RELEVANCE,
    SENTIMENTS,
    STAKEHOLDERS,
)
from radsocial.store import Selection
from radsocial.store.labels import MANUAL, label_rows
from radsocial.store.queries import where
from radsocial.store.schema import account_labels, post_labels, posts
from radsocial.web.data import account_pk_for_post, get_setting, post_by_id, put_setting
from radsocial.web.render import BadInput

#: task -> (allowed values, multi-label?) for the post form, in the codebook's order.
POST_TASKS: dict[str, tuple[tuple[str, ...], bool]] = {
    "relevance": (RELEVANCE, False),
    "modality": (MODALITIES, True),
    "clinical_area": (CLINICAL_AREAS, True),
    "content": (CONTENT_CATEGORIES, True),
    "sentiment": (SENTIMENTS, False),
    "question": (QUESTION_VALUES, False),
}
ACCOUNT_TASK = "stakeholder"
VERSION = "manual:web"
CODING_SET_MAX = 2000


def check_coder(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80 or not name.isprintable():
        raise BadInput("coder: a name of 1 to 80 printable characters")
    return name


def _coded_ids(conn: sa.Connection, coder: str) -> sa.Select[Any]:
    return sa.select(post_labels.c.post_id).where(
        post_labels.c.task == "relevance",
        post_labels.c.method == MANUAL,
        post_labels.c.coder == coder,
    )


def coding_set_ids(store: Any) -> list[int] | None:
    cs = get_setting(store, "coding_set")
    if isinstance(cs, dict) and isinstance(cs.get("post_ids"), list):
        return [int(i) for i in cs["post_ids"]]
    return None


def draw_coding_set(store: Any, sel: Selection, n: int, seed: int = 0) -> dict[str, Any]:
    """Draw `n` posts of a selection at random (seeded) as the shared coding set.

    The draw is done once and saved, so both coders code the same items; drawing again
    replaces the set (codes already given stay in the store).
    """
    if not 1 <= n <= CODING_SET_MAX:
        raise BadInput(f"n: between 1 and {CODING_SET_MAX}")
    with store.engine.connect() as conn:
        # A seeded pseudo-random order that both backends compute the same way.
        mix = (posts.c.id * 2654435761 + seed * 40503) % 4294967291
        ids = [
            int(r[0])
            for r in conn.execute(
                sa.select(posts.c.id).where(*where(conn, sel)).order_by(mix, posts.c.id).limit(n)
            )
        ]
    value = {
        "selection": sel.describe(),
        "seed": seed,
        "n": len(ids),
        "post_ids": sorted(ids),
    }
    put_setting(store, "coding_set", value)
    return value


def next_item(store: Any, coder: str, sel: Selection, after: int = 0) -> dict[str, Any] | None:
    """The next post (id above `after`, for skipping) this coder has not coded: from the
    coding set when there is one, else from the selection in id order."""
    ids = coding_set_ids(store)
    with store.engine.connect() as conn:
        # NOT EXISTS probes the label primary key per candidate; NOT IN would first
        # collect every relevance label in the store (a million rows).
        coded = sa.exists().where(
            post_labels.c.post_id == posts.c.id,
            post_labels.c.task == "relevance",
            post_labels.c.method == MANUAL,
            post_labels.c.coder == coder,
        )
        q = sa.select(posts.c.id).where(sa.not_(coded), posts.c.id > after)
        q = q.where(posts.c.id.in_(ids)) if ids is not None else q.where(*where(conn, sel))
        pid = conn.execute(q.order_by(posts.c.id).limit(1)).scalar()
    return post_by_id(store, pid) if pid is not None else None


def codes_of(store: Any, post_id: int, coder: str) -> dict[str, list[str]]:
    """This coder's manual codes on a post (and its author's stakeholder)."""
    out: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        for task, value in conn.execute(
            sa.select(post_labels.c.task, post_labels.c.value).where(
                post_labels.c.post_id == post_id,
                post_labels.c.method == MANUAL,
                post_labels.c.coder == coder,
            )
        ):
            out.setdefault(task, []).append(value)
        pk = account_pk_for_post(conn, post_id)
        if pk is not None:
            for (value,) in conn.execute(
                sa.select(account_labels.c.value).where(
                    account_labels.c.account_pk == pk,
                    account_labels.c.task == ACCOUNT_TASK,
                    account_labels.c.method == MANUAL,
                    account_labels.c.coder == coder,
                )
            ):
                out.setdefault(ACCOUNT_TASK, []).append(value)
    return out


def validate_codes(codes: dict[str, list[str]]) -> dict[str, list[str]]:
    """Check a coder's answers against the codebook; BadInput names the first problem."""
    out: dict[str, list[str]] = {}
    for task, values in codes.items():
        values = [v for v in values if v]
        if task == ACCOUNT_TASK:
            allowed, multi = STAKEHOLDERS, False
        elif task in POST_TASKS:
            allowed, multi = POST_TASKS[task]
        else:
            raise BadInput(
                f"unknown field {task!r}; the codebook has {', '.join(POST_TASKS)}, {ACCOUNT_TASK}"
            )
        bad = [v for v in values if v not in allowed]
        if bad:
            raise BadInput(f"{task}: {bad[0]!r} is not one of {', '.join(allowed)}")
        if not multi and len(values) > 1:
            raise BadInput(f"{task}: one value only")
        out[task] = list(dict.fromkeys(values))
    if not out.get("relevance"):
        raise BadInput("relevance: required (relevant or not_relevant)")
    return out


def save_codes(store: Any, post_id: int, coder: str, codes: dict[str, list[str]]) -> dict[str, Any]:
    """Store one coder's codes for a post, replacing that coder's earlier ones."""
    coder = check_coder(coder)
    codes = validate_codes(codes)
    with store.writer() as conn, conn.begin():
        if conn.execute(sa.select(posts.c.id).where(posts.c.id == post_id)).first() is None:
            raise BadInput(f"no post {post_id}", 404)
        post_tasks = [t for t in POST_TASKS if t in codes]
        conn.execute(
            post_labels.delete().where(
                post_labels.c.post_id == post_id,
                post_labels.c.method == MANUAL,
                post_labels.c.coder == coder,
                post_labels.c.task.in_(post_tasks),
            )
        )
        rows = list(
            label_rows(
                "post_id",
                post_id,
                [_label(t, v) for t in post_tasks for v in codes[t]],
                coder,
            )
        )
        if rows:
            conn.execute(post_labels.insert(), rows)
        account_saved = False
        if ACCOUNT_TASK in codes:
            pk = account_pk_for_post(conn, post_id)
            if pk is not None:
                conn.execute(
                    account_labels.delete().where(
                        account_labels.c.account_pk == pk,
                        account_labels.c.task == ACCOUNT_TASK,
                        account_labels.c.method == MANUAL,
                        account_labels.c.coder == coder,
                    )
                )
                arows = list(
                    label_rows(
                        "account_pk",
                        pk,
                        [_label(ACCOUNT_TASK, v) for v in codes[ACCOUNT_TASK]],
                        coder,
                    )
                )
                if arows:
                    conn.execute(account_labels.insert(), arows)
                    account_saved = True
    return {"post_id": post_id, "coder": coder, "codes": codes, "account_saved": account_saved}


def _label(task: str, value: str) -> Label:
    return Label(task, value, 1.0, (), MANUAL, VERSION, "manual")


def progress(store: Any) -> list[dict[str, Any]]:
    """Posts coded per coder (and how many of the coding set, when there is one)."""
    ids = coding_set_ids(store)
    with store.engine.connect() as conn:
        q = (
            sa.select(post_labels.c.coder, sa.func.count(sa.distinct(post_labels.c.post_id)))
            .where(post_labels.c.task == "relevance", post_labels.c.method == MANUAL)
            .group_by(post_labels.c.coder)
            .order_by(post_labels.c.coder)
        )
        rows = conn.execute(q).all()
        in_set: dict[str, int] = {}
        if ids:
            q2 = q.where(post_labels.c.post_id.in_(ids))
            in_set = {c: int(n) for c, n in conn.execute(q2)}
    return [
        {"coder": c, "posts": int(n), "in_coding_set": in_set.get(c, 0) if ids else None}
        for c, n in rows
    ]


def agreement(store: Any, coder_a: str, coder_b: str) -> dict[str, Any]:
    """Cohen's kappa per field between two coders, over the posts both coded.

    Multi-label fields compare the whole set of values ("ct;mri" vs "ct" disagree), as
    `radsocial label agreement` does for CSV files. The stakeholder compares the
    authors both coders labelled.
    """
    coder_a, coder_b = check_coder(coder_a), check_coder(coder_b)
    if coder_a == coder_b:
        raise BadInput("agreement needs two different coders")
    with store.engine.connect() as conn:
        both = (
            sa.select(post_labels.c.post_id)
            .where(
                post_labels.c.task == "relevance",
                post_labels.c.method == MANUAL,
                post_labels.c.coder == coder_a,
            )
            .intersect(_coded_ids(conn, coder_b))
        )
        shared = sorted(int(r[0]) for r in conn.execute(both))
        codes: dict[str, dict[int, dict[str, list[str]]]] = {coder_a: {}, coder_b: {}}
        for chunk in _chunks(shared, 500):
            for pid, task, value, coder in conn.execute(
                sa.select(
                    post_labels.c.post_id,
                    post_labels.c.task,
                    post_labels.c.value,
                    post_labels.c.coder,
                ).where(
                    post_labels.c.post_id.in_(chunk),
                    post_labels.c.method == MANUAL,
                    post_labels.c.coder.in_([coder_a, coder_b]),
                )
            ):
                codes[coder].setdefault(pid, {}).setdefault(task, []).append(value)
        acc: dict[str, dict[int, str]] = {coder_a: {}, coder_b: {}}
        for pk, value, coder in conn.execute(
            sa.select(
                account_labels.c.account_pk, account_labels.c.value, account_labels.c.coder
            ).where(
                account_labels.c.task == ACCOUNT_TASK,
                account_labels.c.method == MANUAL,
                account_labels.c.coder.in_([coder_a, coder_b]),
            )
        ):
            acc[coder][pk] = value
    fields = []
    disagreements: list[dict[str, Any]] = []
    for task, (_, multi) in POST_TASKS.items():
        a = [_joined(codes[coder_a].get(p, {}).get(task, []), multi) for p in shared]
        b = [_joined(codes[coder_b].get(p, {}).get(task, []), multi) for p in shared]
        fields.append(_field(task, a, b))
        for p, x, y in zip(shared, a, b, strict=True):
            if x != y and len(disagreements) < 100:
                disagreements.append({"post_id": p, "field": task, coder_a: x, coder_b: y})
    both_acc = sorted(acc[coder_a].keys() & acc[coder_b].keys())
    fields.append(
        _field(
            ACCOUNT_TASK,
            [acc[coder_a][k] for k in both_acc],
            [acc[coder_b][k] for k in both_acc],
        )
    )
    return {
        "coders": [coder_a, coder_b],
        "posts_coded_by_both": len(shared),
        "accounts_coded_by_both": len(both_acc),
        "fields": fields,
        "disagreements": disagreements,
    }


def _joined(values: list[str], multi: bool) -> str:
    return ";".join(sorted(values)) if multi else (values[0] if values else "")


def _field(task: str, a: list[str], b: list[str]) -> dict[str, Any]:
    n = len(a)
    if n == 0:
        return {"field": task, "n": 0, "observed": None, "kappa": None}
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    return {
        "field": task,
        "n": n,
        "observed": round(observed, 4),
        "kappa": round(cohen_kappa(a, b), 4),
    }


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def coding_set_info(store: Any) -> dict[str, Any] | None:
    cs = get_setting(store, "coding_set")
    if not isinstance(cs, dict):
        return None
    return {k: v for k, v in cs.items() if k != "post_ids"}
