"""The census of every author by stakeholder label: accounts and posts per effective
label and platform, and posts per bucket by label.

A label is the account's effective stakeholder label (a manual label wins over the
classifier's; should two coders disagree, the alphabetically first value), as the
database keeps it in `account_stakeholder`; authors without one, and an explicit
"unknown", count as unknown. A post belongs to the account its author id names, or
for a post without one the account '@' + its lowercase handle (handle-only sources).

Where the counts come from:
- accounts (how many, when observed, median followers): the accounts table joined to
  its labels, grouped in the database;
- posts, when the author rollups answer the selection (platforms and whole calendar
  years, activity by year; `census._rollup_years`): the rollup rows grouped by the
  label the database keeps on each of them (`rollup_author.stakeholder`, migration
  0009) — a few hundred groups, read in tens of milliseconds where attaching a label
  to each of 67,000 authors and 316,000 author-years in Python took 2 s at 1M posts
  (measured);
- otherwise the selection's posts grouped by author and UTC day, each group labelled
  by one join to `account_stakeholder`.
Labels change without posts changing (classify, hand coding): triggers keep both
label columns current, so every path counts with the labels stored now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from radsocial.analysis.stakeholder import to_symplur
from radsocial.analytics import census as _census
from radsocial.analytics.result import Report, Table
from radsocial.store import Selection
from radsocial.store.queries import where
from radsocial.store.rollups import author_account, hour_of
from radsocial.store.schema import (
    account_stakeholder,
    accounts,
    posts,
    rollup_author,
    rollup_author_year,
)

UNKNOWN = "unknown"

STAKEHOLDER_COLUMNS = [
    "stakeholder",
    "symplur",
    "platform",
    "accounts",
    "active_accounts",
    "posts",
    "posts_pct",
    "first_seen",
    "last_seen",
    "median_followers",
]
STAKEHOLDER_ACTIVITY_COLUMNS = ["stakeholder", "bucket", "posts"]

#: per (label, platform): [posts, first, last, distinct authors]
_Active = dict[tuple[str, str], list[Any]]


def _symplur(value: str) -> str | None:
    try:
        return to_symplur(value)
    except ValueError:  # a custom segment: Symplur has no name for it
        return None


def _median(values: list[int]) -> float:
    """The middle value, or the mean of the two middle ones (`values` sorted)."""
    n = len(values)
    mid = n // 2
    return float(values[mid]) if n % 2 else (values[mid - 1] + values[mid]) / 2


def _raw_time(conn: sa.Connection, col: Any) -> Any:
    """A timestamp column as the database stores it: SQLite's fixed-width text sorts as
    the times do, and parsing every row's time into a datetime took a third of a census
    (measured); PostgreSQL's driver hands datetimes already."""
    return sa.type_coerce(col, sa.String) if conn.dialect.name == "sqlite" else col


def _time(v: Any) -> datetime | None:
    """A value read with `_raw_time` as an aware datetime."""
    if v is None:
        return None
    return _census._aware(datetime.fromisoformat(v) if isinstance(v, str) else v)


def _label(col: Any) -> sa.ColumnElement[str]:
    """A label column with NULL (no label) read as "unknown": one group, as before."""
    return sa.func.coalesce(col, UNKNOWN)


def _known_accounts(
    conn: sa.Connection, sel: Selection, kind: str | None
) -> tuple[dict[tuple[str, str], list[Any]], dict[tuple[str, str], float]]:
    """The store's accounts per (label, platform): [count, first seen, last seen], and
    the median of their known follower counts.

    Accounts are not filtered by period: the census counts who the store knows on the
    selected platforms (and accounts, and labels).
    """
    a, s = accounts.c, account_stakeholder.c
    value = _label(s.value)
    cond: list[sa.ColumnElement[bool]] = []
    if sel.platforms:
        cond.append(a.platform.in_(list(sel.platforms)))
    if sel.accounts:
        cond.append(
            sa.func.lower(a.handle).in_(sorted({h.lstrip("@").lower() for h in sel.accounts}))
        )
    if sel.stakeholders:
        cond.append(value.in_(list(sel.stakeholders)))
    if kind is not None:
        cond.append(value == kind)
    src = accounts.outerjoin(account_stakeholder, s.account_pk == a.id)
    q = (
        sa.select(
            value,
            a.platform,
            sa.func.count(),
            _raw_time(conn, sa.func.min(a.first_seen)),
            _raw_time(conn, sa.func.max(a.last_seen)),
        )
        .select_from(src)
        .where(*cond)
        .group_by(value, a.platform)
    )
    known = {(v, p): [int(n), _time(lo), _time(hi)] for v, p, n, lo, hi in conn.execute(q)}
    fq = (
        sa.select(value, a.platform, a.followers)
        .select_from(src)
        .where(*cond, a.followers.is_not(None))
        .order_by(value, a.platform, a.followers)
    )
    followers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for v, p, f in conn.execute(fq).all():
        followers[(v, p)].append(int(f))
    return known, {key: _median(vals) for key, vals in followers.items()}


def _rolled_posts(
    conn: sa.Connection, sel: Selection, years: list[sa.ColumnElement[bool]]
) -> tuple[_Active, dict[tuple[str, str], int]]:
    """Posts per (label, platform) and per (label, year bucket), from the author
    rollups grouped by the label they carry. `years` is `_rollup_years`' filter: empty
    for the whole store (one row per author), else whole years (one per author-year)."""
    t = (rollup_author_year if years else rollup_author).c
    y = rollup_author_year.c
    plat = [t.platform.in_(list(sel.platforms))] if sel.platforms else []
    value = _label(t.stakeholder)
    # the census's author: an account id; rows of one account (a handle change) count once
    who = author_account(t.platform, t.author_id, t.handle)
    q = (
        sa.select(
            value,
            t.platform,
            sa.func.sum(t.posts),
            _raw_time(conn, sa.func.min(t.first_at)),
            _raw_time(conn, sa.func.max(t.last_at)),
            sa.func.count(sa.distinct(who)),
        )
        .where(*years, *plat)
        .group_by(value, t.platform)
    )
    active = {
        (v, p): [int(n), _time(lo), _time(hi), int(a)] for v, p, n, lo, hi, a in conn.execute(q)
    }
    yv = _label(y.stakeholder)
    yplat = [y.platform.in_(list(sel.platforms))] if sel.platforms else []
    aq = sa.select(yv, y.year, sa.func.sum(y.posts)).where(*years, *yplat).group_by(yv, y.year)
    activity: dict[tuple[str, str], int] = defaultdict(int)
    for v, year, n in conn.execute(aq):
        activity[(v, _census._year_label(int(year)))] += int(n)
    return active, activity


def _direct_posts(
    conn: sa.Connection, sel: Selection, interval: str
) -> tuple[_Active, dict[tuple[str, str], int]]:
    """The same from the selection's posts, grouped by author and UTC day, each group
    labelled by a join to `account_stakeholder` (the groups are few next to the posts)."""
    c = posts.c
    handle = sa.func.coalesce(sa.func.lower(c.author_handle), "")
    aid = sa.func.coalesce(c.author_id, "")
    day = hour_of(conn, c.created_at) // 24
    g = (
        sa.select(
            c.platform.label("platform"),
            aid.label("author_id"),
            handle.label("handle"),
            day.label("day"),
            sa.func.count().label("n"),
            sa.func.min(c.created_at).label("lo"),
            sa.func.max(c.created_at).label("hi"),
        )
        .where(*where(conn, sel))
        .group_by(c.platform, c.author_id, sa.func.lower(c.author_handle), day)
        .subquery()
    )
    who = author_account(g.c.platform, g.c.author_id, g.c.handle)
    s = account_stakeholder.c
    q = sa.select(
        _label(s.value),
        g.c.platform,
        who,
        g.c.day,
        g.c.n,
        _raw_time(conn, g.c.lo),
        _raw_time(conn, g.c.hi),
    ).select_from(
        g.outerjoin(account_stakeholder, sa.and_(s.platform == g.c.platform, s.account_id == who))
    )
    bucket: Callable[[int], str] = _census._bucketer(interval)
    active: _Active = {}
    authors: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_day: dict[tuple[str, int], int] = defaultdict(int)
    for value, platform, author, d, n, lo, hi in conn.execute(q).all():
        key = (value, platform)
        n = int(n)
        prev = active.get(key)
        if prev is None:
            active[key] = [n, lo, hi, 0]
        else:
            prev[0] += n
            if lo is not None and (prev[1] is None or lo < prev[1]):
                prev[1] = lo
            if hi is not None and (prev[2] is None or hi > prev[2]):
                prev[2] = hi
        if author is not None:
            authors[key].add(author)
        per_day[(value, int(d))] += n
    for key, v in active.items():
        v[1], v[2], v[3] = _time(v[1]), _time(v[2]), len(authors.get(key, ()))
    activity: dict[tuple[str, str], int] = defaultdict(int)
    for (value, d), n in per_day.items():
        activity[(value, bucket(d))] += n
    return active, activity


def stakeholder_census(
    rep: Report, conn: sa.Connection, sel: Selection, kind: str | None, interval: str
) -> None:
    """Accounts and posts by effective stakeholder label and platform (`kind` keeps one
    label; its share stays a share of all the selection's posts)."""
    known, medians = _known_accounts(conn, sel, kind)
    years = _census._rollup_years(conn, sel, interval)
    if years is not None:
        active, activity = _rolled_posts(conn, sel, years)
    else:
        active, activity = _direct_posts(conn, sel, interval)
    total = sum(v[0] for v in active.values())
    if kind is not None:
        active = {k: v for k, v in active.items() if k[0] == kind}
        activity = defaultdict(int, {k: v for k, v in activity.items() if k[0] == kind})
    rows: list[list[Any]] = []
    for key in set(known) | set(active):
        value, platform = key
        n_acc, a_first, a_last = known.get(key, [0, None, None])
        n_posts, p_first, p_last, n_authors = active.get(key, [0, None, None, 0])
        rows.append(
            [
                value,
                _symplur(value),
                platform,
                n_acc,
                n_authors,
                n_posts,
                round(n_posts / total * 100, 1) if total else None,
                p_first if n_posts else a_first,
                p_last if n_posts else a_last,
                medians.get(key),
            ]
        )
    rows.sort(key=lambda r: (-r[5], -r[3], r[0], _census._platform_order(r[2])))
    rep.tables.append(
        Table(
            "by_stakeholder",
            STAKEHOLDER_COLUMNS,
            rows,
            title="Authors by stakeholder and platform",
            chart={"kind": "bar", "x": "stakeholder", "y": ["posts"], "series": ["platform"]},
            notes=[
                "accounts: known to the store; active_accounts: posting in the selection; "
                "posts_pct: of the selection's posts. first_seen / last_seen: the group's "
                "posts in the selection, else when the store observed its accounts. "
                "Authors without a stakeholder label count as unknown; run "
                "`radsocial classify` to label them."
            ],
        )
    )
    act = [[s, b, n] for (s, b), n in sorted(activity.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    rep.tables.append(
        Table(
            "activity",
            STAKEHOLDER_ACTIVITY_COLUMNS,
            act,
            title=f"Posts per {interval} by stakeholder",
            chart={"kind": "stacked_bar", "x": "bucket", "y": ["posts"], "series": ["stakeholder"]},
        )
    )
    rep.metrics["accounts"] = sum(v[0] for v in known.values())
    rep.metrics["active_accounts"] = sum(v[3] for v in active.values())
    rep.metrics["posts"] = sum(v[0] for v in active.values())
