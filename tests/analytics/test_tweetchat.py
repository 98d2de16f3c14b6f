"""Tweetchat report: sessions, Q/A pairing, unanswered questions, response times,
participants and transcripts — on hand-made chats whose every number is counted by hand
below, and on the real #cancerchat of 2014-06-19 (grfiv/healthcare_twitter_analysis).
Every test runs on SQLite and on PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from radsocial.analytics import Report, run
from radsocial.analytics.tweetchat import Session, find_sessions, tweetchat, write_transcript
from radsocial.ingest import import_paths
from radsocial.knowledge.registry import load_registry
from radsocial.models import Account, Post, RawRecord, utcnow
from radsocial.store import Selection, Store
from radsocial.store.schema import account_labels, accounts
from tests.helpers import FIXTURES

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
CANCERCHAT = FIXTURES / "csv" / "grfiv-Tweets_CancerChat_full.csv"

FOLLOWERS = {"BreastImager": 1000, "patient_ann": 100, "dr_bob": 500, "carer_cat": 50, "lurker": 10}
IDS = {"BreastImager": "1", "patient_ann": "2", "dr_bob": "3", "carer_cat": "4", "lurker": "5"}


def _post(pid: str, when: datetime, who: str, text: str, **kw: object) -> Post:
    tags = tuple(w[1:].rstrip("!?.,") for w in text.split() if w.startswith("#"))
    return Post(
        platform="x",
        platform_id=pid,
        created_at=when.astimezone(UTC),
        text=text,
        author_id=IDS.get(who, "id-" + who),
        author_handle=who,
        hashtags=tags,
        author=Account("x", IDS.get(who, "id-" + who), handle=who, followers=FOLLOWERS.get(who)),
        **kw,  # type: ignore[arg-type]
    )


def _write(store: Store, items: list[Post]) -> None:
    raw = RawRecord(
        format="x-v2", payload=repr([p.platform_id for p in items]).encode(), source="t"
    )
    store.write_batch([(raw, items)])


# The hand-made #mammochat: Thursday 2024-06-13, 21:00-22:00 in London (BST = UTC+1),
# i.e. 20:00-21:00 UTC. Host BreastImager numbers its prompts Q1-Q3.
CHAT = datetime(2024, 6, 13, 21, 0, tzinfo=LONDON)


def _at(minutes: float) -> datetime:
    return CHAT + timedelta(minutes=minutes)


def mammochat() -> list[Post]:
    """17 posts in the chat hour (16 with the tag + 1 reply without it), 1 post in the hour
    after, 2 background posts on other days."""
    q1 = "Q1: What worries you most before a mammogram? #mammochat"
    return [
        _post("p1", _at(0.5), "BreastImager", "Welcome to #mammochat! Tonight: mammography"),
        _post("p2", _at(2), "BreastImager", q1),  # Q1
        _post("p3", _at(4), "patient_ann", "A1: the pain of compression #mammochat"),  # A1 +120 s
        _post("p4", _at(5), "dr_bob", "A1 Being called back for more images #mammochat"),  # +180
        _post(  # a reply to Q1 by id: +240 s
            "p5",
            _at(6),
            "carer_cat",
            "@BreastImager waiting for results #mammochat",
            kind="reply",
            reply_to_id="p2",
        ),
        _post(  # a native repost of Q1: a copy
            "p6",
            _at(7),
            "lurker",
            "RT @BreastImager: " + q1,
            kind="repost",
            repost_of_id="p2",
        ),
        _post("p7", _at(10), "patient_ann", "Does 3D mammography hurt more than 2D? #mammochat"),
        _post(  # the host answers ann's question P1 by reply: +120 s
            "p8",
            _at(12),
            "BreastImager",
            "@patient_ann No, compression is the same #mammochat",
            kind="reply",
            reply_to_id="p7",
        ),
        _post("p9", _at(15), "BreastImager", "Q2: How far do you travel for screening? #mammochat"),
        _post("p10", _at(16), "patient_ann", "@BreastImager about 20 miles #mammochat"),  # +60
        _post("p11", _at(16 + 1 / 6), "dr_bob", "@BreastImager A2: 5 minutes walk #mammochat"),
        _post(
            "p12", _at(20), "BreastImager", "Q3: Would you use a mobile screening unit? #mammochat"
        ),
        # 10 s after Q3: too soon to answer it, so it answers Q2 (+310 s)
        _post("p13", _at(20 + 1 / 6), "patient_ann", "@BreastImager yes! #mammochat"),
        _post(
            "p14", _at(25), "carer_cat", "Is the radiation dose from a mammogram safe? #mammochat"
        ),
        _post(  # a manual retweet: a copy, and not a question
            "p15",
            _at(26),
            "lurker",
            "RT @patient_ann: Does 3D mammography hurt more than 2D? #mammochat",
        ),
        _post(  # a reply to Q2 that forgot the hashtag: threaded, not counted as a post
            "p16",
            _at(30),
            "dr_bob",
            "@BreastImager 10 miles by bus",
            kind="reply",
            reply_to_id="p9",
        ),
        _post("p17", _at(40), "BreastImager", "Thanks all for joining #mammochat"),
        _post("p18", _at(70), "patient_ann", "great chat #mammochat"),  # the hour after
        _post("b1", CHAT - timedelta(days=3, hours=5), "dr_bob", "#mammochat next Thursday"),
        _post("b2", CHAT + timedelta(days=7, hours=-9), "carer_cat", "loved #mammochat"),
    ]


def _label(store: Store, who: str, value: str) -> None:
    with store.writer() as conn, conn.begin():
        pk = conn.execute(
            sa.select(accounts.c.id).where(
                accounts.c.platform == "x", accounts.c.account_id == IDS[who]
            )
        ).scalar_one()
        conn.execute(
            account_labels.insert().values(
                account_pk=pk,
                task="stakeholder",
                value=value,
                method="manual",
                coder="test",
                score=1.0,
                reasons=[],
                version="manual",
                classifier="manual",
                created_at=utcnow(),
            )
        )


def _rows(rep: Report, name: str) -> list[dict[str, Any]]:
    return rep.table(name).to_dicts()


def test_mammochat_sessions_questions_answers(store: Store) -> None:
    _write(store, mammochat())
    _label(store, "BreastImager", "radiologist")
    _label(store, "dr_bob", "radiology_trainee")
    _label(store, "patient_ann", "patient_advocate")
    _label(store, "carer_cat", "caregiver")

    # 20 posts with the tag over 10 days: the mean hourly rate is far below 1, so the bar
    # is min_posts (10); only the chat hour holds 10 or more.
    found = find_sessions(store, Selection(), "#MammoChat", tz="Europe/London")
    assert len(found) == 1
    s = found[0]
    assert s.local() == (CHAT, CHAT + timedelta(hours=1))
    assert s.start == datetime(2024, 6, 13, 20, 0, tzinfo=UTC)
    assert (s.posts, s.posts_before, s.posts_after, s.scheduled) == (16, 0, 1, False)
    assert s.describe() == "#mammochat 2024-06-13 21:00–22:00 Europe/London"

    rep = tweetchat(store, Selection(), "mammochat", tz="Europe/London")
    assert rep.kind == "tweetchat" and not rep.empty
    [row] = _rows(rep, "sessions")
    assert row["start"] == "2024-06-13T21:00:00+01:00"
    assert row["end"] == "2024-06-13T22:00:00+01:00"
    # p1-p15 + p17 carry the tag; p16 does not; p18 is after the hour.
    assert row["posts"] == 16
    assert row["original_posts"] == 13  # all but the replies p5, p8 and the repost p6
    assert (row["replies"], row["reposts"], row["manual_rts"], row["quotes"]) == (2, 1, 1, 0)
    assert row["participants"] == 5
    assert row["hosts"] == "BreastImager"  # inferred: it posts the numbered prompts
    # host 6 posts x 1000 + ann 4 x 100 + bob 2 x 500 + cat 2 x 50 + lurker 2 x 10
    assert row["impressions"] == 6000 + 400 + 1000 + 100 + 20
    assert row["views"] is None
    # Q1, Q2, Q3 (prompts) + P1 (ann, p7) + P2 (cat, p14); Q3 and P2 get no answer.
    assert (row["questions"], row["answered"], row["unanswered"]) == (5, 3, 2)
    assert row["answers"] == 8  # Q1: p3 p4 p5; Q2: p10 p11 p13 p16; P1: p8
    assert row["median_response_s"] == 120  # first answers: Q1 120 s, Q2 60 s, P1 120 s
    # labelled: host radiologist, bob trainee (radiology), ann + cat not: 2 of 4
    assert (row["non_radiologist_pct"], row["labelled_participants"]) == (50.0, 4)
    assert row["untagged_replies"] == 1
    assert rep.metrics["posts"] == 16 and rep.metrics["median_response_s"] == 120

    qs = {r["question"]: r for r in _rows(rep, "questions")}
    assert list(qs) == ["Q1", "Q2", "Q3", "P1", "P2"]
    assert [qs[k]["answers"] for k in qs] == [3, 4, 0, 1, 0]
    assert [qs[k]["first_answer_s"] for k in qs] == [120, 60, None, 120, None]
    assert qs["Q1"]["numbering"] == "explicit" and qs["Q1"]["role"] == "host"
    assert qs["P1"]["author"] == "patient_ann" and qs["P1"]["kind"] == "free"
    assert qs["Q2"]["answerers"] == 2  # ann twice (p10, p13), bob twice (p11, p16)

    ans = [(r["question"], r["method"], r["author"], r["delay_s"]) for r in _rows(rep, "answers")]
    assert ans == [
        ("Q1", "numbered", "patient_ann", 120),
        ("Q1", "numbered", "dr_bob", 180),
        ("Q1", "reply", "carer_cat", 240),
        ("P1", "reply", "BreastImager", 120),
        ("Q2", "mention", "patient_ann", 60),
        ("Q2", "numbered", "dr_bob", 70),
        ("Q2", "mention", "patient_ann", 310),
        ("Q2", "reply", "dr_bob", 900),
    ]
    assert [(r["question"], r["author"]) for r in _rows(rep, "unanswered")] == [
        ("Q3", "BreastImager"),
        ("P2", "carer_cat"),
    ]

    people = {r["handle"]: r for r in _rows(rep, "participants")}
    assert list(people) == ["BreastImager", "patient_ann", "carer_cat", "dr_bob", "lurker"]
    assert people["BreastImager"]["role"] == "host"
    assert people["patient_ann"]["stakeholder"] == "patient_advocate"
    assert people["lurker"]["stakeholder"] is None
    assert (people["lurker"]["posts"], people["lurker"]["copies"]) == (2, 2)
    assert (people["patient_ann"]["questions"], people["patient_ann"]["answers"]) == (1, 3)
    assert people["dr_bob"]["followers"] == 500 and people["dr_bob"]["impressions"] == 1000
    groups = [(r["stakeholder"], r["participants"], r["posts"]) for r in _rows(rep, "stakeholders")]
    assert groups == [
        ("caregiver", 1, 2),
        ("patient_advocate", 1, 4),
        ("radiologist", 1, 6),
        ("radiology_trainee", 1, 2),
        ("unlabelled", 1, 2),
    ]

    tr = _rows(rep, "transcript")
    assert [r["n"] for r in tr] == list(range(1, 18))
    by = {r["text"][:12]: r for r in tr}
    assert tr[0]["time"] == "2024-06-13T21:00:30+01:00"
    assert by["Q1: What wor"]["qa"] == "Q1"
    assert by["A1: the pain"]["qa"] == "A1"
    assert by["@patient_ann"]["qa"] == "A→P1" and by["@patient_ann"]["reply_to"] == 7
    assert by["@BreastImage"]["kind"] == "reply"  # p5, the first "@BreastImager" post
    assert by["RT @patient_"]["kind"] == "RT" and by["RT @BreastIm"]["kind"] == "repost"
    bus = next(r for r in tr if r["text"].endswith("by bus"))
    assert (bus["tagged"], bus["reply_to"], bus["qa"]) == (False, 9, "A2")

    act = rep.table("activity")
    assert act.chart is not None and act.chart["kind"] == "line"
    assert len(act) == 12  # 5-minute buckets of one hour
    assert sum(act.column("posts")) == 16 and act.rows[0][2:] == [
        3,
        3,
        0,
        1,
        1,
    ]  # p1, p2 (Q1), p3 (A1)

    # the dispatcher reaches the same report
    again = run("tweetchat", store, Selection(hashtags=("mammochat",)), tz="Europe/London")
    assert _rows(again, "sessions") == _rows(rep, "sessions")


def test_time_zone_only_changes_how_times_are_shown(store: Store) -> None:
    _write(store, mammochat())
    utc_rep = tweetchat(store, Selection(), "mammochat")
    [row] = _rows(utc_rep, "sessions")
    assert (row["start"], row["end"]) == ("2024-06-13T20:00:00+00:00", "2024-06-13T21:00:00+00:00")
    assert row["posts"] == 16
    with pytest.raises(ValueError, match="--tz"):
        tweetchat(store, Selection(), "mammochat", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="--tz"):
        find_sessions(store, Selection(), "mammochat", tz="nowhere")


def _chat_posts(tag: str, start: datetime, n: int, *, prefix: str = "c") -> list[Post]:
    """`n` posts, one every 5 minutes from `start`: hostx asks "Q1: …?", guest answers
    "A1: …" 5 minutes later, and so on."""
    return [
        _post(
            f"{prefix}{i}",
            start + timedelta(minutes=5 * i),
            "hostx" if i % 2 == 0 else "guest",
            f"Q{i // 2 + 1}: what about point {i}? #{tag}"
            if i % 2 == 0
            else f"A{i // 2 + 1}: point {i} #{tag}",
        )
        for i in range(n)
    ]


def test_us_evening_chat_crosses_utc_midnight_and_starts_on_the_hour(store: Store) -> None:
    # 21:00-22:00 in New York (EST) is 02:00-03:00 UTC the next day. Four sign-ins at
    # 20:45-20:59 make 20:45-21:45 the busiest hour (13 posts against 12), but a window
    # starting on the hour that holds 90 % as many is preferred.
    start = datetime(2024, 3, 5, 21, 0, tzinfo=NEW_YORK)
    items = _chat_posts("nychat", start, 12)
    items += [
        _post(f"s{i}", start - timedelta(minutes=m), "guest", f"signing in {i} #nychat")
        for i, m in enumerate((15, 10, 5, 1))
    ]
    _write(store, items)
    [s] = find_sessions(store, Selection(), "nychat", tz="America/New_York")
    assert s.start == datetime(2024, 3, 6, 2, 0, tzinfo=UTC)
    assert s.local()[0] == start and s.posts == 12 and s.posts_before == 4
    assert s.describe() == "#nychat 2024-03-05 21:00–22:00 America/New_York"
    rep = tweetchat(store, Selection(), "nychat", tz="America/New_York")
    assert _rows(rep, "sessions")[0]["start"] == "2024-03-05T21:00:00-05:00"
    # 6 prompts Q1-Q6 by hostx, each answered 5 minutes later by guest's "A1"…"A6"
    assert rep.metrics["questions"] == 6 and rep.metrics["answered"] == 6
    assert rep.metrics["median_response_s"] == 300


def test_registry_schedule_finds_the_hour_in_summer_and_winter(
    store: Store, tmp_path: Path
) -> None:
    toml = tmp_path / "chats.toml"
    toml.write_text(
        "[tweetchats.testchat]\n"
        'hashtag = "testchat"\n'
        'hosts = ["hostx"]\n'
        'schedule = { frequency = "weekly", weekday = "Thursday", time = "21:00", '
        'timezone = "Europe/London" }\n'
    )
    reg = load_registry([toml])
    winter = datetime(2024, 1, 11, 21, 0, tzinfo=LONDON)  # GMT: 21:00 UTC
    summer = datetime(2024, 6, 13, 21, 0, tzinfo=LONDON)  # BST: 20:00 UTC
    _write(
        store,
        _chat_posts("testchat", winter, 6, prefix="w")
        + _chat_posts("testchat", summer, 8, prefix="s"),
    )
    # 6 and 8 posts: below the density bar of min_posts=10, but at the scheduled hour
    # min_posts is the only bar.
    found = find_sessions(store, Selection(), "testchat", tz="UTC", registry=reg, min_posts=5)
    assert [(s.start, s.scheduled, s.posts) for s in found] == [
        (datetime(2024, 1, 11, 21, 0, tzinfo=UTC), True, 6),
        (datetime(2024, 6, 13, 20, 0, tzinfo=UTC), True, 8),
    ]
    assert found[0].hosts == ("hostx",)
    assert find_sessions(store, Selection(), "testchat", registry=reg) == []  # min_posts 10

    rep = tweetchat(store, Selection(), "testchat", tz="Europe/London", registry=reg, min_posts=5)
    assert [r["start"] for r in _rows(rep, "sessions")] == [
        "2024-01-11T21:00:00+00:00",
        "2024-06-13T21:00:00+01:00",
    ]
    assert rep.metrics["sessions"] == 2
    assert rep.metrics["per_session_mean"]["posts"] == 7.0
    assert rep.metrics["per_session_sd"]["posts"] == 1.4  # stdev(6, 8) = 1.414
    assert {r["session"] for r in _rows(rep, "transcript")} == {1, 2}
    second = tweetchat(
        store, Selection(), "testchat", session=2, tz="Europe/London", registry=reg, min_posts=5
    )
    assert [(r["session"], r["posts"]) for r in _rows(second, "sessions")] == [(2, 8)]
    with pytest.raises(ValueError, match="--session"):
        tweetchat(store, Selection(), "testchat", session=3, registry=reg, min_posts=5)


def test_named_window_and_repost_cascade(store: Store) -> None:
    # One post retweeted 15 times in an hour: dense, but no conversation.
    when = datetime(2024, 2, 1, 18, 0, tzinfo=UTC)
    items = [_post("o", when, "charity", "Talk to us on #cascadechat")]
    items += [
        _post(
            f"r{i}",
            when + timedelta(minutes=2 * i + 1),
            f"fan{i}",
            "RT @charity: Talk to us on #cascadechat",
        )
        for i in range(15)
    ]
    _write(store, items)
    assert find_sessions(store, Selection(), "cascadechat") == []
    rep = tweetchat(store, Selection(), "cascadechat")
    assert rep.empty
    assert any("repost cascade" in n for n in rep.notes)
    assert any("No session of #cascadechat found" in n for n in rep.notes)
    # a window the user names is reported whatever its density
    win = Session.window("cascadechat", datetime(2024, 2, 1, 18, 0), datetime(2024, 2, 1, 19, 0))
    named = tweetchat(store, Selection(), session=win)
    [row] = _rows(named, "sessions")
    assert (row["posts"], row["participants"], row["manual_rts"], row["questions"]) == (
        16,
        16,
        15,
        0,
    )
    with pytest.raises(ValueError, match="--session"):
        Session.window("x", datetime(2024, 1, 2), datetime(2024, 1, 1))


def test_empty_store_and_unknown_hashtag(store: Store) -> None:
    rep = tweetchat(store, Selection(), "mammochat")
    assert rep.empty and rep.kind == "tweetchat"
    assert rep.notes == [
        "No post matches this selection (hashtags=['mammochat']); the result is empty."
    ]
    assert [t.name for t in rep.tables] == [
        "sessions",
        "questions",
        "answers",
        "unanswered",
        "participants",
        "stakeholders",
        "transcript",
        "activity",
    ]
    assert rep.table("sessions").columns[:4] == ["session", "hashtag", "start", "end"]
    assert rep.to_markdown()  # renders
    _write(store, mammochat())
    other = tweetchat(store, Selection(), "#nosuchchat")
    assert other.empty and "hashtags=['nosuchchat']" in other.notes[0]
    assert find_sessions(store, Selection(), "nosuchchat") == []
    with pytest.raises(ValueError, match="--hashtag"):
        tweetchat(store, Selection())


def test_write_transcript(store: Store, tmp_path: Path) -> None:
    _write(store, mammochat())
    rep = tweetchat(store, Selection(), "mammochat", tz="Europe/London")
    md = write_transcript(rep, tmp_path / "chat.md", "md").read_text()
    assert md.startswith("# #mammochat — session 1: 2024-06-13 21:00–22:00 Europe/London\n")
    assert "16 posts by 5 participants; 5 questions, 3 answered. 2 reposts not shown." in md
    assert "- `#2` **21:02:00** @BreastImager **[Q1]**: Q1: What worries you" in md
    assert "↳ #7" in md and "RT @" not in md
    assert "\\#mammochat" in md  # hashtags cannot become Markdown headings

    path = write_transcript(rep, tmp_path / "chat.csv")  # format from the suffix
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 15  # 17 thread posts less the 2 copies
    assert rows[1]["qa"] == "Q1" and rows[1]["time"] == "2024-06-13T21:02:00+01:00"

    everything = write_transcript(
        rep.table("transcript"), tmp_path / "all.txt", "text", include_reposts=True
    )
    lines = [ln for ln in everything.read_text().splitlines() if ln.startswith("#")]
    assert len(lines) == 17
    assert lines[1] == (
        "#2 21:02:00 @BreastImager [Q1]: Q1: What worries you most before a mammogram? #mammochat"
    )
    with pytest.raises(ValueError, match="--format"):
        write_transcript(rep, tmp_path / "chat.pdf")


def test_real_cancerchat_2014_06_19(store: Store, tmp_path: Path) -> None:
    """The #cancerchat of Thursday 2014-06-19, hosted by @debecca on @EverydayAbleism
    "tonight 9-10pm" (UK time, BST), in the real grfiv Topsy export (156 rows).

    Checked by hand against the CSV: reading the file with the `csv` module and taking
    each row's own tweet id from `trackback_permalink` (snowflake time), 73 rows fall in
    20:00-21:00 UTC (21:00-22:00 BST) — 40 of them "RT @" texts — by 7 accounts
    (trackback_author_nick): abcdiagnosis 32, EverydayAbleism 23, debecca 8, SciPhiKat 7,
    NicsVoice, netminnow and lgbtqageing 1 each. 5 rows fall in the hour before (the
    announcements 20:00-20:43 BST) and 17 in the hour after. Impressions: the
    followers_count of each row whose own id is its `id` (3 rows — abcdiagnosis 21:37:27
    and 21:48:39, EverydayAbleism 21:49:31 — carry the id of the @hellboy8700 tweet they
    retweet, and their user fields describe hellboy8700, so the post has no count):
    30 x 3,340 + 22 x 4,604 + 8 x 1,095 + 7 x 1,821 + 387 + 1,663 + 1,417 = 226,462.
    The host's questions, read in the transcript: "First question - how did friends /
    family react…" (21:01:17), "Speaking of reactions, what's the worst you had?"
    (21:24:26), "So, what was the strangest reaction…" (21:27:13), "Last qu (…)… Did
    having cancer make you view disability differently…" (21:42:36). Only "First
    question" is numbered, so the four are Q1-Q4 in order. Every answer is a tweet by
    abcdiagnosis opening with @EverydayAbleism (the export has no reply ids); the first
    ones come 456 s (21:08:54), 54 s (21:25:21), 145 s (21:29:38; the 21:27:14 reply
    one second after Q3 goes to Q2) and 413 s (21:49:29) after the questions: median
    (145 + 413) / 2 = 279 s. abcdiagnosis's "…it's just a boil?! Hmm... Er no"
    (21:30:24) is read as a question (P1); nobody replies to it before abcdiagnosis
    posts again, so it is unanswered.
    """
    summary = import_paths(store, [str(CANCERCHAT)])
    assert (summary.new, summary.rejected) == (156, 0)

    [s] = find_sessions(store, Selection(), "cancerchat", tz="Europe/London")
    assert s.local() == (
        datetime(2014, 6, 19, 21, 0, tzinfo=LONDON),
        datetime(2014, 6, 19, 22, 0, tzinfo=LONDON),
    )
    assert s.start == datetime(2014, 6, 19, 20, 0, tzinfo=UTC)
    assert (s.posts, s.posts_before, s.posts_after) == (73, 5, 17)
    assert s.hosts == ("EverydayAbleism", "debecca")  # from the shipped registry
    # the same hour when times are shown in UTC
    [u] = find_sessions(store, Selection(), "cancerchat")
    assert (u.start, u.end) == (s.start, s.end)

    rep = tweetchat(store, Selection(), "cancerchat", tz="Europe/London")
    # CR_UK's #CancerChat tweet of 2014-06-25 retweeted 27 times in an hour is dense,
    # but only CR_UK wrote a post of its own: not a chat.
    assert any("repost cascade" in n and "2014-06-25 23:00" in n for n in rep.notes)
    [row] = _rows(rep, "sessions")
    assert (row["start"], row["end"]) == ("2014-06-19T21:00:00+01:00", "2014-06-19T22:00:00+01:00")
    assert (row["posts"], row["manual_rts"], row["reposts"], row["participants"]) == (73, 40, 0, 7)
    assert row["hosts"] == "debecca EverydayAbleism"
    assert row["impressions"] == 226_462
    assert any(n.startswith("3 posts have no follower count") for n in rep.notes)
    assert (row["questions"], row["answered"], row["unanswered"]) == (5, 4, 1)
    assert row["answers"] == 20 and row["median_response_s"] == 279

    qs = _rows(rep, "questions")
    assert [(q["question"], q["numbering"], q["author"]) for q in qs] == [
        ("Q1", "explicit", "EverydayAbleism"),
        ("Q2", "inferred", "EverydayAbleism"),
        ("Q3", "inferred", "EverydayAbleism"),
        ("Q4", "inferred", "EverydayAbleism"),
        ("P1", "none", "abcdiagnosis"),
    ]
    assert qs[0]["text"].startswith("First question - how did friends / family react")
    assert qs[3]["text"].startswith("Last qu (as I think everyone is watching the football!)")
    assert [q["time"][11:19] for q in qs] == [
        "21:01:17",
        "21:24:26",
        "21:27:13",
        "21:42:36",
        "21:30:24",
    ]
    assert [q["answers"] for q in qs] == [10, 2, 3, 5, 0]
    assert [q["first_answer_s"] for q in qs] == [456, 54, 145, 413, None]
    assert [u["question"] for u in _rows(rep, "unanswered")] == ["P1"]

    people = [(p["handle"], p["role"], p["posts"]) for p in _rows(rep, "participants")]
    assert people == [
        ("abcdiagnosis", "participant", 32),
        ("EverydayAbleism", "host", 23),
        ("debecca", "host", 8),
        ("SciPhiKat", "participant", 7),
        ("lgbtqageing", "participant", 1),
        ("netminnow", "participant", 1),
        ("NicsVoice", "participant", 1),
    ]

    tr = _rows(rep, "transcript")
    assert len(tr) == 73
    assert tr[0]["author"] == "EverydayAbleism" and tr[0]["text"].startswith(
        "Welcome to #cancerchat"
    )
    assert tr[0]["time"].startswith("2014-06-19T21:00:02")
    assert tr[-1]["time"].startswith("2014-06-19T21:58:43")
    assert sum(r["kind"] == "RT" for r in tr) == 40
    md = write_transcript(rep, tmp_path / "cancerchat.md").read_text()
    assert "73 posts by 7 participants; 5 questions, 4 answered. 40 reposts not shown." in md
    assert "**21:01:17** @EverydayAbleism **[Q1]**: First question" in md


def test_quarter_counts_equal_the_database_grouping(store: Store) -> None:
    """The quarter-hour counts of the one read of the tag (SQLite hands seconds, Python
    makes quarters) equal the database's own grouping of the same posts."""
    from radsocial.analytics import tweetchat as tc
    from radsocial.store.queries import where
    from radsocial.store.schema import posts

    import_paths(store, [str(CANCERCHAT)])
    sel = Selection(hashtags=("cancerchat",))
    with store.engine.connect() as conn:
        col = posts.c.created_at
        if conn.dialect.name == "postgresql":
            quarter = sa.func.floor(sa.extract("epoch", col) / 900)
        else:  # whole seconds since 1970 (every post here is later), integer division
            seconds = sa.cast(sa.func.strftime("%s", sa.func.substr(col, 1, 19)), sa.Integer)
            quarter = seconds // 900
        sub = sa.select(quarter.label("q")).where(*where(conn, sel)).subquery()
        grouped = sa.select(sub.c.q, sa.func.count()).group_by(sub.c.q)
        expected = {int(k): int(n) for k, n in conn.execute(grouped)}
        assert tc._read_tag(conn, sel).counts() == expected
        assert sum(expected.values()) > 100
