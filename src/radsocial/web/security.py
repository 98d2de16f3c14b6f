"""Users, passwords, API tokens, the session secret and CSRF tokens.

The rules (docs/web.md):
- Bound to a loopback address the app needs no login: only this machine can reach it.
  Bound to any other address it refuses to start until an admin user exists, and every
  page and API call needs a session (browser) or a bearer token (scripts).
- Passwords are stored as argon2id hashes; API tokens as their SHA-256 only, so a copy
  of the database gives no usable credential. A token is shown once, when created.
- Every state-changing request made with a session cookie (or on loopback, with none)
  must carry the session's CSRF token: a form field or the X-CSRF-Token header. A
  request with a bearer token needs none, since no browser adds it by itself.
- No secret (session key, hashes, tokens) is ever written to a page, an API answer or
  a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from radsocial.models import utc, utcnow
from radsocial.store.schema import api_tokens, settings, users

#: The settings row holding the session signing key; keys starting with "_" are private.
SECRET_SETTING = "_web_session_secret"
TOKEN_PREFIX = "rs_"
USERNAME_MAX = 80
PASSWORD_MIN = 10


class SecurityError(ValueError):
    """A user or token operation that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    """Who makes a request. `local` is the implicit user of a loopback-bound app."""

    id: int | None
    username: str
    is_admin: bool
    via: str = "session"  # session | token | local

    @property
    def local(self) -> bool:
        return self.via == "local"


LOCAL_USER = User(None, "local", True, via="local")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost' (the addresses only this machine reaches)."""
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- passwords


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:  # pragma: no cover - the web extra installs it
        raise SecurityError("user accounts need argon2-cffi: pip install 'radsocial[web]'") from exc
    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so that a wrong username takes
# as long as a wrong password (no user enumeration by timing).
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def check_username(name: str) -> str:
    name = name.strip()
    if not name or len(name) > USERNAME_MAX:
        raise SecurityError(f"a user name has 1 to {USERNAME_MAX} characters")
    if any(c.isspace() or not c.isprintable() for c in name):
        raise SecurityError("a user name has no spaces or control characters")
    return name


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise SecurityError(f"a password has at least {PASSWORD_MIN} characters")


def add_user(engine: sa.Engine, username: str, password: str, *, admin: bool = False) -> int:
    """Create a user; SecurityError if the name is taken or the password too short."""
    username = check_username(username)
    check_password(password)
    with engine.begin() as conn:
        taken = conn.execute(
            sa.select(users.c.id).where(sa.func.lower(users.c.username) == username.lower())
        ).first()
        if taken:
            raise SecurityError(f"the user {username!r} exists already")
        res = conn.execute(
            users.insert().values(
                username=username,
                password_hash=hash_password(password),
                is_admin=admin,
                created_at=utcnow(),
            )
        )
        return int(res.inserted_primary_key[0])


def set_password(engine: sa.Engine, username: str, password: str) -> None:
    check_password(password)
    with engine.begin() as conn:
        n = conn.execute(
            users.update()
            .where(users.c.username == username)
            .values(password_hash=hash_password(password))
        ).rowcount
    if not n:
        raise SecurityError(f"no user {username!r}")


def delete_user(engine: sa.Engine, username: str) -> None:
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(users.c.id, users.c.is_admin).where(users.c.username == username)
        ).first()
        if row is None:
            raise SecurityError(f"no user {username!r}")
        if row.is_admin:
            admins = conn.execute(
                sa.select(sa.func.count()).select_from(users).where(users.c.is_admin)
            ).scalar_one()
            if admins <= 1:
                raise SecurityError("the last admin cannot be deleted")
        conn.execute(api_tokens.delete().where(api_tokens.c.user_id == row.id))
        conn.execute(users.delete().where(users.c.id == row.id))


def authenticate(engine: sa.Engine, username: str, password: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users.c.id, users.c.username, users.c.password_hash, users.c.is_admin).where(
                users.c.username == username.strip()
            )
        ).first()
    if row is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(row.password_hash, password):
        return None
    return User(row.id, row.username, bool(row.is_admin))


def user_by_id(engine: sa.Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users.c.id, users.c.username, users.c.is_admin).where(users.c.id == user_id)
        ).first()
    return User(row.id, row.username, bool(row.is_admin)) if row else None


def has_admin(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(users.c.id).where(users.c.is_admin).limit(1)).first() is not None
        )


def list_users(engine: sa.Engine) -> list[dict[str, Any]]:
    """Users with their tokens' names and dates — never a hash."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(users.c.id, users.c.username, users.c.is_admin, users.c.created_at).order_by(
                users.c.username
            )
        ).all()
        toks = conn.execute(
            sa.select(
                api_tokens.c.id,
                api_tokens.c.user_id,
                api_tokens.c.name,
                api_tokens.c.created_at,
                api_tokens.c.last_used_at,
            ).order_by(api_tokens.c.id)
        ).all()
    by_user: dict[int, list[dict[str, Any]]] = {}
    for t in toks:
        by_user.setdefault(t.user_id, []).append(
            {
                "id": t.id,
                "name": t.name,
                "created_at": utc(t.created_at).isoformat(),
                "last_used_at": utc(t.last_used_at).isoformat() if t.last_used_at else None,
            }
        )
    return [
        {
            "id": r.id,
            "username": r.username,
            "is_admin": bool(r.is_admin),
            "created_at": utc(r.created_at).isoformat(),
            "tokens": by_user.get(r.id, []),
        }
        for r in rows
    ]


# --------------------------------------------------------------------------- tokens


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: sa.Engine, username: str, name: str = "api") -> str:
    """A new API token for a user. Only its SHA-256 is stored: show the token once."""
    name = (name or "api").strip()[:80] or "api"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        uid = conn.execute(sa.select(users.c.id).where(users.c.username == username)).scalar()
        if uid is None:
            raise SecurityError(f"no user {username!r}; create one with `radsocial users add`")
        conn.execute(
            api_tokens.insert().values(
                user_id=uid, name=name, token_sha256=token_digest(token), created_at=utcnow()
            )
        )
    return token


def revoke_token(engine: sa.Engine, token_id: int) -> bool:
    with engine.begin() as conn:
        return bool(conn.execute(api_tokens.delete().where(api_tokens.c.id == token_id)).rowcount)


def user_for_token(engine: sa.Engine, token: str) -> User | None:
    """The user a bearer token belongs to (and note when it was last used, at most
    once a minute so that a busy script does not turn every read into a write)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = token_digest(token)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                api_tokens.c.id,
                api_tokens.c.last_used_at,
                users.c.id.label("uid"),
                users.c.username,
                users.c.is_admin,
            )
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.token_sha256 == digest)
        ).first()
    if row is None or not hmac.compare_digest(digest, token_digest(token)):
        return None
    now = utcnow()
    if row.last_used_at is None or now - utc(row.last_used_at) > timedelta(minutes=1):
        try:
            with engine.begin() as conn:
                conn.execute(
                    api_tokens.update().where(api_tokens.c.id == row.id).values(last_used_at=now)
                )
        except sa.exc.OperationalError:  # a busy SQLite writer: the note can wait
            pass
    return User(row.uid, row.username, bool(row.is_admin), via="token")


# --------------------------------------------------------------------------- secrets


def session_secret(engine: sa.Engine) -> str:
    """The key that signs session cookies: RADSOCIAL_SECRET_KEY, else one generated once
    and kept in the store (so sessions survive a restart and several workers agree)."""
    env = os.environ.get("RADSOCIAL_SECRET_KEY")
    if env:
        return env
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(settings.c.value).where(settings.c.key == SECRET_SETTING)
        ).scalar()
    if isinstance(value, str) and len(value) >= 32:
        return value
    new = secrets.token_urlsafe(48)
    with engine.begin() as conn:
        existing = conn.execute(
            sa.select(settings.c.value).where(settings.c.key == SECRET_SETTING)
        ).scalar()
        if isinstance(existing, str) and len(existing) >= 32:
            return existing
        conn.execute(settings.insert().values(key=SECRET_SETTING, value=new, updated_at=utcnow()))
    return new


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
