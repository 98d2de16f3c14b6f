"""Delivery: configuration and secrets, SMTP (plain, STARTTLS, implicit TLS) and webhooks,
each against a real server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from radsocial.alerts.check import Fired
from radsocial.alerts.config import (
    ConfigError,
    DeliveryConfig,
    load_config,
    parse_smtp_url,
    redact_url,
    scrub,
    webhook_env_name,
)
from radsocial.alerts.deliver import (
    DeliveryError,
    alert_email,
    build_email,
    deliver,
    post_webhook,
    send_email,
    slack_payload,
)
from tests.alerts import SmtpServer, WebhookServer, make_certificate

PASSWORD = "s3cret-smtp-pass"
TOKEN = "tok3nSecretValue"
EVIL = "<script>alert(1)</script> <!channel> <https://evil.example|click> & more"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as s:
        yield s


@pytest.fixture
def hook() -> Iterator[WebhookServer]:
    with WebhookServer() as w:
        yield w


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    made = make_certificate(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    return made


def fired(**kw: object) -> Fired:
    base: dict[str, object] = {
        "event_id": 7,
        "rule_id": 3,
        "rule": "gadolinium",
        "kind": "keyword",
        "fired_at": datetime(2024, 5, 2, 9, 0, tzinfo=UTC),
        "reason": "2 new posts match gadolinium <b>",
        "details": {
            "rule": "keyword gadolinium (≥ 1 new posts)",
            "posts": [
                {
                    "id": 1,
                    "platform": "x",
                    "author": "alice",
                    "created_at": "2024-05-02T08:10:00+00:00",
                    "text": EVIL,
                    "url": "javascript:alert(1)",
                },
                {
                    "id": 2,
                    "platform": "x",
                    "author": "bob",
                    "created_at": "2024-05-02T08:20:00+00:00",
                    "text": "gadolinium retention, new paper",
                    "url": "https://x.com/bob/status/2",
                },
            ],
        },
        "channels": [],
    }
    base.update(kw)
    return Fired(**base)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- config


def test_smtp_urls() -> None:
    s = parse_smtp_url("smtps://alerts%40example.org:p%40ss@mail.example.org")
    assert (s.host, s.port, s.security) == ("mail.example.org", 465, "ssl")
    assert (s.username, s.password, s.sender) == (
        "alerts@example.org",
        "p@ss",
        "alerts@example.org",
    )
    s = parse_smtp_url("smtp+starttls://u:pw@mail.example.org?from=news@example.org&timeout=5")
    assert (s.port, s.security, s.sender, s.timeout) == (587, "starttls", "news@example.org", 5.0)
    assert parse_smtp_url("smtp://127.0.0.1:2525").security == "none"
    # The password stays out of repr and describe().
    s = parse_smtp_url("smtps://user:hunter2hunter2@mail.example.org:2465")
    assert "hunter2" not in repr(s) and "hunter2" not in s.describe()
    assert s.describe() == "smtps://user@mail.example.org:2465"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "must start with"),
        ("smtp://user:pw@mail.example.org", "refusing to send the SMTP password unencrypted"),
        ("smtps://", "names no host"),
        ("smtps://mail.example.org?port=1", "unknown SMTP URL parameter"),
    ],
)
def test_bad_smtp_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_smtp_url(url)
    assert "pw" not in str(info.value).replace("pw@", "")  # no password in the message


def test_config_file_and_environment(tmp_path: Path) -> None:
    cfg_file = tmp_path / "config.toml"
    cfg_file.write_text(
        "[smtp]\n"
        'url = "smtps://alerts@mail.example.org"\n'
        f'password = "{PASSWORD}"\n'
        'from = "radsocial <alerts@example.org>"\n'
        "[webhooks]\n"
        f'imaging-slack = "https://hooks.slack.com/services/T1/B2/{TOKEN}"\n'
        "[delivery]\nretries = 1\nbackoff = 0.5\n",
        encoding="utf-8",
    )
    cfg_file.chmod(0o600)
    cfg = load_config(env={"RADSOCIAL_CONFIG": str(cfg_file)})
    assert cfg.smtp is not None and cfg.smtp.password == PASSWORD
    assert cfg.webhook_url("imaging-slack").endswith(TOKEN)
    assert (cfg.webhook_retries, cfg.webhook_backoff) == (1, 0.5)
    assert PASSWORD not in repr(cfg) and TOKEN not in repr(cfg)
    assert PASSWORD in cfg.secrets() and any(TOKEN in s for s in cfg.secrets())
    # The environment wins over the file.
    env = {
        "RADSOCIAL_CONFIG": str(cfg_file),
        "RADSOCIAL_SMTP_URL": "smtp+starttls://other:envpass99@smtp.example.net",
        webhook_env_name("imaging-slack"): "https://hooks.slack.com/services/T9/B9/envtoken",
    }
    cfg = load_config(env=env)
    assert cfg.smtp is not None and cfg.smtp.host == "smtp.example.net"
    assert cfg.smtp.password == PASSWORD  # the file's password when the URL's is overridden
    assert cfg.webhook_url("imaging-slack").endswith("envtoken")
    assert webhook_env_name("imaging-slack") == "RADSOCIAL_WEBHOOK_IMAGING_SLACK"


def test_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[smtp]\nurl = "smtps://h"\npasword = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.toml")
    http = tmp_path / "http.toml"
    http.write_text(
        f'[webhooks]\nteam = "http://chat.example.org/hooks/{TOKEN}"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="clear text") as info:
        load_config(http)
    assert TOKEN not in str(info.value)
    cfg = load_config(env={"RADSOCIAL_CONFIG": str(tmp_path / "none.toml")})
    with pytest.raises(ConfigError, match="RADSOCIAL_WEBHOOK_TEAM"):
        cfg.webhook_url("team")
    with pytest.raises(ConfigError, match="RADSOCIAL_SMTP_URL"):
        cfg.require_smtp()


def test_world_readable_config_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    f = tmp_path / "config.toml"
    f.write_text(f'[smtp]\nurl = "smtps://u@h"\npassword = "{PASSWORD}"\n', encoding="utf-8")
    f.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        load_config(f)
    assert "chmod 600" in caplog.text and PASSWORD not in caplog.text


def test_redact_and_scrub() -> None:
    url = f"https://hooks.slack.com/services/T1/B2/{TOKEN}?x=1"
    assert redact_url(url) == "https://hooks.slack.com/…"
    assert redact_url("https://user:pw@host.example:8443/") == "https://…@host.example:8443"
    assert TOKEN not in scrub(f"error posting to {url}", [url, TOKEN])
    assert scrub("a b c", ["a"]) == "a b c"  # too short to be a secret worth masking


# ---------------------------------------------------------------------------- SMTP


def _smtp_url(port: int, scheme: str = "smtp", password: str = PASSWORD) -> str:
    return f"{scheme}://alerts%40example.org:{password}@127.0.0.1:{port}"


def test_email_arrives_with_both_parts(smtp: SmtpServer) -> None:
    settings = parse_smtp_url(_smtp_url(smtp.port))
    send_email(alert_email(fired(), ["editor@example.org"], settings.sender), settings)
    (got,) = smtp.messages
    assert got.recipients == ["editor@example.org"] and got.user == "alerts@example.org"
    msg = got.message
    assert msg.get_content_type() == "multipart/alternative"
    parts = got.parts()
    assert "text/plain" in parts and "text/html" in parts
    assert "gadolinium retention" in parts["text/plain"]
    html = parts["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html
    assert 'href="https://x.com/bob/status/2"' in html
    assert "\n" not in msg["Subject"] and "gadolinium" in msg["Subject"]


def test_wrong_password_is_an_error_without_the_password(smtp: SmtpServer) -> None:
    settings = parse_smtp_url(_smtp_url(smtp.port, password="wrong-password-123"))
    with pytest.raises(DeliveryError, match="SMTPAuthenticationError") as info:
        send_email(
            build_email(
                subject="s", text="t", html_body="<p>t</p>", to=["a@b.org"], sender="x@y.org"
            ),
            settings,
        )
    assert "wrong-password-123" not in str(info.value)
    assert not smtp.messages


def test_starttls_required_but_not_offered(smtp: SmtpServer) -> None:
    settings = parse_smtp_url(_smtp_url(smtp.port, scheme="smtp+starttls"))
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_email(
            build_email(
                subject="s", text="t", html_body="<p>t</p>", to=["a@b.org"], sender="x@y.org"
            ),
            settings,
        )
    assert not smtp.messages
    # The password was never sent in clear text.
    assert PASSWORD.encode() not in smtp.transcript


def test_starttls(cert: tuple[Path, Path]) -> None:
    with SmtpServer(cert=cert, starttls=True) as s:
        settings = parse_smtp_url(_smtp_url(s.port, scheme="smtp+starttls") + f"?cafile={cert[0]}")
        send_email(alert_email(fired(), ["editor@example.org"], settings.sender), settings)
        (got,) = s.messages
        assert got.tls and got.user == "alerts@example.org"


def test_implicit_tls(cert: tuple[Path, Path]) -> None:
    with SmtpServer(cert=cert, implicit_tls=True) as s:
        settings = parse_smtp_url(_smtp_url(s.port, scheme="smtps") + f"?cafile={cert[0]}")
        send_email(alert_email(fired(), ["editor@example.org"], settings.sender), settings)
        assert s.messages[0].tls


def test_untrusted_certificate_fails(cert: tuple[Path, Path]) -> None:
    with SmtpServer(cert=cert, implicit_tls=True) as s:
        settings = parse_smtp_url(_smtp_url(s.port, scheme="smtps"))  # no cafile
        with pytest.raises(DeliveryError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            send_email(
                build_email(
                    subject="s", text="t", html_body="<p>t</p>", to=["a@b.org"], sender="x@y.org"
                ),
                settings,
            )
        assert not s.messages


# ---------------------------------------------------------------------------- webhooks


def test_webhook_retries_429_then_succeeds(hook: WebhookServer) -> None:
    hook.answer((429, {"Retry-After": "3"}), 200)
    waits: list[float] = []
    res = post_webhook(hook.url(), {"text": "hi"}, retries=3, backoff=0.01, sleep=waits.append)
    assert (res.status, res.attempts) == (200, 2)
    assert waits == [3.0]  # Retry-After obeyed
    assert len(hook.hits) == 2 and hook.hits[1].json() == {"text": "hi"}
    assert hook.hits[0].headers["Content-Type"] == "application/json"


def test_webhook_gives_up_without_leaking_the_token(hook: WebhookServer) -> None:
    hook.answer(500, 502, 503, 500)
    waits: list[float] = []
    with pytest.raises(DeliveryError) as info:
        post_webhook(hook.url(), {"text": "hi"}, retries=2, backoff=0.5, sleep=waits.append)
    assert info.value.attempts == 3 and len(hook.hits) == 3
    assert waits == [0.5, 1.0]  # exponential backoff
    assert TOKEN not in str(info.value) and "HTTP 503" in str(info.value)


def test_webhook_client_errors_are_not_retried(hook: WebhookServer) -> None:
    hook.answer(404)
    with pytest.raises(DeliveryError, match="HTTP 404"):
        post_webhook(hook.url(), {"text": "x"}, retries=3, sleep=lambda s: None)
    assert len(hook.hits) == 1


def test_webhook_redirects_are_not_followed(hook: WebhookServer) -> None:
    hook.answer((307, {"Location": f"http://127.0.0.1:{hook.port}/elsewhere"}))
    with pytest.raises(DeliveryError, match="HTTP 307"):
        post_webhook(hook.url(), {"text": "x"}, retries=0)
    assert [h.path for h in hook.hits] == ["/services/T0001/B0002/tok3nSecretValue"]


def test_webhook_unreachable() -> None:
    with WebhookServer() as w:
        url = w.url()
    with pytest.raises(DeliveryError, match="cannot reach") as info:
        post_webhook(url, {"text": "x"}, retries=1, backoff=0, sleep=lambda s: None)
    assert info.value.attempts == 2 and TOKEN not in str(info.value)


def test_slack_payload_is_slack_compatible_and_inert() -> None:
    payload = slack_payload(fired())
    json.dumps(payload)  # serialisable
    assert isinstance(payload["text"], str) and isinstance(payload["blocks"], list)
    assert len(payload["blocks"]) <= 50
    for block in payload["blocks"]:
        assert block["type"] in {"header", "section", "context", "divider"}
        texts = [block["text"]] if "text" in block else block["elements"]
        for t in texts:
            assert t["type"] in {"plain_text", "mrkdwn"}
            limit = 150 if block["type"] == "header" else 3000
            assert len(t["text"]) <= limit
            if t["type"] == "mrkdwn":
                # Only our own link syntax may open an angle bracket in mrkdwn.
                stripped = t["text"].replace("<https://x.com/bob/status/2|open the post>", "")
                assert "<" not in stripped and ">" not in stripped
    assert "&lt;b&gt;" in payload["text"]  # the fallback text is escaped too
    plain = [
        b["text"]["text"]
        for b in payload["blocks"]
        if b.get("text", {}).get("type") == "plain_text"
    ]
    assert any(EVIL in t for t in plain)  # post text travels as inert plain text
    assert "javascript:" not in json.dumps(payload)


def test_deliver_records_each_channel(smtp: SmtpServer, hook: WebhookServer) -> None:
    hook.answer(500, 500)
    cfg = DeliveryConfig(
        smtp=parse_smtp_url(_smtp_url(smtp.port)),
        webhooks={"team": hook.url()},
        webhook_retries=1,
        webhook_backoff=0,
    )
    f = fired(
        channels=[
            {"type": "email", "to": ["editor@example.org"]},
            {"type": "webhook", "name": "team"},
            {"type": "webhook", "name": "missing"},
        ]
    )
    records = deliver(f, cfg, sleep=lambda s: None)
    email, team, missing = records
    assert email["status"] == "sent" and email["via"].startswith("smtp://alerts@example.org@")
    assert team["status"] == "failed" and team["attempts"] == 2 and "HTTP 500" in team["error"]
    assert missing["status"] == "failed" and "RADSOCIAL_WEBHOOK_MISSING" in missing["error"]
    text = json.dumps(records)
    assert TOKEN not in text and PASSWORD not in text
    assert len(smtp.messages) == 1
