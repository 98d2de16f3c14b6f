"""Fixtures for the web app: a seeded store, a TestClient, and a live server for the
browser tests (uvicorn on a free loopback port, in a thread).

Browser tests need Debian's chromium (/usr/bin/chromium) and the `playwright` package;
without them they skip with the reason — except under CI=true, where a skipped browser
test fails the run (tests/conftest.py, as for PostgreSQL), because .ci/run installs both.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")

from fastapi.testclient import TestClient

from radsocial.store import Store
from tests.web.seed import seed

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's chromium with Playwright (must run under CI=true)"
    )


def client_for(store: Store, **kw: Any) -> TestClient:
    """A TestClient on a loopback address (the app refuses other Host headers there)."""
    from radsocial.web.app import create_app

    kw.setdefault("warm", False)  # no background thread outliving the test
    app = create_app(store, **kw)
    return TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False)


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Store:
    """The `store` fixture (SQLite, then PostgreSQL) with the seed data."""
    seed(store, tmp_path / "quarantine")
    return store


@pytest.fixture
def client(seeded: Store) -> TestClient:
    return client_for(seeded, cache_seconds=0)


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One seeded SQLite store for the whole session (the browser tests only read)."""
    folder = tmp_path_factory.mktemp("web")
    s = Store.open(folder / "web.db")
    seed(s, folder / "quarantine")
    yield s
    s.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(seeded_sqlite: Store) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1:<free port>, in a thread."""
    import uvicorn

    from radsocial.web.app import create_app

    app = create_app(seeded_sqlite, warm=False)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def browser_unavailable() -> str | None:
    if not (Path(CHROMIUM).is_file() or shutil.which("chromium")):
        return f"{CHROMIUM} not found: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: pip install playwright"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = browser_unavailable()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    from radsocial.report.pdf import CHROMIUM_ARGS

    exe = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()
