"""`radsocial report … -o report.html | report.pdf`: one self-contained HTML file with
its charts and data, and a PDF printed from it by Debian's chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from radsocial.analytics import run
from radsocial.report.html import render_html, write_report
from radsocial.store import Selection, Store
from tests.web.seed import XSS_TEXT


def _conference(store: Store) -> Any:
    pytest.importorskip("radsocial.analytics.conference")
    return run("conference", store, Selection(), meeting="RSNA2017")


def test_html_report_is_self_contained(seeded_sqlite: Store, tmp_path: Path) -> None:
    rep = _conference(seeded_sqlite)
    out = write_report(rep, tmp_path / "rsna2017.html")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "Plotly" in html and "radsocial" in html
    assert html.count('class="rs-chart ') >= 5
    assert 'data-inline-csv="' in html  # every table's CSV, built in the browser
    assert "RSNA Scientific Assembly" in html
    assert XSS_TEXT not in html.replace("\\u003c", "<").split("<script>", 1)[0]


def test_html_report_escapes_hostile_text(seeded_sqlite: Store) -> None:
    pytest.importorskip("radsocial.analytics.top")
    rep = run("top", seeded_sqlite, Selection(accounts=("evil",)), what="posts")
    html = render_html(rep)
    body = html.split("<script>", 1)[0]  # the inlined libraries come after the content
    assert XSS_TEXT not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="javascript:' not in body.lower() and "href='javascript:" not in body.lower()


def test_unknown_suffix_is_refused(seeded_sqlite: Store, tmp_path: Path) -> None:
    pytest.importorskip("radsocial.analytics.summary")
    rep = run("summary", seeded_sqlite, Selection())
    with pytest.raises(ValueError, match=r"\.html, \.htm or \.pdf"):
        write_report(rep, tmp_path / "report.docx")


@pytest.mark.browser
def test_pdf_report(seeded_sqlite: Store, tmp_path: Path) -> None:
    from tests.web.conftest import browser_unavailable

    reason = browser_unavailable()
    if reason:
        pytest.skip(reason)
    rep = _conference(seeded_sqlite)
    out = write_report([rep], tmp_path / "rsna2017.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 20_000
    assert data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 2
    shots = Path(__file__).resolve().parents[2] / "artifacts" / "reports"
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "rsna2017.pdf").write_bytes(data)


def test_pdf_without_chromium_says_what_to_install(
    seeded_sqlite: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from radsocial.report import pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    pytest.importorskip("radsocial.analytics.summary")
    rep = run("summary", seeded_sqlite, Selection())
    with pytest.raises(pdf.PdfError, match="apt-get install chromium"):
        write_report(rep, tmp_path / "r.pdf")
