"""The day rollups per post kind (`rollup_kind_day`, migration 0009): the table holds
what grouping the posts gives — after the import, an incremental refresh, a rebuild and
the upgrade of a store made before it — and time series by kind read from it equal the
ones counted from the posts, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from radsocial.analytics import run
from radsocial.analytics import scope as scope_mod
from radsocial.analytics import timeseries as ts_mod
from radsocial.models import Post, RawRecord
from radsocial.store import Selection, Store, rollups
from radsocial.store.engine import downgrade, migrate
from radsocial.store.schema import ROLLUP_MEASURES, post_hashtags, posts, rollup_kind_day
from tests.analytics.test_summary_timeseries import T0, corpus


@pytest.fixture
def filled(store: Store) -> Store:
    store.write_batch([(RawRecord("test", b"{}", "hand-made"), corpus())])
    return store


def direct(conn: sa.Connection) -> list[tuple[object, ...]]:
    """(tag, day, platform, kind, posts, reposts, with_links, impressions) from the posts."""
    c = posts.c
    day = rollups.hour_of(conn, c.created_at) // 24
    cols = [
        sa.func.count(),
        sa.func.sum(sa.case((c.kind == "repost", 1), else_=0)),
        sa.func.sum(sa.case((c.n_links > 0, 1), else_=0)),
        sa.func.sum(sa.func.coalesce(c.author_followers, 0)),
    ]
    whole = sa.select(sa.literal(""), day, c.platform, c.kind, *cols).group_by(
        day, c.platform, c.kind
    )
    tagged = (
        sa.select(post_hashtags.c.tag, day, c.platform, c.kind, *cols)
        .select_from(posts.join(post_hashtags, post_hashtags.c.post_id == c.id))
        .group_by(post_hashtags.c.tag, day, c.platform, c.kind)
    )
    return sorted(tuple(r) for q in (whole, tagged) for r in conn.execute(q))


def stored(conn: sa.Connection) -> list[tuple[object, ...]]:
    t = rollup_kind_day.c
    q = sa.select(t.tag, t.day, t.platform, t.kind, t.posts, t.reposts, t.with_links, t.impressions)
    return sorted(tuple(r) for r in conn.execute(q))


def check(store: Store) -> None:
    rollups.refresh(store)
    with store.engine.connect() as conn:
        assert stored(conn) == direct(conn)


def test_kind_rollups_match_the_posts(filled: Store) -> None:
    check(filled)
    more = Post(
        platform="x",
        platform_id="late",
        created_at=T0 + timedelta(days=40),
        text="#RSNA19 later",
        hashtags=("RSNA19",),
        author_handle="dan",
        kind="reply",
        reply_to_id="1",
    )
    filled.write_batch([(RawRecord("test", b"{late}", "more"), [more])])
    check(filled)
    rollups.rebuild(filled)
    check(filled)
    assert set(ROLLUP_MEASURES) <= set(rollup_kind_day.c.keys())


def test_upgrade_fills_the_kind_rollups(filled: Store) -> None:
    rollups.refresh(filled)
    downgrade(filled.engine, "0008")
    migrate(filled.engine)
    with filled.engine.connect() as conn:
        assert stored(conn) == direct(conn)
    check(filled)


@pytest.mark.parametrize(
    "sel",
    [
        Selection(kinds=("original",)),
        Selection(hashtags=("rsna19",), kinds=("repost", "reply")),
        Selection(hashtags=("rsna19",), platforms=("x",), kinds=("original",)),
    ],
)
@pytest.mark.parametrize("interval", ["day", "month"])
def test_timeseries_by_kind_from_rollups_equals_the_posts(
    filled: Store, monkeypatch: pytest.MonkeyPatch, sel: Selection, interval: str
) -> None:
    fast = run("timeseries", filled, sel, interval=interval).to_json()
    # the day rollups per kind answered: no post was read for the counts
    with filled.engine.connect() as conn:
        assert scope_mod.rollup_scope(conn, sel, grain="day", kinds=True) is not None
    for mod in (ts_mod, scope_mod):
        monkeypatch.setattr(mod, "rollup_scope", lambda *a, **k: None)
    assert run("timeseries", filled, sel, interval=interval).to_json() == fast
