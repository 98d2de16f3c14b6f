"""The daily digest: its numbers on a hand-made week, time zones, escaping of untrusted
post text, the e-mail through a loopback SMTP server, and the CLI (both backends)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from radsocial.alerts import add_rule, check_rules
from radsocial.alerts.config import DeliveryConfig, parse_smtp_url
from radsocial.commands_alerts import digest_command
from radsocial.report.digest import day_bounds, digest, md_escape, safe_url, send_digest
from radsocial.store import Selection, Store
from tests.alerts import SmtpServer, label_account, make_post, write

DAY = date(2024, 5, 9)
D0 = datetime(2024, 5, 9, tzinfo=UTC)
NOW = datetime(2024, 5, 10, 8, 0, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"


def _week(store: Store) -> None:
    prev = D0 - timedelta(days=1)
    week = [
        make_post("d0", "Keynote slides #RSNA24", prev + timedelta(hours=9), hashtags=["RSNA24"]),
        make_post("p1", "Reading room", prev + timedelta(hours=15), handle="bob"),
        *[
            make_post(f"w{i}", "earlier", D0 - timedelta(days=i, hours=-10), handle="carol")
            for i in range(2, 7)
        ],
        make_post("old", "eight days ago", D0 - timedelta(days=8), handle="carol"),
    ]
    day = [
        make_post(
            "d1",
            f"AI in mammography {SCRIPT} #RSNA24 #AI",
            D0 + timedelta(hours=8),
            hashtags=["RSNA24", "AI"],
            likes=5,
            reposts=2,
            url="javascript:alert(1)",
        ),
        make_post(
            "d2",
            "Great keynote on photon-counting CT #RSNA24",
            D0 + timedelta(hours=10),
            handle="bob",
            hashtags=["RSNA24"],
            likes=100,
            reposts=50,
        ),
        make_post(
            "d3", "Foundation models #AI", D0 + timedelta(hours=11), handle="bob", hashtags=["AI"]
        ),
        *[
            make_post(
                f"r{i}",
                "RT @alice: Keynote slides #RSNA24",
                D0 + timedelta(hours=12 + i),
                handle=h,
                kind="repost",
                repost_of="d0",
                hashtags=["RSNA24"],
            )
            for i, h in enumerate(["carol", "dave", "erin"])
        ],
    ]
    write(store, week + day)


def test_digest_numbers(store: Store) -> None:
    _week(store)
    label_account(store, "id-bob", "radiologist")
    d = digest(store, now=NOW)
    assert d.day == DAY and (d.since, d.until) == (D0, D0 + timedelta(days=1))
    assert (d.posts, d.reposts, d.users) == (6, 3, 5)
    assert d.previous_day == 2 and d.week_average == 1.0
    assert d.change_vs_previous_day == 200.0 and d.change_vs_week == 500.0
    assert [(h["tag"], h["posts"], h["previous_day"]) for h in d.top_hashtags] == [
        ("rsna24", 5, 1),
        ("ai", 2, 0),
    ]
    # Most reposted first: d2 (50 in its metrics), then d0 (3 reposts seen that day).
    assert [p["platform_id"] for p in d.top_posts] == ["d2", "d0", "d1", "d3"]
    assert d.top_posts[1]["reposts_seen"] == 3
    assert [(a["handle"], a["posts"]) for a in d.top_accounts][:2] == [("bob", 2), ("alice", 1)]
    assert d.top_accounts[0]["stakeholder"] == "radiologist"
    assert d.stakeholders == [
        {"segment": "unlabelled", "posts": 4, "share": 66.7},
        {"segment": "radiologist", "posts": 2, "share": 33.3},
    ]
    assert d.spikes == []  # six posts are not a spike (minimum 10)
    json.dumps(d.to_json())  # JSON-ready
    # A selection narrows everything.
    ai = digest(store, day=DAY, sel=Selection(hashtags=("AI",)))
    assert (ai.posts, ai.previous_day) == (2, 0) and ai.change_vs_previous_day is None


def test_digest_escapes_untrusted_text(store: Store) -> None:
    _week(store)
    d = digest(store, day=DAY)
    page = d.to_html()
    assert SCRIPT not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in page
    assert "Content-Security-Policy" in page and "default-src &#x27;none&#x27;" not in page
    assert "default-src 'none'" in page
    assert page.startswith("<!DOCTYPE html>") and "http://" not in page.replace(
        "https://x.com", ""
    )  # self-contained: nothing fetched
    md = d.to_markdown()
    assert SCRIPT not in md and "&lt;script&gt;" in md and "javascript:" not in md
    assert "[open](<https://x.com/bob/status/d2>)" in md
    assert "javascript:" not in d.to_text()


def test_markdown_and_url_helpers() -> None:
    assert md_escape("a *b* [c](d) <i>\nnext") == r"a \*b\* \[c\](d) &lt;i&gt; next"
    assert safe_url("https://x.com/a/status/1") == "https://x.com/a/status/1"
    for bad in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "/relative",
        'https://a/"><x',
        None,
    ):
        assert safe_url(bad) is None


def test_time_zones() -> None:
    start, end = day_bounds(date(2024, 3, 10), "America/Chicago")  # DST starts
    assert end - start == timedelta(hours=23)
    assert start == datetime(2024, 3, 10, 6, tzinfo=UTC)
    with pytest.raises(ValueError, match="unknown time zone"):
        day_bounds(DAY, "Mars/Olympus")


def test_digest_in_a_time_zone(store: Store) -> None:
    late = datetime(2024, 5, 10, 3, 0, tzinfo=UTC)  # 22:00 on the 9th in Chicago
    write(store, [make_post("late", "late read", late)])
    assert digest(store, day=DAY, tz="UTC").posts == 0
    chicago = digest(store, day=DAY, tz="America/Chicago")
    assert chicago.posts == 1 and chicago.since == datetime(2024, 5, 9, 5, tzinfo=UTC)
    assert "22:00" in chicago.to_markdown()


def test_spikes_and_alerts_of_the_day(store: Store) -> None:
    week = [
        make_post(f"b{h}", "#ECR2024 prep", D0 - timedelta(hours=168 - h), hashtags=["ECR2024"])
        for h in range(0, 168, 6)
    ]
    burst = [
        make_post(
            f"s{i}",
            f"#ECR2024 opening {i}",
            D0 + timedelta(hours=9, minutes=i),
            hashtags=["ECR2024"],
            reposts=i,
        )
        for i in range(30)
    ]
    add_rule(store, "ecr", "keyword", {"terms": ["opening"], "hashtags": ["ecr2024"]})
    write(store, week + burst)
    check_rules(store, now=D0 + timedelta(hours=10), deliver=False)
    d = digest(store, day=DAY)
    assert [s["what"] for s in d.spikes] == ["all selected posts", "#ecr2024"]
    spike = d.spikes[1]
    assert spike["posts"] == 30 and spike["peak_posts"] == 30
    assert spike["peak_hour"].startswith("2024-05-09T09:00")
    assert spike["top_post"]["platform_id"] == "s29"
    assert [a["rule"] for a in d.alerts] == ["ecr"]
    assert "30 new posts match opening" in d.to_markdown()
    assert "#ecr2024" in d.to_html()


def test_empty_day_says_so(store: Store) -> None:
    d = digest(store, day=DAY)
    assert d.posts == 0 and "No post in the store for this day" in d.notes[0]
    assert "No post in the store" in d.to_html() and "No spike" in d.to_markdown()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as s:
        yield s


def test_digest_email_arrives_with_both_parts(store: Store, smtp: SmtpServer) -> None:
    _week(store)
    cfg = DeliveryConfig(
        smtp=parse_smtp_url(f"smtp://alerts%40example.org:s3cret-smtp-pass@127.0.0.1:{smtp.port}")
    )
    send_digest(digest(store, day=DAY), ["editor@example.org"], cfg)
    (mail,) = smtp.messages
    assert mail.recipients == ["editor@example.org"]
    assert mail.message["Subject"] == "radsocial digest 2024-05-09 (UTC): 6 posts"
    parts = mail.parts()
    assert set(parts) == {"text/plain", "text/html"}
    assert "Posts: 6" in parts["text/plain"]
    assert SCRIPT not in parts["text/html"] and "&lt;script&gt;" in parts["text/html"]


def test_cli_digest(
    store: Store, smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _week(store)
    runner = CliRunner()
    db = store.url
    html_file, md_file = tmp_path / "d.html", tmp_path / "d.md"
    r = runner.invoke(digest_command, ["--day", "2024-05-09", "-o", str(html_file), "--db", db])
    assert r.exit_code == 0, r.output
    assert "Wrote the digest of 2024-05-09 (UTC, 6 posts)" in r.stderr
    assert "&lt;script&gt;" in html_file.read_text(encoding="utf-8")
    r = runner.invoke(digest_command, ["--day", "2024-05-09", "-o", str(md_file), "--db", db])
    assert md_file.read_text(encoding="utf-8").startswith("# radsocial digest")
    r = runner.invoke(digest_command, ["--day", "2024-05-09", "--hashtag", "AI", "--db", db])
    assert r.exit_code == 0 and "| 2024-05-09 | 2 |" in r.stdout
    r = runner.invoke(digest_command, ["--day", "2024-05-09", "--tz", "Nowhere/Land", "--db", db])
    assert r.exit_code == 2 and "unknown time zone" in r.output
    r = runner.invoke(digest_command, ["--day", "yesterday", "--db", db])
    assert r.exit_code == 2 and "is not a date" in r.output
    r = runner.invoke(digest_command, ["--email", "a@b.org\r\nBcc: x@y.org", "--db", db])
    assert r.exit_code == 2 and "not an e-mail address" in r.output
    monkeypatch.setenv("RADSOCIAL_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv(
        "RADSOCIAL_SMTP_URL", f"smtp://alerts%40example.org:s3cret-smtp-pass@127.0.0.1:{smtp.port}"
    )
    r = runner.invoke(
        digest_command, ["--day", "2024-05-09", "--email", "ed@example.org", "--db", db]
    )
    assert r.exit_code == 0, r.output
    assert len(smtp.messages) == 1 and "s3cret-smtp-pass" not in r.output
