"""Fast bulk inserts: the import hot path, below SQLAlchemy's per-row parameter handling.

SQLAlchemy's executemany builds a parameter dict per row and runs its type processors
in Python, which costs more than SQLite's own insert. For the few tables an import
fills in bulk, rows are written here as tuples: `executemany` with `?` placeholders on
SQLite, `COPY … FROM STDIN` on PostgreSQL (several times faster than INSERT). Values
are converted exactly as SQLAlchemy stores them, so everything else (queries, the ORM-
free readers) sees the same data:

- DateTime on SQLite: "YYYY-MM-DD HH:MM:SS.ffffff" of the UTC time (SQLAlchemy's format);
- Date on SQLite: ISO "YYYY-MM-DD";
- JSON: serialized with orjson (NULL for None).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson
import sqlalchemy as sa


def _sqlite_datetime(v: datetime | None) -> str | None:
    if v is None:
        return None
    if v.tzinfo is not None and v.tzinfo is not UTC:
        v = v.astimezone(UTC)
    # isoformat is C code; strftime-style formatting costs ~5x more per value.
    return v.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date(v: date | None) -> str | None:
    return None if v is None else v.isoformat()


def _json(v: Any) -> str | None:
    if v is None:
        return None
    return orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS).decode()


def storage_form(backend: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The (datetime, JSON) converters `insert_rows` applies on `backend`, for callers
    that build rows already in storage form (and pass `prepared=True`)."""
    if backend == "sqlite":
        return _sqlite_datetime, _json
    return _same, _json


def _same(v: Any) -> Any:
    return v


def _converters(
    table: sa.Table, cols: Sequence[str], backend: str
) -> list[Callable[[Any], Any] | None]:
    out: list[Callable[[Any], Any] | None] = []
    for name in cols:
        t = table.c[name].type
        if isinstance(t, sa.JSON):
            out.append(_json)
        elif backend == "sqlite" and isinstance(t, sa.DateTime):
            out.append(_sqlite_datetime)
        elif backend == "sqlite" and isinstance(t, sa.Date):
            out.append(_sqlite_date)
        else:
            out.append(None)
    return out


_cache: dict[tuple[str, str, tuple[str, ...]], list[Callable[[Any], Any] | None]] = {}


def insert_dicts(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    skip_existing: bool = False,
) -> None:
    """Insert rows given as dicts that all have the same keys in the same order."""
    if rows:
        insert_rows(
            conn,
            table,
            list(rows[0]),
            [list(r.values()) for r in rows],
            skip_existing=skip_existing,
        )


def insert_rows(
    conn: sa.Connection,
    table: sa.Table,
    cols: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_existing: bool = False,
    prepared: bool = False,
) -> None:
    """Insert `rows` (sequences in `cols` order) into `table` in the current transaction.

    With `skip_existing`, rows whose key is already there are left out (no COPY then on
    PostgreSQL: COPY cannot skip conflicts, so it is an executemany INSERT … ON CONFLICT).
    With `prepared`, the values are already in storage form (see `storage_form`) and
    are written as given: the hot path converts while it builds its tuples, once.
    """
    if not rows:
        return
    backend = conn.dialect.name
    key = (backend, table.name, tuple(cols))
    conv = _cache.get(key)
    if conv is None:
        conv = _cache[key] = _converters(table, cols, backend)
    idx = [] if prepared else [(i, f) for i, f in enumerate(conv) if f is not None]
    if idx:
        converted = []
        for row in rows:
            r = list(row)
            for i, f in idx:
                r[i] = f(r[i])
            converted.append(r)
        rows = converted
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    collist = ", ".join(cols)
    if backend == "postgresql":
        with dbapi.cursor() as cur:
            if skip_existing:
                marks = ", ".join(["%s"] * len(cols))
                cur.executemany(
                    f"INSERT INTO {table.name} ({collist}) VALUES ({marks}) ON CONFLICT DO NOTHING",
                    rows,
                )
                return
            with cur.copy(f"COPY {table.name} ({collist}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        return
    marks = ", ".join("?" * len(cols))
    verb = "INSERT OR IGNORE" if skip_existing else "INSERT"
    cur = dbapi.cursor()
    try:
        cur.executemany(f"{verb} INTO {table.name} ({collist}) VALUES ({marks})", rows)
    finally:
        cur.close()
