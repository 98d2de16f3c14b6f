"""SQLite's covering indexes for regrouping the label-keyed census (migration 0011):
`census_rollup.settle` reads them in group order (no temporary b-tree for the GROUP BY),
and the table it writes is the one the same grouping gives without them."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from radsocial.analytics.census import _on_platform
from radsocial.store import Store, rollups
from radsocial.store.census_rollup import _grouped, mark_dirty, settle
from radsocial.store.engine import downgrade, migrate
from radsocial.store.schema import census_stakeholder, rollup_author, rollup_author_year
from radsocial.web.coding import save_codes
from tests.analytics.test_census import fill
from tests.analytics.test_census_labels import post_of

NAMES = {
    "rollup_author": "ix_rollup_author_census",
    "rollup_author_year": "ix_rollup_author_year_census",
}


def regrouped(store: Store) -> list[tuple[object, ...]]:
    with store.writer() as conn, conn.begin():
        mark_dirty(conn)
        settle(conn)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(census_stakeholder)).all()
    return sorted(tuple(r) for r in rows)


def columns(store: Store, name: str) -> list[str]:
    with store.engine.connect() as conn:
        return [r[2] for r in conn.exec_driver_sql(f"PRAGMA index_info({name})")]


def test_the_regrouping_streams_the_indexes_in_group_order(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "census.db")
    try:
        fill(store)
        rollups.refresh(store)  # the author rollups the census is grouped from
        with store.engine.connect() as conn:
            for table in (rollup_author, rollup_author_year):
                sql = str(_grouped(table).compile(conn, compile_kwargs={"literal_binds": True}))
                plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
                assert f"COVERING INDEX {NAMES[table.name]}" in plan, plan
                assert "TEMP B-TREE FOR GROUP BY" not in plan, plan
        # the group key leads, the label first (see the next test)
        assert columns(store, NAMES["rollup_author"])[:2] == ["stakeholder", "platform"]
        assert columns(store, NAMES["rollup_author_year"])[:3] == [
            "stakeholder",
            "platform",
            "year",
        ]
    finally:
        store.close()


def test_lookups_by_platform_and_handle_keep_their_own_indexes(tmp_path: Path) -> None:
    """The registry census by year asks `platform = ? AND (handle IN … OR author_id IN
    …)`: each branch from its own index, not the census index (covering, it would be
    read for `platform = ?` alone, as a scan of the platform)."""
    store = Store.open(tmp_path / "census.db")
    try:
        r = rollup_author_year.c
        q = sa.select(r.posts, r.first_at).where(
            _on_platform(r.platform, "x", r.handle.in_(["a", "b"]), r.author_id.in_(["1"]))
        )
        with store.engine.connect() as conn:
            sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        assert "ix_rollup_author_year_census" not in plan, plan
        assert "ix_rollup_author_year_handle" in plan, plan
    finally:
        store.close()


def test_same_census_table_with_and_without_the_indexes(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "census.db")
    try:
        fill(store)
        rollups.refresh(store)  # the author rollups the census is grouped from
        # a hand-coded label moves an author between groups
        pid = post_of(store, "x", "4")
        save_codes(store, pid, "ann", {"relevance": ["relevant"], "stakeholder": ["radiologist"]})
        with_indexes = regrouped(store)
        assert with_indexes  # the corpus has labelled authors on several platforms
        downgrade(store.engine, "0010")
        assert all(columns(store, n) == [] for n in NAMES.values())
        assert regrouped(store) == with_indexes
        migrate(store.engine)
        assert all(columns(store, n) for n in NAMES.values())
        assert regrouped(store) == with_indexes
    finally:
        store.close()
