"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every store test.

PostgreSQL comes from RADSOCIAL_TEST_PG (default: the local server on 127.0.0.1:5432,
database `test`, trust auth). Without a server, PostgreSQL tests skip with the reason —
except under CI=true, where a skipped PostgreSQL test fails the run (see
pytest_runtest_makereport below).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from radsocial.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("RADSOCIAL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_admin_url() -> str:
    return "postgresql+psycopg://" + PG_URL.split("://", 1)[1]


_pg_available: bool | None = None
_pg_reason = ""


def pg_available() -> bool:
    global _pg_available, _pg_reason
    if _pg_available is None:
        try:
            eng = sa.create_engine(_pg_admin_url(), connect_args={"connect_timeout": 3})
            with eng.connect() as conn:
                conn.execute(sa.text("select 1"))
            eng.dispose()
            _pg_available = True
        except Exception as exc:  # any failure to connect means: no server here
            _pg_available = False
            _pg_reason = f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}"
    return _pg_available


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (created and dropped around the test)."""
    if not pg_available():
        pytest.skip(_pg_reason)
    name = f"radsocial_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database URL of each backend in turn: one test suite, both databases."""
    if request.param == "sqlite":
        return str(tmp_path / "radsocial.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI=true a skipped PostgreSQL or browser test fails the run: .ci/run provides
    both, so a skip there means a missing install step, not a machine without them."""
    outcome = yield
    report = outcome.get_result()
    if not (IN_CI and report.skipped):
        return
    if item.get_closest_marker("postgres") is not None:
        report.outcome = "failed"
        report.longrepr = (
            "PostgreSQL test skipped under CI=true: start PostgreSQL on 127.0.0.1:5432 "
            f"or set RADSOCIAL_TEST_PG ({_pg_reason or 'skipped'})"
        )
    elif item.get_closest_marker("browser") is not None:
        report.outcome = "failed"
        report.longrepr = (
            "browser test skipped under CI=true: .ci/run installs Debian's chromium and the "
            f"playwright package ({report.longrepr})"
        )
