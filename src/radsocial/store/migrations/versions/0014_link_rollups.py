"""Link rollups: the interaction graph of every post per UTC day (influencers, network).

The influencers section of a month built two interaction graphs (the period and the
one before) from their posts, each joined to reply parents, reposted originals, the
accounts replied to and the mentions: ~0.36 s a request at 1M posts (measured). The
rollups hold per day who links to whom, by which kinds, and each author's posts;
`radsocial.store.link_rollup` describes them and how a day is recounted when a post or
account it depends on arrives later.

The tables start empty; `rollups.refresh` fills them from their own watermark ("links"
in rollup_state), so an existing store is counted by its next refresh (the first
analysis that reads the rollups runs it) without the import being repeated. WITHOUT
ROWID on SQLite: each table is read in key order.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_LEAN = {"sqlite_with_rowid": False}


def upgrade() -> None:
    op.create_table(
        "rollup_link_day",
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("src", sa.Text(), primary_key=True),
        sa.Column("dst", sa.Text(), primary_key=True),
        sa.Column("mask", sa.SmallInteger(), primary_key=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        **_LEAN,
    )
    op.create_table(
        "rollup_poster_day",
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("src", sa.Text(), primary_key=True),
        sa.Column("account", sa.Text(), primary_key=True),
        sa.Column("written", sa.Text(), primary_key=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
        sa.Column("followers", sa.BigInteger()),
        **_LEAN,
    )
    op.create_table(
        "rollup_link_lost",
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(10), primary_key=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        **_LEAN,
    )
    op.create_table(
        "rollup_link_refs",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("ref", sa.Text(), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        **_LEAN,
    )
    op.create_index("ix_rollup_link_refs_day", "rollup_link_refs", ["day"])
    op.create_table(
        "rollup_link_dirty",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("account_id", sa.String(200), primary_key=True),
        **_LEAN,
    )


def downgrade() -> None:
    op.drop_index("ix_rollup_link_refs_day", "rollup_link_refs")
    for name in (
        "rollup_link_dirty",
        "rollup_link_refs",
        "rollup_link_lost",
        "rollup_poster_day",
        "rollup_link_day",
    ):
        op.drop_table(name)
    op.execute("DELETE FROM rollup_state WHERE name = 'links'")
