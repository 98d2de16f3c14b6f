"""The HTML forms: settings (hashtags, meetings, alert rules, users) and hand coding,
posted as a browser does (CSRF token in the form), answered with a redirect."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.test_security import PASSWORD, _csrf


def _post(client: TestClient, url: str, data: dict[str, str]) -> object:
    return client.post(url, data={**data, "csrf_token": _csrf(client)}, follow_redirects=False)


def test_meeting_editions_from_settings(client: TestClient) -> None:
    r = _post(
        client,
        "/settings/meetings",
        {
            "key": "TIS",
            "name": "Test Imaging Summit",
            "year": "2025",
            "start": "2025-05-21",
            "end": "2025-05-23",
        },
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/conferences").text
    assert "Test Imaging Summit" in page and "/conference/TIS2025" in page
    bad = _post(
        client,
        "/settings/meetings",
        {"key": "X", "year": "2025", "start": "2025-05-23", "end": "2025-05-21"},
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert client.get("/conference/TIS2025").status_code == 200
    r = _post(client, "/settings/meetings/delete", {"key": "TIS"})
    assert "Test Imaging Summit" not in client.get("/conferences").text


def test_alert_rules_from_settings(client: TestClient) -> None:
    pytest.importorskip("radsocial.alerts")
    r = _post(
        client,
        "/settings/alerts",
        {
            "name": "dose",
            "kind": "keyword",
            "terms": "radiation dose, gadolinium",
            "email": "me@example.org",
        },
    )
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    page = client.get("/settings").text
    assert "dose" in page and "gadolinium" in page and "me@example.org" in page
    spike = _post(client, "/settings/alerts", {"name": "s", "kind": "spike", "k": "lots"})
    assert spike.status_code == 400 and "k" in spike.text  # type: ignore[attr-defined]
    rules = client.get("/api/alert-rules").json()["rules"]
    rid = rules[0]["id"]
    _post(client, f"/settings/alerts/{rid}/toggle", {"enabled": "0"})
    assert client.get("/api/alert-rules").json()["rules"][0]["enabled"] is False
    _post(client, f"/settings/alerts/{rid}/delete", {})
    assert client.get("/api/alert-rules").json()["rules"] == []


def test_users_from_settings(client: TestClient) -> None:
    r = _post(
        client, "/settings/users", {"username": "anna", "password": PASSWORD, "is_admin": "1"}
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    again = _post(client, "/settings/users", {"username": "anna", "password": PASSWORD})
    assert again.status_code == 400 and "exists" in again.text  # type: ignore[attr-defined]
    short = _post(client, "/settings/users", {"username": "ben", "password": "short"})
    assert short.status_code == 400  # type: ignore[attr-defined]
    assert "anna" in client.get("/settings").text


def test_coding_form_saves_and_moves_on(client: TestClient) -> None:
    first = client.get("/api/labels/next", params={"coder": "coder1"}).json()["post"]["id"]
    r = _post(
        client,
        f"/labels/code/{first}",
        {
            "coder": "coder1",
            "relevance": "relevant",
            "modality": "ct",
            "stakeholder": "radiologist",
        },
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/labels").text
    assert f"#{first}<" not in page.replace(" ", "")  # the next post, not the same one
    assert "coder1" in page
    skip = client.get("/labels", params={"after": first + 1})
    assert skip.status_code == 200
    missing = _post(client, f"/labels/code/{first}", {"coder": "coder1", "modality": "ct"})
    assert missing.status_code == 400  # type: ignore[attr-defined]


def test_go_boxes_redirect(client: TestClient) -> None:
    r = client.get("/go", params={"to": "hashtag", "tag": "#RSNA17"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/hashtag/RSNA17"
    assert client.get("/go", params={"to": "evil", "tag": "x"}).status_code == 400
