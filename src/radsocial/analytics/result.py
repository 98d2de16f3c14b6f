"""What every analysis returns: a `Report` of named `Table`s plus headline figures.

One shape for all analyses means one way to print them (terminal, Markdown), one way to
export them (JSON, CSV), one way to draw them (the web app and the HTML reports read
`Table.chart`), and one place where an empty selection says so instead of failing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

#: Chart kinds the web app and HTML reports know how to draw from a table.
CHART_KINDS = ("line", "bar", "stacked_bar", "heatmap", "pie", "network")


@dataclass(slots=True)
class Table:
    """A titled table; `chart` says how to draw it, e.g.
    {"kind": "line", "x": "bucket", "y": ["posts", "reposts"]} or
    {"kind": "heatmap", "x": "hour", "y": "day", "z": "posts"}."""

    name: str
    columns: list[str]
    rows: list[list[Any]]
    title: str = ""
    chart: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.chart is not None and self.chart.get("kind") not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.chart.get('kind')!r}; use {CHART_KINDS}")

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def to_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, _plain_row(r), strict=True)) for r in self.rows]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "title": self.title, "columns": self.columns}
        out["rows"] = [_plain_row(r) for r in self.rows]
        if self.chart:
            out["chart"] = self.chart
        if self.notes:
            out["notes"] = self.notes
        return out

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        w.writerows([_csv_cell(v) for v in r] for r in self.rows)
        return buf.getvalue()

    def to_markdown(self, limit: int | None = None) -> str:
        rows = self.rows if limit is None else self.rows[:limit]
        head = "| " + " | ".join(self.columns) + " |"
        sep = (
            "|"
            + "|".join("---:" if _numeric(self, i) else "---" for i in range(len(self.columns)))
            + "|"
        )
        body = ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
        out = [f"### {self.title or self.name}", "", head, sep, *body]
        if limit is not None and len(self.rows) > limit:
            out.append(f"\n… {len(self.rows) - limit} more rows (see the CSV export)")
        out.extend(f"\n> {n}" for n in self.notes)
        return "\n".join(out)


@dataclass(slots=True)
class Report:
    """The result of one analysis over one selection.

    `metrics` holds the headline numbers (for the summary: domain.md §1 names as keys);
    `notes` says what people should know (an empty selection, a theoretical figure, a
    fallback from rollups to a full scan).
    """

    kind: str
    selection: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False  # the store holds posts made by `radsocial generate`

    @property
    def empty(self) -> bool:
        return not any(t.rows for t in self.tables) and not any(
            _truthy(v) for v in self.metrics.values()
        )

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(
            f"no table {name!r} in the {self.kind} report; have {[t.name for t in self.tables]}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "report": self.kind,
            "selection": self.selection,
            "params": {k: _plain(v) for k, v in self.params.items()},
            **{k: _plain_deep(v) for k, v in self.metrics.items()},
            "tables": {t.name: t.to_json() for t in self.tables},
            "notes": self.notes,
            **({"synthetic": True} if self.synthetic else {}),
        }

    def to_markdown(self, limit: int | None = 50) -> str:
        title = self.kind.replace("_", " ").title()
        out = [f"## {title}", ""]
        if self.selection:
            out.append("Selection: " + ", ".join(f"{k}={v}" for k, v in self.selection.items()))
            out.append("")
        for n in self.notes:
            out.append(f"> {n}")
        if self.notes:
            out.append("")
        flat = {k: v for k, v in self.metrics.items() if not isinstance(v, dict | list)}
        headline = {k: v for k, v in self.metrics.items() if isinstance(v, dict) and "value" in v}
        other = {k: v for k, v in self.metrics.items() if isinstance(v, dict) and "value" not in v}
        if flat:
            out += ["| metric | value |", "|---|---:|"]
            out += [f"| {k} | {_md_cell(v)} |" for k, v in flat.items()]
            out.append("")
        if headline and not any(t.name == "metrics" for t in self.tables):
            out += ["| metric | value | previous | change % |", "|---|---:|---:|---:|"]
            for k, v in headline.items():
                cells = (_md_cell(v.get(x)) for x in ("value", "previous", "change_pct"))
                out.append(f"| {k} | " + " | ".join(cells) + " |")
            out.append("")
        for k, v in other.items():
            out.append(f"**{k}**: " + ", ".join(f"{kk} {_md_cell(vv)}" for kk, vv in v.items()))
            out.append("")
        for t in self.tables:
            out += [t.to_markdown(limit), ""]
        return "\n".join(out).rstrip() + "\n"

    def write_csv(self, target: str | Path) -> list[Path]:
        """One CSV per table: `target` is a folder, or a file name whose stem prefixes them."""
        target = Path(target)
        if target.suffix.lower() == ".csv":
            folder, stem = target.parent, target.stem
        else:
            folder, stem = target, self.kind
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for t in self.tables:
            p = folder / (f"{stem}.csv" if len(self.tables) == 1 else f"{stem}-{t.name}.csv")
            p.write_text(t.to_csv(), encoding="utf-8-sig")
            written.append(p)
        return written


def empty_note(selection: dict[str, Any]) -> str:
    """The sentence every analysis uses when nothing matches."""
    if not selection:
        return "The store holds no posts yet: import some with `radsocial import PATH`."
    what = ", ".join(f"{k}={v}" for k, v in selection.items())
    return f"No post matches this selection ({what}); the result is empty."


def _truthy(v: Any) -> bool:
    if isinstance(v, dict):
        return any(_truthy(x) for x in v.values())
    return bool(v)


def _plain(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, float) and v != v:  # NaN
        return None
    return v


#: Types `_plain` returns as they are: a row's values of these skip the call.
_AS_IS = frozenset({str, int, bool, type(None)})


def _plain_row(row: Sequence[Any]) -> list[Any]:
    """`_plain` of each value of a row; strings, integers and None are kept without a
    call — a call per value was 40 ms of the 130,000 values of a network section."""
    return [v if type(v) in _AS_IS else _plain(v) for v in row]


def _plain_deep(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain_deep(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain_deep(x) for x in v]
    return _plain(v)


def _csv_cell(v: Any) -> Any:
    v = _plain(v)
    if isinstance(v, list | tuple):
        return " ".join(str(x) for x in v)
    return "" if v is None else v


def _md_cell(v: Any) -> str:
    v = _plain(v)
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, list | tuple):
        v = " ".join(str(x) for x in v)
    return str(v).replace("|", "\\|").replace("\n", " ")


def _numeric(t: Table, i: int) -> bool:
    vals = [r[i] for r in t.rows[:20] if r[i] is not None]
    return bool(vals) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals)
