"""When posts happen: yearly volumes, days, the meeting's editions and the chat sessions.

Everything here is decided before a single post is written, from the plan's own random
stream, so the plan (and `truth.json`) does not depend on how the posts are rendered.

- Yearly volume follows `config.year_weight` (the published growth for X, adoption
  curves for Mastodon and Bluesky) and is split exactly (largest remainders).
- Inside a year, days get weekday factors, day-to-day noise and the step changes of
  `config.VOLUME_STEPS`; the meeting adds its own posts on top of a day's topic posts.
- The meeting's dates come from the registry (meetings.toml) where known; for RSNA the
  rule "Sunday after US Thanksgiving, to Friday (Thursday from 2021)" fills the rest,
  and it reproduces every in-person edition the registry dates (tests check this).
- The chat runs monthly on a fixed local time (converted to UTC with the time zone's
  daylight-saving rules).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from radsocial.synth import config as C

__all__ = ["ChatSession", "DayPlan", "Edition", "chat_sessions", "meeting_editions", "plan_year"]

_DAY_MS = 86_400_000


@dataclass
class Edition:
    """One year of the meeting: its dates, its tags and where the dates came from."""

    year: int
    start: date
    end: date
    tags: tuple[str, ...]  # (short, long): ("RSNA19", "RSNA2019")
    dates_from: str  # "registry" or the rule used
    virtual: bool = False
    factor: float = 1.0  # volume relative to an in-person edition

    def phase(self, day: date) -> str | None:
        """'pre' / 'during' / 'post' inside the ±window, else None."""
        w = timedelta(days=C.MEETING_WINDOW_DAYS)
        if self.start <= day <= self.end:
            return "during"
        if self.start - w <= day < self.start:
            return "pre"
        if self.end < day <= self.end + w:
            return "post"
        return None

    def weight(self, day: date) -> float:
        """Meeting-tag volume of a day in units of an average day's topic volume."""
        ph = self.phase(day)
        if ph is None:
            return 0.0
        if ph == "during":
            w = C.MEETING_DAY_FACTOR
        elif ph == "pre":
            f, decay = C.MEETING_PRE
            w = f * math.exp(-(self.start - day).days / decay)
        else:
            f, decay = C.MEETING_POST
            w = f * math.exp(-(day - self.end).days / decay)
        return w * self.factor


@dataclass
class ChatSession:
    """One hour of the monthly chat, planned before it is written."""

    number: int
    start_ms: int
    posts: int
    participants: int
    topic: str
    questions: tuple[str, ...]
    # filled in while writing:
    question_ids: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    participant_ids: set[str] = field(default_factory=set)

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.start_ms / 1000, UTC).date()


@dataclass
class DayPlan:
    day: date
    topic: int  # posts of the topic stream
    meeting: int  # posts carrying the meeting tag
    edition: Edition | None
    phase: str | None
    chat: ChatSession | None


def thanksgiving(year: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def rsna_dates(year: int) -> tuple[date, date]:
    """RSNA's usual dates: the Sunday after Thanksgiving to Friday (Thursday from 2021)."""
    start = thanksgiving(year) + timedelta(days=3)
    return start, start + timedelta(days=5 if year <= 2020 else 4)


def meeting_editions(registry: Any, years: range) -> list[Edition]:
    """The meeting's editions for the corpus years, with tags and dates."""
    meeting = registry.meeting(C.MEETING)
    if meeting is None:
        raise ValueError(f"the registry has no meeting {C.MEETING!r} (meetings.toml)")
    out = []
    for year in years:
        ed = meeting.edition(year)
        if ed is not None and ed.status == "cancelled":
            continue
        if ed is not None and ed.dates_known:
            start, end, src = ed.start, ed.end, "registry (meetings.toml)"
        elif C.MEETING == "RSNA":
            start, end = rsna_dates(year)
            src = "rule: Sunday after US Thanksgiving to Friday (Thursday from 2021)"
        else:
            continue  # dates unknown and no rule: no edition in the corpus
        tags = meeting.hashtags_for(year)
        short = next((t for t in tags if str(year) not in t), tags[0])
        long = next((t for t in tags if str(year) in t), tags[-1])
        virtual = bool(ed is not None and ed.virtual)
        out.append(
            Edition(
                year=year,
                start=start,
                end=end,
                tags=(short, long),
                dates_from=src,
                virtual=virtual,
                factor=C.VIRTUAL_FACTOR if virtual else 1.0,
            )
        )
    return out


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def chat_sessions(
    rng: random.Random, years: range, yearly_posts: dict[int, int], start_day: date
) -> list[ChatSession]:
    """Monthly sessions of the chat, sized on #JACR (444±172 posts, 33±14 participants)
    and shrunk so they never take more than CHAT_MAX_SHARE of a year's posts."""
    hour, minute = C.CHAT_LOCAL_TIME
    out: list[ChatSession] = []
    number = 0
    for year in years:
        days = [_nth_weekday(year, m, C.CHAT_WEEKDAY, C.CHAT_WEEK_OF_MONTH) for m in range(1, 13)]
        days = [d for d in days if d >= start_day]
        n_year = yearly_posts.get(year, 0)
        if not days or n_year <= 0:
            continue
        budget = C.CHAT_MAX_SHARE * n_year
        mean = min(C.CHAT_POSTS[0], budget / len(days))
        if mean < C.CHAT_MIN_POSTS:
            if C.CHAT_MIN_POSTS * len(days) > 0.5 * n_year:
                continue  # too few posts this year to hold a chat
            mean = float(C.CHAT_MIN_POSTS)
        sd = mean * C.CHAT_POSTS[1] / C.CHAT_POSTS[0]
        for d in days:
            size = round(rng.gauss(mean, sd))
            size = max(C.CHAT_MIN_POSTS, max(round(0.4 * mean), min(size, round(2 * mean))))
            ratio = C.CHAT_PARTICIPANTS[0] / C.CHAT_POSTS[0]
            parts = round(rng.gauss(size * ratio, size * ratio * 14 / 33))
            parts = max(3, min(parts, max(3, size // 2)))
            start_ms = _local_to_utc_ms(d, hour, minute)
            number += 1
            topic, questions = rng.choice(_chat_topics())
            out.append(ChatSession(number, start_ms, size, parts, topic, questions))
    return out


def _us_eastern_offset(d: date) -> int:
    """Hours behind UTC in New York on `d` (US rules since 2007), without tz data."""
    dst_start = _nth_weekday(d.year, 3, 6, 2)  # second Sunday of March
    dst_end = _nth_weekday(d.year, 11, 6, 1)  # first Sunday of November
    return 4 if dst_start <= d < dst_end else 5


def _local_to_utc_ms(d: date, hour: int, minute: int) -> int:
    """The chat's local start time in UTC milliseconds (the time zone's DST rules)."""
    try:
        local = datetime(d.year, d.month, d.day, hour, minute, tzinfo=ZoneInfo(C.CHAT_TIMEZONE))
        return int(local.astimezone(UTC).timestamp() * 1000)
    except ZoneInfoNotFoundError:  # no tz database (Windows without tzdata)
        if C.CHAT_TIMEZONE != "America/New_York":
            raise
        naive = datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)
        return int((naive + timedelta(hours=_us_eastern_offset(d))).timestamp() * 1000)


def _chat_topics() -> tuple[tuple[str, tuple[str, ...]], ...]:
    from radsocial.synth.texts import CHAT_TOPICS

    return CHAT_TOPICS


def _active_factor(platform: str, day: date) -> float:
    if day < C.PLATFORM_START[platform]:
        return 0.0
    f = 1.0
    for plat, since, factor in C.VOLUME_STEPS:
        if plat == platform and day < since:
            f /= factor
    return f


def plan_year(
    platform: str,
    year: int,
    n_year: int,
    rng: random.Random,
    editions: dict[int, Edition],
    sessions: list[ChatSession],
) -> list[DayPlan]:
    """The days of `year` for one platform: how many topic and meeting posts each holds.

    `n_year` posts in all, chat sessions included; what the chat does not take is split
    over the days in proportion to (topic weight + meeting weight), exactly, by
    cumulative rounding, and each day's share of meeting posts is its meeting weight's
    share of its total weight.
    """
    first = date(year, 1, 1)
    days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
    base = []
    for d in days:
        a = _active_factor(platform, d)
        if a:
            a *= C.WEEKDAY_FACTOR[d.weekday()] * math.exp(rng.gauss(0.0, C.DAILY_NOISE))
        base.append(a)
    active = [b for b in base if b > 0]
    if not active:
        return []
    mean = sum(active) / len(active)
    ed = editions.get(year)
    meet = [
        ed.weight(d) * mean if (ed is not None and b > 0) else 0.0
        for d, b in zip(days, base, strict=True)
    ]
    by_day = {s.day: s for s in sessions if s.day.year == year}
    chat_total = sum(s.posts for s in by_day.values())
    rest = max(0, n_year - chat_total)
    weights = [b + m for b, m in zip(base, meet, strict=True)]
    wsum = sum(weights)
    out = []
    cum = 0.0
    given = 0
    for d, m, w in zip(days, meet, weights, strict=True):
        cum += w
        upto = round(rest * cum / wsum) if wsum else 0
        n = upto - given
        given = upto
        n_meet = round(n * m / w) if w else 0
        chat = by_day.get(d)
        if n == 0 and chat is None:
            continue
        out.append(
            DayPlan(
                day=d,
                topic=n - n_meet,
                meeting=n_meet,
                edition=ed if n_meet else None,
                phase=ed.phase(d) if (ed is not None and n_meet) else None,
                chat=chat,
            )
        )
    return out


def day_start_ms(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) * 1000
