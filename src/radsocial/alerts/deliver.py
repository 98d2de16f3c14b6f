"""Delivering alerts and digests: SMTP e-mail and Slack-compatible webhooks.

Only the standard library is used (smtplib, urllib), so alerts work on a bare install.
What shapes this module:

- Post text is untrusted. In e-mail HTML it is escaped; in Slack it goes into
  `plain_text` blocks, which Slack never parses for mentions, links or formatting; the
  few `mrkdwn` strings escape `&`, `<` and `>` as Slack asks, so a post cannot ping
  `<!channel>` or smuggle a link.
- Secrets (the SMTP password, the webhook URL's path and query) never reach a log line,
  the database or the screen: delivery records name the webhook and the redacted URL,
  and every error message goes through `config.scrub` first.
- Webhook services rate-limit: 429 and 5xx answers (and network errors) are retried
  with exponential backoff, honouring `Retry-After` up to a cap; 4xx answers are not
  retried (the request itself is wrong and will stay wrong). Redirects are not
  followed, so a token-bearing request never goes to a host the user did not name.
"""

from __future__ import annotations

import html
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from radsocial import __version__
from radsocial.alerts.config import (
    ConfigError,
    DeliveryConfig,
    SmtpSettings,
    check_webhook_url,
    redact_url,
    scrub,
    url_secrets,
)
from radsocial.models import utcnow

if TYPE_CHECKING:
    from radsocial.alerts.check import Fired

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is capped, not obeyed
SLACK_TEXT_LIMIT = 3000  # characters in a section block
SLACK_HEADER_LIMIT = 150
SLACK_POSTS = 5  # posts quoted in a webhook message
USER_AGENT = f"radsocial/{__version__} (+alerts)"


class DeliveryError(Exception):
    """A message could not be delivered; the text is safe to show and store."""

    def __init__(self, message: str, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


# ---------------------------------------------------------------------------- e-mail


def send_email(msg: EmailMessage, smtp: SmtpSettings) -> None:
    """Send one message through the configured server (implicit TLS, STARTTLS or plain).

    STARTTLS is required when configured: a server that does not offer it is an error,
    not a reason to fall back to clear text. Raises DeliveryError with a scrubbed message.
    """
    if not msg["From"]:
        msg["From"] = smtp.sender
    context = ssl.create_default_context(cafile=smtp.cafile) if smtp.security != "none" else None
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            client.ehlo()
            if smtp.security == "starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        f"{smtp.describe()} does not offer STARTTLS; use smtps:// if it "
                        "speaks implicit TLS"
                    )
                client.starttls(context=context)
                client.ehlo()
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(msg)
    except DeliveryError:
        raise
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        secrets = [smtp.password or ""]
        raise DeliveryError(
            scrub(f"SMTP {smtp.describe()}: {type(exc).__name__}: {exc}", secrets)
        ) from None


def build_email(
    *, subject: str, text: str, html_body: str, to: Sequence[str], sender: str
) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML second (the preferred
    part goes last, RFC 2046), so every mail client shows one of them."""
    msg = EmailMessage()
    msg["Subject"] = _header(subject)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["X-Mailer"] = USER_AGENT
    msg.set_content(text)
    msg.add_alternative(html_body, subtype="html")
    return msg


def _header(value: str, limit: int = 200) -> str:
    """A header value without line breaks or control characters (no header injection)."""
    clean = "".join(c if c.isprintable() else " " for c in value)
    clean = " ".join(clean.split())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


# ---------------------------------------------------------------------------- webhooks


@dataclass(frozen=True, slots=True)
class WebhookResult:
    status: int
    attempts: int


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_webhook(
    url: str,
    payload: Mapping[str, Any],
    *,
    timeout: float = 10.0,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> WebhookResult:
    """POST `payload` as JSON; retry 429 / 5xx / network errors with backoff.

    Raises DeliveryError (without the URL's secret parts) when every attempt failed
    or the service refused the request.
    """
    check_webhook_url(url)
    body = orjson.dumps(payload)
    secrets = url_secrets(url)
    shown = redact_url(url)
    attempts = 0
    last_error = ""
    while True:
        attempts += 1
        req = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        wait = backoff * (2 ** (attempts - 1))
        try:
            with _opener.open(req, timeout=timeout) as resp:
                resp.read(65536)
                return WebhookResult(status=resp.status, attempts=attempts)
        except urllib.error.HTTPError as exc:
            status = exc.code
            answer = _short(exc.read(2048))
            exc.close()
            last_error = f"HTTP {status} from {shown}" + (f": {answer}" if answer else "")
            if status != 429 and status < 500:
                raise DeliveryError(scrub(last_error, secrets), attempts) from None
            retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            if retry_after is not None:
                wait = retry_after
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last_error = f"cannot reach {shown}: {reason}"
        if attempts > retries:
            raise DeliveryError(
                scrub(f"{last_error} (gave up after {attempts} attempts)", secrets), attempts
            )
        log.info("webhook %s: %s; retrying in %.1f s", shown, scrub(last_error, secrets), wait)
        sleep(wait)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form), capped; None if absent
    or in the HTTP-date form (then the normal backoff applies)."""
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None


def _short(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return " ".join(text.split())[:200]


def slack_escape(text: str) -> str:
    """Escape text for Slack mrkdwn: &, < and > (Slack's own rule), so that nothing in
    it becomes a link, a user mention or @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_link(url: object) -> str | None:
    """An http(s) URL fit to be a link target (HTML, Markdown, Slack), or None: never
    javascript:, data: or a relative path, nothing that could close an attribute or a
    Slack link (quotes, <, >, |, spaces, control characters)."""
    if not isinstance(url, str) or not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c.isspace() or not c.isprintable() or c in "<>|\"'`" for c in url):
        return None
    return url


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(fired: Fired) -> dict[str, Any]:
    """A Slack-compatible message (also read by Mattermost, Rocket.Chat and Discord's
    /slack endpoint): `text` as the notification fallback, `blocks` for the layout."""
    title = f"radsocial alert: {fired.rule}"
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _clip(title, SLACK_HEADER_LIMIT)},
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _clip(slack_escape(fired.reason), SLACK_TEXT_LIMIT)},
        },
    ]
    for p in (fired.details.get("posts") or [])[:SLACK_POSTS]:
        who = f"@{p.get('author')}" if p.get("author") else p.get("platform", "")
        when = str(p.get("created_at") or "")[:16].replace("T", " ")
        line = f"{who} · {p.get('platform', '')} · {when}\n{p.get('text', '')}"
        blocks.append(
            {
                "type": "section",
                "text": {"type": "plain_text", "text": _clip(line, SLACK_TEXT_LIMIT)},
            }
        )
        link = safe_link(p.get("url"))
        if link:
            blocks.append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": f"<{link}|open the post>"}],
                }
            )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": slack_escape(
                        f"{fired.kind} rule · event {fired.event_id} · "
                        f"{fired.fired_at:%Y-%m-%d %H:%M} UTC · radsocial alerts log"
                    ),
                }
            ],
        }
    )
    return {"text": slack_escape(f"{title}: {fired.reason}"), "blocks": blocks[:50]}


# ---------------------------------------------------------------------------- alert messages


def alert_text(fired: Fired) -> str:
    """The plain-text body of an alert e-mail."""
    lines = [
        f"radsocial alert: {fired.rule} ({fired.kind})",
        "",
        fired.reason,
        "",
        f"Rule: {fired.details.get('rule', '')}",
        f"Fired at: {fired.fired_at:%Y-%m-%d %H:%M} UTC (event {fired.event_id})",
    ]
    posts = fired.details.get("posts") or []
    if posts:
        lines += ["", "Posts:"]
        for p in posts:
            lines.append("")
            lines.append(
                f"- @{p.get('author') or '?'} on {p.get('platform')}, {p.get('created_at')}"
            )
            lines.append(f"  {_printable(p.get('text', ''))}")
            link = safe_link(p.get("url"))
            if link:
                lines.append(f"  {link}")
    lines += ["", "See every firing with: radsocial alerts log"]
    return "\n".join(lines) + "\n"


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in str(text))


def alert_html(fired: Fired) -> str:
    """The HTML body of an alert e-mail: every value escaped, links only to http(s)."""
    e = html.escape
    items = []
    for p in fired.details.get("posts") or []:
        link = safe_link(p.get("url"))
        meta = e(f"@{p.get('author') or '?'} · {p.get('platform')} · {p.get('created_at')}")
        if link:
            meta += f' · <a href="{e(link)}" rel="noopener noreferrer">open</a>'
        items.append(f"<li><div class=meta>{meta}</div><div>{e(str(p.get('text', '')))}</div></li>")
    posts = f"<ul>{''.join(items)}</ul>" if items else ""
    return (
        "<!DOCTYPE html><html><head><meta charset=utf-8>"
        f"<title>{e(fired.rule)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:40em}"
        ".meta{color:#555;font-size:90%}li{margin-bottom:.8em}</style></head><body>"
        f"<h1>radsocial alert: {e(fired.rule)}</h1>"
        f"<p>{e(fired.reason)}</p>"
        f"<p class=meta>{e(str(fired.details.get('rule', '')))} · fired "
        f"{e(f'{fired.fired_at:%Y-%m-%d %H:%M}')} UTC · event {fired.event_id}</p>"
        f"{posts}</body></html>"
    )


def alert_email(fired: Fired, to: Sequence[str], sender: str) -> EmailMessage:
    return build_email(
        subject=f"[radsocial] {fired.rule}: {fired.reason}",
        text=alert_text(fired),
        html_body=alert_html(fired),
        to=to,
        sender=sender,
    )


# ---------------------------------------------------------------------------- channels


def deliver(
    fired: Fired, config: DeliveryConfig, *, sleep: Callable[[float], None] = time.sleep
) -> list[dict[str, Any]]:
    """Send one firing to each of its channels; return one record per channel for the
    event's `deliveries` (status, attempts, a scrubbed error) — never raises."""
    out: list[dict[str, Any]] = []
    secrets = config.secrets()
    for ch in fired.channels:
        kind = ch.get("type")
        record: dict[str, Any] = {"channel": kind, "status": "failed", "attempts": 0}
        try:
            if kind == "email":
                to = list(ch.get("to") or [])
                record["target"] = ", ".join(to)
                smtp = config.require_smtp()
                record["attempts"] = 1
                send_email(alert_email(fired, to, sender_of(smtp)), smtp)
                record["via"] = smtp.describe()
            elif kind == "webhook":
                name = str(ch.get("name"))
                record["target"] = name
                url = config.webhook_url(name)
                record["via"] = redact_url(url)
                res = post_webhook(
                    url,
                    slack_payload(fired),
                    timeout=config.webhook_timeout,
                    retries=config.webhook_retries,
                    backoff=config.webhook_backoff,
                    sleep=sleep,
                )
                record["attempts"] = res.attempts
                record["http_status"] = res.status
            else:
                raise DeliveryError(f"unknown channel type {kind!r}")
            record["status"] = "sent"
        except (DeliveryError, ConfigError) as exc:
            record["attempts"] = getattr(exc, "attempts", record["attempts"])
            record["error"] = scrub(str(exc), secrets)
            log.warning("alert %r: %s delivery failed: %s", fired.rule, kind, record["error"])
        record["at"] = utcnow().isoformat()
        out.append(record)
    return out


def sample_message() -> tuple[str, str, str, dict[str, Any]]:
    """(subject, text, html, slack payload) of the message `alerts test-delivery` sends."""
    when = f"{utcnow():%Y-%m-%d %H:%M} UTC"
    text = f"This is a test from radsocial alerts ({when}). If you read it, delivery works.\n"
    body = f"<!DOCTYPE html><html><body><p>{html.escape(text)}</p></body></html>"
    payload = {
        "text": slack_escape(f"radsocial test message, {when}"),
        "blocks": [
            {"type": "section", "text": {"type": "plain_text", "text": text.strip()}},
        ],
    }
    return f"[radsocial] test message {when}", text, body, payload


def sender_of(smtp: SmtpSettings, name: str = "radsocial") -> str:
    """The From header: the configured sender, with a display name if it has none."""
    display, addr = parseaddr(smtp.sender)
    return smtp.sender if display else formataddr((name, addr or smtp.sender))
