"""Index new posts for full-text search from the store, not from an INSERT trigger.

SQLite runs a trigger program per inserted row, which made FTS indexing the slowest part
of an import (≈12k rows/s); one `INSERT INTO posts_fts … SELECT` per batch runs ≈5×
faster. The delete and update triggers stay: they only fire on the rare paths
(renormalize, deletion), where per-row work is fine.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS posts_fts_ai")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN "
            "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END"
        )
