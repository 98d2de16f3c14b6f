"""Census and share of voice: who has accounts where, how active and how followed they
are over time, and how much of the conversation names each brand.

Two audiences ask these questions. Practices, vendors and journals want to know where
they and their competitors are present and what share of the mentions they get;
researchers publish figures such as "28 % of the top 50 radiology journals had their own
Twitter account". Both start from the registry's entities (`[entities.*]`: a name, a
stakeholder kind and handles per platform) or, for the whole conversation, from every
author grouped by stakeholder label (a manual label wins over the classifier's).

What the store can and cannot tell:
- An account is *present* when the store knows it (it posted in an import, or a profile
  lookup described it); an account that exists but never appeared in the data reads as
  absent. The census measures the data, not the platforms.
- First and last seen come from the account's own posts in the selection; when it has
  none there, from when the store first and last observed the account.
- Followers over time come from `account_snapshots` (one row per account and day of
  observation): the last observation in each bucket. Buckets without an observation
  have no row rather than a guessed value.

Every count is aggregated in the database; lists of handles, account ids and keys are
sent in chunks of at most 500 (SQLite's and psycopg's parameter limits, and stable
PostgreSQL plans).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from radsocial.analysis.stakeholder import to_symplur
from radsocial.analysis.taxonomy import STAKEHOLDERS
from radsocial.analytics.result import Report, Table, empty_note
from radsocial.analytics.scope import EPOCH, connect, ensure_rollups, period, whole_years
from radsocial.analytics.timeseries import bucket_of, label
from radsocial.knowledge.registry import Entity, Registry, default_registry
from radsocial.models import PLATFORMS, utc
from radsocial.store import Selection
from radsocial.store.queries import MANUAL, where
from radsocial.store.rollups import hour_of
from radsocial.store.schema import (
    account_labels,
    account_snapshots,
    accounts,
    post_labels,
    post_mentions,
    posts,
    rollup_author,
    rollup_author_year,
)

__all__ = ["GROUPS", "INTERVALS", "census", "share_of_voice"]

#: What a census counts: the registry's entities, or every author by stakeholder label.
GROUPS = ("entities", "stakeholders")
#: Buckets for activity and followers; no "hour": snapshots are dated by day.
INTERVALS = ("day", "week", "month", "year")
#: Most keys sent in one IN (...) list.
CHUNK = 500

PRESENCE_COLUMNS = [
    "entity",
    "name",
    "kind",
    "platform",
    "handle",
    "present",
    "first_seen",
    "last_seen",
    "posts",
    "followers",
]
SUMMARY_COLUMNS = ["kind", "platform", "entities", "listed", "present", "pct_present"]
FOLLOWER_COLUMNS = ["entity", "platform", "bucket", "followers"]
ENTITY_ACTIVITY_COLUMNS = ["entity", "bucket", "posts"]
STAKEHOLDER_COLUMNS = [
    "stakeholder",
    "symplur",
    "platform",
    "accounts",
    "active_accounts",
    "posts",
    "posts_pct",
    "first_seen",
    "last_seen",
    "median_followers",
]
STAKEHOLDER_ACTIVITY_COLUMNS = ["stakeholder", "bucket", "posts"]
SOV_COLUMNS = [
    "entity",
    "name",
    "mentions",
    "share_pct",
    "positive",
    "neutral",
    "negative",
    "net_sentiment",
]


# -- options ------------------------------------------------------------------------------


def _check(option: str, value: Any, valid: Sequence[str]) -> None:
    """A ValueError naming the command-line option and the values it accepts."""
    if value not in valid:
        raise ValueError(f"{option}: {value!r} is not one of {', '.join(valid)}")


def _chunks(seq: Sequence[Any], n: int | None = None) -> Iterator[Sequence[Any]]:
    n = max(1, n or CHUNK)
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _platform_order(p: str) -> tuple[int, str]:
    """Platforms in the model's order (x first), unknown ones after, by name."""
    return (PLATFORMS.index(p), p) if p in PLATFORMS else (len(PLATFORMS), p)


def _entities(registry: Registry, kind: str | None) -> list[Entity]:
    """The registry's entities of `kind` (all when None), by kind then key."""
    out = [e for e in registry.entities.values() if kind is None or e.kind == kind]
    return sorted(out, key=lambda e: (e.kind, e.key.casefold()))


def _handles(e: Entity, sel: Selection) -> dict[str, tuple[str, ...]]:
    """The entity's handles on the platforms the selection keeps, '@' stripped."""
    out = {}
    for p, hs in e.handles.items():
        if sel.platforms and p not in sel.platforms:
            continue
        out[p] = tuple(h.lstrip("@") for h in hs)
    return out


def _bucketer(interval: str) -> Callable[[int], str]:
    """Day number (UTC) -> bucket label, cached: thousands of rows share few buckets."""
    cache: dict[int, str] = {}

    def of_day(day: int) -> str:
        hit = cache.get(day)
        if hit is None:
            hit = label(bucket_of(EPOCH + timedelta(days=day), interval), interval)
            cache[day] = hit
        return hit

    return of_day


def _date_label(d: date, interval: str) -> str:
    return label(
        bucket_of(datetime(d.year, d.month, d.day, tzinfo=EPOCH.tzinfo), interval), interval
    )


def _aware(dt: datetime | None) -> datetime | None:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    return utc(dt) if dt is not None else None


# -- census: entities ---------------------------------------------------------------------


@dataclass(slots=True)
class _Acct:
    pk: int
    account_id: str
    followers: int | None
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(slots=True)
class _Unit:
    """One registry handle of one entity on one platform, with what the store knows."""

    entity: Entity
    platform: str
    handle: str  # as the registry writes it
    accounts: list[_Acct] = field(default_factory=list)
    posts: int = 0
    first_post: datetime | None = None
    last_post: datetime | None = None

    @property
    def key(self) -> str:
        return self.handle.lower()

    @property
    def present(self) -> bool:
        """The store knows the account, or holds posts by its handle (a source that
        stored posts without describing their author)."""
        return bool(self.accounts) or self.posts > 0


def _find_accounts(conn: sa.Connection, platform: str, units: dict[str, _Unit]) -> None:
    """Attach the stored accounts of each handle (by handle, or by the '@handle' id that
    handle-only sources write)."""
    keys = sorted(units)
    a = accounts.c
    for part in _chunks(keys, CHUNK // 2):
        q = sa.select(a.id, a.account_id, a.handle, a.followers, a.first_seen, a.last_seen).where(
            a.platform == platform,
            sa.or_(
                sa.func.lower(a.handle).in_(list(part)),
                a.account_id.in_(["@" + k for k in part]),
            ),
        )
        for pk, aid, handle, followers, first, last in conn.execute(q):
            h = (handle or "").lower()
            unit = units.get(h) or units.get(aid[1:] if aid.startswith("@") else "")
            if unit is not None:
                unit.accounts.append(_Acct(pk, aid, followers, _aware(first), _aware(last)))


def _own_posts(
    conn: sa.Connection,
    sel: Selection,
    platform: str,
    units: dict[str, _Unit],
    of_day: Callable[[int], str],
    activity: dict[tuple[str, str], int],
    years: list[sa.ColumnElement[bool]] | None = None,
) -> None:
    """Count each handle's own posts in the selection, per day, with first and last.

    With `years` (see `_rollup_years`) the counts come per year from
    rollup_author_year, looked up by handle and author id — the posts' own
    `lower(author_handle)` can use no index, so each platform was a scan of every post
    (3.5 s at 1M posts, measured). The rows have the same grouping either way.

    A post is the account's when its author id is a stored account of the handle
    (handles change, ids do not), else when its author handle is the handle. Units are
    sent in chunks; a row is kept only by the chunk its attribution falls in, so a post
    whose old handle and id point at two entities counts once.
    """
    by_id = {
        acct.account_id: u
        for u in units.values()
        for acct in u.accounts
        if not acct.account_id.startswith("@")
    }
    c = posts.c
    handle = sa.func.lower(c.author_handle)
    day = hour_of(conn, c.created_at) // 24
    batch: list[_Unit] = []
    size = 0
    groups: list[list[_Unit]] = []
    for u in sorted(units.values(), key=lambda u: u.key):
        n = 1 + sum(1 for x in u.accounts if not x.account_id.startswith("@"))
        if batch and size + n > CHUNK:
            groups.append(batch)
            batch, size = [], 0
        batch.append(u)
        size += n
    if batch:
        groups.append(batch)
    for group in groups:
        mine = {id(u) for u in group}
        hs = [u.key for u in group]
        ids = [x.account_id for u in group for x in u.accounts if not x.account_id.startswith("@")]
        q: sa.Select[Any]
        if years is not None:
            r = rollup_author_year.c
            found = r.handle.in_(hs) if not ids else sa.or_(r.handle.in_(hs), r.author_id.in_(ids))
            q = sa.select(
                sa.func.nullif(r.handle, ""),
                sa.func.nullif(r.author_id, ""),
                r.year,
                r.posts,
                r.first_at,
                r.last_at,
            ).where(*years, r.platform == platform, found)
        else:
            match = handle.in_(hs) if not ids else sa.or_(handle.in_(hs), c.author_id.in_(ids))
            q = (
                sa.select(
                    handle.label("h"),
                    c.author_id,
                    day.label("day"),
                    sa.func.count(),
                    sa.func.min(c.created_at),
                    sa.func.max(c.created_at),
                )
                .where(*where(conn, sel), c.platform == platform, match)
                .group_by(handle, c.author_id, day)
            )
        bucket = _year_label if years is not None else of_day
        for h, aid, d, n, lo, hi in conn.execute(q):
            unit = by_id.get(aid) if aid is not None else None
            if unit is None:
                unit = units.get(h or "")
            if unit is None or id(unit) not in mine:
                continue
            lo, hi = _aware(lo), _aware(hi)
            unit.posts += int(n)
            if lo is not None and (unit.first_post is None or lo < unit.first_post):
                unit.first_post = lo
            if hi is not None and (unit.last_post is None or hi > unit.last_post):
                unit.last_post = hi
            activity[(unit.entity.key, bucket(int(d)))] += int(n)


def _followers(
    conn: sa.Connection, sel: Selection, units: list[_Unit], interval: str
) -> list[list[Any]]:
    """(entity, platform, bucket, followers): each account's last snapshot in the bucket,
    summed over the entity's accounts on that platform."""
    owner = {acct.pk: u for u in units for acct in u.accounts}
    if not owner:
        return []
    s = account_snapshots.c
    last: dict[tuple[int, str], tuple[date, int]] = {}
    for part in _chunks(sorted(owner)):
        q = sa.select(s.account_pk, s.observed_on, s.followers).where(
            s.account_pk.in_(list(part)), s.followers.is_not(None)
        )
        if sel.since:
            q = q.where(s.observed_on >= utc(sel.since).date())
        if sel.until:
            q = q.where(s.observed_on <= (utc(sel.until) - timedelta(microseconds=1)).date())
        for pk, day, followers in conn.execute(q):
            if isinstance(day, datetime):
                day = day.date()
            key = (int(pk), _date_label(day, interval))
            prev = last.get(key)
            if prev is None or day > prev[0]:
                last[key] = (day, int(followers))
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    for (pk, bucket), (_, followers) in last.items():
        u = owner[pk]
        sums[(u.entity.key, u.platform, bucket)] += followers
    return [
        [e, p, b, n]
        for (e, p, b), n in sorted(
            sums.items(),
            key=lambda kv: (kv[0][0].casefold(), _platform_order(kv[0][1]), kv[0][2]),
        )
    ]


def _entity_census(
    rep: Report, conn: sa.Connection, sel: Selection, ents: list[Entity], interval: str
) -> None:
    by_platform: dict[str, dict[str, _Unit]] = defaultdict(dict)
    ordered: list[_Unit] = []
    for e in ents:
        for p in sorted(_handles(e, sel), key=_platform_order):
            for h in _handles(e, sel)[p]:
                # Registry loading refuses a handle claimed by two entities; one entity
                # naming a handle twice ("X", "@x") gets one row.
                if h.lower() in by_platform[p]:
                    continue
                u = by_platform[p][h.lower()] = _Unit(e, p, h)
                ordered.append(u)
    of_day = _bucketer(interval)
    activity: dict[tuple[str, str], int] = defaultdict(int)
    years = _rollup_years(conn, sel, interval)
    for p, units in by_platform.items():
        _find_accounts(conn, p, units)
        _own_posts(conn, sel, p, units, of_day, activity, years)

    rows: list[list[Any]] = []
    for u in ordered:
        latest = max(
            u.accounts,
            key=lambda a: (a.last_seen is not None, a.last_seen or EPOCH, a.pk),
            default=None,
        )
        firsts = [a.first_seen for a in u.accounts if a.first_seen is not None]
        lasts = [a.last_seen for a in u.accounts if a.last_seen is not None]
        first = u.first_post if u.posts else (min(firsts) if firsts else None)
        last = u.last_post if u.posts else (max(lasts) if lasts else None)
        rows.append(
            [
                u.entity.key,
                u.entity.name,
                u.entity.kind,
                u.platform,
                u.handle,
                u.present,
                first,
                last,
                u.posts,
                latest.followers if latest is not None else None,
            ]
        )
    rep.tables.append(
        Table(
            "presence",
            PRESENCE_COLUMNS,
            rows,
            title="Registry entities: accounts, activity and followers per platform",
            notes=[
                "present: the store knows the account (it posted, or a lookup described "
                "it). first_seen / last_seen: its own posts in the selection, else when "
                "the store first and last observed it. followers: the latest observation."
            ],
        )
    )

    # presence summary: per kind and platform, how many entities the store finds there
    platforms = sorted({u.platform for u in ordered}, key=_platform_order)
    present_on: dict[str, set[str]] = defaultdict(set)  # platform -> entity keys
    listed_on: dict[str, set[str]] = defaultdict(set)
    for u in ordered:
        listed_on[u.platform].add(u.entity.key)
        if u.present:
            present_on[u.platform].add(u.entity.key)
    summary: list[list[Any]] = []
    for kind in sorted({e.kind for e in ents}):
        keys = {e.key for e in ents if e.kind == kind}
        n = len(keys)
        for p in [*platforms, "any"]:
            if p == "any":
                listed = {k for q in platforms for k in listed_on[q]} & keys
                present = {k for q in platforms for k in present_on[q]} & keys
            else:
                listed, present = listed_on[p] & keys, present_on[p] & keys
            pct = round(len(present) / n * 100, 1) if n else None
            summary.append([kind, p, n, len(listed), len(present), pct])
    rep.tables.append(
        Table(
            "presence_summary",
            SUMMARY_COLUMNS,
            summary,
            title="Share of each kind's registry entities with an account in the store",
            chart={"kind": "bar", "x": "platform", "y": ["pct_present"], "series": ["kind"]},
            notes=[
                "entities: the registry's entities of the kind (the denominator); listed: "
                "the registry names a handle on the platform; present: the store knows "
                "that account. 'any' counts an entity present on at least one platform."
            ],
        )
    )
    rep.tables.append(
        Table(
            "followers",
            FOLLOWER_COLUMNS,
            _followers(conn, sel, ordered, interval),
            title=f"Followers per {interval} (last observation in each {interval})",
            chart={
                "kind": "line",
                "x": "bucket",
                "y": ["followers"],
                "series": ["entity", "platform"],
            },
            notes=[
                "From the dated account snapshots; an entity with several accounts on one "
                "platform shows their sum. Buckets without an observation are left out."
            ],
        )
    )
    act = [[e, b, n] for (e, b), n in sorted(activity.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    rep.tables.append(
        Table(
            "activity",
            ENTITY_ACTIVITY_COLUMNS,
            act,
            title=f"The entities' own posts per {interval}",
            chart={"kind": "stacked_bar", "x": "bucket", "y": ["posts"], "series": ["entity"]},
        )
    )
    entities_present = {u.entity.key for u in ordered if u.present}
    rep.metrics["entities"] = len(ents)
    rep.metrics["entities_present"] = len(entities_present)
    rep.metrics["posts"] = sum(u.posts for u in ordered)


# -- census: stakeholders -----------------------------------------------------------------


def _effective_stakeholder() -> sa.Subquery:
    """(account_pk, value): one effective stakeholder label per account.

    A manual label wins over the classifier's; should two coders disagree, the
    alphabetically first value is kept so that an account is counted once.
    """
    lab = account_labels.c
    manual = sa.select(lab.account_pk).where(lab.task == "stakeholder", lab.method == MANUAL)
    return (
        sa.select(lab.account_pk, sa.func.min(lab.value).label("value"))
        .where(
            lab.task == "stakeholder",
            sa.or_(lab.method == MANUAL, lab.account_pk.not_in(manual)),
        )
        .group_by(lab.account_pk)
        .subquery("eff")
    )


def _label_filter(col: Any, values: Iterable[str]) -> sa.ColumnElement[bool]:
    """The effective label is one of `values`; "unknown" also matches no label at all."""
    vals = list(values)
    cond = col.in_(vals)
    return sa.or_(cond, col.is_(None)) if "unknown" in vals else cond


def _symplur(value: str) -> str | None:
    try:
        return to_symplur(value)
    except ValueError:  # a custom segment: Symplur has no name for it
        return None


def _stakeholder_labels(conn: sa.Connection) -> dict[int, str]:
    """{account pk: effective stakeholder label} (as `_effective_stakeholder` defines
    it: manual wins, then the smallest value), read once as plain rows and resolved
    here: joining every post or account to the grouped label subquery made SQLite
    materialize it per query, and grouping it alone took 160 ms at 67,000 accounts
    (measured) — twice reading the rows."""
    lab = account_labels.c
    manual: dict[int, str] = {}
    machine: dict[int, str] = {}
    q = sa.select(lab.account_pk, lab.value, lab.method).where(lab.task == "stakeholder")
    for pk, value, method in conn.execute(q).all():
        into = manual if method == MANUAL else machine
        prev = into.get(pk)
        if prev is None or value < prev:
            into[pk] = value
    machine.update(manual)
    return machine


def _keeps(value: str | None, wanted: Iterable[str]) -> bool:
    """`_label_filter` in Python: the label is one of `wanted`; "unknown" matches none."""
    vals = list(wanted)
    return value in vals or (value is None and "unknown" in vals)


def _median(values: list[int]) -> float:
    """The median as the SQL window form computed it: the middle value, or the mean of
    the two middle ones."""
    values.sort()
    n = len(values)
    mid = n // 2
    return float(values[mid]) if n % 2 else (values[mid - 1] + values[mid]) / 2


def _raw_time(conn: sa.Connection, col: Any) -> Any:
    """A timestamp column as the database stores it, for min/max in Python: SQLite's
    fixed-width text sorts as the times do, and parsing every row's time into a datetime
    took a third of a census (measured); PostgreSQL's driver hands datetimes already."""
    return sa.type_coerce(col, sa.String) if conn.dialect.name == "sqlite" else col


def _time(v: Any) -> datetime | None:
    """A value read with `_raw_time` as an aware datetime."""
    if v is None:
        return None
    return _aware(datetime.fromisoformat(v) if isinstance(v, str) else v)


#: (platform, author id, lowercase handle) of a group of posts; None where there is none.
_Author = tuple[str, str | None, str | None]


def _author_groups(
    conn: sa.Connection, sel: Selection, interval: str
) -> tuple[
    Iterable[tuple[str, Any, Any, int, Any, Any]],
    Iterable[tuple[str, Any, Any, int, int]],
    Callable[[int], str],
]:
    """The selection's posts grouped by author: (spans, units, bucket label of a unit).

    spans: (platform, author id, handle, posts, first, last) — an author may have
    several rows (one per unit); units: (platform, author id, handle, unit, posts).
    From the author rollups when they answer the selection (see `_rollup_years`): the
    whole store reads ~67,000 author rows and ~316,000 author-year rows instead of
    grouping a million posts (18 s at 1M posts, measured). Otherwise from the posts,
    grouped by author and UTC day.
    """
    years = _rollup_years(conn, sel, interval)
    if years is not None:
        y = rollup_author_year.c
        plat = [y.platform.in_(list(sel.platforms))] if sel.platforms else []
        unit_q = sa.select(y.platform, y.author_id, y.handle, y.year, y.posts).where(*years, *plat)
        # whole store: one row per author; whole years: one per author-year
        t = y if years else rollup_author.c
        span_q = sa.select(
            t.platform,
            t.author_id,
            t.handle,
            t.posts,
            _raw_time(conn, t.first_at),
            _raw_time(conn, t.last_at),
        ).where(*years, *([t.platform.in_(list(sel.platforms))] if sel.platforms else []))
        # .all(): one fetchall, several times quicker than a fetch per row
        return conn.execute(span_q).all(), conn.execute(unit_q).all(), _year_label
    c = posts.c
    handle = sa.func.lower(c.author_handle)
    day = hour_of(conn, c.created_at) // 24
    q = (
        sa.select(
            c.platform,
            sa.func.coalesce(c.author_id, ""),
            sa.func.coalesce(handle, ""),
            day,
            sa.func.count(),
            _raw_time(conn, sa.func.min(c.created_at)),
            _raw_time(conn, sa.func.max(c.created_at)),
        )
        .where(*where(conn, sel))
        .group_by(c.platform, c.author_id, handle, day)
    )
    rows = conn.execute(q).all()
    spans = [(p, a, h, n, lo, hi) for p, a, h, _, n, lo, hi in rows]
    units = [(p, a, h, u, n) for p, a, h, u, n, _, _ in rows]
    return spans, units, _bucketer(interval)


@lru_cache(maxsize=1024)
def _year_label(year: int) -> str:
    return label(bucket_of(datetime(year, 1, 1, tzinfo=EPOCH.tzinfo), "year"), "year")


def _rollup_years(
    conn: sa.Connection, sel: Selection, interval: str
) -> list[sa.ColumnElement[bool]] | None:
    """The year filter on rollup_author_year that selects exactly `sel`'s posts, or None
    when the author rollups cannot answer: they know platform and UTC year only, so the
    selection may filter on platforms and whole calendar years, and the activity must be
    by year."""
    if interval != "year":
        return None
    for f in ("query", "hashtags", "accounts", "langs", "kinds", "keywords", "stakeholders"):
        if getattr(sel, f):
            return None
    if sel.relevant is not None:
        return None
    r = rollup_author_year.c
    if sel.since is None and sel.until is None:
        cond: list[sa.ColumnElement[bool]] = []
    else:
        span = whole_years(sel.since, sel.until)
        if span is None:
            return None
        cond = [r.year >= span[0], r.year < span[1]]
    ensure_rollups(conn)
    return cond


def _stakeholder_census(
    rep: Report, conn: sa.Connection, sel: Selection, kind: str | None, interval: str
) -> None:
    """Accounts and posts by effective stakeholder label and platform.

    Labels are read once into a dict and attached in Python, the accounts in one
    pass, and the posts as per-author groups (`_author_units`: the author rollups, or
    the posts grouped by author and day) — the counts the joins gave, without a join.
    """
    labels = _stakeholder_labels(conn)
    a = accounts.c
    cols: list[Any] = [
        a.id,
        a.platform,
        a.account_id,
        _raw_time(conn, a.first_seen),
        _raw_time(conn, a.last_seen),
        a.followers,
    ]
    q = sa.select(*cols)
    wanted_handles: set[str] | None = None
    if sel.accounts:
        wanted_handles = {h.lstrip("@").lower() for h in sel.accounts}
        q = sa.select(*cols, sa.func.lower(a.handle))
    pk_of: dict[tuple[str, str], int] = {}
    known: dict[tuple[str, str], list[Any]] = {}
    followers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in conn.execute(q).all():
        pk, platform, aid, first, last, fol = row[:6]
        pk_of[(platform, aid)] = pk
        value = labels.get(pk)
        if sel.platforms and platform not in sel.platforms:
            continue
        if wanted_handles is not None and row[6] not in wanted_handles:
            continue
        if sel.stakeholders and not _keeps(value, sel.stakeholders):
            continue
        if kind is not None and not _keeps(value, [kind]):
            continue
        key = (value or "unknown", platform)
        prev = known.get(key)
        if prev is None:  # NULL and an explicit "unknown" label are one group
            known[key] = [1, first, last]
        else:
            prev[0] += 1
            if first is not None and (prev[1] is None or first < prev[1]):
                prev[1] = first
            if last is not None and (prev[2] is None or last > prev[2]):
                prev[2] = last
        if fol is not None:
            followers[key].append(int(fol))
    medians = {key: _median(vals) for key, vals in followers.items()}
    for v in known.values():
        v[1], v[2] = _time(v[1]), _time(v[2])

    # the selection's posts, by their author's label ("" = no author id / handle)
    spans, units, bucket = _author_groups(conn, sel, interval)
    group_of: dict[tuple[str, str, str], tuple[str, str] | None] = {}
    active: dict[tuple[str, str], list[Any]] = {}
    authors: dict[tuple[str, str], set[str]] = defaultdict(set)
    total = 0
    for platform, aid, handle, n, lo, hi in spans:
        n = int(n)
        total += n
        author = (platform, aid, handle)
        key = group_of.get(author, False)
        if key is False:
            who = aid or ("@" + handle if handle else None)
            pk = pk_of.get((platform, who)) if who is not None else None
            value = labels.get(pk) if pk is not None else None
            key = (
                None
                if kind is not None and not _keeps(value, [kind])
                else (value or "unknown", platform)
            )
            group_of[author] = key
            if key is not None and who is not None:
                authors[key].add(who)
        if key is None:
            continue
        prev = active.get(key)
        if prev is None:  # NULL and an explicit "unknown" label are one group
            active[key] = [n, lo, hi]
        else:
            prev[0] += n
            if lo is not None and (prev[1] is None or lo < prev[1]):
                prev[1] = lo
            if hi is not None and (prev[2] is None or hi > prev[2]):
                prev[2] = hi
    activity: dict[tuple[str, str], int] = defaultdict(int)
    per_unit: dict[tuple[str, int], int] = defaultdict(int)
    get = group_of.get
    for platform, aid, handle, unit, n in units:
        key = get((platform, aid, handle))
        if key is not None:
            per_unit[(key[0], unit)] += n
    for (value, unit), n in per_unit.items():
        activity[(value, bucket(int(unit)))] += int(n)
    for v in active.values():
        v[1], v[2] = _time(v[1]), _time(v[2])

    if kind is None:  # the share is a share of all the selection's posts
        total = sum(v[0] for v in active.values())
    rows: list[list[Any]] = []
    for key in set(known) | set(active):
        value, platform = key
        n_acc, a_first, a_last = known.get(key, [0, None, None])
        n_posts, p_first, p_last = active.get(key, [0, None, None])
        rows.append(
            [
                value,
                _symplur(value),
                platform,
                n_acc,
                len(authors.get(key, ())),
                n_posts,
                round(n_posts / total * 100, 1) if total else None,
                p_first if n_posts else a_first,
                p_last if n_posts else a_last,
                medians.get(key),
            ]
        )
    rows.sort(key=lambda r: (-r[5], -r[3], r[0], _platform_order(r[2])))
    rep.tables.append(
        Table(
            "by_stakeholder",
            STAKEHOLDER_COLUMNS,
            rows,
            title="Authors by stakeholder and platform",
            chart={"kind": "bar", "x": "stakeholder", "y": ["posts"], "series": ["platform"]},
            notes=[
                "accounts: known to the store; active_accounts: posting in the selection; "
                "posts_pct: of the selection's posts. first_seen / last_seen: the group's "
                "posts in the selection, else when the store observed its accounts. "
                "Authors without a stakeholder label count as unknown; run "
                "`radsocial classify` to label them."
            ],
        )
    )
    act = [[s, b, n] for (s, b), n in sorted(activity.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    rep.tables.append(
        Table(
            "activity",
            STAKEHOLDER_ACTIVITY_COLUMNS,
            act,
            title=f"Posts per {interval} by stakeholder",
            chart={"kind": "stacked_bar", "x": "bucket", "y": ["posts"], "series": ["stakeholder"]},
        )
    )
    rep.metrics["accounts"] = sum(v[0] for v in known.values())
    rep.metrics["active_accounts"] = sum(len(v) for v in authors.values())
    rep.metrics["posts"] = sum(v[0] for v in active.values())


def census(
    store: Any,
    sel: Selection | None = None,
    *,
    group: str = "entities",
    kind: str | None = None,
    interval: str = "year",
    registry: Registry | None = None,
) -> Report:
    """Who is present where, since when, how active and how followed.

    `group="entities"` follows the registry's entities (optionally of one stakeholder
    `kind`, e.g. "journal_publisher"): tables presence, presence_summary, followers and
    activity. `group="stakeholders"` covers every author by effective stakeholder label
    (`kind` keeps one label): tables by_stakeholder and activity. The selection filters
    the posts counted; presence and account counts are about the whole store on the
    selected platforms.
    """
    _check("--group", group, GROUPS)
    _check("--interval", interval, INTERVALS)
    if kind is not None:
        _check("--kind", kind, STAKEHOLDERS)
    sel = sel or Selection()
    rep = Report("census", sel.describe(), {"group": group, "kind": kind, "interval": interval})
    with connect(store) as conn:
        per = period(conn, sel)
        if per is not None:
            rep.params.update(since=per.since.isoformat(), until=per.until.isoformat())
        if group == "entities":
            reg = registry if registry is not None else default_registry()
            ents = _entities(reg, kind)
            if not ents:
                what = f" of kind {kind!r}" if kind else ""
                rep.notes.append(
                    f"The registry lists no entities{what}: add them under [entities.*] in "
                    "a registry file (see docs/registry.md) and pass it with --registry."
                )
                for name, cols in (
                    ("presence", PRESENCE_COLUMNS),
                    ("presence_summary", SUMMARY_COLUMNS),
                    ("followers", FOLLOWER_COLUMNS),
                    ("activity", ENTITY_ACTIVITY_COLUMNS),
                ):
                    rep.tables.append(Table(name, cols, []))
                return rep
            _entity_census(rep, conn, sel, ents, interval)
        else:
            _stakeholder_census(rep, conn, sel, kind, interval)
    if per is None:
        rep.notes.append(empty_note(sel.describe()))
    return rep


# -- share of voice -----------------------------------------------------------------------


def _posts_with(inner: sa.Subquery, sentiment: str) -> sa.ColumnElement[int]:
    """Distinct mentioning posts whose effective sentiment is `sentiment`."""
    return sa.func.count(sa.distinct(sa.case((inner.c.sentiment == sentiment, inner.c.pid))))


def _mention_counts(
    conn: sa.Connection, sel: Selection, platform: str, owner: dict[str, str]
) -> Iterator[tuple[str, int, int, int, int]]:
    """(entity key, posts mentioning it, positive, neutral, negative) on one platform.

    `owner` maps lowercase handles to entity keys. A post counts once per entity even
    when it names two of its handles. Entities are sent whole in chunks of at most
    CHUNK handles, so no entity's posts are split (and double counted) across chunks.
    """
    by_entity: dict[str, list[str]] = defaultdict(list)
    for h, key in owner.items():
        by_entity[key].append(h)
    groups: list[list[str]] = []
    batch: list[str] = []
    for key in sorted(by_entity):
        hs = by_entity[key]
        if batch and len(batch) + len(hs) > CHUNK:
            groups.append(batch)
            batch = []
        batch.extend(hs)
    if batch:
        groups.append(batch)

    pl = post_labels.alias("pl")
    manual = post_labels.alias("pl_manual")
    overridden = sa.exists().where(
        manual.c.post_id == pl.c.post_id,
        manual.c.task == "sentiment",
        manual.c.method == MANUAL,
    )
    c, m = posts.c, post_mentions.c
    for hs in groups:
        ent = sa.case({h: owner[h] for h in hs}, value=m.handle)
        inner = (
            sa.select(ent.label("ent"), c.id.label("pid"), pl.c.value.label("sentiment"))
            .select_from(
                posts.join(post_mentions, m.post_id == c.id).outerjoin(
                    pl,
                    sa.and_(
                        pl.c.post_id == c.id,
                        pl.c.task == "sentiment",
                        sa.or_(pl.c.method == MANUAL, ~overridden),
                    ),
                )
            )
            .where(*where(conn, sel), c.platform == platform, m.handle.in_(hs))
            .subquery()
        )
        q = sa.select(
            inner.c.ent,
            sa.func.count(sa.distinct(inner.c.pid)),
            *(_posts_with(inner, v) for v in ("positive", "neutral", "negative")),
        ).group_by(inner.c.ent)
        for key, n, pos, neu, neg in conn.execute(q):
            yield key, int(n), int(pos or 0), int(neu or 0), int(neg or 0)


def share_of_voice(
    store: Any,
    sel: Selection | None = None,
    *,
    kind: str = "vendor_industry",
    registry: Registry | None = None,
) -> Report:
    """Each entity's share of the mentions of its competitive set, with net sentiment.

    The competitive set is the registry's entities of `kind` (vendors, practices,
    journals...). An entity's mentions are the selection's posts that @mention one of
    its handles on that platform (reposts included, as Symplur counts them); share of
    voice = its mentions / the mentions of the whole set × 100, so the shares add up to
    100 and a post naming two competitors counts for both. Net sentiment = (positive −
    negative) / the mentioning posts that carry a sentiment label (manual wins), None
    where none do.
    """
    _check("--kind", kind, STAKEHOLDERS)
    sel = sel or Selection()
    reg = registry if registry is not None else default_registry()
    rep = Report("share_of_voice", sel.describe(), {"kind": kind})
    ents = [e for e in _entities(reg, kind) if _handles(e, sel)]
    rep.params["competitive_set"] = [e.key for e in ents]
    chart = {"kind": "pie", "x": "entity", "y": ["mentions"]}
    title = f"Share of voice among {kind} entities"
    if not ents:
        where_ = f" on {', '.join(sel.platforms)}" if sel.platforms else ""
        rep.notes.append(
            f"The competitive set is empty: the registry lists no {kind} entities with "
            f"handles{where_}. Add them under [entities.*] in a registry file (see "
            "docs/registry.md) and pass it with --registry."
        )
        rep.metrics["total_mentions"] = 0
        rep.tables.append(Table("share_of_voice", SOV_COLUMNS, [], title=title, chart=chart))
        return rep
    owners: dict[str, dict[str, str]] = defaultdict(dict)  # platform -> handle -> key
    for e in ents:
        for p, hs in _handles(e, sel).items():
            for h in hs:
                owners[p][h.lower()] = e.key
    counts: dict[str, list[int]] = {e.key: [0, 0, 0, 0] for e in ents}
    with connect(store) as conn:
        per = period(conn, sel)
        if per is not None:
            rep.params.update(since=per.since.isoformat(), until=per.until.isoformat())
            for p in sorted(owners, key=_platform_order):
                for key, n, pos, neu, neg in _mention_counts(conn, sel, p, owners[p]):
                    acc = counts[key]
                    for i, v in enumerate((n, pos, neu, neg)):
                        acc[i] += v
    total = sum(v[0] for v in counts.values())
    rep.metrics["total_mentions"] = total
    if not total:
        rep.notes.append(
            empty_note(sel.describe())
            if per is None
            else f"No post in this selection mentions any of the {len(ents)} {kind} "
            "entities' handles; there is no share of voice to compute."
        )
        rep.tables.append(Table("share_of_voice", SOV_COLUMNS, [], title=title, chart=chart))
        return rep
    names = {e.key: e.name for e in ents}
    rows: list[list[Any]] = []
    for key, (n, pos, neu, neg) in counts.items():
        labelled = pos + neu + neg
        rows.append(
            [
                key,
                names[key],
                n,
                round(n / total * 100, 1),
                pos,
                neu,
                neg,
                round((pos - neg) / labelled, 3) if labelled else None,
            ]
        )
    rows.sort(key=lambda r: (-r[2], r[0].casefold()))
    labelled_any = any(r[4] + r[5] + r[6] for r in rows)
    rep.tables.append(
        Table(
            "share_of_voice",
            SOV_COLUMNS,
            rows,
            title=title,
            chart=chart,
            notes=[
                "share_pct: mentions / mentions of the competitive set × 100. "
                "net_sentiment: (positive − negative) / sentiment-labelled mentions, "
                "from −1 to 1."
            ]
            + ([] if labelled_any else ["No sentiment labels: run `radsocial classify`."]),
        )
    )
    return rep
