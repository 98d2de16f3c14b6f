"""PDF reports: the self-contained HTML printed by Chromium (driven by Playwright).

Chromium draws the Plotly charts exactly as a browser shows them, so the PDF looks
like the page. It must be Debian's chromium (`apt-get install chromium`): Playwright's
own browser download needs the internet, which these machines do not have.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = ["PdfError", "find_chromium", "html_to_pdf"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: CSS pixels of A4's printable width at 96 dpi (210 mm less 2 × 12 mm margins).
PRINT_WIDTH = 700


class PdfError(RuntimeError):
    """A PDF cannot be made here; the message says what to install."""


def find_chromium() -> str | None:
    """RADSOCIAL_CHROMIUM, else /usr/bin/chromium, else chromium on the PATH."""
    for candidate in (os.environ.get("RADSOCIAL_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _print(
    chromium: str, html: str, path: Path, timeout_ms: float, sync_playwright: Any, error: Any
) -> None:
    with tempfile.TemporaryDirectory(prefix="radsocial-pdf-") as tmp:
        src = Path(tmp) / "report.html"
        src.write_text(html, encoding="utf-8")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": 1000})
                    page.emulate_media(media="print")
                    page.goto(src.as_uri(), wait_until="load", timeout=timeout_ms)
                    page.wait_for_function(
                        "() => document.documentElement.getAttribute('data-rs-ready') === '1' && "
                        "[...document.querySelectorAll('.rs-chart')]"
                        ".every(d => d.getAttribute('data-state'))",
                        timeout=timeout_ms,
                    )
                    page.pdf(
                        path=str(path),
                        format="A4",
                        print_background=True,
                        margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=(
                            "<div style='font-size:8px;width:100%;text-align:center;color:#888'>"
                            "<span class='pageNumber'></span> / <span class='totalPages'></span>"
                            "</div>"
                        ),
                    )
                finally:
                    browser.close()
        except error as exc:
            raise PdfError(f"Chromium could not print the report: {exc}") from exc


def html_to_pdf(html: str, path: str | Path, *, timeout_s: float = 120.0) -> Path:
    """Print an HTML document (charts drawn first) to an A4 PDF at `path`."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfError(
            "PDF reports are printed by Chromium, which is not installed. Install Debian's "
            "package (sudo apt-get install chromium) or set RADSOCIAL_CHROMIUM to a Chromium "
            "binary; the .html report needs nothing."
        )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PdfError(
            "PDF reports need the 'playwright' package: pip install 'radsocial[web]'"
        ) from exc
    path = Path(path)
    # Playwright's sync API refuses to run inside an asyncio loop or another sync
    # Playwright session; a thread of its own makes this callable from anywhere (the CLI,
    # a web request, a test that already drives a browser).
    failure: list[BaseException] = []

    def work() -> None:
        try:
            _print(chromium, html, path, timeout_s * 1000, sync_playwright, PlaywrightError)
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=work, name="radsocial-pdf")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return path
