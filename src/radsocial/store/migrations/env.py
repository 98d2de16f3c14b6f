"""Alembic environment: radsocial runs migrations programmatically (see migrate.py).

The caller passes an open SQLAlchemy connection in `config.attributes["connection"]`,
so migrations run inside radsocial's own engine (with its SQLite pragmas) and no
alembic.ini is needed by users.
"""

from __future__ import annotations

from alembic import context

from radsocial.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER most things
)
with context.begin_transaction():
    context.run_migrations()
