"""The conference report: one call for what a society's meeting report is made of.

A meeting comes from the registry ("RSNA2017", "RSNA17", or "RSNA" with `year=`) or is
given ad hoc as hashtags ("#SIIM19,#SIIM2019") with or without dates. Its window is
the registry's dates; when they are unknown, the dense period of the tags' activity
(the run of days around the peak with at least `dense_share` of the peak's posts).
Days before and after are compared with the meeting days (studies use ±1 to ±30).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from radsocial.analytics.result import Report, Table, empty_note
from radsocial.analytics.scope import connect, zone
from radsocial.analytics.stakeholders import MIX_COLUMNS, mix, mix_rows
from radsocial.analytics.summary import measures
from radsocial.analytics.timeseries import series
from radsocial.analytics.top import top
from radsocial.knowledge.registry import Meeting, Registry, default_registry
from radsocial.store import Selection
from radsocial.store.queries import effective_post_labels, where
from radsocial.store.rollups import hour_of
from radsocial.store.schema import posts


def _day(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def resolve(
    meeting: str, year: int | None, registry: Registry
) -> tuple[Meeting | None, int | None, tuple[str, ...]]:
    """(registry meeting or None, year, hashtags) for what the user typed."""
    text = meeting.strip()
    if "," in text or text.startswith("#"):
        tags = tuple(t.strip().lstrip("#") for t in text.split(",") if t.strip())
        found = registry.meeting_for_hashtag(tags[0]) if len(tags) == 1 else None
        if found and found[1] is not None:
            m, y = found
            return m, y, tuple(dict.fromkeys(m.hashtags_for(y) + tags))
        return None, year, tags
    found = registry.meeting_for_hashtag(text)
    if found is not None:
        m, y = found
        y = y or year
    else:
        m = registry.meeting(text)
        y = year
    if m is None:
        raise ValueError(
            f"meeting: {meeting!r} is neither a registry meeting (e.g. RSNA2017, ECR2019, "
            "SIIM19) nor a list of hashtags (e.g. '#MyMeeting24,#MM24')"
        )
    if y is None:
        raise ValueError(f"meeting: say which year of {m.key} (e.g. {m.key}2017 or --year 2017)")
    return m, y, m.hashtags_for(y)


def _daily(conn: sa.Connection, sel: Selection) -> dict[int, int]:
    d = hour_of(conn, posts.c.created_at) // 24
    q = sa.select(d, sa.func.count()).where(*where(conn, sel)).group_by(d)
    return {int(k): int(n) for k, n in conn.execute(q)}


def infer_window(
    conn: sa.Connection, sel: Selection, dense_share: float = 0.25
) -> tuple[date, date] | None:
    """The meeting days seen in the data: the peak day and its neighbours while they
    keep at least `dense_share` of the peak's posts (first and last day, inclusive)."""
    days = _daily(conn, sel)
    if not days:
        return None
    peak = max(days, key=lambda k: (days[k], -k))
    floor = days[peak] * dense_share
    lo = hi = peak
    while days.get(lo - 1, 0) >= floor:
        lo -= 1
    while days.get(hi + 1, 0) >= floor:
        hi += 1
    epoch = date(1970, 1, 1)
    return epoch + timedelta(days=lo), epoch + timedelta(days=hi)


def _window(
    conn: sa.Connection,
    m: Meeting | None,
    year: int | None,
    tags: tuple[str, ...],
    base: Selection,
    start: date | None,
    end: date | None,
) -> tuple[date, date, str] | None:
    if start and end:
        return start, end, "given"
    if m is not None and year is not None:
        w = m.window(year)
        if w is not None:
            return w[0], w[1], "registry"
    # search the tags' activity, within the year when one is known
    sel = Selection(**{**_fields(base), "hashtags": tags})
    if year is not None:
        sel = sel.with_period(_day(date(year, 1, 1)), _day(date(year + 1, 1, 1)))
    w2 = infer_window(conn, sel)
    return (w2[0], w2[1], "inferred from activity") if w2 else None


def _fields(sel: Selection) -> dict[str, Any]:
    return {f: getattr(sel, f) for f in sel.__dataclass_fields__}


def conference(
    store: Any,
    sel: Selection | None = None,
    *,
    meeting: str,
    year: int | None = None,
    start: date | None = None,
    end: date | None = None,
    days_before: int = 7,
    days_after: int = 7,
    tz: str = "UTC",
    top_n: int = 100,
    years_back: int = 5,
    registry: Registry | None = None,
) -> Report:
    """Everything a meeting report needs; `sel` adds filters (platform, language…)."""
    if days_before < 0 or days_after < 0:
        raise ValueError("--days-before and --days-after must be 0 or more")
    zi = zone(tz)
    reg = registry or default_registry()
    base = sel or Selection()
    m, y, tags = resolve(meeting, year, reg)
    rep = Report(
        "conference",
        base.describe(),
        {"meeting": m.key if m else meeting, "year": y, "hashtags": list(tags), "tz": zi.key},
    )
    with connect(store) as conn:
        w = _window(conn, m, y, tags, base, start, end)
        if w is None:
            rep.notes.append(
                empty_note({**base.describe(), "hashtags": list(tags)})
                + " The meeting window could not be inferred either."
            )
            return rep
        first, last, how = w
        during = (_day(first), _day(last) + timedelta(days=1))
        before = (during[0] - timedelta(days=days_before), during[0])
        after = (during[1], during[1] + timedelta(days=days_after))
        rep.params.update(
            start=first.isoformat(),
            end=last.isoformat(),
            window_source=how,
            days_before=days_before,
            days_after=days_after,
        )
        rep.metrics["meeting"] = m.name if m else ", ".join("#" + t for t in tags)
        tagged = {**_fields(base), "hashtags": tags}

        def at(lo: datetime, hi: datetime) -> Selection:
            return Selection(**{**tagged, "since": lo, "until": hi})

        memo: dict[Selection, dict[str, int]] = {}

        def measured(c: sa.Connection, s: Selection) -> dict[str, int]:
            # the meeting days are asked for three times (phase, headline, this year's
            # row of the year-over-year table): counted once
            if s not in memo:
                memo[s] = measures(c, s)[0]
            return memo[s]

        # before / during / after
        phases = []
        for name, (lo, hi) in (("before", before), ("during", during), ("after", after)):
            if lo == hi:
                continue
            mm = measured(conn, at(lo, hi))
            days = (hi - lo).days
            phases.append(
                [
                    name,
                    lo.date().isoformat(),
                    (hi - timedelta(days=1)).date().isoformat(),
                    mm["posts"],
                    round(mm["posts"] / days, 1),
                    mm["reposts"],
                    mm["replies"],
                    mm["participants"],
                    mm["impressions"],
                    mm["with_links"],
                    mm["media"],
                ]
            )
        rep.tables.append(
            Table(
                "phases",
                [
                    "phase",
                    "from",
                    "to",
                    "posts",
                    "posts_per_day",
                    "reposts",
                    "replies",
                    "participants",
                    "impressions",
                    "links",
                    "media",
                ],
                phases,
                title="Before, during and after the meeting",
                chart={"kind": "bar", "x": "phase", "y": ["posts_per_day"]},
                notes=["Impressions are theoretical: Σ posts × the author's followers."],
            )
        )
        now = at(*during)
        dm = measured(conn, now)  # the "during" phase's, already counted
        for k in ("posts", "reposts", "replies", "participants", "impressions", "links", "media"):
            rep.metrics[k] = dm[k]
        if dm["participants"]:
            rep.metrics["per_user"] = {
                "posts": round(dm["posts"] / dm["participants"], 2),
                "reposts": round(dm["reposts"] / dm["participants"], 2),
                "impressions": round(dm["impressions"] / dm["participants"], 1),
            }
        if not dm["posts"]:
            rep.notes.append(empty_note({**base.describe(), "hashtags": list(tags)}))

        # daily activity over the whole window, and the hourly heat map of the meeting
        win = at(before[0], after[1])
        daily = series(conn, win, "day", zi, before[0], after[1])
        rep.tables.append(
            Table(
                "daily",
                ["day", "posts", "reposts"],
                [[b.isoformat(), v[0], v[1]] for b, v in daily],
                title=f"Posts per day ({zi.key}), {days_before} days before to {days_after} after",
                chart={
                    "kind": "line",
                    "x": "day",
                    "y": ["posts", "reposts"],
                    "marks": {"from": first.isoformat(), "to": last.isoformat()},
                },
            )
        )
        hourly = series(conn, now, "hour", zi, during[0], during[1])
        rep.tables.append(
            Table(
                "heatmap",
                ["day", "hour", "posts"],
                [[b.date().isoformat(), b.hour, v[0]] for b, v in hourly],
                title=f"Posts per hour during the meeting ({zi.key})",
                chart={"kind": "heatmap", "x": "hour", "y": "day", "z": "posts"},
            )
        )

        # who: stakeholder mix of posts and of participants
        by_posts, by_people = mix(conn, now)
        rep.tables.append(
            Table(
                "stakeholders",
                MIX_COLUMNS,
                mix_rows(by_posts, by_people),
                title="Stakeholder mix of posts and of participants",
                chart={"kind": "bar", "x": "stakeholder", "y": ["posts_pct", "participants_pct"]},
                notes=[
                    "Authors without a stakeholder label count as unknown; run "
                    "`radsocial classify` to label them."
                ],
            )
        )
        # sentiment of the meeting days
        counts = _sentiments(conn, now)
        sent = [[v, counts[v]] for v in SENTIMENTS]
        total = sum(counts.values())
        if total:
            rep.metrics["net_sentiment"] = round(
                (counts["positive"] - counts["negative"]) / total, 3
            )
        rep.tables.append(
            Table(
                "sentiment",
                ["sentiment", "posts"],
                sent,
                title="Sentiment of the meeting's posts",
                chart={"kind": "pie", "x": "sentiment", "y": ["posts"]},
                notes=[] if total else ["No sentiment labels: run `radsocial classify`."],
            )
        )
    # top participants, co-hashtags, links (each its own query through `top`)
    now_sel = Selection(**{**tagged, "since": during[0], "until": during[1]})
    for what, n, name in (
        ("accounts", top_n, "participants"),
        ("hashtags", 30, "cohashtags"),
        ("links", 20, "links"),
        ("domains", 20, "domains"),
    ):
        t = top(store, now_sel, what=what, n=n).tables[0]
        t.name = name
        rep.tables.append(t)
    if m is not None and y is not None:
        rep.tables.append(_year_over_year(store, m, y, base, years_back, measured))
    return rep


SENTIMENTS = ("positive", "neutral", "negative")


def _sentiments(conn: sa.Connection, sel: Selection) -> dict[str, int]:
    """Posts per effective sentiment label, in one pass over the selection's posts."""
    pl, on = effective_post_labels("sentiment")
    q = (
        sa.select(pl.c.value, sa.func.count(sa.distinct(posts.c.id)))
        .select_from(posts.join(pl, on))
        .where(*where(conn, sel), pl.c.value.in_(SENTIMENTS))
        .group_by(pl.c.value)
    )
    found = {v: int(n) for v, n in conn.execute(q)}
    return {v: found.get(v, 0) for v in SENTIMENTS}


def _year_over_year(
    store: Any,
    m: Meeting,
    year: int,
    base: Selection,
    years_back: int,
    measured: Callable[[sa.Connection, Selection], dict[str, int]],
) -> Table:
    """The same meeting in earlier years: its own tags and its own window each year."""
    rows: list[list[Any]] = []
    prev: int | None = None
    with connect(store) as conn:
        for y in range(year - years_back, year + 1):
            tags = m.hashtags_for(y)
            w = _window(conn, m, y, tags, base, None, None)
            if w is None:
                rows.append([y, " ".join("#" + t for t in tags), None, None, 0, 0, None])
                prev = 0
                continue
            lo, hi = _day(w[0]), _day(w[1]) + timedelta(days=1)
            mm = measured(
                conn, Selection(**{**_fields(base), "hashtags": tags, "since": lo, "until": hi})
            )
            change = round((mm["posts"] - prev) / prev * 100, 1) if prev else None
            rows.append(
                [
                    y,
                    " ".join("#" + t for t in tags),
                    w[0].isoformat(),
                    w[1].isoformat(),
                    mm["posts"],
                    mm["participants"],
                    change,
                ]
            )
            prev = mm["posts"]
    return Table(
        "year_over_year",
        ["year", "hashtags", "from", "to", "posts", "participants", "posts_change_pct"],
        rows,
        title=f"{m.key} year over year (each year's own tags and meeting days)",
        chart={"kind": "bar", "x": "year", "y": ["posts", "participants"]},
    )
