"""The label-keyed census table: the author rollups grouped by stakeholder label.

`census_stakeholder` holds, per (platform, stakeholder label, UTC year; year 0 = every
year), the posts, the distinct authors and the first and last post time — a few hundred
rows the stakeholder census reads instead of grouping 67,000 author and 316,000
author-year rows (0.5 s on SQLite at 1M posts, measured) at every request.

It is derived from the author rollups and their `stakeholder` column, which change
when posts are counted (`rollups.refresh`) and when labels change (the triggers of
migration 0009). Each such change leaves a row in `census_dirty`; `settle` regroups the
whole table from the rollups and removes the rows it saw, so that a change committed
while it ran leaves its row for the next reader. A whole regrouping rather than a
patch of the groups a change touched: first and last post are minima and maxima, which
a label moving away from a group cannot take back. On SQLite the regrouping reads the
covering indexes of migration 0011 in group order: 0.25 s at 1M posts (1.6–1.75 s
when it sorted every rollup row, measured) — paid by the first census after a
hand-coded label; an import or a classify run regroups at its end.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from radsocial.store.schema import (
    census_dirty,
    census_stakeholder,
    rollup_author,
    rollup_author_year,
)

__all__ = ["author_account", "ensure_current", "mark_dirty", "settle"]

#: census_stakeholder.year of the rows that cover every year
ALL_YEARS = 0


def author_account(platform: Any, author_id: Any, handle: Any) -> sa.ColumnElement[Any]:
    """The account id an author rollup row belongs to, as the census matches authors to
    accounts: its author id, else '@' + its handle (handle-only sources' account id),
    NULL when it has neither. The triggers of migration 0009 match the same way."""
    return sa.case(
        (author_id != "", author_id), (handle != "", sa.literal("@") + handle), else_=None
    )


def mark_dirty(conn: sa.Connection) -> None:
    """Note, in the caller's transaction, that census_stakeholder must be regrouped."""
    if conn.dialect.name == "postgresql":
        ins: Any = postgresql.insert(census_dirty).values(txid=sa.func.txid_current())
        conn.execute(ins.on_conflict_do_nothing())
    else:
        conn.execute(census_dirty.insert().prefix_with("OR IGNORE").values(txid=0))


def is_current(conn: sa.Connection) -> bool:
    """True when no change waits to be grouped into census_stakeholder."""
    return conn.execute(sa.select(census_dirty.c.txid).limit(1)).first() is None


def _grouped(table: sa.Table) -> sa.Select[Any]:
    """`table`'s rows grouped by (platform, label[, year]) as census_stakeholder keeps
    them; an author with rows under several handles counts once."""
    t = table.c
    by_year = "year" in t
    year = t.year if by_year else sa.literal(ALL_YEARS)
    who = author_account(t.platform, t.author_id, t.handle)
    return sa.select(
        t.platform,
        t.stakeholder,
        year.label("year"),
        sa.func.sum(t.posts).label("posts"),
        sa.func.count(sa.distinct(who)).label("authors"),
        sa.func.min(t.first_at).label("first_at"),
        sa.func.max(t.last_at).label("last_at"),
    ).group_by(t.platform, t.stakeholder, *([t.year] if by_year else []))


def settle(conn: sa.Connection) -> None:
    """Regroup census_stakeholder from the author rollups if a change asks for it (in
    the caller's write transaction)."""
    if conn.dialect.name == "postgresql":
        # one regrouping at a time: two would insert the same keys
        conn.exec_driver_sql("LOCK TABLE census_stakeholder IN EXCLUSIVE MODE")
    seen = [r[0] for r in conn.execute(sa.select(census_dirty.c.txid))]
    if not seen:
        return
    conn.execute(census_stakeholder.delete())
    for table in (rollup_author, rollup_author_year):
        select = _grouped(table)
        names = [c.key for c in select.selected_columns]
        conn.execute(census_stakeholder.insert().from_select(names, select))
    conn.execute(census_dirty.delete().where(census_dirty.c.txid.in_(seen)))


def ensure_current(conn: sa.Connection) -> None:
    """Regroup census_stakeholder before a read if a change is waiting (the read
    connection must come from `analytics.connect(store)`, as for `ensure_rollups`)."""
    if is_current(conn):
        return
    store = conn.info.get("radsocial_store")
    if store is None:
        raise RuntimeError("ensure_current needs a connection from analytics.connect(store)")
    conn.rollback()  # end the read snapshot so that the regrouped rows are seen
    with store.writer() as w, w.begin():
        settle(w)
