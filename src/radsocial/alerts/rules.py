"""Alert rules: the four kinds, their parameters, and storing them in `alert_rules`.

A rule is a name, a kind, parameters and channels. Parameters are validated here, once,
with messages that name the parameter and say what is allowed — a rule that cannot be
checked must be refused when it is added, not fail silently at 3 a.m. after an import.

| kind | params | fires when |
|---|---|---|
| keyword | terms, hashtags?, min_posts=1 | ≥ min_posts new posts contain any term (and, if given, carry one of the hashtags) |
| account | handles, mentions=False | a new post is by one of the handles (or, with mentions, mentions one) |
| spike | hashtags?, keywords?, k=2, min_posts=10 | the last 24 h mean > the previous 7 days' hourly mean + k·SD |
| sentiment_drop | hashtags?, keywords?, drop=20, window=24, baseline=window, min_posts=20 | net sentiment fell by ≥ drop points against the preceding period |

Channels are `{"type": "email", "to": [addresses]}` or `{"type": "webhook", "name": NAME}`;
a webhook is stored by *name* only — its URL holds a token, so it lives in the
environment or the config file (radsocial.alerts.config), never in the database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from radsocial.alerts.config import WEBHOOK_NAME, webhook_env_name
from radsocial.models import utc, utcnow
from radsocial.store.queries import Selection
from radsocial.store.schema import alert_events, alert_rules, posts

KINDS = ("keyword", "account", "spike", "sentiment_drop")

_HASHTAG = re.compile(r"^\w{1,279}$")
_HANDLE = re.compile(r"^[\w.\-:@]{1,199}$")
_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,255}$")
_WINDOW = re.compile(r"^\s*(\d+)\s*([hd]?)\s*$", re.IGNORECASE)
MAX_TERMS = 50
MAX_WINDOW_HOURS = 90 * 24


class RuleError(ValueError):
    """A rule's parameters or channels are wrong; the message says which and why."""


@dataclass(slots=True)
class Rule:
    """One alert rule as stored. `params` and `channels` are already validated."""

    name: str
    kind: str
    params: dict[str, Any]
    channels: list[dict[str, Any]] = field(default_factory=list)
    enabled: bool = True
    id: int | None = None
    created_at: datetime | None = None
    last_checked_post_id: int | None = None

    @classmethod
    def from_row(cls, row: Any) -> Rule:
        return cls(
            name=row.name,
            kind=row.kind,
            params=dict(row.params or {}),
            channels=list(row.channels or []),
            enabled=bool(row.enabled),
            id=int(row.id),
            created_at=utc(row.created_at) if row.created_at else None,
            last_checked_post_id=row.last_checked_post_id,
        )

    def selection(self) -> Selection:
        """The posts the rule watches (keyword, spike and sentiment_drop rules)."""
        p = self.params
        if self.kind == "keyword":
            return Selection(keywords=tuple(p["terms"]), hashtags=tuple(p.get("hashtags", ())))
        if self.kind == "account":
            return Selection(accounts=tuple(p["handles"]))
        return Selection(
            hashtags=tuple(p.get("hashtags", ())), keywords=tuple(p.get("keywords", ()))
        )

    def describe(self) -> str:
        """One line for `alerts list` and messages."""
        return describe(self.kind, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "params": self.params,
            "channels": self.channels,
            "enabled": self.enabled,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "last_checked_post_id": self.last_checked_post_id,
            "description": self.describe(),
        }


# ---------------------------------------------------------------------------- validation


def validate_params(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise a rule's parameters (defaults filled in, hashtags and handles
    lower-cased without '#'/'@'). Raises RuleError saying what is wrong."""
    if kind not in KINDS:
        raise RuleError(f"unknown rule kind {kind!r}; use one of: {', '.join(KINDS)}")
    if not isinstance(params, Mapping):
        raise RuleError(f"the parameters of a {kind} rule must be a mapping")
    return _VALIDATORS[kind](dict(params))


def _known(kind: str, params: dict[str, Any], known: Sequence[str]) -> None:
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise RuleError(
            f"unknown parameter(s) {', '.join(unknown)} for a {kind} rule; "
            f"known: {', '.join(known)}"
        )


def _str_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise RuleError(f"{what} must be a list of strings")
    out: list[str] = []
    for v in value:
        if not isinstance(v, str):
            raise RuleError(f"{what} must be strings, not {type(v).__name__}")
        v = " ".join(v.split())
        if v and v not in out:
            out.append(v)
    if len(out) > MAX_TERMS:
        raise RuleError(f"{what}: at most {MAX_TERMS} entries")
    return out


def _terms(value: Any, what: str) -> list[str]:
    terms = _str_list(value, what)
    for t in terms:
        if '"' in t:
            raise RuleError(f"{what}: {t!r} contains a quote; phrases are quoted for you")
        if t.startswith("-") or t.upper() == "OR":
            raise RuleError(
                f"{what}: {t!r} would be read as a search operator; give plain words or phrases"
            )
        if len(t) > 200:
            raise RuleError(f"{what}: {t[:40]!r}… is longer than 200 characters")
    return terms


def _hashtags(value: Any) -> list[str]:
    tags = [t.lstrip("#").lower() for t in _str_list(value, "hashtags")]
    for t in tags:
        if not _HASHTAG.match(t):
            raise RuleError(f"hashtags: {t!r} is not a hashtag (letters, digits and _ only)")
    return list(dict.fromkeys(tags))


def _int(value: Any, what: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleError(f"{what} must be a whole number")
    try:
        n = int(value)
    except ValueError:
        raise RuleError(f"{what} must be a whole number, not {value!r}") from None
    if isinstance(value, float) and n != value:
        raise RuleError(f"{what} must be a whole number, not {value!r}")
    if not low <= n <= high:
        raise RuleError(f"{what} must be between {low} and {high}, not {n}")
    return n


def _float(value: Any, what: str, default: float, low: float, high: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool):
        raise RuleError(f"{what} must be a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise RuleError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(x) or not low < x <= high:
        raise RuleError(f"{what} must be above {low:g} and at most {high:g}, not {value!r}")
    return x


def parse_hours(value: Any, what: str, default: int) -> int:
    """Hours from 24, "24", "24h" or "2d" (whole hours, 1 h to 90 days)."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise RuleError(f"{what} must be hours, e.g. 24, 24h or 7d")
    if isinstance(value, int | float):
        return _int(value, what, default, 1, MAX_WINDOW_HOURS)
    m = _WINDOW.match(str(value))
    if not m:
        raise RuleError(f"{what} must be hours, e.g. 24, 24h or 7d; not {value!r}")
    n = int(m.group(1)) * (24 if m.group(2).lower() == "d" else 1)
    return _int(n, what, default, 1, MAX_WINDOW_HOURS)


def _keyword(p: dict[str, Any]) -> dict[str, Any]:
    _known("keyword", p, ("terms", "hashtags", "min_posts"))
    terms = _terms(p.get("terms"), "terms")
    if not terms:
        raise RuleError("a keyword rule needs at least one term (a word or a phrase)")
    out: dict[str, Any] = {"terms": terms}
    tags = _hashtags(p.get("hashtags"))
    if tags:
        out["hashtags"] = tags
    out["min_posts"] = _int(p.get("min_posts"), "min_posts", 1, 1, 1_000_000)
    return out


def _account(p: dict[str, Any]) -> dict[str, Any]:
    _known("account", p, ("handles", "mentions"))
    handles = [h.lstrip("@").lower() for h in _str_list(p.get("handles"), "handles")]
    if not handles:
        raise RuleError("an account rule needs at least one handle")
    for h in handles:
        if not _HANDLE.match(h):
            raise RuleError(f"handles: {h!r} is not an account handle")
    mentions = p.get("mentions", False)
    if not isinstance(mentions, bool):
        raise RuleError("mentions must be true or false")
    return {"handles": list(dict.fromkeys(handles)), "mentions": mentions}


def _watched(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tags = _hashtags(p.get("hashtags"))
    if tags:
        out["hashtags"] = tags
    kws = _terms(p.get("keywords"), "keywords")
    if kws:
        out["keywords"] = kws
    return out


def _spike(p: dict[str, Any]) -> dict[str, Any]:
    _known("spike", p, ("hashtags", "keywords", "k", "min_posts"))
    out = _watched(p)
    out["k"] = _float(p.get("k"), "k", 2.0, 0.0, 20.0)
    out["min_posts"] = _int(p.get("min_posts"), "min_posts", 10, 0, 10_000_000)
    return out


def _sentiment_drop(p: dict[str, Any]) -> dict[str, Any]:
    _known("sentiment_drop", p, ("hashtags", "keywords", "drop", "window", "baseline", "min_posts"))
    out = _watched(p)
    out["drop"] = _float(p.get("drop"), "drop (net sentiment points)", 20.0, 0.0, 200.0)
    out["window"] = parse_hours(p.get("window"), "window", 24)
    out["baseline"] = parse_hours(p.get("baseline"), "baseline", out["window"])
    out["min_posts"] = _int(p.get("min_posts"), "min_posts", 20, 1, 10_000_000)
    return out


_VALIDATORS = {
    "keyword": _keyword,
    "account": _account,
    "spike": _spike,
    "sentiment_drop": _sentiment_drop,
}


def validate_channels(channels: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Check channels; a webhook given as a URL is refused (its token would be stored)."""
    out: list[dict[str, Any]] = []
    for ch in channels or ():
        if not isinstance(ch, Mapping):
            raise RuleError("each channel must be a mapping with a 'type'")
        kind = ch.get("type")
        if kind == "email":
            extra = set(ch) - {"type", "to"}
            if extra:
                raise RuleError(f"unknown e-mail channel key(s): {sorted(extra)}")
            to = _str_list(ch.get("to"), "e-mail recipients")
            if not to:
                raise RuleError("an e-mail channel needs at least one recipient")
            for addr in to:
                if not _EMAIL.match(addr):
                    raise RuleError(f"{addr!r} is not an e-mail address")
            out.append({"type": "email", "to": to})
        elif kind == "webhook":
            extra = set(ch) - {"type", "name"}
            if extra or "://" in str(ch.get("name", "")):
                raise RuleError(
                    "a webhook URL carries its secret token and is never stored in the "
                    "database: put it in the environment (RADSOCIAL_WEBHOOK_<NAME>) or under "
                    "[webhooks] in the config file, and give the rule its name"
                )
            name = ch.get("name")
            if not isinstance(name, str) or not WEBHOOK_NAME.match(name):
                raise RuleError(
                    f"webhook name {name!r}: use letters, digits, '-' and '_' (at most 64), "
                    f"e.g. imaging-slack (read from {webhook_env_name('imaging-slack')})"
                )
            out.append({"type": "webhook", "name": name})
        else:
            raise RuleError(f"unknown channel type {kind!r}; use email or webhook")
    return out


def _check_name(name: str) -> str:
    clean = " ".join(str(name).split())
    if not clean or len(clean) > 120:
        raise RuleError("a rule name must have 1 to 120 characters")
    if clean.isdigit():
        raise RuleError("a rule name cannot be only digits (digits are read as a rule id)")
    return clean


def describe(kind: str, params: Mapping[str, Any]) -> str:
    """A rule in words, e.g. 'keyword gadolinium OR "contrast agent" in #radiology (≥ 3 posts)'."""

    def watched() -> str:
        parts = []
        if params.get("keywords"):
            parts.append(" OR ".join(_q(t) for t in params["keywords"]))
        if params.get("hashtags"):
            parts.append(" ".join("#" + t for t in params["hashtags"]))
        return " in ".join(parts) if parts else "all posts"

    if kind == "keyword":
        tags = params.get("hashtags")
        where = f" in {' '.join('#' + t for t in tags)}" if tags else ""
        terms = " OR ".join(_q(t) for t in params["terms"])
        return f"keyword {terms}{where} (≥ {params['min_posts']} new posts)"
    if kind == "account":
        who = ", ".join("@" + h for h in params["handles"])
        return f"posts by {who}" + (" or mentioning them" if params.get("mentions") else "")
    if kind == "spike":
        return (
            f"spike in {watched()}: last 24 h mean > 7-day hourly mean + {params['k']:g}·SD "
            f"(≥ {params['min_posts']} posts)"
        )
    return (
        f"net sentiment of {watched()} drops ≥ {params['drop']:g} points over "
        f"{params['window']} h vs the {params['baseline']} h before"
    )


def _q(term: str) -> str:
    return f'"{term}"' if " " in term else term


# ---------------------------------------------------------------------------- storage


def add_rule(
    store: Any,
    name: str,
    kind: str,
    params: Mapping[str, Any],
    channels: Sequence[Mapping[str, Any]] = (),
    *,
    from_start: bool = False,
    enabled: bool = True,
) -> Rule:
    """Validate and store a rule. It watches posts imported *from now on*; with
    `from_start`, keyword and account rules also report the posts already stored."""
    name = _check_name(name)
    clean = validate_params(kind, params)
    chans = validate_channels(channels)
    with store.writer() as conn, conn.begin():
        if conn.execute(sa.select(alert_rules.c.id).where(alert_rules.c.name == name)).first():
            raise RuleError(f"a rule named {name!r} exists already; remove it first")
        start = 0
        if not from_start:
            start = conn.execute(sa.select(sa.func.coalesce(sa.func.max(posts.c.id), 0))).scalar()
        res = conn.execute(
            alert_rules.insert().values(
                name=name,
                kind=kind,
                params=clean,
                channels=chans,
                enabled=enabled,
                created_at=utcnow(),
                last_checked_post_id=int(start or 0),
            )
        )
        rid = int(res.inserted_primary_key[0])
    return get_rule(store, rid)


def list_rules(store: Any, *, enabled_only: bool = False) -> list[Rule]:
    """Every rule, oldest first."""
    q = sa.select(alert_rules).order_by(alert_rules.c.id)
    if enabled_only:
        q = q.where(alert_rules.c.enabled.is_(True))
    with store.engine.connect() as conn:
        return [Rule.from_row(r) for r in conn.execute(q)]


def _match(ref: str | int) -> sa.ColumnElement[bool]:
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        return alert_rules.c.id == int(ref)
    return alert_rules.c.name == " ".join(str(ref).split())


def get_rule(store: Any, ref: str | int) -> Rule:
    """A rule by name or id; RuleError (listing the names) when there is none."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(alert_rules).where(_match(ref))).first()
        if row is None:
            names = conn.execute(sa.select(alert_rules.c.name).order_by(alert_rules.c.id))
            known = ", ".join(n for (n,) in names) or "none yet"
            raise RuleError(f"no alert rule {ref!r}; rules: {known}")
        return Rule.from_row(row)


def remove_rule(store: Any, ref: str | int) -> Rule:
    """Delete a rule and its log (disable it instead to keep the log)."""
    rule = get_rule(store, ref)
    with store.writer() as conn, conn.begin():
        conn.execute(alert_events.delete().where(alert_events.c.rule_id == rule.id))
        conn.execute(alert_rules.delete().where(alert_rules.c.id == rule.id))
    return rule


def set_enabled(store: Any, ref: str | int, enabled: bool) -> Rule:
    """Switch a rule on or off; a disabled rule is skipped by checks but keeps its log."""
    rule = get_rule(store, ref)
    with store.writer() as conn, conn.begin():
        conn.execute(
            alert_rules.update().where(alert_rules.c.id == rule.id).values(enabled=enabled)
        )
    rule.enabled = enabled
    return rule
