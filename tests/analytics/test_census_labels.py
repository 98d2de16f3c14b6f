"""The stakeholder census stays right when labels change without posts changing.

The census reads labels the database keeps (`accounts.stakeholder`,
`rollup_author(_year).stakeholder`, kept by triggers on `account_labels`) and the
label-keyed `census_stakeholder`, regrouped when they change (migration 0009). Each step below changes labels the way the tool
does — classify, re-classify after a version change, hand coding in the web app, an
account removed — and checks, on SQLite and PostgreSQL, that the derived labels equal
the effective labels computed here from `account_labels`, and that the census equals
both a count made here from the posts and the census counted from the posts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import sqlalchemy as sa

from radsocial.analytics import census as census_mod
from radsocial.analytics.census import census
from radsocial.models import Account, Post, RawRecord
from radsocial.store import Selection, Store, rollups
from radsocial.store.engine import downgrade, migrate
from radsocial.store.label_batches import storage_time, write_label_rows
from radsocial.store.labels import start_point
from radsocial.store.schema import (
    account_labels,
    accounts,
    posts,
    rollup_author,
    rollup_author_year,
)
from radsocial.web.coding import save_codes
from tests.analytics.test_census import at, fill

WHOLE_YEARS = Selection(since=at(2020, 1, 1, 0), until=at(2023, 1, 1, 0))
ONE_YEAR = Selection(since=at(2020, 1, 1, 0), until=at(2021, 1, 1, 0), platforms=("x",))


def effective(conn: sa.Connection) -> dict[tuple[str, str], str]:
    """{(platform, account id): label}: a manual label wins, then the smallest value."""
    q = (
        sa.select(accounts.c.platform, accounts.c.account_id, account_labels.c.value)
        .join(account_labels, account_labels.c.account_pk == accounts.c.id)
        .where(account_labels.c.task == "stakeholder")
    )
    manual: dict[tuple[str, str], str] = {}
    other: dict[tuple[str, str], str] = {}
    for p, a, v in conn.execute(q.where(account_labels.c.method == "manual")):
        manual[(p, a)] = min(v, manual.get((p, a), v))
    for p, a, v in conn.execute(q.where(account_labels.c.method != "manual")):
        other[(p, a)] = min(v, other.get((p, a), v))
    return other | manual


def who(platform: str, author_id: str | None, handle: str | None) -> str | None:
    if author_id:
        return author_id
    return "@" + handle.lower() if handle else None


def by_hand(conn: sa.Connection, labels: dict[tuple[str, str], str]) -> dict[Any, Any]:
    """{(label, platform): (posts, active accounts)} counted from the posts."""
    n: dict[tuple[str, str], int] = defaultdict(int)
    authors: dict[tuple[str, str], set[str]] = defaultdict(set)
    q = sa.select(posts.c.platform, posts.c.author_id, posts.c.author_handle)
    for p, aid, handle in conn.execute(q):
        w = who(p, aid, handle)
        key = (labels.get((p, w), "unknown") if w else "unknown", p)
        n[key] += 1
        if w:
            authors[key].add(w)
    return {k: (v, len(authors[k])) for k, v in n.items()}


def check(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    rollups.refresh(store)
    with store.engine.connect() as conn:
        labels = effective(conn)
        kept = {
            (p, a): v
            for p, a, v in conn.execute(
                sa.select(accounts.c.platform, accounts.c.account_id, accounts.c.stakeholder)
            )
        }
        assert kept == {k: labels.get(k, "unknown") for k in kept}
        for table in (rollup_author, rollup_author_year):
            t = table.c
            for p, aid, handle, value in conn.execute(
                sa.select(t.platform, t.author_id, t.handle, t.stakeholder)
            ):
                w = who(p, aid, handle)
                assert value == (labels.get((p, w), "unknown") if w else "unknown"), (p, aid)
        expected = by_hand(conn, labels)
    rows = census(store, None, group="stakeholders").table("by_stakeholder").rows
    assert {(r[0], r[2]): (r[5], r[4]) for r in rows if r[5]} == expected
    kinds = [None, "vendor_industry", "unknown", "radiologist"]
    sels = [None, WHOLE_YEARS, ONE_YEAR, Selection(platforms=("x",))]

    def runs() -> list[Any]:
        return [
            census(store, s, group="stakeholders", kind=k).to_json() for s in sels for k in kinds
        ]

    rolled = runs()
    with monkeypatch.context() as m:
        m.setattr(census_mod, "_rollup_years", lambda *a, **k: None)
        assert runs() == rolled


def machine_labels(store: Store, values: dict[tuple[str, str], str], version: str) -> None:
    """Write classifier labels the way `radsocial classify` does (one bulk write)."""
    with store.writer() as conn, conn.begin():
        pks = dict(
            ((p, a), pk)
            for pk, p, a in conn.execute(
                sa.select(accounts.c.id, accounts.c.platform, accounts.c.account_id)
            )
        )
        when = storage_time(store.backend, at(2024, 1, 1))
        rows = [
            (pks[key], "stakeholder", v, "rule", "", 0.9, "[]", version, "stakeholder", when)
            for key, v in values.items()
        ]
        write_label_rows(conn, account_labels, "account_pk", rows)


def post_of(store: Store, platform: str, platform_id: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(posts.c.id).where(
                    posts.c.platform == platform, posts.c.platform_id == platform_id
                )
            ).scalar_one()
        )


def test_census_follows_every_label_change(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store)  # labels written straight into account_labels
    check(store, monkeypatch)

    # classify: the unlabelled authors get machine labels
    machine_labels(
        store,
        {("x", "N1"): "patient_advocate", ("bluesky", "did:plc:bob"): "other_individual"},
        "1.0",
    )
    check(store, monkeypatch)

    # re-classify after a version change: machine labels dropped, then written anew
    with store.writer() as conn, conn.begin():
        start_point(conn, "accounts", {"stakeholder": "2.0"})
    check(store, monkeypatch)  # only the manual labels are left
    machine_labels(
        store,
        {
            ("x", "D1"): "researcher_academic",
            ("x", "N1"): "radiologist",
            ("x", "B1"): "vendor_industry",
        },
        "2.0",
    )
    check(store, monkeypatch)

    # hand coding in the web app overrides the classifier; a second coder's smaller
    # value wins between them; withdrawing the codes gives the classifier's back
    pid = post_of(store, "x", "4")  # by D1
    save_codes(store, pid, "ann", {"relevance": ["relevant"], "stakeholder": ["radiologist"]})
    check(store, monkeypatch)
    save_codes(
        store, pid, "bob", {"relevance": ["relevant"], "stakeholder": ["hospital_health_system"]}
    )
    check(store, monkeypatch)
    save_codes(store, pid, "ann", {"relevance": ["relevant"], "stakeholder": []})
    save_codes(store, pid, "bob", {"relevance": ["relevant"], "stakeholder": []})
    check(store, monkeypatch)

    # new posts after the labels: by a labelled account, and by a handle-only author
    # whose account ('@handle') is described and labelled later
    new = [
        Post(
            platform="x",
            platform_id="20",
            created_at=at(2022, 2, 1),
            text="more",
            author_id="D1",
            author_handle="drrad",
        ),
        Post(
            platform="x",
            platform_id="21",
            created_at=at(2022, 2, 2),
            text="hi",
            author_handle="HandleOnly",
        ),
    ]
    store.write_batch([(RawRecord("test", b"new", "more"), new)])
    check(store, monkeypatch)
    store.write_batch(
        [], accounts=[Account("x", "@handleonly", handle="HandleOnly", observed_at=at(2022, 2, 3))]
    )
    machine_labels(store, {("x", "@handleonly"): "patient_advocate"}, "2.0")
    check(store, monkeypatch)

    # an account removed: its labels go with it (foreign-key cascade), so do the
    # derived ones
    with store.writer() as conn, conn.begin():
        conn.execute(accounts.delete().where(accounts.c.account_id == "J1"))
    check(store, monkeypatch)


def test_migration_fills_the_labels_of_an_existing_store(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store made before 0009 (labels and author rollups already there) gets its
    derived labels from the upgrade itself."""
    fill(store)
    rollups.refresh(store)
    downgrade(store.engine, "0008")
    with store.engine.connect() as conn:
        assert "census_stakeholder" not in sa.inspect(conn).get_table_names()
    migrate(store.engine)
    with store.engine.connect() as conn:
        labelled = sa.select(sa.func.count()).where(accounts.c.stakeholder != "unknown")
        assert conn.execute(labelled).scalar() == 8
    check(store, monkeypatch)


def test_medians_asked_in_several_unions_are_the_same(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from radsocial.analytics import census_stakeholders

    fill(store)
    once = census(store, None, group="stakeholders").to_json()
    monkeypatch.setattr(census_stakeholders, "_UNION_MAX", 1)
    assert census(store, None, group="stakeholders").to_json() == once
