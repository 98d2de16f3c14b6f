"""The link rollups: the interaction graph of every post, counted per UTC day.

The influencers and network of a month joined its ~16,500 posts to their reply
parents, reposted originals, the accounts replied to and their mentions, twice (the
period and the one before): ~60 ms of SQLite and ~40 ms of counting in Python per
period at 1M posts (measured). A graph of whole days over every post (no filter but
the platforms) reads these tables instead: a row per (day, author, target, kinds) and
one per (day, author) — see schema.py for what each holds.

What a day's links are depends on more than its posts: a reply's target is the
account it answers, by that account's current handle, else the parent post's author;
a repost's the original's author. Those may arrive after the post (an archive is
read newest first; accounts come with later pages or a registry import), and a handle
may change. So a day is always recounted whole, from its posts, and recounted again
when something it depends on arrives:

- the days of newly stored posts;
- the days that referred to a post not stored then (`rollup_link_refs` "p:" rows),
  when that post is stored;
- the days of the replies to an account (`rollup_link_refs` "a:" rows) when the
  account is added or its handle changes (`rollup_link_dirty`, written by
  `writer.write_accounts`).

Limit, as for every rollup (docs/definitions.md): a re-import that changes a stored
post's own handle (a Jetstream post first seen without it) is counted here at the next
`radsocial renormalize` (`rollups.rebuild`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from radsocial.store.bulk import insert_rows
from radsocial.store.interactions import AUTHOR_COLUMNS, KINDS, post_targets, posts_query
from radsocial.store.queries import Selection, plain_rows
from radsocial.store.schema import (
    posts,
    rollup_link_day,
    rollup_link_dirty,
    rollup_link_lost,
    rollup_link_refs,
    rollup_poster_day,
)

#: The pg_advisory_xact_lock key of a link recount: two recounting the same day at once
#: would both delete it and both insert it.
LINK_LOCK = 727_100_013
#: Days recounted per statement: bounds the posts one pass holds counts for.
SPAN = 16
#: Values per IN (…), under every backend's parameter limit.
_CHUNK = 900
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_POST, _ACCOUNT = "p:", "a:"
_TABLES = (rollup_link_day, rollup_poster_day, rollup_link_lost, rollup_link_refs)
#: Where the reference columns (`interactions.REF_COLUMNS`) start in a row of KINDS.
_REFS = AUTHOR_COLUMNS + sum(1 if k == "mention" else 2 for k in KINDS)


def mark_accounts(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> None:
    """Note (platform, account id) pairs whose handle is new or changed: the days that
    reply to them are recounted by the next refresh."""
    rows = sorted(set(keys))
    if not rows:
        return
    insert_rows(conn, rollup_link_dirty, ("platform", "account_id"), rows, skip_existing=True)


def is_current(conn: sa.Connection) -> bool:
    """False while an account change waits to be counted."""
    return conn.execute(sa.select(rollup_link_dirty.c.platform).limit(1)).first() is None


def recount(
    conn: sa.Connection, lo: int, hi: int, day_of: Callable[[Any], sa.ColumnElement[int]]
) -> int:
    """Recount the days that posts lo < id <= hi, or the accounts changed since the
    last call, affect (see the module's docstring); returns how many days.

    `day_of(column)` is the rollups' UTC day number of a timestamp column. Runs in the
    caller's transaction.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LINK_LOCK)))
    days = _affected_days(conn, lo, hi, day_of)
    if days:
        statements = _Statements(conn, day_of)
        for start, end in _spans(sorted(days)):
            _recount_span(conn, statements, start, end)
    return len(days)


def clear(conn: sa.Connection) -> None:
    """Empty the link rollups (before a rebuild)."""
    for t in (*_TABLES, rollup_link_dirty):
        conn.execute(t.delete())


def _affected_days(
    conn: sa.Connection, lo: int, hi: int, day_of: Callable[[Any], sa.ColumnElement[int]]
) -> set[int]:
    p, r = posts.c, rollup_link_refs.c
    new = sa.and_(p.id > lo, p.id <= hi)
    days: set[int] = set()
    if hi > lo:
        d = day_of(p.created_at)
        days.update(v for (v,) in conn.execute(sa.select(d).where(new).distinct()))
        resolved = (
            sa.select(r.day)
            .select_from(
                posts.join(
                    rollup_link_refs,
                    sa.and_(r.platform == p.platform, r.ref == sa.literal(_POST) + p.platform_id),
                )
            )
            .where(new)
            .distinct()
        )
        days.update(v for (v,) in conn.execute(resolved))
    # the rows seen are the rows removed: an account a concurrent writer marks after
    # this statement stays for the next refresh
    dirty = conn.execute(
        rollup_link_dirty.delete().returning(
            rollup_link_dirty.c.platform, rollup_link_dirty.c.account_id
        )
    ).all()
    by_platform: dict[str, list[str]] = {}
    for platform, account_id in dirty:
        by_platform.setdefault(platform, []).append(_ACCOUNT + account_id)
    for platform, refs in by_platform.items():
        refs.sort()
        for i in range(0, len(refs), _CHUNK):
            q = (
                sa.select(r.day)
                .where(r.platform == platform, r.ref.in_(refs[i : i + _CHUNK]))
                .distinct()
            )
            days.update(v for (v,) in conn.execute(q))
    return days


def _spans(days: list[int]) -> list[tuple[int, int]]:
    """Sorted day numbers as [start, end) runs of consecutive days, at most SPAN long."""
    out: list[tuple[int, int]] = []
    for d in days:
        if out and out[-1][1] == d and d - out[-1][0] < SPAN:
            out[-1] = (out[-1][0], d + 1)
        else:
            out.append((d, d + 1))
    return out


class _Statements:
    """The statements of a span's recount, built once per `recount` and run per span
    with its bounds: building the graph query and its aliases per span cost more than
    running it (1.2 s of 4 s for 100,000 posts over ten years, measured)."""

    def __init__(self, conn: sa.Connection, day_of: Callable[[Any], sa.ColumnElement[int]]):
        c = posts.c
        since = sa.bindparam("link_since", type_=c.created_at.type)
        until = sa.bindparam("link_until", type_=c.created_at.type)
        in_span = [c.created_at >= since, c.created_at < until]
        day = day_of(c.created_at)
        q = posts_query(conn, Selection(), KINDS, refs=True)
        self.posts = q.where(*in_span).add_columns(day)
        first, last = sa.bindparam("first_day"), sa.bindparam("end_day")
        self.deletes = [t.delete().where(t.c.day >= first, t.c.day < last) for t in _TABLES]


def _recount_span(conn: sa.Connection, st: _Statements, start: int, end: int) -> None:
    """Recount days start <= day < end from their posts."""
    for stmt in st.deletes:
        conn.execute(stmt, {"first_day": start, "end_day": end})
    bounds = {
        "link_since": _EPOCH + timedelta(days=start),
        "link_until": _EPOCH + timedelta(days=end),
    }
    links: dict[tuple[Any, ...], int] = {}
    lost: dict[tuple[Any, ...], int] = {}
    authors: dict[tuple[Any, ...], list[Any]] = {}
    lost_kinds = [(1 << i, k) for i, k in enumerate(KINDS) if k != "mention"]
    refs: set[tuple[Any, ...]] = set()
    rows = plain_rows(conn, st.posts, bounds)
    for row, targets, gone in post_targets(rows, KINDS):
        d, platform, src = row[-1], row[0], row[1]
        # (account answered,) post pointed at, its id in the store: per reply, repost, quote
        answered, parent, parent_id, repost, repost_id, quoted, quoted_id = row[_REFS:-1]
        if answered is not None:
            refs.add((platform, _ACCOUNT + answered, d))
        for ref, stored in ((parent, parent_id), (repost, repost_id), (quoted, quoted_id)):
            if ref is not None and stored is None:
                refs.add((platform, _POST + ref, d))
        followers = row[4]
        # every handle as written is kept: which is the largest is the database's to
        # say (its collation), when the graph is read
        who = (d, platform, src, row[2], row[3] or "")
        a = authors.get(who)
        if a is None:
            authors[who] = [1, followers or 0, followers]
        else:
            a[0] += 1
            if followers is not None:
                a[1] += followers
                if a[2] is None or followers > a[2]:
                    a[2] = followers
        for dst, mask in targets.items():
            k = (d, platform, src, dst, mask)
            links[k] = links.get(k, 0) + 1
        if gone:
            for bit, kind in lost_kinds:
                if gone & bit:
                    k = (d, platform, kind)
                    lost[k] = lost.get(k, 0) + 1
    insert_rows(
        conn,
        rollup_link_day,
        ("day", "platform", "src", "dst", "mask", "posts"),
        [(*k, n) for k, n in links.items()],
    )
    insert_rows(
        conn,
        rollup_poster_day,
        ("day", "platform", "src", "account", "written", "posts", "impressions", "followers"),
        [(*k, *v) for k, v in authors.items()],
    )
    insert_rows(
        conn,
        rollup_link_lost,
        ("day", "platform", "kind", "posts"),
        [(*k, n) for k, n in lost.items()],
    )
    insert_rows(conn, rollup_link_refs, ("platform", "ref", "day"), sorted(refs))


__all__ = ["LINK_LOCK", "clear", "is_current", "mark_accounts", "recount"]
