"""The key rollup per UTC year and post kind (`rollup_key_kind_year`, migration 0013):
the table holds what grouping the posts gives — after an import, an incremental refresh,
a rebuild and the upgrade of a store made before it — and the top accounts and hashtags
of a selection by kind read from it equal the ones counted from the posts, on both
backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
import sqlalchemy as sa

from radsocial.analytics import run
from radsocial.analytics import top as top_mod
from radsocial.models import Post, RawRecord
from radsocial.store import Selection, Store, rollups
from radsocial.store.engine import current_revision, downgrade, head_revision, migrate
from radsocial.store.schema import (
    post_hashtags,
    posts,
    rollup_key_day,
    rollup_key_kind_year,
    rollup_key_year,
)
from tests.analytics.test_summary_timeseries import corpus as hand_counted
from tests.store.test_cover_index import corpus as combinations


def corpus() -> list[Post]:
    """Every combination of platform, kind and tag (tests/store/test_cover_index.py)
    spread over 2019–2021 with co-hashtags added, two posts a minute either side of a
    new year, and the hand-counted posts of tests/analytics/test_summary_timeseries.py
    (2018–2019)."""
    extra = {1: ("CT",), 2: ("MRI",), 3: ("CT", "MRI")}
    out = [
        msgspec.structs.replace(
            p,
            created_at=p.created_at.replace(year=2019 + i % 3),
            hashtags=p.hashtags + extra.get(i % 5, ()),
        )
        for i, p in enumerate(combinations())
    ]
    eve = datetime(2020, 12, 31, 23, 59, tzinfo=UTC)
    for i, when in enumerate((eve, eve + timedelta(minutes=2))):
        out.append(msgspec.structs.replace(out[i], platform_id=f"eve{i}", created_at=when))
    return out + hand_counted()


def write(store: Store, items: list[Post], name: str) -> None:
    store.write_batch([(RawRecord("test", name.encode(), name), items)])


@pytest.fixture
def filled(store: Store) -> Store:
    write(store, corpus(), "all")
    rollups.refresh(store)
    return store


def direct(conn: sa.Connection) -> list[tuple[object, ...]]:
    """(dim, tag, year, platform, kind, key, posts, reposts, impressions) grouped from
    the posts with SQL: an author counts once per post under "" and under each of its
    tags; a hashtag once per post under "" and under each other tag of the post."""
    c = posts.c
    year = rollups.year_of(conn, c.created_at)
    who = sa.func.substr(rollups.author_name(), 1, 300)
    cols = [
        sa.func.count(),
        sa.func.sum(sa.case((c.kind == "repost", 1), else_=0)),
        sa.func.sum(sa.func.coalesce(c.author_followers, 0)),
    ]
    h, o = post_hashtags.alias("h"), post_hashtags.alias("o")
    tagged = posts.join(h, h.c.post_id == c.id)
    queries = [
        sa.select(
            sa.literal("author"), sa.literal(""), year, c.platform, c.kind, who, *cols
        ).group_by(year, c.platform, c.kind, who),
        sa.select(sa.literal("author"), h.c.tag, year, c.platform, c.kind, who, *cols)
        .select_from(tagged)
        .group_by(h.c.tag, year, c.platform, c.kind, who),
        sa.select(sa.literal("hashtag"), sa.literal(""), year, c.platform, c.kind, h.c.tag, *cols)
        .select_from(tagged)
        .group_by(year, c.platform, c.kind, h.c.tag),
        sa.select(sa.literal("hashtag"), h.c.tag, year, c.platform, c.kind, o.c.tag, *cols)
        .select_from(tagged.join(o, sa.and_(o.c.post_id == c.id, o.c.tag != h.c.tag)))
        .group_by(h.c.tag, year, c.platform, c.kind, o.c.tag),
    ]
    return sorted(tuple(r) for q in queries for r in conn.execute(q))


def stored(conn: sa.Connection, table: sa.Table = rollup_key_kind_year) -> list[tuple[object, ...]]:
    return sorted(tuple(r) for r in conn.execute(sa.select(table)))


def check(store: Store) -> list[tuple[object, ...]]:
    rollups.refresh(store)
    with store.engine.connect() as conn:
        got = stored(conn)
        assert got == direct(conn)
    return got


def blind(store: Store) -> tuple[list[tuple[object, ...]], ...]:
    with store.engine.connect() as conn:
        return stored(conn, rollup_key_day), stored(conn, rollup_key_year)


Y = {"since": datetime(2019, 1, 1, tzinfo=UTC), "until": datetime(2021, 1, 1, tzinfo=UTC)}
SELECTIONS = [
    Selection(hashtags=("radiology",), platforms=("x",), kinds=("original",)),
    Selection(hashtags=("radiology",), kinds=("repost",)),
    Selection(kinds=("original",)),
    Selection(kinds=("reply", "quote"), platforms=("bluesky", "mastodon")),
    Selection(hashtags=("#RadRes",), kinds=("original", "reply", "repost", "quote")),
    Selection(hashtags=("mammography",), platforms=("x", "mastodon"), kinds=("quote",), **Y),
    Selection(kinds=("repost",), since=Y["until"], until=datetime(2022, 1, 1, tzinfo=UTC)),
    Selection(hashtags=("rsna19",), kinds=("original", "repost")),
    Selection(kinds=("original",), since=datetime(2018, 1, 1, tzinfo=UTC), until=Y["until"]),
]


@pytest.mark.parametrize("what", ["accounts", "hashtags"])
@pytest.mark.parametrize("sel", SELECTIONS, ids=lambda s: ",".join(s.describe()))
def test_top_by_kind_from_the_rollup_equals_the_posts(
    filled: Store, monkeypatch: pytest.MonkeyPatch, sel: Selection, what: str
) -> None:
    fast = run("top", filled, sel, what=what, n=12).to_json()
    assert fast["params"].pop("source") == "rollups"
    monkeypatch.setattr(top_mod, "_from_kind_rollups", lambda *a, **k: None)
    slow = run("top", filled, sel, what=what, n=12).to_json()
    assert slow["params"].pop("source") == "posts"
    assert slow == fast
    assert fast["tables"][what]["rows"], "each selection must select something"


def test_the_kind_decides_the_top(filled: Store) -> None:
    """Originals and reposts of one store rank differently; kind-blind counts would give
    both the same table. Counted by hand from test_summary_timeseries.corpus (2018–2019
    on X; the other posts are 2019–2021 and by other authors)."""
    y = {"since": datetime(2018, 1, 1, tzinfo=UTC), "until": datetime(2020, 1, 1, tzinfo=UTC)}
    # the authors and tags of the hand-counted posts alone ("radres" is the others' too)
    ours = {"accounts": ("alice", "bob", "cara"), "hashtags": ("ai", "rsna19", "rsna18")}

    def top(kinds: tuple[str, ...], what: str) -> list[list[object]]:
        sel = Selection(platforms=("x",), kinds=kinds, **y)
        rep = run("top", filled, sel, what=what, n=30)
        assert rep.params["source"] == "rollups"
        width = 6 if what == "accounts" else 5
        return [r[1:width] for r in rep.tables[0].rows if r[1] in ours[what]]

    # originals: alice 1, 2, 6; bob 5, 7; cara 8 — reposts: alice 9, bob 3
    assert top(("original",), "accounts") == [
        ["alice", "x", 3, 0, 3000],
        ["bob", "x", 2, 0, 20],
        ["cara", "x", 1, 0, 0],
    ]
    assert top(("repost",), "accounts") == [["alice", "x", 1, 1, 1000], ["bob", "x", 1, 1, 10]]
    # tags of originals: rsna19 on 1, 2, 6; ai on 1, 5; rsna18 on 7 — of reposts: ai on
    # 3, 9; rsna19 on 3
    assert top(("original",), "hashtags") == [
        ["rsna19", "x", 3, 0],
        ["ai", "x", 2, 0],
        ["rsna18", "x", 1, 0],
    ]
    assert top(("repost",), "hashtags") == [["ai", "x", 2, 2], ["rsna19", "x", 1, 1]]
    # co-hashtags of #rsna19 by kind: ai with originals 1 and repost 3, radres with 2
    sel = Selection(hashtags=("rsna19",), kinds=("repost",))
    assert run("top", filled, sel, what="hashtags").tables[0].rows == [[1, "ai", "x", 1, 1]]


def test_other_selections_keep_their_path(filled: Store) -> None:
    """Periods that are not whole years, half-open periods and the dims the table does
    not hold are counted from the posts; kind-blind selections read the other rollups."""
    month = {"since": datetime(2021, 3, 1, tzinfo=UTC), "until": datetime(2021, 4, 1, tzinfo=UTC)}
    for sel, what in (
        (Selection(kinds=("original",), **month), "accounts"),
        (Selection(kinds=("original",), since=datetime(2020, 1, 1, tzinfo=UTC)), "hashtags"),
        (Selection(kinds=("original",)), "mentions"),
        (Selection(kinds=("original",)), "domains"),
        (Selection(kinds=("original",), query="scan"), "accounts"),
        (Selection(hashtags=("radiology", "radres"), kinds=("original",)), "hashtags"),
    ):
        assert run("top", filled, sel, what=what).params["source"] == "posts", (sel, what)
    assert run("top", filled, Selection(), what="hashtags").params["source"] == "rollups"


def test_incremental_refresh_equals_a_rebuild(store: Store) -> None:
    items = corpus()
    write(store, items[::2], "first")
    rollups.refresh(store)
    write(store, items[1::2], "second")
    incremental = check(store)
    assert {r[4] for r in incremental} == {"original", "reply", "repost", "quote"}
    rollups.rebuild(store)
    assert check(store) == incremental
    with store.engine.connect() as conn:
        assert rollups.watermark(conn, rollups.KEY_KINDS) == rollups.watermark(conn)


def test_a_store_made_before_0013_is_filled_by_its_next_refresh(filled: Store) -> None:
    before = blind(filled)
    downgrade(filled.engine, "0012")
    with filled.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("rollup_key_kind_year")
    migrate(filled.engine)
    assert current_revision(filled.engine) == head_revision()
    if filled.backend == "sqlite":  # its rows kept once, in the primary key's b-tree
        with filled.engine.connect() as conn:
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'rollup_key_kind_year'"
            ).scalar()
        assert "WITHOUT ROWID" in sql
    with filled.engine.connect() as conn:
        assert stored(conn) == [] and not rollups.is_current(conn)
    # the catch-up counts only the per-kind table: no post is new to the other rollups
    assert rollups.refresh(filled) == 0
    check(filled)
    assert blind(filled) == before
    with filled.engine.connect() as conn:
        assert rollups.is_current(conn)


def test_an_import_into_a_store_made_before_0013(store: Store) -> None:
    """New posts before the first refresh: the per-kind table catches up to the others,
    then both count the new posts in one pass."""
    items = corpus()
    write(store, items[:70], "old")
    rollups.refresh(store)
    downgrade(store.engine, "0012")
    migrate(store.engine)
    write(store, items[70:], "new")
    assert rollups.refresh(store, step=40) == len(items) - 70
    got = check(store)
    rollups.rebuild(store)
    assert check(store) == got
    # and the kind-blind tables are those a rebuild gives
    write(store, [msgspec.structs.replace(items[0], platform_id="late")], "late")
    rollups.refresh(store)
    incremental = blind(store)
    rollups.rebuild(store)
    assert blind(store) == incremental


def test_the_catch_up_steps_over_posts_removed_since(filled: Store) -> None:
    """Posts deleted (by SQL: radsocial removes none) between the per-kind watermark and
    the others' leave nothing to count there; the catch-up moves on instead of leaving
    the per-kind rollup behind, which would stop every later refresh before new posts."""
    downgrade(filled.engine, "0012")
    migrate(filled.engine)
    with filled.writer() as conn, conn.begin():
        conn.execute(posts.delete().where(posts.c.id > 10))
    assert rollups.refresh(filled) == 0
    check(filled)
    with filled.engine.connect() as conn:
        assert rollups.watermark(conn, rollups.KEY_KINDS) == rollups.watermark(conn)
        assert rollups.is_current(conn)
