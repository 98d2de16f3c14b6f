"""FastAPI dependencies: the store, who is asking, and the CSRF check.

Kept apart from the routes so that pages and the API apply the same rules: a route
that changes anything depends on `csrf_protect`; a route for admins on `require_admin`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from radsocial.web.render import BadInput
from radsocial.web.security import (
    LOCAL_USER,
    User,
    csrf_matches,
    new_csrf_token,
    user_by_id,
    user_for_token,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """Raised for a request that needs a signed-in user; pages redirect to /login."""


def get_store(request: Request) -> Any:
    return request.app.state.store


def current_user(request: Request) -> User | None:
    """The user behind a request: bearer token, session, else the implicit local user
    when the app listens on loopback only. Cached on the request."""
    if "rs_user" in request.scope:
        return request.scope["rs_user"]  # type: ignore[no-any-return]
    user: User | None = None
    engine = request.app.state.store.engine
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        user = user_for_token(engine, auth[7:].strip())
        if user is None:
            request.scope["rs_user"] = None
            raise BadInput("the API token is not valid (it may have been revoked)", 401)
    if user is None:
        uid = request.session.get("uid")
        if isinstance(uid, int):
            user = user_by_id(engine, uid)
            if user is None:  # the user was deleted: forget the session
                request.session.pop("uid", None)
    if user is None and request.app.state.loopback:
        user = LOCAL_USER
    request.scope["rs_user"] = user
    return user


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise BadInput("only an admin may do this", 403)
    return user


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    tok = request.session.get("csrf")
    if not isinstance(tok, str):
        tok = new_csrf_token()
        request.session["csrf"] = tok
    return tok


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request that does not carry the session's CSRF token.

    A request authenticated by a bearer token is exempt: browsers never attach one on
    their own, so another site cannot forge it. A cross-site Origin is refused outright.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1] != host:
            raise BadInput("cross-site request refused (Origin does not match)", 403)
    user = current_user(request)
    if user is not None and user.via == "token":
        return
    given = request.headers.get("x-csrf-token")
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not csrf_matches(request.session.get("csrf"), given):
        raise BadInput(
            "the form's security token is missing or out of date (CSRF check): "
            "reload the page and try again",
            403,
        )
