"""Opening a store: URL resolution, engine settings per backend, migrations.

SQLite is the default (one file, WAL so readers are served during an import);
PostgreSQL is used when the URL says `postgresql://`. Everything that differs between
the two backends is kept here and in `dialect.py`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from platformdirs import user_data_dir
from sqlalchemy import event
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(RuntimeError):
    """A store that cannot be opened or used; the message says what to do."""


def default_db_path() -> Path:
    """The default SQLite file: in the user's data folder, e.g. ~/.local/share/radsocial."""
    return Path(user_data_dir("radsocial", appauthor=False)) / "radsocial.db"


def resolve_url(db: str | os.PathLike[str] | None = None) -> str:
    """Turn `--db` / RADSOCIAL_DB / the default into a SQLAlchemy URL.

    A plain path means a SQLite file; `postgresql://…` selects PostgreSQL (driven by
    psycopg 3). The environment is read here, once, not in deep code.
    """
    value = str(db) if db else os.environ.get("RADSOCIAL_DB") or str(default_db_path())
    if value.startswith(("postgresql://", "postgres://")):
        rest = value.split("://", 1)[1]
        return "postgresql+psycopg://" + rest
    if value.startswith(("postgresql+", "sqlite:")):
        return value
    path = Path(value).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" event below issues BEGIN
    # itself, so a write transaction can take the write lock up front (IMMEDIATE) and
    # id allocation (max(id)+1) cannot race another writer.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed data
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB page cache
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def _sqlite_on_begin(conn: sa.Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str) -> Engine:
    """Create the engine with the backend's settings (orjson for JSON columns: faster)."""
    json = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **json)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if url.startswith("postgresql"):
        return sa.create_engine(url, pool_pre_ping=True, **json)
    raise StoreError(f"unsupported database URL {url!r}: give a file path or postgresql://…")


def _alembic_config(conn: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent; a no-op when already there)."""
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)
