"""Top lists: accounts, hashtags (co-hashtags of a selected tag), mentioned accounts,
linked domains and URLs, and the most engaging posts.

Accounts, hashtags, mentions and domains come from the day rollups when the selection
allows (see scope.py); accounts and hashtags of a selection by post kind from the
per-kind year rollup when its period is open or whole years (`_from_kind_rollups`);
links and posts are always counted from the posts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from radsocial.analytics.result import Report, Table, empty_note
from radsocial.analytics.scope import connect, period, rollup_scope, whole_years
from radsocial.models import utc
from radsocial.store import Selection
from radsocial.store.queries import where
from radsocial.store.rollup_keys import KIND_DIMS
from radsocial.store.rollups import author_name
from radsocial.store.schema import (
    account_labels,
    accounts,
    post_hashtags,
    post_links,
    post_mentions,
    posts,
    rollup_author,
    rollup_author_year,
    rollup_key_day,
    rollup_key_kind_year,
    rollup_key_year,
)

WHAT = ("accounts", "hashtags", "mentions", "domains", "links", "posts")
_DIM = {"accounts": "author", "hashtags": "hashtag", "mentions": "mention", "domains": "domain"}
#: what `rollup_key_kind_year` answers (its dims: `rollup_keys.KIND_DIMS`)
_KIND_WHAT = tuple(w for w, d in _DIM.items() if d in KIND_DIMS)
#: the smallest step of a timestamp: `until` is exclusive
_TICK = timedelta(microseconds=1)


def _flag(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _ranked(conn: sa.Connection, q: sa.Select[Any]) -> list[tuple[str, str, int, int, int]]:
    """(key, platform, posts, reposts, impressions) rows of a ranking query, as ints
    (sums of no rows come back NULL)."""
    return [(k, p, int(a), int(b or 0), int(c or 0)) for k, p, a, b, c in conn.execute(q)]


def _from_rollups(
    conn: sa.Connection, sel: Selection, what: str, n: int, exclude: list[str]
) -> list[tuple[str, str, int, int, int]] | None:
    scope = rollup_scope(conn, sel, grain="day")
    if scope is None:
        return None
    # whole calendar years read one row per key and year; other periods their days
    cond = scope.year_where(rollup_key_year, sel, _DIM[what])
    table = rollup_key_year
    if cond is None:
        table, cond = rollup_key_day, scope.day_where(rollup_key_day, sel, _DIM[what])
    r = table.c
    posts_n = sa.func.sum(r.posts).label("n")
    q = (
        sa.select(r.key, r.platform, posts_n, sa.func.sum(r.reposts), sa.func.sum(r.impressions))
        .where(*cond)
        .group_by(r.key, r.platform)
        .order_by(sa.desc("n"), r.key, r.platform)
        .limit(n + len(exclude))
    )
    if what == "hashtags" and exclude:
        q = q.where(r.key.not_in(exclude))
    return _ranked(conn, q)[:n]


def _from_kind_rollups(
    conn: sa.Connection, sel: Selection, scoped: Selection, what: str, n: int, exclude: list[str]
) -> list[tuple[str, str, int, int, int]] | None:
    """Top accounts or hashtags of a selection by post kind from `rollup_key_kind_year`
    — the explorer's "originals of #tag on X" — instead of the tag's posts (253,000
    for #radiology at 1M posts: 0.3 s each). Only with the period as asked (`sel`) open
    at both ends or whole calendar years: the table has no finer time. `scoped` is the
    selection with its period; when open, that is the selection's data span, whose
    years are read as a list (not a range) so that every primary-key column up to the
    key is an equality or IN and the index finds the rows of each year, platform and
    kind without reading the tag's other ones."""
    if what not in _KIND_WHAT or not sel.kinds:
        return None
    scope = rollup_scope(conn, scoped, grain="day", kinds=True)
    if scope is None:
        return None
    if sel.since is None and sel.until is None:
        assert scoped.since is not None and scoped.until is not None  # `period` filled them
        first, last = utc(scoped.since).year, utc(scoped.until - _TICK).year + 1
    else:
        years = whole_years(sel.since, sel.until)
        if years is None:
            return None
        first, last = years
    r = rollup_key_kind_year.c
    cond = [
        r.dim == _DIM[what],
        r.tag == scope.tag,
        r.year.in_(list(range(first, last))),
        r.kind.in_(scope.kinds),
    ]
    if scope.platforms:
        cond.append(r.platform.in_(scope.platforms))
    if exclude:
        cond.append(r.key.not_in(exclude))
    q = (
        sa.select(
            r.key,
            r.platform,
            sa.func.sum(r.posts).label("n"),
            sa.func.sum(r.reposts),
            sa.func.sum(r.impressions),
        )
        .where(*cond)
        .group_by(r.key, r.platform)
        .order_by(sa.desc("n"), r.key, r.platform)
        .limit(n)
    )
    return _ranked(conn, q)


def _from_author_rollups(
    conn: sa.Connection, sel: Selection, scoped: Selection, n: int
) -> list[tuple[str, str, int, int, int]] | None:
    """Top accounts of the whole store, or of whole calendar years, from the author
    rollups: ~67,000 rows, where the key rollups hold one per author and day or year
    (0.4–0.6 s at 1M posts, measured). `sel` is the selection as asked (no period: the
    whole store), `scoped` the same with its period. The account key is the key
    rollups' (`rollups.author_name`): the lowercase handle, else the platform id."""
    scope = rollup_scope(conn, scoped, grain="day")
    if scope is None or scope.tag:
        return None
    if sel.since is None and sel.until is None:
        t: Any = rollup_author
        cond: list[sa.ColumnElement[bool]] = []
    else:
        years = whole_years(sel.since, sel.until)
        if years is None:
            return None
        t = rollup_author_year
        cond = [t.c.year >= years[0], t.c.year < years[1]]
    r = t.c
    key = sa.case((r.handle != "", r.handle), else_=r.author_id).label("key")
    if scope.platforms:
        cond.append(r.platform.in_(scope.platforms))
    q = (
        sa.select(
            key,
            r.platform,
            sa.func.sum(r.posts).label("n"),
            sa.func.sum(r.reposts),
            sa.func.sum(r.impressions),
        )
        .where(*cond)
        .group_by(key, r.platform)
        .order_by(sa.desc("n"), key, r.platform)
        .limit(n)
    )
    return _ranked(conn, q)


def _from_posts(
    conn: sa.Connection, sel: Selection, what: str, n: int, exclude: list[str]
) -> list[tuple[str, str, int, int, int]]:
    cond = where(conn, sel)
    c = posts.c
    if what == "accounts":
        key: Any = author_name()
        src: Any = posts
    elif what == "hashtags":
        key, src = post_hashtags.c.tag, posts.join(post_hashtags, post_hashtags.c.post_id == c.id)
        if exclude:
            cond = [*cond, post_hashtags.c.tag.not_in(exclude)]
    elif what == "mentions":
        key, src = (
            post_mentions.c.handle,
            posts.join(post_mentions, post_mentions.c.post_id == c.id),
        )
    else:
        return _domains_from_posts(conn, cond, n)
    k = key.label("key")
    q = (
        sa.select(
            k,
            c.platform,
            sa.func.count().label("n"),
            _flag(c.kind == "repost"),
            sa.func.sum(sa.func.coalesce(c.author_followers, 0)),
        )
        .select_from(src)
        .where(*cond, key.is_not(None))
        .group_by(key, c.platform)
        .order_by(sa.desc("n"), key, c.platform)
        .limit(n)
    )
    return _ranked(conn, q)


def _domains_from_posts(
    conn: sa.Connection, cond: list[sa.ColumnElement[bool]], n: int
) -> list[tuple[str, str, int, int, int]]:
    """Linked sites of the selected posts, a post counting once per site.

    The distinct (post, site) pairs are taken of the selected posts only: taken of
    every link first and then joined, they cost a pass over all of `post_links` (0.17 s
    of a conference report at 1M posts, measured). The post's columns ride along in the
    DISTINCT; they depend on the post alone, so the pairs are the same.
    """
    c, link = posts.c, post_links.c
    sites = (
        sa.select(link.post_id, link.domain, c.platform, c.kind, c.author_followers)
        .select_from(posts.join(post_links, link.post_id == c.id))
        .where(*cond, link.domain.is_not(None))
        .distinct()
        .subquery()
    )
    t = sites.c
    q = (
        sa.select(
            t.domain.label("key"),
            t.platform,
            sa.func.count().label("n"),
            _flag(t.kind == "repost"),
            sa.func.sum(sa.func.coalesce(t.author_followers, 0)),
        )
        .group_by(t.domain, t.platform)
        .order_by(sa.desc("n"), t.domain, t.platform)
        .limit(n)
    )
    return _ranked(conn, q)


def account_info(
    conn: sa.Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str | None, int | None, str | None]]:
    """{(platform, lowercase handle): (display handle, followers, stakeholder)}.

    The stakeholder is the effective label (a manual label wins over the classifier's).
    """
    if not keys:
        return {}
    out: dict[tuple[str, str], tuple[str | None, int | None, str | None]] = {}
    lab: dict[int, tuple[str, str]] = {}
    ids: dict[int, tuple[str, str]] = {}
    by_platform: dict[str, set[str]] = {}
    for platform, h in keys:
        by_platform.setdefault(platform, set()).add(h)
    for platform, handles in by_platform.items():
        # (platform, lower(handle)) is indexed: ix_accounts_lower_handle
        q = sa.select(
            accounts.c.id, accounts.c.platform, accounts.c.handle, accounts.c.followers
        ).where(
            accounts.c.platform == platform,
            sa.func.lower(accounts.c.handle).in_(sorted(handles)),
        )
        for aid, plat, handle, followers in conn.execute(q):
            key = (plat, (handle or "").lower())
            out[key] = (handle, followers, None)
            ids[aid] = key
    if ids:
        lq = sa.select(
            account_labels.c.account_pk, account_labels.c.value, account_labels.c.method
        ).where(account_labels.c.task == "stakeholder", account_labels.c.account_pk.in_(list(ids)))
        for aid, value, method in conn.execute(lq):
            if aid not in lab or method == "manual":
                lab[aid] = (value, method)
        for aid, (value, _) in lab.items():
            h, f, _ = out[ids[aid]]
            out[ids[aid]] = (h, f, value)
    return out


def top(store: Any, sel: Selection | None = None, *, what: str = "accounts", n: int = 20) -> Report:
    """The top `n` accounts, hashtags, mentions, domains, links or posts of a selection.

    For `hashtags` the selected tags themselves are left out: what remains are the
    co-hashtags. Accounts carry their followers and stakeholder label.
    """
    if what not in WHAT:
        raise ValueError(f"--what: {what!r} is not one of {', '.join(WHAT)}")
    if n < 1:
        raise ValueError("--n must be at least 1")
    sel = sel or Selection()
    rep = Report("top", sel.describe(), {"what": what, "n": n})
    exclude = [t.lstrip("#").lower() for t in sel.hashtags] if what == "hashtags" else []
    with connect(store) as conn:
        per = period(conn, sel)
        if per is None:
            rep.notes.append(empty_note(sel.describe()))
            rep.tables.append(Table(what, _columns(what), []))
            return rep
        scoped = sel.with_period(per.since, per.until)
        if what == "posts":
            table = _top_posts(conn, scoped, n)
        elif what == "links":
            table = _top_links(conn, scoped, n)
        else:
            rows = _from_kind_rollups(conn, sel, scoped, what, n, exclude)
            if rows is None and what == "accounts":
                rows = _from_author_rollups(conn, sel, scoped, n)
            if rows is None:
                rows = _from_rollups(conn, scoped, what, n, exclude)
            rep.params["source"] = "rollups" if rows is not None else "posts"
            if rows is None:
                rows = _from_posts(conn, scoped, what, n, exclude)
            table = _keyed_table(conn, what, rows)
    rep.params.update(since=per.since.isoformat(), until=per.until.isoformat())
    rep.tables.append(table)
    if not table.rows:
        rep.notes.append(empty_note(sel.describe()))
    return rep


def _columns(what: str) -> list[str]:
    if what == "accounts":
        return [
            "rank",
            "account",
            "platform",
            "posts",
            "reposts",
            "impressions",
            "followers",
            "stakeholder",
        ]
    if what == "posts":
        return [
            "rank",
            "created_at",
            "platform",
            "author",
            "text",
            "likes",
            "reposts",
            "replies",
            "url",
        ]
    if what == "links":
        return ["rank", "url", "domain", "posts", "reposts"]
    label = {"hashtags": "hashtag", "mentions": "mentioned", "domains": "domain"}[what]
    return ["rank", label, "platform", "posts", "reposts"]


def _keyed_table(
    conn: sa.Connection, what: str, rows: list[tuple[str, str, int, int, int]]
) -> Table:
    titles = {
        "accounts": "Top accounts by posts",
        "hashtags": "Top hashtags (co-hashtags when a hashtag is selected)",
        "mentions": "Most mentioned accounts",
        "domains": "Most linked sites",
    }
    label = _columns(what)[1]
    out: list[list[Any]] = []
    if what == "accounts":
        info = account_info(conn, [(p, k) for k, p, *_ in rows])
        for i, (k, p, n, rp, imp) in enumerate(rows, 1):
            handle, followers, stake = info.get((p, k), (None, None, None))
            out.append([i, handle or k, p, n, rp, imp, followers, stake])
    else:
        out = [[i, k, p, n, rp] for i, (k, p, n, rp, _) in enumerate(rows, 1)]
    return Table(
        what,
        _columns(what),
        out,
        title=titles[what],
        chart={"kind": "bar", "x": label, "y": ["posts"]},
        notes=["Impressions are theoretical (Σ posts × followers)."] if what == "accounts" else [],
    )


def _top_links(conn: sa.Connection, sel: Selection, n: int) -> Table:
    c = posts.c
    q = (
        sa.select(
            post_links.c.url,
            post_links.c.domain,
            sa.func.count().label("n"),
            _flag(c.kind == "repost"),
        )
        .select_from(posts.join(post_links, post_links.c.post_id == c.id))
        .where(*where(conn, sel))
        .group_by(post_links.c.url, post_links.c.domain)
        .order_by(sa.desc("n"), post_links.c.url)
        .limit(n)
    )
    rows = [[i, u, d, int(k), int(r or 0)] for i, (u, d, k, r) in enumerate(conn.execute(q), 1)]
    return Table(
        "links",
        _columns("links"),
        rows,
        title="Most shared links",
        chart={"kind": "bar", "x": "url", "y": ["posts"]},
    )


def _top_posts(conn: sa.Connection, sel: Selection, n: int) -> Table:
    """The most engaging original posts (reposts point at them; likes + reposts)."""
    c = posts.c
    score = sa.func.coalesce(c.likes, 0) + sa.func.coalesce(c.reposts, 0)
    q = (
        sa.select(
            c.created_at, c.platform, c.author_handle, c.text, c.likes, c.reposts, c.replies, c.url
        )
        .where(*where(conn, sel), c.kind != "repost")
        .order_by(score.desc(), c.id)
        .limit(n)
    )
    rows = [[i, *r] for i, r in enumerate(conn.execute(q), 1)]
    return Table("posts", _columns("posts"), rows, title="Most engaging posts (likes + reposts)")
