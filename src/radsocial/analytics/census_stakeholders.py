"""The census of every author by stakeholder label: accounts and posts per effective
label and platform, and posts per bucket by label.

A label is the account's effective stakeholder label (a manual label wins over the
classifier's; should two coders disagree, the alphabetically first value); authors
without one, and an explicit "unknown", count as unknown. A post belongs to the account
its author id names, or for a post without one the account '@' + its lowercase handle
(handle-only sources).

The database keeps the labels (migration 0009): `accounts.stakeholder` and the author
rollups' `stakeholder`, by triggers on `account_labels` whatever writes them, and
`census_stakeholder`, the rollups grouped by label, regrouped before a read after any
change (`store.census_rollup`). So:
- accounts (how many, when observed, median followers) are grouped on the covering
  index `ix_accounts_stakeholder`;
- posts, when the author rollups answer the selection (platforms and whole calendar
  years, activity by year; `census._rollup_years`), are a few hundred rows of
  `census_stakeholder` — attaching a label to each of 67,000 authors and 316,000
  author-years in Python took 2 s at 1M posts (measured);
- otherwise the selection's posts are read with their author's label and added up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from radsocial.analysis.stakeholder import to_symplur
from radsocial.analytics import census as _census
from radsocial.analytics.result import Report, Table
from radsocial.analytics.scope import whole_years
from radsocial.store import Selection
from radsocial.store.census_rollup import ALL_YEARS, author_account, ensure_current
from radsocial.store.queries import where
from radsocial.store.schema import accounts, census_stakeholder, posts, rollup_author_year

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

#: Groups whose medians one UNION ALL asks for.
_UNION_MAX = 200
#: per (label, platform): [posts, first, last, distinct authors]
_Active = dict[tuple[str, str], list[Any]]


def _symplur(value: str) -> str | None:
    try:
        return to_symplur(value)
    except ValueError:  # a custom segment: Symplur has no name for it
        return None


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


def _known_accounts(
    conn: sa.Connection, sel: Selection, kind: str | None
) -> tuple[dict[tuple[str, str], list[Any]], dict[tuple[str, str], float]]:
    """The store's accounts per (label, platform): [count, first seen, last seen], and
    the median of their known follower counts — read off `ix_accounts_stakeholder`,
    which holds every column asked for, in group order.

    Accounts are not filtered by period: the census counts who the store knows on the
    selected platforms (and accounts, and labels).
    """
    a = accounts.c
    cond: list[sa.ColumnElement[bool]] = []
    if sel.platforms:
        cond.append(a.platform.in_(list(sel.platforms)))
    if sel.accounts:
        wanted = sorted({h.lstrip("@").lower() for h in sel.accounts})
        cond.append(sa.func.lower(a.handle).in_(wanted))
    if sel.stakeholders:
        cond.append(a.stakeholder.in_(list(sel.stakeholders)))
    if kind is not None:
        cond.append(a.stakeholder == kind)
    q = (
        sa.select(
            a.stakeholder,
            a.platform,
            sa.func.count(),
            _raw_time(conn, sa.func.min(a.first_seen)),
            _raw_time(conn, sa.func.max(a.last_seen)),
            sa.func.count(a.followers),
        )
        .where(*cond)
        .group_by(a.platform, a.stakeholder)
    )
    known: dict[tuple[str, str], list[Any]] = {}
    with_followers: dict[tuple[str, str], int] = {}
    for v, p, n, lo, hi, nf in conn.execute(q):
        known[(v, p)] = [int(n), _time(lo), _time(hi)]
        if nf:
            with_followers[(v, p)] = int(nf)
    return known, _medians(conn, cond, with_followers)


def _medians(
    conn: sa.Connection, cond: list[sa.ColumnElement[bool]], sizes: dict[tuple[str, str], int]
) -> dict[tuple[str, str], float]:
    """Each group's median follower count: the one or two middle values, picked by
    LIMIT / OFFSET along `ix_accounts_stakeholder` (already in follower order within a
    group) in one UNION ALL — fetching the 57,000 values to sort them here took 0.15 s
    at 67,000 accounts, a window function twice that (measured)."""
    if not sizes:
        return {}
    a = accounts.c
    parts = []
    for (v, p), n in sizes.items():
        middle = (
            sa.select(a.stakeholder, a.platform, a.followers)
            .where(*cond, a.platform == p, a.stakeholder == v, a.followers.is_not(None))
            .order_by(a.followers)
            .limit(1 if n % 2 else 2)
            .offset((n - 1) // 2)
        )
        parts.append(sa.select(middle.subquery()))
    values: dict[tuple[str, str], list[int]] = defaultdict(list)
    # SQLite allows 500 terms in one compound SELECT; custom labels could pass that
    for i in range(0, len(parts), _UNION_MAX):
        for v, p, f in conn.execute(sa.union_all(*parts[i : i + _UNION_MAX])):
            values[(v, p)].append(int(f))
    return {key: sum(vals) / len(vals) for key, vals in values.items()}


def _rolled_posts(
    conn: sa.Connection, sel: Selection, years: list[sa.ColumnElement[bool]]
) -> tuple[_Active, dict[tuple[str, str], int]]:
    """Posts per (label, platform) and per (label, year bucket) when the author rollups
    answer the selection (`years`: `_rollup_years`' filter, empty for the whole store):
    from census_stakeholder (regrouped by the caller: `ensure_current`) for the whole
    store or one year, else (several whole years, whose distinct authors no per-year
    row can give) by grouping the author-year rows of those years."""
    t = census_stakeholder.c
    plat = [t.platform.in_(list(sel.platforms))] if sel.platforms else []
    span = _one_year(sel) if years else ALL_YEARS
    active: _Active = {}
    if span is not None:
        q = sa.select(
            t.stakeholder,
            t.platform,
            t.posts,
            _raw_time(conn, t.first_at),
            _raw_time(conn, t.last_at),
            t.authors,
        ).where(t.year == span, *plat)
    else:
        y = rollup_author_year.c
        who = author_account(y.platform, y.author_id, y.handle)
        q = (
            sa.select(
                y.stakeholder,
                y.platform,
                sa.func.sum(y.posts),
                _raw_time(conn, sa.func.min(y.first_at)),
                _raw_time(conn, sa.func.max(y.last_at)),
                sa.func.count(sa.distinct(who)),
            )
            .where(*years, *([y.platform.in_(list(sel.platforms))] if sel.platforms else []))
            .group_by(y.stakeholder, y.platform)
        )
    for v, p, n, lo, hi, n_authors in conn.execute(q):
        active[(v, p)] = [int(n), _time(lo), _time(hi), int(n_authors)]
    in_years = [t.year != ALL_YEARS]
    if years:
        lo_y, hi_y = _years(sel)
        in_years = [t.year >= lo_y, t.year < hi_y]
    aq = (
        sa.select(t.stakeholder, t.year, sa.func.sum(t.posts))
        .where(*in_years, *plat)
        .group_by(t.stakeholder, t.year)
    )
    activity: dict[tuple[str, str], int] = defaultdict(int)
    for v, year, n in conn.execute(aq):
        activity[(v, _census._year_label(int(year)))] += int(n)
    return active, activity


def _years(sel: Selection) -> tuple[int, int]:
    span = whole_years(sel.since, sel.until)
    assert span is not None  # `_rollup_years` answered: the period is whole years
    return span


def _one_year(sel: Selection) -> int | None:
    lo, hi = _years(sel)
    return lo if hi == lo + 1 else None


def _direct_posts(
    conn: sa.Connection, sel: Selection, interval: str
) -> tuple[_Active, dict[tuple[str, str], int]]:
    """The same from the selection's posts, each with its author's label (the account
    its author id — else '@' + lowercase handle — names, one indexed look-up), added up
    here: SQLite's GROUP BY by author and day cost 0.1 s for the 16,500 posts of a
    month at 1M posts, reading them 3 ms (measured)."""
    c, a = posts.c, accounts.c
    handle = sa.func.lower(c.author_handle)
    who = sa.case(
        (sa.func.coalesce(c.author_id, "") != "", c.author_id),
        (sa.func.coalesce(handle, "") != "", sa.literal("@") + handle),
        else_=None,
    )
    q = (
        sa.select(
            sa.func.coalesce(a.stakeholder, UNKNOWN), c.platform, who, _raw_time(conn, c.created_at)
        )
        .select_from(
            posts.outerjoin(accounts, sa.and_(a.platform == c.platform, a.account_id == who))
        )
        .where(*where(conn, sel))
    )
    day_of = _day_number()
    active: _Active = {}
    authors: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_day: dict[tuple[str, int], int] = defaultdict(int)
    for value, platform, author, at in conn.execute(q).all():
        key = (value, platform)
        prev = active.get(key)
        if prev is None:
            active[key] = [1, at, at, 0]
        else:
            prev[0] += 1
            if at < prev[1]:
                prev[1] = at
            elif at > prev[2]:
                prev[2] = at
        if author is not None:
            authors[key].add(author)
        per_day[(value, day_of(at))] += 1
    for key, v in active.items():
        v[1], v[2], v[3] = _time(v[1]), _time(v[2]), len(authors.get(key, ()))
    bucket: Callable[[int], str] = _census._bucketer(interval)
    activity: dict[tuple[str, str], int] = defaultdict(int)
    for (value, d), n in per_day.items():
        activity[(value, bucket(d))] += n
    return active, activity


def _day_number() -> Callable[[Any], int]:
    """A post time as read by `_raw_time` -> its UTC day since the epoch (what
    `rollups.hour_of(...) // 24` gives), cached by date: a month of posts has 30."""
    epoch = date(1970, 1, 1)
    cache: dict[Any, int] = {}

    def day(at: Any) -> int:
        key = at[:10] if isinstance(at, str) else _census._aware(at).date()
        hit = cache.get(key)
        if hit is None:
            d = date.fromisoformat(key) if isinstance(key, str) else key
            hit = cache[key] = (d - epoch).days
        return hit

    return day


def stakeholder_census(
    rep: Report, conn: sa.Connection, sel: Selection, kind: str | None, interval: str
) -> None:
    """Accounts and posts by effective stakeholder label and platform (`kind` keeps one
    label; its share stays a share of all the selection's posts)."""
    years = _census._rollup_years(conn, sel, interval)
    if years is not None:
        # first: regrouping ends the read snapshot, and every part is read in the next
        ensure_current(conn)
    known, medians = _known_accounts(conn, sel, kind)
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
