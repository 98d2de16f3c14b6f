"""Tweetchat report: the sessions of a chat hashtag, their questions and answers, who
took part, and a transcript.

A tweetchat is a scheduled hour in which a host posts numbered questions ("Q1", "Q2"…)
under a hashtag and participants answer ("A1", "A2"…) (domain.md §5). Patient groups
that host Q&A chats want the transcript, the questions, the answers, the questions
nobody answered and how fast answers came; studies of journal chats (Hawkins et al.,
JACR 2014) report per session: tweets, participants, % non-radiologists, impressions
and retweets. This module finds the sessions in the data (no list of dates is needed),
threads each one, pairs questions with answers and reports all of that.

How sessions are found and pairs decided is documented for users in
docs/reports/tweetchat.md; the rules are summarised where they are implemented.
"""

from __future__ import annotations

import csv
import math
import re
import statistics
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from datetime import time as dtime
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import orjson
import sqlalchemy as sa

from radsocial.analysis.questions import QuestionClassifier, chat_marker
from radsocial.analytics.result import Report, Table, empty_note
from radsocial.analytics.scope import EPOCH, connect, zone
from radsocial.knowledge.registry import (
    WEEKDAYS,
    Registry,
    Tweetchat,
    default_registry,
    normalize_handle,
    normalize_tag,
)
from radsocial.models import utc
from radsocial.store import Selection
from radsocial.store.queries import author_labels, plain_rows, where
from radsocial.store.schema import post_hashtags, posts

__all__ = [
    "DEFAULT_MIN_POSTS",
    "Session",
    "find_sessions",
    "tweetchat",
    "write_transcript",
]

#: A session holds at least this many posts of the tag in its hour (default of `min_posts`).
DEFAULT_MIN_POSTS = 10
#: "Far above the background": an hour must hold this many times the tag's median hourly
#: count (see `_background`).
DENSITY_FACTOR = 5.0
#: A chat runs a whole hour more when that hour holds at least this share of the first
#: hour's posts; the thinner afterglow (thank-yous, late retweets) stays outside.
EXTEND_RATIO = 0.5
#: Among windows close to the busiest one, one starting on the hour (then the half hour)
#: is preferred: chats are scheduled so, and early sign-ins or late retweets must not
#: shift the window by a quarter.
ALIGN_TOLERANCE = 0.9
#: A reply paired to a question by its @mention alone (no reply id, no "A1") must come at
#: least this long after the question: nobody reads and answers a question in seconds, so
#: such a reply answers the question before it.
MIN_REPLY_DELAY = timedelta(seconds=20)
#: Transcript rows kept in one report (all sessions together); pick a session for more.
MAX_TRANSCRIPT_POSTS = 20_000
#: Labels counted as radiologists for "% non-radiologists" (Hawkins et al. count the
#: profession; residents and fellows are radiologists in training).
RADIOLOGY_LABELS = frozenset({"radiologist", "radiology_trainee"})

_QUARTER = 900  # seconds; every time zone's UTC offset is a whole number of quarters
_HOUR_Q = 4  # quarters in an hour
_RT_RE = re.compile(r"^RT @\w")
_LEAD_RE = re.compile(r"^\s*\.?((?:@\w+[\s,:;]*)+)")
_HANDLE_RE = re.compile(r"@(\w+)")
_QUESTIONS = QuestionClassifier()


# --------------------------------------------------------------------------- sessions
@dataclass(frozen=True, slots=True)
class Session:
    """One session of a chat: the hashtag and the UTC window [start, end).

    `posts` counts the tag's posts in the window when the session was found (the report
    counts again from the posts); `posts_before` / `posts_after` count the hour before
    and after (sign-ins and the afterglow of retweets), which are not part of it.
    """

    hashtag: str
    start: datetime
    end: datetime
    tz: str = "UTC"
    posts: int = 0
    scheduled: bool = False
    hosts: tuple[str, ...] = ()
    posts_before: int = 0
    posts_after: int = 0

    @classmethod
    def window(
        cls,
        hashtag: str,
        start: datetime,
        end: datetime,
        *,
        tz: str = "UTC",
        hosts: Sequence[str] = (),
    ) -> Session:
        """A session the user names (e.g. the hour a chat was announced for).

        Naive times are read in `tz`, so "2014-06-19 21:00" means 21:00 where the chat
        took place, not in UTC.
        """
        z = zone(tz)
        s = start if start.tzinfo else start.replace(tzinfo=z)
        e = end if end.tzinfo else end.replace(tzinfo=z)
        if utc(s) >= utc(e):
            raise ValueError(f"--session: the start ({s}) must be before the end ({e})")
        return cls(
            normalize_tag(hashtag), utc(s), utc(e), tz, hosts=tuple(h.lstrip("@") for h in hosts)
        )

    def local(self, tz: str | None = None) -> tuple[datetime, datetime]:
        """(start, end) in the session's time zone, or in `tz`."""
        z = zone(tz or self.tz)
        return self.start.astimezone(z), self.end.astimezone(z)

    def describe(self, tz: str | None = None) -> str:
        """'#cancerchat 2014-06-19 21:00–22:00 Europe/London' (an end on another day
        shows its date)."""
        s, e = self.local(tz)
        end = e.strftime("%H:%M") if e.date() == s.date() else e.strftime("%Y-%m-%d %H:%M")
        return f"#{self.hashtag} {s:%Y-%m-%d %H:%M}–{end} {tz or self.tz}"


def find_sessions(
    store: Any,
    sel: Selection | None,
    hashtag: str,
    *,
    tz: str = "UTC",
    min_posts: int = DEFAULT_MIN_POSTS,
    factor: float = DENSITY_FACTOR,
    registry: Registry | None = None,
) -> list[Session]:
    """The sessions of `hashtag` within `sel`, in time order.

    A session is a dense stretch of the tag: the busiest 60-minute window of a burst
    that holds at least `min_posts` posts and `factor` times the tag's median hourly count,
    in which at least two accounts write posts of their own (a retweet cascade of one
    post is not a chat). Adjacent hours join while they stay half as busy. A schedule
    in the registry (weekday, time, time zone) adds its hours first, with `min_posts`
    as the only bar. See docs/reports/tweetchat.md.
    """
    z = zone(tz)
    with connect(store) as conn:
        return _find(conn, sel or Selection(), hashtag, z, tz, min_posts, factor, registry).sessions


@dataclass
class _Found:
    sessions: list[Session]
    notes: list[str]
    threshold: float
    any_posts: bool
    tag_posts: _TagPosts  # what was read to find them: the sessions' posts are among them


def _seconds_of(conn: sa.Connection, col: Any) -> sa.ColumnElement[int]:
    """Whole seconds since the epoch (floor) of a timestamp column (UTC); the quarter is
    `// _QUARTER` in Python, a floor whatever the sign (SQL's integer `/` truncates)."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", col)), sa.BigInteger)
    # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); strftime('%s') reads the first 19
    # (the clock's fields: a floor before 1970 too).
    return sa.cast(sa.func.strftime("%s", sa.func.substr(col, 1, 19)), sa.Integer)


def _from_quarter(q: int) -> datetime:
    return EPOCH + timedelta(seconds=q * _QUARTER)


def _to_quarter(dt: datetime) -> int:
    return int((utc(dt) - EPOCH).total_seconds() // _QUARTER)


def _unindexed(conn: sa.Connection, col: Any) -> Any:
    """`col || ''` on SQLite: the same values, but no index on `col` drives the query."""
    return col + "" if conn.dialect.name == "sqlite" else col


def _where(conn: sa.Connection, sel: Selection) -> list[sa.ColumnElement[bool]]:
    """`where(sel)`, with SQLite kept off the platform and kind indexes.

    Without statistics SQLite drives a query from any equality index: a platform-filtered
    read of a tag walked the 800,000 posts of `x` by its index instead of the tag's
    38,000 (1.8 s a query, some 300 queries a report: 9 minutes at 1M posts, measured),
    and `kind = 'reply'` over a few session hours walked every reply of the store. This
    module always has a narrower side — the tag, or the session windows — so neither
    index is ever the one to use. The posts selected are the same.
    """
    clauses = where(conn, replace(sel, platforms=(), kinds=()))
    if sel.platforms:
        clauses.append(_unindexed(conn, posts.c.platform).in_(sel.platforms))
    if sel.kinds:
        clauses.append(_unindexed(conn, posts.c.kind).in_(sel.kinds))
    return clauses


def _conversation() -> sa.ColumnElement[bool]:
    """Posts written in the chat, not copied: neither reposts nor "RT @" texts."""
    return sa.and_(posts.c.kind != "repost", sa.not_(posts.c.text.like("RT @%")))


@dataclass
class _TagPosts:
    """The tag's posts in the selection, read once (`_read_tag`): per post, in quarter
    order, its quarter-hour, store id and writer (lower(author_handle) of a post of its
    own, None for a copy).

    Finding sessions asks for the posts of every quarter, the writers of ~50–150
    candidate hours, then the ids of each session's posts. One read answers all three:
    asked as a COUNT(DISTINCT) per hour and a query per session, they took 0.4 s at 1M
    posts, most of it building and compiling ~500 statements (measured). Sorted lists
    cut by bisection, not a dict of sets: building one set per quarter took 60 ms for
    the 38,000 posts of a tag, the lists 7 ms (measured)."""

    quarters: list[int]
    ids: list[int]
    writers: list[str | None]

    def counts(self) -> dict[int, int]:
        """{quarter-hour: posts}."""
        return dict(Counter(self.quarters))

    def _span(self, a: int, b: int) -> slice:
        return slice(bisect_left(self.quarters, a), bisect_left(self.quarters, b))

    def posts_in(self, a: int, b: int) -> int:
        """How many posts quarters [a, b) hold."""
        return bisect_left(self.quarters, b) - bisect_left(self.quarters, a)

    def dense_starts(self, bar: float) -> list[int]:
        """The quarters starting an hour that holds `bar` posts or more, among those
        starting an hour that holds any (a bar of 1 or less: all of them).

        An hour holding k >= 2 posts holds the k posts that follow its first one, so
        only a quarter whose k-th next post is less than an hour away can start one:
        38,000 comparisons instead of summing ~100,000 hours (the sums took 15 ms)."""
        qs = self.quarters
        k = math.ceil(bar)
        if k <= 1:
            firsts = set(qs)
        else:
            firsts = {qs[i] for i in range(len(qs) - k + 1) if qs[i + k - 1] - qs[i] < _HOUR_Q}
        starts = {q - i for q in firsts for i in range(_HOUR_Q)}
        return [q for q in starts if self.posts_in(q, q + _HOUR_Q) >= bar]

    def writers_in(self, a: int, b: int) -> int:
        """How many accounts wrote posts of their own (not copies) in quarters [a, b)."""
        return len({w for w in self.writers[self._span(a, b)] if w is not None})

    def ids_in(self, a: int, b: int) -> list[int]:
        """The store ids of the posts in quarters [a, b)."""
        return self.ids[self._span(a, b)]


def _read_tag(conn: sa.Connection, tsel: Selection) -> _TagPosts:
    """Read the selection's (store id, time, writer) once; see `_TagPosts`.

    The writer is computed by the database: its lower() and LIKE (case-insensitive on
    SQLite) are those of a COUNT(DISTINCT lower(author_handle)) … WHERE kind != 'repost'
    AND NOT text LIKE 'RT @%' over the window. The database turns the time into seconds
    (SQLite's strftime() costs 10 ms for the 38,000 posts of a tag at 1M posts; a GROUP
    BY of them 0.4 s: measured), Python into quarters. The rows are the driver's own
    (`plain_rows`: integers and text)."""
    writer = sa.case((_conversation(), sa.func.lower(posts.c.author_handle)), else_=sa.null())
    q = sa.select(posts.c.id, _seconds_of(conn, posts.c.created_at), writer).where(
        *_where(conn, tsel)
    )
    rows = sorted(plain_rows(conn, q), key=itemgetter(1))
    return _TagPosts(
        [t // _QUARTER for _, t, _ in rows], [i for i, _, _ in rows], [w for _, _, w in rows]
    )


def _any_posts(conn: sa.Connection, tsel: Selection) -> bool:
    """Whether the selection holds any post (one row read, not the tag's every time)."""
    q = sa.select(posts.c.id).where(*_where(conn, tsel)).limit(1)
    return conn.execute(q).first() is not None


def _window_sel(sel: Selection, start: datetime, end: datetime) -> Selection | None:
    """`sel` narrowed to [start, end); None when they do not meet."""
    lo = max(start, utc(sel.since)) if sel.since else start
    hi = min(end, utc(sel.until)) if sel.until else end
    return replace(sel, since=lo, until=hi) if lo < hi else None


def _background(quarters: list[int]) -> float:
    """The tag's usual hourly count (its posts' quarter-hours given): the median over
    every UTC hour of its span (a day at least), empty hours included. A median, so that
    the chats themselves do not raise it — a corpus holding nothing but one chat hour
    has a background of 0."""
    hourly = Counter(q // _HOUR_Q for q in quarters)
    span = max(hourly) - min(hourly) + 1
    total = max(span, 24)
    values = sorted(hourly.values())
    zeros = total - len(values)
    mid = [(total - 1) // 2, total // 2]
    picked = [0 if i < zeros else values[i - zeros] for i in mid]
    return sum(picked) / 2


def _chat_for(registry: Registry | None, tag: str) -> Tweetchat | None:
    reg = registry if registry is not None else default_registry()
    return reg.tweetchat_for_hashtag(tag)


def _scheduled_starts(chat: Tweetchat | None, q_lo: int, q_hi: int) -> list[int]:
    """Quarters where the registry says a session starts, within the data's span."""
    sch = chat.schedule if chat else None
    if sch is None or not (sch.weekday and sch.time and sch.timezone):
        return []
    sz = zone(sch.timezone)
    hh, mm = (int(x) for x in sch.time.split(":"))
    wd = WEEKDAYS.index(sch.weekday.casefold())
    day = _from_quarter(q_lo).astimezone(sz).date() - timedelta(days=1)
    last = _from_quarter(q_hi).astimezone(sz).date()
    out = []
    while day <= last:
        if day.weekday() == wd:
            # zoneinfo applies the offset of that date: 21:00 is 21:00 in summer and winter.
            out.append(_to_quarter(datetime.combine(day, dtime(hh, mm), tzinfo=sz)))
        day += timedelta(days=1)
    return out


def _find(
    conn: sa.Connection,
    sel: Selection,
    hashtag: str,
    z: ZoneInfo,
    tz: str,
    min_posts: int,
    factor: float,
    registry: Registry | None,
) -> _Found:
    tag = normalize_tag(hashtag)
    tsel = replace(sel, hashtags=(tag,))
    tag_posts = _read_tag(conn, tsel)
    if not tag_posts.quarters:
        return _Found([], [], float(min_posts), False, tag_posts)
    chat = _chat_for(registry, tag)
    hosts = chat.hosts if chat else ()
    q_lo, q_hi = tag_posts.quarters[0], tag_posts.quarters[-1]
    threshold = max(float(min_posts), factor * _background(tag_posts.quarters))
    align_zone = z
    if chat and chat.schedule and chat.schedule.timezone:
        align_zone = zone(chat.schedule.timezone)

    def h(q: int) -> int:
        """Posts in the hour starting at quarter `q`."""
        return tag_posts.posts_in(q, q + _HOUR_Q)

    def rank(q: int) -> int:
        m = _from_quarter(q).astimezone(align_zone).minute
        return 0 if m == 0 else 1 if m == 30 else 2

    blocked: set[int] = set()
    found: list[Session] = []
    skipped: list[str] = []

    def free(a: int, b: int) -> bool:
        return not any(q in blocked for q in range(a, b))

    def take(q: int, bar: float, scheduled: bool) -> None:
        core = h(q)
        start, end = q, q + _HOUR_Q
        need = max(bar, EXTEND_RATIO * core)
        while h(end) >= need and free(end, end + _HOUR_Q):
            end += _HOUR_Q
        while h(start - _HOUR_Q) >= need and free(start - _HOUR_Q, start):
            start -= _HOUR_Q
        blocked.update(range(start - _HOUR_Q, end + _HOUR_Q))
        found.append(
            Session(
                tag,
                _from_quarter(start),
                _from_quarter(end),
                tz,
                posts=tag_posts.posts_in(start, end),
                scheduled=scheduled,
                hosts=hosts,
                posts_before=tag_posts.posts_in(start - _HOUR_Q, start),
                posts_after=tag_posts.posts_in(end, end + _HOUR_Q),
            )
        )

    def conversation_ok(q: int) -> bool:
        if tag_posts.writers_in(q, q + _HOUR_Q) >= 2:
            return True
        local = _from_quarter(q).astimezone(z)
        skipped.append(f"{local:%Y-%m-%d %H:%M} ({h(q)} posts)")
        blocked.update(range(q - _HOUR_Q, q + 2 * _HOUR_Q))
        return False

    for q in _scheduled_starts(chat, q_lo, q_hi):
        if free(q, q + _HOUR_Q) and h(q) >= min_posts and conversation_ok(q):
            take(q, float(min_posts), True)

    dense = sorted(tag_posts.dense_starts(threshold), key=lambda q: (-h(q), q))
    for q in dense:
        if not free(q, q + _HOUR_Q):
            continue
        near = [
            c
            for c in range(q - _HOUR_Q + 1, q + _HOUR_Q)
            if free(c, c + _HOUR_Q) and h(c) >= ALIGN_TOLERANCE * h(q)
        ]
        best = min(near, key=lambda c: (rank(c), -h(c), c))
        if conversation_ok(best):
            take(best, threshold, False)

    notes = []
    if skipped:
        shown = ", ".join(skipped[:5]) + (
            f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        )
        notes.append(
            f"Skipped {len(skipped)} burst(s) of #{tag} where fewer than two accounts wrote "
            f"posts of their own (a repost cascade, not a chat): {shown} ({tz})."
        )
    found.sort(key=lambda s: s.start)
    return _Found(found, notes, threshold, True, tag_posts)


# --------------------------------------------------------------------------- reading
class _Post(msgspec.Struct, frozen=True, gc=False):
    """The columns of a post this report reads. A full `Post` (`iter_posts`) decodes the
    entities and extras JSON of every row: a third of the time of reading 23,000 posts
    of a chat at 1M posts (measured), for fields the report never shows. A struct, not
    a frozen dataclass, whose __init__ took 2 µs a post."""

    id: int
    platform: str
    platform_id: str
    created_at: datetime
    text: str
    author_id: str | None
    author_handle: str | None
    url: str | None
    kind: str
    reply_to_id: str | None
    views: int | None
    followers: int | None  # the author's followers when posting (the store keeps them)
    manual_rt: bool  # extras["manual_rt"]: an importer read an "RT @" copy

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.platform_id)


_POST_COLUMNS = (
    posts.c.id,
    posts.c.platform,
    posts.c.platform_id,
    posts.c.text,
    posts.c.author_id,
    posts.c.author_handle,
    posts.c.url,
    posts.c.kind,
    posts.c.reply_to_id,
    posts.c.views,
    posts.c.author_followers,
    sa.cast(posts.c.extras, sa.Text),
)
#: Store ids asked for in one statement (SQLite allows 32,766 variables).
_ID_CHUNK = 2000
#: Session windows ORed in one statement (SQLite nests an OR chain one level a term, and
#: refuses expressions deeper than 1,000).
_WINDOW_CHUNK = 200


def _manual_rt(extras: str | None) -> bool:
    """`extras["manual_rt"]` from the JSON text, parsed only when it can hold that key."""
    if not extras or ("manual_rt" not in extras and "\\u" not in extras):
        return False
    value = orjson.loads(extras)
    return bool((value or {}).get("manual_rt"))


def _time_reader(conn: sa.Connection) -> tuple[Any, Callable[[Any], datetime]]:
    """The created_at column to select, and how to make it an aware UTC datetime.

    SQLite's text is read here: SQLAlchemy's conversion of it cost 3 µs a row (70 ms
    for the 23,000 posts of #JACR, measured), `fromisoformat` of the fixed-width UTC
    text SQLAlchemy writes 0.13 µs. Any other text goes through SQLAlchemy's own."""
    col = posts.c.created_at
    if conn.dialect.name != "sqlite":
        return col, utc
    own = col.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)

    def read(t: str) -> datetime:
        if len(t) == 26:  # 'YYYY-MM-DD HH:MM:SS.ffffff'
            return datetime.fromisoformat(t + "+00:00")
        return utc(own(t) if own else datetime.fromisoformat(t))

    return sa.type_coerce(col, sa.String), read


def _fetch(conn: sa.Connection, clauses: Sequence[sa.ColumnElement[bool]]) -> list[_Post]:
    """The posts matching `clauses`, in (time, store id) order (as `iter_posts` pages)."""
    col, when = _time_reader(conn)
    q = sa.select(*_POST_COLUMNS, col).where(*clauses)
    out = [
        _Post(pid, pf, pfid, when(t), text, aid, ah, url, kind, rto, views, fol, _manual_rt(ex))
        for pid, pf, pfid, text, aid, ah, url, kind, rto, views, fol, ex, t in conn.execute(q).all()
    ]
    out.sort(key=lambda p: (p.created_at, p.id))
    return out


def _by_ids(conn: sa.Connection, ids: list[int]) -> dict[int, _Post]:
    """{store id: post} for these ids."""
    out: dict[int, _Post] = {}
    for i in range(0, len(ids), _ID_CHUNK):
        out.update((p.id, p) for p in _fetch(conn, [posts.c.id.in_(ids[i : i + _ID_CHUNK])]))
    return out


def _in_window(items: list[_Post], start: datetime, end: datetime) -> list[_Post]:
    """The posts of `items` (in time order) in [start, end)."""
    times = [p.created_at for p in items]
    return items[bisect_left(times, start) : bisect_left(times, end)]


def _session_posts(
    conn: sa.Connection,
    tsel: Selection,
    sel: Selection,
    sessions: Sequence[Session],
    tag_posts: _TagPosts | None,
) -> list[tuple[list[_Post], list[_Post]]]:
    """(the tag's posts, replies without the tag) of each session, in time order.

    Found sessions span whole quarter-hours, so their posts are the ids `_find` read;
    they are fetched together, as are the untagged replies of every window: one query a
    session for each took 0.3 s for 47 sessions (measured). A session the user names is
    read by its window."""
    tagged: list[list[_Post]] = []
    if tag_posts is not None:
        wanted = [tag_posts.ids_in(_to_quarter(s.start), _to_quarter(s.end)) for s in sessions]
        fetched = _by_ids(conn, [i for ids in wanted for i in ids])
        for ids in wanted:
            tagged.append(sorted((fetched[i] for i in ids), key=lambda p: (p.created_at, p.id)))
    else:
        for s in sessions:
            ws = _window_sel(tsel, s.start, s.end)
            tagged.append(_fetch(conn, _where(conn, ws)) if ws else [])
    return list(zip(tagged, _untagged_replies(conn, tsel, sel, sessions, tagged), strict=True))


def _untagged_replies(
    conn: sa.Connection,
    tsel: Selection,
    sel: Selection,
    sessions: Sequence[Session],
    tagged: list[list[_Post]],
) -> list[list[_Post]]:
    """Replies that forgot the hashtag still answer the chat: the replies in each
    session's window (within the selection, any hashtag) to one of its tagged posts.

    Posts with the tag are left out in SQL: every such reply in the window is one of
    the session's tagged posts already (same selection, same window)."""
    out: list[list[_Post]] = [[] for _ in sessions]
    if sel.kinds and "reply" not in sel.kinds:
        return out
    others = replace(sel, hashtags=(), kinds=("reply",))
    windows: list[tuple[int, datetime, datetime]] = []
    for i, s in enumerate(sessions):
        ws = _window_sel(others, s.start, s.end)
        if ws is not None and tagged[i]:
            assert ws.since is not None and ws.until is not None
            windows.append((i, ws.since, ws.until))
    if not windows:
        return out
    own = post_hashtags.alias("own_tag")
    tags = [t.lstrip("#").lower() for t in tsel.hashtags]
    base = [
        *_where(conn, replace(others, since=None, until=None)),
        ~sa.exists().where(own.c.post_id == posts.c.id, own.c.tag.in_(tags)),
    ]
    replies: list[_Post] = []
    for k in range(0, len(windows), _WINDOW_CHUNK):
        part = windows[k : k + _WINDOW_CHUNK]
        span = sa.or_(
            *(sa.and_(posts.c.created_at >= lo, posts.c.created_at < hi) for _, lo, hi in part)
        )
        replies.extend(_fetch(conn, [*base, span]))
    replies.sort(key=lambda p: (p.created_at, p.id))
    for i, lo, hi in windows:
        ids = {p.key for p in tagged[i]}
        out[i] = [
            p
            for p in _in_window(replies, lo, hi)
            if p.reply_to_id and (p.platform, p.reply_to_id) in ids and p.key not in ids
        ]
    return out


# --------------------------------------------------------------------------- threading
@dataclass(eq=False, slots=True)
class _Item:
    """One post of a session with what the report decides about it."""

    n: int
    post: _Post
    tagged: bool
    followers: int | None
    who: str  # lowercase handle (else platform id): one participant
    copy: bool  # a repost or an "RT @" text
    lead: tuple[str, ...]  # the @handles it opens with (lowercase): whom it addresses
    qvalue: str
    qnumber: int | None  # the prompt/answer number the classifier read ("Q2", "second question")
    marker: tuple[str, int] | None
    label: str = ""  # Q1 / T1 / P1 for questions
    tag: str = ""  # the transcript's Q/A column
    answer_of: _Question | None = None


@dataclass(eq=False)
class _Question:
    item: _Item
    label: str
    number: int | None
    numbering: str  # explicit | inferred | none
    kind: str  # prompt | free
    answers: list[tuple[_Item, str]] = field(default_factory=list)

    @property
    def first_delay(self) -> int | None:
        ds = [
            int((a.post.created_at - self.item.post.created_at).total_seconds())
            for a, _ in self.answers
        ]
        ds = [d for d in ds if d >= 0]
        return min(ds) if ds else None


def _is_copy(p: _Post) -> bool:
    return p.kind == "repost" or p.manual_rt or bool(_RT_RE.match(p.text))


def _lead(text: str) -> tuple[str, ...]:
    m = _LEAD_RE.match(text or "")
    return tuple(h.casefold() for h in _HANDLE_RE.findall(m.group(1))) if m else ()


def _who(p: _Post) -> str:
    return (p.author_handle or "").casefold() or (p.author_id or "")


def _addressed(it: _Item) -> bool:
    return bool(it.post.reply_to_id) or it.post.kind == "reply" or bool(it.lead)


@dataclass
class _Thread:
    items: list[_Item]
    questions: list[_Question]
    hosts: set[str]
    orphans: list[_Item]


def _thread(items: list[_Item], hosts: set[str]) -> _Thread:
    """Decide the questions and pair the answers (rules in docs/reports/tweetchat.md).

    1. Prompts: hosts' posts marked "Q1"/"T1"/"First question" (the question classifier);
       without known hosts, whoever posts the first numbered prompt hosts. When the host
       numbers at most one prompt, every question the host puts to the room (not a
       reply) is a prompt too, numbered in order.
    2. Answers to prompts: a reply to the prompt's id; else a post marked "A1" (or a
       participant's "Q1 …"); else a post with no reply id that opens with @host, paired
       to that host's latest prompt at least MIN_REPLY_DELAY older — unless it is itself
       a question, which is then listed as one.
    3. Free questions: every other question (question classifier: genuine, not
       rhetorical), "P1", "P2"…, answered by replies to it or by posts opening with
       @asker, as in 2.
    """
    live = [it for it in items if not it.copy]
    if not hosts:
        seen: set[int] = set()
        for it in live:
            if it.qvalue == "chat_question" and it.qnumber and it.qnumber not in seen:
                seen.add(it.qnumber)
                hosts.add(it.who)
    by_id = {(it.post.platform, it.post.platform_id): it for it in items}
    explicit = {
        it.qnumber
        for it in live
        if it.who in hosts and it.qvalue == "chat_question" and it.qnumber is not None
    }
    infer = len(explicit) <= 1
    questions: list[_Question] = []
    used: set[int] = set()
    current = 0
    for it in live:
        if it.who not in hosts:
            continue
        num = it.qnumber if it.qvalue == "chat_question" else None
        if num is not None:
            if num in used:
                continue  # the host repeating a prompt
            letter = it.marker[0] if it.marker and it.marker[0] == "T" else "Q"
            q = _Question(it, f"{letter}{num}", num, "explicit", "prompt")
            current = num
        elif infer and it.qvalue == "question" and not _addressed(it):
            current += 1
            while current in explicit or current in used:
                current += 1
            num = current
            q = _Question(it, f"Q{num}", num, "inferred", "prompt")
        else:
            continue
        used.add(num)
        it.label = it.tag = q.label
        questions.append(q)
    prompts = {q.number: q for q in questions}
    prompt_of = {id(q.item): q for q in questions}
    orphans: list[_Item] = []

    last_post: dict[str, list[_Item]] = {}
    for it in live:
        last_post.setdefault(it.who, []).append(it)

    def latest_own(who: str, t: datetime) -> _Item | None:
        """The account's last post of its own at or before `t`."""
        mine = [o for o in last_post.get(who, ()) if o.post.created_at <= t]
        return mine[-1] if mine else None

    def by_mention(it: _Item, pool: Iterable[_Question], person: bool) -> _Question | None:
        """The question an "@asker …" post (no reply id) answers: the asker's latest
        question at least MIN_REPLY_DELAY older. A prompt speaks to the room, so later
        host comments do not close it; a person's question must be the asker's latest
        post, or the reply is taken to answer what the asker said since."""
        if it.post.reply_to_id or not it.lead:
            return None
        t = it.post.created_at - MIN_REPLY_DELAY
        cands = [
            q
            for q in pool
            if q.item.who in it.lead and q.item.who != it.who and q.item.post.created_at <= t
        ]
        if person:
            cands = [q for q in cands if latest_own(q.item.who, t) is q.item]
        return max(cands, key=lambda q: (q.item.post.created_at, q.item.n)) if cands else None

    for it in live:
        if id(it) in prompt_of:
            continue
        parent = by_id.get((it.post.platform, it.post.reply_to_id or ""))
        q = prompt_of.get(id(parent)) if parent is not None else None
        method = "reply"
        if q is None and it.marker and it.qvalue in ("chat_answer", "chat_question"):
            method = "numbered"
            q = prompts.get(it.marker[1])
            if q is None:
                it.tag = f"A{it.marker[1]} (no Q{it.marker[1]})"
                orphans.append(it)
                continue
        if q is None and it.qvalue != "question":
            method = "mention"
            q = by_mention(it, questions, False)
        if q is None or q.item.who == it.who:
            continue
        q.answers.append((it, method))
        it.answer_of = q
        it.tag = f"A{q.number}"
    free: list[_Question] = []
    for it in live:
        if it.qvalue == "question" and id(it) not in prompt_of and it.answer_of is None:
            q = _Question(it, f"P{len(free) + 1}", None, "none", "free")
            it.label = it.tag = q.label
            free.append(q)
    free_of = {id(q.item): q for q in free}
    for it in live:
        if id(it) in prompt_of or it.answer_of is not None or it in orphans:
            continue
        parent = by_id.get((it.post.platform, it.post.reply_to_id or ""))
        q = free_of.get(id(parent)) if parent is not None else None
        method = "reply"
        if q is None:
            method = "mention"
            q = by_mention(it, free, True)
        if q is None or q.item.who == it.who:
            continue
        q.answers.append((it, method))
        it.answer_of = q
        it.tag = f"{it.tag} A→{q.label}".strip() if it.tag else f"A→{q.label}"
    return _Thread(items, questions + free, hosts, orphans)


# --------------------------------------------------------------------------- the report
SESSION_COLUMNS = [
    "session",
    "hashtag",
    "start",
    "end",
    "scheduled",
    "posts",
    "original_posts",
    "replies",
    "quotes",
    "reposts",
    "manual_rts",
    "participants",
    "hosts",
    "impressions",
    "views",
    "questions",
    "answered",
    "unanswered",
    "answers",
    "median_response_s",
    "non_radiologist_pct",
    "labelled_participants",
    "untagged_replies",
    "posts_hour_before",
    "posts_hour_after",
]
QUESTION_COLUMNS = [
    "session",
    "question",
    "numbering",
    "kind",
    "author",
    "role",
    "time",
    "text",
    "answers",
    "answerers",
    "first_answer_s",
    "url",
]
ANSWER_COLUMNS = [
    "session",
    "question",
    "method",
    "marker",
    "author",
    "role",
    "time",
    "delay_s",
    "text",
    "url",
]
UNANSWERED_COLUMNS = ["session", "question", "kind", "author", "role", "time", "text", "url"]
PARTICIPANT_COLUMNS = [
    "session",
    "handle",
    "role",
    "stakeholder",
    "followers",
    "posts",
    "copies",
    "questions",
    "answers",
    "impressions",
]
STAKEHOLDER_COLUMNS = ["session", "stakeholder", "participants", "posts"]
TRANSCRIPT_COLUMNS = [
    "session",
    "n",
    "time",
    "author",
    "kind",
    "qa",
    "reply_to",
    "text",
    "tagged",
    "url",
]
ACTIVITY_COLUMNS = ["session", "time", "posts", "conversation", "copies", "questions", "answers"]


@dataclass
class _Rows:
    sessions: list[list[Any]] = field(default_factory=list)
    questions: list[list[Any]] = field(default_factory=list)
    answers: list[list[Any]] = field(default_factory=list)
    unanswered: list[list[Any]] = field(default_factory=list)
    participants: list[list[Any]] = field(default_factory=list)
    stakeholders: list[list[Any]] = field(default_factory=list)
    transcript: list[list[Any]] = field(default_factory=list)
    activity: list[list[Any]] = field(default_factory=list)
    per_session: list[dict[str, Any]] = field(default_factory=list)
    no_followers: int = 0  # tagged posts whose author's follower count is unknown


def tweetchat(
    store: Any,
    sel: Selection | None = None,
    hashtag: str | None = None,
    *,
    session: Session | int | None = None,
    tz: str = "UTC",
    registry: Registry | None = None,
    hosts: Sequence[str] = (),
    min_posts: int = DEFAULT_MIN_POSTS,
) -> Report:
    """The tweetchat report of `hashtag` (else the selection's one hashtag).

    `session`: None reports every session found; an int the Nth (1-based); a `Session`
    that window (e.g. `Session.window(...)` for a chat the data does not show as dense).
    `hosts` adds host handles to the registry's. Times are shown in `tz`.
    """
    sel = sel or Selection()
    z = zone(tz)
    if hashtag is None and isinstance(session, Session):
        hashtag = session.hashtag
    if hashtag is None:
        if len(sel.hashtags) != 1:
            raise ValueError(
                "--hashtag: name the chat's hashtag (the selection has "
                f"{len(sel.hashtags) or 'no'} hashtags)"
            )
        hashtag = sel.hashtags[0]
    tag = normalize_tag(hashtag)
    tsel = replace(sel, hashtags=(tag,))
    params: dict[str, Any] = {
        "hashtag": tag,
        "tz": tz,
        "session": session.describe() if isinstance(session, Session) else session,
        "min_posts": min_posts,
    }
    if hosts:
        params["hosts"] = [normalize_handle(h) for h in hosts]
    rep = Report("tweetchat", tsel.describe(), params)
    chat = _chat_for(registry, tag)
    rows = _Rows()
    first = 1  # the number the first reported session has among those found
    tag_posts: _TagPosts | None = None
    with connect(store) as conn:
        if isinstance(session, Session):
            sessions = [session]
            any_posts = _any_posts(conn, tsel)
        else:
            found = _find(conn, sel, tag, z, tz, min_posts, DENSITY_FACTOR, registry)
            rep.notes.extend(found.notes)
            any_posts = found.any_posts
            sessions = found.sessions
            tag_posts = found.tag_posts
            if any_posts and not sessions:
                rep.notes.append(
                    f"No session of #{tag} found: no 60-minute window holds "
                    f"{found.threshold:g} or more posts (at least {min_posts}, and "
                    f"{DENSITY_FACTOR:g}× the tag's median hourly count) written by two or more "
                    "accounts. Name the hour with a Session.window, or lower min_posts."
                )
            if isinstance(session, int) and sessions:
                if not 1 <= session <= len(sessions):
                    raise ValueError(
                        f"--session: {session} is out of range; {len(sessions)} session(s) "
                        f"of #{tag} were found"
                    )
                first = session
                sessions = [sessions[session - 1]]
        if not any_posts:
            rep.notes.append(empty_note(tsel.describe()))
        if chat is not None:
            params["registry_chat"] = chat.key
        base_hosts = {normalize_handle(h) for h in (*(chat.hosts if chat else ()), *hosts)}
        read = _session_posts(conn, tsel, sel, sessions, tag_posts)
        # the stakeholder labels of the sessions' authors only (a store has many more)
        wanted = {(p.platform, _author(p)) for pair in read for part in pair for p in part}
        labels = author_labels(conn, sorted(wanted))
    room = MAX_TRANSCRIPT_POSTS
    for i, (s, (tagged, extra)) in enumerate(zip(sessions, read, strict=True), first):
        room = _session(s, i, z, base_hosts, labels, rows, room, tagged, extra)
    if room < 0:
        rep.notes.append(
            f"The transcript and activity tables stop after {MAX_TRANSCRIPT_POSTS:,} "
            "posts; report one session (session=N) for its full transcript."
        )
    if rows.no_followers:
        rep.notes.append(
            f"{rows.no_followers:,} posts have no follower count for their author (the "
            "source did not give one); they add nothing to impressions."
        )
    rep.tables = _tables(rows, tz)
    _metrics(rep, rows)
    return rep


def _author(p: _Post) -> str:
    """The author's key as accounts store it: platform id, else '@handle'."""
    return p.author_id or "@" + (p.author_handle or "").lower()


def _session(
    s: Session,
    idx: int,
    z: ZoneInfo,
    base_hosts: set[str],
    labels: dict[tuple[str, str], str],
    rows: _Rows,
    room: int,
    tagged: list[_Post],
    extra: list[_Post],
) -> int:
    """Analyse one session (its tagged posts and the untagged replies to them, each in
    time order) into `rows`; returns the transcript room left."""
    all_posts = sorted(
        [(p, True) for p in tagged] + [(p, False) for p in extra],
        key=lambda x: (x[0].created_at, x[0].platform_id),
    )
    items: list[_Item] = []
    for n, (p, is_tagged) in enumerate(all_posts, 1):
        stake = labels.get((p.platform, _author(p)))
        value, _, _, found = _QUESTIONS.decide(p.text, stake)
        num = found.get("number")
        items.append(
            _Item(
                n=n,
                post=p,
                tagged=is_tagged,
                # the store keeps followers per post; untagged replies count for nothing
                followers=p.followers if is_tagged else None,
                who=_who(p),
                copy=_is_copy(p),
                lead=_lead(p.text),
                qvalue=value,
                qnumber=int(num) if num is not None else None,
                marker=chat_marker(p.text),
            )
        )
    th = _thread(items, set(base_hosts) | {normalize_handle(h) for h in s.hosts})
    hosts = th.hosts

    def role(who: str) -> str:
        return "host" if who in hosts else "participant"

    def local(dt: datetime) -> datetime:
        return dt.astimezone(z)

    # participants (tagged posts only: Symplur's definition)
    people: dict[str, dict[str, Any]] = {}
    for it in items:
        if not it.tagged:
            continue
        p = it.post
        d = people.get(it.who)
        if d is None:  # not setdefault: that built the dict for every post
            d = people[it.who] = {
                "handle": p.author_handle or p.author_id,
                "key": (p.platform, _author(p)),
                "followers": None,
                "posts": 0,
                "copies": 0,
                "questions": 0,
                "answers": 0,
                "impressions": 0,
            }
        d["posts"] += 1
        d["copies"] += it.copy
        d["questions"] += bool(it.label)
        d["answers"] += it.answer_of is not None
        if it.followers is not None:
            d["followers"] = it.followers
            d["impressions"] += it.followers
    part_rows = []
    for who, d in people.items():
        part_rows.append(
            [
                idx,
                d["handle"],
                role(who),
                labels.get(d["key"]),
                d["followers"],
                d["posts"],
                d["copies"],
                d["questions"],
                d["answers"],
                d["impressions"],
            ]
        )
    part_rows.sort(key=lambda r: (-r[5], str(r[1]).casefold()))
    rows.participants.extend(part_rows)
    groups: dict[str, list[int]] = {}
    for r in part_rows:
        g = groups.setdefault(r[3] or "unlabelled", [0, 0])
        g[0] += 1
        g[1] += r[5]
    for label, (n_people, n_posts) in sorted(groups.items(), key=lambda kv: (-kv[1][0], kv[0])):
        rows.stakeholders.append([idx, label, n_people, n_posts])
    rows.no_followers += sum(it.tagged and it.followers is None for it in items)

    # questions, answers, unanswered
    first_answer = len(rows.answers)  # this session's answers follow the earlier ones'
    delays: list[int] = []
    answered = 0
    n_answers = 0
    for q in th.questions:
        it = q.item
        first = q.first_delay
        if q.answers:
            answered += 1
        if first is not None:
            delays.append(first)
        n_answers += len(q.answers)
        rows.questions.append(
            [
                idx,
                q.label,
                q.numbering,
                q.kind,
                it.post.author_handle,
                role(it.who),
                local(it.post.created_at),
                it.post.text,
                len(q.answers),
                len({a.who for a, _ in q.answers}),
                first,
                it.post.url,
            ]
        )
        for a, method in q.answers:
            rows.answers.append(
                [
                    idx,
                    q.label,
                    method,
                    f"{a.marker[0]}{a.marker[1]}" if a.marker else "",
                    a.post.author_handle,
                    role(a.who),
                    local(a.post.created_at),
                    int((a.post.created_at - it.post.created_at).total_seconds()),
                    a.post.text,
                    a.post.url,
                ]
            )
        if not q.answers:
            rows.unanswered.append(
                [
                    idx,
                    q.label,
                    q.kind,
                    it.post.author_handle,
                    role(it.who),
                    local(it.post.created_at),
                    it.post.text,
                    it.post.url,
                ]
            )
    for a in th.orphans:
        rows.answers.append(
            [
                idx,
                None,
                "numbered",
                f"A{a.marker[1]}" if a.marker else "",
                a.post.author_handle,
                role(a.who),
                local(a.post.created_at),
                None,
                a.post.text,
                a.post.url,
            ]
        )
    rows.answers[first_answer:] = sorted(
        rows.answers[first_answer:], key=lambda r: (r[6], str(r[4]))
    )

    # the session row
    tp = [it for it in items if it.tagged]
    labelled = [r[3] for r in part_rows if r[3] not in (None, "unknown")]
    views = [it.post.views for it in tp if it.post.views is not None]
    counts = {
        "posts": len(tp),
        "original_posts": sum(it.post.kind == "original" for it in tp),
        "replies": sum(it.post.kind == "reply" for it in tp),
        "quotes": sum(it.post.kind == "quote" for it in tp),
        "reposts": sum(it.post.kind == "repost" for it in tp),
        "manual_rts": sum(it.copy and it.post.kind != "repost" for it in tp),
        "participants": len(people),
        "impressions": sum(d["impressions"] for d in people.values()),
        "views": sum(views) if views else None,
        "questions": len(th.questions),
        "answered": answered,
        "unanswered": len(th.questions) - answered,
        "answers": n_answers,
        "median_response_s": statistics.median(delays) if delays else None,
        "non_radiologist_pct": (
            round(100 * sum(v not in RADIOLOGY_LABELS for v in labelled) / len(labelled), 1)
            if labelled
            else None
        ),
        "labelled_participants": len(labelled),
        "untagged_replies": len(items) - len(tp),
    }
    rows.per_session.append(counts)
    rows.sessions.append(
        [
            idx,
            s.hashtag,
            local(s.start),
            local(s.end),
            s.scheduled,
            *[counts[k] for k in SESSION_COLUMNS[5:12]],
            " ".join(sorted((people[h]["handle"] for h in hosts if h in people), key=str.casefold))
            or None,
            *[counts[k] for k in SESSION_COLUMNS[13:23]],
            s.posts_before,
            s.posts_after,
        ]
    )

    # transcript and activity, within the room left
    if room - len(items) < 0:
        return -1
    number_of = {(it.post.platform, it.post.platform_id): it.n for it in items}
    for it in items:
        p = it.post
        parent = number_of.get((p.platform, p.reply_to_id)) if p.reply_to_id else None
        kind = "RT" if it.copy and p.kind != "repost" else p.kind
        rows.transcript.append(
            [
                idx,
                it.n,
                local(p.created_at),
                p.author_handle,
                kind,
                it.tag or None,
                parent,
                p.text,
                it.tagged,
                p.url,
            ]
        )
    step = timedelta(minutes=5)
    times = [it.post.created_at for it in items]  # in time order
    t = s.start
    while t < s.end:
        span = items[bisect_left(times, t) : bisect_left(times, t + step)]
        span = [it for it in span if it.tagged]
        rows.activity.append(
            [
                idx,
                local(t),
                len(span),
                sum(not it.copy for it in span),
                sum(it.copy for it in span),
                sum(bool(it.label) for it in span),
                sum(it.answer_of is not None for it in span),
            ]
        )
        t += step
    return room - len(items)


def _tables(rows: _Rows, tz: str) -> list[Table]:
    return [
        Table(
            "sessions",
            SESSION_COLUMNS,
            rows.sessions,
            title=f"Sessions (times in {tz})",
            notes=[
                "impressions are theoretical: Σ posts × the author's followers when posting "
                "(Symplur's maximum reach); views are real view counts where the platform "
                "gave them. reposts are native reposts; manual_rts are posts whose text "
                "starts with 'RT @' (2014-era retweets; add them to reposts to compare with "
                "studies of that time). Participants have at least one post with the tag.",
            ],
        ),
        Table(
            "questions",
            QUESTION_COLUMNS,
            rows.questions,
            title="Questions: the hosts' prompts (Q1…) and other questions (P1…)",
        ),
        Table("answers", ANSWER_COLUMNS, rows.answers, title="Answers, paired to their question"),
        Table("unanswered", UNANSWERED_COLUMNS, rows.unanswered, title="Unanswered questions"),
        Table(
            "participants",
            PARTICIPANT_COLUMNS,
            rows.participants,
            title="Participants",
            notes=["copies are reposts and 'RT @' posts; impressions are theoretical."],
        ),
        Table(
            "stakeholders",
            STAKEHOLDER_COLUMNS,
            rows.stakeholders,
            title="Participants by stakeholder",
            chart={"kind": "bar", "x": "stakeholder", "y": ["participants", "posts"]},
            notes=[
                "Stakeholder labels come from `radsocial classify` or manual coding; "
                "'unlabelled' accounts have none yet."
            ],
        ),
        Table(
            "transcript",
            TRANSCRIPT_COLUMNS,
            rows.transcript,
            title=f"Transcript (times in {tz})",
        ),
        Table(
            "activity",
            ACTIVITY_COLUMNS,
            rows.activity,
            title=f"Posts per 5 minutes (times in {tz})",
            chart={"kind": "line", "x": "time", "y": ["posts", "conversation", "answers"]},
        ),
    ]


def _metrics(rep: Report, rows: _Rows) -> None:
    """Headline numbers: one session's own, or the mean and SD per session (as Hawkins
    et al. report #JACR chats: 444±172 tweets, 33±14 participants…)."""
    rep.metrics["sessions"] = len(rows.per_session)
    keys = (
        "posts",
        "participants",
        "impressions",
        "reposts",
        "manual_rts",
        "non_radiologist_pct",
        "questions",
        "answered",
        "unanswered",
        "median_response_s",
    )
    if len(rows.per_session) == 1:
        for k in keys:
            rep.metrics[k] = rows.per_session[0][k]
    elif rows.per_session:
        mean: dict[str, float | None] = {}
        sd: dict[str, float | None] = {}
        for k in keys:
            vals = [float(c[k]) for c in rows.per_session if c[k] is not None]
            mean[k] = round(statistics.fmean(vals), 1) if vals else None
            sd[k] = round(statistics.stdev(vals), 1) if len(vals) > 1 else None
        rep.metrics["per_session_mean"] = mean
        rep.metrics["per_session_sd"] = sd


# --------------------------------------------------------------------------- export
TRANSCRIPT_FORMATS = ("md", "csv", "txt")


def write_transcript(
    source: Report | Table,
    path: str | Path,
    fmt: str | None = None,
    *,
    session: int | None = None,
    include_reposts: bool = False,
) -> Path:
    """Write a tweetchat transcript as Markdown, CSV or plain text.

    `source` is a tweetchat Report (its sessions give each transcript a heading) or its
    `transcript` table. `fmt` defaults to the file's suffix. Reposts and "RT @" copies
    are left out unless `include_reposts` — a reader wants the conversation, and the
    count of what was left out is said at the top.
    """
    path = Path(path)
    kind = (fmt or path.suffix.lstrip(".") or "md").lower()
    kind = {"markdown": "md", "text": "txt"}.get(kind, kind)
    if kind not in TRANSCRIPT_FORMATS:
        raise ValueError(
            f"--format: {fmt or path.suffix!r} is not a transcript format; use md, csv or txt"
        )
    if isinstance(source, Report):
        if source.kind != "tweetchat":
            raise ValueError(f"write_transcript needs a tweetchat report, not {source.kind!r}")
        st = source.table("sessions")
        table = source.table("transcript")
        sessions = [dict(zip(st.columns, r, strict=True)) for r in st.rows]
        tz = str(source.params.get("tz") or "")
    else:
        table, sessions, tz = source, [], ""
    rows = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    if session is not None:
        rows = [r for r in rows if r["session"] == session]
        sessions = [s for s in sessions if s["session"] == session]
    dropped: Counter[Any] = Counter()
    kept = []
    for r in rows:
        if not include_reposts and r["kind"] in ("repost", "RT"):
            dropped[r["session"]] += 1
        else:
            kept.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(table.columns)
            for r in kept:
                w.writerow([_cell(r[c]) for c in table.columns])
        return path
    by_session: dict[Any, list[dict[str, Any]]] = {}
    for r in kept:
        by_session.setdefault(r["session"], []).append(r)
    order = [s["session"] for s in sessions] or sorted(by_session, key=lambda x: (x is None, x))
    info = {s["session"]: s for s in sessions}
    out: list[str] = []
    for sid in order:
        out.extend(_render(kind, info.get(sid), sid, tz, by_session.get(sid, []), dropped[sid]))
    path.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")
    return path


def _cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    return "" if v is None else v


def _render(
    kind: str,
    s: dict[str, Any] | None,
    sid: Any,
    tz: str,
    rows: list[dict[str, Any]],
    dropped: int,
) -> list[str]:
    """One session's transcript as Markdown or text lines."""
    if s is not None:
        start, end = s["start"], s["end"]
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        head = f"#{s['hashtag']} — session {sid}: {start:%Y-%m-%d %H:%M}–{until} {tz}".rstrip()
        facts = (
            f"{s['posts']} posts by {s['participants']} participants; {s['questions']} "
            f"questions, {s['answered']} answered."
        )
    else:
        head, facts = f"Session {sid}", ""
    if dropped:
        facts += f" {dropped} reposts not shown."
    out: list[str] = []
    if kind == "md":
        out += [f"# {head}", ""]
        if facts.strip():
            out += [facts.strip(), ""]
        for r in rows:
            tag = f" **[{r['qa']}]**" if r["qa"] else ""
            reply = f" ↳ #{r['reply_to']}" if r["reply_to"] else ""
            text = _md_escape(str(r["text"] or "")).replace("\n", "  \n    ")
            who = _md_escape(str(r["author"]))
            out.append(f"- `#{r['n']}` **{_fmt_time(r['time'])}** @{who}{tag}{reply}: {text}")
        out.append("")
    else:
        out += [head, "=" * len(head)]
        if facts.strip():
            out.append(facts.strip())
        out.append("")
        for r in rows:
            tag = f" [{r['qa']}]" if r["qa"] else ""
            reply = f" (reply to #{r['reply_to']})" if r["reply_to"] else ""
            text = str(r["text"] or "").replace("\n", "\n    ")
            out.append(f"#{r['n']} {_fmt_time(r['time'])} @{r['author']}{tag}{reply}: {text}")
        out.append("")
    return out


def _fmt_time(v: Any) -> str:
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v)
        except ValueError:
            return v
    return v.strftime("%H:%M:%S") if isinstance(v, datetime) else str(v)


def _md_escape(text: str) -> str:
    """Keep a post's text from turning into Markdown structure (headings, lists, HTML)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
