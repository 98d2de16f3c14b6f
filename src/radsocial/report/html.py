"""Self-contained HTML reports: one file with the tables, the charts and their data.

The same Jinja macros as the web pages draw every `Table` (charts through
`radsocial.js` and Plotly); here plotly.min.js, the script and the stylesheet are
inlined, and each table's "Download CSV" builds the CSV in the browser from the data in
the page, so the file needs no server and no network — hospital networks often have
neither a CDN nor a way back to the server that made the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup

from radsocial import __version__
from radsocial.analytics import Report
from radsocial.store import Selection
from radsocial.web.render import STATIC, Section, environment, plotly_js_path

__all__ = ["render_html", "write_report"]


def _inline(text: str, tag: str) -> Markup:
    """Text for inside <script> or <style>: a closing tag in it must not end the element."""
    return Markup(text.replace(f"</{tag}", f"<\\/{tag}"))


def _as_section(item: Report | Section) -> Section:
    if isinstance(item, Section):
        return item
    if isinstance(item, Report):
        return Section(
            item.kind,
            Selection(),
            dict(item.params),
            report=item,
            title=_kind_title(item),
            anchor=item.kind,
        )
    raise TypeError(f"expected a Report or Section, got {type(item).__name__}")


def _kind_title(rep: Report) -> str:
    meeting = rep.metrics.get("meeting") if rep.kind == "conference" else None
    if isinstance(meeting, str) and meeting:
        return f"{meeting}"
    return rep.kind.replace("_", " ").capitalize()


def _selection_text(sections: list[Section]) -> str:
    for s in sections:
        if s.report is not None and s.report.selection:
            return "; ".join(
                f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                for k, v in s.report.selection.items()
            )
    return ""


def render_html(
    items: Report | Section | Iterable[Report | Section], *, title: str | None = None
) -> str:
    """The report(s) as one self-contained HTML document."""
    if isinstance(items, Report | Section):
        items = [items]
    sections = [_as_section(x) for x in items]
    seen: dict[str, int] = {}
    for sec in sections:  # element ids in the page derive from the anchors
        n = seen.get(sec.anchor, 0)
        seen[sec.anchor] = n + 1
        if n:
            sec.anchor = f"{sec.anchor}-{n + 1}"
    if title is None:
        first = sections[0] if sections else None
        title = "radsocial report" if first is None else f"radsocial — {first.title or first.kind}"
    env = environment()
    return env.get_template("report.html").render(
        title=title,
        sections=sections,
        version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        selection=_selection_text(sections),
        synthetic=any(sec.report is not None and sec.report.synthetic for sec in sections),
        css=_inline((STATIC / "radsocial.css").read_text(encoding="utf-8"), "style"),
        plotly_js=_inline(plotly_js_path().read_text(encoding="utf-8"), "script"),
        app_js=_inline((STATIC / "radsocial.js").read_text(encoding="utf-8"), "script"),
    )


def write_report(
    report_or_reports: Report | Section | Iterable[Report | Section],
    path: str | Path,
    *,
    title: str | None = None,
) -> Path:
    """Write a report as .html (self-contained) or .pdf (printed from that HTML by
    Debian's Chromium), chosen by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise ValueError(f"{path}: write .html, .htm or .pdf (got {suffix or 'no suffix'!r})")
    html = render_html(report_or_reports, title=title)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from radsocial.report.pdf import html_to_pdf

        return html_to_pdf(html, path)
    path.write_text(html, encoding="utf-8")
    return path
