"""The partial index of hand-coded post labels (migration 0012): on both backends it
holds the manual labels and nothing else, and on SQLite the labelling page's queries
read it instead of every label of the task."""

from __future__ import annotations

import sqlalchemy as sa

from radsocial.store import Store
from radsocial.store.schema import post_labels
from radsocial.web import coding
from radsocial.web.coding import save_codes
from tests.analytics.test_census import fill
from tests.analytics.test_census_labels import post_of


def test_progress_and_agreement_read_the_manual_labels_index(store: Store) -> None:
    fill(store)
    a, b = post_of(store, "x", "4"), post_of(store, "x", "5")
    for pid in (a, b):
        save_codes(store, pid, "ann", {"relevance": ["relevant"], "sentiment": ["positive"]})
    save_codes(store, a, "bob", {"relevance": ["not_relevant"], "sentiment": ["positive"]})
    prog = {p["coder"]: p["posts"] for p in coding.progress(store)}
    assert prog == {"ann": 2, "bob": 1}
    assert coding.agreement(store, "ann", "bob")["posts_coded_by_both"] == 1

    with store.engine.connect() as conn:
        if store.backend == "sqlite":
            indexed = conn.exec_driver_sql(
                "SELECT count(*) FROM post_labels INDEXED BY ix_post_labels_manual "
                "WHERE task = 'relevance' AND method = 'manual'"
            ).scalar()
            q = (
                sa.select(post_labels.c.coder, sa.func.count())
                .where(post_labels.c.task == "relevance", post_labels.c.method == "manual")
                .group_by(post_labels.c.coder)
            )
            sql = str(q.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "ix_post_labels_manual" in plan, plan
        else:
            (definition,) = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_post_labels_manual'")
            ).one()
            assert "WHERE" in definition and "'manual'" in definition, definition
            indexed = conn.execute(
                sa.text(
                    "SELECT count(*) FROM post_labels WHERE task = 'relevance' "
                    "AND method = 'manual'"
                )
            ).scalar()
    assert indexed == 3  # ann twice, bob once: the relevance codes
