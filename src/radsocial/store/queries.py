"""Reading the store: selections, counts, search and streaming posts back out."""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from radsocial.models import Account, Media, Post, utc
from radsocial.store.dialect import full_text_match
from radsocial.store.schema import (
    account_labels,
    accounts,
    imports,
    post_hashtags,
    post_labels,
    posts,
    raw_records,
    rollup_day,
)

MANUAL = "manual"
#: Rows per fetch when streaming a large result.
STREAM_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class Selection:
    """Which posts a query, export or report is about. Empty fields select everything."""

    query: str | None = None  # full text, web-search syntax: words, "a phrase", OR, -word
    hashtags: tuple[str, ...] = ()  # any of these (case-insensitive, without '#')
    accounts: tuple[str, ...] = ()  # author handles (case-insensitive, without '@')
    platforms: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    keywords: tuple[str, ...] = ()  # any of these words or phrases (full text)
    stakeholders: tuple[str, ...] = ()  # the author's stakeholder label (manual wins)
    relevant: bool | None = None  # the post's relevance label: True, False, or no filter

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise ValueError(
                f"--since ({self.since:%Y-%m-%d %H:%M}) must be before --until "
                f"({self.until:%Y-%m-%d %H:%M})"
            )

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered (the whole store)."""
        return self == Selection()

    def with_period(self, since: datetime | None, until: datetime | None) -> Selection:
        """The same selection over another period (e.g. the preceding one)."""
        return replace(self, since=since, until=until)

    def describe(self) -> dict[str, Any]:
        """The non-empty fields, JSON-ready, for report headers and provenance."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v in (None, ()):
                continue
            out[f.name] = (
                v.isoformat()
                if isinstance(v, datetime)
                else (list(v) if isinstance(v, tuple) else v)
            )
        return out


def where(conn: sa.Connection, sel: Selection) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses (on `posts`) for a selection."""
    clauses: list[sa.ColumnElement[bool]] = []
    sides = _Sides(conn, sel)
    keywords = [k.strip() for k in sel.keywords if k.strip()]
    if sel.query:
        clauses.append(full_text_match(conn, sel.query))
    if sel.query or keywords:
        sides.by_ids = True
    if sel.hashtags:
        clauses.append(sides.tagged([t.lstrip("#").lower() for t in sel.hashtags]))
    if sel.accounts:
        handles = [a.lstrip("@").lower() for a in sel.accounts]
        clauses.append(sa.func.lower(posts.c.author_handle).in_(handles))
    if sel.platforms:
        clauses.append(sides.platforms(sel.platforms))
    if sel.langs:
        clauses.append(posts.c.lang.in_(sel.langs))
    if sel.kinds:
        clauses.append(sides.kinds(sel.kinds))
    if sel.since:
        clauses.append(posts.c.created_at >= sel.since)
    if sel.until:
        clauses.append(posts.c.created_at < sel.until)
    if keywords:
        q = " OR ".join(f'"{t}"' if " " in t else t for t in keywords)
        clauses.append(full_text_match(conn, q))
    if sel.stakeholders:
        clauses.append(_author_has_label(conn, "stakeholder", sel.stakeholders))
    if sel.relevant is not None:
        rel = post_label_is("relevance", ["relevant"])
        clauses.append(rel if sel.relevant else sa.not_(rel))
    if sides.by_ids and conn.dialect.name == "sqlite":
        clauses.append(COVER_HINT)
    return clauses


#: Always true (`platform` is never NULL), and what steers SQLite to `ix_posts_cover`
#: (migration 0010) when a list of post ids drives a query — a tag's posts, a full-text
#: match. `posts.id` is not SQLite's rowid, so the unique id index leads to the row in a
#: second b-tree, and the row is wide (text, entities); the covering index holds the
#: columns the analyses read, one probe a post. Without statistics SQLite prefers the
#: unique index for `id = ?`; a second indexed term, `id = ? AND platform > ?`, makes
#: the covering one the better plan in its eyes (#radiology's 253,000 posts: 0.39 s ->
#: 0.14 s at 1M posts, measured). PostgreSQL plans from statistics and has no such index.
COVER_HINT: sa.ColumnElement[bool] = posts.c.platform >= ""


#: Up to how many rows the planner hints below count.
_ESTIMATE_CAP = 100_000
#: The hints decided on each open Connection (gone with it).
_SIDES_MEMO: weakref.WeakKeyDictionary[sa.Connection, dict[tuple[Any, ...], bool]] = (
    weakref.WeakKeyDictionary()
)


class _Sides:
    """Which side SQLite should read first: the selection's period or another filter.

    SQLite keeps no statistics unless ANALYZE ran, and without them it drives a query
    from an equality index — every post of a tag, every reply — rather than from the
    created_at range, however short the period: a tweetchat hour of a tag used for years
    read 1,000 times the posts it needed (0.4 s a query at 1M posts, measured). So where
    a selection has a period, both sides are counted on covering indexes (the period
    capped, the other side only until it outnumbers the period) and the clause is
    written to steer SQLite to the smaller one. PostgreSQL has statistics and chooses
    by itself.
    """

    def __init__(self, conn: sa.Connection, sel: Selection) -> None:
        self.conn = conn
        self.period = [
            c
            for c in (
                posts.c.created_at >= sel.since if sel.since else None,
                posts.c.created_at < sel.until if sel.until else None,
            )
            if c is not None
        ]
        self.since, self.until = sel.since, sel.until
        self.active = conn.dialect.name == "sqlite" and bool(self.period)
        self._in_period: int | None = None
        #: a list of post ids (a tag walked by IN, a full-text match) drives the query:
        #: the other filters are checked on the covering index's row (`COVER_HINT`)
        self.by_ids = False

    def _capped(self, q: sa.Select[Any], cap: int = _ESTIMATE_CAP) -> int:
        inner = q.limit(cap).subquery()
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())

    def period_first(
        self, other: sa.Select[Any], estimate: sa.Select[Any], key: tuple[Any, ...]
    ) -> bool:
        """`_decide`, remembered on the connection for this period and `key` (the other
        side's filter): a report asks for the same selection several times (a tweetchat
        session's posts, their followers, its replies: ~190 estimates for 47 sessions,
        measured), and the answer is only a plan hint, so a connection may keep it —
        this Connection object, not the pooled DBAPI connection under it (`conn.info`),
        which outlives every write."""
        if not self.active:
            return False
        memo = _SIDES_MEMO.setdefault(self.conn, {})
        k = (self.since, self.until, *key)
        hit = memo.get(k)
        if hit is None:
            hit = memo[k] = self._decide(other, estimate)
        return bool(hit)

    def _decide(self, other: sa.Select[Any], estimate: sa.Select[Any]) -> bool:
        """True when the period holds fewer posts than `other` selects rows.

        When both sides reach the cap the counts cannot tell them apart (a whole-store
        period against a tag of 250,000 posts walked the million posts of the period:
        8 s at 1M posts, measured), so the day rollups' totals decide: the period's
        posts against `estimate`, the other side's total read from rollup_day. They are
        a hint only — stale rollups change the plan, never the posts selected.
        """
        if not self.active:
            return False
        if self._in_period is None:
            self._in_period = self._capped(sa.select(posts.c.created_at).where(*self.period))
        # counting the other side stops as soon as it outnumbers the period
        n_other = self._capped(other, self._in_period + 1)
        if self._in_period < _ESTIMATE_CAP or n_other <= self._in_period:
            return self._in_period < n_other
        d = rollup_day.c
        days = [d.tag == ""]
        if self.since is not None:
            days.append(d.day >= _day(self.since))
        if self.until is not None:
            days.append(d.day <= _day(self.until))
        in_period = self.conn.execute(sa.select(sa.func.sum(d.posts)).where(*days)).scalar()
        in_other = self.conn.execute(estimate).scalar()
        return int(in_period or 0) < int(in_other or 0)

    def tagged(self, tags: list[str]) -> sa.ColumnElement[bool]:
        """Posts with one of `tags`: EXISTS (walk the period) or IN (walk the tag)."""
        has_tag = post_hashtags.c.tag.in_(tags)
        d = rollup_day.c
        estimate = sa.select(sa.func.sum(d.posts)).where(d.tag.in_(tags))
        other = sa.select(post_hashtags.c.tag).where(has_tag)
        if self.period_first(other, estimate, ("tags", *tags)):
            # an alias: the outer query may join post_hashtags itself (co-hashtags), and
            # only `posts` is to be correlated
            own = post_hashtags.alias("has_tag")
            return sa.exists().where(own.c.post_id == posts.c.id, own.c.tag.in_(tags))
        self.by_ids = True
        return posts.c.id.in_(sa.select(post_hashtags.c.post_id).where(has_tag))

    def platforms(self, platforms: tuple[str, ...]) -> sa.ColumnElement[bool]:
        """Posts of these platforms; `platform || ''` where a list of post ids drives,
        or SQLite would walk the platform's posts by `ix_posts_author` and look each up
        in the list (#radiology on X without a period: 3.7 s at 1M posts, measured)."""
        if self.by_ids and self.conn.dialect.name == "sqlite":
            return (posts.c.platform + "").in_(platforms)
        return posts.c.platform.in_(platforms)

    def kinds(self, kinds: tuple[str, ...]) -> sa.ColumnElement[bool]:
        """Posts of these kinds; `kind || ''` keeps SQLite off the kind index — where the
        period is shorter, and where a list of post ids drives: SQLite would otherwise
        walk every original post by the kind index and look each up in the tag's list
        (#radiology on X, originals: 0.35 s at 1M posts, measured)."""
        if self.by_ids and self.conn.dialect.name == "sqlite":
            return (posts.c.kind + "").in_(kinds)
        d = rollup_day.c
        of_kind = {
            "repost": d.reposts,
            "reply": d.replies,
            "quote": d.quotes,
            "original": d.posts - d.reposts - d.replies - d.quotes,
        }
        measure = sum((of_kind[k] for k in kinds if k in of_kind), sa.literal(0))
        estimate = sa.select(sa.func.sum(measure)).where(d.tag == "")
        other = sa.select(posts.c.kind).where(posts.c.kind.in_(kinds))
        if self.period_first(other, estimate, ("kinds", *kinds)):
            return (posts.c.kind + "").in_(kinds)
        return posts.c.kind.in_(kinds)


def _day(dt: datetime) -> int:
    """The UTC day number (since the epoch) of a time, as rollup_day keys days."""
    return (utc(dt) - _EPOCH).days


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _effective(table: sa.Table, owner: str, task: str) -> sa.Select[Any]:
    """(owner id, value) of a label task, a manual label overriding machine ones."""
    manual = sa.select(table.c[owner]).where(table.c.task == task, table.c.method == MANUAL)
    return sa.select(table.c[owner], table.c.value).where(
        table.c.task == task,
        sa.or_(table.c.method == MANUAL, table.c[owner].not_in(manual)),
    )


def label_exists(
    table: sa.Table, owner: str, owner_id: Any, task: str, values: list[str] | tuple[str, ...]
) -> sa.ColumnElement[bool]:
    """EXISTS form of "the owner's effective label for `task` is one of `values`" (a
    manual label, where one exists, overrides the machine ones), for `table` =
    post_labels or account_labels and `owner_id` the outer row's key.

    The database looks the owner's labels up by primary key, one probe per row: the IN
    form (`posts.id IN (every effective label)`) read all labels of the task first — 3 s
    a value for a meeting at 1M posts, measured. Both label tables are aliases, so an
    outer query that joins the label table itself still correlates only `owner_id`.
    """
    label = table.alias()
    manual = table.alias()
    has_manual = sa.exists().where(  # correlated with `label`, the query it sits in
        manual.c[owner] == label.c[owner], manual.c.task == task, manual.c.method == MANUAL
    )
    return sa.exists().where(
        label.c[owner] == owner_id,
        label.c.task == task,
        label.c.value.in_(list(values)),
        sa.or_(label.c.method == MANUAL, ~has_manual),
    )


def effective_post_labels(task: str) -> tuple[sa.Alias, sa.ColumnElement[bool]]:
    """An alias of post_labels and the ON clause that joins each post to its effective
    labels for `task` (a manual label, where one exists, overrides the machine ones) —
    for counting posts per label value in one pass, where `post_label_is` would take a
    pass per value. A post coded alike by two coders has two rows: count distinct posts."""
    label = post_labels.alias("pl")
    manual = post_labels.alias("pl_manual")
    overridden = sa.exists().where(
        manual.c.post_id == label.c.post_id, manual.c.task == task, manual.c.method == MANUAL
    )
    on = sa.and_(
        label.c.post_id == posts.c.id,
        label.c.task == task,
        sa.or_(label.c.method == MANUAL, ~overridden),
    )
    return label, on


def post_label_is(task: str, values: list[str] | tuple[str, ...]) -> sa.ColumnElement[bool]:
    """Posts whose effective label for `task` is one of `values` (see `label_exists`)."""
    return label_exists(post_labels, "post_id", posts.c.id, task, values)


def _author_has_label(
    conn: sa.Connection, task: str, values: tuple[str, ...]
) -> sa.ColumnElement[bool]:
    """Posts whose author's effective account label for `task` is one of `values`."""
    eff = _effective(account_labels, "account_pk", task).subquery()
    authors = (
        sa.select(accounts.c.platform, accounts.c.account_id)
        .join(eff, eff.c.account_pk == accounts.c.id)
        .where(eff.c.value.in_(list(values)))
    )
    return sa.tuple_(posts.c.platform, author_key()).in_(authors)


def author_key() -> sa.ColumnElement[str]:
    """The post author's key in `accounts.account_id`: the platform id, else '@handle'
    (lowercase) for sources that know only a handle — the writer's rule."""
    return sa.func.coalesce(
        posts.c.author_id, sa.literal("@") + sa.func.lower(posts.c.author_handle)
    )


_LABEL_CHUNK = 500


def author_labels(
    conn: sa.Connection, keys: list[tuple[str, str]], task: str = "stakeholder"
) -> dict[tuple[str, str], str]:
    """{(platform, author key): effective label} for the given authors."""
    out: dict[tuple[str, str], str] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, key in keys:
        by_platform.setdefault(platform, []).append(key)
    for platform, ks in by_platform.items():
        for i in range(0, len(ks), _LABEL_CHUNK):
            part = ks[i : i + _LABEL_CHUNK]
            q = (
                sa.select(accounts.c.account_id, account_labels.c.value, account_labels.c.method)
                .join(account_labels, account_labels.c.account_pk == accounts.c.id)
                .where(
                    accounts.c.platform == platform,
                    accounts.c.account_id.in_(part),
                    # `task || ''`: with 500 keys SQLite would otherwise walk every label
                    # of the task by its index and probe accounts (0.8 s a meeting at 1M
                    # posts, measured) instead of looking the 500 accounts up
                    (account_labels.c.task + "") == task,
                )
            )
            manual: set[str] = set()
            for aid, value, method in conn.execute(q):
                if method == "manual":
                    out[(platform, aid)] = value
                    manual.add(aid)
                elif aid not in manual:
                    out[(platform, aid)] = value
    return out


def account_label_map(conn: sa.Connection, task: str = "stakeholder") -> dict[tuple[str, str], str]:
    """{(platform, author key): effective label} for every labelled account
    (the key is `author_key()`: platform id, else '@handle')."""
    eff = _effective(account_labels, "account_pk", task).subquery()
    q = sa.select(accounts.c.platform, accounts.c.account_id, eff.c.value).join(
        eff, eff.c.account_pk == accounts.c.id
    )
    return {(p, a): v for p, a, v in conn.execute(q)}


def stats(conn: sa.Connection, sel: Selection | None = None, top: int = 20) -> dict[str, Any]:
    """Counts by platform, kind and year, top hashtags, accounts, raw records and imports."""
    sel = sel or Selection()
    cond = where(conn, sel)
    n = conn.execute(sa.select(sa.func.count()).select_from(posts).where(*cond)).scalar_one()

    def grouped(col: Any) -> dict[str, int]:
        q = sa.select(col, sa.func.count()).select_from(posts).where(*cond).group_by(col)
        return {str(k): int(v) for k, v in sorted(conn.execute(q), key=lambda r: str(r[0]))}

    year = sa.extract("year", posts.c.created_at)
    tag_q = (
        sa.select(post_hashtags.c.tag, sa.func.count().label("n"))
        .join(posts, posts.c.id == post_hashtags.c.post_id)
        .where(*cond)
        .group_by(post_hashtags.c.tag)
        .order_by(sa.desc("n"), post_hashtags.c.tag)
        .limit(top)
    )
    span = conn.execute(
        sa.select(sa.func.min(posts.c.created_at), sa.func.max(posts.c.created_at)).where(*cond)
    ).one()
    authors = conn.execute(
        sa.select(sa.func.count(sa.distinct(posts.c.author_handle))).where(*cond)
    ).scalar_one()
    return {
        "posts": int(n),
        "by_platform": grouped(posts.c.platform),
        "by_kind": grouped(posts.c.kind),
        "by_year": {str(int(float(k))): v for k, v in grouped(year).items() if k != "None"},
        "top_hashtags": [[t, int(c)] for t, c in conn.execute(tag_q)],
        "authors": int(authors),
        "accounts": int(
            conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one()
        ),
        "raw_records": int(
            conn.execute(sa.select(sa.func.count()).select_from(raw_records)).scalar_one()
        ),
        "imports": int(conn.execute(sa.select(sa.func.count()).select_from(imports)).scalar_one()),
        "first_post_at": utc(span[0]).isoformat() if span[0] else None,
        "last_post_at": utc(span[1]).isoformat() if span[1] else None,
    }


_POST_COLS = [
    posts.c.id,
    posts.c.platform,
    posts.c.platform_id,
    posts.c.url,
    posts.c.author_id,
    posts.c.author_handle,
    posts.c.created_at,
    posts.c.text,
    posts.c.lang,
    posts.c.kind,
    posts.c.reply_to_id,
    posts.c.reply_to_author_id,
    posts.c.quote_of_id,
    posts.c.repost_of_id,
    posts.c.conversation_id,
    posts.c.likes,
    posts.c.reposts,
    posts.c.replies,
    posts.c.quotes,
    posts.c.views,
    posts.c.entities,
    posts.c.extras,
]


def _row_to_post(row: Any, author: Account | None = None) -> Post:
    ent = row.entities or {}
    return Post(
        platform=row.platform,
        platform_id=row.platform_id,
        created_at=utc(row.created_at),
        text=row.text,
        author_id=row.author_id,
        author_handle=row.author_handle,
        url=row.url,
        lang=row.lang,
        kind=row.kind,
        hashtags=tuple(ent.get("hashtags", ())),
        mentions=tuple(ent.get("mentions", ())),
        links=tuple(ent.get("links", ())),
        media=tuple(Media(**m) for m in ent.get("media", ())),
        reply_to_id=row.reply_to_id,
        reply_to_author_id=row.reply_to_author_id,
        quote_of_id=row.quote_of_id,
        repost_of_id=row.repost_of_id,
        conversation_id=row.conversation_id,
        likes=row.likes,
        reposts=row.reposts,
        replies=row.replies,
        quotes=row.quotes,
        views=row.views,
        author=author,
        extras=row.extras or {},
    )


def iter_posts(
    conn: sa.Connection,
    sel: Selection | None = None,
    *,
    order: str = "created_at",
    limit: int | None = None,
    chunk: int = 5000,
) -> Iterator[tuple[int, Post]]:
    """Stream (store id, Post) for a selection without holding it in memory.

    Pages by keyset on (created_at, id) — or on id alone with order="id" — so a large
    export never uses OFFSET and never keeps a server-side cursor open across yields.
    """
    cond = where(conn, sel or Selection())
    last: tuple[Any, ...] | None = None
    seen = 0
    while True:
        q = sa.select(*_POST_COLS).where(*cond)
        if order == "id":
            if last is not None:
                q = q.where(posts.c.id > last[0])
            q = q.order_by(posts.c.id)
        else:
            if last is not None:
                q = q.where(
                    sa.or_(
                        posts.c.created_at > last[1],
                        sa.and_(posts.c.created_at == last[1], posts.c.id > last[0]),
                    )
                )
            q = q.order_by(posts.c.created_at, posts.c.id)
        page = limit - seen if limit is not None else chunk
        rows = conn.execute(q.limit(min(chunk, page))).all()
        if not rows:
            return
        for row in rows:
            yield row.id, _row_to_post(row)
        seen += len(rows)
        if limit is not None and seen >= limit:
            return
        last = (rows[-1].id, rows[-1].created_at)


def search(
    conn: sa.Connection, sel: Selection, limit: int = 50, newest_first: bool = True
) -> list[Post]:
    """Posts matching a selection, newest first (the CLI's `search`)."""
    order = posts.c.created_at.desc() if newest_first else posts.c.created_at
    q = sa.select(*_POST_COLS).where(*where(conn, sel)).order_by(order, posts.c.id).limit(limit)
    return [_row_to_post(r) for r in conn.execute(q)]


def stream_rows(
    conn: sa.Connection, q: sa.Select[Any], params: dict[str, Any] | None = None
) -> Iterator[Any]:
    """Rows of a query in pages (a server-side cursor on PostgreSQL); `params` are the
    values of its `bindparam`s."""
    yield from conn.execute(q.execution_options(yield_per=STREAM_ROWS), params)


def plain_rows(
    conn: sa.Connection, q: sa.Select[Any], params: dict[str, Any] | None = None
) -> Iterator[Sequence[Any]]:
    """`stream_rows` as the driver's own tuples where that is safe: SQLite's cursor
    steps the statement as rows are fetched and SQLAlchemy reads none ahead without
    `yield_per`, so its cursor can be read directly — SQLAlchemy's Row for each cost
    15–20 ms for 16,500 posts of the interaction graph and 50–90 ms for the 38,000 of a
    tweetchat's tag (measured). The columns read this way must need no result
    processing (text, integers, and flags read for their truth; a timestamp is read as
    SQLite's text). PostgreSQL streams through SQLAlchemy (its server-side cursor is
    read ahead by one row)."""
    if conn.dialect.name != "sqlite":
        yield from stream_rows(conn, q, params)
        return
    result = conn.execute(q, params)
    try:
        while rows := result.cursor.fetchmany(STREAM_ROWS):
            yield from rows
    finally:
        result.close()
