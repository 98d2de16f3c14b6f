"""One renderer for every analysis: the web pages and the self-contained reports share it.

Every page is a composition of `Report`s (radsocial.analytics). This module runs an
analysis safely for a page (`run_section`), turns request parameters into the values an
analysis accepts (`coerce_params`), and builds the Jinja environment whose macros draw
any `Table` with a `chart` hint through `static/radsocial.js` and Plotly.

It imports no web framework on purpose: `radsocial report ... -o report.html` renders
with the same templates without FastAPI installed.
"""

from __future__ import annotations

import inspect
import logging
import math
import numbers
import re
import types
import typing
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
import orjson
from markupsafe import Markup, escape

from radsocial.analytics import REPORTS, Report, Table, flag_synthetic
from radsocial.store import Selection, parse_when

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: Selection field -> query parameter, the same names as the CLI options.
SELECTION_PARAMS = {
    "query": "q",
    "hashtags": "hashtag",
    "keywords": "keyword",
    "accounts": "account",
    "platforms": "platform",
    "langs": "lang",
    "kinds": "kind",
    "since": "since",
    "until": "until",
    "stakeholders": "stakeholder",
    "relevant": "relevant",
}

#: Analysis arguments that a request may never set (they are the store and selection).
_RESERVED = {"store", "sel", "selection", "conn"}
#: Bounds for integer parameters from a request, so a URL cannot ask for a billion rows.
INT_LIMIT = 1_000_000


class BadInput(ValueError):
    """A request parameter that cannot be used; the message says what to send instead."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- plotly


@cache
def plotly_js_path() -> Path:
    """The plotly.min.js bundled in the installed `plotly` package (served, never committed).

    Hospital networks and these machines have no internet, so the chart library must
    come from the Python environment rather than a CDN.
    """
    try:
        import plotly
    except ImportError as exc:  # pragma: no cover - the web extra installs it
        raise RuntimeError(
            "the charting library comes from the 'plotly' package: pip install 'radsocial[web]'"
        ) from exc
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():  # pragma: no cover - a broken plotly install
        raise RuntimeError(f"plotly.min.js not found at {path}; reinstall the 'plotly' package")
    return path


@cache
def plotly_version() -> str:
    """plotly.js's version, for cache-busting the static URL."""
    head = plotly_js_path().read_text(encoding="utf-8", errors="replace")[:200]
    m = re.search(r"plotly\.js v([\w.]+)", head)
    return m.group(1) if m else "0"


# --------------------------------------------------------------------------- sections


@dataclass(slots=True)
class Section:
    """One analysis on a page: what was asked, and the report or why there is none.

    status: "ok", "unavailable" (the analysis module is not in this version),
    "bad_input" (a parameter the analysis refused) or "error" (it failed; logged).
    """

    kind: str
    selection: Selection
    params: dict[str, Any] = field(default_factory=dict)
    report: Report | None = None
    status: str = "ok"
    message: str = ""
    title: str = ""
    anchor: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.report is not None

    def query(self, extra: Mapping[str, Any] | None = None) -> str:
        """The API query string that reproduces this section (selection + params)."""
        pairs = selection_pairs(self.selection)
        for k, v in {**self.params, **(extra or {})}.items():
            if v is None:
                continue
            if isinstance(v, list | tuple):
                pairs.extend((k, _param_text(x)) for x in v)
            else:
                pairs.append((k, _param_text(v)))
        return urlencode(pairs)

    def csv_url(self, table: str) -> str:
        return f"/api/report/{self.kind}?" + self.query({"format": "csv", "table": table})

    def json_url(self) -> str:
        return f"/api/report/{self.kind}?" + self.query()

    def fragment_url(self) -> str:
        """Where the browser fetches a section the page did not compute yet."""
        return f"/fragment/{self.kind}?" + self.query({"title": self.title})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "status": self.status}
        if self.status == "lazy":
            out["url"] = self.json_url()
        if self.message:
            out["message"] = self.message
        if self.report is not None:
            out["report"] = self.report.to_json()
        return out


def _param_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime | date):
        return v.isoformat()
    return str(v)


def selection_pairs(sel: Selection) -> list[tuple[str, str]]:
    """A selection as (query parameter, value) pairs, lists repeated."""
    pairs: list[tuple[str, str]] = []
    for f in fields(sel):
        v = getattr(sel, f.name)
        if v in (None, (), ""):
            continue
        name = SELECTION_PARAMS[f.name]
        if isinstance(v, tuple):
            pairs.extend((name, str(x)) for x in v)
        else:
            pairs.append((name, _param_text(v)))
    return pairs


def selection_query(sel: Selection, **extra: Any) -> str:
    pairs = selection_pairs(sel)
    pairs.extend((k, _param_text(v)) for k, v in extra.items() if v not in (None, ""))
    return urlencode(pairs)


def analysis_function(kind: str) -> Any:
    """The function behind a report kind.

    Raises KeyError for an unknown kind and ImportError when the module (or the function
    in it) is not part of this version — analytics modules land one by one, and a page
    says "not available" instead of failing.
    """
    if kind not in REPORTS:
        raise KeyError(kind)
    module, name = REPORTS[kind].split(":")
    from importlib import import_module

    try:
        mod = import_module(module)
    except ImportError as exc:
        raise ImportError(_unavailable_message(kind, exc)) from exc
    fn = getattr(mod, name, None)
    if fn is None:
        raise ImportError(f"the {kind} analysis ({REPORTS[kind]}) is not available in this version")
    return fn


def _unavailable_message(kind: str, exc: ImportError) -> str:
    missing = getattr(exc, "name", None) or ""
    if missing and not missing.startswith("radsocial"):
        return f"the {kind} analysis needs the Python package {missing!r}, which is not installed"
    return f"the {kind} analysis is not available in this version of radsocial"


def available(kind: str) -> bool:
    try:
        analysis_function(kind)
    except (KeyError, ImportError):
        return False
    return True


def parameters(kind: str) -> dict[str, inspect.Parameter]:
    """The parameters a request may set for a report kind: those after the store and
    the selection whose type a query string can express (str, numbers, booleans,
    dates, lists of strings) — not, say, a `registry` object."""
    fn = analysis_function(kind)
    sig = inspect.signature(fn)
    hints = _hints(kind)
    out = {}
    for i, (name, p) in enumerate(sig.parameters.items()):
        if i < 2 or name in _RESERVED or name.startswith("_"):
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if not _simple(hints.get(name, p.annotation)):
            continue
        out[name] = p
    return out


_SIMPLE = (str, int, float, bool, date, datetime, type(None))


def _simple(hint: Any) -> bool:
    opts = _options(hint)
    usable = [o for o in opts if o is not type(None)]
    for o in usable:
        if o in _SIMPLE or typing.get_origin(o) is typing.Literal:
            return True
        if _is_sequence(o):
            args = typing.get_args(o)
            if not args or args[0] in (str, Any):
                return True
    return False


def _hints(kind: str) -> dict[str, Any]:
    fn = analysis_function(kind)
    try:
        return typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: fall back to the raw strings
        return {k: p.annotation for k, p in inspect.signature(fn).parameters.items()}


def describe_parameters(kind: str) -> list[dict[str, Any]]:
    """Parameter names, types and defaults, for the API documentation."""
    hints = _hints(kind)
    out = []
    for name, p in parameters(kind).items():
        out.append(
            {
                "name": name,
                "type": _type_name(hints.get(name, p.annotation)),
                "default": None if p.default is inspect.Parameter.empty else _plain(p.default),
                "required": p.default is inspect.Parameter.empty,
            }
        )
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, str | int | float | bool | list | dict) or v is None:
        return v
    return str(v)


def _type_name(t: Any) -> str:
    if t is inspect.Parameter.empty:
        return "string"
    if isinstance(t, str):
        return t
    return getattr(t, "__name__", None) or str(t).replace("typing.", "")


def coerce_params(kind: str, raw: Mapping[str, list[str]]) -> dict[str, Any]:
    """Turn query-string values into the analysis's arguments, by its type hints.

    Unknown names and values of the wrong type raise BadInput naming what is accepted,
    so a typo answers 400 with a readable message rather than being silently ignored.
    """
    params = parameters(kind)
    hints = _hints(kind)
    out: dict[str, Any] = {}
    for name, values in raw.items():
        if name not in params:
            allowed = ", ".join(params) or "none"
            raise BadInput(f"unknown parameter {name!r} for the {kind} report; it takes: {allowed}")
        out[name] = _coerce(name, values, hints.get(name, params[name].annotation))
    missing = [
        n for n, p in params.items() if p.default is inspect.Parameter.empty and n not in out
    ]
    if missing:
        raise BadInput(f"the {kind} report needs the parameter(s): {', '.join(missing)}")
    return out


def _coerce(name: str, values: list[str], hint: Any) -> Any:
    options = _options(hint)
    many = any(_is_sequence(o) for o in options)
    if many:
        inner = [a for o in options if _is_sequence(o) for a in typing.get_args(o)[:1]]
        item_hint = inner[0] if inner else str
        items = [v for raw in values for v in _split(raw)]
        return tuple(_coerce_one(name, v, [item_hint]) for v in items)
    if len(values) > 1:
        raise BadInput(f"parameter {name!r} takes one value, got {len(values)}")
    value = values[0]
    if value == "" and type(None) in options:
        return None
    return _coerce_one(name, value, options)


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def _options(hint: Any) -> list[Any]:
    if isinstance(hint, str):  # unresolved annotation text: read the simple cases
        names = [h.strip() for h in hint.split("|")]
        table = {
            "int": int,
            "float": float,
            "bool": bool,
            "str": str,
            "None": type(None),
            "date": date,
            "datetime": datetime,
        }
        return [table.get(n, str) for n in names]
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return list(typing.get_args(hint))
    if hint is inspect.Parameter.empty or hint is Any:
        return [str]
    return [hint]


def _is_sequence(t: Any) -> bool:
    return typing.get_origin(t) in (tuple, list, set, frozenset, Iterable, Sequence)


def _coerce_one(name: str, value: str, options: list[Any]) -> Any:
    value = value.strip()
    if len(value) > 500:
        raise BadInput(f"parameter {name!r} is too long (at most 500 characters)")
    kinds = [
        o
        for o in options
        if o is not type(None) and (o in _SIMPLE or typing.get_origin(o) is typing.Literal)
    ] or [str]
    errors = []
    for t in kinds:
        try:
            return _convert(value, t)
        except (ValueError, TypeError) as exc:
            errors.append(str(exc))
    raise BadInput(f"parameter {name!r}: {errors[0]}")


def _convert(value: str, t: Any) -> Any:
    if typing.get_origin(t) is typing.Literal:
        allowed = typing.get_args(t)
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(map(str, allowed))}")
        return value
    if t is bool:
        low = value.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{value!r} is not true or false")
    if t is int:
        try:
            n = int(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
        if abs(n) > INT_LIMIT:
            raise ValueError(f"{n} is out of range (at most {INT_LIMIT:,})")
        return n
    if t is float:
        try:
            x = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if not math.isfinite(x):
            raise ValueError(f"{value!r} is not a finite number")
        return x
    if t is datetime:
        return parse_when(value, "value")
    if t is date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if t is str:
        return value
    raise TypeError(f"{value!r} cannot be given in a URL")


def run_section(
    store: Any, kind: str, sel: Selection, *, title: str = "", **params: Any
) -> Section:
    """Run one analysis for a page; never raises for a missing module or a failure.

    A page composes several analyses: one that is missing in this version, refuses a
    parameter or fails must not take the others down with it.
    """
    sec = Section(kind, sel, dict(params), title=title, anchor=slug(title or kind))
    try:
        fn = analysis_function(kind)
    except KeyError:
        sec.status = "unavailable"
        sec.message = f"The {kind} analysis is not available in this version of radsocial."
        return sec
    except ImportError as exc:
        sec.status, sec.message = "unavailable", str(exc).capitalize() + "."
        return sec
    accepted = inspect.signature(fn).parameters
    call = {k: v for k, v in params.items() if k in accepted}
    try:
        sec.report = flag_synthetic(fn(store, sel, **call), store)
    except (BadInput, ValueError) as exc:
        sec.status, sec.message = "bad_input", str(exc)
    except Exception:
        log.exception("the %s analysis failed (params %s)", kind, call)
        sec.status = "error"
        sec.message = (
            f"The {kind} analysis failed on this selection; the server log has the details."
        )
    return sec


# --------------------------------------------------------------------------- jinja


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_url(value: Any) -> str | None:
    """The URL if it is a plain http(s) link, else None.

    Post texts, bios and URLs come from strangers: a `javascript:` or `data:` URL must
    never become a link. Control characters and spaces are stripped first, because
    browsers ignore them inside a scheme ("java\\tscript:").
    """
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if _CONTROL.search(text) or len(text) > 4000:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def link(url: Any, text: Any = None) -> Markup:
    """An outbound link (escaped), or just the escaped text when the URL is not safe."""
    shown = url if text is None else text
    good = safe_url(url)
    if good is None:
        return Markup(f"<span class='rs-unsafe-url'>{escape(shown or '')}</span>")
    return Markup(
        f"<a href='{escape(good)}' rel='noopener noreferrer nofollow' target='_blank'>"
        f"{escape(shown)}</a>"
    )


def fmt_num(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "—"
        if v == int(v) and abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def fmt_when(v: Any) -> str:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    return "" if v is None else str(v)


_HASHTAG_COLS = {"hashtag", "tag", "cohashtag"}
_ACCOUNT_COLS = {"account", "handle", "author", "author_handle", "user", "mention"}
_URL_COLS = {"url", "link", "post_url"}


def cell(value: Any, column: str = "", interactive: bool = True) -> Markup:
    """A table cell: numbers formatted, http(s) URLs as links, the rest as escaped text.

    With `interactive`, hashtags link to their page and handles to the explorer, so
    every table on a page leads somewhere (the standalone report keeps plain text).
    Built with `escape` and f-strings: `Markup.format` went through string.Formatter,
    0.1 s of the 13,000 cells of a tweetchat section (measured).
    """
    return Markup(_cell_html(value, column.lower(), interactive))


def _cell_html(value: Any, col: str, interactive: bool) -> str:
    """`cell`'s HTML as a str (`col` lower-cased); every value in it escaped."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(x) for x in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(escape(fmt_num(value)))
    if value is None:
        return "<span class='rs-muted'>—</span>"
    if isinstance(value, datetime | date):
        return str(escape(fmt_when(value)))
    text = str(value)
    if col in _URL_COLS or (
        col.endswith("_url") and text.lower().startswith(("http://", "https://"))
    ):
        return str(link(text, _shorten(text)))
    if interactive and col in _HASHTAG_COLS and text:
        tag = text.lstrip("#")
        return f"<a href='/hashtag/{escape(_path_part(tag))}'>#{escape(tag)}</a>"
    if interactive and col in _ACCOUNT_COLS and text:
        handle = text.lstrip("@")
        return f"<a href='/explore?{escape(urlencode({'account': handle}))}'>@{escape(handle)}</a>"
    return str(escape(text))


def _is_number(v: Any) -> bool:
    """Jinja's `v is number and v is not true and v is not false`."""
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


def table_rows(t: Table, interactive: bool = True, limit: int = 100) -> Markup:
    """The `<tr>` rows of a data table's body (its first `limit` rows), as the
    `data_table` macro shows them: built here, not by a Jinja loop over every cell,
    which cost 50 ms of a tweetchat section's 21 tables (measured)."""
    cols = [c.lower() for c in t.columns]
    text_col = [c == "text" for c in t.columns]
    out: list[str] = []
    for row in t.rows[:limit]:
        out.append("  <tr>")
        for i, v in enumerate(row):
            attrs = f' class="rs-num" data-v="{escape(v)}"' if _is_number(v) else ""
            if text_col[i]:
                attrs += ' class="rs-celltext"'
            out.append(f"<td{attrs}>{_cell_html(v, cols[i], interactive)}</td>")
        out.append("</tr>\n")
    return Markup("".join(out))


def _path_part(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _shorten(url: str, n: int = 42) -> str:
    """A long URL as host…end, so a table column of links stays narrow."""
    text = url.split("://", 1)[-1]
    if len(text) <= n:
        return text
    return text[: n // 2 - 1] + "…" + text[-(n // 2) :]


def table_json(t: Table) -> dict[str, Any]:
    """What radsocial.js needs to draw a table (JSON-ready; NaN becomes null)."""
    return t.to_json()


def is_numeric_column(t: Table, i: int) -> bool:
    vals = [r[i] for r in t.rows[:30] if r[i] is not None]
    return bool(vals) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals)


_LABELS = {
    "ct": "CT",
    "mri": "MRI",
    "pet_spect": "PET / SPECT",
    "msk": "MSK",
    "ai_informatics": "AI / informatics",
    "hcp": "HCP",
    "other_hcp": "Other HCP",
    "spam_bot": "Spam / bot",
    "pct": "%",
}


def metric_label(key: str) -> str:
    """A column, metric or code value as people read it ('pet_spect' -> 'PET / SPECT')."""
    if key in _LABELS:
        return _LABELS[key]
    text = key.replace("_", " ").strip()
    return (text[:1].upper() + text[1:]).replace(" pct", " %")


def metric_cards(metrics: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Headline figures as cards; a {current, previous, change} dict becomes one card
    with its comparison (domain.md: every number beside the preceding period)."""
    cards = []
    for k, v in metrics.items():
        if isinstance(v, dict):
            cur = _first(v, ("current", "value", "this", "now"))
            prev = _first(v, ("previous", "prev", "before", "last"))
            chg = _first(v, ("change_pct", "change", "pct_change", "delta_pct"))
            if cur is not _MISSING:
                cards.append(
                    {
                        "key": k,
                        "label": metric_label(k),
                        "value": cur,
                        "previous": None if prev is _MISSING else prev,
                        "change": None if chg is _MISSING else chg,
                        "text": False,
                        "long": False,
                    }
                )
            continue
        if isinstance(v, list):
            continue
        cards.append(
            {
                "key": k,
                "label": metric_label(k),
                "value": v,
                "previous": None,
                "change": None,
                "text": isinstance(v, str),
                "long": isinstance(v, str) and len(v) > 40,
            }
        )
    return cards


def metric_tables(metrics: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Nested metrics that are not comparisons, as small tables (title, columns, rows)."""
    out = []
    for k, v in metrics.items():
        if isinstance(v, dict) and _first(v, ("current", "value", "this", "now")) is _MISSING:
            flat = {kk: vv for kk, vv in v.items() if not isinstance(vv, dict | list)}
            nested = {kk: vv for kk, vv in v.items() if isinstance(vv, dict)}
            if flat:
                out.append((metric_label(k), ["", "value"], [[a, b] for a, b in flat.items()]))
            if nested:
                cols = sorted({c for d in nested.values() for c in d})
                rows = [[a, *(d.get(c) for c in cols)] for a, d in nested.items()]
                out.append((metric_label(k), ["", *cols], rows))
    return out


_MISSING = object()


def _first(d: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for k in keys:
        if k in d:
            return d[k]
    return _MISSING


def change_class(change: Any) -> str:
    if not isinstance(change, int | float) or isinstance(change, bool):
        return ""
    return "rs-up" if change > 0 else "rs-down" if change < 0 else ""


def fmt_change(change: Any) -> str:
    if not isinstance(change, int | float) or isinstance(change, bool):
        return ""
    if not math.isfinite(change):
        return "new"
    sign = "+" if change > 0 else ""
    return f"{sign}{change:,.1f} %"


def slug(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-") or "section"


def _stakeholders() -> tuple[str, ...]:
    from radsocial.analysis.taxonomy import STAKEHOLDERS

    return STAKEHOLDERS


def _dumps(obj: Any, sort_keys: bool = False, **kwargs: Any) -> str:
    """JSON for the `tojson` filter by orjson (Jinja escapes <, >, & and ' after it):
    json.dumps took 50 ms of a network section's 650 KB of tables (measured). The
    same values; non-ASCII text is written as UTF-8 rather than \\u escapes, and a
    value orjson refuses (an integer beyond 64 bits) goes through json.dumps."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        return orjson.dumps(obj, option=option).decode()
    except TypeError:
        import json

        return json.dumps(obj, sort_keys=sort_keys, **kwargs)


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment: autoescape on for every template, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_function"] = _dumps
    env.filters.update(
        num=fmt_num,
        when=fmt_when,
        safe_url=safe_url,
        link=link,
        cell=cell,
        change_class=change_class,
        fmt_change=fmt_change,
        slug=slug,
        label=metric_label,
        pathq=_path_part,
    )
    env.globals.update(
        table_json=table_json,
        is_numeric_column=is_numeric_column,
        table_rows=table_rows,
        metric_cards=metric_cards,
        metric_tables=metric_tables,
        selection_query=selection_query,
        stakeholder_values=_stakeholders(),
    )
    return env
