"""The orchestrator: plan each platform's days, decide every post, count the truth.

For each format in turn (each with its own random streams derived from the seed, so a
platform's corpus does not change when another platform's share does):

1. split its posts over the years (growth) and the days (weekdays, noise, the meeting,
   the monthly chat) — `schedule`;
2. walk the days in order; each day's posts are drawn as time slots, sorted, and
   decided one by one: a repost, reply or quote of a recent post of the same stream
   (topic, meeting, chat) with the calibrated probabilities, else an original whose
   author (role, then activity rank) and text follow the author's role;
3. hand each post to the format's writer, which buffers the day and writes it as
   response pages into one file per month;
4. count what radsocial will store: kinds, shares, years, stakeholders, hashtags, the
   meeting's days, the chat sessions — the `truth.json` manifest.

Memory is bounded by one day of posts, the recent-post pools and the account cache;
nothing else of the corpus is kept.
"""

from __future__ import annotations

import gc
import random
import shutil
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from radsocial import __version__
from radsocial.knowledge.registry import default_registry
from radsocial.synth import config as C
from radsocial.synth.population import Account, Population, registry_entities
from radsocial.synth.rand import Pools
from radsocial.synth.schedule import (
    ChatSession,
    DayPlan,
    Edition,
    chat_sessions,
    day_start_ms,
    meeting_editions,
    plan_year,
)
from radsocial.synth.texts import LINK, MENTION, PLAIN, TAG, Content, Texts
from radsocial.synth.writers import Entry, make_writer

__all__ = ["generate"]

ProgressFn = Callable[[int, int], None]

# slot codes (bits 3-5 of a slot; bits 0-2 hold a question number; the rest is the time)
_TOPIC, _MEETING, _INTRO, _QUESTION, _ANSWER, _RETWEET, _CHATTER, _CLOSE = range(8)
_KINDS = ("original", "reply", "repost", "quote")
_ORIGINAL, _REPLY, _REPOST, _QUOTE = range(4)
_MEETING_TOPIC_TAGS = ("radiology", "radAI", "RadRes", "BreastImaging", "IRad", "MedEd")
_HOUR_MS = 3_600_000


class _Counter:
    """Posts written so far across formats, for the progress callback."""

    def __init__(self, total: int, fn: ProgressFn | None) -> None:
        self.total = total
        self.done = 0
        self.fn = fn

    def add(self, n: int) -> None:
        self.done += n
        if self.fn is not None:
            self.fn(self.done, self.total)


class _Pool:
    """The recent posts of a stream that later posts repost, reply to and quote.

    A ring buffer over a list: O(1) access to the k-th most recent post (a deque walks
    its blocks), fixed memory.
    """

    __slots__ = ("cap", "items", "pos")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[Entry] = []
        self.pos = 0  # next slot to overwrite once full

    def __len__(self) -> int:
        return len(self.items)

    def append(self, e: Entry) -> None:
        items = self.items
        if len(items) < self.cap:
            items.append(e)
        else:
            items[self.pos] = e
            self.pos = (self.pos + 1) % self.cap

    def recent(self, k: int) -> Entry:
        """The k-th most recent post (0 = the newest)."""
        items = self.items
        if len(items) < self.cap:
            return items[-1 - k]
        return items[(self.pos - 1 - k) % self.cap]

    def clear(self) -> None:
        self.items = []
        self.pos = 0


class _Tally:
    """What radsocial will store for one platform (the truth of the corpus)."""

    def __init__(self, pop: Population) -> None:
        self.kinds = [0, 0, 0, 0]
        # per stream: posts by kind (0-3), then with mentions, images, links (4-6)
        self.stream_kinds: dict[str, list[int]] = {s: [0] * 7 for s in ("topic", "meeting", "chat")}
        self.mentions = 0
        self.images = 0
        self.links = 0
        self.noise = 0
        self.by_year: dict[int, int] = {}
        self.roles = [0] * len(pop.roles)  # posts per role index
        self.role_names = pop.roles
        self.authors = bytearray(pop.size)
        self.impressions = 0
        self.tags: dict[str, int] = {}

    def add(self, e: Entry, kind: int, acc: Account, stream: list[int]) -> None:
        self.kinds[kind] += 1
        stream[kind] += 1
        if e.mention:
            self.mentions += 1
            stream[4] += 1
        if e.image:
            self.images += 1
            stream[5] += 1
        if e.link:
            self.links += 1
            stream[6] += 1
        if e.noise:
            self.noise += 1
        self.roles[acc.ri] += 1
        self.authors[acc.idx] = 1
        self.impressions += acc.followers
        tags = self.tags  # as written; merged case-insensitively in `tag_counts`
        for t in e.tags:  # a post's tags are distinct by construction
            tags[t] = tags.get(t, 0) + 1

    def tag_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for t, n in self.tags.items():
            low = t.lower()
            out[low] = out.get(low, 0) + n
        return out


class _Platform:
    """Writes one format's corpus and counts its truth."""

    def __init__(
        self,
        fmt: str,
        n_posts: int,
        cfg: C.SynthConfig,
        editions: list[Edition],
        registry: Any,
        with_chat: bool,
        root: Path,
        counter: _Counter,
    ) -> None:
        self.fmt = fmt
        self.platform = plat = C.FORMAT_PLATFORM[fmt]
        self.n_posts = n_posts
        self.cfg = cfg
        self.counter = counter
        self.rng = random.Random(f"{cfg.seed}:{plat}:posts")
        self.r = self.rng.random
        self.plan_rng = random.Random(f"{cfg.seed}:{plat}:plan")
        self.pools = Pools(f"{cfg.seed}:{plat}:ids")
        first_day = max(C.PLATFORM_START[plat], date(cfg.start_year, 1, 1))
        self.first_day = first_day
        entities = registry_entities(registry) if plat == "x" else []
        self.pop = Population(plat, n_posts, cfg.seed, first_day, entities)
        self.texts = Texts(self.r)
        self.writer = make_writer(fmt, root, cfg.compress, self.pools, self.r)
        self.tally = _Tally(self.pop)
        k = C.KIND_SHARES[plat]
        self.p_repost = k["repost"]
        self.p_reply = k["repost"] + k["reply"]
        self.p_quote = k["repost"] + k["reply"] + k["quote"]
        f = C.feature_probabilities(plat)
        self.p_mention = f["mention"]
        self.p_video = f["video"]
        self.p_images = f["video"] + f["images"]
        self.p_link = f["links"]
        cum = 0.0
        self.hour_cum: list[float] = []
        total = sum(C.HOUR_WEIGHT)
        for w in C.HOUR_WEIGHT:
            cum += w / total
            self.hour_cum.append(cum)
        self.hour_cum[-1] = 1.0 + 1e-9
        self.editions = {ed.year: ed for ed in editions}
        self.with_chat = with_chat
        active_days = max(1, (date(cfg.end_year, 12, 31) - first_day).days + 1)
        self.span_days = active_days
        # Reposts, replies and quotes pick among the last half day of the stream's posts
        # (at least 30): most reposts come within hours, and a short memory keeps the
        # working set small (a three-day pool made large corpora 30 % slower).
        cap = max(30, min(3000, round(0.5 * n_posts / active_days)))
        self.topic_pool = _Pool(cap)
        self.meeting_pool = _Pool(cap)
        self.meeting_year = 0
        self.meeting_days: dict[int, dict[str, int]] = {}
        self.meeting_tags: dict[str, int] = {}
        self.sessions: list[ChatSession] = []
        self.chat_pool: list[Entry] = []
        self.chat_host: Account | None = None
        self.chat_people: list[Account] = []
        self.chat_tag = ""
        self._questions: dict[int, Entry] = {}
        self.year = 0

    # ------------------------------------------------------------------ plan
    def run(self, chat_tag: str, host_handle: str | None) -> dict[str, Any]:
        """Write the format's corpus, year by year and month by month; return its truth."""
        cfg = self.cfg
        plat = self.platform
        weights = {y: C.year_weight(plat, y) for y in cfg.years}
        weights = {y: w for y, w in weights.items() if date(y, 12, 31) >= self.first_day}
        yearly = C.apportion(self.n_posts, weights)
        if self.with_chat:
            self.chat_tag = chat_tag
            self.sessions = chat_sessions(self.plan_rng, cfg.years, yearly, self.first_day)
            host = self.pop.entity(host_handle) if host_handle else None
            self.chat_host = host or self.pop.top("journal_publisher")
        try:
            for year in cfg.years:
                n_year = yearly.get(year, 0)
                if n_year <= 0:
                    continue
                days = plan_year(plat, year, n_year, self.plan_rng, self.editions, self.sessions)
                month = 0
                for dp in days:
                    if dp.day.month != month:
                        self.writer.close_month()
                        month = dp.day.month
                        self.writer.open_month(year, month)
                    self._day(dp)
                self.writer.close_month()
        finally:
            self.writer.close_month()  # an interrupted run still closes its file
        return self._truth(yearly)

    # ------------------------------------------------------------------ days
    def _day(self, dp: DayPlan) -> None:
        """One day: draw its posts' times, decide them in time order, write its pages.

        A slot is one int, (ms << 6) | (stream code << 3) | question number, so that a
        plain sort orders the day's topic, meeting and chat posts together.
        """
        w = self.writer
        day_ms = day_start_ms(dp.day)
        self.pop.set_progress((dp.day - self.first_day).days / self.span_days)
        w.begin_day(dp.day, day_ms)
        self.year = dp.day.year
        r = self.r
        hc = self.hour_cum
        slots = [
            ((day_ms + bisect_right(hc, r()) * _HOUR_MS + int(r() * _HOUR_MS)) << 6)
            for _ in range(dp.topic)
        ]
        if dp.meeting:
            ed = dp.edition
            assert ed is not None
            if self.meeting_year != ed.year:
                self.meeting_pool.clear()
                self.meeting_year = ed.year
            code = _MEETING << 3
            slots.extend(
                ((day_ms + bisect_right(hc, r()) * _HOUR_MS + int(r() * _HOUR_MS)) << 6) | code
                for _ in range(dp.meeting)
            )
        if dp.chat is not None:
            slots.extend(self._chat_slots(dp.chat))
        slots.sort()
        n = len(slots)
        t = self.tally
        topic_stream = t.stream_kinds["topic"]
        for v in slots:
            code = (v >> 3) & 7
            if code == _TOPIC:
                self._post(v >> 6, self.topic_pool, topic_stream, None, None)
            elif code == _MEETING:
                self._meeting(v >> 6, dp)
            else:
                assert dp.chat is not None
                self._chat(v >> 6, code, v & 7, dp.chat)
        w.end_day()
        t.by_year[dp.day.year] = t.by_year.get(dp.day.year, 0) + n
        self.counter.add(n)

    # ------------------------------------------------------------------ posts
    def _mention(self, c: Content, acc: Account) -> None:
        """Mention another account ("cc @x") with the calibrated probability."""
        r = self.r
        if r() < self.p_mention:
            other = self.pop.pick(r)
            if other.idx == acc.idx:
                other = self.pop.pick(r)
            c.segs.append((PLAIN, (" cc ", " with ", " via ", " h/t ")[int(r() * 4)]))
            c.segs.append((MENTION, other))

    def _decorate(self, c: Content, acc: Account, media_p: float) -> int:
        """Add a link and a mention to an original's text; return its media code."""
        r = self.r
        if r() < self.p_link:
            url = self.texts.link(acc.idx + int(r() * 7), self.year, self.pools)
            segs = c.segs
            i = len(segs)  # the link goes before the trailing hashtags, if any
            while i > 0 and (segs[i - 1][0] == TAG or segs[i - 1] == (PLAIN, " ")):
                i -= 1
            if i == len(segs):
                segs.append((PLAIN, " "))
                segs.append((LINK, url))
            else:
                before = segs[i - 1] if i else (PLAIN, " ")
                ins: list[tuple[int, Any]] = []
                if not (before[0] == PLAIN and before[1].endswith(" ")):
                    ins.append((PLAIN, " "))
                ins.append((LINK, url))
                if segs[i] != (PLAIN, " "):
                    ins.append((PLAIN, " "))
                segs[i:i] = ins
        self._mention(c, acc)
        x = r()
        if x < self.p_video * media_p:
            return -1
        if x < self.p_images * media_p:
            y = r()
            return 1 if y < 0.72 else 2 if y < 0.87 else 3 if y < 0.94 else 4
        return 0

    def _post(
        self,
        ms: int,
        pool: _Pool,
        stream: list[int],
        meeting: tuple[str, str] | None,
        ed_day: dict[str, int] | None,
    ) -> Entry:
        """One post of the topic or meeting stream: repost, reply, quote or original."""
        r = self.r
        w = self.writer
        x = r()
        pop = self.pop
        acc = pop.pick(r)
        if pool and x < self.p_quote:
            target = pool.recent(int(len(pool) * r() * r()))
            if x < self.p_repost:
                e = w.repost(ms, acc, target)
                kind = _REPOST
            elif x < self.p_reply:
                if target.acc is acc:
                    acc = pop.pick(r)
                tag = (
                    meeting[0]
                    if meeting
                    else (target.tags[0] if target.tags and r() < 0.4 else None)
                )
                c = self.texts.reply(tag)
                media = 1 if r() < C.REPLY_IMAGES else 0
                e = w.reply(ms, acc, c, target, media)
                kind = _REPLY  # replies are not reposted or quoted here: pools hold originals
            else:
                tag = meeting[0] if meeting else (target.tags[0] if target.tags else "radiology")
                c = self.texts.quote(tag)
                self._mention(c, acc)
                e = w.quote(ms, acc, c, target)
                pool.append(e)
                kind = _QUOTE
        else:
            if meeting is not None:
                topic = _MEETING_TOPIC_TAGS[int(r() * 6)] if r() < 0.4 else None
                c = self.texts.meeting_post(meeting[1], meeting[0], topic)
                media = self._decorate(c, acc, 1.1)
            else:
                c = self.texts.topic(acc.role, C.OTHER_LANGUAGE_SHARE, C.NOISE_SHARE)
                media = self._decorate(c, acc, 1.0)
            e = w.original(ms, acc, c, media)
            pool.append(e)
            kind = _ORIGINAL
        t = self.tally  # inlined _Tally.add: this runs once per post
        t.kinds[kind] += 1
        stream[kind] += 1
        if e.mention:
            t.mentions += 1
            stream[4] += 1
        if e.image:
            t.images += 1
            stream[5] += 1
        if e.link:
            t.links += 1
            stream[6] += 1
        if e.noise:
            t.noise += 1
        t.roles[acc.ri] += 1
        t.authors[acc.idx] = 1
        t.impressions += acc.followers
        tags = t.tags
        for tg in e.tags:
            tags[tg] = tags.get(tg, 0) + 1
        if ed_day is not None and e.tags:
            ed_day["n"] = ed_day.get("n", 0) + 1
        return e

    def _meeting(self, ms: int, dp: DayPlan) -> None:
        ed = dp.edition
        assert ed is not None and dp.phase is not None
        tag = ed.tags[1] if self.r() < C.MEETING_LONG_TAG_SHARE else ed.tags[0]
        days = self.meeting_days.setdefault(ed.year, {})
        key = dp.day.isoformat()
        counter: dict[str, int] = {}
        e = self._post(
            ms, self.meeting_pool, self.tally.stream_kinds["meeting"], (tag, dp.phase), counter
        )
        if counter:
            days[key] = days.get(key, 0) + 1
            for t in e.tags:
                if t in ed.tags:
                    self.meeting_tags[t] = self.meeting_tags.get(t, 0) + 1

    # ------------------------------------------------------------------ chat
    def _chat_slots(self, s: ChatSession) -> list[int]:
        r = self.r
        start = s.start_ms
        end = start + C.CHAT_MINUTES * 60_000 - 30_000
        nq = max(2, min(6, round(s.posts / 75)))
        close = 1 if s.posts >= 20 else 0
        rest = s.posts - 1 - nq - close
        n_rt = min(rest, round(s.posts * C.CHAT_RETWEET_SHARE))
        n_ans = round((rest - n_rt) * 0.85)
        n_chat = rest - n_rt - n_ans
        step = (end - start - 120_000) // nq
        q_times = [start + 120_000 + j * step for j in range(nq)]
        out = [(start + 5_000) << 6 | _INTRO << 3]
        out += [(t << 6) | (_QUESTION << 3) | (j + 1) for j, t in enumerate(q_times)]
        if close:
            out.append((end + 20_000) << 6 | _CLOSE << 3)
        for i in range(n_ans):
            j = i % nq
            lo = q_times[j] + 20_000
            hi = q_times[j + 1] if j + 1 < nq else end
            out.append(((lo + int(r() * (hi - lo))) << 6) | (_ANSWER << 3) | (j + 1))
        for _ in range(n_rt):
            lo = q_times[0] + 10_000
            out.append(((lo + int(r() * (end - lo))) << 6) | (_RETWEET << 3))
        for _ in range(n_chat):
            lo = start + 10_000
            out.append(((lo + int(r() * (end - lo))) << 6) | (_CHATTER << 3))
        s.counts = {
            "intro": 1,
            "questions": nq,
            "answers": n_ans,
            "retweets": n_rt,
            "chatter": n_chat,
            "close": close,
        }
        self.chat_pool = []
        self._chat_people(s)
        return out

    def _chat_people(self, s: ChatSession) -> None:
        """Participants: 54.6 % radiologists or trainees, the rest anyone else (#JACR)."""
        r = self.r
        pop = self.pop
        people: dict[int, Account] = {}
        host = self.chat_host
        assert host is not None
        tries = 0
        while len(people) < s.participants - 1 and tries < 20 * s.participants:
            tries += 1
            if r() >= C.CHAT_NON_RADIOLOGIST_SHARE:
                acc = pop.pick_role(r, "radiologist" if r() < 0.8 else "radiology_trainee")
            else:
                acc = pop.pick(r)
                if acc.role in ("radiologist", "radiology_trainee"):
                    continue
            if acc.idx != host.idx:
                people[acc.idx] = acc
        self.chat_people = list(people.values())

    def _chat(self, ms: int, code: int, k: int, s: ChatSession) -> None:
        r = self.r
        w = self.writer
        host = self.chat_host
        assert host is not None
        tag = self.chat_tag
        texts = self.texts
        people = self.chat_people
        stream = self.tally.stream_kinds["chat"]
        pool = self.chat_pool
        if code == _INTRO:
            acc = host
            e = w.original(ms, acc, texts.chat_intro(s.topic, tag), 0)
            kind = _ORIGINAL
            s.question_ids["intro"] = e.pid
        elif code == _QUESTION:
            acc = host
            question = s.questions[(k - 1) % len(s.questions)]
            e = w.original(ms, acc, texts.chat_question(k, question, tag), 0)
            kind = _ORIGINAL
            s.question_ids[f"Q{k}"] = e.pid
            self._questions[k] = e
        elif code == _CLOSE:
            acc = host
            e = w.original(ms, acc, texts.chat_close(tag), 0)
            kind = _ORIGINAL
        elif code == _ANSWER:
            acc = people[int(len(people) * r() * r())]
            parent = self._questions[k]
            e = w.reply(ms, acc, texts.chat_answer(k, tag), parent, 1 if r() < 0.1 else 0)
            kind = _REPLY
        elif code == _RETWEET:
            acc = people[int(len(people) * r())] if r() < 0.7 else self.pop.pick(r)
            e = w.repost(ms, acc, pool[int(len(pool) * r())])
            kind = _REPOST
        else:
            acc = people[int(len(people) * r())]
            e = w.original(ms, acc, texts.chat_chatter(tag), 0)
            kind = _ORIGINAL
        if kind != _REPOST:
            pool.append(e)
        s.participant_ids.add(acc.uid)
        self.tally.add(e, kind, acc, stream)

    # ------------------------------------------------------------------ truth
    def _truth(self, yearly: dict[int, int]) -> dict[str, Any]:
        t = self.tally
        n = sum(t.kinds)
        pop = self.pop
        w = self.writer

        def share(x: int, d: int = n) -> float:
            return round(x / d, 4) if d else 0.0

        kinds = dict(zip(_KINDS, t.kinds, strict=True))
        by_year = {str(y): t.by_year.get(y, 0) for y in sorted(yearly)}
        growth: dict[str, float | None] = {}
        prev = None
        for y in sorted(yearly):
            cur = t.by_year.get(y, 0)
            growth[str(y)] = round(cur / prev - 1, 4) if prev else None
            prev = cur
        authors_by_role = {}
        for role, off, size in zip(pop.roles, pop.offsets, pop.sizes, strict=True):
            authors_by_role[role] = t.authors[off : off + size].count(1)
        streams = {}
        for s, ks in t.stream_kinds.items():
            total = sum(ks[:4])
            streams[s] = {
                "posts": total,
                "by_kind": dict(zip(_KINDS, ks[:4], strict=True)),
                "repost_share": share(ks[_REPOST], total),
                "reply_share": share(ks[_REPLY], total),
                "with_mentions": share(ks[4], total),
                "with_images": share(ks[5], total),
                "with_links": share(ks[6], total),
            }
        tag_counts = t.tag_counts()
        top_tags = sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        roles = dict(zip(t.role_names, t.roles, strict=True))
        out: dict[str, Any] = {
            "format": self.fmt,
            "posts": n,
            "by_kind": kinds,
            "shares": {
                "repost": share(t.kinds[_REPOST]),
                "reply": share(t.kinds[_REPLY]),
                "quote": share(t.kinds[_QUOTE]),
                "with_mentions": share(t.mentions),
                "with_images": share(t.images),
                "with_links": share(t.links),
            },
            "by_year": by_year,
            "growth": growth,
            "streams": streams,
            "noise_posts": t.noise,
            "authors": t.authors.count(1),
            "accounts_in_population": pop.size,
            "stakeholders": {
                "posts": roles,
                "post_shares": {r: share(v) for r, v in roles.items()},
                "authors": authors_by_role,
                "accounts_in_population": pop.role_sizes(),
            },
            "impressions_symplur": t.impressions,
            "hashtags": dict(top_tags[:50]),
            "hashtag_count": len(tag_counts),
            "records": w.records,
            "bytes": w.bytes,
            "raw_bytes": w.raw_bytes,
            "files": w.files,
        }
        if self.platform == "x":
            out["views"] = getattr(w, "views", 0)
        return out


def _formats(
    formats: str | Mapping[str, float] | Iterable[str] | None, end_year: int
) -> dict[str, float]:
    """The formats asked for; by default every format with posts in the years."""
    if formats is None:
        return {
            f: s
            for f, s in C.DEFAULT_SHARES.items()
            if C.PLATFORM_START[C.FORMAT_PLATFORM[f]].year <= end_year
        }
    if isinstance(formats, str):
        return C.parse_formats(formats)
    if isinstance(formats, Mapping):
        return {str(k): float(v) for k, v in formats.items()}
    return C.parse_formats(",".join(formats))


def generate(
    out_dir: str | Path,
    *,
    posts: int = 20_000,
    start_year: int = 2016,
    end_year: int = 2025,
    formats: str | Mapping[str, float] | Iterable[str] | None = None,
    seed: int = 0,
    compress: str = "zstd",
    progress: ProgressFn | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write a synthetic radiology corpus to `out_dir`; return its truth manifest.

    The corpus goes to `out_dir/corpus/<format>/<year>/<format>-<year>-<month>.jsonl*`
    and the manifest to `out_dir/truth.json` (beside the corpus, not in it, so
    `radsocial import out_dir/corpus` reads posts only). Same arguments, same bytes.
    `formats` is "x-v2,bluesky" / "x-v2=0.7,bluesky=0.3" or a mapping of shares
    (None: every format that has posts in the years, with the default shares);
    `progress(done, total)` is called after every generated day.
    Raises `ConfigError` for impossible parameters and FileExistsError when the corpus
    folder already holds files (pass overwrite=True to replace it).
    """
    cfg = C.SynthConfig(
        posts=posts,
        start_year=start_year,
        end_year=end_year,
        formats=_formats(formats, end_year),
        seed=seed,
        compress=compress,
    )
    out = Path(out_dir)
    root = out / "corpus"
    if root.exists() and any(root.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{root} already holds files")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    registry = default_registry()
    editions = meeting_editions(registry, cfg.years)
    counts = cfg.post_counts()
    chat_fmt = "x-v2" if "x-v2" in counts else next(iter(counts))
    chat = registry.tweetchat_for_hashtag(C.TWEETCHAT)
    chat_tag = chat.hashtag if chat is not None else C.TWEETCHAT
    host_handle = (
        chat.hosts[0] if (chat is not None and chat.hosts and chat_fmt == "x-v2") else None
    )
    counter = _Counter(cfg.posts, progress)
    platforms: dict[str, Any] = {}
    runs: list[_Platform] = []
    # The corpus makes millions of short-lived dicts and no reference cycles: the cyclic
    # garbage collector would only rescan the day buffers over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for fmt, n in counts.items():
            if n <= 0:
                continue
            run = _Platform(fmt, n, cfg, editions, registry, fmt == chat_fmt, root, counter)
            platforms[run.platform] = run.run(chat_tag, host_handle)
            run.pop.release()  # free the account cache before the next platform
            runs.append(run)
    finally:
        if gc_was_enabled:
            gc.enable()
    truth = _manifest(cfg, counts, editions, runs, platforms, chat_tag, chat_fmt)
    (out / "truth.json").write_bytes(
        orjson.dumps(truth, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    )
    (out / "README.md").write_text(_readme(cfg, truth), encoding="utf-8")
    return truth


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def _manifest(
    cfg: C.SynthConfig,
    counts: dict[str, int],
    editions: list[Edition],
    runs: list[_Platform],
    platforms: dict[str, Any],
    chat_tag: str,
    chat_fmt: str,
) -> dict[str, Any]:
    total = sum(p["posts"] for p in platforms.values())
    window = C.MEETING_WINDOW_DAYS
    eds = []
    for ed in editions:
        by_platform = {}
        days: dict[str, int] = {}
        for run in runs:
            d = run.meeting_days.get(ed.year, {})
            if d:
                by_platform[run.platform] = sum(d.values())
            for k, v in d.items():
                days[k] = days.get(k, 0) + v
        during = sum(v for k, v in days.items() if ed.start.isoformat() <= k <= ed.end.isoformat())
        pre = sum(v for k, v in days.items() if k < ed.start.isoformat())
        post = sum(v for k, v in days.items() if k > ed.end.isoformat())
        tag_counts = {t: sum(r.meeting_tags.get(t, 0) for r in runs) for t in ed.tags}
        eds.append(
            {
                "year": ed.year,
                "start": ed.start.isoformat(),
                "end": ed.end.isoformat(),
                "window": [
                    (ed.start - timedelta(days=window)).isoformat(),
                    (ed.end + timedelta(days=window)).isoformat(),
                ],
                "dates_from": ed.dates_from,
                "virtual": ed.virtual,
                "tags": ["#" + t for t in ed.tags],
                "posts": {
                    "total": during + pre + post,
                    "during": during,
                    "before": pre,
                    "after": post,
                },
                "posts_by_tag": {"#" + t: n for t, n in tag_counts.items()},
                "posts_by_platform": by_platform,
                "posts_by_day": dict(sorted(days.items())),
            }
        )
    sessions = []
    for run in runs:
        for s in run.sessions:
            sessions.append(
                {
                    "number": s.number,
                    "platform": run.platform,
                    "start": _iso(s.start_ms),
                    "end": _iso(s.start_ms + C.CHAT_MINUTES * 60_000),
                    "topic": s.topic,
                    "host": run.chat_host.handle if run.chat_host else None,
                    "posts": s.posts,
                    "participants": len(s.participant_ids),
                    "planned_participants": s.participants,
                    "questions": {k: v for k, v in s.question_ids.items() if k != "intro"},
                    "intro": s.question_ids.get("intro"),
                    **{
                        k: v for k, v in s.counts.items() if k in ("answers", "retweets", "chatter")
                    },
                }
            )
    chat = {
        "hashtag": "#" + chat_tag,
        "platform": C.FORMAT_PLATFORM[chat_fmt],
        "schedule": {
            "frequency": "monthly",
            "rule": f"week {C.CHAT_WEEK_OF_MONTH}, weekday {C.CHAT_WEEKDAY} (Monday = 0)",
            "local_time": f"{C.CHAT_LOCAL_TIME[0]:02d}:{C.CHAT_LOCAL_TIME[1]:02d}",
            "timezone": C.CHAT_TIMEZONE,
            "minutes": C.CHAT_MINUTES,
            "note": "assumed: the registry does not document the chat's schedule",
        },
        "sessions": sessions,
        "posts": sum(s["posts"] for s in sessions),
    }
    meeting_posts = sum(e["posts"]["total"] for e in eds)
    return {
        "synthetic": True,
        "marker": C.MARKER,
        "generator": {"name": "radsocial generate", "version": __version__, "manifest_version": 1},
        "parameters": {
            "posts": cfg.posts,
            "start_year": cfg.start_year,
            "end_year": cfg.end_year,
            "formats": cfg.formats,
            "seed": cfg.seed,
            "compress": cfg.compress,
        },
        "calibration": C.calibration(),
        "layout": {
            "corpus": "corpus",
            "import": "radsocial import <OUT_DIR>/corpus",
            "file_pattern": "corpus/<format>/<year>/<format>-<year>-<month>.jsonl[.zst|.gz]",
        },
        "totals": {
            "posts": total,
            "posts_by_format": {f: counts[f] for f in counts},
            "posts_by_platform": {p: v["posts"] for p, v in platforms.items()},
            "records": sum(v["records"] for v in platforms.values()),
            "bytes": sum(v["bytes"] for v in platforms.values()),
            "raw_bytes": sum(v["raw_bytes"] for v in platforms.values()),
            "meeting_posts": meeting_posts,
            "tweetchat_posts": chat["posts"],
        },
        "platforms": platforms,
        "meeting": {
            "key": C.MEETING,
            "window_days": window,
            "editions": eds,
        },
        "tweetchat": chat,
    }


def _readme(cfg: C.SynthConfig, truth: dict[str, Any]) -> str:
    return (
        "# Synthetic radiology corpus (radsocial generate)\n\n"
        "Every record in `corpus/` is SYNTHETIC: generated by `radsocial generate`, not collected\n"
        f"from any platform. Each carries the top-level key `{C.MARKER}: true`.\n"
        "Accounts, texts, ids and numbers are made up; organisation handles from radsocial's\n"
        "registry appear so that analyses have known names to count.\n\n"
        f"- posts: {truth['totals']['posts']:,} ({', '.join(f'{k} {v:,}' for k, v in truth['totals']['posts_by_platform'].items())})\n"
        f"- years: {cfg.start_year}-{cfg.end_year}, seed {cfg.seed}, compression {cfg.compress}\n"
        "- `truth.json`: what the generator was told and the true counts it produced\n\n"
        "Import with:\n\n"
        "    radsocial import corpus/\n"
    )
