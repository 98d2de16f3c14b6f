"""Labels for posts and accounts, and each classifier's progress.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _label_columns(owner: str, target: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(
            owner, sa.BigInteger(), sa.ForeignKey(target, ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("task", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(80), primary_key=True),
        sa.Column("method", sa.String(10), primary_key=True),
        sa.Column("coder", sa.String(80), primary_key=True),
        sa.Column("score", sa.Float()),
        sa.Column("reasons", sa.JSON()),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("classifier", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table("post_labels", *_label_columns("post_id", "posts.id"))
    op.create_index("ix_post_labels_task_value", "post_labels", ["task", "value", "post_id"])
    op.create_table("account_labels", *_label_columns("account_pk", "accounts.id"))
    op.create_index(
        "ix_account_labels_task_value", "account_labels", ["task", "value", "account_pk"]
    )
    op.create_table(
        "classifier_state",
        sa.Column("target", sa.String(10), primary_key=True),
        sa.Column("classifier", sa.String(40), primary_key=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("classifier_state")
    op.drop_index("ix_account_labels_task_value", "account_labels")
    op.drop_table("account_labels")
    op.drop_index("ix_post_labels_task_value", "post_labels")
    op.drop_table("post_labels")
