"""Key rollups per UTC year and post kind (`rollup_key_kind_year`), for the dims
"author" and "hashtag".

The explorer's top accounts and top (co-)hashtags of a selection by kind — "originals
of #radiology on X" — had no rollup to read: the key rollups are kind-blind, so each
counted the tag's posts (253,000 at 1M posts, 0.3 s each, measured). This table holds
`rollup_key_year`'s counts split by kind for those two dims; mentions and domains by
kind keep reading the posts (no page asks for them often enough to pay the rows).

The table starts empty; `rollups.refresh` fills it from its own watermark ("key_kinds"
in rollup_state), as 0008 does for the author rollups, so an existing store is counted
by its next refresh (the next import, or the first report that needs the rollups)
without the import being repeated, and by the same counting code as new posts — the
upgrade itself stays instant. On SQLite the table is WITHOUT ROWID: its rows are small
and all key, so a rowid table would store them twice (in the table and in its primary
key's index: 152 MB at 1M posts, against 78 MB).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_key_kind_year",
        sa.Column("dim", sa.String(8), primary_key=True),
        sa.Column("tag", sa.String(280), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("reposts", sa.BigInteger(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
        # SQLite: the rows in the primary key's b-tree, not beside it (half the size)
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("rollup_key_kind_year")
    op.execute("DELETE FROM rollup_state WHERE name = 'key_kinds'")
