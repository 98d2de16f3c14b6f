"""SQLite's covering index by post id (`ix_posts_cover`, migration 0010) and the clauses
that steer queries to it (`queries.COVER_HINT`, `platform || ''`, `kind || ''`): the
posts selected stay exactly those a plain filter gives, on both backends, and on SQLite
a selection driven by a list of post ids (a tag, a full-text match) reads the index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from radsocial.models import Account, Post, RawRecord
from radsocial.store import Selection, Store
from radsocial.store.engine import downgrade, migrate
from radsocial.store.queries import where
from radsocial.store.schema import posts

T0 = datetime(2021, 3, 1, tzinfo=UTC)
PLATFORMS = ("x", "bluesky", "mastodon")
KINDS = ("original", "reply", "repost", "quote")
TAGS = ("radiology", "mammography", "radres")
WORDS = ("scan", "biopsy", "contrast")


def corpus() -> list[Post]:
    """120 posts over 60 days: every combination of platform, kind, tag and word occurs."""
    out = []
    for i in range(120):
        tag, word = TAGS[i % 3], WORDS[(i // 3) % 3]
        platform = PLATFORMS[i % 3 if i % 7 else 0]
        out.append(
            Post(
                platform=platform,
                platform_id=f"p{i}",
                created_at=T0 + timedelta(hours=12 * i),
                text=f"{word} report #{tag}" + (" #radiology" if i % 5 == 0 else ""),
                author_id=f"a{i % 11}",
                author_handle=f"User{i % 11}",
                kind=KINDS[(i // 2) % 4],
                hashtags=(tag, "radiology") if i % 5 == 0 else (tag,),
                author=Account(platform, f"a{i % 11}", f"User{i % 11}", followers=100 + i),
            )
        )
    return out


SELECTIONS = [
    Selection(hashtags=("radiology",)),
    Selection(hashtags=("radiology",), platforms=("x",)),
    Selection(hashtags=("radiology",), platforms=("x",), kinds=("original",)),
    Selection(hashtags=("mammography", "radres"), kinds=("reply", "quote")),
    Selection(hashtags=("radiology",), since=T0, until=T0 + timedelta(days=60)),
    Selection(
        hashtags=("radres",),
        platforms=("bluesky", "mastodon"),
        since=T0 + timedelta(days=5),
        until=T0 + timedelta(days=40),
    ),
    Selection(query="scan"),
    Selection(query="scan", platforms=("mastodon",), kinds=("repost",)),
    Selection(keywords=("biopsy",), hashtags=("radiology",)),
    Selection(query="contrast", since=T0, until=T0 + timedelta(days=30)),
]


def expected(items: list[Post], sel: Selection) -> tuple[int, int]:
    """(posts, Σ followers) by filtering the list in Python."""

    def keep(p: Post) -> bool:
        words = p.text.lower().split()
        return (
            (not sel.hashtags or any(t in p.hashtags for t in sel.hashtags))
            and (not sel.platforms or p.platform in sel.platforms)
            and (not sel.kinds or p.kind in sel.kinds)
            and (sel.since is None or p.created_at >= sel.since)
            and (sel.until is None or p.created_at < sel.until)
            and (not sel.query or sel.query in words)
            and (not sel.keywords or any(k in words for k in sel.keywords))
        )

    kept = [p for p in items if keep(p)]
    return len(kept), sum(p.author.followers or 0 for p in kept if p.author)


def counted(conn: sa.Connection, sel: Selection) -> tuple[int, int]:
    q = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(posts.c.author_followers), 0))
    n, f = conn.execute(q.where(*where(conn, sel))).one()
    return int(n), int(f)


@pytest.fixture
def filled(store: Store) -> tuple[Store, list[Post]]:
    items = corpus()
    store.write_batch([(RawRecord("test", b"{}", "hand-made"), items)])
    return store, items


@pytest.mark.parametrize("sel", SELECTIONS, ids=lambda s: ",".join(s.describe()))
def test_selected_posts_are_those_a_plain_filter_gives(
    filled: tuple[Store, list[Post]], sel: Selection
) -> None:
    store, items = filled
    want = expected(items, sel)
    assert want[0] > 0, "each selection must select something, or it proves nothing"
    with store.engine.connect() as conn:
        assert counted(conn, sel) == want


def test_sqlite_reads_the_covering_index_for_id_driven_selections(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "cover.db")
    store.write_batch([(RawRecord("test", b"{}", "hand-made"), corpus())])
    with store.engine.connect() as conn:
        for sel in (
            Selection(hashtags=("radiology",)),
            Selection(hashtags=("radiology",), platforms=("x",), kinds=("original",)),
            Selection(query="scan", platforms=("x",)),
        ):
            q = sa.select(sa.func.count(), sa.func.sum(posts.c.author_followers)).where(
                *where(conn, sel)
            )
            sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "COVERING INDEX ix_posts_cover" in plan, (sel, plan)
            assert "ix_posts_author" not in plan and "ix_posts_kind" not in plan, (sel, plan)
    store.close()


def test_the_index_leads_with_id_and_platform_and_comes_and_goes_with_0010(
    store: Store,
) -> None:
    if store.backend != "sqlite":
        with store.engine.connect() as conn:
            names = {ix["name"] for ix in sa.inspect(conn).get_indexes("posts")}
        assert "ix_posts_cover" not in names
        return

    def columns() -> list[str]:
        with store.engine.connect() as conn:
            return [r[2] for r in conn.exec_driver_sql("PRAGMA index_info(ix_posts_cover)")]

    # COVER_HINT constrains the second column: the order is part of the design
    assert columns()[:3] == ["id", "platform", "created_at"]
    downgrade(store.engine, "0009")
    assert columns() == []
    migrate(store.engine)
    assert columns()[:2] == ["id", "platform"]
