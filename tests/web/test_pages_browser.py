"""Every page in a real browser (Debian's chromium, driven by Playwright) on a seeded
store: it renders, its charts draw, the console stays clean, hostile text stays text,
and no `javascript:` URL becomes a link. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import SCREENSHOTS
from tests.web.seed import XSS_BIO, XSS_TEXT

pytestmark = pytest.mark.browser

#: (screenshot name, path, charts expected, analytics module the page's charts need)
PAGES: list[tuple[str, str, bool, str | None]] = [
    ("overview", "/?days=3660", True, "summary"),
    ("explore", "/explore", True, "timeseries"),
    ("explore-xss", "/explore?hashtag=RSNA17&q=alert", False, None),
    ("hashtags", "/hashtags", True, "top"),
    ("hashtag", "/hashtag/RSNA17", True, "summary"),
    ("conferences", "/conferences", False, None),
    ("conference", "/conference/RSNA2017", True, "conference"),
    ("tweetchats", "/tweetchats", False, None),
    ("tweetchat", "/tweetchat/JACR", True, "tweetchat"),
    ("influencers", "/influencers?days=3660", True, "influence"),
    ("accounts", "/accounts", True, "census"),
    ("account-evil", "/account/x/evil", False, None),
    ("imports", "/imports", True, "timeseries"),
    ("import", "/imports/1", False, None),
    ("labels", "/labels", False, None),
    ("settings", "/settings", False, None),
    ("api", "/api", False, None),
]


def _open(browser: Any, url: str) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-rs-complete') === '1'",
        timeout=60_000,
    )
    assert page.locator(".rs-lazy").count() == 0
    page.wait_for_function(
        "() => [...document.querySelectorAll('.rs-chart')].every(d => d.getAttribute('data-state'))",
        timeout=30_000,
    )
    return context, page, errors, dialogs


@pytest.mark.parametrize(("name", "path", "charts", "module"), PAGES, ids=[p[0] for p in PAGES])
def test_page(
    browser: Any, live_server: str, name: str, path: str, charts: bool, module: str | None
) -> None:
    if module:
        pytest.importorskip(f"radsocial.analytics.{module_of(module)}")
    context, page, errors, dialogs = _open(browser, live_server + path)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert page.locator("h1").count() == 1
        assert page.locator(".rs-error").count() == 0, page.locator(".rs-error").all_inner_texts()
        states = page.eval_on_selector_all(
            ".rs-chart", "els => els.map(e => e.getAttribute('data-state'))"
        )
        assert "failed" not in states, page.locator(".rs-chart-message").all_inner_texts()
        if charts:
            assert states, "the page should draw at least one chart"
            assert page.locator(".rs-chart .main-svg").count() >= 1
        assert not errors, errors
        assert not dialogs, dialogs
        js_links = page.eval_on_selector_all(
            "a[href]",
            "els => els.filter(e => /^\\s*javascript:/i.test(e.getAttribute('href')))"
            ".map(e => e.outerHTML)",
        )
        assert not js_links
        csv = page.locator("a.rs-csv[href*='format=csv']")
        if charts:
            assert csv.count() >= 1, "every chart offers its data as CSV"
    finally:
        context.close()


def module_of(kind: str) -> str:
    """The analytics module behind a report kind (influence and network share one)."""
    from radsocial.analytics import REPORTS

    return REPORTS[kind].split(":")[0].rsplit(".", 1)[1]


def test_script_post_shows_as_text(browser: Any, live_server: str) -> None:
    context, page, errors, dialogs = _open(browser, live_server + "/explore?hashtag=RSNA17&q=alert")
    try:
        text = page.locator(".rs-post .rs-text").all_inner_texts()
        assert XSS_TEXT + " #RSNA17" in text
        assert page.locator(".rs-post script").count() == 0
        assert not dialogs and not errors
        # its javascript: URL is shown as text, never as a link
        assert page.locator(".rs-post a.rs-original").count() == 0
        assert page.locator("text=link hidden").count() >= 1
    finally:
        context.close()


def test_hostile_bio_and_links_stay_text(browser: Any, live_server: str) -> None:
    context, page, errors, dialogs = _open(browser, live_server + "/account/x/evil")
    try:
        assert XSS_BIO in page.locator(".rs-bio").first.inner_text()
        assert page.locator(".rs-profile img").count() == 0
        assert page.locator(".rs-profile svg").count() == 0
        assert not dialogs and not errors
    finally:
        context.close()


def test_csv_download_link_returns_the_table(browser: Any, live_server: str) -> None:
    pytest.importorskip("radsocial.analytics.top")
    context, page, _, _ = _open(browser, live_server + "/hashtags")
    try:
        href = page.locator("a.rs-csv[href*='format=csv']").first.get_attribute("href")
        resp = page.request.get(live_server + href)
        assert resp.status == 200
        assert resp.headers["content-type"].startswith("text/csv")
        assert resp.text().lstrip("\ufeff").startswith("rank,")
    finally:
        context.close()


def test_labelling_in_the_browser(browser: Any, live_server: str) -> None:
    context, page, errors, _ = _open(browser, live_server + "/labels")
    try:
        page.check("input[name=relevance][value=relevant]")
        page.check("input[name=modality][value=mri]")
        page.select_option("select[name=stakeholder]", "radiologist")
        page.click("button:has-text('Save and next')")
        page.wait_for_load_state("load")
        assert "saved=" in page.url
        assert page.locator("text=coder1").count() >= 1
        assert not errors
    finally:
        context.close()
