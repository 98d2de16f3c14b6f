"""The web app: `create_app(db, host=...)` returns the FastAPI application.

`radsocial serve` runs it under uvicorn. The store is opened once here; each request
takes its own SQLAlchemy connection, and blocking database work runs in FastAPI's
thread pool (sync endpoints), so one slow analysis does not stall other requests.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from radsocial import __version__
from radsocial.store import Store
from radsocial.web.deps import LoginRequired
from radsocial.web.render import STATIC, BadInput, plotly_js_path
from radsocial.web.security import has_admin, is_loopback, session_secret

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]

#: Every answer carries these. The CSP allows scripts from this server only (no inline
#: script, no eval), so text that slipped through escaping still could not run.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class StartupRefused(RuntimeError):
    """The app will not start as asked (e.g. a public address and no admin user)."""


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response (a plain ASGI middleware: cheap)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in names)
                if not scope["path"].startswith("/static/") and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, wrapped)


def create_app(
    db: str | os.PathLike[str] | Store | None = None,
    *,
    host: str = "127.0.0.1",
    secure_cookies: bool = False,
    cache_seconds: float = 600.0,
    warm: bool = True,
    lazy: bool = True,
) -> FastAPI:
    """Build the app over a store (a path, URL or an open Store).

    `host` is the address the server binds: on loopback no login is needed; on any
    other address StartupRefused is raised until an admin user exists
    (`radsocial users add NAME --admin`). `secure_cookies` marks the session cookie
    HTTPS-only (set it when a TLS proxy fronts the app). `cache_seconds` bounds how long
    an analysis result is reused for identical requests while the data do not change
    (0: no cache). `warm` computes the default pages in a background thread at start
    and after each import or classifier run, so a first visit is as fast as the next.
    `lazy` sends a page at once and lets the browser fetch each analysis that is not
    computed yet (a slow one then delays its own section, not the page).
    """
    store = db if isinstance(db, Store) else Store.open(db)
    loopback = is_loopback(host)
    if not loopback and not has_admin(store.engine):
        raise StartupRefused(
            f"refusing to listen on {host}: off loopback every visitor must sign in, and no "
            "admin user exists yet. Create one with: radsocial users add NAME --admin"
            + ("" if db is None else " --db …")
            + " (or bind to 127.0.0.1)."
        )
    plotly_js_path()  # fail now, not on the first chart, if plotly is missing

    app = FastAPI(
        title="radsocial",
        version=__version__,
        description=(
            "The JSON API of radsocial, an observatory of social media in radiology. "
            "Every page of the web app is drawn from these endpoints. Off loopback, send "
            "`Authorization: Bearer TOKEN` (create one with `radsocial users token NAME`)."
        ),
        docs_url=None,  # the stock docs load from a CDN; /api is served locally instead
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.store = store
    app.state.loopback = loopback
    app.state.host = host
    app.state.cache_seconds = cache_seconds
    app.state.cache = {}
    app.state.lazy = lazy

    from radsocial.web.api import router as api_router
    from radsocial.web.pages import public as public_router
    from radsocial.web.pages import render_error
    from radsocial.web.pages import router as pages_router

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(
            plotly_js_path(),
            media_type="application/javascript",
            headers={"cache-control": "public, max-age=604800, immutable"},
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(
            STATIC / "favicon.svg",
            media_type="image/svg+xml",
            headers={"cache-control": "public, max-age=604800"},
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router)
    app.include_router(public_router)
    app.include_router(pages_router)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api")

    def error(request: Request, status: int, message: str, **extra: Any) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message, **extra}, status_code=status)
        return render_error(request, status, message)

    @app.exception_handler(BadInput)
    async def bad_input(request: Request, exc: BadInput) -> Response:
        return error(request, exc.status, str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"error": "sign in first, or send Authorization: Bearer TOKEN"},
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        from urllib.parse import urlencode

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body", "path"))
            problems.append({"parameter": where or "request", "message": e.get("msg", "invalid")})
        text = "; ".join(f"{p['parameter']}: {p['message']}" for p in problems)
        return error(request, 422, f"invalid request: {text}", problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"there is no page at {request.url.path}"
        if exc.status_code == 405:
            message = f"{request.method} is not allowed here"
        return error(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.error(
            "internal error on %s %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc_info=exc,
        )
        return error(request, 500, "internal error: the server log has the details")

    if warm and cache_seconds > 0:
        _start_warmer(app)

    # Middleware: the last added runs first. Hosts are checked before anything else on
    # loopback, which defeats DNS rebinding (a page on evil.example resolving to 127.0.0.1).
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(store.engine),
        session_cookie="radsocial_session",
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    if loopback:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)
    return app


def _start_warmer(app: FastAPI, every: float = 20.0) -> None:
    """A daemon thread that keeps the default pages computed: at start, then whenever the
    data version changes or the cached results near their age limit."""
    import threading

    from radsocial.web.data import data_version
    from radsocial.web.pages import warm

    stop = threading.Event()
    app.state.warmer_stop = stop

    def loop() -> None:
        seen: object = None
        last = 0.0
        while not stop.is_set():
            try:
                version = (data_version(app.state.store), getattr(app.state, "generation", 0))
                age = time.monotonic() - last
                if version != seen or age > app.state.cache_seconds * 0.8:
                    warm(app)
                    seen, last = version, time.monotonic()
            except Exception:  # a locked or closed store: try again later
                log.debug("warm-up skipped", exc_info=True)
            stop.wait(every)

    threading.Thread(target=loop, name="radsocial-warm", daemon=True).start()


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with several workers: reads RADSOCIAL_DB and
    RADSOCIAL_WEB_HOST (set by `radsocial serve --workers N`)."""
    return create_app(
        os.environ.get("RADSOCIAL_DB"),
        host=os.environ.get("RADSOCIAL_WEB_HOST", "127.0.0.1"),
        secure_cookies=os.environ.get("RADSOCIAL_SECURE_COOKIES") == "1",
    )
