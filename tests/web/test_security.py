"""Security of the web app: untrusted text stays text, `javascript:` never becomes a link,
CSRF, login off loopback, refusing to start without an admin, API tokens, and no secret
in a page, an API answer or a log line."""

from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from radsocial.commands_web import serve, users
from radsocial.store import Store
from radsocial.store.schema import api_tokens
from radsocial.store.schema import users as users_table
from radsocial.web.app import StartupRefused, create_app
from radsocial.web.render import link, safe_url
from radsocial.web.security import SECRET_SETTING, add_user, create_token, session_secret
from tests.web.conftest import client_for
from tests.web.seed import XSS_BIO, XSS_NAME, XSS_TEXT

PASSWORD = "correct horse battery"
JS_HREF = re.compile(r"""href\s*=\s*["']?\s*(javascript|data|vbscript):""", re.I)


def _csrf(client: TestClient, page: str = "/settings") -> str:
    text = client.get(page).text
    return text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


# ------------------------------------------------------------------ untrusted text


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "http:/no-host",
        "",
        None,
    ],
)
def test_unsafe_urls_never_become_links(url: str | None) -> None:
    assert safe_url(url) is None
    assert "href" not in str(link(url, "x"))


def test_http_urls_are_links_and_escaped() -> None:
    out = str(link('https://example.org/?a=1&b="><x>', "<b>"))
    assert "href='https://example.org/?a=1&amp;b=&#34;&gt;&lt;x&gt;'" in out
    assert "&lt;b&gt;" in out and "noopener" in out


def test_post_text_bio_and_name_are_escaped(client: TestClient) -> None:
    page = client.get("/explore", params={"account": "evil"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert XSS_TEXT not in page
    assert not JS_HREF.search(page)
    profile = client.get("/account/x/evil").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in profile
    assert XSS_BIO not in profile
    assert XSS_NAME not in profile
    assert not JS_HREF.search(profile)
    for url in ("/", "/hashtag/RSNA17", "/conference/RSNA2017", "/imports/1", "/labels"):
        text = client.get(url).text
        assert XSS_TEXT not in text, url
        assert not JS_HREF.search(text), url


def test_report_json_keeps_text_as_data(client: TestClient) -> None:
    body = client.get("/api/posts", params={"account": "evil"})
    assert body.headers["content-type"].startswith("application/json")
    assert XSS_TEXT in body.text  # JSON carries the text; only HTML must escape it


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    js = client.get("/static/vendor/plotly.min.js")
    assert js.status_code == 200 and "plotly" in js.text[:400]


def test_loopback_refuses_foreign_host_headers(seeded: Store) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not reach the app."""
    app = create_app(seeded, warm=False)
    bad = TestClient(app, base_url="http://evil.example", raise_server_exceptions=False)
    assert bad.get("/").status_code == 400
    good = TestClient(app, base_url="http://localhost:8000")
    assert good.get("/").status_code == 200


# ------------------------------------------------------------------ CSRF


def test_posts_without_the_csrf_token_are_refused(client: TestClient) -> None:
    body = {"coder": "anna", "codes": {"relevance": ["relevant"]}}
    assert client.post("/api/labels/posts/1", json=body).status_code == 403
    r = client.post("/api/labels/posts/1", json=body, headers={"x-csrf-token": "forged"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    form = client.post("/settings/hashtags", data={"hashtags": "x"})
    assert form.status_code == 403 and "rs-error" in form.text
    token = _csrf(client)
    cross = client.post(
        "/settings/hashtags",
        data={"hashtags": "x", "csrf_token": token},
        headers={"origin": "http://evil.example"},
    )
    assert cross.status_code == 403
    ok = client.post(
        "/settings/hashtags",
        data={"hashtags": "rsna25", "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.post("/logout").status_code == 403


# ------------------------------------------------------------------ off loopback


def test_refuses_to_start_off_loopback_without_admin(seeded: Store) -> None:
    with pytest.raises(StartupRefused, match="radsocial users add NAME --admin"):
        create_app(seeded, host="0.0.0.0", warm=False)
    add_user(seeded.engine, "plain", PASSWORD)  # a user, but not an admin
    with pytest.raises(StartupRefused):
        create_app(seeded, host="192.0.2.10", warm=False)


def test_serve_command_refuses_off_loopback_without_admin(tmp_path: pytest.TempPathFactory) -> None:
    db = str(tmp_path / "s.db")  # type: ignore[operator]
    r = CliRunner().invoke(serve, ["--host", "0.0.0.0", "--db", db])
    assert r.exit_code != 0
    assert "radsocial users add NAME --admin" in r.output


def _public(seeded: Store) -> TestClient:
    add_user(seeded.engine, "admin", PASSWORD, admin=True)
    add_user(seeded.engine, "coder", PASSWORD)
    app = create_app(seeded, host="0.0.0.0", cache_seconds=0, warm=False)
    return TestClient(app, base_url="http://radsocial.example", raise_server_exceptions=False)


def _login(client: TestClient, user: str, password: str = PASSWORD) -> int:
    token = _csrf(client, "/login")
    r = client.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": token, "next": "/explore"},
        follow_redirects=False,
    )
    return r.status_code


def test_login_required_off_loopback(seeded: Store) -> None:
    client = _public(seeded)
    r = client.get("/explore", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    api = client.get("/api/posts")
    assert api.status_code == 401 and "Bearer" in api.headers["www-authenticate"]
    assert _login(client, "admin", "wrong password!") == 401
    assert _login(client, "nobody") == 401
    assert _login(client, "admin") == 303
    assert client.get("/explore").status_code == 200
    assert client.get("/api/me").json() == {"username": "admin", "is_admin": True, "via": "session"}
    assert client.get("/api/users").status_code == 200
    out = client.post("/logout", data={"csrf_token": _csrf(client)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/posts").status_code == 401


def test_non_admins_cannot_manage(seeded: Store) -> None:
    client = _public(seeded)
    assert _login(client, "coder") == 303
    assert client.get("/api/users").status_code == 403
    token = _csrf(client)
    r = client.post(
        "/api/users", json={"username": "x", "password": PASSWORD}, headers={"x-csrf-token": token}
    )
    assert r.status_code == 403
    assert client.get("/labels").status_code == 200  # coders code


def test_login_next_is_never_an_open_redirect(seeded: Store) -> None:
    client = _public(seeded)
    token = _csrf(client, "/login")
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = client.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/"
        token = _csrf(client)


def test_api_tokens(seeded: Store) -> None:
    client = _public(seeded)
    token = create_token(seeded.engine, "coder", "script")
    with seeded.engine.connect() as conn:
        stored = conn.execute(sa.select(api_tokens.c.token_sha256)).scalars().all()
    assert token not in stored and len(stored[0]) == 64
    h = {"authorization": f"Bearer {token}"}
    assert client.get("/api/posts", headers=h).status_code == 200
    assert client.get("/api/me", headers=h).json()["via"] == "token"
    # a token needs no CSRF token: no browser sends it on its own
    r = client.post(
        "/api/labels/posts/1",
        json={"codes": {"relevance": ["relevant"]}},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["coder"] == "coder"
    bad = client.get("/api/posts", headers={"authorization": "Bearer rs_forged"})
    assert bad.status_code == 401 and "not valid" in bad.json()["error"]
    assert client.get("/api/posts?token=" + token).status_code == 401  # never in a URL


def test_tokens_from_the_settings_page_are_shown_once(seeded: Store) -> None:
    client = _public(seeded)
    assert _login(client, "admin") == 303
    r = client.post(
        "/settings/users/coder/token", data={"name": "laptop", "csrf_token": _csrf(client)}
    )
    assert r.status_code == 200
    token = re.search(r"rs_[\w-]{20,}", r.text).group(0)  # type: ignore[union-attr]
    settings_page = client.get("/settings").text
    assert token not in settings_page and "laptop" in settings_page
    assert client.get("/api/me", headers={"authorization": f"Bearer {token}"}).status_code == 200


def test_no_secret_reaches_a_page_an_answer_or_a_log(
    seeded: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = _public(seeded)
    token = create_token(seeded.engine, "admin", "t")
    assert _login(client, "admin") == 303
    secret = session_secret(seeded.engine)
    with seeded.engine.connect() as conn:
        hashes = conn.execute(sa.select(users_table.c.password_hash)).scalars().all()
        digests = conn.execute(sa.select(api_tokens.c.token_sha256)).scalars().all()
    secrets_ = [secret, PASSWORD, token, *hashes, *digests]
    h = {"authorization": f"Bearer {token}"}
    seen = []
    for url in (
        "/",
        "/settings",
        "/labels",
        "/imports",
        "/api/users",
        "/api/settings",
        "/api/pages/settings",
        "/api/openapi.json",
        "/api/me",
    ):
        seen.append(client.get(url).text)
        seen.append(client.get(url, headers=h).text)
    text = "\n".join(seen) + "\n".join(r.getMessage() for r in caplog.records)
    for s in secrets_:
        assert s not in text
    assert SECRET_SETTING not in text


def test_a_crash_is_a_generic_500(seeded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from radsocial.web import data

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("db password is hunter2")

    monkeypatch.setattr(data, "post_page", boom)
    client = client_for(seeded)
    r = client.get("/api/posts")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: the server log has the details"}
    page = client.get("/explore")
    assert page.status_code == 500 and "hunter2" not in page.text and "Traceback" not in page.text


def test_users_cli(tmp_path: pytest.TempPathFactory) -> None:
    db = str(tmp_path / "u.db")  # type: ignore[operator]
    runner = CliRunner()
    r = runner.invoke(
        users, ["add", "anna", "--admin", "--db", db], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert r.exit_code == 0, r.output
    short = runner.invoke(users, ["add", "bob", "--db", db], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    t = runner.invoke(users, ["token", "anna", "--db", db])
    assert t.exit_code == 0 and "rs_" in t.output
    token = next(line for line in t.output.splitlines() if line.startswith("rs_"))
    listed = runner.invoke(users, ["list", "--db", db])
    assert "anna (admin): cli" in listed.output and token not in listed.output
    with Store.open(db) as store:
        with store.engine.connect() as conn:
            h = conn.execute(sa.select(users_table.c.password_hash)).scalar_one()
        assert h.startswith("$argon2id$")
        app = create_app(store, host="0.0.0.0", warm=False)  # an admin exists now: it starts
        c = TestClient(app, base_url="http://radsocial.example")
        assert (
            c.get("/api/me", headers={"authorization": f"Bearer {token}"}).json()["username"]
            == "anna"
        )
