"""Key rollups per calendar year (filled from the day rollups).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_key_year",
        sa.Column("dim", sa.String(8), primary_key=True),
        sa.Column("tag", sa.String(280), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("reposts", sa.BigInteger(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
    )
    # day numbers are days since 1970-01-01 (UTC); their calendar year, per backend
    if op.get_bind().dialect.name == "postgresql":
        year = "CAST(extract(year FROM DATE '1970-01-01' + day) AS INTEGER)"
    else:
        year = "CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER)"
    op.execute(
        "INSERT INTO rollup_key_year (dim, tag, year, platform, key, posts, reposts, impressions) "
        f"SELECT dim, tag, {year}, platform, key, sum(posts), sum(reposts), sum(impressions) "
        f"FROM rollup_key_day GROUP BY dim, tag, {year}, platform, key"
    )


def downgrade() -> None:
    op.drop_table("rollup_key_year")
