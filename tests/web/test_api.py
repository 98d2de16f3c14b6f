"""The JSON API with TestClient, on SQLite and PostgreSQL (the `store` fixture): reports
as JSON and CSV, keyset-paged search, imports, labels, settings, alert rules, and bad
input answered with a readable 4xx — never a 500 or a stack trace."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from radsocial.store import Store
from tests.web.conftest import client_for
from tests.web.seed import XSS_TEXT


def needs(module: str) -> None:
    pytest.importorskip(f"radsocial.analytics.{module}")


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for p in (
        "/api/report/{name}",
        "/api/posts",
        "/api/imports",
        "/api/labels/posts/{post_id}",
        "/api/settings",
        "/api/alert-rules",
        "/api/users",
        "/api/pages/overview",
        "/api/pages/conference/{name}",
    ):
        assert p in paths, p
    names = {prm["name"] for prm in paths["/api/posts"]["get"]["parameters"]}
    assert {"q", "hashtag", "keyword", "account", "platform", "lang", "kind"} <= names
    assert {"since", "until", "stakeholder", "relevant", "cursor", "limit"} <= names
    page = client.get("/api")
    assert page.status_code == 200 and "/api/report/{name}" in page.text


def test_report_json_and_csv(client: TestClient) -> None:
    needs("top")
    r = client.get("/api/report/top", params={"what": "hashtags", "n": 5, "hashtag": "RSNA17"})
    assert r.status_code == 200
    body = r.json()
    assert body["report"] == "top"
    assert body["selection"] == {"hashtags": ["RSNA17"]}
    table = body["tables"]["hashtags"]
    assert table["chart"]["kind"] == "bar"
    tags = [row[table["columns"].index("hashtag")] for row in table["rows"]]
    assert "radiology" in tags and "rsna17" not in [t.lower() for t in tags]
    c = client.get(
        "/api/report/top",
        params={
            "what": "hashtags",
            "n": 5,
            "hashtag": "RSNA17",
            "format": "csv",
            "table": "hashtags",
        },
    )
    assert c.status_code == 200
    assert c.headers["content-type"].startswith("text/csv")
    assert "attachment" in c.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(c.text.lstrip("\ufeff"))))
    assert rows[0] == table["columns"]
    assert len(rows) == len(table["rows"]) + 1


def test_report_list_says_what_is_available(client: TestClient) -> None:
    body = client.get("/api/reports").json()["reports"]
    assert set(body) >= {"summary", "timeseries", "top", "conference", "tweetchat"}
    for info in body.values():
        assert isinstance(info["available"], bool)


def test_summary_follows_the_selection(client: TestClient) -> None:
    needs("summary")
    all_posts = client.get("/api/report/summary").json()["posts"]["value"]
    chat = client.get("/api/report/summary", params={"hashtag": "JACR"}).json()["posts"]["value"]
    assert chat == 13
    assert all_posts > chat


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/api/report/nope", 404, "unknown report"),
        ("/api/report/top?what=zzz", 400, "zzz"),
        ("/api/report/top?n=abc", 400, "whole number"),
        ("/api/report/top?n=99999999999", 400, "out of range"),
        ("/api/report/top?bogus=1", 400, "unknown parameter 'bogus'"),
        ("/api/report/top?format=xml", 422, "format"),
        ("/api/report/top?format=csv&table=nope", 404, "no table"),
        ("/api/posts?since=garbage", 400, "since"),
        ("/api/posts?since=2020-01-02&until=2020-01-01", 400, "before"),
        ("/api/posts?limit=0", 422, "limit"),
        ("/api/posts?limit=abc", 422, "limit"),
        ("/api/posts?cursor=%%%", 400, "cursor"),
        ("/api/posts?platform=myspace", 400, "platform"),
        ("/api/posts?kind=tweet", 400, "kind"),
        ("/api/posts?stakeholder=wizard", 400, "stakeholder"),
        ("/api/posts?relevant=maybe", 400, "relevant"),
        ("/api/posts/abc", 422, "post_id"),
        ("/api/posts/999999999", 404, "no post"),
        ("/api/imports/77/rejected", 404, "no import"),
        ("/api/labels/agreement?a=x&b=x", 400, "two different coders"),
        ("/api/nothing-here", 404, "no page"),
    ],
)
def test_bad_input_gets_a_readable_4xx(
    client: TestClient, url: str, status: int, says: str
) -> None:
    if url.startswith("/api/report/top"):
        needs("top")
    r = client.get(url)
    assert r.status_code == status, r.text
    body = r.json()
    assert says in body["error"]
    assert "Traceback" not in r.text and 'File "' not in r.text


def test_posts_are_keyset_paged(client: TestClient) -> None:
    seen: list[int] = []
    cursor = None
    for _ in range(50):
        params = {"hashtag": "RSNA17", "limit": 25, "count": "true"}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/posts", params=params).json()
        seen += [p["id"] for p in body["posts"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == body["count"]
    times = [
        p["created_at"] for p in client.get("/api/posts", params={"limit": 200}).json()["posts"]
    ]
    assert times == sorted(times, reverse=True)


def test_search_finds_the_hostile_post_as_data(client: TestClient) -> None:
    body = client.get("/api/posts", params={"account": "evil"}).json()
    assert any(p["text"].startswith(XSS_TEXT) for p in body["posts"])
    assert client.get("/api/posts", params={"q": "-"}).status_code == 200  # odd syntax: no 500


def test_imports_and_rejected_lines(client: TestClient) -> None:
    rows = client.get("/api/imports").json()["imports"]
    assert rows and rows[0]["rejected"] == 1
    rej = client.get(f"/api/imports/{rows[0]['id']}/rejected").json()["rejected"]
    assert rej[0]["line"] == 7 and XSS_TEXT in rej[0]["reason"]


def _csrf(client: TestClient) -> str:
    page = client.get("/settings")
    marker = 'name="csrf-token" content="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


def test_labels_two_coders_and_agreement(client: TestClient, seeded: Store) -> None:
    token = _csrf(client)
    first = client.get("/api/labels/next", params={"coder": "anna"}).json()["post"]
    assert first is not None
    pid = first["id"]
    for coder, rel, mod in (("anna", "relevant", ["mri"]), ("ben", "relevant", ["mri", "ct"])):
        r = client.post(
            f"/api/labels/posts/{pid}",
            json={
                "coder": coder,
                "codes": {"relevance": [rel], "modality": mod, "stakeholder": ["radiologist"]},
            },
            headers={"x-csrf-token": token},
        )
        assert r.status_code == 200, r.text
        assert r.json()["account_saved"] is True
    nxt = client.get("/api/labels/next", params={"coder": "anna"}).json()["post"]
    assert nxt["id"] != pid
    agree = client.get("/api/labels/agreement", params={"a": "anna", "b": "ben"}).json()
    assert agree["posts_coded_by_both"] == 1
    fields = {f["field"]: f for f in agree["fields"]}
    assert fields["relevance"]["observed"] == 1.0
    assert fields["modality"]["observed"] == 0.0
    assert fields["stakeholder"]["n"] == 1
    prog = {p["coder"]: p["posts"] for p in client.get("/api/labels/progress").json()["coders"]}
    assert prog == {"anna": 1, "ben": 1}
    bad = client.post(
        f"/api/labels/posts/{pid}",
        json={"coder": "anna", "codes": {"relevance": ["perhaps"]}},
        headers={"x-csrf-token": token},
    )
    assert bad.status_code == 400 and "relevance" in bad.json()["error"]
    missing = client.post(
        f"/api/labels/posts/{pid}",
        json={"coder": "anna", "codes": {"modality": ["ct"]}},
        headers={"x-csrf-token": token},
    )
    assert missing.status_code == 400 and "required" in missing.json()["error"]


def test_coding_set_is_shared_and_drawn_once(client: TestClient) -> None:
    token = _csrf(client)
    r = client.post(
        "/api/labels/coding-set", params={"n": 5, "seed": 3}, headers={"x-csrf-token": token}
    )
    assert r.status_code == 200 and r.json()["n"] == 5
    a = client.get("/api/labels/next", params={"coder": "anna"}).json()["post"]["id"]
    b = client.get("/api/labels/next", params={"coder": "ben"}).json()["post"]["id"]
    assert a == b
    assert "post_ids" not in client.get("/api/settings").json()["coding_set"]


def test_settings_and_alert_rules(client: TestClient) -> None:
    token = _csrf(client)
    h = {"x-csrf-token": token}
    r = client.put("/api/settings/tracked_hashtags", json=["#RSNA25", "RadRes"], headers=h)
    assert r.status_code == 200
    assert client.get("/api/settings").json()["tracked_hashtags"] == ["rsna25", "radres"]
    assert client.put("/api/settings/_web_session_secret", json="x", headers=h).status_code == 404
    pytest.importorskip("radsocial.alerts")
    rule = {
        "name": "gad",
        "kind": "keyword",
        "params": {"terms": ["gadolinium"]},
        "channels": [{"type": "webhook", "name": "imaging-slack"}],
    }
    r = client.post("/api/alert-rules", json=rule, headers=h)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert client.post("/api/alert-rules", json=rule, headers=h).status_code == 409
    leak = dict(rule, name="leak", channels=[{"type": "webhook", "name": "https://hooks.x/T/B/s"}])
    assert client.post("/api/alert-rules", json=leak, headers=h).status_code == 400
    assert (
        client.patch(f"/api/alert-rules/{rid}", json={"enabled": False}, headers=h).json()[
            "enabled"
        ]
        is False
    )
    assert [x["name"] for x in client.get("/api/alert-rules").json()["rules"]] == ["gad"]
    assert client.delete(f"/api/alert-rules/{rid}", headers=h).status_code == 200
    assert client.delete(f"/api/alert-rules/{rid}", headers=h).status_code == 404


def test_every_page_has_json(client: TestClient) -> None:
    for url in (
        "/api/pages/overview",
        "/api/pages/explore?hashtag=RSNA17",
        "/api/pages/hashtags",
        "/api/pages/hashtag/RSNA17",
        "/api/pages/conferences",
        "/api/pages/conference/RSNA2017",
        "/api/pages/tweetchats",
        "/api/pages/tweetchat/JACR",
        "/api/pages/influencers",
        "/api/pages/accounts",
        "/api/pages/account/x/dr_rad",
        "/api/pages/imports",
        "/api/pages/import/1",
        "/api/pages/labels",
        "/api/pages/settings",
    ):
        r = client.get(url)
        assert r.status_code == 200, (url, r.text)
        assert isinstance(r.json(), dict)


def test_overview_sections_computed_side_by_side_keep_page_order(client: TestClient) -> None:
    """The overview computes its six sections on two threads; the JSON keeps the page's
    order and every section is computed (none lazy, none failed)."""
    body = client.get("/api/pages/overview", params={"days": 3660}).json()
    secs = body["sections"]
    assert [s["kind"] for s in secs] == [
        "summary",
        "timeseries",
        "spikes",
        "top",
        "top",
        "census",
    ]
    assert "hashtags" in secs[3]["report"]["tables"]
    assert "accounts" in secs[4]["report"]["tables"]
    assert all(s["status"] in ("ok", "unavailable") for s in secs), [
        (s["kind"], s["status"]) for s in secs
    ]


def test_pages_render_and_bad_page_input_is_a_4xx(client: TestClient) -> None:
    for url in ("/", "/explore", "/hashtag/RSNA17", "/conference/RSNA2017", "/tweetchat/JACR"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
    for url, status in (
        ("/explore?since=yesterday", 400),
        ("/explore?limit=100000", 400),
        ("/explore?cursor=nonsense!", 400),
        ("/?days=0", 400),
        ("/imports/abc", 422),
        ("/account/myspace/x", 404),
        ("/nowhere", 404),
    ):
        r = client.get(url)
        assert r.status_code == status, (url, r.text[:300])
        assert "Traceback" not in r.text
        assert 'class="rs-error"' in r.text


def test_empty_store_explains_how_to_import(store: Store) -> None:
    client = client_for(store)
    for url in ("/", "/explore", "/influencers", "/accounts", "/imports"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "radsocial import" in r.text
        assert "holds no posts yet" in r.text


SELECTIONS = [
    {},
    {"hashtags": ("RSNA17",)},
    {"hashtags": ("rsna17", "JACR"), "platforms": ("x",), "kinds": ("original",)},
    {"query": "mammography"},
    {"query": "session", "hashtags": ("RSNA17",)},
    {"keywords": ("breast MRI", "dose")},
    {"stakeholders": ("radiologist", "patient_advocate")},
    {"relevant": True},
    {"relevant": False, "hashtags": ("JACR",)},
    {"accounts": ("DR_RAD",)},
    {"accounts": ("dr_rad",), "platforms": ("x",)},
]


@pytest.mark.parametrize("spec", SELECTIONS, ids=[str(s) for s in SELECTIONS])
def test_fast_post_lists_match_the_selection(
    seeded: Store, spec: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index-walking list (used for common filters on a big store) returns exactly
    the posts `Selection` means, in the same order, as the planner's way does."""
    import sqlalchemy as sa

    from radsocial.analysis.base import Label
    from radsocial.store import Selection
    from radsocial.store.labels import label_rows
    from radsocial.store.schema import post_labels, posts
    from radsocial.web import data

    with seeded.writer() as conn, conn.begin():  # relevance: machine labels, one overridden
        ids = [r[0] for r in conn.execute(sa.select(posts.c.id).order_by(posts.c.id))]
        rows = []
        for i, pid in enumerate(ids):
            value = "relevant" if i % 3 else "not_relevant"
            rows += label_rows("post_id", pid, [Label("relevance", value, 1, (), "rule", "1", "r")])
        manual = Label("relevance", "not_relevant", 1, (), "manual", "m", "manual")
        rows += label_rows("post_id", ids[1], [manual], "anna")
        conn.execute(post_labels.insert(), rows)
    sel = Selection(**spec)  # type: ignore[arg-type]
    expected = [p.platform_id for p in seeded.search(sel, limit=1000)]
    for common in (0, 10**9):
        monkeypatch.setattr(data, "COMMON", common)
        got: list[str] = []
        cursor = None
        while True:
            page, cursor = data.post_page(seeded, sel, limit=7, cursor=cursor)
            got += [p["platform_id"] for p in page]
            if not cursor:
                break
        assert sorted(got) == sorted(expected), common
        n, more = data.count_posts(seeded, sel)
        assert (n, more) == (len(expected), False)
    assert expected or spec == {"relevant": False, "hashtags": ("JACR",)}


def test_warm_up_fills_the_cache_for_the_first_visit(seeded: Store) -> None:
    from radsocial.web.app import create_app
    from radsocial.web.pages import WARM_PAGES, warm

    app = create_app(seeded, warm=False)
    assert warm(app) == len(WARM_PAGES)
    filled = len(app.state.cache)
    assert filled >= 5
    client = TestClient(app, base_url="http://127.0.0.1")
    assert client.get("/").status_code == 200
    assert len(app.state.cache) == filled  # the overview was served from the cache
