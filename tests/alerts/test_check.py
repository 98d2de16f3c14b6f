"""Checking rules: each kind fires exactly when it should, once, with its reasons logged;
delivery through real loopback servers; secrets nowhere. Plus the spike test itself."""

from __future__ import annotations

import json
import logging
import math
import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from radsocial.alerts import RuleError, add_rule, check_rules, event_log
from radsocial.alerts.check import hourly_counts, net_sentiment
from radsocial.alerts.config import DeliveryConfig, parse_smtp_url
from radsocial.alerts.spike import spike_test
from radsocial.commands_alerts import alerts
from radsocial.store import Store
from radsocial.store.schema import alert_rules
from tests.alerts import (
    SmtpServer,
    WebhookServer,
    dump_database,
    label_posts,
    make_post,
    write,
)

NOW = datetime(2024, 5, 10, 12, 30, tzinfo=UTC)  # windows end at 12:00
END = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
PASSWORD = "s3cret-smtp-pass"
TOKEN = "tok3nSecretValue"


# ---------------------------------------------------------------------------- spike_test


def test_spike_test_by_hand() -> None:
    base = [0, 1] * 84  # mean 0.5, sample SD 0.5015
    res = spike_test(base + [2] * 24, 2)
    assert res.is_spike
    assert res.baseline_hours == 168 and res.window_hours == 24
    assert res.baseline_mean == 0.5 and res.window_mean == 2.0 and res.window_posts == 48
    assert math.isclose(res.baseline_sd, statistics.stdev(base))
    assert math.isclose(res.threshold, 0.5 + 2 * statistics.stdev(base))
    assert res.ratio == 4.0 and res.reason.startswith("spike:")
    quiet = spike_test(base + [1] * 24, 2)
    assert not quiet.is_spike and quiet.reason.startswith("not a spike")


def test_spike_test_edges() -> None:
    flat = spike_test([3] * 192, 0)
    assert not flat.is_spike  # strictly above: equal to the threshold is not a spike
    silent = spike_test([0] * 168 + [0] * 23 + [1], 2)
    assert silent.is_spike and silent.ratio is None  # any post after a silent week…
    assert not spike_test([0] * 168 + [0] * 23 + [1], 2, min_posts=10).is_spike  # …unless floored
    assert "only 1 posts" in spike_test([0] * 191 + [1], 2, min_posts=10).reason
    peak = spike_test([0] * 168 + [1, 5, 5, 2] + [0] * 20, 2)
    assert (peak.peak_hour, peak.peak_posts) == (1, 5)  # first busiest hour
    assert spike_test([0, 0, 0, 9], 1, window=1).is_spike
    for bad, kw in [([1] * 25, {}), ([-1] * 192, {}), ([1] * 192, {"window": 0})]:
        with pytest.raises(ValueError):
            spike_test(bad, 2, **kw)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be"):
        spike_test([1] * 192, -1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=26, max_size=60),
    st.floats(0, 5, allow_nan=False),
    st.integers(1, 24),
    st.integers(0, 40),
)
def test_spike_test_matches_the_definition(
    counts: list[int], k: float, window: int, floor: int
) -> None:
    if len(counts) - window < 2:
        return
    res = spike_test(counts, k, window=window, min_posts=floor)
    base, win = counts[:-window], counts[-window:]
    expected = (
        statistics.fmean(win) > statistics.fmean(base) + k * statistics.stdev(base)
        and sum(win) >= floor
    )
    # Equal up to floating-point ties at the threshold.
    if not math.isclose(statistics.fmean(win), res.threshold, abs_tol=1e-9):
        assert res.is_spike == expected
    if res.is_spike:
        # Monotone: a smaller k, or a busier window, is still a spike.
        assert spike_test(counts, k / 2, window=window, min_posts=floor).is_spike
        assert spike_test(
            [*counts[:-1], counts[-1] + 5], k, window=window, min_posts=floor
        ).is_spike


def test_net_sentiment() -> None:
    assert net_sentiment({"positive": 3, "neutral": 1, "negative": 1}) == 40.0
    assert net_sentiment({"positive": 0, "neutral": 0, "negative": 0}) is None


# ---------------------------------------------------------------------------- keyword / account


def test_keyword_rule_fires_once_per_new_post(store: Store) -> None:
    write(store, [make_post("0", "gadolinium, before the rule existed", NOW)])
    add_rule(store, "gado", "keyword", {"terms": ["gadolinium"]})
    assert check_rules(store, now=NOW) == []  # history is not reported
    write(
        store,
        [
            make_post("1", "New paper on gadolinium retention", NOW),
            make_post("2", "CT protocol of the day", NOW),
        ],
    )
    (f,) = check_rules(store, now=NOW)
    assert f.rule == "gado" and f.reason == "1 new post match gadolinium"
    assert [p["platform_id"] for p in f.details["posts"]] == ["1"]
    assert check_rules(store, now=NOW) == []  # not twice
    write(store, [make_post("3", "CT again", NOW)])
    assert check_rules(store, now=NOW) == []  # new posts, none matching
    write(
        store,
        [make_post("4", "gadolinium deposition", NOW), make_post("5", "GADOLINIUM!", NOW)],
    )
    (f,) = check_rules(store, now=NOW)
    assert f.details["posts_matched"] == 2
    log = event_log(store, rule="gado")
    assert [e["reason"] for e in log] == [
        "2 new posts match gadolinium",
        "1 new post match gadolinium",
    ]
    assert log[0]["details"]["posts"][0]["text"] in ("gadolinium deposition", "GADOLINIUM!")


def test_keyword_min_posts_accumulates_across_imports(store: Store) -> None:
    add_rule(store, "contrast", "keyword", {"terms": ["contrast agent"], "min_posts": 3})
    write(store, [make_post(str(i), f"contrast agent shortage {i}", NOW) for i in (1, 2)])
    assert check_rules(store, now=NOW) == []  # 2 of 3
    write(store, [make_post("3", "no match here", NOW)])
    assert check_rules(store, now=NOW) == []
    write(store, [make_post("4", "contrast agent shortage again", NOW)])
    (f,) = check_rules(store, now=NOW)
    assert f.details["posts_matched"] == 3 and "(threshold 3)" in f.reason
    assert check_rules(store, now=NOW) == []


def test_keyword_rule_with_hashtags(store: Store) -> None:
    add_rule(store, "mri-rad", "keyword", {"terms": ["MRI"], "hashtags": ["#Radiology"]})
    write(store, [make_post("1", "MRI today", NOW)])
    assert check_rules(store, now=NOW) == []
    write(store, [make_post("2", "MRI today #Radiology", NOW, hashtags=["Radiology"])])
    (f,) = check_rules(store, now=NOW)
    assert f.reason == "1 new post match MRI in #radiology"


def test_account_rule(store: Store) -> None:
    add_rule(store, "rsna", "account", {"handles": ["@RSNA"], "mentions": True})
    add_rule(store, "acr", "account", {"handles": ["acrvoice"]})
    write(store, [make_post("1", "Annual meeting opens", NOW, handle="RSNA")])
    (f,) = check_rules(store, now=NOW)
    assert f.rule == "rsna" and f.details["by_handle"] == {"rsna": 1}
    write(store, [make_post("2", "See you at @RSNA", NOW, handle="bob", mentions=["RSNA"])])
    (f,) = check_rules(store, now=NOW)
    assert f.rule == "rsna" and f.reason == "1 new post by or mentioning @rsna"
    write(store, [make_post("3", "unrelated", NOW, handle="bob")])
    assert check_rules(store, now=NOW) == []


# ---------------------------------------------------------------------------- spike


def _spike_history(store: Store, window_posts: int) -> None:
    """A week with one #rsna24 post every 4 hours, then `window_posts` in the last 24 h."""
    start = END - timedelta(hours=192)
    base = [
        make_post(
            f"b{h}", "#RSNA24 routine", start + timedelta(hours=h, minutes=5), hashtags=["RSNA24"]
        )
        for h in range(0, 168, 4)
    ]
    win = [
        make_post(
            f"w{i}",
            f"#RSNA24 live from Chicago {i}",
            END - timedelta(hours=1 + i % 6) + timedelta(minutes=i),
            hashtags=["RSNA24"],
            handle=f"user{i % 4}",
            reposts=500 if i == 5 else i,
        )
        for i in range(window_posts)
    ]
    write(store, base + win)


def test_hourly_counts(store: Store) -> None:
    _spike_history(store, 12)
    with store.engine.connect() as conn:
        counts = hourly_counts(conn, [], END - timedelta(hours=192), 192)
    assert sum(counts) == 42 + 12 and counts[0] == 1 and counts[1] == 0
    assert counts[-1] == 2 and sum(counts[-6:]) == 12


def test_spike_rule_fires_once_and_names_the_posts(store: Store) -> None:
    _spike_history(store, 40)
    add_rule(store, "rsna spike", "spike", {"hashtags": ["rsna24"]})
    (f,) = check_rules(store, now=NOW)
    assert f.kind == "spike" and f.reason.startswith("spike in #rsna24: 40 posts in the 24 h to")
    d = f.details
    assert d["window_end"] == END.isoformat()
    assert d["test"]["baseline_posts"] == 42 and d["test"]["is_spike"]
    assert len(d["hourly"]) == 24 and sum(d["hourly"]) == 40
    assert d["posts"][0]["platform_id"] == "w5"  # the most reposted post made it
    assert check_rules(store, now=NOW) == []  # same window
    assert check_rules(store, now=NOW + timedelta(hours=3)) == []  # overlapping window
    (logged,) = event_log(store)
    assert logged["reason"] == f.reason and logged["details"]["test"]["k"] == 2.0


def test_spike_rule_does_not_fire_on_a_normal_day(store: Store) -> None:
    _spike_history(store, 10)  # 0.42/h against a threshold of about 1.1/h
    add_rule(store, "rsna spike", "spike", {"hashtags": ["rsna24"], "min_posts": 0})
    add_rule(store, "other tag", "spike", {"hashtags": ["ecr2024"]})
    assert check_rules(store, now=NOW) == []


def test_spike_min_posts_floor(store: Store) -> None:
    write(
        store,
        [
            make_post(f"p{i}", "#quiet", END - timedelta(hours=2), hashtags=["quiet"])
            for i in range(5)
        ],
    )
    add_rule(store, "floored", "spike", {"hashtags": ["quiet"]})  # min_posts 10
    add_rule(store, "unfloored", "spike", {"hashtags": ["quiet"], "min_posts": 1})
    assert [f.rule for f in check_rules(store, now=NOW)] == ["unfloored"]


# ---------------------------------------------------------------------------- sentiment


def _sentiment_history(store: Store) -> None:
    before = [make_post(f"a{i}", f"good day {i}", END - timedelta(hours=30)) for i in range(20)]
    during = [
        make_post(f"c{i}", f"bad day {i}", END - timedelta(hours=3), reposts=i) for i in range(20)
    ]
    write(store, before + during)
    labels = {f"a{i}": "positive" for i in range(14)}
    labels |= {f"a{i}": "neutral" for i in range(14, 18)} | {"a18": "negative", "a19": "negative"}
    labels |= {f"c{i}": "positive" for i in range(4)}
    labels |= {f"c{i}": "neutral" for i in range(4, 8)}
    labels |= {f"c{i}": "negative" for i in range(8, 20)}
    label_posts(store, "sentiment", labels)


def test_sentiment_drop_fires_once(store: Store) -> None:
    _sentiment_history(store)
    add_rule(store, "mood", "sentiment_drop", {"drop": 50, "min_posts": 10})
    add_rule(store, "mood, big sample", "sentiment_drop", {"drop": 50, "min_posts": 30})
    add_rule(store, "mood, huge drop", "sentiment_drop", {"drop": 150, "min_posts": 10})
    (f,) = check_rules(store, now=NOW)
    assert f.rule == "mood"
    d = f.details
    assert (d["net_sentiment_before"], d["net_sentiment"], d["drop"]) == (60.0, -40.0, 100.0)
    assert d["counts"] == {"positive": 4, "neutral": 4, "negative": 12}
    assert "fell 100.0 points" in f.reason
    # The posts named are the negative ones, most reposted first.
    assert d["posts"][0]["platform_id"] == "c19"
    assert all(p["platform_id"] in {f"c{i}" for i in range(8, 20)} for p in d["posts"])
    assert check_rules(store, now=NOW) == []


def test_sentiment_without_labels_does_not_fire(store: Store) -> None:
    write(store, [make_post(f"x{i}", "text", END - timedelta(hours=2)) for i in range(30)])
    add_rule(store, "mood", "sentiment_drop", {"min_posts": 1})
    assert check_rules(store, now=NOW) == []


# ---------------------------------------------------------------------------- robustness


def test_a_broken_rule_does_not_stop_the_others(store: Store) -> None:
    add_rule(store, "good", "keyword", {"terms": ["mri"]})
    with store.writer() as conn, conn.begin():
        conn.execute(
            alert_rules.insert().values(
                name="broken",
                kind="keyword",
                params={"terms": None},
                channels=[],
                enabled=True,
                created_at=NOW,
                last_checked_post_id=0,
            )
        )
    write(store, [make_post("1", "mri day", NOW)])
    errors: list[str] = []
    fired = check_rules(store, now=NOW, on_error=lambda r, e: errors.append(r.name))
    assert [f.rule for f in fired] == ["good"] and errors == ["broken"]
    assert [f.rule for f in check_rules(store, now=NOW, rules=["good"])] == []
    with pytest.raises(RuleError, match="no alert rule 'missing'"):
        check_rules(store, now=NOW, rules=["missing"])


def test_disabled_rules_are_skipped(store: Store) -> None:
    from radsocial.alerts import set_enabled

    add_rule(store, "r", "keyword", {"terms": ["mri"]})
    set_enabled(store, "r", False)
    write(store, [make_post("1", "mri", NOW)])
    assert check_rules(store, now=NOW) == []
    set_enabled(store, "r", True)
    assert len(check_rules(store, now=NOW)) == 1  # what came in meanwhile


# ---------------------------------------------------------------------------- delivery & secrets


@pytest.fixture
def servers() -> Iterator[tuple[SmtpServer, WebhookServer]]:
    with SmtpServer() as smtp, WebhookServer() as hook:
        yield smtp, hook


def test_firing_is_delivered_and_logged(
    store: Store, servers: tuple[SmtpServer, WebhookServer]
) -> None:
    smtp, hook = servers
    add_rule(
        store,
        "gado",
        "keyword",
        {"terms": ["gadolinium"]},
        [{"type": "email", "to": ["editor@example.org"]}, {"type": "webhook", "name": "team"}],
    )
    evil = "gadolinium <script>alert(1)</script> <!channel>"
    write(store, [make_post("1", evil, NOW, url="javascript:alert(1)")])
    hook.answer(429, 200)
    cfg = DeliveryConfig(
        smtp=parse_smtp_url(f"smtp://alerts%40example.org:{PASSWORD}@127.0.0.1:{smtp.port}"),
        webhooks={"team": hook.url()},
        webhook_backoff=0,
    )
    (f,) = check_rules(store, now=NOW, config=cfg)
    assert [d["status"] for d in f.deliveries] == ["sent", "sent"]
    assert f.deliveries[1]["attempts"] == 2  # 429, then 200
    (mail,) = smtp.messages
    parts = mail.parts()
    assert set(parts) == {"text/plain", "text/html"}
    assert "<script>" not in parts["text/html"] and "javascript:" not in parts["text/html"]
    payload = hook.hits[-1].json()
    assert payload["text"].startswith("radsocial alert: gado") and payload["blocks"]
    mrkdwn = [
        t["text"]
        for b in payload["blocks"]
        for t in ([b["text"]] if "text" in b else b["elements"])
        if t["type"] == "mrkdwn"
    ]
    assert mrkdwn and not any("<!channel>" in t or "<script>" in t for t in mrkdwn)
    (logged,) = event_log(store)
    assert [d["status"] for d in logged["deliveries"]] == ["sent", "sent"]
    assert logged["deliveries"][1]["via"] == f"http://127.0.0.1:{hook.port}/…"


def test_secrets_never_reach_the_log_the_database_or_the_output(
    store: Store,
    servers: tuple[SmtpServer, WebhookServer],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    smtp, hook = servers
    hook.answer(*([500] * 10))
    config = tmp_path / "config.toml"
    config.write_text("[delivery]\nretries = 1\nbackoff = 0.01\n", encoding="utf-8")
    monkeypatch.setenv("RADSOCIAL_CONFIG", str(config))
    monkeypatch.setenv(
        "RADSOCIAL_SMTP_URL", f"smtp://alerts%40example.org:{PASSWORD}x@127.0.0.1:{smtp.port}"
    )
    monkeypatch.setenv("RADSOCIAL_WEBHOOK_TEAM", hook.url())
    runner = CliRunner()
    db = store.url
    r = runner.invoke(
        alerts,
        [
            "add",
            "keyword",
            "gado",
            "--term",
            "gadolinium",
            "--email",
            "e@example.org",
            "--webhook",
            "team",
            "--db",
            db,
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        alerts, ["add", "keyword", "leak", "--term", "x", "--webhook", hook.url(), "--db", db]
    )
    assert r.exit_code != 0 and "never stored in the database" in r.output
    write(store, [make_post("1", "gadolinium", NOW)])
    with caplog.at_level(logging.DEBUG):
        r = runner.invoke(alerts, ["check", "--at", NOW.isoformat(), "--db", db])
    assert r.exit_code == 0, r.output
    assert "gado: 1 new post match gadolinium" in r.stdout
    assert "email e@example.org: failed" in r.stdout  # wrong password (PASSWORD + "x")
    assert "webhook team: failed" in r.stdout and "HTTP 500" in r.stdout
    outputs = [r.output]
    for cmd in (["log"], ["log", "--json", "--details"], ["list"], ["list", "--json"]):
        res = runner.invoke(alerts, [*cmd, "--db", db])
        assert res.exit_code == 0, res.output
        outputs.append(res.output)
    res = runner.invoke(alerts, ["test-delivery", "--webhook", "team", "--db", db])
    assert res.exit_code == 1 and "failed" in res.output
    outputs.append(res.output)
    for secret in (PASSWORD, TOKEN, hook.url()):
        assert secret not in dump_database(store)
        assert secret not in caplog.text
        for out in outputs:
            assert secret not in out


def test_cli_round_trip(store: Store) -> None:
    runner = CliRunner()
    db = store.url
    r = runner.invoke(
        alerts,
        ["add", "spike", "rsna", "--hashtag", "RSNA24", "--k", "2.5", "--db", db],
    )
    assert r.exit_code == 0, r.output
    assert "Added alert rule 'rsna'" in r.stderr
    r = runner.invoke(alerts, ["add", "sentiment-drop", "mood", "--window", "2d", "--db", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(alerts, ["add", "account", "x", "--handle", "bad handle", "--db", db])
    assert r.exit_code == 2 and "is not an account handle" in r.output
    r = runner.invoke(alerts, ["list", "--json", "--db", db])
    rules = json.loads(r.stdout)
    assert [(x["name"], x["kind"]) for x in rules] == [
        ("rsna", "spike"),
        ("mood", "sentiment_drop"),
    ]
    assert rules[0]["params"]["k"] == 2.5 and rules[1]["params"]["window"] == 48
    _spike_history(store, 40)
    r = runner.invoke(alerts, ["check", "--at", NOW.isoformat(), "--json", "--db", db])
    assert r.exit_code == 0, r.output
    assert [x["rule"] for x in json.loads(r.stdout)] == ["rsna"]
    r = runner.invoke(alerts, ["check", "--at", NOW.isoformat(), "--db", db])
    assert "Nothing fired." in r.stderr
    r = runner.invoke(alerts, ["log", "--rule", "rsna", "--db", db])
    assert "spike in #rsna24" in r.stdout
    r = runner.invoke(alerts, ["remove", "rsna", "--db", db])
    assert r.exit_code == 0
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from alert_events")).scalar() == 0
