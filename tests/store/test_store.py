"""The store on both backends: schema, upserts, accounts, full text, stats, renormalize."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from radsocial.models import Account, Media, Post, RawRecord
from radsocial.store import Selection, Store
from radsocial.store.dialect import fts5_query
from radsocial.store.schema import metadata

T0 = datetime(2017, 11, 26, 15, 0, tzinfo=UTC)


def acct(handle: str, followers: int, when: datetime, bio: str = "") -> Account:
    return Account(
        platform="x",
        account_id=f"id-{handle}",
        handle=handle,
        followers=followers,
        bio=bio,
        observed_at=when,
    )


def post(pid: str, text: str, *, handle: str = "rsna", minutes: int = 0, **kw: object) -> Post:
    when = T0 + timedelta(minutes=minutes)
    return Post(
        platform="x",
        platform_id=pid,
        created_at=when,
        text=text,
        author_id=f"id-{handle}",
        author_handle=handle,
        author=acct(handle, 100, when),
        **kw,  # type: ignore[arg-type]
    )


def raw(payload: bytes) -> RawRecord:
    return RawRecord(format="x-v2", payload=payload, source="test.jsonl", line=1)


def test_fresh_schema_matches_the_model(store: Store) -> None:
    with store.engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection cannot read an index on lower(handle); the check below
        # looks for it by name instead.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        names = {ix["name"] for ix in sa.inspect(conn).get_indexes("accounts")}
    assert "ix_accounts_lower_handle" in names or store.backend == "sqlite"
    if store.backend == "sqlite":
        with store.engine.connect() as conn:
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_accounts_lower_handle'"
            ).scalar()
        assert sql is not None and "lower(handle)" in sql

    # The full-text index is backend-specific and added by the migration on purpose, not
    # in the model: the PostgreSQL tsvector column, the SQLite FTS5 table and its shadows.
    def full_text(d: tuple) -> bool:  # type: ignore[type-arg]
        if d[0] in ("add_index", "remove_index") and d[1].name == "ix_accounts_lower_handle":
            return True  # expression index: compared above, not by reflection
        if d[0] == "remove_column":
            return d[3].name == "tsv"
        if d[0] == "remove_index":
            # ix_posts_cover: SQLite's covering index by post id (migration 0010); the
            # census regrouping's covering indexes (migration 0011, SQLite)
            return d[1].name in (
                "ix_posts_tsv",
                "ix_posts_cover",
                "ix_rollup_author_census",
                "ix_rollup_author_year_census",
            )
        return d[0] == "remove_table" and d[1].name.startswith("posts_fts")

    diff = [d for d in diff if not full_text(d)]
    assert diff == []


def test_upsert_counts_new_then_duplicate(store: Store) -> None:
    items = [
        (
            raw(b'{"a":1}'),
            [post("1", "CT scan #RSNA17", hashtags=("RSNA17",)), post("2", "MRI safety")],
        )
    ]
    c1 = store.write_batch(items)
    assert (c1.new, c1.duplicate, c1.raw_new) == (2, 0, 1)
    c2 = store.write_batch(items)
    assert (c2.new, c2.duplicate, c2.raw_new) == (0, 2, 0)
    assert store.stats()["posts"] == 2
    assert store.count_raw() == 1


def test_metrics_refresh_on_duplicate(store: Store) -> None:
    store.write_batch([(raw(b"1"), [post("1", "x", likes=1)])])
    c = store.write_batch([(raw(b"2"), [post("1", "x", likes=7)])])
    assert (c.new, c.duplicate, c.updated) == (0, 1, 1)
    ((_, p),) = list(store.iter_posts())
    assert p.likes == 7


def test_entities_round_trip(store: Store) -> None:
    p = post(
        "9",
        "Read @JACR on #AI",
        hashtags=("AI",),
        mentions=("JACR",),
        links=("https://www.jacr.org/article/1",),
        media=(Media(type="photo", url="https://pbs.twimg.com/a.jpg", alt="chest CT"),),
        kind="quote",
        quote_of_id="8",
        views=1234,
    )
    store.write_batch([(raw(b"9"), [p])])
    ((_, back),) = list(store.iter_posts())
    assert back.hashtags == ("AI",) and back.mentions == ("JACR",)
    assert back.links == p.links and back.media == p.media
    assert (back.kind, back.quote_of_id, back.views) == ("quote", "8", 1234)
    assert back.created_at == p.created_at
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("select domain from post_links")).scalar_one() == "jacr.org"
        assert conn.execute(sa.text("select tag from post_hashtags")).scalar_one() == "ai"


def test_account_snapshots_keep_history(store: Store) -> None:
    day1, day2 = T0, T0 + timedelta(days=1)
    p1 = post("1", "a")
    p1.author = acct("rsna", 100, day1, bio="old bio")
    p2 = post("2", "b", minutes=60 * 24)
    p2.author = acct("rsna", 150, day2, bio="new bio")
    store.write_batch([(raw(b"1"), [p1])])
    store.write_batch([(raw(b"2"), [p2])])
    with store.engine.connect() as conn:
        a = conn.execute(sa.text("select followers, bio from accounts")).one()
        snaps = (
            conn.execute(sa.text("select followers from account_snapshots order by observed_on"))
            .scalars()
            .all()
        )
    assert tuple(a) == (150, "new bio")
    assert snaps == [100, 150]
    # An older observation arriving later does not overwrite the newer profile.
    p0 = post("3", "c")
    p0.author = acct("rsna", 90, day1 - timedelta(days=3), bio="oldest")
    store.write_batch([(raw(b"3"), [p0])])
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("select bio from accounts")).scalar_one() == "new bio"
        assert conn.execute(sa.text("select count(*) from account_snapshots")).scalar_one() == 3


def test_full_text_search_and_filters(store: Store) -> None:
    store.write_batch(
        [
            (
                raw(b"s"),
                [
                    post("1", "New mammograms detect more cancers", hashtags=("BreastImaging",)),
                    post("2", "Connecticut news today", handle="ctnews", minutes=5),
                    post("3", "Breast MRI screening study", minutes=10, lang="en"),
                ],
            )
        ]
    )
    ids = lambda sel: [p.platform_id for p in store.search(sel)]  # noqa: E731
    assert ids(Selection(query="mammogram")) == ["1"]  # stemming: mammograms
    assert ids(Selection(query="breast")) == ["3"]  # text only, not hashtags
    assert ids(Selection(query='"breast MRI"')) == ["3"]
    assert ids(Selection(query="mammogram OR connecticut")) == ["2", "1"]
    assert ids(Selection(query="today -connecticut")) == []
    assert ids(Selection(query="detect -connecticut")) == ["1"]
    assert ids(Selection(hashtags=("#breastimaging",))) == ["1"]
    assert ids(Selection(accounts=("@CTNews",))) == ["2"]
    assert ids(Selection(langs=("en",))) == ["3"]
    assert ids(Selection(since=T0 + timedelta(minutes=5))) == ["3", "2"]
    assert ids(Selection(until=T0 + timedelta(minutes=5))) == ["1"]
    # Operators and punctuation typed by users are never FTS syntax errors.
    assert ids(Selection(query='CT: AND "')) == []


def test_fts5_query_translation() -> None:
    assert fts5_query("ct scan") == '"ct" AND "scan"'
    assert fts5_query('"breast mri" OR pet') == '"breast mri" OR "pet"'
    assert fts5_query("news -connecticut") == '"news" NOT "connecticut"'


def test_stats_shape(store: Store) -> None:
    store.write_batch(
        [
            (
                raw(b"s"),
                [
                    post("1", "a", hashtags=("RSNA17", "AI")),
                    post("2", "b", kind="repost", repost_of_id="1", hashtags=("rsna17",)),
                ],
            )
        ]
    )
    s = store.stats()
    assert s["posts"] == 2
    assert s["by_platform"] == {"x": 2}
    assert s["by_kind"] == {"original": 1, "repost": 1}
    assert s["by_year"] == {"2017": 2}
    assert s["top_hashtags"][0] == ["rsna17", 2]
    assert s["authors"] == 1


def test_replace_rewrites_fields_and_children(store: Store) -> None:
    store.write_batch([(raw(b"1"), [post("1", "old text", hashtags=("old",))])])
    c = store.write_batch([(raw(b"1"), [post("1", "new text", hashtags=("new",))])], replace=True)
    assert c.updated == 1
    ((_, p),) = list(store.iter_posts())
    assert (p.text, p.hashtags) == ("new text", ("new",))
    assert [x.platform_id for x in store.search(Selection(query="new"))] == ["1"]
    assert store.search(Selection(query="old")) == []
    assert store.search(Selection(hashtags=("old",))) == []


def test_iter_posts_pages_in_time_order(store: Store) -> None:
    posts = [post(str(i), f"p{i}", minutes=-i) for i in range(12)]
    store.write_batch([(raw(b"many"), posts)])
    from radsocial.store.queries import iter_posts

    with store.engine.connect() as conn:
        got = [p.platform_id for _, p in iter_posts(conn, chunk=5)]
    assert got == [str(i) for i in reversed(range(12))]
    assert len(list(store.iter_posts(limit=7))) == 7


def test_bad_selection_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="--since"):
        Selection(since=T0, until=T0)


def test_unreachable_postgres_says_what_to_do() -> None:
    from radsocial.store import StoreError

    with pytest.raises(StoreError, match="Check that the server runs"):
        Store.open("postgresql://nobody@127.0.0.1:1/none")


def test_duplicate_fills_in_a_missing_handle(store: Store) -> None:
    bare = post("at://did:plc:x/app.bsky.feed.post/1", "hello", handle="h")
    bare.author_handle = None
    bare.url = "https://bsky.app/profile/did:plc:x/post/1"
    store.write_batch([(raw(b"jet"), [bare])])
    full = post("at://did:plc:x/app.bsky.feed.post/1", "hello", handle="radiology.bsky.social")
    full.url = "https://bsky.app/profile/radiology.bsky.social/post/1"
    c = store.write_batch([(raw(b"view"), [full])])
    assert c.updated == 1
    ((_, p),) = list(store.iter_posts())
    assert (p.author_handle, p.url) == ("radiology.bsky.social", full.url)
