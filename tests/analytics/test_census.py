"""Census and share of voice on a small hand-made store, on SQLite and PostgreSQL.

Every expected number below is counted by hand from `corpus()`, `LOOKUPS` and `LABELS`.
The registry holds only the five entities of the test's own TOML file, so that the
shipped entities do not enter the counts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from radsocial.analysis.base import Label
from radsocial.analytics import run
from radsocial.analytics.census import census, share_of_voice
from radsocial.knowledge.registry import Registry, load_registry
from radsocial.models import Account, Post, RawRecord
from radsocial.store import Selection, Store
from radsocial.store.bulk import insert_dicts
from radsocial.store.labels import label_rows
from radsocial.store.schema import account_labels, accounts, post_labels, posts

REGISTRY_TOML = """
[entities.AcmeImaging]
name = "Acme Imaging"
kind = "vendor_industry"
handles = { x = ["AcmeImg"], bluesky = ["acme.bsky.social"] }

[entities.BetaScan]
name = "Beta Scan"
kind = "vendor_industry"
handles = { x = ["BetaScan", "@BetaScanHelp"] }

[entities.GammaAI]
name = "Gamma AI"
kind = "vendor_industry"
handles = { x = ["GammaAI"] }

[entities.JRad]
name = "Journal of Radiology Tests"
kind = "journal_publisher"
handles = { x = ["JRadTest"] }

[entities.JImg]
name = "Imaging Test Letters"
kind = "journal_publisher"
handles = { x = ["ImgLetters"], bluesky = ["imgletters.bsky.social"] }
"""


def at(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def acct(platform: str, aid: str, handle: str, followers: int | None) -> Account:
    """A fresh Account per post: the store dates each one by its post's time."""
    return Account(platform, aid, handle=handle, followers=followers)


def corpus() -> list[Post]:
    """Twelve posts; the numbers in the comments are the hand counts the tests use."""

    def p(i: int, a: Account, when: datetime, text: str, **kw: object) -> Post:
        return Post(
            platform=a.platform,
            platform_id=str(i),
            created_at=when,
            text=text,
            author_id=a.account_id,
            author_handle=a.handle,
            author=a,
            **kw,  # type: ignore[arg-type]
        )

    return [
        # Acme on X: three posts; followers 100 -> 120 (2020) -> 150 (2021). Post 2 was
        # written under an old handle: the author id still makes it Acme's.
        p(1, acct("x", "A1", "AcmeImg", 100), at(2020, 3, 1), "Our new scanner"),
        p(2, acct("x", "A1", "AcmeOld", 120), at(2020, 3, 5), "Scanner news"),
        p(3, acct("x", "A1", "AcmeImg", 150), at(2021, 2, 1), "A new year"),
        # mentions of the vendors (sentiment labels in LABELS)
        p(
            4,
            acct("x", "D1", "drrad", 300),
            at(2020, 3, 2),
            "Great images from @AcmeImg and @BetaScan",
            mentions=("AcmeImg", "BetaScan"),
        ),
        p(
            5,
            acct("x", "D1", "drrad", 300),
            at(2020, 3, 3),
            "@acmeimg down again",
            mentions=("acmeimg",),
        ),
        p(
            6,
            acct("x", "P1", "patient1", 10),
            at(2020, 3, 4),
            "@BetaScan @BetaScanHelp my scan was late",  # one post for Beta, not two
            mentions=("BetaScan", "BetaScanHelp"),
        ),
        p(7, acct("x", "N1", "anon", 5), at(2021, 1, 10), "@AcmeImg ok", mentions=("AcmeImg",)),
        p(
            8,
            acct("x", "N1", "anon", 5),
            at(2021, 1, 11),
            "RT @drrad: Great images from @AcmeImg and @BetaScan",
            kind="repost",
            repost_of_id="4",
            mentions=("drrad", "AcmeImg", "BetaScan"),
        ),
        p(9, acct("x", "J1", "JRadTest", 2000), at(2020, 6, 1), "New issue out"),
        # Bluesky: Acme's own account, and Bob mentioning Acme (counts) and "betascan"
        # (does not: Beta has no Bluesky handle in the registry)
        p(
            10,
            acct("bluesky", "did:plc:acme", "acme.bsky.social", 40),
            at(2020, 4, 1),
            "hello bluesky",
        ),
        p(
            11,
            acct("bluesky", "did:plc:bob", "bob.bsky.social", 7),
            at(2020, 4, 2),
            "@acme.bsky.social nice",
            mentions=("acme.bsky.social",),
        ),
        p(
            12,
            acct("bluesky", "did:plc:bob", "bob.bsky.social", 7),
            at(2020, 4, 3),
            "@betascan hi",
            mentions=("betascan",),
        ),
    ]


# Profiles read apart from posts (user lookups): Beta is present without posting.
LOOKUPS = [
    Account("x", "B1", handle="BetaScan", followers=50, observed_at=at(2020, 5, 1)),
    Account("x", "D2", handle="rad2", followers=100, observed_at=at(2020, 5, 1)),
    Account("x", "D3", handle="rad3", followers=1000, observed_at=at(2020, 5, 1)),
]

# (platform, account id) -> [(stakeholder, method)]
ACCOUNT_LABELS = {
    ("x", "A1"): [("vendor_industry", "manual")],
    ("x", "B1"): [("vendor_industry", "rule")],
    ("x", "J1"): [("journal_publisher", "rule")],
    ("x", "D1"): [("radiologist", "rule")],
    ("x", "D2"): [("radiologist", "rule")],
    ("x", "D3"): [("radiologist", "rule")],
    # the coder's label wins over the classifier's
    ("x", "P1"): [("patient_advocate", "rule"), ("other_individual", "manual")],
    ("bluesky", "did:plc:acme"): [("vendor_industry", "rule")],
    # N1 and Bob have no label: unknown
}

# (platform, post id) -> [(sentiment, method)]
LABELS = {
    ("x", "4"): [("positive", "rule")],
    ("x", "5"): [("positive", "rule"), ("negative", "manual")],  # manual wins: negative
    ("x", "6"): [("negative", "rule")],
    ("x", "7"): [("neutral", "rule")],
    ("bluesky", "11"): [("positive", "rule")],
    # post 8 has no sentiment label
}


def _label(task: str, value: str, method: str) -> Label:
    return Label(task, value, 1.0, (), method, "1.0", "test")


@pytest.fixture
def filled(store: Store) -> Store:
    return fill(store)


def fill(store: Store) -> Store:
    """The corpus, the lookups and the labels above, written into `store`."""
    # One batch per post, as a long import writes them: within one batch the writer
    # dates a new account by its latest observation only.
    for post in corpus():
        raw = RawRecord("test", post.platform_id.encode(), "hand-made")
        store.write_batch([(raw, [post])])
    store.write_batch([], accounts=LOOKUPS)
    with store.writer() as conn, conn.begin():
        apk = {
            (p, a): pk
            for pk, p, a in conn.execute(
                sa.select(accounts.c.id, accounts.c.platform, accounts.c.account_id)
            )
        }
        ppk = {
            (p, i): pk
            for pk, p, i in conn.execute(
                sa.select(posts.c.id, posts.c.platform, posts.c.platform_id)
            )
        }
        rows = []
        for key, labs in ACCOUNT_LABELS.items():
            for value, method in labs:
                coder = "ann" if method == "manual" else ""
                rows += label_rows(
                    "account_pk", apk[key], [_label("stakeholder", value, method)], coder
                )
        insert_dicts(conn, account_labels, rows)
        rows = []
        for key, labs in LABELS.items():
            for value, method in labs:
                coder = "ann" if method == "manual" else ""
                rows += label_rows("post_id", ppk[key], [_label("sentiment", value, method)], coder)
        insert_dicts(conn, post_labels, rows)
    return store


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    """Only the entities of the test's file (the shipped ones would join the counts)."""
    path = tmp_path / "mine.toml"
    path.write_text(REGISTRY_TOML, encoding="utf-8")
    reg = load_registry([path])
    mine = {k: e for k, e in reg.entities.items() if e.source == str(path)}
    assert len(mine) == 5
    return Registry({}, {}, {}, mine)


# -- census of entities ---------------------------------------------------------------


def test_presence_by_hand(filled: Store, registry: Registry) -> None:
    rep = census(filled, None, registry=registry)
    assert rep.kind == "census"
    t = rep.table("presence")
    got = [[r[0], r[3], r[4], r[5], r[6], r[7], r[8], r[9]] for r in t.rows]
    assert got == [
        # journals first (by kind), then vendors; X before Bluesky
        ["JImg", "x", "ImgLetters", False, None, None, 0, None],
        ["JImg", "bluesky", "imgletters.bsky.social", False, None, None, 0, None],
        ["JRad", "x", "JRadTest", True, at(2020, 6, 1), at(2020, 6, 1), 1, 2000],
        # post 2 (old handle) counts by author id; latest followers 150
        ["AcmeImaging", "x", "AcmeImg", True, at(2020, 3, 1), at(2021, 2, 1), 3, 150],
        ["AcmeImaging", "bluesky", "acme.bsky.social", True, at(2020, 4, 1), at(2020, 4, 1), 1, 40],
        # known from a lookup only: first / last seen from the account, no posts
        ["BetaScan", "x", "BetaScan", True, at(2020, 5, 1), at(2020, 5, 1), 0, 50],
        ["BetaScan", "x", "BetaScanHelp", False, None, None, 0, None],
        ["GammaAI", "x", "GammaAI", False, None, None, 0, None],
    ]
    assert t.rows[3][1:3] == ["Acme Imaging", "vendor_industry"]
    assert rep.metrics == {"entities": 5, "entities_present": 3, "posts": 5}
    js = rep.to_json()
    assert js["tables"]["presence"]["rows"][2][6] == "2020-06-01T12:00:00+00:00"


def test_presence_summary_gives_the_researchers_percentages(
    filled: Store, registry: Registry
) -> None:
    rep = census(filled, None, registry=registry)
    assert rep.table("presence_summary").rows == [
        ["journal_publisher", "x", 2, 2, 1, 50.0],
        ["journal_publisher", "bluesky", 2, 1, 0, 0.0],
        ["journal_publisher", "any", 2, 2, 1, 50.0],
        ["vendor_industry", "x", 3, 3, 2, 66.7],
        ["vendor_industry", "bluesky", 3, 1, 1, 33.3],
        ["vendor_industry", "any", 3, 3, 2, 66.7],
    ]
    journals = census(filled, None, kind="journal_publisher", registry=registry)
    assert {r[0] for r in journals.table("presence").rows} == {"JImg", "JRad"}
    assert [r[1] for r in journals.table("presence_summary").rows] == ["x", "bluesky", "any"]
    assert journals.metrics == {"entities": 2, "entities_present": 1, "posts": 1}


def test_followers_over_time_from_snapshots(filled: Store, registry: Registry) -> None:
    rep = census(filled, None, registry=registry)
    f = rep.table("followers")
    assert f.chart is not None and f.chart["kind"] == "line"
    assert f.rows == [
        ["AcmeImaging", "x", "2020", 120],  # snapshots 03-01 (100) and 03-05 (120): the last
        ["AcmeImaging", "x", "2021", 150],
        ["AcmeImaging", "bluesky", "2020", 40],
        ["BetaScan", "x", "2020", 50],
        ["JRad", "x", "2020", 2000],
    ]
    monthly = census(filled, None, interval="month", registry=registry).table("followers")
    assert [r for r in monthly.rows if r[0] == "AcmeImaging" and r[1] == "x"] == [
        ["AcmeImaging", "x", "2020-03", 120],
        ["AcmeImaging", "x", "2021-02", 150],
    ]
    daily = census(filled, None, interval="day", registry=registry).table("followers")
    assert [r[2:] for r in daily.rows if r[0] == "AcmeImaging" and r[1] == "x"] == [
        ["2020-03-01", 100],
        ["2020-03-05", 120],
        ["2021-02-01", 150],
    ]
    # the period limits the snapshots too
    y2021 = Selection(since=at(2021, 1, 1, 0), until=at(2022, 1, 1, 0))
    assert census(filled, y2021, registry=registry).table("followers").rows == [
        ["AcmeImaging", "x", "2021", 150]
    ]


def test_entity_activity_and_selection(filled: Store, registry: Registry) -> None:
    rep = census(filled, None, registry=registry)
    act = rep.table("activity")
    assert act.chart is not None and act.chart["kind"] == "stacked_bar"
    assert act.rows == [
        ["AcmeImaging", "2020", 3],  # posts 1, 2 (X) and 10 (Bluesky)
        ["JRad", "2020", 1],
        ["AcmeImaging", "2021", 1],
    ]
    x_only = census(filled, Selection(platforms=("x",)), registry=registry)
    assert all(r[3] == "x" for r in x_only.table("presence").rows)
    assert [r[1] for r in x_only.table("presence_summary").rows] == ["x", "any"] * 2
    assert x_only.table("activity").rows == [
        ["AcmeImaging", "2020", 2],
        ["JRad", "2020", 1],
        ["AcmeImaging", "2021", 1],
    ]
    # a period: first / last seen from the posts inside it
    y2020 = Selection(since=at(2020, 1, 1, 0), until=at(2021, 1, 1, 0))
    rows = {
        (r[0], r[3]): r for r in census(filled, y2020, registry=registry).table("presence").rows
    }
    assert rows[("AcmeImaging", "x")][6:9] == [at(2020, 3, 1), at(2020, 3, 5), 2]


# -- census of stakeholders -----------------------------------------------------------


def test_stakeholder_census_by_hand(filled: Store) -> None:
    rep = run("census", filled, None, group="stakeholders")
    t = rep.table("by_stakeholder")
    assert t.chart is not None and t.chart["kind"] == "bar"
    assert t.rows == [
        # stakeholder, symplur, platform, accounts, active, posts, %, first, last, median
        [
            "vendor_industry",
            "Org. MedDevice",
            "x",
            2,
            1,
            3,
            25.0,
            at(2020, 3, 1),
            at(2021, 2, 1),
            100.0,  # followers 150 (Acme) and 50 (Beta)
        ],
        ["radiologist", "Doctor", "x", 3, 1, 2, 16.7, at(2020, 3, 2), at(2020, 3, 3), 300.0],
        ["unknown", "Unknown", "x", 1, 1, 2, 16.7, at(2021, 1, 10), at(2021, 1, 11), 5.0],
        ["unknown", "Unknown", "bluesky", 1, 1, 2, 16.7, at(2020, 4, 2), at(2020, 4, 3), 7.0],
        [
            "journal_publisher",
            "Org. Media",
            "x",
            1,
            1,
            1,
            8.3,
            at(2020, 6, 1),
            at(2020, 6, 1),
            2000.0,
        ],
        # the manual label wins over the classifier's patient_advocate
        [
            "other_individual",
            "Individual Non-Health",
            "x",
            1,
            1,
            1,
            8.3,
            at(2020, 3, 4),
            at(2020, 3, 4),
            10.0,
        ],
        [
            "vendor_industry",
            "Org. MedDevice",
            "bluesky",
            1,
            1,
            1,
            8.3,
            at(2020, 4, 1),
            at(2020, 4, 1),
            40.0,
        ],
    ]
    assert rep.metrics == {"accounts": 10, "active_accounts": 7, "posts": 12}
    assert rep.table("activity").rows == [
        ["journal_publisher", "2020", 1],
        ["other_individual", "2020", 1],
        ["radiologist", "2020", 2],
        ["unknown", "2020", 2],
        ["vendor_industry", "2020", 3],
        ["unknown", "2021", 2],
        ["vendor_industry", "2021", 1],
    ]


def test_stakeholder_census_filters(filled: Store) -> None:
    # kind keeps one label; the share stays a share of all the selection's posts
    rep = census(filled, None, group="stakeholders", kind="unknown")
    rows = rep.table("by_stakeholder").rows
    assert [(r[0], r[2], r[5], r[6]) for r in rows] == [
        ("unknown", "x", 2, 16.7),
        ("unknown", "bluesky", 2, 16.7),
    ]
    # accounts without posts in the selection stay in the census, inactive
    y2021 = Selection(since=at(2021, 1, 1, 0), until=at(2022, 1, 1, 0), platforms=("x",))
    rows = census(filled, y2021, group="stakeholders").table("by_stakeholder").rows
    by = {r[0]: r for r in rows}
    assert by["vendor_industry"][3:7] == [2, 1, 1, 33.3]
    assert by["unknown"][3:7] == [1, 1, 2, 66.7]
    assert by["radiologist"][3:7] == [3, 0, 0, 0.0]
    # no posts in the period: first / last seen from the accounts (lookups on 2020-05-01)
    assert by["radiologist"][7:9] == [at(2020, 3, 2), at(2020, 5, 1)]
    assert {r[2] for r in rows} == {"x"}
    radiologists = census(filled, Selection(stakeholders=("radiologist",)), group="stakeholders")
    assert [r[:7] for r in radiologists.table("by_stakeholder").rows] == [
        ["radiologist", "Doctor", "x", 3, 1, 2, 100.0]
    ]


# -- share of voice -------------------------------------------------------------------


def test_share_of_voice_by_hand(filled: Store, registry: Registry) -> None:
    rep = share_of_voice(filled, None, registry=registry)
    assert rep.kind == "share_of_voice"
    t = rep.table("share_of_voice")
    assert t.chart == {"kind": "pie", "x": "entity", "y": ["mentions"]}
    assert t.rows == [
        # Acme: 4, 5, 7, 8 on X + 11 on Bluesky; labelled 4 +, 5 − (manual), 7 =, 11 +
        ["AcmeImaging", "Acme Imaging", 5, 62.5, 2, 1, 1, 0.25],
        # Beta: 4, 6 (once, two handles), 8; Bob's "@betascan" on Bluesky does not count
        ["BetaScan", "Beta Scan", 3, 37.5, 1, 0, 1, 0.0],
        ["GammaAI", "Gamma AI", 0, 0.0, 0, 0, 0, None],
    ]
    assert rep.metrics == {"total_mentions": 8}
    assert rep.params["competitive_set"] == ["AcmeImaging", "BetaScan", "GammaAI"]
    assert sum(t.column("share_pct")) == 100.0


def test_share_of_voice_follows_the_selection(filled: Store, registry: Registry) -> None:
    x = share_of_voice(filled, Selection(platforms=("x",)), registry=registry)
    assert [r[:4] for r in x.table("share_of_voice").rows] == [
        ["AcmeImaging", "Acme Imaging", 4, 57.1],
        ["BetaScan", "Beta Scan", 3, 42.9],
        ["GammaAI", "Gamma AI", 0, 0.0],
    ]
    y2021 = Selection(since=at(2021, 1, 1, 0), until=at(2022, 1, 1, 0))
    late = share_of_voice(filled, y2021, registry=registry).table("share_of_voice")
    # posts 7 (neutral) and 8 (repost, no label)
    assert late.rows[0] == ["AcmeImaging", "Acme Imaging", 2, 66.7, 0, 1, 0, 0.0]
    assert late.rows[1] == ["BetaScan", "Beta Scan", 1, 33.3, 0, 0, 0, None]


def test_share_of_voice_empty_cases(filled: Store, registry: Registry) -> None:
    # a competitive set nobody mentions
    rep = share_of_voice(filled, None, kind="journal_publisher", registry=registry)
    assert rep.empty and rep.table("share_of_voice").rows == []
    assert "mentions" in rep.notes[0]
    # no entity of that kind
    rep = share_of_voice(filled, None, kind="imaging_practice", registry=registry)
    assert rep.empty and "competitive set is empty" in rep.notes[0]
    assert rep.params["competitive_set"] == []
    # no entity with a handle on the selected platform
    rep = share_of_voice(filled, Selection(platforms=("reddit",)), registry=registry)
    assert rep.empty and "on reddit" in rep.notes[0]
    # nothing in the period
    far = Selection(since=at(2030, 1, 1, 0))
    rep = share_of_voice(filled, far, registry=registry)
    assert rep.empty and rep.notes[0].startswith("No post matches this selection")
    js = rep.to_json()
    assert js["tables"]["share_of_voice"]["rows"] == []


def test_chunking_changes_nothing(
    filled: Store, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The IN lists are cut into chunks; tiny chunks must give the same numbers
    (Beta's two handles stay in one chunk, so post 6 still counts once)."""
    from radsocial.analytics import census as mod

    before = census(filled, None, registry=registry).to_json()
    sov = share_of_voice(filled, None, registry=registry).to_json()
    monkeypatch.setattr(mod, "CHUNK", 1)
    assert census(filled, None, registry=registry).to_json() == before
    assert share_of_voice(filled, None, registry=registry).to_json() == sov


def test_empty_store(store: Store, registry: Registry) -> None:
    rep = census(store, None, registry=registry)
    assert [r[5] for r in rep.table("presence").rows] == [False] * 8
    assert rep.table("followers").rows == [] and rep.table("activity").rows == []
    assert rep.notes == ["The store holds no posts yet: import some with `radsocial import PATH`."]
    assert all(r[4] == 0 for r in rep.table("presence_summary").rows)
    st = census(store, None, group="stakeholders")
    assert st.empty and st.table("by_stakeholder").rows == []
    sov = share_of_voice(store, None, registry=registry)
    assert sov.empty and sov.notes[0].startswith("The store holds no posts yet")
    none = census(store, None, kind="media_outlet", registry=registry)
    assert none.empty and "no entities of kind 'media_outlet'" in none.notes[0]
    assert [t.name for t in none.tables] == [
        "presence",
        "presence_summary",
        "followers",
        "activity",
    ]


def test_bad_options(store: Store, registry: Registry) -> None:
    with pytest.raises(
        ValueError, match=r"--group: 'authors' is not one of entities, stakeholders"
    ):
        census(store, None, group="authors")
    with pytest.raises(ValueError, match=r"--interval: 'hour' .*day, week, month, year"):
        census(store, None, interval="hour")
    with pytest.raises(ValueError, match=r"--kind: 'journal' .*journal_publisher"):
        census(store, None, kind="journal", registry=registry)
    with pytest.raises(ValueError, match=r"--kind: 'vendor' .*vendor_industry"):
        share_of_voice(store, None, kind="vendor", registry=registry)


@pytest.mark.parametrize("group", ["entities", "stakeholders"])
@pytest.mark.parametrize(
    "sel",
    [
        None,
        Selection(platforms=("x",)),
        Selection(since=at(2020, 1, 1, 0), until=at(2022, 1, 1, 0)),
    ],
)
def test_author_rollups_give_the_direct_counts(
    filled: Store,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    group: str,
    sel: Selection | None,
) -> None:
    """The census read from the author rollups equals the census counted from the posts
    (the path every other selection takes), for each group and kind filter."""
    from radsocial.analytics import census as mod

    kinds = [None, "vendor_industry", "unknown"] if group == "stakeholders" else [None]
    rolled = [census(filled, sel, group=group, kind=k, registry=registry).to_json() for k in kinds]
    assert mod._rollup_years(filled.engine.connect(), sel or Selection(), "year") is not None
    monkeypatch.setattr(mod, "_rollup_years", lambda *a, **k: None)
    direct = [census(filled, sel, group=group, kind=k, registry=registry).to_json() for k in kinds]
    assert rolled == direct


def test_author_rollup_tables_match_the_posts(filled: Store) -> None:
    """rollup_author(_year) hold exactly what grouping the posts gives, after the
    incremental refresh of a second batch and after a rebuild."""
    from radsocial.store import rollups
    from radsocial.store.schema import rollup_author, rollup_author_year

    def direct(conn: sa.Connection, by_year: bool) -> list[tuple[object, ...]]:
        c = posts.c
        aid, handle = rollups.author_columns()
        keys = [c.platform, aid, handle]
        if by_year:
            keys.append(rollups.year_of(conn, c.created_at))
        q = sa.select(
            *keys, sa.func.count(), sa.func.min(c.created_at), sa.func.max(c.created_at)
        ).group_by(*keys)
        return sorted(tuple(r) for r in conn.execute(q))

    def stored(conn: sa.Connection, table: sa.Table) -> list[tuple[object, ...]]:
        t = table.c
        keys = [t.platform, t.author_id, t.handle] + ([t.year] if "year" in t else [])
        q = sa.select(*keys, t.posts, t.first_at, t.last_at)
        return sorted(tuple(r) for r in conn.execute(q))

    def check() -> None:
        with filled.engine.connect() as conn:
            assert stored(conn, rollup_author) == direct(conn, False)
            assert stored(conn, rollup_author_year) == direct(conn, True)

    rollups.refresh(filled)
    check()
    more = Post(
        platform="x",
        platform_id="999",
        created_at=at(2023, 5, 1),
        text="later",
        author_id="A1",
        author_handle="AcmeImg",
    )
    filled.write_batch([(RawRecord("test", b"{999}", "more"), [more])])
    rollups.refresh(filled)
    check()
    rollups.rebuild(filled)
    check()
