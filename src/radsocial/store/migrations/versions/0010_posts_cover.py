"""SQLite: a covering index of the post columns the analyses read, keyed by post id.

`posts.id` is not SQLite's rowid (a BIGINT primary key makes a separate unique index),
so a query driven by a list of post ids — the posts of a hashtag, a full-text match —
found each post by two b-tree searches and then read the whole wide row (text,
entities, extras) for a few small columns. `ix_posts_cover` holds those columns in id
order: one probe a post, from pages that hold a hundred posts each. The queries reach it
through `radsocial.store.queries.COVER_HINT`. At 1M posts it takes 95 MB and builds in
2 s; an import appends to it in id order.

PostgreSQL keeps its posts in a heap that every index points into, plans from
statistics, and gets no such index: its schema is unchanged.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: id first (the lookup), platform second (what COVER_HINT constrains), then the rest.
COLUMNS = (
    "id",
    "platform",
    "created_at",
    "kind",
    "lang",
    "author_followers",
    "author_handle",
    "author_id",
    "n_links",
    "n_media",
    "n_mentions",
    "views",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_posts_cover ON posts ({', '.join(COLUMNS)})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_posts_cover")
