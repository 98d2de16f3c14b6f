"""Checking alert rules against the store, writing what fired to `alert_events`.

`check_rules(store)` runs after every import or collection (and from
`radsocial alerts check`). Why it works the way it does:

- Keyword and account rules are incremental: each looks only at posts with an id above
  its `last_checked_post_id` ("every post up to here has been dealt with"). When fewer
  than `min_posts` posts match, the pointer stops just before the first match, so the
  matches are counted again with the next import's and the rule fires once enough
  have come in — never twice for the same post.
- Spike and sentiment-drop rules look at time windows ending at the last whole hour
  before the check. A rule does not fire again for a window that overlaps one it
  already fired for, so a spike that lasts all day is reported once.
- Each rule is checked in its own write transaction, with its row locked (PostgreSQL
  `FOR UPDATE`; SQLite write transactions are exclusive), so two checks running at
  once — an import and a cron job — cannot both fire for the same posts.
- The event is committed *before* delivery: a mail server that is down loses no alert;
  the event's `deliveries` then says what failed.
- A rule that cannot be checked (a broken term, a lost database connection) is logged
  and skipped; the other rules still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from radsocial.alerts.rules import Rule, describe, get_rule, list_rules
from radsocial.alerts.spike import BASELINE_HOURS, WINDOW_HOURS, spike_test
from radsocial.models import utc, utcnow
from radsocial.store.queries import post_label_is, where
from radsocial.store.schema import alert_events, alert_rules, post_mentions, posts

log = logging.getLogger(__name__)

SENTIMENTS = ("positive", "neutral", "negative")
EXAMPLE_POSTS = 10  # posts named in an event's details
TEXT_LIMIT = 500  # characters of a post's text kept in an event's details


@dataclass(slots=True)
class Fired:
    """One rule firing: what the log holds (`alert_events`) plus what delivery needs."""

    event_id: int
    rule_id: int
    rule: str
    kind: str
    fired_at: datetime
    reason: str
    details: dict[str, Any]
    channels: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "rule_id": self.rule_id,
            "rule": self.rule,
            "kind": self.kind,
            "fired_at": self.fired_at.isoformat(),
            "reason": self.reason,
            "details": self.details,
            "deliveries": self.deliveries,
        }


@dataclass(slots=True)
class _Outcome:
    """What checking one rule decided: where its pointer goes, and whether it fires."""

    last_post_id: int | None
    reason: str | None = None
    details: dict[str, Any] | None = None


ErrorHandler = Callable[[Rule, Exception], None]


def check_rules(
    store: Any,
    *,
    now: datetime | None = None,
    deliver: bool = True,
    config: Any = None,
    rules: Sequence[str | int] | None = None,
    on_error: ErrorHandler | None = None,
) -> list[Fired]:
    """Check every enabled rule (or only `rules`, by name or id); return what fired.

    `now` is the time the windows end at (default: the current time), so archives can
    be checked as of a past date. Firings are delivered to the rules' channels unless
    `deliver` is False; `config` is a radsocial.alerts.config.DeliveryConfig (default:
    read from the environment and the config file). `on_error(rule, exc)` hears about
    rules that could not be checked (default: logged).
    """
    when = utc(now) if now else utcnow()
    if rules is None:
        selected = list_rules(store, enabled_only=True)
    else:  # named rules are checked even when disabled; an unknown name is a RuleError
        selected = list({r.id: r for r in (get_rule(store, ref) for ref in rules)}.values())
    fired: list[Fired] = []
    for rule in selected:
        try:
            f = _check_one(store, rule, when)
        except Exception as exc:  # one broken rule must not keep the others from running
            if on_error is not None:
                on_error(rule, exc)
            else:
                log.error("alert rule %r could not be checked: %s", rule.name, exc)
            continue
        if f is not None:
            fired.append(f)
    if deliver:
        deliver_fired(store, fired, config)
    return fired


def deliver_fired(store: Any, fired: Sequence[Fired], config: Any = None) -> None:
    """Deliver each firing to its channels and record the outcome in its event."""
    from radsocial.alerts.config import ConfigError, load_config
    from radsocial.alerts.deliver import deliver

    todo = [f for f in fired if f.channels]
    if not todo:
        return
    cfg_error: str | None = None
    if config is None:
        try:
            config = load_config()
        except ConfigError as exc:
            cfg_error = str(exc)
    for f in todo:
        if cfg_error is not None:
            f.deliveries = [
                {
                    "channel": ch.get("type"),
                    "target": _target(ch),
                    "status": "failed",
                    "attempts": 0,
                    "at": utcnow().isoformat(),
                    "error": f"configuration: {cfg_error}",
                }
                for ch in f.channels
            ]
        else:
            f.deliveries = deliver(f, config)
        with store.writer() as conn, conn.begin():
            conn.execute(
                alert_events.update()
                .where(alert_events.c.id == f.event_id)
                .values(deliveries=f.deliveries)
            )


def _target(ch: dict[str, Any]) -> str:
    return ", ".join(ch.get("to", [])) if ch.get("type") == "email" else str(ch.get("name"))


def _check_one(store: Any, rule: Rule, now: datetime) -> Fired | None:
    with store.writer() as conn, conn.begin():
        # Lock the rule's row and read it again: another check may have moved it on.
        row = conn.execute(
            sa.select(alert_rules).where(alert_rules.c.id == rule.id).with_for_update()
        ).first()
        if row is None:
            return None
        current = Rule.from_row(row)
        if not current.enabled and rule.enabled:
            return None
        max_id = conn.execute(sa.select(sa.func.max(posts.c.id))).scalar()
        outcome = _EVALUATORS[current.kind](conn, current, now, int(max_id or 0))
        values: dict[str, Any] = {}
        if outcome.last_post_id is not None:
            values["last_checked_post_id"] = outcome.last_post_id
        if values:
            conn.execute(
                alert_rules.update().where(alert_rules.c.id == current.id).values(**values)
            )
        if outcome.reason is None:
            return None
        details = dict(outcome.details or {})
        details.setdefault("rule", current.describe())
        res = conn.execute(
            alert_events.insert().values(
                rule_id=current.id,
                fired_at=now,
                reason=outcome.reason,
                details=details,
                deliveries=[],
            )
        )
        event_id = int(res.inserted_primary_key[0])
    log.info("alert %r fired: %s", current.name, outcome.reason)
    return Fired(
        event_id=event_id,
        rule_id=int(current.id or 0),
        rule=current.name,
        kind=current.kind,
        fired_at=now,
        reason=outcome.reason,
        details=details,
        channels=list(current.channels),
    )


# ---------------------------------------------------------------------------- keyword, account


def _new_posts(
    conn: sa.Connection,
    rule: Rule,
    max_id: int,
    cond: list[sa.ColumnElement[bool]],
    min_posts: int,
    what: str,
) -> _Outcome:
    """The incremental part shared by keyword and account rules."""
    start = int(rule.last_checked_post_id or 0)
    if max_id <= start:
        return _Outcome(last_post_id=None)
    cond = [*cond, posts.c.id > start, posts.c.id <= max_id]
    n, first, last = conn.execute(
        sa.select(sa.func.count(), sa.func.min(posts.c.id), sa.func.max(posts.c.id)).where(*cond)
    ).one()
    if not n:
        return _Outcome(last_post_id=max_id)
    if n < min_posts:
        # Keep the matches pending: the next check counts them again with newer ones.
        return _Outcome(last_post_id=int(first) - 1)
    examples = post_briefs(
        conn, sa.select(*_BRIEF_COLS).where(*cond).order_by(posts.c.id).limit(EXAMPLE_POSTS)
    )
    plural = "post" if n == 1 else "posts"
    reason = f"{n} new {plural} {what}"
    if min_posts > 1:
        reason += f" (threshold {min_posts})"
    details = {
        "posts_matched": int(n),
        "first_post_id": int(first),
        "last_post_id": int(last),
        "posts": examples,
    }
    return _Outcome(last_post_id=max_id, reason=reason, details=details)


def _keyword(conn: sa.Connection, rule: Rule, now: datetime, max_id: int) -> _Outcome:
    p = rule.params
    terms = " OR ".join(f'"{t}"' if " " in t else t for t in p["terms"])
    what = f"match {terms}"
    if p.get("hashtags"):
        what += " in " + " ".join("#" + t for t in p["hashtags"])
    return _new_posts(conn, rule, max_id, where(conn, rule.selection()), p["min_posts"], what)


def _account(conn: sa.Connection, rule: Rule, now: datetime, max_id: int) -> _Outcome:
    handles = list(rule.params["handles"])
    clause: sa.ColumnElement[bool] = sa.func.lower(posts.c.author_handle).in_(handles)
    who = ", ".join("@" + h for h in handles)
    what = f"by {who}"
    if rule.params.get("mentions"):
        mentioned = posts.c.id.in_(
            sa.select(post_mentions.c.post_id).where(post_mentions.c.handle.in_(handles))
        )
        clause = sa.or_(clause, mentioned)
        what = f"by or mentioning {who}"
    out = _new_posts(conn, rule, max_id, [clause], 1, what)
    if out.details is not None:
        start = int(rule.last_checked_post_id or 0)
        q = (
            sa.select(sa.func.lower(posts.c.author_handle), sa.func.count())
            .where(clause, posts.c.id > start, posts.c.id <= max_id)
            .group_by(sa.func.lower(posts.c.author_handle))
        )
        by = {str(h): int(c) for h, c in conn.execute(q) if h in handles}
        out.details["by_handle"] = by
    return out


# ---------------------------------------------------------------------------- windows


def floor_hour(dt: datetime) -> datetime:
    """The start of the hour `dt` falls in (UTC): windows end on whole hours."""
    return utc(dt).replace(minute=0, second=0, microsecond=0)


def hourly_counts(
    conn: sa.Connection,
    cond: Sequence[sa.ColumnElement[bool]],
    start: datetime,
    hours: int,
) -> list[int]:
    """Posts matching `cond` per hour from `start` (oldest first), `hours` values.

    Hours are counted from `start`, not from the epoch, so a day that starts at a
    half-hour offset (India, Newfoundland) is bucketed correctly too.
    """
    start = utc(start)
    end = start + timedelta(hours=hours)
    s = int(start.timestamp())
    if conn.dialect.name == "postgresql":
        idx = sa.cast(
            sa.func.floor((sa.extract("epoch", posts.c.created_at) - s) / 3600), sa.BigInteger
        )
    else:
        idx = (sa.cast(sa.func.strftime("%s", posts.c.created_at), sa.Integer) - s) // 3600
    inner = (
        sa.select(idx.label("h"))
        .where(*cond, posts.c.created_at >= start, posts.c.created_at < end)
        .subquery()
    )
    out = [0] * hours
    for h, n in conn.execute(sa.select(inner.c.h, sa.func.count()).group_by(inner.c.h)):
        if h is not None and 0 <= int(h) < hours:
            out[int(h)] += int(n)
    return out


def _window_clash(conn: sa.Connection, rule_id: int, start: datetime, end: datetime) -> bool:
    """True when the rule already fired for a window overlapping [start, end)."""
    q = (
        sa.select(alert_events.c.details)
        .where(alert_events.c.rule_id == rule_id)
        .order_by(alert_events.c.id.desc())
        .limit(500)
    )
    for (details,) in conn.execute(q):
        d = details or {}
        try:
            ws = datetime.fromisoformat(d["window_start"])
            we = datetime.fromisoformat(d["window_end"])
        except (KeyError, TypeError, ValueError):
            continue
        if ws < end and start < we:
            return True
    return False


def _describe_watch(rule: Rule) -> str:
    sel = rule.selection()
    parts = []
    if sel.keywords:
        parts.append(" OR ".join(f'"{t}"' if " " in t else t for t in sel.keywords))
    if sel.hashtags:
        parts.append(" ".join("#" + t for t in sel.hashtags))
    return " in ".join(parts) if parts else "all posts"


def _spike(conn: sa.Connection, rule: Rule, now: datetime, max_id: int) -> _Outcome:
    p = rule.params
    end = floor_hour(now)
    start = end - timedelta(hours=WINDOW_HOURS + BASELINE_HOURS)
    wstart = end - timedelta(hours=WINDOW_HOURS)
    cond = where(conn, rule.selection())
    counts = hourly_counts(conn, cond, start, WINDOW_HOURS + BASELINE_HOURS)
    res = spike_test(counts, p["k"], window=WINDOW_HOURS, min_posts=p["min_posts"])
    if not res.is_spike or _window_clash(conn, int(rule.id or 0), wstart, end):
        return _Outcome(last_post_id=max_id)
    peak = wstart + timedelta(hours=res.peak_hour)
    ratio = f" ({res.ratio:.1f}× the usual rate)" if res.ratio else ""
    reason = (
        f"spike in {_describe_watch(rule)}: {res.window_posts} posts in the 24 h to "
        f"{end:%Y-%m-%d %H:%M} UTC, {res.window_mean:.2f}/h vs {res.baseline_mean:.2f} ± "
        f"{res.baseline_sd:.2f}/h over the 7 days before (threshold {res.threshold:.2f}, "
        f"k={res.k:g}){ratio}; busiest hour {peak:%Y-%m-%d %H}:00 with {res.peak_posts}"
    )
    window = [*cond, posts.c.created_at >= wstart, posts.c.created_at < end]
    details = {
        "window_start": wstart.isoformat(),
        "window_end": end.isoformat(),
        "peak_hour_start": peak.isoformat(),
        "test": res.as_dict(),
        "hourly": counts[-WINDOW_HOURS:],
        "posts": top_posts(conn, window, limit=EXAMPLE_POSTS),
    }
    return _Outcome(last_post_id=max_id, reason=reason, details=details)


def sentiment_counts(
    conn: sa.Connection, cond: Sequence[sa.ColumnElement[bool]], since: datetime, until: datetime
) -> dict[str, int]:
    """Posts per effective sentiment label (manual labels win) in [since, until)."""
    base = [*cond, posts.c.created_at >= since, posts.c.created_at < until]
    return {
        v: int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(posts)
                .where(*base, post_label_is("sentiment", [v]))
            ).scalar_one()
        )
        for v in SENTIMENTS
    }


def net_sentiment(counts: dict[str, int]) -> float | None:
    """(positive − negative) ÷ labelled posts × 100: points from −100 to +100."""
    total = sum(counts.get(v, 0) for v in SENTIMENTS)
    if not total:
        return None
    return 100.0 * (counts.get("positive", 0) - counts.get("negative", 0)) / total


def _sentiment_drop(conn: sa.Connection, rule: Rule, now: datetime, max_id: int) -> _Outcome:
    p = rule.params
    end = floor_hour(now)
    wstart = end - timedelta(hours=p["window"])
    bstart = wstart - timedelta(hours=p["baseline"])
    cond = where(conn, rule.selection())
    cur = sentiment_counts(conn, cond, wstart, end)
    prev = sentiment_counts(conn, cond, bstart, wstart)
    n_cur, n_prev = sum(cur.values()), sum(prev.values())
    if n_cur < p["min_posts"] or n_prev < p["min_posts"]:
        return _Outcome(last_post_id=max_id)
    net_cur, net_prev = net_sentiment(cur), net_sentiment(prev)
    assert net_cur is not None and net_prev is not None
    drop = net_prev - net_cur
    if drop < p["drop"] or _window_clash(conn, int(rule.id or 0), wstart, end):
        return _Outcome(last_post_id=max_id)
    reason = (
        f"net sentiment of {_describe_watch(rule)} fell {drop:.1f} points: {net_cur:+.1f} over "
        f"the {p['window']} h to {end:%Y-%m-%d %H:%M} UTC ({n_cur} labelled posts) vs "
        f"{net_prev:+.1f} over the {p['baseline']} h before ({n_prev}); threshold {p['drop']:g}"
    )
    window = [*cond, posts.c.created_at >= wstart, posts.c.created_at < end]
    negative = [*window, post_label_is("sentiment", ["negative"])]
    details = {
        "window_start": wstart.isoformat(),
        "window_end": end.isoformat(),
        "baseline_start": bstart.isoformat(),
        "net_sentiment": round(net_cur, 2),
        "net_sentiment_before": round(net_prev, 2),
        "drop": round(drop, 2),
        "counts": cur,
        "counts_before": prev,
        "posts": top_posts(conn, negative, limit=EXAMPLE_POSTS),
    }
    return _Outcome(last_post_id=max_id, reason=reason, details=details)


_EVALUATORS: dict[str, Callable[[sa.Connection, Rule, datetime, int], _Outcome]] = {
    "keyword": _keyword,
    "account": _account,
    "spike": _spike,
    "sentiment_drop": _sentiment_drop,
}


# ---------------------------------------------------------------------------- posts named


_BRIEF_COLS = (
    posts.c.id,
    posts.c.platform,
    posts.c.platform_id,
    posts.c.url,
    posts.c.author_handle,
    posts.c.created_at,
    posts.c.kind,
    posts.c.text,
    posts.c.likes,
    posts.c.reposts,
)


def _brief(row: Any, reposts_seen: int = 0) -> dict[str, Any]:
    text = " ".join(str(row.text or "").split())
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + "…"
    created = row.created_at
    return {
        "id": int(row.id),
        "platform": row.platform,
        "platform_id": row.platform_id,
        "url": row.url,
        "author": row.author_handle,
        "created_at": utc(created).isoformat() if created else None,
        "kind": row.kind,
        "text": text,
        "likes": row.likes,
        "reposts": row.reposts,
        "reposts_seen": reposts_seen,
    }


def post_briefs(conn: sa.Connection, query: sa.Select[Any]) -> list[dict[str, Any]]:
    """Posts as short JSON-ready dicts (text whitespace-collapsed and truncated)."""
    return [_brief(r) for r in conn.execute(query)]


def top_posts(
    conn: sa.Connection, cond: Sequence[sa.ColumnElement[bool]], *, limit: int = 10
) -> list[dict[str, Any]]:
    """The most reposted, then most liked, posts among `cond` — the posts that "made" a
    spike or a day.

    Reposts count twice over, on purpose: the payload's repost count (a snapshot taken
    when it was collected) and the reposts of the post found in `cond` itself
    (`reposts_seen`); a post ranks by the larger. An original written before the window
    but reposted inside it is found through its reposts.
    """
    pool = max(limit * 3, 30)
    reposted = (
        sa.select(posts.c.platform, posts.c.repost_of_id, sa.func.count().label("n"))
        .where(*cond, posts.c.kind == "repost", posts.c.repost_of_id.is_not(None))
        .group_by(posts.c.platform, posts.c.repost_of_id)
        .order_by(sa.desc("n"), posts.c.repost_of_id)
        .limit(pool)
    )
    seen = {(p, oid): int(n) for p, oid, n in conn.execute(reposted)}
    engagement = sa.func.coalesce(posts.c.reposts, 0) + sa.func.coalesce(posts.c.likes, 0)
    originals = (
        sa.select(*_BRIEF_COLS)
        .where(*cond, posts.c.kind != "repost")
        .order_by(engagement.desc(), posts.c.id)
        .limit(pool)
    )
    rows = {r.id: r for r in conn.execute(originals)}
    if seen:
        keys = list(seen)
        q = sa.select(*_BRIEF_COLS).where(
            sa.tuple_(posts.c.platform, posts.c.platform_id).in_(keys)
        )
        for r in conn.execute(q):
            rows[r.id] = r
    briefs = [_brief(r, seen.get((r.platform, r.platform_id), 0)) for r in rows.values()]
    briefs.sort(
        key=lambda b: (
            -max(b["reposts"] or 0, b["reposts_seen"]),
            -(b["likes"] or 0),
            b["id"],
        )
    )
    return briefs[:limit]


def fired_between(store: Any, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Events fired in [since, until), oldest first, with their rule's name and kind."""
    q = (
        sa.select(
            alert_events.c.id,
            alert_events.c.fired_at,
            alert_events.c.reason,
            alert_rules.c.name,
            alert_rules.c.kind,
            alert_rules.c.params,
        )
        .join(alert_rules, alert_rules.c.id == alert_events.c.rule_id)
        .where(alert_events.c.fired_at >= since, alert_events.c.fired_at < until)
        .order_by(alert_events.c.fired_at, alert_events.c.id)
    )
    with store.engine.connect() as conn:
        return [
            {
                "event_id": int(r.id),
                "fired_at": utc(r.fired_at).isoformat(),
                "rule": r.name,
                "kind": r.kind,
                "description": describe(r.kind, r.params or {}),
                "reason": r.reason,
            }
            for r in conn.execute(q)
        ]


def event_log(
    store: Any, *, rule: str | int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The newest events first, as stored: what fired, why, and how it was delivered."""
    q = (
        sa.select(alert_events, alert_rules.c.name, alert_rules.c.kind)
        .join(alert_rules, alert_rules.c.id == alert_events.c.rule_id)
        .order_by(alert_events.c.id.desc())
        .limit(limit)
    )
    if rule is not None:
        q = q.where(alert_events.c.rule_id == get_rule(store, rule).id)
    with store.engine.connect() as conn:
        return [
            {
                "event_id": int(r.id),
                "rule": r.name,
                "kind": r.kind,
                "fired_at": utc(r.fired_at).isoformat(),
                "reason": r.reason,
                "details": r.details or {},
                "deliveries": r.deliveries or [],
            }
            for r in conn.execute(q)
        ]


__all__ = [
    "Fired",
    "check_rules",
    "deliver_fired",
    "event_log",
    "fired_between",
    "floor_hour",
    "hourly_counts",
    "net_sentiment",
    "sentiment_counts",
    "top_posts",
]
