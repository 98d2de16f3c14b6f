"""Where delivery secrets come from: the environment or a config file — never the database.

An SMTP password or a Slack webhook URL (whose path *is* the token) must not end up in
the store, in the alert log, in a log line or on the terminal: the store is shared with
co-authors and backed up, logs are pasted into issues. So alert rules name their
channels (`{"type": "webhook", "name": "imaging-slack"}`) and this module resolves the
names at delivery time from:

1. the environment — `RADSOCIAL_SMTP_URL` (smtp://user:pass@host:port),
   `RADSOCIAL_SMTP_PASSWORD`, `RADSOCIAL_SMTP_FROM`, `RADSOCIAL_WEBHOOK_<NAME>`;
2. the config file — `RADSOCIAL_CONFIG`, else `config.toml` in the user config folder
   (platformdirs: ~/.config/radsocial on Linux).

The environment wins, so a CI job or a container can override a file. Everything that
shows a URL to people goes through `redact_url`, and every error message that might
quote one goes through `scrub`.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from platformdirs import user_config_dir

log = logging.getLogger(__name__)

ENV_CONFIG = "RADSOCIAL_CONFIG"
ENV_SMTP_URL = "RADSOCIAL_SMTP_URL"
ENV_SMTP_PASSWORD = "RADSOCIAL_SMTP_PASSWORD"
ENV_SMTP_FROM = "RADSOCIAL_SMTP_FROM"
ENV_WEBHOOK_PREFIX = "RADSOCIAL_WEBHOOK_"

#: URL scheme -> (security, default port). "none" sends in clear text.
SMTP_SCHEMES = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("ssl", 465),
}
_SMTP_KEYS = {"url", "password", "from", "cafile", "timeout"}
_DELIVERY_KEYS = {"timeout", "retries", "backoff"}
_TOP_KEYS = {"smtp", "webhooks", "delivery"}
WEBHOOK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
MASK = "***"


class ConfigError(ValueError):
    """The delivery configuration is missing or wrong; the message says what to fix and
    never contains a secret."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the mail server. `repr` and `describe` leave out the password."""

    host: str
    port: int
    security: str  # "ssl" (implicit TLS), "starttls" or "none"
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    cafile: str | None = None  # extra CA bundle (a private mail server's certificate)

    def describe(self) -> str:
        """The server for people to read: scheme, user and host, no password."""
        scheme = {v[0]: k for k, v in SMTP_SCHEMES.items()}[self.security]
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """Everything delivery needs; built by `load_config`. The webhook URLs are secrets
    and are kept out of `repr`."""

    smtp: SmtpSettings | None = None
    webhooks: Mapping[str, str] = field(default_factory=dict, repr=False)
    webhook_timeout: float = 10.0
    webhook_retries: int = 3  # further attempts after the first, on 429 / 5xx / network errors
    webhook_backoff: float = 1.0  # seconds; doubled after each attempt
    source: str = "defaults"  # where the settings were read, for messages

    def webhook_url(self, name: str) -> str:
        """The URL of a named webhook, or a ConfigError telling where to define it."""
        url = self.webhooks.get(name) or self.webhooks.get(name.lower())
        if not url:
            raise ConfigError(
                f"no webhook named {name!r}: set {webhook_env_name(name)} or add "
                f'`{name} = "https://…"` under [webhooks] in {config_path()}'
            )
        return url

    def require_smtp(self) -> SmtpSettings:
        if self.smtp is None:
            raise ConfigError(
                f"no SMTP server configured: set {ENV_SMTP_URL} "
                "(e.g. smtp+starttls://user:password@mail.example.org:587) or add "
                f"[smtp] url = … to {config_path()}"
            )
        return self.smtp

    def secrets(self) -> list[str]:
        """Every secret string, for `scrub` to take out of error messages."""
        out: list[str] = []
        if self.smtp and self.smtp.password:
            out.append(self.smtp.password)
        for url in self.webhooks.values():
            out.extend(url_secrets(url))
        return out


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config file: RADSOCIAL_CONFIG, else config.toml in the user config folder."""
    env = os.environ if env is None else env
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    return Path(user_config_dir("radsocial", appauthor=False)) / "config.toml"


def webhook_env_name(name: str) -> str:
    """RADSOCIAL_WEBHOOK_<NAME>: upper case, '-' as '_'."""
    return ENV_WEBHOOK_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())


def load_config(
    path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> DeliveryConfig:
    """Read the delivery settings from the config file (if any) and the environment.

    A missing file is fine (the environment may say everything); a file that exists but
    cannot be read, or holds unknown keys, is a ConfigError — a typo in a key must not
    silently disable alert delivery.
    """
    env = os.environ if env is None else env
    file = Path(path).expanduser() if path else config_path(env)
    data: dict[str, Any] = {}
    sources: list[str] = []
    if file.is_file():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read the config file: {exc}") from None
        _warn_if_readable_by_others(file)
        sources.append(str(file))
    elif path:
        raise ConfigError(f"{file}: no such config file")
    _reject_unknown(data, _TOP_KEYS, str(file))
    smtp_tab = _table(data, "smtp", str(file))
    _reject_unknown(smtp_tab, _SMTP_KEYS, f"{file} [smtp]")
    hooks_tab = _table(data, "webhooks", str(file))
    delivery_tab = _table(data, "delivery", str(file))
    _reject_unknown(delivery_tab, _DELIVERY_KEYS, f"{file} [delivery]")

    smtp_url = env.get(ENV_SMTP_URL) or smtp_tab.get("url")
    if env.get(ENV_SMTP_URL):
        sources.append(ENV_SMTP_URL)
    smtp = None
    if smtp_url:
        smtp = parse_smtp_url(
            str(smtp_url),
            password=env.get(ENV_SMTP_PASSWORD) or _opt_str(smtp_tab, "password"),
            sender=env.get(ENV_SMTP_FROM) or _opt_str(smtp_tab, "from"),
            cafile=_opt_str(smtp_tab, "cafile"),
            timeout=_opt_float(smtp_tab, "timeout", str(file)),
        )

    hooks: dict[str, str] = {}
    for name, url in hooks_tab.items():
        if not isinstance(url, str):
            raise ConfigError(f"{file} [webhooks] {name}: the value must be a URL string")
        hooks[str(name)] = url
    for key, value in env.items():
        if key.startswith(ENV_WEBHOOK_PREFIX) and value:
            suffix = key[len(ENV_WEBHOOK_PREFIX) :]
            # Env names cannot hold '-': register the name as written in rules too.
            hooks[suffix.lower()] = value
            hooks[suffix.lower().replace("_", "-")] = value
            sources.append(f"{ENV_WEBHOOK_PREFIX}{suffix}")
    for name, url in hooks.items():
        check_webhook_url(url, name)

    return DeliveryConfig(
        smtp=smtp,
        webhooks=hooks,
        webhook_timeout=_opt_float(delivery_tab, "timeout", str(file)) or 10.0,
        webhook_retries=_bounded(delivery_tab, "retries", 3, 0, 10, f"{file} [delivery]"),
        webhook_backoff=_bounded(delivery_tab, "backoff", 1.0, 0, 60, f"{file} [delivery]"),
        source=", ".join(sources) or "defaults",
    )


def parse_smtp_url(
    url: str,
    *,
    password: str | None = None,
    sender: str | None = None,
    cafile: str | None = None,
    timeout: float | None = None,
) -> SmtpSettings:
    """SMTP settings from smtp://, smtp+starttls:// or smtps://[user[:password]@]host[:port].

    The query may carry `from`, `cafile` and `timeout` (`smtps://…:465?from=a@b.org`).
    User and password are percent-decoded (write '@' in a user name as %40). A password
    is refused over a clear-text connection to any host but this machine.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(f"the SMTP URL {redact_url(url)} is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in SMTP_SCHEMES:
        raise ConfigError(
            f"the SMTP URL must start with {', '.join(s + '://' for s in SMTP_SCHEMES)}; "
            f"got {scheme or 'no scheme'}:// ({redact_url(url)})"
        )
    if not parts.hostname:
        raise ConfigError(f"the SMTP URL {redact_url(url)} names no host")
    security, default_port = SMTP_SCHEMES[scheme]
    query = dict(parse_qsl(parts.query))
    unknown = set(query) - {"from", "cafile", "timeout"}
    if unknown:
        raise ConfigError(
            f"unknown SMTP URL parameter(s) {sorted(unknown)}; known: from, cafile, timeout"
        )
    username = unquote(parts.username) if parts.username else None
    secret = password or (unquote(parts.password) if parts.password else None)
    if secret and security == "none" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing to send the SMTP password unencrypted to {parts.hostname}: use "
            "smtps:// (implicit TLS, port 465) or smtp+starttls:// (port 587)"
        )
    try:
        tmo = float(timeout if timeout is not None else query.get("timeout", 30.0))
    except ValueError:
        raise ConfigError("the SMTP timeout must be a number of seconds") from None
    frm = sender or query.get("from") or (username if username and "@" in username else None)
    return SmtpSettings(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        sender=frm or "radsocial@localhost",
        username=username,
        password=secret,
        timeout=tmo,
        cafile=cafile or query.get("cafile"),
    )


def check_webhook_url(url: str, name: str = "") -> None:
    """Refuse URLs a webhook must not have: other schemes than https (http only to this
    machine, where tests and local relays listen) or no host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ConfigError(f"webhook {name!r}: not a valid URL ({redact_url(url)})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"webhook {name!r}: use an https:// URL ({redact_url(url)})")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"webhook {name!r}: http:// would send its token in clear text; use https:// "
            f"({redact_url(url)})"
        )


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redact_url(url: str) -> str:
    """A URL safe to show: scheme, host and port only — the user, password, path and
    query (where webhook services put their tokens) become '…'."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid URL>"
    if not parts.scheme or not host:
        return "<URL>"
    rest = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    user = "…@" if parts.username or parts.password else ""
    return f"{parts.scheme}://{user}{host}{port}{rest}"


def url_secrets(url: str) -> list[str]:
    """The parts of a URL that are secret: the whole URL, its path, query and password."""
    out = [url]
    try:
        parts = urlsplit(url)
    except ValueError:
        return out
    if parts.path and parts.path != "/":
        out.append(parts.path)
        out.append(parts.path.strip("/"))
    if parts.query:
        out.append(parts.query)
    if parts.password:
        out.append(parts.password)
        out.append(unquote(parts.password))
    return out


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (longest first) replaced by '***'. Secrets shorter than
    four characters are left alone: masking every "a" would hide the message, not a key."""
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, MASK)
    return text


# ---------------------------------------------------------------------------- helpers


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _reject_unknown(data: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; known: {sorted(known)}")


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    v = data.get(key)
    return str(v) if v is not None else None


def _opt_float(data: Mapping[str, Any], key: str, where: str) -> float | None:
    v = data.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
        raise ConfigError(f"{where}: {key} must be a positive number of seconds")
    return float(v)


def _bounded(
    data: Mapping[str, Any], key: str, default: Any, low: float, high: float, where: str
) -> Any:
    v = data.get(key, default)
    if isinstance(v, bool) or not isinstance(v, type(default) | int) or not low <= v <= high:
        raise ConfigError(f"{where}: {key} must be a number from {low:g} to {high:g}")
    return type(default)(v)


def _warn_if_readable_by_others(path: Path) -> None:
    """A config file with a password should be private (chmod 600); say so, once per load."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning("%s is readable by other users; run: chmod 600 %s", path, path)
