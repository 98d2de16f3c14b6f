"""Writing batches of raw records and posts: one transaction per batch.

A batch is written whole or not at all, so a crash or Ctrl-C leaves the database as it
was after the previous batch, and running the import again completes it: raw records
are keyed by their SHA-1 and posts by (platform, platform_id), so nothing is doubled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
import zstandard
from sqlalchemy.dialects import postgresql

from radsocial import __version__
from radsocial.models import Account, Post, RawRecord, utcnow
from radsocial.store.bulk import insert_dicts, insert_rows, storage_form
from radsocial.store.dialect import allocate_ids, index_new_posts
from radsocial.store.link_rollup import mark_accounts
from radsocial.store.schema import (
    account_snapshots,
    accounts,
    post_hashtags,
    post_links,
    post_mentions,
    posts,
    raw_records,
)

_CHUNK = 900  # keys per IN (...) query; well under every backend's parameter limit
#: Keys per `= ANY(array)` query on PostgreSQL: one array parameter has no such limit,
#: so a batch's existence check is one round trip instead of one per 900 keys.
_PG_CHUNK = 50_000
_METRICS = ("likes", "reposts", "replies", "quotes", "views")
_compressor = zstandard.ZstdCompressor(level=3)
_decompressor = zstandard.ZstdDecompressor()


@dataclass(slots=True)
class BatchCounts:
    posts: int = 0  # posts read in the batch (duplicates within it included)
    new: int = 0
    duplicate: int = 0
    updated: int = 0  # duplicates whose metrics (or, on renormalize, fields) changed
    raw_new: int = 0
    accounts_new: int = 0


def decompress(payload: bytes) -> bytes:
    return _decompressor.decompress(payload)


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _lookup_chunk(conn: sa.Connection) -> int:
    return _PG_CHUNK if conn.dialect.name == "postgresql" else _CHUNK


def _among(conn: sa.Connection, col: sa.Column[Any], keys: Sequence[str]) -> sa.ColumnElement[bool]:
    """`col IN keys`, as `col = ANY(array)` on PostgreSQL.

    With 900 separate parameters psycopg prepares a generic plan after five runs that
    scans another index and filters row by row (1.2 s per batch at 40k posts, measured);
    one array parameter keeps the unique index in use.
    """
    if conn.dialect.name == "postgresql":
        return col == sa.any_(sa.bindparam(None, list(keys), type_=postgresql.ARRAY(sa.String)))
    return col.in_(keys)


_UNSET: Any = object()


def _domain(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if host and host.startswith("www."):
        host = host[4:]
    return host


def _entities(p: Post) -> dict[str, Any]:
    # Tuples serialize to the same JSON arrays as lists: no copies needed.
    return {
        "hashtags": p.hashtags,
        "mentions": p.mentions,
        "links": p.links,
        "media": [{"type": m.type, "url": m.url, "alt": m.alt, "key": m.key} for m in p.media],
    }


_POST_COLS = (
    "id",
    "platform",
    "platform_id",
    "url",
    "author_id",
    "author_handle",
    "created_at",
    "text",
    "lang",
    "kind",
    "reply_to_id",
    "reply_to_author_id",
    "quote_of_id",
    "repost_of_id",
    "conversation_id",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "views",
    "author_followers",
    "n_hashtags",
    "n_mentions",
    "n_links",
    "n_media",
    "entities",
    "extras",
    "raw_id",
    "imported_at",
)


def _post_tuple(
    p: Post,
    pid: int,
    raw_id: int | None,
    now: Any,
    when: Callable[[Any], Any],
    js: Callable[[Any], Any],
) -> tuple[Any, ...]:
    """A posts row in `_POST_COLS` order; `when` and `js` convert datetimes and JSON
    (to storage form on the bulk path, identity for SQLAlchemy statements)."""
    a = p.author
    extras = p.extras
    return (
        pid,
        p.platform,
        p.platform_id,
        p.url,
        p.author_id,
        p.author_handle,
        when(p.created_at),
        p.text,
        p.lang,
        p.kind,
        p.reply_to_id,
        p.reply_to_author_id,
        p.quote_of_id,
        p.repost_of_id,
        p.conversation_id,
        p.likes,
        p.reposts,
        p.replies,
        p.quotes,
        p.views,
        a.followers if a is not None else None,
        len(p.hashtags),
        len(p.mentions),
        len(p.links),
        len(p.media),
        js(_entities(p)),
        js(dict(extras)) if extras else None,
        raw_id,
        now,
    )


def _post_row(p: Post, pid: int, raw_id: int | None, now: datetime) -> dict[str, Any]:
    return dict(zip(_POST_COLS, _post_tuple(p, pid, raw_id, now, _same, _same), strict=True))


def _same(v: Any) -> Any:
    return v


def _child_rows(
    p: Post,
    pid: int,
    tags: list[tuple[Any, ...]],
    ments: list[tuple[Any, ...]],
    links: list[tuple[Any, ...]],
    domains: dict[str, str | None],
) -> None:
    """Append the post's hashtag, mention and link rows; `domains` caches each link's
    domain for the batch (the same links come back in retweets and quotes)."""
    if p.hashtags:
        for t in {h.lower() for h in p.hashtags}:
            tags.append((pid, t))
    if p.mentions:
        for m in {h.lower() for h in p.mentions}:
            ments.append((pid, m))
    if p.links:
        for u in dict.fromkeys(p.links):
            d = domains.get(u, _UNSET)
            if d is _UNSET:
                d = domains[u] = _domain(u)
            links.append((pid, u, d))


def write_raw(
    conn: sa.Connection, raws: Sequence[RawRecord], import_id: int | None
) -> tuple[list[int], int]:
    """Store raw records not stored before; return each one's id and how many were new."""
    shas = [hashlib.sha1(r.payload).hexdigest() for r in raws]
    existing: dict[str, int] = {}
    unique = list(dict.fromkeys(shas))
    for chunk in _chunks(unique, _lookup_chunk(conn)):
        q = sa.select(raw_records.c.sha1, raw_records.c.id).where(
            _among(conn, raw_records.c.sha1, chunk)
        )
        for sha, rid in conn.execute(q):
            existing[sha] = rid
    seen: set[str] = set()
    new_idx: list[int] = []
    for i, s in enumerate(shas):
        if s not in existing and s not in seen:
            seen.add(s)
            new_idx.append(i)
    ids = allocate_ids(conn, raw_records, len(new_idx))
    now = utcnow()
    rows = []
    for i, rid in zip(new_idx, ids, strict=True):
        r = raws[i]
        existing[shas[i]] = rid
        rows.append(
            {
                "id": rid,
                "sha1": shas[i],
                "format": r.format,
                "source": r.source,
                "line": r.line,
                "received_at": r.received_at,
                "read_at": now,
                "tool_version": r.tool_version or __version__,
                "import_id": import_id,
                "meta": dict(r.meta) if r.meta else None,
                "size": len(r.payload),
                "payload": _compressor.compress(r.payload),
            }
        )
    insert_dicts(conn, raw_records, rows)
    return [existing[s] for s in shas], len(rows)


def write_posts(
    conn: sa.Connection,
    batch: Sequence[tuple[Post, int | None]],
    *,
    replace: bool = False,
) -> BatchCounts:
    """Upsert posts (with the id of the raw record each came from).

    New posts are inserted with their hashtags, mentions and links. A post already
    stored keeps its row; only its engagement metrics are refreshed when the new payload
    has them and they changed. With `replace=True` (renormalize) every field and child
    row is rewritten from the new normalization.
    """
    counts = BatchCounts(posts=len(batch))
    latest: dict[tuple[str, str], tuple[Post, int | None]] = {}
    for item in batch:
        latest[item[0].key] = item
    counts.duplicate = len(batch) - len(latest)

    existing: dict[tuple[str, str], tuple[Any, ...]] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, pid in latest:
        by_platform.setdefault(platform, []).append(pid)
    cols = [
        posts.c.platform,
        posts.c.platform_id,
        posts.c.id,
        *(posts.c[m] for m in _METRICS),
        posts.c.author_handle,
    ]
    for platform, ids in by_platform.items():
        for chunk in _chunks(ids, _lookup_chunk(conn)):
            q = sa.select(*cols).where(
                posts.c.platform == platform, _among(conn, posts.c.platform_id, chunk)
            )
            for row in conn.execute(q):
                existing[(row[0], row[1])] = tuple(row[2:])

    now = utcnow()
    fresh = [item for key, item in latest.items() if key not in existing]
    new_ids = allocate_ids(conn, posts, len(fresh))
    when, js = storage_form(conn.dialect.name)
    stored_now = when(now)
    rows: list[tuple[Any, ...]] = []
    domains: dict[str, str | None] = {}
    tags: list[tuple[Any, ...]] = []
    ments: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    for (p, raw_id), pid in zip(fresh, new_ids, strict=True):
        rows.append(_post_tuple(p, pid, raw_id, stored_now, when, js))
        _child_rows(p, pid, tags, ments, links, domains)
    counts.new = len(rows)
    counts.duplicate += len(latest) - len(rows)

    updates: list[dict[str, Any]] = []
    replaced: list[dict[str, Any]] = []
    for key, (p, raw_id) in latest.items():
        old = existing.get(key)
        if old is None:
            continue
        pid = old[0]
        if replace:
            row = _post_row(p, pid, raw_id, now)
            row["b_id"] = row.pop("id")
            replaced.append(row)
            _child_rows(p, pid, tags, ments, links, domains)
            continue
        fresh_metrics = [getattr(p, m) for m in _METRICS]
        old_metrics = old[1:-1]
        # A post first seen without its author's handle (a Jetstream event knows only the
        # DID) gets the handle and handle-based URL when a fuller payload comes along.
        named = old[-1] is None and p.author_handle is not None
        changed = any(
            v is not None and v != o for v, o in zip(fresh_metrics, old_metrics, strict=True)
        )
        if changed or named:
            upd: dict[str, Any] = {"b_id": pid}
            for m, v, o in zip(_METRICS, fresh_metrics, old_metrics, strict=True):
                upd["b_" + m] = v if v is not None else o
            upd["b_handle"] = p.author_handle if named else None
            upd["b_url"] = p.url if named else None
            updates.append(upd)
    insert_rows(conn, posts, _POST_COLS, rows, prepared=True)
    index_new_posts(conn, new_ids)
    if updates:
        stmt = (
            posts.update()
            .where(posts.c.id == sa.bindparam("b_id"))
            .values(
                {
                    **{m: sa.bindparam("b_" + m) for m in _METRICS},
                    "author_handle": sa.func.coalesce(
                        sa.bindparam("b_handle"), posts.c.author_handle
                    ),
                    "url": sa.func.coalesce(sa.bindparam("b_url"), posts.c.url),
                }
            )
        )
        conn.execute(stmt, updates)
        counts.updated = len(updates)
    if replaced:
        ids = [r["b_id"] for r in replaced]
        for child in (post_hashtags, post_mentions, post_links):
            for chunk in _chunks(ids):
                conn.execute(child.delete().where(child.c.post_id.in_(chunk)))
        names = [c for c in replaced[0] if c != "b_id"]
        stmt = (
            posts.update()
            .where(posts.c.id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(c + "_v") for c in names})
        )
        conn.execute(
            stmt, [{"b_id": r["b_id"], **{c + "_v": r[c] for c in names}} for r in replaced]
        )
        counts.updated = len(replaced)
    insert_rows(conn, post_hashtags, ("post_id", "tag"), tags, prepared=True)
    insert_rows(conn, post_mentions, ("post_id", "handle"), ments, prepared=True)
    insert_rows(conn, post_links, ("post_id", "url", "domain"), links, prepared=True)
    return counts


def _account_key(a: Account) -> tuple[str, str] | None:
    if a.account_id:
        return (a.platform, a.account_id)
    if a.handle:
        return (a.platform, "@" + a.handle.lower())
    return None


_ACCOUNT_FIELDS = (
    "handle",
    "name",
    "bio",
    "followers",
    "following",
    "posts_count",
    "verified",
    "location",
    "url",
)


def write_accounts(conn: sa.Connection, observed: Iterable[Account]) -> int:
    """Upsert accounts (latest values win) and add one dated snapshot per account-day."""
    latest: dict[tuple[str, str], Account] = {}
    earliest: dict[tuple[str, str], datetime] = {}  # first_seen is the batch's earliest
    snaps: dict[tuple[tuple[str, str], date], Account] = {}
    for a in observed:
        key = _account_key(a)
        if key is None or a.observed_at is None:
            continue
        if key not in earliest or a.observed_at < earliest[key]:
            earliest[key] = a.observed_at
        prev = latest.get(key)
        if prev is None or (prev.observed_at is not None and a.observed_at >= prev.observed_at):
            latest[key] = a
        snaps[(key, a.observed_at.date())] = a
    if not latest:
        return 0
    existing: dict[tuple[str, str], tuple[Any, ...]] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, aid in latest:
        by_platform.setdefault(platform, []).append(aid)
    for platform, ids in by_platform.items():
        for chunk in _chunks(ids, _lookup_chunk(conn)):
            q = sa.select(
                accounts.c.account_id,
                accounts.c.id,
                accounts.c.first_seen,
                accounts.c.last_seen,
                accounts.c.handle,
            ).where(accounts.c.platform == platform, _among(conn, accounts.c.account_id, chunk))
            for row in conn.execute(q):
                existing[(platform, row[0])] = tuple(row[1:])
    fresh = [(k, a) for k, a in latest.items() if k not in existing]
    # replies name their target by the account's handle: the link rollups recount the
    # days that reply to an account that is new or changes its handle
    mark_accounts(
        conn,
        [k for k, _ in fresh]
        + [
            k
            for k, (_, _, last, handle) in existing.items()
            if (a := latest[k]).handle is not None
            and (last is None or a.observed_at > _aware(last))  # type: ignore[operator]
            and a.handle.lower() != (handle or "").lower()
        ],
    )
    ids = allocate_ids(conn, accounts, len(fresh))
    pks: dict[tuple[str, str], int] = {k: v[0] for k, v in existing.items()}
    rows = []
    for (key, a), pk in zip(fresh, ids, strict=True):
        pks[key] = pk
        row = {f: getattr(a, f) for f in _ACCOUNT_FIELDS}
        row.update(
            id=pk,
            platform=key[0],
            account_id=key[1],
            created_at=a.created_at,
            first_seen=earliest[key],
            last_seen=a.observed_at,
        )
        rows.append(row)
    insert_dicts(conn, accounts, rows)
    updates = []
    for key, (pk, first, last, _) in existing.items():
        a = latest[key]
        obs = a.observed_at
        assert obs is not None
        newer = last is None or obs > _aware(last)
        older = first is None or earliest[key] < _aware(first)
        if not (newer or older):
            continue
        upd: dict[str, Any] = {"b_id": pk, "b_first": first, "b_last": last}
        if older:
            upd["b_first"] = earliest[key]
        if newer:
            upd["b_last"] = obs
        updates.append((newer, a, upd))
    if updates:
        stmt = (
            accounts.update()
            .where(accounts.c.id == sa.bindparam("b_id"))
            .values(first_seen=sa.bindparam("b_first"), last_seen=sa.bindparam("b_last"))
        )
        conn.execute(stmt, [u for _, _, u in updates])
        full = [
            {"b_id": u["b_id"], **{"v_" + f: getattr(a, f) for f in _ACCOUNT_FIELDS}}
            for newer, a, u in updates
            if newer
        ]
        if full:
            stmt = (
                accounts.update()
                .where(accounts.c.id == sa.bindparam("b_id"))
                .values(
                    {
                        f: sa.func.coalesce(sa.bindparam("v_" + f), accounts.c[f])
                        for f in _ACCOUNT_FIELDS
                    }
                )
            )
            conn.execute(stmt, full)
    snap_rows = []
    for (key, day), a in snaps.items():
        row = {f: getattr(a, f) for f in _ACCOUNT_FIELDS}
        row.update(account_pk=pks[key], observed_on=day)
        snap_rows.append(row)
    insert_dicts(conn, account_snapshots, snap_rows, skip_existing=True)
    return len(rows)


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones.
    from radsocial.models import utc

    return utc(dt)
