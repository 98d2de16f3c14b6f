"""The tweetchat report reads a tag once and its sessions together (radsocial.analytics.
tweetchat `_read_tag`, `_session_posts`); these tests hold those reads to the direct
per-window queries they replace, on a seeded store with the awkward cases (handles that
differ by case or are missing, "RT @" and "rt @" texts, reposts, posts on a quarter's
first and last microsecond, untagged replies, two platforms). Both backends (`store`)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from radsocial.analytics import tweetchat as tc
from radsocial.analytics.scope import connect
from radsocial.models import Post, RawRecord
from radsocial.store import Selection, Store
from radsocial.store.queries import where
from radsocial.store.schema import posts

DAY = datetime(2023, 3, 7, tzinfo=UTC)
HANDLES = ["Ann", "ann", "ANN", "bob", "Cat", "dee", "Émile", "émile", None]
TEXTS = ["Q1: why? #chat", "A1 because #chat", "RT @ann: Q1 #chat", "rt @bob hi #chat", "ok #chat"]
SELECTIONS = [
    Selection(),
    Selection(platforms=("x",)),
    Selection(kinds=("original", "reply")),
    Selection(since=DAY + timedelta(hours=13, minutes=7), until=DAY + timedelta(days=1, hours=3)),
]


def _when(rng: random.Random) -> datetime:
    """Mostly two busy hours, some background; a tenth on a quarter's edge."""
    if rng.random() < 0.7:
        base = DAY + timedelta(hours=rng.choice([14, 38]))
        t = base + timedelta(seconds=rng.uniform(-1800, 5400))
    else:
        t = DAY + timedelta(seconds=rng.uniform(0, 3 * 86400))
    if rng.random() < 0.1:
        edge = t.replace(minute=t.minute // 15 * 15, second=0, microsecond=0)
        t = edge if rng.random() < 0.5 else edge - timedelta(microseconds=1)
    return t


def _seed(store: Store, n: int = 700) -> None:
    rng = random.Random(20230307)
    items: list[Post] = []
    for i in range(n):
        handle = rng.choice(HANDLES)
        text = rng.choice(TEXTS) if rng.random() < 0.8 else "no tag here"
        kind = rng.choice(["original", "original", "reply", "repost", "quote"])
        parent = f"p{rng.randrange(i)}" if i and kind == "reply" else None
        items.append(
            Post(
                platform=rng.choice(["x", "x", "bluesky"]),
                platform_id=f"p{i}",
                created_at=_when(rng),
                text=text,
                author_id=f"id-{handle or rng.randrange(5)}",
                author_handle=handle,
                kind=kind,
                reply_to_id=parent,
                hashtags=("chat",) if "#chat" in text else (),
                extras={"manual_rt": True} if rng.random() < 0.05 else {},
            )
        )
    raw = RawRecord(format="x-v2", payload=b"seeded", source="seed")
    store.write_batch([(raw, items)])


def _quarter(dt: datetime) -> datetime:
    return tc._from_quarter(tc._to_quarter(dt))


def _window(conn: sa.Connection, sel: Selection, a: datetime, b: datetime) -> list[Any]:
    ws = tc._window_sel(sel, a, b)
    return where(conn, ws) if ws is not None else [sa.false()]


@pytest.mark.parametrize("sel", SELECTIONS, ids=["all", "platform", "kinds", "period"])
def test_one_read_agrees_with_a_query_per_window(store: Store, sel: Selection) -> None:
    """Per quarter: the posts and their ids; per hour starting at any quarter: the
    accounts writing posts of their own — as COUNT(*), the ids and COUNT(DISTINCT
    lower(author_handle)) of each window, asked of the database one by one."""
    _seed(store)
    tsel = replace(sel, hashtags=("chat",))
    with connect(store) as conn:
        read = tc._read_tag(conn, tsel)
        assert sum(read.counts().values()) > 200
        first = _quarter(DAY - timedelta(hours=1))
        for k in range(4 * 24 * 4):  # every quarter of the four days
            a = first + timedelta(minutes=15 * k)
            q = tc._to_quarter(a)
            one = a + timedelta(minutes=15)
            hour = a + timedelta(hours=1)
            ids = conn.execute(sa.select(posts.c.id).where(*_window(conn, tsel, a, one)))
            assert sorted(read.ids_in(q, q + 1)) == sorted(ids.scalars()), a
            writers = sa.select(sa.func.count(sa.distinct(sa.func.lower(posts.c.author_handle))))
            direct = conn.execute(
                writers.where(*_window(conn, tsel, a, hour), tc._conversation())
            ).scalar_one()
            assert read.writers_in(q, q + 4) == direct, a


def test_sessions_read_together_equal_each_window_read_alone(store: Store) -> None:
    """The found sessions' posts (ids from the one read, untagged replies of all windows
    in one query) equal those of the same windows named one by one (`Session.window`,
    read by their own window) — transcript, answers and participants alike."""
    _seed(store)
    for sel in SELECTIONS[:3]:
        whole = tc.tweetchat(store, sel, "chat", min_posts=5)
        found = tc.find_sessions(store, sel, "chat", min_posts=5)
        assert len(found) >= 2
        assert sum(r[-3] for r in whole.table("sessions").rows) > 0  # untagged replies
        for i, s in enumerate(found, 1):
            alone = tc.tweetchat(store, sel, session=tc.Session.window("chat", s.start, s.end))
            for name in ("transcript", "answers", "questions", "participants", "activity"):
                mine = [r[1:] for r in whole.table(name).rows if r[0] == i]
                assert mine == [r[1:] for r in alone.table(name).rows], (sel, i, name)
            [row] = [r for r in whole.table("sessions").rows if r[0] == i]
            [own] = alone.table("sessions").rows
            assert row[5:-2] == own[5:-2]  # all but the hours before and after


def test_platform_filter_keeps_sqlite_off_the_platform_index(tmp_path: Path) -> None:
    """A platform (or kind) filter must not make SQLite walk every post of the platform:
    that plan took 1.8 s a query at 1M posts. The tag drives the read (a SQLite plan)."""
    store = Store.open(tmp_path / "plan.db")
    _seed(store, 50)
    sel = Selection(hashtags=("chat",), platforms=("x",), kinds=("reply",))
    with connect(store) as conn:
        q = sa.select(posts.c.id).where(*tc._where(conn, sel))
        sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    store.close()
    assert "ix_posts_author" not in plan and "ix_posts_kind" not in plan, plan


@given(
    st.lists(st.integers(min_value=-20, max_value=60), max_size=80),
    st.sampled_from([-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 10.0]),
)
def test_dense_starts_are_the_dense_hours_summed_one_by_one(qs: list[int], bar: float) -> None:
    """`dense_starts` skips the quarters that cannot start a dense hour; the hours it
    finds are those a sum over every start (what finding sessions summed before) finds."""
    tag = tc._TagPosts(sorted(qs), list(range(len(qs))), [None] * len(qs))
    starts = {q - i for q in qs for i in range(4)}
    sums = {q: sum(q <= x < q + 4 for x in qs) for q in starts}
    assert sorted(tag.dense_starts(bar)) == sorted(q for q, n in sums.items() if n >= bar)
    assert all(tag.posts_in(q, q + 4) == n for q, n in sums.items())
