"""Rollups for fast analytics; the author's followers on each post; web users, API
tokens, alert rules and their log, settings.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
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
    op.add_column("posts", sa.Column("author_followers", sa.BigInteger()))
    # Existing posts take their author's latest known follower count.
    op.execute(
        "UPDATE posts SET author_followers = (SELECT a.followers FROM accounts a "
        "WHERE a.platform = posts.platform AND a.account_id = COALESCE(posts.author_id, "
        "'@' || lower(posts.author_handle)))"
    )
    op.create_table(
        "rollup_hour",
        sa.Column("tag", sa.String(280), primary_key=True),
        sa.Column("hour", sa.BigInteger(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        *(sa.Column(m, sa.BigInteger(), nullable=False) for m in _MEASURES),
    )
    op.create_table(
        "rollup_key_day",
        sa.Column("dim", sa.String(8), primary_key=True),
        sa.Column("tag", sa.String(280), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("posts", sa.BigInteger(), nullable=False),
        sa.Column("reposts", sa.BigInteger(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "rollup_state",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("last_post_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked_post_id", sa.BigInteger()),
    )
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "rule_id",
            sa.Integer(),
            sa.ForeignKey("alert_rules.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON()),
        sa.Column("deliveries", sa.JSON()),
    )
    op.create_index("ix_alert_events_rule", "alert_events", ["rule_id", "fired_at"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_index("ix_alert_events_rule", "alert_events")
    op.drop_table("alert_events")
    op.drop_table("alert_rules")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("rollup_state")
    op.drop_table("rollup_key_day")
    op.drop_table("rollup_hour")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("author_followers")
