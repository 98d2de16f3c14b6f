"""Summary, time series and top lists on a small hand-checkable store, on SQLite and
PostgreSQL, through the rollups and through the posts (the two must agree)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radsocial.analytics import run
from radsocial.analytics.timeseries import change_point
from radsocial.models import Account, Media, Post, RawRecord
from radsocial.store import Selection, Store, rollups

T0 = datetime(2019, 12, 1, 10, 0, tzinfo=UTC)  # RSNA 2019 week


def _acct(handle: str, followers: int) -> Account:
    return Account("x", handle.upper() + "_ID", handle=handle, followers=followers)


ALICE, BOB, CARA = _acct("alice", 1000), _acct("bob", 10), _acct("cara", 0)


def corpus() -> list[Post]:
    """Nine posts; every number below is counted by hand from this list."""

    def p(i: int, author: Account, hours: float, text: str, **kw: object) -> Post:
        return Post(
            platform="x",
            platform_id=str(i),
            created_at=T0 + timedelta(hours=hours),
            text=text,
            author_id=author.account_id,
            author_handle=author.handle,
            author=author,
            **kw,  # type: ignore[arg-type]
        )

    return [
        # 2019-12-01: alice 2 posts, bob 1 repost
        p(1, ALICE, 0, "#RSNA19 AI talk", hashtags=("RSNA19", "AI"), links=("https://rsna.org/a",)),
        p(
            2,
            ALICE,
            1,
            "#RSNA19 #RadRes meetup @bob",
            hashtags=("RSNA19", "RadRes"),
            mentions=("bob",),
        ),
        p(
            3,
            BOB,
            1.5,
            "RT #RSNA19 AI talk",
            hashtags=("RSNA19", "AI"),
            kind="repost",
            repost_of_id="1",
        ),
        # 2019-12-02: cara reply with an image, bob original with views
        p(
            4,
            CARA,
            24,
            "@alice great #RSNA19",
            hashtags=("RSNA19",),
            kind="reply",
            reply_to_id="1",
            mentions=("alice",),
            media=(Media("photo", "https://img/1"),),
        ),
        p(
            5,
            BOB,
            25,
            "#AI in breast imaging",
            hashtags=("AI",),
            views=500,
            links=("https://journal.org/x", "https://journal.org/y"),
        ),
        # the preceding day (2019-11-30): 1 post by alice
        p(6, ALICE, -20, "#RSNA19 packing", hashtags=("RSNA19",)),
        # far away: 2018
        p(7, BOB, -365 * 24, "#RSNA18 done", hashtags=("RSNA18",)),
        p(8, CARA, 26, "no tags here"),
        p(9, ALICE, 26.5, "RT", kind="repost", repost_of_id="5", hashtags=("AI",)),
    ]


@pytest.fixture
def filled(store: Store) -> Store:
    raw = RawRecord("test", b"{}", "hand-made")
    store.write_batch([(raw, corpus())])
    rollups.refresh(store)
    return store


DEC1, DEC3 = datetime(2019, 12, 1, tzinfo=UTC), datetime(2019, 12, 3, tzinfo=UTC)


def test_summary_by_hand(filled: Store) -> None:
    rep = run("summary", filled, Selection(hashtags=("rsna19",), since=DEC1, until=DEC3))
    m = rep.metrics
    assert rep.params["source"] == "rollups"
    assert m["posts"] == {"value": 4, "previous": 1, "change_pct": 300.0}  # 1,2,3,4 vs 6
    assert m["reposts"]["value"] == 1
    assert m["replies"]["value"] == 1
    assert m["participants"]["value"] == 3
    assert m["participants"]["previous"] == 1
    assert m["impressions"]["value"] == 1000 + 1000 + 10 + 0  # Σ posts × followers
    assert m["links"]["value"] == 1
    assert m["media"]["value"] == 1
    assert m["shares_pct"]["reposts"] == 25.0
    assert m["shares_pct"]["with_mentions"] == 50.0
    assert m["per_user"]["posts"] == round(4 / 3, 2)
    js = rep.to_json()
    for key in ("posts", "reposts", "replies", "participants", "impressions", "links", "media"):
        assert set(js[key]) == {"value", "previous", "change_pct"}


def test_rollups_and_posts_agree(filled: Store) -> None:
    base = Selection(hashtags=("rsna19",), since=DEC1, until=DEC3)
    fast = run("summary", filled, base).metrics
    # a kind filter naming every kind selects the same posts but forces the direct count
    every_kind = ("original", "reply", "repost", "quote")
    slow_rep = run(
        "summary",
        filled,
        Selection(hashtags=("rsna19",), since=DEC1, until=DEC3, kinds=every_kind),
    )
    assert slow_rep.params["source"] == "posts"
    assert slow_rep.metrics == fast
    odd = Selection(hashtags=("rsna19",), since=T0 + timedelta(minutes=1), until=DEC3)
    rep = run("summary", filled, odd)
    assert rep.params["source"] == "posts"
    assert rep.metrics["posts"]["value"] == 3  # post 1 (10:00) falls before 10:01
    two = run("summary", filled, Selection(hashtags=("rsna19", "ai"), since=DEC1, until=DEC3))
    assert two.params["source"] == "posts"
    assert two.metrics["posts"]["value"] == 6  # 1,2,3,4 (rsna19) + 5, 9 (ai); 1 and 3 once


def test_splitting_a_period_keeps_the_total(filled: Store) -> None:
    """Posts of two adjacent periods add up to the posts of their union; participants
    of the union never exceed the sum (an author active in both counts once)."""
    whole = run("summary", filled, Selection(since=DEC1, until=DEC3), compare=False).metrics
    for h in range(0, 48, 5):
        cut = DEC1 + timedelta(hours=h)
        a = (
            run("summary", filled, Selection(since=DEC1, until=cut), compare=False).metrics
            if h
            else None
        )
        b = run("summary", filled, Selection(since=cut, until=DEC3), compare=False).metrics
        a_posts = a["posts"]["value"] if a else 0
        assert a_posts + b["posts"]["value"] == whole["posts"]["value"]
        a_users = a["participants"]["value"] if a else 0
        assert max(a_users, b["participants"]["value"]) <= whole["participants"]["value"]
        assert whole["participants"]["value"] <= a_users + b["participants"]["value"]


def test_empty_selection_is_well_formed(filled: Store) -> None:
    rep = run("summary", filled, Selection(hashtags=("nosuchtag",)))
    assert rep.metrics["posts"]["value"] == 0
    assert "No post matches" in rep.notes[0]
    ts = run("timeseries", filled, Selection(hashtags=("nosuchtag",)))
    assert ts.table("timeseries").rows == []
    top = run("top", filled, Selection(hashtags=("nosuchtag",)), what="hashtags")
    assert top.table("hashtags").rows == [] and top.notes


def test_timeseries_zero_filled_in_time_zone(filled: Store) -> None:
    sel = Selection(hashtags=("rsna19",), since=datetime(2019, 11, 30, tzinfo=UTC), until=DEC3)
    utc_days = run("timeseries", filled, sel, interval="day").table("timeseries")
    assert utc_days.column("bucket") == ["2019-11-30", "2019-12-01", "2019-12-02"]
    assert utc_days.column("posts") == [1, 3, 1]
    # Chicago is UTC-6: post 6 (11-30 14:00 UTC) stays on 11-30, the rest shift by 6 h
    chi = run("timeseries", filled, sel, interval="day", tz="America/Chicago").table("timeseries")
    assert chi.column("bucket")[0] == "2019-11-29"  # since = 11-30 00:00 UTC = 11-29 18:00
    assert sum(chi.column("posts")) == 5
    hours = run("timeseries", filled, sel, interval="hour").table("timeseries")
    assert len(hours.rows) == 72 and sum(hours.column("posts")) == 5
    with pytest.raises(ValueError, match="--tz"):
        run("timeseries", filled, sel, tz="Not/AZone")
    with pytest.raises(ValueError, match="--interval"):
        run("timeseries", filled, sel, interval="fortnight")


def test_yearly_growth(filled: Store) -> None:
    rep = run("timeseries", filled, Selection(), interval="year")
    g = rep.table("growth")
    assert g.column("year") == ["2018", "2019"]
    assert g.column("posts") == [1, 8]
    assert g.column("growth_pct") == [None, 700.0]


def test_top_lists(filled: Store) -> None:
    sel = Selection(hashtags=("rsna19",), since=DEC1, until=DEC3)
    co = run("top", filled, sel, what="hashtags").table("hashtags")
    assert co.column("hashtag") == ["ai", "radres"]  # rsna19 itself is left out
    assert co.column("posts") == [2, 1]
    acc = run("top", filled, sel, what="accounts").table("accounts")
    assert acc.column("account")[0] == "alice"
    assert acc.rows[0][3:7] == [2, 0, 2000, 1000]  # posts, reposts, impressions, followers
    men = run("top", filled, sel, what="mentions").table("mentions")
    assert sorted(men.column("mentioned")) == ["alice", "bob"]
    dom = run("top", filled, Selection(), what="domains").table("domains")
    assert dom.rows[0][1:4] == ["journal.org", "x", 1]  # two links, one post
    posts = run("top", filled, Selection(), what="posts", n=2).table("posts")
    assert len(posts.rows) == 2
    with pytest.raises(ValueError, match="--what"):
        run("top", filled, sel, what="everything")


def test_rollups_incremental_and_rebuild(filled: Store) -> None:
    before = run("summary", filled, Selection()).metrics["posts"]["value"]
    more = [
        Post(
            platform="x",
            platform_id="10",
            created_at=T0,
            text="#RSNA19 late",
            hashtags=("RSNA19",),
            author_handle="dan",
        )
    ]
    filled.write_batch([(RawRecord("test", b"{1}", "more"), more)])
    # the report brings the rollups up to date by itself
    assert run("summary", filled, Selection()).metrics["posts"]["value"] == before + 1
    assert rollups.refresh(filled) == 0
    rollups.rebuild(filled)
    assert run("summary", filled, Selection()).metrics["posts"]["value"] == before + 1


def test_change_point() -> None:
    assert change_point([1, 1, 1, 50, 60, 55]) is not None
    i, lo, hi = change_point([1, 1, 1, 50, 60, 55])  # type: ignore[misc]
    assert i == 3 and hi > lo
    assert change_point([5, 4, 3, 2, 1]) is None
    assert change_point([1, 2]) is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=2, max_size=30))
def test_change_point_splits_within_range(values: list[int]) -> None:
    cp = change_point([float(v) for v in values])
    if cp is not None:
        assert 1 <= cp[0] < len(values)


def test_spike_names_the_posts_that_made_it(store: Store) -> None:
    start = datetime(2021, 3, 1, tzinfo=UTC)
    quiet = [
        Post(
            platform="x",
            platform_id=f"q{h}",
            created_at=start + timedelta(hours=h),
            text="#calm",
            hashtags=("calm",),
            author_handle=f"u{h % 7}",
        )
        for h in range(0, 168, 2)
    ]
    burst_at = start + timedelta(hours=170)
    original = Post(
        platform="x",
        platform_id="orig",
        created_at=burst_at,
        text="#calm big news",
        hashtags=("calm",),
        author_handle="journal",
    )
    burst = [
        Post(
            platform="x",
            platform_id=f"rt{i}",
            created_at=burst_at + timedelta(minutes=i),
            text="RT #calm big news",
            hashtags=("calm",),
            kind="repost",
            repost_of_id="orig",
            author_handle=f"fan{i}",
        )
        for i in range(40)
    ]
    store.write_batch([(RawRecord("test", b"{}", "spike"), [*quiet, original, *burst])])
    rep = run("spikes", store, Selection(hashtags=("calm",)), k=2.0)
    assert rep.metrics["spike"] is True
    drivers = rep.table("drivers")
    assert drivers.rows[0][1] == "orig" and drivers.rows[0][2] == 40
    assert drivers.rows[0][3] == "journal"
    assert len(rep.table("hourly").rows) == 192
    calm = run("spikes", store, Selection(hashtags=("calm",)), now=start + timedelta(hours=168))
    assert calm.metrics["spike"] is False


def test_calendar_year_against_the_year_before(filled: Store) -> None:
    y2019 = Selection(
        since=datetime(2019, 1, 1, tzinfo=UTC), until=datetime(2020, 1, 1, tzinfo=UTC)
    )
    rep = run("summary", filled, y2019)
    assert rep.params["previous_since"].startswith("2018-01-01")  # a calendar year, not 365 days
    assert rep.metrics["posts"] == {"value": 8, "previous": 1, "change_pct": 700.0}
    assert rep.metrics["participants"]["value"] == 3
    assert rep.metrics["participants"]["previous"] == 1
    slow = run(
        "summary",
        filled,
        Selection(
            since=y2019.since,
            until=y2019.until,
            langs=(),
            kinds=("original", "reply", "repost", "quote"),
        ),
    )
    assert slow.params["source"] == "posts" and slow.metrics == rep.metrics
    top = run("top", filled, y2019, what="accounts").table("accounts")
    assert top.column("account")[:1] == ["alice"] and top.rows[0][3] == 4  # posts 1, 2, 6, 9


@pytest.mark.parametrize(
    "sel",
    [
        Selection(),
        Selection(platforms=("x",)),
        Selection(since=datetime(2019, 1, 1, tzinfo=UTC), until=datetime(2020, 1, 1, tzinfo=UTC)),
    ],
)
def test_top_accounts_from_author_rollups_equal_the_key_rollups(
    filled: Store, monkeypatch: pytest.MonkeyPatch, sel: Selection
) -> None:
    """Whole-store (and whole-year) top accounts read rollup_author(_year); the key
    rollups and the posts give the same table."""
    from radsocial.analytics import top as mod

    fast = run("top", filled, sel, what="accounts", n=50).to_json()
    assert fast["params"]["source"] == "rollups"
    monkeypatch.setattr(mod, "_from_author_rollups", lambda *a, **k: None)
    assert run("top", filled, sel, what="accounts", n=50).to_json() == fast
    monkeypatch.setattr(mod, "_from_rollups", lambda *a, **k: None)
    slow = run("top", filled, sel, what="accounts", n=50).to_json()
    assert slow["params"].pop("source") == "posts"
    fast["params"].pop("source")
    assert slow == fast


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_bucket_count_is_the_series_length(filled: Store, interval: str) -> None:
    """The web app picks a long span's interval by `bucket_count` instead of computing
    the series at each interval; it must count the rows the series has."""
    from radsocial.analytics.scope import zone
    from radsocial.analytics.timeseries import bucket_count

    for sel in (Selection(), Selection(hashtags=("rsna19",)), Selection(since=DEC1, until=DEC3)):
        rep = run("timeseries", filled, sel, interval=interval)
        since = datetime.fromisoformat(rep.params["since"])
        until = datetime.fromisoformat(rep.params["until"])
        assert bucket_count(since, until, interval, zone("UTC")) == len(rep.tables[0].rows)


def test_top_domains_from_posts_equal_the_rollups(filled: Store) -> None:
    """Linked sites counted from the posts (a kind filter forces it) are the rollups'."""
    every_kind = ("original", "reply", "repost", "quote")
    for base in (Selection(), Selection(hashtags=("ai",))):
        fast = run("top", filled, base, what="domains").to_json()
        slow = run("top", filled, replace(base, kinds=every_kind), what="domains").to_json()
        assert fast["params"]["source"] == "rollups" and slow["params"]["source"] == "posts"
        assert slow["tables"] == fast["tables"] and slow["tables"]["domains"]["rows"]


@pytest.mark.parametrize(
    "sel",
    [
        Selection(query="talk"),
        Selection(hashtags=("RSNA19", "AI")),
        Selection(accounts=("bob",)),
        Selection(query="RSNA19", platforms=("x",), kinds=("reply",)),
    ],
    ids=lambda s: ",".join(s.describe()),
)
@pytest.mark.parametrize(
    ("interval", "tz"), [("day", "UTC"), ("hour", "UTC"), ("week", "Asia/Tokyo")]
)
def test_open_period_series_read_their_span_off_the_counts(
    filled: Store, sel: Selection, interval: str, tz: str
) -> None:
    """A selection without a period counted from the posts takes its span from the same
    pass as its counts: the span is the one `data_span` gives, and the series equals the
    series asked for over that span."""
    from radsocial.analytics.scope import connect, data_span, zone
    from radsocial.analytics.timeseries import _by_day, _counted_with_span

    with connect(filled) as conn:
        span = data_span(conn, sel)
        got, counts = _counted_with_span(conn, sel, _by_day(interval, zone(tz)))
    assert span is not None and counts
    assert (got.since, got.until) == (span.since, span.until)
    open_rep = run("timeseries", filled, sel, interval=interval, tz=tz)
    closed = run(
        "timeseries", filled, sel.with_period(span.since, span.until), interval=interval, tz=tz
    )
    assert open_rep.table("timeseries").rows == closed.table("timeseries").rows
    assert open_rep.metrics == closed.metrics
    assert open_rep.params["since"] == span.since.isoformat()
