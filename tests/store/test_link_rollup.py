"""The link rollups (migration 0014) against counting the posts, on both backends.

The graph of whole days over every post is read from `rollup_link_day` and
`rollup_poster_day`; it must be the graph the posts give, however the posts and
accounts arrived: replies before their parents, reposts before their originals,
accounts of replied-to authors stored later, a handle changed, and refreshes between.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from radsocial.analytics import graph as G
from radsocial.analytics.scope import connect
from radsocial.models import Account, Post, RawRecord
from radsocial.store import Selection, Store, rollups
from radsocial.store.interactions import KINDS, posts_query
from radsocial.store.queries import plain_rows
from radsocial.store.schema import (
    rollup_link_day,
    rollup_link_dirty,
    rollup_link_lost,
    rollup_link_refs,
    rollup_poster_day,
)
from tests.analytics.test_graph_speed import T0, seeded_posts

DAY = timedelta(days=1)
#: whole-day selections over the seeded posts (400 hours from T0 ≈ 17 days)
SELECTIONS = [
    Selection(),
    Selection(since=T0, until=T0 + 30 * DAY),
    Selection(since=T0 + 2 * DAY, until=T0 + 9 * DAY),
    Selection(since=T0 + 5 * DAY, until=T0 + 6 * DAY, platforms=("x",)),
    Selection(platforms=("bluesky",)),
]
KIND_SETS = [KINDS, ("mention", "reply", "repost"), ("reply",), ("repost", "quote"), ("mention",)]


def _summary(t: Any, conn: sa.Connection) -> dict[str, Any]:
    """What a tally says, with each author's several handles / keys resolved as the
    graph resolves them (the largest handle; every key)."""
    authors = {}
    for who, (n, imp, most, written, key, _) in t.authors.items():
        w = t.variants.get((who, G._WRITTEN))
        k = t.variants.get((who, G._ACCOUNT_KEY))
        authors[who] = (n, imp, most, max(w) if w else written, tuple(sorted(k or {key})))
    return {"links": dict(t.links), "authors": authors, "unresolved": t.unresolved}


def assert_rollups_match(store: Store) -> None:
    rollups.refresh(store)
    with connect(store) as conn:
        for sel in SELECTIONS:
            for kinds in KIND_SETS:
                from_posts = G._tally(plain_rows(conn, posts_query(conn, sel, kinds)), kinds)
                from_rollups = G._rollup_tally(conn, sel, kinds)
                assert from_rollups is not None, sel
                assert _summary(from_rollups, conn) == _summary(from_posts, conn), (sel, kinds)


def _raw(i: int) -> RawRecord:
    return RawRecord("test", f"batch{i}".encode(), "hand-made")


def test_rollups_follow_posts_and_accounts_arriving_late(store: Store) -> None:
    posts = seeded_posts(11)
    rng = random.Random(3)
    rng.shuffle(posts)  # replies and reposts before the posts they point at
    for i in range(0, len(posts), 90):
        store.write_batch([(_raw(i), posts[i : i + 90])])
        assert_rollups_match(store)
    # the accounts of the "ghost" authors replied to (known only by id so far)
    late = [
        Account(p, f"ghost{n}", handle=f"Ghost{n}", observed_at=T0 + 40 * DAY)
        for p in ("x", "bluesky")
        for n in range(3)
    ]
    store.write_batch([(_raw(1000), [])], accounts=late)
    assert_rollups_match(store)
    # one of them, and a seeded author, change their handles
    renamed = [
        Account("x", "ghost0", handle="GhostRenamed", observed_at=T0 + 50 * DAY),
        Account("x", "id-user7", handle="User7Renamed", observed_at=T0 + 50 * DAY),
    ]
    store.write_batch([(_raw(1001), [])], accounts=renamed)
    with store.engine.connect() as conn:
        dirty = set(conn.execute(sa.select(rollup_link_dirty)).all())
    assert ("x", "ghost0") in dirty and ("x", "id-user7") in dirty
    assert_rollups_match(store)


def test_a_reply_counted_before_its_parent_is_recounted(store: Store) -> None:
    """The case the references exist for, on its own: the parent's author is named
    only once the parent is stored."""
    t = datetime(2024, 5, 1, 12, tzinfo=UTC)
    parent = Post(platform="x", platform_id="1", created_at=t, text="scan", author_handle="Alice")
    reply = Post(
        platform="x",
        platform_id="2",
        created_at=t + 3 * DAY,
        text="nice",
        author_handle="Bob",
        kind="reply",
        reply_to_id="1",
    )
    store.write_batch([(_raw(1), [reply])])
    rollups.refresh(store)
    with connect(store) as conn:
        lost = conn.execute(sa.select(rollup_link_lost.c.kind, rollup_link_lost.c.posts)).all()
        refs = conn.execute(sa.select(rollup_link_refs.c.ref)).scalars().all()
    assert lost == [("reply", 1)] and refs == ["p:1"]
    store.write_batch([(_raw(2), [parent])])
    rollups.refresh(store)
    with connect(store) as conn:
        links = conn.execute(
            sa.select(rollup_link_day.c.src, rollup_link_day.c.dst, rollup_link_day.c.mask)
        ).all()
        assert conn.execute(sa.select(sa.func.count()).select_from(rollup_link_lost)).scalar() == 0
    assert links == [("bob", "alice", 1 << KINDS.index("reply"))]
    assert_rollups_match(store)


def test_incremental_equals_rebuild(store: Store) -> None:
    posts = seeded_posts(5)
    random.Random(8).shuffle(posts)
    for i in range(0, len(posts), 130):
        store.write_batch([(_raw(i), posts[i : i + 130])])
        rollups.refresh(store)

    def contents() -> list[set[tuple[Any, ...]]]:
        with store.engine.connect() as conn:
            return [
                set(conn.execute(sa.select(t)).all())
                for t in (rollup_link_day, rollup_poster_day, rollup_link_lost, rollup_link_refs)
            ]

    before = contents()
    assert all(before[:2])
    rollups.rebuild(store)
    assert contents() == before


def test_influencers_from_the_rollups_equal_those_from_the_posts(
    store: Store, monkeypatch: Any
) -> None:
    """The report (ranks, counts, rank moves) is the same read either way; a sub-day
    period and a selection by hashtag read the posts."""
    from radsocial.analytics.influence import influencers

    store.write_batch([(_raw(0), seeded_posts(2))])
    rollups.refresh(store)
    day_sel = Selection(since=T0 + 8 * DAY, until=T0 + 16 * DAY)
    with connect(store) as conn:
        assert G._rollup_tally(conn, day_sel, KINDS) is not None
        late = replace(day_sel, until=day_sel.until + timedelta(hours=1))
        assert G._rollup_tally(conn, late, KINDS) is None
        assert G._rollup_tally(conn, replace(day_sel, hashtags=("x",)), KINDS) is None
    read: list[bool] = []
    real = G._rollup_tally

    def spy(*args: Any) -> Any:
        out = real(*args)
        read.append(out is not None)
        return out

    monkeypatch.setattr(G, "_rollup_tally", spy)
    a = influencers(store, day_sel, n=500)
    assert read == [True, True]  # the period and the one before
    monkeypatch.setattr(G, "_rollup_tally", lambda *args: None)
    b = influencers(store, day_sel, n=500)
    assert a.tables[0].rows and a.tables[0].rows == b.tables[0].rows
    assert a.metrics == b.metrics
