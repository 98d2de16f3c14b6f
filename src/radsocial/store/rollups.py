"""Rollup tables: counts per hour and per day, kept current after every import.

Analytics over millions of posts (a hashtag over a year, the whole store by month) would
scan and join millions of rows; the rollups turn them into reads of a few thousand.
They are refreshed incrementally — only posts with an id above the stored watermark are
added. Each id range's counts are first gathered, at the finest grain, in temporary
tables (the hour ones by INSERT … SELECT … GROUP BY; the author / co-hashtag / mention /
domain ones added up in Python by `rollup_keys`, which is several times faster than the
joins), then summed into the rollup tables with INSERT … SELECT … ON CONFLICT DO UPDATE:
the day table from the hour counts, the year table from the day counts.

What they hold (tag "" = every post; otherwise one row set per lowercase hashtag):
- `rollup_hour`, `rollup_day`: per (tag, hour or day, platform) the measures of
  `ROLLUP_MEASURES`; `rollup_kind_day` the same per post kind too (migration 0009).
- `rollup_key_day`: per (dim, tag, day, platform, key) posts, reposts and impressions,
  for dim "author" (participants, top accounts), "hashtag" (co-hashtags; for tag ""
  every hashtag), "mention" (mentioned handles) and "domain" (linked sites).
- `rollup_key_year`: the same per UTC calendar year, so that a year's participants
  are a count of rows (one per author) and its top lists a sort of them — no DISTINCT
  over a year of day rows.
- `rollup_key_kind_year`: `rollup_key_year` per post kind too, for the dims "author"
  and "hashtag" (migration 0013), so that the top accounts and hashtags of a selection
  by kind are a sort of rows too. The same count gives all three key tables (the kind
  rides on the counted key and the kind-blind tables sum it away); its watermark is its
  own ("key_kinds"), so a store made before it is filled by its next refresh — counting
  only those two dims up to the main watermark — and from then on one pass over the new
  posts feeds every key table.
- `rollup_author`, `rollup_author_year`: per author — (platform, author id, lowercase
  handle), "" where a post has none — posts, first and last post time, in total and
  per UTC year. The census reads them: the whole store by stakeholder grouped a million
  posts joined to their accounts and labels (18 s at 1M posts, measured); these are
  ~67,000 and ~316,000 rows there. They have their own watermark ("authors"), so a store
  made before they existed is filled by its next refresh. Each row carries its author's
  stakeholder label (`stakeholder`, migration 0009): set here for new rows, kept by the
  database's triggers when labels change; a refresh that adds author rows asks for
  `census_stakeholder` to be regrouped (`census_rollup`) and regroups it at its end.

Limits, documented in docs/definitions.md: counts are taken when a post is first
stored (a later re-import that refreshes likes or views does not change `views` here),
and `radsocial renormalize` rebuilds them from scratch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from radsocial.models import utcnow
from radsocial.store import link_rollup
from radsocial.store.census_rollup import author_account, mark_dirty, settle
from radsocial.store.rollup_keys import KIND_DIMS, fill_key_delta
from radsocial.store.schema import (
    ROLLUP_MEASURES,
    accounts,
    post_hashtags,
    posts,
    rollup_author,
    rollup_author_year,
    rollup_day,
    rollup_hour,
    rollup_key_day,
    rollup_key_kind_year,
    rollup_key_year,
    rollup_kind_day,
    rollup_state,
)

STATE = "rollups"
#: The author rollups' watermark (they came later: migration 0008).
AUTHORS = "authors"
#: The per-kind key rollup's watermark (migration 0013).
KEY_KINDS = "key_kinds"
#: The link rollups' watermark (migration 0014).
LINKS = "links"
#: The pg_advisory_xact_lock key that label writes (migration 0009's triggers) and the
#: author rollup refresh share.
LABEL_LOCK = 727_100_009
#: Posts per refresh step: bounds the size of one GROUP BY and of one transaction.
STEP = 250_000
DIMS = ("author", "hashtag", "mention", "domain")


def hour_of(conn: sa.Connection, col: Any) -> sa.ColumnElement[int]:
    """Whole hours since the Unix epoch (UTC) of a timestamp column."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", col) / 3600), sa.BigInteger)
    # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); strftime('%s') reads the first 19.
    return sa.cast(sa.func.strftime("%s", sa.func.substr(col, 1, 19)), sa.Integer) // 3600


def author_name() -> sa.ColumnElement[str]:
    """How rollups name an author: the lowercase handle, else the platform id."""
    return sa.func.coalesce(sa.func.lower(posts.c.author_handle), posts.c.author_id, "")


def _flag(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _measures() -> list[sa.ColumnElement[Any]]:
    c = posts.c
    return [
        sa.func.count().label("posts"),
        _flag(c.kind == "repost").label("reposts"),
        _flag(c.kind == "reply").label("replies"),
        _flag(c.kind == "quote").label("quotes"),
        _flag(c.n_links > 0).label("with_links"),
        _flag(c.n_media > 0).label("with_media"),
        sa.func.sum(c.n_media).label("media"),
        _flag(c.n_mentions > 0).label("with_mentions"),
        sa.func.sum(sa.func.coalesce(c.author_followers, 0)).label("impressions"),
        sa.func.sum(sa.func.coalesce(c.views, 0)).label("views"),
        _flag(c.views.is_not(None)).label("with_views"),
    ]


def _upsert(conn: sa.Connection, table: sa.Table, select: sa.Select[Any], keys: list[str]) -> None:
    """INSERT … SELECT that adds to the counts of rows that already exist."""
    names = [col.key for col in select.selected_columns]
    ins: Any = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    ins = ins.from_select(names, select)
    measures = [n for n in names if n not in keys]
    stmt = ins.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={m: table.c[m] + ins.excluded[m] for m in measures},
    )
    conn.execute(stmt)


# The new posts' counts are grouped once, at the finest grain (hour; day and year), into
# temporary tables; the day table is summed from the hour one and the year table from
# the day one. Before, the day and year statements repeated every join and GROUP BY over
# posts and their hashtags (half of the refresh time). All measures are sums, so summing
# the finer groups gives exactly what grouping the posts again gave.
_scratch = sa.MetaData()
_hour_delta = sa.Table(
    "rollup_hour_delta",
    _scratch,
    sa.Column("tag", sa.String(280)),
    sa.Column("hour", sa.BigInteger),
    sa.Column("platform", sa.String(16)),
    sa.Column("kind", sa.String(10)),
    *(sa.Column(m, sa.BigInteger) for m in ROLLUP_MEASURES),
    prefixes=["TEMPORARY"],
)
_key_delta = sa.Table(
    "rollup_key_delta",
    _scratch,
    sa.Column("dim", sa.String(8)),
    sa.Column("tag", sa.String(280)),
    sa.Column("day", sa.Integer),
    sa.Column("year", sa.Integer),
    sa.Column("platform", sa.String(16)),
    sa.Column("kind", sa.String(10)),  # "" for the dims outside rollup_keys.KIND_DIMS
    sa.Column("key", sa.String(300)),
    sa.Column("posts", sa.BigInteger),
    sa.Column("reposts", sa.BigInteger),
    sa.Column("impressions", sa.BigInteger),
    prefixes=["TEMPORARY"],
)


def _fill(conn: sa.Connection, table: sa.Table, select: sa.Select[Any]) -> None:
    names = [col.key for col in select.selected_columns]
    conn.execute(table.insert().from_select(names, select))


def _summed(
    source: sa.Table, groups: list[sa.ColumnElement[Any]], measures: Sequence[str]
) -> sa.Select[Any]:
    return sa.select(*groups, *(sa.func.sum(source.c[m]).label(m) for m in measures)).group_by(
        *groups
    )


def _hour_rollups(conn: sa.Connection, lo: int, hi: int) -> None:
    in_range = sa.and_(posts.c.id > lo, posts.c.id <= hi)
    h = hour_of(conn, posts.c.created_at).label("hour")
    kind = posts.c.kind
    _fill(
        conn,
        _hour_delta,
        sa.select(sa.literal("").label("tag"), h, posts.c.platform, kind, *_measures())
        .where(in_range)
        .group_by(h, posts.c.platform, kind),
    )
    _fill(
        conn,
        _hour_delta,
        sa.select(post_hashtags.c.tag, h, posts.c.platform, kind, *_measures())
        .select_from(posts.join(post_hashtags, post_hashtags.c.post_id == posts.c.id))
        .where(in_range)
        .group_by(post_hashtags.c.tag, h, posts.c.platform, kind),
    )
    d = _hour_delta.c
    # The delta is one row per (tag, hour, platform, kind): the posts are read and
    # grouped once, and each table sums the groups it keeps.
    _upsert(
        conn,
        rollup_hour,
        _summed(_hour_delta, [d.tag, d.hour, d.platform], ROLLUP_MEASURES),
        ["tag", "hour", "platform"],
    )
    day = (d.hour // 24).label("day")
    _upsert(
        conn,
        rollup_day,
        _summed(_hour_delta, [d.tag, day, d.platform], ROLLUP_MEASURES),
        ["tag", "day", "platform"],
    )
    _upsert(
        conn,
        rollup_kind_day,
        _summed(_hour_delta, [d.tag, day, d.platform, d.kind], ROLLUP_MEASURES),
        ["tag", "day", "platform", "kind"],
    )


def year_of(conn: sa.Connection, col: Any) -> sa.ColumnElement[int]:
    """The UTC calendar year of a timestamp column."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.extract("year", sa.func.timezone("UTC", col)), sa.Integer)
    return sa.cast(sa.func.substr(col, 1, 4), sa.Integer)


_KEY_MEASURES = ("posts", "reposts", "impressions")


def _key_rollups(conn: sa.Connection, lo: int, hi: int, *, blind: bool, by_kind: bool) -> None:
    """Count posts lo < id <= hi into the kind-blind key tables (`blind`) and into
    `rollup_key_kind_year` (`by_kind`): one count of the posts for whichever is asked."""
    # Year is grouped beside day (not derived from it) so that it is always the post's
    # own calendar year, whatever the day arithmetic does far from the epoch.
    day = (hour_of(conn, posts.c.created_at) // 24).label("day")
    year = year_of(conn, posts.c.created_at).label("year")
    fill_key_delta(conn, _key_delta, lo, hi, day, year, author_name, kind_dims_only=not blind)
    d = _key_delta.c
    if blind:
        for table, unit in ((rollup_key_day, d.day), (rollup_key_year, d.year)):
            groups = [d.dim, d.tag, unit, d.platform, d.key]
            summed = _summed(_key_delta, groups, _KEY_MEASURES)
            _upsert(conn, table, summed, [g.key for g in groups])
    if by_kind:
        groups = [d.dim, d.tag, d.year, d.platform, d.kind, d.key]
        summed = _summed(_key_delta, groups, _KEY_MEASURES).where(d.dim.in_(KIND_DIMS))
        _upsert(conn, rollup_key_kind_year, summed, [g.key for g in groups])


_author_delta = sa.Table(
    "rollup_author_delta",
    _scratch,
    sa.Column("platform", sa.String(16)),
    sa.Column("author_id", sa.String(200)),
    sa.Column("handle", sa.String(200)),
    sa.Column("year", sa.Integer),
    sa.Column("posts", sa.BigInteger),
    sa.Column("reposts", sa.BigInteger),
    sa.Column("impressions", sa.BigInteger),
    sa.Column("first_at", sa.DateTime(timezone=True)),
    sa.Column("last_at", sa.DateTime(timezone=True)),
    prefixes=["TEMPORARY"],
)


def _upsert_span(conn: sa.Connection, table: sa.Table, select: sa.Select[Any]) -> None:
    """INSERT … SELECT that adds the counts and widens (first_at, last_at) of existing
    rows."""
    names = [col.key for col in select.selected_columns]
    pg = conn.dialect.name == "postgresql"
    ins: Any = (postgresql if pg else sqlite).insert(table)
    ins = ins.from_select(names, select)
    # two-argument min()/max() are SQLite's scalar functions; PostgreSQL's LEAST/GREATEST
    lo, hi = (sa.func.least, sa.func.greatest) if pg else (sa.func.min, sa.func.max)
    counts = ("posts", "reposts", "impressions")
    keys = [n for n in names if n not in (*counts, "first_at", "last_at", "stakeholder")]
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys],
            set_={
                **{n: table.c[n] + ins.excluded[n] for n in counts},
                "first_at": lo(table.c.first_at, ins.excluded.first_at),
                "last_at": hi(table.c.last_at, ins.excluded.last_at),
                "stakeholder": ins.excluded.stakeholder,
            },
        )
    )


def _stakeholder_of(platform: Any, author_id: Any, handle: Any) -> sa.ColumnElement[Any]:
    """The census label of an author rollup row: its account's `accounts.stakeholder`,
    "unknown" without an account."""
    a = accounts.c
    label = (
        sa.select(a.stakeholder)
        .where(a.platform == platform, a.account_id == author_account(platform, author_id, handle))
        .scalar_subquery()
    )
    return sa.func.coalesce(label, "unknown")


def author_columns() -> tuple[sa.ColumnElement[str], sa.ColumnElement[str]]:
    """How the author rollups key a post: (author id, lowercase handle), "" for none.

    "" rather than NULL because both are primary-key columns (PostgreSQL refuses NULL
    there); readers turn "" back into None.
    """
    c = posts.c
    return sa.func.coalesce(c.author_id, ""), sa.func.coalesce(sa.func.lower(c.author_handle), "")


def _author_rollups(conn: sa.Connection, lo: int, hi: int) -> None:
    if conn.dialect.name == "postgresql":
        # New rows read their label now; a label written by a concurrent transaction
        # after this read would miss them (its trigger updates only the rows it sees).
        # Label writes take the same lock (migration 0009), so each waits for the
        # other to commit. SQLite's writers are serialized already.
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(LABEL_LOCK)))
    c = posts.c
    aid, handle = author_columns()
    year = year_of(conn, c.created_at)
    groups = [c.platform, aid, handle, year]
    _fill(
        conn,
        _author_delta,
        sa.select(
            c.platform.label("platform"),
            aid.label("author_id"),
            handle.label("handle"),
            year.label("year"),
            sa.func.count().label("posts"),
            _flag(c.kind == "repost").label("reposts"),
            sa.func.sum(sa.func.coalesce(c.author_followers, 0)).label("impressions"),
            sa.func.min(c.created_at).label("first_at"),
            sa.func.max(c.created_at).label("last_at"),
        )
        .where(c.id > lo, c.id <= hi)
        .group_by(*groups),
    )
    d = _author_delta.c
    for table, keys in (
        (rollup_author_year, [d.platform, d.author_id, d.handle, d.year]),
        (rollup_author, [d.platform, d.author_id, d.handle]),
    ):
        _upsert_span(
            conn,
            table,
            sa.select(
                *keys,
                *(sa.func.sum(d[n]).label(n) for n in ("posts", "reposts", "impressions")),
                sa.func.min(d.first_at).label("first_at"),
                sa.func.max(d.last_at).label("last_at"),
                _stakeholder_of(d.platform, d.author_id, d.handle).label("stakeholder"),
            ).group_by(*keys),
        )
    mark_dirty(conn)  # census_stakeholder is grouped from these rows


def watermark(conn: sa.Connection, name: str = STATE) -> int:
    """The id of the last post counted in the rollups `name` (0 when none)."""
    v = conn.execute(
        sa.select(rollup_state.c.last_post_id).where(rollup_state.c.name == name)
    ).scalar()
    return int(v or 0)


def _set_watermark(conn: sa.Connection, last: int, name: str = STATE) -> None:
    conn.execute(rollup_state.delete().where(rollup_state.c.name == name))
    conn.execute(rollup_state.insert().values(name=name, last_post_id=last, updated_at=utcnow()))


def pending(conn: sa.Connection) -> int:
    """How many stored posts the rollups do not count yet."""
    return int(
        conn.execute(
            sa.select(sa.func.count()).select_from(posts).where(posts.c.id > watermark(conn))
        ).scalar_one()
    )


def is_current(conn: sa.Connection) -> bool:
    """True when every rollup (the author, per-kind key and link ones included) counts
    every stored post, and no account change waits for the link rollups."""
    top = conn.execute(sa.select(sa.func.max(posts.c.id))).scalar()
    last = min(watermark(conn, name) for name in (STATE, AUTHORS, KEY_KINDS, LINKS))
    return (top or 0) <= last and link_rollup.is_current(conn)


def refresh(store: Any, *, step: int = STEP, progress: Callable[[int], None] | None = None) -> int:
    """Add posts stored since the last refresh to the rollups; returns how many.

    Each id range is one transaction (counts and watermark together), so an
    interrupted refresh resumes where it stopped and never counts a post twice. The
    author rollups follow their own watermark (usually the same range; all of the
    store when they are new), and so does the per-kind key rollup (`_refresh_main`).
    The count returned (and given to `progress`) is of the posts the main rollups
    added.
    """
    done = _refresh_main(store, step, progress)
    if _refresh(store, AUTHORS, (_author_delta,), _author_rollups, step, None):
        # regrouped here, at the end of an import, rather than by the first reader
        with store.writer() as conn, conn.begin():
            settle(conn)
    _refresh_links(store)
    return done


def _refresh_links(store: Any) -> int:
    """Recount the link rollups' days that new posts or changed accounts affect, in one
    transaction with the watermark: a day is recounted whole, so an interrupted
    refresh simply recounts it again. Returns the days recounted."""
    with store.writer() as conn, conn.begin():
        lo = watermark(conn, LINKS)
        hi = int(conn.execute(sa.select(sa.func.max(posts.c.id))).scalar() or 0)
        if hi <= lo and link_rollup.is_current(conn):
            return 0
        n = link_rollup.recount(conn, lo, max(lo, hi), lambda col: hour_of(conn, col) // 24)
        if hi > lo:
            _set_watermark(conn, hi, LINKS)
    return n


def _refresh_main(store: Any, step: int, progress: Callable[[int], None] | None) -> int:
    """The hour, day and key rollups (watermark STATE) and the per-kind key rollup
    (KEY_KINDS), from one count of the posts when their watermarks agree.

    They agree but on a store made before migration 0013 (KEY_KINDS at 0) — or one
    whose per-kind table was dropped and made again by a downgrade and upgrade. Then
    the one behind is counted alone up to the other (for the per-kind table: its two
    dims only), and from there both go on together. Each step is one transaction that
    moves the watermarks of what it counted.
    """
    done = 0
    while True:
        with store.writer() as conn, conn.begin():
            main, kinds = watermark(conn), watermark(conn, KEY_KINDS)
            lo = min(main, kinds)
            ids = sa.select(posts.c.id).where(posts.c.id > lo)
            if main != kinds:  # the one behind catches up, and only up to the other
                ids = ids.where(posts.c.id <= max(main, kinds))
            window = ids.order_by(posts.c.id).limit(step).subquery()
            n, hi = conn.execute(sa.select(sa.func.count(), sa.func.max(window.c.id))).one()
            if not n and main != kinds:
                # no post left between them (removed outside radsocial): nothing to catch
                # up, or the one behind would stop both here for good
                _set_watermark(conn, max(main, kinds), KEY_KINDS if main > kinds else STATE)
                continue
            if not n:
                return done
            blind, by_kind = main == lo, kinds == lo
            _key_delta.create(conn)
            if blind:
                _hour_delta.create(conn)
                _hour_rollups(conn, lo, hi)
                _hour_delta.drop(conn)
            _key_rollups(conn, lo, hi, blind=blind, by_kind=by_kind)
            _key_delta.drop(conn)
            if blind:
                _set_watermark(conn, hi)
            if by_kind:
                _set_watermark(conn, hi, KEY_KINDS)
        if blind:
            done += n
            if progress:
                progress(done)


def _refresh(
    store: Any,
    name: str,
    scratches: tuple[sa.Table, ...],
    count: Callable[[sa.Connection, int, int], None],
    step: int,
    progress: Callable[[int], None] | None,
) -> int:
    done = 0
    while True:
        with store.writer() as conn, conn.begin():
            lo = watermark(conn, name)
            window = (
                sa.select(posts.c.id).where(posts.c.id > lo).order_by(posts.c.id).limit(step)
            ).subquery()
            n, hi = conn.execute(sa.select(sa.func.count(), sa.func.max(window.c.id))).one()
            if not n:
                return done
            for scratch in scratches:
                scratch.create(conn)
            count(conn, lo, hi)
            for scratch in scratches:
                scratch.drop(conn)
            _set_watermark(conn, hi, name)
        done += n
        if progress:
            progress(done)


def rebuild(store: Any, *, progress: Callable[[int], None] | None = None) -> int:
    """Drop and recount every rollup (after `renormalize`, or to refresh views)."""
    with store.writer() as conn, conn.begin():
        conn.execute(rollup_hour.delete())
        conn.execute(rollup_day.delete())
        conn.execute(rollup_kind_day.delete())
        conn.execute(rollup_key_day.delete())
        conn.execute(rollup_key_year.delete())
        conn.execute(rollup_key_kind_year.delete())
        conn.execute(rollup_author.delete())
        conn.execute(rollup_author_year.delete())
        link_rollup.clear(conn)
        mark_dirty(conn)
        names = [STATE, AUTHORS, KEY_KINDS, LINKS]
        conn.execute(rollup_state.delete().where(rollup_state.c.name.in_(names)))
    return refresh(store, progress=progress)


__all__ = [
    "AUTHORS",
    "DIMS",
    "KEY_KINDS",
    "LINKS",
    "ROLLUP_MEASURES",
    "author_account",
    "author_columns",
    "author_name",
    "hour_of",
    "is_current",
    "pending",
    "rebuild",
    "refresh",
    "watermark",
]
