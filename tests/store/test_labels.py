"""Classifying the store: incremental runs, version changes, manual labels winning."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from radsocial.analysis.pipeline import Pipeline
from radsocial.ingest import import_paths
from radsocial.store import Store
from radsocial.store.labels import classify_store, import_manual, label_counts
from tests.helpers import FIXTURES

UCI = FIXTURES / "uci"


def _uci_file() -> Path:
    return UCI / "bbchealth.txt"


def test_classify_is_incremental_and_versioned(store: Store) -> None:
    import_paths(store, [str(_uci_file())])
    n_posts = store.stats()["posts"]
    pipe = Pipeline()
    first = classify_store(store, pipe)
    assert first["posts"] == n_posts and first["post_labels"] > n_posts
    again = classify_store(store, pipe)
    assert again["posts"] == 0  # nothing new
    counts = label_counts(store, "relevance")
    assert sum(counts.values()) == n_posts
    # A new classifier version means everything is classified again.
    pipe.relevance.version = pipe.relevance.version + "-next"  # type: ignore[misc]
    redo = classify_store(store, pipe)
    assert redo["posts"] == n_posts
    assert sum(label_counts(store, "relevance").values()) == n_posts


def test_manual_label_wins(store: Store, tmp_path: Path) -> None:
    import_paths(store, [str(_uci_file())])
    classify_store(store, Pipeline())
    _, post = next(iter(store.iter_posts()))
    with store.engine.connect() as conn:
        machine = conn.execute(
            sa.text(
                "select value from post_labels l join posts p on p.id = l.post_id "
                "where p.platform_id = :i and task = 'relevance'"
            ),
            {"i": post.platform_id},
        ).scalar_one()
    flipped = "not_relevant" if machine == "relevant" else "relevant"
    from radsocial.analysis.base import Label

    lb = Label(
        "relevance", flipped, 1.0, ("coded by anna",), "manual", "manual:anna", "manual", post.key
    )
    stored, missing = import_manual(store, [lb])
    assert (stored, missing) == (1, 0)
    before = label_counts(store, "relevance")
    assert before.get(flipped, 0) >= 1
    # Classifying again (even after a version change) keeps the manual label.
    pipe = Pipeline()
    pipe.relevance.version += "-next"
    classify_store(store, pipe)
    assert label_counts(store, "relevance") == before


def test_cli_classify_and_label_export(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from radsocial.cli import main

    db = str(tmp_path / "c.db")
    r = CliRunner().invoke(main, ["import", str(_uci_file()), "--db", db])
    assert r.exit_code == 0
    r = CliRunner().invoke(main, ["classify", "--db", db])
    assert r.exit_code == 0, r.output
    assert "Classified" in r.stderr
    out = tmp_path / "sample.csv"
    r = CliRunner().invoke(main, ["label", "export", "-o", str(out), "-n", "20", "--db", db])
    assert r.exit_code == 0, r.output
    with open(out, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 20


def test_worker_processes_store_the_same_labels(tmp_path: Path) -> None:
    """Forked workers (and the reuse of identical texts) change nothing in the rows."""
    dumps = []
    for workers in (0, 2):
        store = Store.open(tmp_path / f"w{workers}.db")
        import_paths(store, [str(_uci_file())])
        counts = classify_store(store, Pipeline(), workers=workers, chunk=20)
        with store.engine.connect() as conn:
            dumps.append(
                conn.execute(
                    sa.text(
                        "select post_id, task, value, method, coder, score, reasons, version, "
                        "classifier from post_labels order by post_id, task, value"
                    )
                ).all()
            )
        assert counts["posts"] == store.stats()["posts"]
        store.close()
    assert dumps[0] == dumps[1] and len(dumps[0]) > 400
