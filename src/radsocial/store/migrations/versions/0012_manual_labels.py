"""A partial index of the hand-coded post labels: (task, coder, post id) where method is
'manual'.

The labelling page counts each coder's coded posts and compares two coders; the
effective-label queries (`queries.label_counts`, the stakeholder and sentiment reads
that let a manual label override the classifier) ask which posts carry a manual label.
The only index leading with the task is (task, value, post_id), so each of them read
every label of the task and its row for the method: 0.8 s for the labelling page's
progress at 1M posts (measured; 2 ms with this index), at every load after a label
changed. Machine labels — nearly all rows — stay out of it; classify pays its predicate
on each label it writes: ~5 % (100k posts, alternating runs: 10.2–11.1 → 10.9–11.4 s).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = sa.text("method = 'manual'")
    op.create_index(
        "ix_post_labels_manual",
        "post_labels",
        ["task", "coder", "post_id"],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade() -> None:
    op.drop_index("ix_post_labels_manual", table_name="post_labels")
