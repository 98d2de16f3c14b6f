"""The store: raw records, normalized posts, accounts, imports — on SQLite or PostgreSQL.

`Store.open(db)` is the one way in; the URL (or path) picks the backend and the schema
is migrated on open. The methods are thin: SQL lives in `writer.py` and `queries.py`,
backend differences in `dialect.py` and `engine.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from platformdirs import user_data_dir

from radsocial import __version__
from radsocial.models import Account, Post, RawRecord, utc, utcnow
from radsocial.store import engine as _engine
from radsocial.store.engine import StoreError
from radsocial.store.queries import Selection, iter_posts, search, stats
from radsocial.store.schema import imports, raw_records
from radsocial.store.writer import BatchCounts, decompress, write_accounts, write_posts, write_raw

__all__ = ["BatchCounts", "Selection", "Store", "StoreError"]


class Store:
    """A radsocial database. Use `Store.open(...)`; close with `.close()` or `with`."""

    def __init__(self, url: str, engine: sa.Engine) -> None:
        self.url = url
        self.engine = engine
        self.backend = engine.dialect.name  # "sqlite" or "postgresql"

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, db: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Store:
        """Open (and create or migrate) the store at a path or URL.

        `db` falls back to RADSOCIAL_DB, then to the default file in the user's data
        folder. A PostgreSQL server that cannot be reached raises StoreError saying so.
        """
        url = _engine.resolve_url(db)
        eng = _engine.make_engine(url)
        try:
            if migrate and _engine.current_revision(eng) != _engine.head_revision():
                _engine.migrate(eng)
        except sa.exc.OperationalError as exc:
            raise StoreError(
                f"cannot open the database {eng.url.render_as_string(hide_password=True)}: "
                f"{exc.orig}. Check that the server runs and the URL is right "
                "(--db or RADSOCIAL_DB)."
            ) from exc
        return cls(url, eng)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def location(self) -> str:
        """The database for people to read (no password)."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def quarantine_dir(self) -> Path:
        """Where rejected lines go: next to a SQLite file, else in the user's data folder."""
        if self.backend == "sqlite" and self.engine.url.database:
            db = Path(self.engine.url.database)
            return db.with_name(db.name + ".quarantine")
        return Path(user_data_dir("radsocial", appauthor=False)) / "quarantine"

    def writer(self) -> sa.Connection:
        """A connection whose transactions take the write lock up front (SQLite)."""
        return self.engine.connect().execution_options(write=True)

    # ------------------------------------------------------------------ writing
    def write_batch(
        self,
        items: Sequence[tuple[RawRecord, Sequence[Post]]],
        *,
        import_id: int | None = None,
        replace: bool = False,
        accounts: Sequence[Account] = (),
    ) -> BatchCounts:
        """Store raw records with the posts read from each, in one transaction.

        `accounts` are profiles read apart from posts (user lookups); they need an
        `observed_at`.
        """
        with self.writer() as conn, conn.begin():
            return self._write(conn, items, import_id=import_id, replace=replace, accounts=accounts)

    def _write(
        self,
        conn: sa.Connection,
        items: Sequence[tuple[RawRecord, Sequence[Post]]],
        *,
        import_id: int | None,
        replace: bool,
        accounts: Sequence[Account],
    ) -> BatchCounts:
        raw_ids, raw_new = write_raw(conn, [r for r, _ in items], import_id)
        batch: list[tuple[Post, int | None]] = []
        observed: list[Account] = list(accounts)
        for (raw, plist), rid in zip(items, raw_ids, strict=True):
            for p in plist:
                batch.append((p, rid))
                a = p.author
                if a is not None:
                    if a.observed_at is None:
                        a.observed_at = raw.received_at or p.created_at
                    observed.append(a)
        counts = write_posts(conn, batch, replace=replace)
        counts.raw_new = raw_new
        counts.accounts_new = write_accounts(conn, observed)
        return counts

    def analyze(self) -> None:
        """Refresh the planner's statistics (PostgreSQL; SQLite plans well without).

        A table that grew from empty during an import has no statistics until
        autovacuum runs (and it may be off), which leads PostgreSQL to bad plans.
        """
        if self.backend == "postgresql":
            with self.engine.begin() as conn:
                for t in (
                    "posts",
                    "post_hashtags",
                    "post_mentions",
                    "post_links",
                    "accounts",
                    "rollup_key_day",
                    "rollup_key_year",
                    "rollup_key_kind_year",
                    "rollup_day",
                    "rollup_hour",
                    "rollup_author",
                    "rollup_author_year",
                ):
                    conn.exec_driver_sql(f"ANALYZE {t}")

    def start_import(self, paths: Sequence[str], fmt: str | None, options: dict[str, Any]) -> int:
        with self.engine.begin() as conn:
            res = conn.execute(
                imports.insert().values(
                    started_at=utcnow(),
                    status="running",
                    paths=list(paths),
                    format=fmt,
                    options=options or None,
                    files=0,
                    records=0,
                    posts_read=0,
                    new=0,
                    duplicate=0,
                    rejected=0,
                    warnings=0,
                    tool_version=__version__,
                )
            )
            return int(res.inserted_primary_key[0])

    def finish_import(self, import_id: int, status: str, **counts: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                imports.update()
                .where(imports.c.id == import_id)
                .values(finished_at=utcnow(), status=status, **counts)
            )

    def has_synthetic(self) -> bool:
        """Whether any import read records marked synthetic (`radsocial generate`); one
        look at the small imports table."""
        with self.engine.connect() as conn:
            q = sa.select(imports.c.id).where(imports.c.synthetic > 0).limit(1)
            return conn.execute(q).first() is not None

    def imports(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            q = sa.select(imports).order_by(imports.c.id.desc()).limit(limit)
            return [dict(r._mapping) for r in conn.execute(q)]

    # ------------------------------------------------------------------ reading
    def stats(self, sel: Selection | None = None, top: int = 20) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return stats(conn, sel, top)

    def search(self, sel: Selection, limit: int = 50) -> list[Post]:
        with self.engine.connect() as conn:
            return search(conn, sel, limit)

    def iter_posts(
        self, sel: Selection | None = None, *, order: str = "created_at", limit: int | None = None
    ) -> Iterator[tuple[int, Post]]:
        with self.engine.connect() as conn:
            yield from iter_posts(conn, sel, order=order, limit=limit)

    def count_raw(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(raw_records)).scalar_one()
            )

    def iter_raw(self, chunk: int = 500) -> Iterator[RawRecord]:
        """Every stored raw record, decompressed, in the order it was stored."""
        last = 0
        cols = [c for c in raw_records.c if c.name not in ("sha1", "size", "import_id")]
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(*cols)
                    .where(raw_records.c.id > last)
                    .order_by(raw_records.c.id)
                    .limit(chunk)
                ).all()
            if not rows:
                return
            for r in rows:
                yield RawRecord(
                    format=r.format,
                    payload=decompress(r.payload),
                    source=r.source,
                    line=r.line,
                    received_at=utc(r.received_at) if r.received_at else None,
                    tool_version=r.tool_version,
                    meta=r.meta or {},
                )
            last = rows[-1].id


def parse_when(value: str, option: str = "--since") -> datetime:
    """Parse a CLI date (YYYY-MM-DD or ISO datetime) to aware UTC, naming the option on error."""
    try:
        return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError as exc:
        raise ValueError(
            f"{option}: {value!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from exc
