"""Synthetic posts (`radsocial generate`) say so on every page and in the API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from radsocial.ingest import import_paths
from radsocial.store import Store
from radsocial.synth import generate
from tests.web.conftest import client_for

NOTE = "rs-synthetic-note"


def test_real_store_has_no_synthetic_note(client: TestClient) -> None:
    page = client.get("/explore")
    assert page.status_code == 200
    assert NOTE not in page.text
    assert all(p["synthetic"] is False for p in client.get("/api/posts").json()["posts"])


def test_synthetic_posts_are_marked_on_pages_and_in_the_api(tmp_path: Path) -> None:
    generate(tmp_path / "g", posts=400, start_year=2024, end_year=2024, seed=2)
    with Store.open(tmp_path / "s.db") as store:
        import_paths(store, [str(tmp_path / "g" / "corpus")])
        client = client_for(store, cache_seconds=0)
        for path in ("/", "/explore"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert NOTE in page.text, path
        explore = client.get("/explore").text
        assert 'class="rs-tag rs-synthetic"' in explore
        api = client.get("/api/posts").json()["posts"]
        assert api and all(p["synthetic"] is True for p in api)
        assert client.get("/api/report/summary").json()["synthetic"] is True
        meeting = client.get("/conference/RSNA2024/report.html")
        assert meeting.status_code == 200 and NOTE in meeting.text
