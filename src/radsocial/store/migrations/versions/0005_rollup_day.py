"""Day rollups (filled from the hour rollups) and an index on lowercase handles.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_MEASURES = (
    "posts",
    "reposts",
    "replies",
    "quotes",
    "with_links",
    "with_media",
    "media",
    "with_mentions",
    "impressions",
    "views",
    "with_views",
)


def upgrade() -> None:
    op.create_table(
        "rollup_day",
        sa.Column("tag", sa.String(280), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        *(sa.Column(m, sa.BigInteger(), nullable=False) for m in _MEASURES),
    )
    sums = ", ".join(f"sum({m})" for m in _MEASURES)
    cols = ", ".join(_MEASURES)
    op.execute(
        f"INSERT INTO rollup_day (tag, day, platform, {cols}) "
        f"SELECT tag, hour / 24, platform, {sums} FROM rollup_hour GROUP BY tag, hour / 24, platform"
    )
    op.create_index("ix_accounts_lower_handle", "accounts", ["platform", sa.text("lower(handle)")])


def downgrade() -> None:
    op.drop_index("ix_accounts_lower_handle", "accounts")
    op.drop_table("rollup_day")
