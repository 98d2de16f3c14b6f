"""Reports as files: self-contained HTML with interactive charts, and PDF printed from it.

`write_report(report_or_reports, "rsna2017.html" | "rsna2017.pdf")` is the entry point
(`radsocial report … -o FILE`). The HTML uses the web app's renderer and inlines the
chart library, the script and the styles, so the file opens anywhere without a network;
the PDF is that page printed by Chromium. The daily digest lives in `digest.py`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_html", "write_report"]


def write_report(*args: Any, **kwargs: Any) -> Any:
    """See `radsocial.report.html.write_report` (imported lazily: it needs the web extra)."""
    from radsocial.report.html import write_report as _write

    return _write(*args, **kwargs)


def render_html(*args: Any, **kwargs: Any) -> str:
    """See `radsocial.report.html.render_html`."""
    from radsocial.report.html import render_html as _render

    return _render(*args, **kwargs)
