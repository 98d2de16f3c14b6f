"""The reads and writes the web app makes besides analyses: post pages, accounts, imports,
settings and alert rules.

Analyses (counts, rankings, charts) go through `radsocial.analytics.run` only; this
module lists rows — posts for the explorer, an account's profile, an import's rejected
lines — and keeps the small tables the app owns. Every query is bounded (LIMIT, keyset
paging) so a page over a million posts stays fast.
"""

from __future__ import annotations

import base64
import binascii
import csv
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from radsocial.models import PLATFORMS, utc, utcnow
from radsocial.store import Selection
from radsocial.store.dialect import fts5_query
from radsocial.store.queries import _POST_COLS, author_key, label_exists, where
from radsocial.store.schema import (
    account_labels,
    accounts,
    classifier_state,
    imports,
    post_hashtags,
    post_labels,
    posts,
    settings,
)
from radsocial.web.render import BadInput

PAGE_MAX = 200

#: What post_dict reads: the columns the store builds a Post from, and the follower count.
_POST_COLUMNS = [*_POST_COLS, posts.c.author_followers]


def is_empty(store: Any) -> bool:
    """True when the store holds no post at all (pages then explain how to import)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(posts.c.id).limit(1)).first() is None


def latest_post_time(store: Any) -> datetime | None:
    with store.engine.connect() as conn:
        v = conn.execute(sa.select(sa.func.max(posts.c.created_at))).scalar()
    return utc(v) if v is not None else None


def data_version(store: Any) -> tuple[Any, ...]:
    """What analyses depend on, read in three index look-ups: the highest post id (an
    import added posts), the last classifier run and the last import (labels or
    metrics changed). Cached results are valid while it stays the same."""
    with store.engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.max(posts.c.id))).scalar() or 0,
            conn.execute(sa.select(sa.func.max(classifier_state.c.updated_at))).scalar(),
            conn.execute(sa.select(sa.func.max(imports.c.id))).scalar(),
        )


# --------------------------------------------------------------------------- posts


def encode_cursor(created_at: datetime, post_id: int) -> str:
    raw = f"{utc(created_at).isoformat()}|{post_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(created_at, id) from a cursor; BadInput for anything we did not hand out."""
    try:
        pad = "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(cursor + pad).decode("utf-8")
        when, pid = text.rsplit("|", 1)
        return utc(datetime.fromisoformat(when)), int(pid)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadInput(
            "cursor: not a cursor this server handed out; start again without it"
        ) from None


def post_dict(row: Any) -> dict[str, Any]:
    """A post for the API and the templates (raw values: templates escape them)."""
    ent = row.entities or {}
    return {
        "id": row.id,
        "platform": row.platform,
        "platform_id": row.platform_id,
        "url": row.url,
        "author_id": row.author_id,
        "author_handle": row.author_handle,
        "created_at": utc(row.created_at).isoformat(),
        "text": row.text,
        "lang": row.lang,
        "kind": row.kind,
        "reply_to_id": row.reply_to_id,
        "quote_of_id": row.quote_of_id,
        "repost_of_id": row.repost_of_id,
        "hashtags": list(ent.get("hashtags", ())),
        "mentions": list(ent.get("mentions", ())),
        "links": list(ent.get("links", ())),
        "media": len(ent.get("media", ())),
        "likes": row.likes,
        "reposts": row.reposts,
        "replies": row.replies,
        "quotes": row.quotes,
        "views": row.views,
        "author_followers": row.author_followers,
        "synthetic": bool((row.extras or {}).get("synthetic")),
    }


#: A filter matching at least this many posts is "common": newest-first pages are found
#: by walking the created_at index and checking each post, which stops after one page.
COMMON = 5_000


def _bounded(conn: sa.Connection, q: sa.Select[Any], cap: int) -> int:
    inner = q.limit(cap + 1).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())


def _list_clauses(conn: sa.Connection, sel: Selection) -> tuple[list[Any], bool]:
    """The WHERE clauses for listing posts newest first, and whether they walk the
    created_at index.

    `queries.where` is right for counting; for one page, SQLite's planner tends to start
    from the `kind` or `platform` index, or to build the set of every post with a label,
    then sort all matches — half a second to seconds on a million posts. When each
    selective filter matches many posts, walking `ix_posts_created_at` and checking each
    post (EXISTS probes; `platform || ''` so no other index is chosen) returns a page in
    milliseconds; when a filter is rare (a small hashtag, an account), starting from it
    is better, and the planner does.
    """
    walk = conn.dialect.name == "sqlite"
    tags = [t.lstrip("#").lower() for t in sel.hashtags]
    tagged = sa.select(post_hashtags.c.post_id).where(post_hashtags.c.tag.in_(tags))
    if tags and _bounded(conn, tagged, COMMON) <= COMMON:
        walk = False
    if walk and (sel.query or sel.keywords):
        text_only = Selection(query=sel.query, keywords=sel.keywords)
        walk = _bounded(conn, sa.select(posts.c.id).where(*where(conn, text_only)), COMMON) > COMMON
    if sel.accounts:
        # An account's posts are few: start from them, through ix_posts_author
        # (platform, author_handle) with the handle's spellings, since `lower(handle)`
        # can use no index. The lower() test stays, so the result is exactly the same.
        clauses = where(conn, replace(sel, accounts=()))
        lowered = [a.lstrip("@").lower() for a in sel.accounts]
        spellings = set(lowered) | {a.lstrip("@") for a in sel.accounts}
        spellings |= {
            h
            for (h,) in conn.execute(
                sa.select(accounts.c.handle).where(sa.func.lower(accounts.c.handle).in_(lowered))
            )
            if h
        }
        clauses += [
            posts.c.platform.in_(list(sel.platforms or PLATFORMS)),
            posts.c.author_handle.in_(sorted(spellings)),
            sa.func.lower(posts.c.author_handle).in_(lowered),
        ]
        return clauses, False
    if not walk:
        return where(conn, sel), False
    base = replace(
        sel,
        hashtags=(),
        platforms=(),
        kinds=(),
        stakeholders=(),
        relevant=None,
        query=None,
        keywords=(),
    )
    clauses: list[Any] = where(conn, base)
    # Full text as `id + 0 IN (matches)`: the + 0 keeps SQLite from fetching every
    # match by primary key and sorting them, so it walks the time index instead.
    texts = [sel.query] if sel.query else []
    terms = [k.strip() for k in sel.keywords if k.strip()]
    if terms:
        texts.append(" OR ".join(f'"{t}"' if " " in t else t for t in terms))
    for text in texts:
        matches = sa.text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :q").bindparams(
            sa.bindparam("q", fts5_query(text), unique=True)
        )
        clauses.append((posts.c.id + 0).in_(matches))
    if sel.platforms:
        clauses.append((posts.c.platform + "").in_(sel.platforms))
    if sel.kinds:
        clauses.append((posts.c.kind + "").in_(sel.kinds))
    if tags:
        clauses.append(
            sa.exists()
            .where(post_hashtags.c.post_id == posts.c.id, post_hashtags.c.tag.in_(tags))
            .correlate(posts)
        )
    if sel.relevant is not None:
        rel = label_exists(post_labels, "post_id", posts.c.id, "relevance", ["relevant"])
        clauses.append(rel if sel.relevant else sa.not_(rel))
    if sel.stakeholders:
        acc = (
            sa.select(accounts.c.id)
            .where(accounts.c.platform == posts.c.platform, accounts.c.account_id == author_key())
            .correlate(posts)
            .scalar_subquery()
        )
        clauses.append(
            label_exists(account_labels, "account_pk", acc, "stakeholder", list(sel.stakeholders))
        )
    return clauses, True


def post_page(
    store: Any,
    sel: Selection,
    *,
    limit: int = 50,
    cursor: str | None = None,
    newest_first: bool = True,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of posts by keyset on (created_at, id), and the cursor of the next page.

    Keyset paging costs the same on page 1 and page 1,000 (OFFSET would scan every
    earlier row), which keeps deep paging through a million posts fast.
    """
    if not 1 <= limit <= PAGE_MAX:
        raise BadInput(f"limit: between 1 and {PAGE_MAX}, not {limit}")
    with store.engine.connect() as conn:
        clauses, _ = _list_clauses(conn, sel)
        q = sa.select(*_POST_COLUMNS).where(*clauses)
        if cursor:
            when, pid = decode_cursor(cursor)
            if newest_first:
                q = q.where(
                    sa.or_(
                        posts.c.created_at < when,
                        sa.and_(posts.c.created_at == when, posts.c.id < pid),
                    )
                )
            else:
                q = q.where(
                    sa.or_(
                        posts.c.created_at > when,
                        sa.and_(posts.c.created_at == when, posts.c.id > pid),
                    )
                )
        if newest_first:
            q = q.order_by(posts.c.created_at.desc(), posts.c.id.desc())
        else:
            q = q.order_by(posts.c.created_at, posts.c.id)
        rows = conn.execute(q.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return [post_dict(r) for r in rows], nxt


def count_posts(store: Any, sel: Selection, cap: int = 10_000) -> tuple[int, bool]:
    """How many posts match, counted up to `cap` (True when there are more).

    An exact count over a broad selection of a million posts costs a full scan; a
    bounded one answers "10,000+" in milliseconds, which is all a list header needs.
    """
    with store.engine.connect() as conn:
        clauses, _ = _list_clauses(conn, sel)
        n = _bounded(conn, sa.select(posts.c.id).where(*clauses), cap)
    return min(n, cap), n > cap


def post_by_id(store: Any, post_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(*_POST_COLUMNS).where(posts.c.id == post_id)).first()
    return post_dict(row) if row else None


# --------------------------------------------------------------------------- accounts


def account_detail(store: Any, platform: str, handle: str) -> dict[str, Any] | None:
    """An account's latest profile (untrusted text: templates escape it) and labels."""
    h = handle.lstrip("@")
    with store.engine.connect() as conn:
        # The exact spelling first (ix_accounts_handle), then any case (a scan).
        row = None
        for cond in (
            sa.or_(
                accounts.c.handle == h,
                accounts.c.account_id == h,
                accounts.c.account_id == "@" + h.lower(),
            ),
            sa.func.lower(accounts.c.handle) == h.lower(),
        ):
            row = conn.execute(
                sa.select(accounts)
                .where(accounts.c.platform == platform, cond)
                .order_by(accounts.c.last_seen.desc())
                .limit(1)
            ).first()
            if row is not None:
                break
        if row is None:
            return None
        labels = conn.execute(
            sa.select(
                account_labels.c.task,
                account_labels.c.value,
                account_labels.c.method,
                account_labels.c.coder,
            ).where(account_labels.c.account_pk == row.id)
        ).all()
    out = {
        k: (utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in row._mapping.items()
    }
    out["labels"] = [dict(r._mapping) for r in labels]
    return out


def account_pk_for_post(conn: sa.Connection, post_id: int) -> int | None:
    """The `accounts.id` of a post's author (None when the author was never described)."""
    key = conn.execute(
        sa.select(posts.c.platform, author_key().label("k")).where(posts.c.id == post_id)
    ).first()
    if key is None:
        return None
    return conn.execute(
        sa.select(accounts.c.id).where(
            accounts.c.platform == key.platform, accounts.c.account_id == key.k
        )
    ).scalar()


# --------------------------------------------------------------------------- imports


def import_rows(store: Any, limit: int = 200) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(imports).order_by(imports.c.id.desc()).limit(limit)).all()
    out = []
    for r in rows:
        d = dict(r._mapping)
        for k in ("started_at", "finished_at"):
            if d.get(k) is not None:
                d[k] = utc(d[k]).isoformat()
        d["has_rejected"] = bool(d.get("quarantine")) and bool(d.get("rejected"))
        out.append(d)
    return out


def import_row(store: Any, import_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(imports).where(imports.c.id == import_id)).first()
    if row is None:
        return None
    d = dict(row._mapping)
    for k in ("started_at", "finished_at"):
        if d.get(k) is not None:
            d[k] = utc(d[k]).isoformat()
    return d


def rejected_lines(store: Any, import_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """The rejected lines of an import, from its quarantine files: where and why, and the
    start of the line itself (untrusted bytes, decoded leniently; templates escape)."""
    row = import_row(store, import_id)
    if row is None or not row.get("quarantine"):
        return []
    lines_path = Path(row["quarantine"])
    errors_path = lines_path.with_suffix(".errors.tsv")
    if not errors_path.is_file():
        return []
    out: list[dict[str, Any]] = []
    payloads: list[str] = []
    if lines_path.is_file():
        with open(lines_path, "rb") as fh:
            for i, raw in enumerate(fh):
                if i >= limit:
                    break
                payloads.append(raw[:300].decode("utf-8", errors="replace").rstrip("\n"))
    with open(errors_path, encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for i, rec in enumerate(reader):
            if i >= limit:
                break
            rec = [*rec, "", "", "", ""][:4]
            out.append(
                {
                    "file": rec[0],
                    "line": int(rec[1]) if rec[1].isdigit() else None,
                    "reason": rec[2],
                    "bytes": int(rec[3]) if rec[3].isdigit() else None,
                    "content": payloads[i] if i < len(payloads) else "",
                }
            )
    return out


# --------------------------------------------------------------------------- settings

#: Settings the app reads and writes, with their default. Keys starting with "_" are
#: private (the session key) and never leave the server.
SETTINGS_DEFAULTS: dict[str, Any] = {
    "tracked_hashtags": [],
    "meetings": {},
    "coding_set": None,
}


def get_setting(store: Any, key: str) -> Any:
    if key not in SETTINGS_DEFAULTS:
        raise BadInput(f"unknown setting {key!r}; known: {', '.join(SETTINGS_DEFAULTS)}", 404)
    with store.engine.connect() as conn:
        v = conn.execute(sa.select(settings.c.value).where(settings.c.key == key)).first()
    return SETTINGS_DEFAULTS[key] if v is None else v[0]


def all_settings(store: Any) -> dict[str, Any]:
    return {k: get_setting(store, k) for k in SETTINGS_DEFAULTS}


def put_setting(store: Any, key: str, value: Any) -> None:
    if key not in SETTINGS_DEFAULTS or key.startswith("_"):
        raise BadInput(f"unknown setting {key!r}; known: {', '.join(SETTINGS_DEFAULTS)}", 404)
    with store.writer() as conn, conn.begin():
        conn.execute(settings.delete().where(settings.c.key == key))
        conn.execute(settings.insert().values(key=key, value=value, updated_at=utcnow()))


# --------------------------------------------------------------------------- alert rules
# Rules are owned by radsocial.alerts (validation, storage, checking); the web app only
# lists, adds, switches and removes them through its functions.

ALERT_KINDS = ("keyword", "account", "spike", "sentiment_drop")


def _alerts() -> Any:
    try:
        import radsocial.alerts as alerts
    except ImportError:
        raise BadInput("alerts are not available in this version of radsocial", 501) from None
    return alerts


def alerts_available() -> bool:
    try:
        _alerts()
    except BadInput:
        return False
    return True


def _rule_error(exc: Exception) -> BadInput:
    msg = str(exc)
    return BadInput(msg, 409 if "exists already" in msg else 404 if "no alert rule" in msg else 400)


def alert_rule_rows(store: Any) -> list[dict[str, Any]]:
    """Rules as stored (channels name webhooks; their URLs never enter the database)."""
    if not alerts_available():
        return []
    return [r.as_dict() for r in _alerts().list_rules(store)]


def alert_events(store: Any, limit: int = 20) -> list[dict[str, Any]]:
    if not alerts_available():
        return []
    return list(_alerts().event_log(store, limit=limit))


def add_alert_rule(store: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Add a rule from {name, kind, params, channels, enabled}; BadInput on a bad one."""
    alerts = _alerts()
    if not isinstance(body.get("params", {}), dict) or not isinstance(
        body.get("channels", []), list
    ):
        raise BadInput("params: an object; channels: a list")
    try:
        rule = alerts.add_rule(
            store,
            str(body.get("name") or ""),
            str(body.get("kind") or ""),
            body.get("params") or {},
            body.get("channels") or [],
            enabled=body.get("enabled", True) is not False,
        )
    except alerts.RuleError as exc:
        raise _rule_error(exc) from None
    return dict(rule.as_dict())


def set_alert_enabled(store: Any, rule_id: int, enabled: bool) -> dict[str, Any]:
    alerts = _alerts()
    try:
        return dict(alerts.set_enabled(store, rule_id, enabled).as_dict())
    except alerts.RuleError as exc:
        raise _rule_error(exc) from None


def delete_alert_rule(store: Any, rule_id: int) -> None:
    alerts = _alerts()
    try:
        alerts.remove_rule(store, rule_id)
    except alerts.RuleError as exc:
        raise _rule_error(exc) from None


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
