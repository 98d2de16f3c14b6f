"""The daily digest: what imaging talked about yesterday — as Markdown, HTML and e-mail.

`digest(store)` counts one calendar day (yesterday, in the time zone you name) straight
from the posts table with SQLAlchemy Core: a day is small, and a digest must not wait
for rollups or analytics to be built. What it holds, and why:

- volume beside the day before and the 7-day average (domain.md §1: every headline
  number is shown beside a comparable period);
- top hashtags (with the day before), top posts (most reposted, then most liked),
  top accounts, the stakeholder mix of the day's authors;
- the day's spikes: the selection and its top hashtags tested with Symplur's rule
  (radsocial.alerts.spike), the day as the window and the 7 days before as baseline;
- the alerts that fired during the day.

Post text and URLs come from the internet and are untrusted: HTML escapes every value
and links only to http(s) URLs, Markdown escapes what a renderer would read as markup
or raw HTML, and the HTML file carries a Content-Security-Policy that allows no script.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from radsocial import __version__
from radsocial.alerts.check import fired_between, hourly_counts, top_posts
from radsocial.alerts.deliver import safe_link
from radsocial.alerts.spike import BASELINE_HOURS, spike_test
from radsocial.models import utc, utcnow
from radsocial.store.queries import Selection, account_label_map, author_key, where
from radsocial.store.schema import post_hashtags, posts

TOP = 10
SPIKE_TAGS = 20  # the day's busiest hashtags tested for a spike
SPIKE_K = 2.0
SPIKE_MIN_POSTS = 10  # fewer posts in a day is not called a spike, whatever the baseline


@dataclass(slots=True)
class Digest:
    """One day's digest; render it with `to_markdown`, `to_html`, `to_text`, `to_email`."""

    day: date
    tz: str
    since: datetime  # the day's start, UTC
    until: datetime  # the next day's start, UTC (23, 24 or 25 hours later)
    selection: dict[str, Any]
    posts: int = 0
    reposts: int = 0
    users: int = 0
    previous_day: int = 0
    week_average: float = 0.0  # posts per day over the 7 days before
    top_hashtags: list[dict[str, Any]] = field(default_factory=list)
    top_posts: list[dict[str, Any]] = field(default_factory=list)
    top_accounts: list[dict[str, Any]] = field(default_factory=list)
    spikes: list[dict[str, Any]] = field(default_factory=list)
    stakeholders: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def change_vs_previous_day(self) -> float | None:
        """% change against the day before (None when that day had no posts)."""
        return _change(self.posts, self.previous_day)

    @property
    def change_vs_week(self) -> float | None:
        """% change against the average day of the week before."""
        return _change(self.posts, self.week_average)

    @property
    def title(self) -> str:
        return f"radsocial digest — {self.day:%A %d %B %Y} ({self.tz})"

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for k in ("day", "since", "until", "generated_at"):
            out[k] = getattr(self, k).isoformat()
        out["change_vs_previous_day"] = self.change_vs_previous_day
        out["change_vs_week"] = self.change_vs_week
        return out

    def to_markdown(self) -> str:
        return _markdown(self)

    def to_html(self) -> str:
        return _html(self)

    def to_text(self) -> str:
        return _text(self)

    def to_email(self, to: list[str] | tuple[str, ...], sender: str) -> EmailMessage:
        """multipart/alternative: the plain-text digest, then the HTML one."""
        from radsocial.alerts.deliver import build_email

        subject = f"radsocial digest {self.day.isoformat()} ({self.tz}): {self.posts:,} posts"
        return build_email(
            subject=subject, text=self.to_text(), html_body=self.to_html(), to=to, sender=sender
        )


def zone(tz: str) -> ZoneInfo:
    """The IANA zone, or a ValueError naming --tz."""
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"--tz: unknown time zone {tz!r}; use an IANA name such as UTC, "
            "America/Chicago or Europe/Vienna"
        ) from None


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC start and end of a calendar day in `tz` (23 or 25 hours on DST days)."""
    z = zone(tz)
    start = datetime.combine(day, time(0), tzinfo=z).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=z).astimezone(UTC)
    return start, end


def digest(
    store: Any,
    *,
    day: date | None = None,
    tz: str = "UTC",
    sel: Selection | None = None,
    now: datetime | None = None,
    top: int = TOP,
) -> Digest:
    """The digest of `day` (default: yesterday in `tz`) for the posts `sel` selects.

    `sel`'s own since/until are ignored (the day sets the period); `now` fixes "today"
    for tests and for digests of past days run in bulk.
    """
    z = zone(tz)
    if day is None:
        today = (utc(now) if now else utcnow()).astimezone(z).date()
        day = today - timedelta(days=1)
    since, until = day_bounds(day, tz)
    sel = sel or Selection()
    if sel.since or sel.until:
        sel = sel.with_period(None, None)
    d = Digest(day=day, tz=tz, since=since, until=until, selection=sel.describe())
    prev_since, _ = day_bounds(day - timedelta(days=1), tz)
    week_since, _ = day_bounds(day - timedelta(days=7), tz)
    with store.engine.connect() as conn:
        base = where(conn, sel)
        today_cond = [*base, posts.c.created_at >= since, posts.c.created_at < until]
        d.posts, d.reposts, d.users = _volume(conn, today_cond)
        d.previous_day = _count(conn, [*base, *_between(prev_since, since)])
        d.week_average = _count(conn, [*base, *_between(week_since, since)]) / 7
        d.top_hashtags = _top_hashtags(conn, today_cond, base, prev_since, since, top)
        d.top_posts = top_posts(conn, today_cond, limit=top)
        labels = account_label_map(conn, "stakeholder")
        d.top_accounts = _top_accounts(conn, today_cond, labels, top)
        d.stakeholders = _stakeholders(conn, today_cond, labels)
        d.spikes = _spikes(conn, base, d, since, until)
    d.alerts = fired_between(store, since, until)
    if not d.posts:
        d.notes.append(
            "No post in the store for this day"
            + (" and selection." if d.selection else ".")
            + " Import or collect first, or pick another --day."
        )
    if d.posts and not labels:
        d.notes.append("No stakeholder labels yet: run `radsocial classify` for the mix.")
    return d


def send_digest(d: Digest, to: list[str] | tuple[str, ...], config: Any = None) -> None:
    """E-mail the digest with the configured SMTP server (radsocial.alerts.config)."""
    from radsocial.alerts.config import load_config
    from radsocial.alerts.deliver import send_email, sender_of

    cfg = config or load_config()
    smtp = cfg.require_smtp()
    send_email(d.to_email(list(to), sender_of(smtp)), smtp)


# ---------------------------------------------------------------------------- counting


def _between(since: datetime, until: datetime) -> list[sa.ColumnElement[bool]]:
    return [posts.c.created_at >= since, posts.c.created_at < until]


def _count(conn: sa.Connection, cond: list[sa.ColumnElement[bool]]) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(posts).where(*cond)).scalar())


def _volume(conn: sa.Connection, cond: list[sa.ColumnElement[bool]]) -> tuple[int, int, int]:
    n, rp = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((posts.c.kind == "repost", 1), else_=0)), 0),
        ).where(*cond)
    ).one()
    authors = sa.select(posts.c.platform, author_key().label("a")).where(*cond).distinct()
    users = conn.execute(sa.select(sa.func.count()).select_from(authors.subquery())).scalar()
    return int(n), int(rp), int(users or 0)


def _top_hashtags(
    conn: sa.Connection,
    today: list[sa.ColumnElement[bool]],
    base: list[sa.ColumnElement[bool]],
    prev_since: datetime,
    since: datetime,
    top: int,
) -> list[dict[str, Any]]:
    def counts(cond: list[sa.ColumnElement[bool]], tags: list[str] | None) -> list[Any]:
        q = (
            sa.select(post_hashtags.c.tag, sa.func.count().label("n"))
            .join(posts, posts.c.id == post_hashtags.c.post_id)
            .where(*cond)
            .group_by(post_hashtags.c.tag)
        )
        if tags is not None:
            return list(conn.execute(q.where(post_hashtags.c.tag.in_(tags))))
        return list(conn.execute(q.order_by(sa.desc("n"), post_hashtags.c.tag).limit(top)))

    rows = counts(today, None)
    if not rows:
        return []
    tags = [t for t, _ in rows]
    before = dict(counts([*base, *_between(prev_since, since)], tags))
    return [
        {
            "tag": t,
            "posts": int(n),
            "previous_day": int(before.get(t, 0)),
            "change": _change(int(n), int(before.get(t, 0))),
        }
        for t, n in rows
    ]


def _top_accounts(
    conn: sa.Connection,
    cond: list[sa.ColumnElement[bool]],
    labels: dict[tuple[str, str], str],
    top: int,
) -> list[dict[str, Any]]:
    key = author_key()
    q = (
        sa.select(
            posts.c.platform,
            key.label("key"),
            sa.func.max(posts.c.author_handle).label("handle"),
            sa.func.count().label("n"),
            sa.func.coalesce(sa.func.sum(sa.case((posts.c.kind == "repost", 1), else_=0)), 0),
            sa.func.max(posts.c.author_followers),
        )
        .where(*cond)
        .group_by(posts.c.platform, key)
        .order_by(sa.desc("n"), sa.func.max(posts.c.author_handle))
        .limit(top)
    )
    return [
        {
            "platform": platform,
            "handle": handle,
            "posts": int(n),
            "reposts": int(rp),
            "followers": int(fol) if fol is not None else None,
            "stakeholder": labels.get((platform, k)),
        }
        for platform, k, handle, n, rp, fol in conn.execute(q)
    ]


def _stakeholders(
    conn: sa.Connection,
    cond: list[sa.ColumnElement[bool]],
    labels: dict[tuple[str, str], str],
) -> list[dict[str, Any]]:
    """Posts per author stakeholder segment (Symplur's mix is by posts, not accounts)."""
    key = author_key()
    q = (
        sa.select(posts.c.platform, key, sa.func.count())
        .where(*cond)
        .group_by(posts.c.platform, key)
    )
    mix: Counter[str] = Counter()
    for platform, k, n in conn.execute(q):
        mix[labels.get((platform, k), "unlabelled")] += int(n)
    total = sum(mix.values())
    return [
        {"segment": seg, "posts": n, "share": round(100.0 * n / total, 1)}
        for seg, n in sorted(mix.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _spikes(
    conn: sa.Connection,
    base: list[sa.ColumnElement[bool]],
    d: Digest,
    since: datetime,
    until: datetime,
) -> list[dict[str, Any]]:
    """The selection and its busiest hashtags, tested with the day as the window."""
    hours = int((until - since).total_seconds() // 3600)
    start = since - timedelta(hours=BASELINE_HOURS)
    candidates: list[tuple[str, list[sa.ColumnElement[bool]]]] = [("all selected posts", base)]
    tag_rows = d.top_hashtags[:SPIKE_TAGS]
    if len(tag_rows) < SPIKE_TAGS:
        tag_rows = _more_tags(conn, base, since, until, SPIKE_TAGS) or tag_rows
    for row in tag_rows:
        tag = row["tag"]
        clause = posts.c.id.in_(
            sa.select(post_hashtags.c.post_id).where(post_hashtags.c.tag == tag)
        )
        candidates.append((f"#{tag}", [*base, clause]))
    out: list[dict[str, Any]] = []
    for label, cond in candidates:
        counts = hourly_counts(conn, cond, start, BASELINE_HOURS + hours)
        res = spike_test(counts, SPIKE_K, window=hours, min_posts=SPIKE_MIN_POSTS)
        if not res.is_spike:
            continue
        peak = (since + timedelta(hours=res.peak_hour)).astimezone(zone(d.tz))
        window = [*cond, *_between(since, until)]
        best = top_posts(conn, window, limit=1)
        out.append(
            {
                "what": label,
                "posts": res.window_posts,
                "per_hour": round(res.window_mean, 2),
                "baseline_per_hour": round(res.baseline_mean, 2),
                "baseline_sd": round(res.baseline_sd, 2),
                "threshold": round(res.threshold, 2),
                "ratio": round(res.ratio, 1) if res.ratio else None,
                "peak_hour": peak.isoformat(),
                "peak_posts": res.peak_posts,
                "top_post": best[0] if best else None,
            }
        )
    return out


def _more_tags(
    conn: sa.Connection,
    base: list[sa.ColumnElement[bool]],
    since: datetime,
    until: datetime,
    n: int,
) -> list[dict[str, Any]]:
    q = (
        sa.select(post_hashtags.c.tag, sa.func.count().label("c"))
        .join(posts, posts.c.id == post_hashtags.c.post_id)
        .where(*base, *_between(since, until))
        .group_by(post_hashtags.c.tag)
        .order_by(sa.desc("c"), post_hashtags.c.tag)
        .limit(n)
    )
    return [{"tag": t} for t, _ in conn.execute(q)]


def _change(cur: float, prev: float) -> float | None:
    if not prev:
        return None
    return round(100.0 * (cur - prev) / prev, 1)


# ---------------------------------------------------------------------------- rendering helpers


safe_url = safe_link  # the one rule for what may become a link


def _one_line(text: Any, limit: int = 280) -> str:
    clean = " ".join("".join(c if c.isprintable() else " " for c in str(text or "")).split())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!])")


def md_escape(text: Any, limit: int = 280) -> str:
    """Untrusted text for Markdown: one line, markup characters backslash-escaped, and
    <, >, & as entities so that no renderer passes raw HTML through."""
    s = _one_line(text, limit)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:+.1f} %"


def _local(iso: str | None, tz: str, day: date | None = None) -> str:
    """A time in the digest's zone: "14:05", or "8 May 14:05" when not on `day`."""
    if not iso:
        return ""
    t = datetime.fromisoformat(iso).astimezone(zone(tz))
    if day is not None and t.date() != day:
        return f"{t.day} {t:%b %H:%M}"
    return t.strftime("%H:%M")


def _who(p: dict[str, Any]) -> str:
    return f"@{p['author']}" if p.get("author") else str(p.get("platform") or "?")


# ---------------------------------------------------------------------------- Markdown


def _markdown(d: Digest) -> str:
    m = md_escape
    out = [f"# {m(d.title, 200)}", ""]
    if d.selection:
        out += ["Selection: " + m(", ".join(f"{k}={v}" for k, v in d.selection.items())), ""]
    out += [f"> {m(n, 500)}" for n in d.notes]
    if d.notes:
        out.append("")
    out += [
        "## Volume",
        "",
        "| | posts |",
        "|---|---:|",
        f"| {d.day.isoformat()} | {d.posts:,} |",
        f"| day before | {d.previous_day:,} ({_pct(d.change_vs_previous_day)}) |",
        f"| 7-day average | {d.week_average:,.1f} ({_pct(d.change_vs_week)}) |",
        f"| reposts | {d.reposts:,} |",
        f"| accounts posting | {d.users:,} |",
        "",
    ]
    if d.top_hashtags:
        out += ["## Top hashtags", "", "| hashtag | posts | day before |", "|---|---:|---:|"]
        out += [
            f"| \\#{m(h['tag'], 80)} | {h['posts']:,} | {h['previous_day']:,} |"
            for h in d.top_hashtags
        ]
        out.append("")
    if d.top_posts:
        out += ["## Top posts", ""]
        for i, p in enumerate(d.top_posts, 1):
            link = safe_url(p.get("url"))
            reposts = max(p.get("reposts") or 0, p.get("reposts_seen") or 0)
            head = f"{i}. **{m(_who(p), 80)}** ({m(p.get('platform'), 20)}, {_local(p.get('created_at'), d.tz, d.day)})"
            head += f" — {reposts:,} reposts, {p.get('likes') or 0:,} likes"
            if link:
                head += f" — [open](<{link}>)"
            out += [head, f"   > {m(p.get('text'))}", ""]
    if d.top_accounts:
        out += ["## Top accounts", "", "| account | platform | posts | stakeholder |"]
        out.append("|---|---|---:|---|")
        out += [
            f"| @{m(a['handle'], 80)} | {m(a['platform'], 20)} | {a['posts']:,} | "
            f"{m(a['stakeholder'] or '—', 60)} |"
            for a in d.top_accounts
        ]
        out.append("")
    out += ["## Spikes", ""]
    if d.spikes:
        for s in d.spikes:
            out.append(
                f"- **{m(s['what'], 80)}**: {s['posts']:,} posts, {s['per_hour']}/h vs "
                f"{s['baseline_per_hour']} ± {s['baseline_sd']}/h the week before; busiest hour "
                f"{_local(s['peak_hour'], d.tz)} ({s['peak_posts']} posts)"
            )
            if s.get("top_post"):
                out.append(f"  - {m(_who(s['top_post']), 80)}: {m(s['top_post'].get('text'), 200)}")
    else:
        out.append("No spike (mean of the day > 7-day hourly mean + 2·SD, at least 10 posts).")
    out.append("")
    if d.stakeholders:
        out += ["## Who posted", "", "| stakeholder | posts | share |", "|---|---:|---:|"]
        out += [
            f"| {m(s['segment'], 60)} | {s['posts']:,} | {s['share']:.1f} % |"
            for s in d.stakeholders
        ]
        out.append("")
    if d.alerts:
        out += ["## Alerts that fired", ""]
        out += [f"- {m(a['rule'], 120)}: {m(a['reason'], 400)}" for a in d.alerts]
        out.append("")
    out.append(f"_radsocial {__version__}; definitions in docs/definitions.md and docs/digest.md._")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- plain text


def _text(d: Digest) -> str:
    t = _one_line
    out = [d.title, "=" * min(len(d.title), 72), ""]
    if d.selection:
        out += ["Selection: " + t(", ".join(f"{k}={v}" for k, v in d.selection.items()), 500), ""]
    out += [t(n, 500) for n in d.notes]
    out += [
        f"Posts: {d.posts:,} (day before {d.previous_day:,}, {_pct(d.change_vs_previous_day)}; "
        f"7-day average {d.week_average:,.1f}, {_pct(d.change_vs_week)})",
        f"Reposts: {d.reposts:,}   Accounts posting: {d.users:,}",
        "",
    ]
    if d.top_hashtags:
        out.append(
            "Top hashtags: "
            + ", ".join(f"#{t(h['tag'], 80)} {h['posts']:,}" for h in d.top_hashtags)
        )
        out.append("")
    if d.top_posts:
        out.append("Top posts:")
        for i, p in enumerate(d.top_posts, 1):
            reposts = max(p.get("reposts") or 0, p.get("reposts_seen") or 0)
            out.append(
                f"{i:>2}. {t(_who(p), 80)} ({p.get('platform')}, {_local(p.get('created_at'), d.tz, d.day)}), "
                f"{reposts:,} reposts, {p.get('likes') or 0:,} likes"
            )
            out.append(f"    {t(p.get('text'))}")
            if safe_url(p.get("url")):
                out.append(f"    {p['url']}")
        out.append("")
    if d.top_accounts:
        out.append(
            "Top accounts: "
            + ", ".join(f"@{t(a['handle'], 80)} ({a['posts']:,})" for a in d.top_accounts)
        )
        out.append("")
    if d.spikes:
        out.append("Spikes:")
        out += [
            f"  {t(s['what'], 80)}: {s['posts']:,} posts, {s['per_hour']}/h vs "
            f"{s['baseline_per_hour']} ± {s['baseline_sd']}/h the week before"
            for s in d.spikes
        ]
    else:
        out.append("Spikes: none.")
    out.append("")
    if d.stakeholders:
        out.append(
            "Who posted: "
            + ", ".join(f"{t(s['segment'], 60)} {s['share']:.1f} %" for s in d.stakeholders)
        )
        out.append("")
    if d.alerts:
        out.append("Alerts that fired:")
        out += [f"  {t(a['rule'], 120)}: {t(a['reason'], 400)}" for a in d.alerts]
        out.append("")
    out.append(f"-- radsocial {__version__}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2530;max-width:46em;
margin:1.5em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.45em;margin-bottom:.2em}h2{font-size:1.1em;border-bottom:1px solid #d8dde3;
padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%}td,th{padding:.25em .5em;border-bottom:1px solid #eef1f4;
text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#5a6572;font-size:.9em}.note{background:#fff8e1;padding:.5em .8em;border-radius:4px}
ol.posts li{margin-bottom:.9em}.text{white-space:pre-wrap;overflow-wrap:anywhere}
.bar{background:#3b7dd8;height:.7em;display:inline-block;border-radius:2px}
.big{font-size:2em;font-weight:600}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _html(d: Digest) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{e(d.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(d.title)}</h1>",
        f'<p class="muted">{d.since:%Y-%m-%d %H:%M} to {d.until:%Y-%m-%d %H:%M} UTC</p>',
    ]
    if d.selection:
        sel = ", ".join(f"{k}={v}" for k, v in d.selection.items())
        parts.append(f'<p class="muted">Selection: {e(sel)}</p>')
    parts += [f'<p class="note">{e(n)}</p>' for n in d.notes]
    parts += [
        "<h2>Volume</h2>",
        f'<p><span class="big">{d.posts:,}</span> posts</p><table>',
        f'<tr><td>day before</td><td class="n">{d.previous_day:,}</td>'
        f'<td class="n">{e(_pct(d.change_vs_previous_day))}</td></tr>',
        f'<tr><td>7-day average</td><td class="n">{d.week_average:,.1f}</td>'
        f'<td class="n">{e(_pct(d.change_vs_week))}</td></tr>',
        f'<tr><td>reposts</td><td class="n">{d.reposts:,}</td><td></td></tr>',
        f'<tr><td>accounts posting</td><td class="n">{d.users:,}</td><td></td></tr></table>',
    ]
    if d.top_hashtags:
        parts.append(
            '<h2>Top hashtags</h2><table><tr><th>hashtag</th><th class="n">posts</th>'
            '<th class="n">day before</th></tr>'
        )
        parts += [
            f'<tr><td>#{e(h["tag"])}</td><td class="n">{h["posts"]:,}</td>'
            f'<td class="n">{h["previous_day"]:,}</td></tr>'
            for h in d.top_hashtags
        ]
        parts.append("</table>")
    if d.top_posts:
        parts.append('<h2>Top posts</h2><ol class="posts">')
        for p in d.top_posts:
            reposts = max(p.get("reposts") or 0, p.get("reposts_seen") or 0)
            link = safe_url(p.get("url"))
            meta = (
                f"<strong>{e(_who(p))}</strong> · {e(str(p.get('platform')))} · "
                f"{e(_local(p.get('created_at'), d.tz, d.day))} · {reposts:,} reposts · "
                f"{p.get('likes') or 0:,} likes"
            )
            if link:
                meta += f' · <a href="{e(link)}" rel="noopener noreferrer nofollow">open</a>'
            parts.append(
                f'<li><div class="muted">{meta}</div>'
                f'<div class="text">{e(_one_line(p.get("text"), 1000))}</div></li>'
            )
        parts.append("</ol>")
    if d.top_accounts:
        parts.append(
            "<h2>Top accounts</h2><table><tr><th>account</th><th>platform</th>"
            '<th class="n">posts</th><th>stakeholder</th></tr>'
        )
        parts += [
            f"<tr><td>@{e(str(a['handle']))}</td><td>{e(str(a['platform']))}</td>"
            f'<td class="n">{a["posts"]:,}</td><td>{e(a["stakeholder"] or "—")}</td></tr>'
            for a in d.top_accounts
        ]
        parts.append("</table>")
    parts.append("<h2>Spikes</h2>")
    if d.spikes:
        parts.append("<ul>")
        for s in d.spikes:
            item = (
                f"<strong>{e(s['what'])}</strong>: {s['posts']:,} posts, {s['per_hour']}/h vs "
                f"{s['baseline_per_hour']} ± {s['baseline_sd']}/h the week before; busiest hour "
                f"{e(_local(s['peak_hour'], d.tz))} ({s['peak_posts']} posts)"
            )
            if s.get("top_post"):
                tp = s["top_post"]
                item += f'<br><span class="muted">{e(_who(tp))}: {e(_one_line(tp.get("text"), 200))}</span>'
            parts.append(f"<li>{item}</li>")
        parts.append("</ul>")
    else:
        parts.append(
            '<p class="muted">No spike (mean of the day above the 7-day hourly mean + 2·SD, '
            "at least 10 posts).</p>"
        )
    if d.stakeholders:
        parts.append(
            '<h2>Who posted</h2><table><tr><th>stakeholder</th><th class="n">posts</th>'
            '<th class="n">share</th><th></th></tr>'
        )
        parts += [
            f'<tr><td>{e(s["segment"])}</td><td class="n">{s["posts"]:,}</td>'
            f'<td class="n">{s["share"]:.1f} %</td><td><span class="bar" '
            f'style="width:{max(1, round(float(s["share"])))}%"></span></td></tr>'
            for s in d.stakeholders
        ]
        parts.append("</table>")
    if d.alerts:
        parts.append("<h2>Alerts that fired</h2><ul>")
        parts += [f"<li><strong>{e(a['rule'])}</strong>: {e(a['reason'])}</li>" for a in d.alerts]
        parts.append("</ul>")
    parts.append(
        f'<p class="muted">radsocial {e(__version__)} · generated '
        f"{e(d.generated_at.strftime('%Y-%m-%d %H:%M'))} UTC · definitions in "
        "docs/definitions.md and docs/digest.md</p></body></html>"
    )
    return "\n".join(parts) + "\n"
