"""CLI commands for alerts and the daily digest: `radsocial alerts …` and `radsocial digest`.

    radsocial alerts add keyword NAME --term T [--hashtag H] [--min-posts N] [--email TO] [--webhook NAME]
    radsocial alerts add account NAME --handle H [--mentions]
    radsocial alerts add spike NAME [--hashtag H] [--keyword K] [--k 2] [--min-posts 10]
    radsocial alerts add sentiment-drop NAME [--hashtag H] [--keyword K] [--drop 20] [--window 24h]
    radsocial alerts list | remove NAME | enable NAME | disable NAME
    radsocial alerts check [--at TIME] [--rule NAME] [--no-deliver] [--json]
    radsocial alerts log [--rule NAME] [--limit N] [--json]
    radsocial alerts test-delivery [--email TO] [--webhook NAME]
    radsocial digest [--day YYYY-MM-DD] [--tz ZONE] [-o FILE.html|.md|.txt|.json] [--email TO]

Output that is data goes to stdout, messages to stderr. Post text never reaches the
terminal unfiltered (control characters are dropped: a post cannot send escape codes to
your terminal), and no command prints a password or a webhook URL's secret part.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

__all__ = ["COMMANDS", "alerts", "digest_command"]

F = Callable[..., Any]


def _db_option(f: F) -> F:
    return click.option(
        "--db",
        envvar="RADSOCIAL_DB",
        metavar="PATH|URL",
        help="Database: a SQLite file path or postgresql://user@host/dbname. "
        "Default: RADSOCIAL_DB, else radsocial.db in your user data folder.",
    )(f)


def _open(db: str | None) -> Any:
    from radsocial.store import Store, StoreError

    try:
        return Store.open(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def _safe(text: Any) -> str:
    """Printable text only: a post cannot send escape sequences to the terminal."""
    return "".join(c if c.isprintable() or c == "\n" else " " for c in str(text))


def _say(text: str) -> None:
    click.echo(_safe(text), err=True)


def _check_addresses(emails: tuple[str, ...]) -> None:
    """Refuse anything that is not one plain address (no header injection via --email)."""
    from radsocial.alerts.rules import RuleError, validate_channels

    if emails:
        try:
            validate_channels([{"type": "email", "to": list(emails)}])
        except RuleError as exc:
            raise click.BadParameter(str(exc), param_hint="--email") from exc


def _channel_options(f: F) -> F:
    f = click.option(
        "--webhook",
        "webhooks",
        multiple=True,
        metavar="NAME",
        help="Post to this named webhook (Slack-compatible); its URL comes from "
        "RADSOCIAL_WEBHOOK_<NAME> or [webhooks] in the config file. Repeatable.",
    )(f)
    f = click.option(
        "--email",
        "emails",
        multiple=True,
        metavar="ADDRESS",
        help="E-mail this address (SMTP from RADSOCIAL_SMTP_URL or the config file). Repeatable.",
    )(f)
    f = click.option(
        "--from-start",
        is_flag=True,
        help="Keyword/account rules: also report posts already in the store "
        "(default: only posts imported from now on).",
    )(f)
    return f


def _channels(emails: tuple[str, ...], webhooks: tuple[str, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if emails:
        out.append({"type": "email", "to": list(emails)})
    out += [{"type": "webhook", "name": w} for w in webhooks]
    return out


def _add(
    db: str | None,
    name: str,
    kind: str,
    params: dict[str, Any],
    emails: tuple[str, ...],
    webhooks: tuple[str, ...],
    from_start: bool,
) -> None:
    from radsocial.alerts.rules import RuleError, add_rule

    params = {k: v for k, v in params.items() if v not in (None, (), [])}
    store = _open(db)
    try:
        rule = add_rule(
            store, name, kind, params, _channels(emails, webhooks), from_start=from_start
        )
    except RuleError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        store.close()
    where = ", ".join(_channel_text(c) for c in rule.channels) or "the log only"
    _say(f"Added alert rule {rule.name!r} (id {rule.id}): {rule.describe()} → {where}")


def _channel_text(ch: dict[str, Any]) -> str:
    if ch.get("type") == "email":
        return "e-mail " + ", ".join(ch.get("to", []))
    return f"webhook {ch.get('name')}"


@click.group("alerts")
def alerts() -> None:
    """Alert rules checked after every import: keywords, accounts, spikes, sentiment drops.

    Rules are stored in the database with their channels; secrets are not. Give an SMTP
    server in RADSOCIAL_SMTP_URL (smtp+starttls://user:password@host:587) and webhook URLs
    in RADSOCIAL_WEBHOOK_<NAME>, or both in the config file (see docs/alerts.md).
    """


@alerts.group("add")
def add_group() -> None:
    """Add a rule: `radsocial alerts add KIND NAME [options]`."""


@add_group.command("keyword")
@click.argument("name")
@click.option(
    "--term", "terms", multiple=True, required=True, help="Word or phrase (repeatable; any)."
)
@click.option(
    "--hashtag", "hashtags", multiple=True, help="Only posts with this hashtag (repeatable)."
)
@click.option(
    "--min-posts", type=int, default=1, show_default=True, help="Fire once this many posts match."
)
@_channel_options
@_db_option
def add_keyword(
    name: str,
    terms: tuple[str, ...],
    hashtags: tuple[str, ...],
    min_posts: int,
    emails: tuple[str, ...],
    webhooks: tuple[str, ...],
    from_start: bool,
    db: str | None,
) -> None:
    """Fire when new posts contain any of the terms.

    \b
    Example:
      radsocial alerts add keyword gadolinium --term gadolinium --term "contrast agent" \\
        --hashtag radiology --email editor@example.org
    """
    params = {"terms": list(terms), "hashtags": list(hashtags), "min_posts": min_posts}
    _add(db, name, "keyword", params, emails, webhooks, from_start)


@add_group.command("account")
@click.argument("name")
@click.option(
    "--handle", "handles", multiple=True, required=True, help="Account handle (repeatable)."
)
@click.option("--mentions", is_flag=True, help="Also fire on posts that mention the handles.")
@_channel_options
@_db_option
def add_account(
    name: str,
    handles: tuple[str, ...],
    mentions: bool,
    emails: tuple[str, ...],
    webhooks: tuple[str, ...],
    from_start: bool,
    db: str | None,
) -> None:
    """Fire when one of the accounts posts (or, with --mentions, is mentioned)."""
    params = {"handles": list(handles), "mentions": mentions}
    _add(db, name, "account", params, emails, webhooks, from_start)


@add_group.command("spike")
@click.argument("name")
@click.option(
    "--hashtag", "hashtags", multiple=True, help="Watch posts with this hashtag (repeatable)."
)
@click.option(
    "--keyword",
    "keywords",
    multiple=True,
    help="Watch posts with this word or phrase (repeatable).",
)
@click.option(
    "--k", type=float, default=2.0, show_default=True, help="Standard deviations above the mean."
)
@click.option(
    "--min-posts", type=int, default=10, show_default=True, help="Posts the 24 h need at least."
)
@_channel_options
@_db_option
def add_spike(
    name: str,
    hashtags: tuple[str, ...],
    keywords: tuple[str, ...],
    k: float,
    min_posts: int,
    emails: tuple[str, ...],
    webhooks: tuple[str, ...],
    from_start: bool,
    db: str | None,
) -> None:
    """Fire when the last 24 h mean beats the previous 7 days' hourly mean + k·SD."""
    params = {
        "hashtags": list(hashtags),
        "keywords": list(keywords),
        "k": k,
        "min_posts": min_posts,
    }
    _add(db, name, "spike", params, emails, webhooks, from_start)


@add_group.command("sentiment-drop")
@click.argument("name")
@click.option(
    "--hashtag", "hashtags", multiple=True, help="Watch posts with this hashtag (repeatable)."
)
@click.option(
    "--keyword",
    "keywords",
    multiple=True,
    help="Watch posts with this word or phrase (repeatable).",
)
@click.option(
    "--drop", type=float, default=20.0, show_default=True, help="Net sentiment points (−100…100)."
)
@click.option("--window", default="24h", show_default=True, help="Period tested, e.g. 24h or 7d.")
@click.option("--baseline", help="Period before it to compare with (default: as long as --window).")
@click.option(
    "--min-posts", type=int, default=20, show_default=True, help="Labelled posts each period needs."
)
@_channel_options
@_db_option
def add_sentiment_drop(
    name: str,
    hashtags: tuple[str, ...],
    keywords: tuple[str, ...],
    drop: float,
    window: str,
    baseline: str | None,
    min_posts: int,
    emails: tuple[str, ...],
    webhooks: tuple[str, ...],
    from_start: bool,
    db: str | None,
) -> None:
    """Fire when net sentiment ((positive − negative) ÷ labelled × 100) falls by --drop
    points. Reads the sentiment labels of `radsocial classify`."""
    params = {
        "hashtags": list(hashtags),
        "keywords": list(keywords),
        "drop": drop,
        "window": window,
        "baseline": baseline,
        "min_posts": min_posts,
    }
    _add(db, name, "sentiment_drop", params, emails, webhooks, from_start)


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
@_db_option
def list_command(as_json: bool, db: str | None) -> None:
    """List the rules, their channels and how far each has checked."""
    from radsocial.alerts.rules import list_rules

    store = _open(db)
    try:
        rules = list_rules(store)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rules], ensure_ascii=False, indent=2))
        return
    if not rules:
        _say("No alert rules yet: add one with `radsocial alerts add KIND NAME`.")
        return
    for r in rules:
        state = "" if r.enabled else " [disabled]"
        chans = ", ".join(_channel_text(c) for c in r.channels) or "log only"
        click.echo(_safe(f"{r.id:>3}  {r.name}{state}\n     {r.describe()}\n     → {chans}"))


@alerts.command("remove")
@click.argument("rule")
@_db_option
def remove_command(rule: str, db: str | None) -> None:
    """Delete a rule (by name or id) and its log. `disable` keeps the log."""
    from radsocial.alerts.rules import RuleError, remove_rule

    store = _open(db)
    try:
        removed = remove_rule(store, rule)
    except RuleError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        store.close()
    _say(f"Removed alert rule {removed.name!r} and its log.")


def _toggle(rule: str, db: str | None, enabled: bool) -> None:
    from radsocial.alerts.rules import RuleError, set_enabled

    store = _open(db)
    try:
        r = set_enabled(store, rule, enabled)
    except RuleError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        store.close()
    _say(f"Alert rule {r.name!r} {'enabled' if enabled else 'disabled'}.")


@alerts.command("enable")
@click.argument("rule")
@_db_option
def enable_command(rule: str, db: str | None) -> None:
    """Check a disabled rule again (it then reports what came in meanwhile)."""
    _toggle(rule, db, True)


@alerts.command("disable")
@click.argument("rule")
@_db_option
def disable_command(rule: str, db: str | None) -> None:
    """Stop checking a rule, keeping its log."""
    _toggle(rule, db, False)


@alerts.command("check")
@click.option("--at", "at", help="Check as of this time (UTC; default now), e.g. for archives.")
@click.option("--rule", "rules", multiple=True, help="Only this rule (name or id; repeatable).")
@click.option("--no-deliver", is_flag=True, help="Log what fires but send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print what fired as JSON.")
@_db_option
def check_command(
    at: str | None, rules: tuple[str, ...], no_deliver: bool, as_json: bool, db: str | None
) -> None:
    """Check the rules now and print what fired (imports run this by themselves)."""
    from radsocial.alerts.check import check_rules
    from radsocial.store import parse_when

    try:
        now = parse_when(at, "--at") if at else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    problems: list[str] = []
    from radsocial.alerts.rules import RuleError

    store = _open(db)
    try:
        fired = check_rules(
            store,
            now=now,
            deliver=not no_deliver,
            rules=list(rules) or None,
            on_error=lambda r, e: problems.append(f"rule {r.name!r} could not be checked: {e}"),
        )
    except RuleError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        store.close()
    for p in problems:
        _say(f"error: {p}")
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in fired], ensure_ascii=False, indent=2))
    else:
        for f in fired:
            click.echo(_safe(f"{f.rule}: {f.reason}"))
            for d in f.deliveries:
                click.echo(_safe(_delivery_text(d)))
        if not fired:
            _say("Nothing fired.")
    if problems:
        sys.exit(1)


def _delivery_text(d: dict[str, Any]) -> str:
    head = f"  {d.get('channel')} {d.get('target', '')}: {d.get('status')}"
    if d.get("via"):
        head += f" via {d['via']}"
    if d.get("attempts", 0) > 1:
        head += f" after {d['attempts']} attempts"
    if d.get("error"):
        head += f" — {d['error']}"
    return head


@alerts.command("log")
@click.option("--rule", help="Only this rule (name or id).")
@click.option("--limit", type=int, default=20, show_default=True, help="How many events.")
@click.option("--details", is_flag=True, help="Also print each event's details (posts, figures).")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
@_db_option
def log_command(rule: str | None, limit: int, details: bool, as_json: bool, db: str | None) -> None:
    """What fired, when, why, and how it was delivered (newest first)."""
    from radsocial.alerts.check import event_log
    from radsocial.alerts.rules import RuleError

    store = _open(db)
    try:
        events = event_log(store, rule=rule, limit=limit)
    except RuleError as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(events, ensure_ascii=False, indent=2))
        return
    if not events:
        _say("No alert has fired yet.")
        return
    for ev in events:
        click.echo(_safe(f"#{ev['event_id']} {ev['fired_at'][:16]} {ev['rule']} ({ev['kind']})"))
        click.echo(_safe(f"  {ev['reason']}"))
        for d in ev["deliveries"]:
            click.echo(_safe(_delivery_text(d)))
        if details:
            click.echo(json.dumps(ev["details"], ensure_ascii=True, indent=2))


@alerts.command("test-delivery")
@click.option(
    "--email", "emails", multiple=True, metavar="ADDRESS", help="Send a test e-mail here."
)
@click.option(
    "--webhook", "webhooks", multiple=True, metavar="NAME", help="Post a test to this webhook."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Config file (default: RADSOCIAL_CONFIG, else config.toml in the user config folder).",
)
@_db_option
def test_delivery_command(
    emails: tuple[str, ...], webhooks: tuple[str, ...], config_file: str | None, db: str | None
) -> None:
    """Send a test message, to the given channels or else to every rule's channels."""
    from radsocial.alerts.config import ConfigError, load_config, scrub
    from radsocial.alerts.deliver import (
        DeliveryError,
        build_email,
        post_webhook,
        sample_message,
        send_email,
        sender_of,
    )
    from radsocial.alerts.rules import list_rules

    _check_addresses(emails)
    try:
        cfg = load_config(config_file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    targets = [("email", e) for e in emails] + [("webhook", w) for w in webhooks]
    if not targets:
        store = _open(db)
        try:
            for r in list_rules(store):
                for ch in r.channels:
                    if ch["type"] == "email":
                        targets += [("email", t) for t in ch["to"]]
                    else:
                        targets.append(("webhook", ch["name"]))
        finally:
            store.close()
        targets = list(dict.fromkeys(targets))
    if not targets:
        raise click.UsageError("no channel to test: give --email or --webhook, or add a rule")
    subject, text, body, payload = sample_message()
    failed = 0
    for kind, target in targets:
        try:
            if kind == "email":
                smtp = cfg.require_smtp()
                send_email(
                    build_email(
                        subject=subject,
                        text=text,
                        html_body=body,
                        to=[target],
                        sender=sender_of(smtp),
                    ),
                    smtp,
                )
                via = smtp.describe()
            else:
                from radsocial.alerts.config import redact_url

                url = cfg.webhook_url(target)
                res = post_webhook(
                    url,
                    payload,
                    timeout=cfg.webhook_timeout,
                    retries=cfg.webhook_retries,
                    backoff=cfg.webhook_backoff,
                )
                via = f"{redact_url(url)} (HTTP {res.status})"
            click.echo(_safe(f"{kind} {target}: sent via {via}"))
        except (ConfigError, DeliveryError) as exc:
            failed += 1
            click.echo(_safe(f"{kind} {target}: failed — {scrub(str(exc), cfg.secrets())}"))
    if failed:
        sys.exit(1)


# ---------------------------------------------------------------------------- digest


@click.command("digest")
@click.option("--day", help="The day (YYYY-MM-DD, in --tz). Default: yesterday.")
@click.option("--tz", default="UTC", show_default=True, help="Time zone of the day (IANA name).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to FILE.html, .md, .txt or .json (default: Markdown on stdout).",
)
@click.option("--email", "emails", multiple=True, metavar="ADDRESS", help="E-mail it (repeatable).")
@click.option(
    "--hashtag", "hashtags", multiple=True, help="Only posts with this hashtag (repeatable)."
)
@click.option("--keyword", "keywords", multiple=True, help="Only posts with this word or phrase.")
@click.option("--platform", "platforms", multiple=True, help="Only this platform (repeatable).")
@click.option("--lang", "langs", multiple=True, help="Only this language code (repeatable).")
@click.option(
    "--relevant", is_flag=True, help="Only posts `radsocial classify` labelled imaging-relevant."
)
@_db_option
def digest_command(
    day: str | None,
    tz: str,
    output: str | None,
    emails: tuple[str, ...],
    hashtags: tuple[str, ...],
    keywords: tuple[str, ...],
    platforms: tuple[str, ...],
    langs: tuple[str, ...],
    relevant: bool,
    db: str | None,
) -> None:
    """The daily digest: volume against the day before and the week, top hashtags, posts
    and accounts, spikes, who posted, and the alerts that fired.

    \b
    Examples:
      radsocial digest                              # yesterday (UTC), Markdown on stdout
      radsocial digest --day 2017-11-27 --tz America/Chicago -o rsna.html
      radsocial digest --hashtag RSNA17 --email editor@example.org
    """
    from radsocial.alerts.config import ConfigError
    from radsocial.alerts.deliver import DeliveryError
    from radsocial.report.digest import digest, send_digest
    from radsocial.store import Selection

    _check_addresses(emails)
    try:
        the_day = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter(
            f"{day!r} is not a date; use YYYY-MM-DD", param_hint="--day"
        ) from None
    sel = Selection(
        hashtags=hashtags,
        keywords=keywords,
        platforms=platforms,
        langs=langs,
        relevant=True if relevant else None,
    )
    store = _open(db)
    try:
        d = digest(store, day=the_day, tz=tz, sel=sel)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    finally:
        store.close()
    if output:
        path = Path(output)
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            content = d.to_html()
        elif suffix in (".md", ".markdown"):
            content = d.to_markdown()
        elif suffix == ".txt":
            content = d.to_text()
        elif suffix == ".json":
            content = json.dumps(d.to_json(), ensure_ascii=False, indent=2) + "\n"
        else:
            raise click.BadParameter("use a .html, .md, .txt or .json file", param_hint="-o")
        path.write_text(content, encoding="utf-8")
        _say(f"Wrote the digest of {d.day} ({d.tz}, {d.posts:,} posts) to {path}")
    elif not emails:
        click.echo(_safe(d.to_markdown()), nl=False)
    if emails:
        try:
            send_digest(d, emails)
        except (ConfigError, DeliveryError) as exc:
            raise click.ClickException(str(exc)) from exc
        _say(f"E-mailed the digest of {d.day} to {', '.join(emails)}")


COMMANDS = [alerts, digest_command]
