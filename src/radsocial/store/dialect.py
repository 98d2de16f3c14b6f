"""The SQL that differs between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def allocate_ids(conn: sa.Connection, table: sa.Table, n: int) -> list[int]:
    """Reserve `n` new primary keys for `table`.

    SQLite: the write transaction is BEGIN IMMEDIATE, so max(id)+1… cannot race.
    PostgreSQL: draw from the table's sequence, safe under concurrent writers.
    """
    if n == 0:
        return []
    if conn.dialect.name == "postgresql":
        seq = f"{table.name}_id_seq"
        rows = conn.exec_driver_sql(
            f"SELECT nextval('{seq}') FROM generate_series(1, %(n)s)", {"n": n}
        )
        return [r[0] for r in rows]
    start = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + 1 + n))


def insert_ignore(conn: sa.Connection, table: sa.Table) -> Any:
    """An INSERT that skips rows whose key already exists."""
    ins = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    return ins.on_conflict_do_nothing()


def full_text_match(conn: sa.Connection, query: str) -> sa.ColumnElement[bool]:
    """A WHERE clause matching posts whose text matches `query` (words, "phrases", OR, -not).

    SQLite uses FTS5; PostgreSQL uses websearch_to_tsquery over the generated tsvector.
    Both take the same web-search-like syntax, translated for FTS5 by `fts5_query`.
    """
    from radsocial.store.schema import posts

    if conn.dialect.name == "postgresql":
        return sa.text("posts.tsv @@ websearch_to_tsquery('english', :fts_q)").bindparams(
            fts_q=query
        )
    return posts.c.id.in_(
        sa.text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :fts_q").bindparams(
            fts_q=fts5_query(query)
        )
    )


def fts5_query(query: str) -> str:
    """Translate a web-search-like query into FTS5 syntax, quoting every term.

    Quoting each term means user input can never be read as FTS5 operators or column
    filters (a query like `CT:` or `AND` would otherwise be a syntax error).
    """
    out: list[str] = []
    tokens = _tokenize(query)
    for i, (tok, quoted) in enumerate(tokens):
        if not quoted and tok.upper() == "OR" and out and i + 1 < len(tokens):
            out.append("OR")
            continue
        negate = not quoted and tok.startswith("-") and len(tok) > 1
        term = tok[1:] if negate else tok
        term = term.replace('"', '""')
        if not term.strip():
            continue
        phrase = f'"{term}"'
        if negate:
            out.append(f"NOT {phrase}")
        else:
            if (out and out[-1] not in ("OR",) and not out[-1].startswith("NOT")) or (
                out and out[-1].startswith("NOT")
            ):
                out.append("AND")
            out.append(phrase)
    # FTS5 needs a positive term before NOT: "a NOT b" works, "NOT b" alone does not.
    while out and out[0] in ("AND", "OR"):
        out.pop(0)
    return " ".join(out).replace("AND NOT", "NOT") or '""'


def _tokenize(query: str) -> list[tuple[str, bool]]:
    tokens: list[tuple[str, bool]] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c == '"':
            j = query.find('"', i + 1)
            j = n if j == -1 else j
            tokens.append((query[i + 1 : j], True))
            i = j + 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] != '"':
                j += 1
            tokens.append((query[i:j], False))
            i = j
    return tokens
