"""The HTML pages. Each page is built by a `*_data` function that returns plain data
(sections of analyses, posts, rows); the page renders it with Jinja and the API serves
the same data as JSON under /api/pages/…, so every page has its JSON behind it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from radsocial import __version__
from radsocial.analysis.taxonomy import STAKEHOLDERS
from radsocial.knowledge.registry import default_registry, normalize_tag
from radsocial.models import PLATFORMS, utc
from radsocial.store import Selection
from radsocial.web import coding, data
from radsocial.web.deps import (
    LoginRequired,
    csrf_protect,
    csrf_token,
    current_user,
    get_store,
    require_admin,
    require_user,
)
from radsocial.web.render import (
    BadInput,
    Section,
    analysis_function,
    coerce_params,
    environment,
    parameters,
    plotly_version,
    run_section,
    selection_query,
    slug,
)
from radsocial.web.security import (
    SecurityError,
    User,
    add_user,
    authenticate,
    create_token,
    list_users,
    new_csrf_token,
    revoke_token,
)
from radsocial.web.selection import PARAM_FIELDS, form_values, multi, parse_selection

log = logging.getLogger(__name__)

router = APIRouter(dependencies=[Depends(require_user)], include_in_schema=False)
public = APIRouter(include_in_schema=False)

NAV = [
    ("/", "Overview"),
    ("/explore", "Explore"),
    ("/hashtags", "Hashtags"),
    ("/conferences", "Conferences"),
    ("/tweetchats", "Tweetchats"),
    ("/influencers", "Influencers"),
    ("/accounts", "Accounts"),
    ("/imports", "Collections"),
    ("/labels", "Labelling"),
    ("/settings", "Settings"),
]
PAGE_PARAMS = {"days", "cursor", "order", "limit", "format", "interval"}
CACHE_MAX = 256


# --------------------------------------------------------------------------- helpers


def params_of(request: Request) -> dict[str, list[str]]:
    return multi(request.query_params.multi_items())


def split_params(params: dict[str, list[str]]) -> tuple[Selection, dict[str, list[str]]]:
    """(the selection, the remaining parameters) of a request."""
    sel = parse_selection(params)
    rest = {k: v for k, v in params.items() if k not in PARAM_FIELDS and k not in PAGE_PARAMS}
    return sel, rest


def _data_version(request: Request) -> tuple[Any, ...]:
    if "rs_version" not in request.scope:
        request.scope["rs_version"] = (
            *data.data_version(request.app.state.store),
            getattr(request.app.state, "generation", 0),
        )
    return request.scope["rs_version"]  # type: ignore[no-any-return]


def section(
    request: Request,
    kind: str,
    sel: Selection,
    *,
    title: str = "",
    lazy: bool | None = None,
    **params: Any,
) -> Section:
    """Run an analysis for a page, or reuse the result of the same request.

    A result stays valid while the data version holds (no post added, no import or
    classifier run, no label or setting changed through the app) and for at most
    `cache_seconds` — the bound for changes made behind the app's back, such as
    `radsocial label import`.
    """
    state = request.app.state
    ttl = state.cache_seconds
    if lazy is None:  # HTML pages leave uncomputed sections to the browser
        lazy = bool(request.scope.get("rs_lazy"))
    if ttl <= 0:
        if lazy:
            return Section(
                kind, sel, dict(params), status="lazy", title=title, anchor=slug(title or kind)
            )
        return run_section(state.store, kind, sel, title=title, **params)
    key = (kind, sel, title, tuple(sorted((k, repr(v)) for k, v in params.items())))
    version = _data_version(request)
    now = time.monotonic()
    hit = state.cache.get(key)
    if hit is not None and hit[0] == version and now - hit[1] < ttl:
        return hit[2]  # type: ignore[no-any-return]
    if lazy:  # the page shows at once; the browser fetches this section (/fragment/…)
        return Section(
            kind, sel, dict(params), status="lazy", title=title, anchor=slug(title or kind)
        )
    sec = run_section(state.store, kind, sel, title=title, **params)
    if sec.status in ("ok", "unavailable"):
        if len(state.cache) >= CACHE_MAX:
            for k in list(state.cache)[: CACHE_MAX // 4]:
                state.cache.pop(k, None)
        state.cache[key] = (version, now, sec)
    return sec


def memo(request: Request, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A value cached like an analysis result (same data version, same age limit)."""
    state = request.app.state
    if state.cache_seconds <= 0:
        return compute()
    version = _data_version(request)
    hit = state.cache.get(("memo", *key))
    now = time.monotonic()
    if hit is not None and hit[0] == version and now - hit[1] < state.cache_seconds:
        return hit[2]
    value = compute()
    state.cache[("memo", *key)] = (version, now, value)
    return value


#: The pages a visitor opens first, computed ahead (see `warm`) so that their first
#: visit after an import is as quick as the next ones.
WARM_PAGES = (
    "overview",
    "explore",
    "hashtags",
    "influencers",
    "accounts",
    "imports",
    "labels",
)


def warm(app: Any) -> int:
    """Compute the default view of WARM_PAGES into the cache; returns how many pages.

    Run by the app's warm-up thread at start and after every data change. Failures
    are logged and skipped: warming is an optimisation, never a reason to fail.
    """
    from starlette.requests import Request as StarletteRequest

    done = 0
    for name in WARM_PAGES:
        scope = {
            "type": "http",
            "app": app,
            "method": "GET",
            "path": "/",
            "query_string": b"",
            "headers": [],
            "session": {},
        }
        try:
            PAGES[name](StarletteRequest(scope), {})
            done += 1
        except Exception:
            log.warning("warming the %s page failed", name, exc_info=True)
    return done


def side_by_side(request: Request, makers: Sequence[Callable[[], Section]]) -> list[Section]:
    """Compute a page's sections two at a time, in page order.

    A page's JSON (`/api/pages/…`) computes every section in one request; they are
    independent reads, and SQLite and PostgreSQL run a query without holding the GIL,
    so a second thread lets a request use the second core (the overview's six sections:
    0.37 s one after another on a 1M-post store). Lazy sections cost nothing and stay
    in this thread. Each section opens its own connection from the engine's pool, as
    concurrent requests do.
    """
    if request.scope.get("rs_lazy"):
        return [make() for make in makers]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="radsocial-section") as pool:
        return list(pool.map(lambda make: make(), makers))


def timeseries_section(
    request: Request, sel: Selection, title: str, interval: str | None = None
) -> Section:
    """A time series whose buckets suit the span: days, unless that makes more than
    ~1,000 points (then weeks, then months), so thirteen years do not draw 5,000 bars."""
    if interval:
        return section(request, "timeseries", sel, title=title, interval=interval)
    if sel.since and sel.until:
        days = (sel.until - sel.since).days
        interval = "day" if days <= 1000 else "week" if days <= 7000 else "month"
        return section(request, "timeseries", sel, title=title, interval=interval)
    if request.scope.get("rs_lazy"):
        sec = section(request, "timeseries", sel, title=title, interval="day")
        if sec.status == "lazy":  # the fragment picks the interval when it runs
            sec.params = {"interval": "auto"}
            return sec
    # memoized like the sections, so that a cached series is not preceded by the
    # uncached reading of its period
    interval = memo(request, ("auto_interval", sel), lambda: _auto_interval(request, sel))
    return section(request, "timeseries", sel, title=title, interval=interval)


def _auto_interval(request: Request, sel: Selection) -> str:
    """Day, week or month: the finest whose zero-filled series has at most 1,000 rows,
    counted from the selection's period (`timeseries.bucket_count`) — the series used to
    be computed by day, then again by week and month while too long (three passes over
    a full-text query's posts, 1 s at 1M posts, measured)."""
    from radsocial.analytics.scope import connect, period, zone
    from radsocial.analytics.timeseries import bucket_count

    try:
        with connect(request.app.state.store) as conn:
            per = period(conn, sel)
    except Exception:  # the section reports the failure itself
        return "day"
    if per is None:
        return "day"
    for interval in ("day", "week"):
        if bucket_count(per.since, per.until, interval, zone("UTC")) <= 1000:
            return interval
    return "month"


def interval_param(params: dict[str, list[str]]) -> str | None:
    v = (params.get("interval") or [""])[-1].strip()
    if v and v not in ("hour", "day", "week", "month", "year"):
        raise BadInput("interval: hour, day, week, month or year")
    return v or None


def bump_generation(request: Request) -> None:
    """Labels or settings changed: cached analyses may be stale."""
    request.app.state.generation = getattr(request.app.state, "generation", 0) + 1


def main_param(kind: str, candidates: tuple[str, ...]) -> str | None:
    """The name under which a page passes its path argument (e.g. the meeting) to an
    analysis: the first of `candidates` the function takes, else its first required
    parameter."""
    try:
        params = parameters(kind)
    except (ImportError, KeyError):
        return None
    for c in candidates:
        if c in params:
            return c
    for name, p in params.items():
        if p.default is p.empty:
            return name
    return None


def parameters_or_empty(kind: str) -> dict[str, Any]:
    try:
        return dict(parameters(kind))
    except (ImportError, KeyError):
        return {}


def extra_params(kind: str, rest: dict[str, list[str]]) -> dict[str, Any]:
    """Report parameters given on a page's URL, coerced (BadInput on a bad one)."""
    if not rest:
        return {}
    try:
        analysis_function(kind)
    except (ImportError, KeyError):
        return {}
    accepted = parameters(kind)
    unknown = [k for k in rest if k not in accepted]
    if unknown:
        raise BadInput(
            f"unknown parameter {unknown[0]!r}; this page takes the filters and: "
            + (", ".join(accepted) or "nothing else")
        )
    return coerce_params_partial(kind, rest)


def coerce_params_partial(kind: str, rest: dict[str, list[str]]) -> dict[str, Any]:
    try:
        return coerce_params(kind, rest)
    except BadInput as exc:
        if "needs the parameter" in str(exc):  # the page supplies the required ones
            from radsocial.web.render import _coerce, _hints

            hints = _hints(kind)
            params = parameters(kind)
            return {k: _coerce(k, v, hints.get(k, params[k].annotation)) for k, v in rest.items()}
        raise


def int_param(params: dict[str, list[str]], name: str, default: int, lo: int, hi: int) -> int:
    vals = params.get(name)
    if not vals or not vals[-1].strip():
        return default
    try:
        n = int(vals[-1])
    except ValueError:
        raise BadInput(f"{name}: {vals[-1]!r} is not a whole number") from None
    if not lo <= n <= hi:
        raise BadInput(f"{name}: between {lo} and {hi}, not {n}")
    return n


def default_period(store: Any, sel: Selection, days: int) -> Selection:
    """The selection over the last `days` days of data (ending at the newest post, so a
    store of 2014 tweets shows 2014, not an empty 'last month')."""
    if sel.since or sel.until:
        return sel
    last = data.latest_post_time(store)
    if last is None:
        return sel
    end = datetime.combine(last.date() + timedelta(days=1), datetime.min.time())
    end = utc(end)
    return replace(sel, since=end - timedelta(days=days), until=end)


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page with what every page shows (user, nav, CSRF token, version)."""
    try:
        user = current_user(request)
    except BadInput:
        user = None
    store = request.app.state.store
    base = {
        "user": user,
        "loopback": request.app.state.loopback,
        "csrf": csrf_token(request),
        "nav": NAV,
        "path": request.url.path,
        "query": request.url.query,
        "version": __version__,
        "plotly_v": plotly_version(),
        "store_location": store.location if request.app.state.loopback else "",
        "charts": True,
        "json_url": None,
        "empty": False,
        "synthetic": store.has_synthetic(),
    }
    base.update(ctx)
    html = environment().get_template(template).render(**base)
    return HTMLResponse(html, status_code=status)


def render_error(request: Request, status: int, message: str) -> Response:
    """An error page (escaped message, no stack trace)."""
    try:
        return render(
            request,
            "error.html",
            status=status,
            title=f"Error {status}",
            message=message,
            charts=False,
        )
    except Exception:  # even the error page failed: plain text, still no trace
        return HTMLResponse(f"Error {status}", status_code=status)


def page_json(result: dict[str, Any]) -> dict[str, Any]:
    """A page's data as JSON: sections become their reports' JSON."""
    out: dict[str, Any] = {}
    for k, v in result.items():
        if isinstance(v, Section):
            out[k] = v.to_json()
        elif isinstance(v, list) and v and all(isinstance(x, Section) for x in v):
            out[k] = [x.to_json() for x in v]
        elif isinstance(v, Selection):
            out[k] = v.describe()
        elif k in ("form",):
            continue
        else:
            out[k] = _jsonable(v)
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Section):
        return v.to_json()
    return v


def empty_context(store: Any) -> dict[str, Any]:
    return {"empty": data.is_empty(store)}


# --------------------------------------------------------------------------- page data


def overview_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    days = int_param(params, "days", 30, 1, 3660)
    sel0, rest = split_params(params)
    if rest:
        raise BadInput(
            f"unknown parameter {next(iter(rest))!r}; the overview takes the filters and days"
        )
    sel = default_period(store, sel0, days)
    tracked = data.get_setting(store, "tracked_hashtags") or []
    interval = interval_param(params)
    sections = side_by_side(
        request,
        [
            # the slowest first, so that the other thread takes the rest meanwhile
            lambda: section(request, "census", sel, title="Stakeholder mix", group="stakeholders"),
            lambda: section(
                request, "summary", sel, title="This period against the last", compare=True
            ),
            lambda: timeseries_section(request, sel, "Volume", interval),
            lambda: section(request, "spikes", sel, title="Spikes"),
            lambda: section(request, "top", sel, title="Top conversations", what="hashtags", n=15),
            lambda: section(request, "top", sel, title="Top accounts", what="accounts", n=15),
        ],
    )
    sections.append(sections.pop(0))  # shown last, as before
    return {
        "title": "Overview",
        "selection": sel,
        "days": days,
        "sections": sections,
        "tracked_hashtags": tracked,
        "form": form_values(sel),
    }


def explore_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    sel, rest = split_params(params)
    if rest:
        raise BadInput(
            f"unknown parameter {next(iter(rest))!r}; the explorer takes q, hashtag, keyword, "
            "account, platform, lang, kind, since, until, stakeholder, relevant, cursor, order, limit"
        )
    limit = int_param(params, "limit", 50, 1, data.PAGE_MAX)
    order = (params.get("order") or ["newest"])[-1]
    if order not in ("newest", "oldest"):
        raise BadInput("order: newest or oldest")
    cursor = (params.get("cursor") or [None])[-1] or None
    posts, nxt = data.post_page(
        store, sel, limit=limit, cursor=cursor, newest_first=order == "newest"
    )
    sections = [
        timeseries_section(request, sel, "Posts over time", interval_param(params)),
        section(request, "top", sel, title="Top hashtags", what="hashtags", n=15),
        section(request, "top", sel, title="Top accounts", what="accounts", n=15),
    ]
    # The time series counts every match (from rollups where it can); else a bounded
    # count says "1,000+" without scanning a million posts.
    total = (
        sections[0].report.metrics.get("posts") if sections[0].ok and sections[0].report else None
    )
    if isinstance(total, int) and not isinstance(total, bool):
        count, more = total, False
    else:
        count, more = data.count_posts(store, sel, cap=1000)
    next_url = None
    if nxt:
        next_url = "/explore?" + selection_query(sel, cursor=nxt, order=order, limit=limit)
    return {
        "title": "Explore",
        "selection": sel,
        "posts": posts,
        "count": count,
        "count_more": more,
        "next_cursor": nxt,
        "next_url": next_url,
        "order": order,
        "sections": sections,
        "form": form_values(sel),
    }


def hashtags_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    sel, _ = split_params(params)
    reg = default_registry()
    known = [
        {"tag": h.tag, "kind": h.kind, "imaging": h.imaging, "description": h.description}
        for h in sorted(reg.hashtags.values(), key=lambda h: (h.kind, h.tag.lower()))
    ]
    tracked = data.get_setting(store, "tracked_hashtags") or []
    return {
        "title": "Hashtags",
        "selection": sel,
        "sections": [
            section(request, "top", sel, title="Most used hashtags", what="hashtags", n=50)
        ],
        "registry": known,
        "tracked_hashtags": tracked,
        "form": form_values(sel),
    }


def hashtag_data(request: Request, params: dict[str, list[str]], tag: str) -> dict[str, Any]:
    tag = tag.strip().lstrip("#")
    if not tag or len(tag) > 200:
        raise BadInput("a hashtag of 1 to 200 characters")
    base, rest = split_params(params)
    if rest:
        raise BadInput(f"unknown parameter {next(iter(rest))!r}; this page takes the filters")
    sel = replace(base, hashtags=(tag,))
    reg = default_registry()
    info = reg.hashtag(tag)
    meeting = reg.meeting_for_hashtag(tag)
    chat = reg.tweetchat_for_hashtag(tag)
    return {
        "title": f"#{tag}",
        "tag": tag,
        "selection": sel,
        "kind": reg.hashtag_kind(tag),
        "description": info.description if info else "",
        "imaging": reg.is_imaging_hashtag(tag),
        "meeting": (
            {"key": meeting[0].key, "name": meeting[0].name, "year": meeting[1]}
            if meeting
            else None
        ),
        "tweetchat": {"key": chat.key, "name": chat.name} if chat else None,
        "sections": [
            section(request, "summary", sel, title="Summary", compare=True),
            timeseries_section(request, sel, "Activity", interval_param(params)),
            section(request, "top", sel, title="Top accounts", what="accounts", n=20),
            section(request, "top", sel, title="Hashtags used with it", what="hashtags", n=20),
            section(request, "top", sel, title="Most mentioned", what="mentions", n=20),
            section(request, "top", sel, title="Sites linked", what="domains", n=20),
        ],
        "form": form_values(base),
    }


def _custom_meetings(store: Any) -> dict[str, Any]:
    value = data.get_setting(store, "meetings")
    return value if isinstance(value, dict) else {}


def conferences_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    reg = default_registry()
    rows = []
    for m in sorted(reg.meetings.values(), key=lambda m: m.name.lower()):
        eds = []
        for year, ed in sorted(m.editions.items(), reverse=True):
            tag = m.hashtags_for(year)[0] if m.hashtags_for(year) else f"{m.key}{year}"
            eds.append(
                {
                    "year": year,
                    "tag": tag,
                    "start": ed.start.isoformat() if ed.start else None,
                    "end": ed.end.isoformat() if ed.end else None,
                    "location": ed.location,
                    "virtual": ed.virtual,
                }
            )
        rows.append(
            {
                "key": m.key,
                "name": m.name,
                "organiser": m.organiser,
                "patterns": list(m.patterns),
                "imaging": m.imaging,
                "editions": eds,
                "source": "registry",
            }
        )
    for key, m in sorted(_custom_meetings(store).items()):
        eds = [
            {
                "year": int(y),
                "tag": e.get("hashtag") or f"{key}{y}",
                "start": e.get("start"),
                "end": e.get("end"),
                "location": None,
                "virtual": None,
            }
            for y, e in sorted(m.get("editions", {}).items(), reverse=True)
        ]
        rows.append(
            {
                "key": key,
                "name": m.get("name", key),
                "organiser": "",
                "patterns": m.get("patterns", []),
                "imaging": True,
                "editions": eds,
                "source": "settings",
            }
        )
    return {"title": "Conferences", "meetings": rows}


def conference_data(request: Request, params: dict[str, list[str]], name: str) -> dict[str, Any]:
    store = request.app.state.store
    name = name.strip().lstrip("#")
    if not name or len(name) > 120:
        raise BadInput("a meeting tag such as RSNA2017, or a meeting key such as RSNA")
    base, rest = split_params(params)
    extra = extra_params("conference", rest)
    arg = main_param("conference", ("meeting", "name", "edition", "tag", "hashtag"))
    if arg and arg not in extra:
        extra[arg] = name
    custom = _custom_meetings(store)
    reg = default_registry()
    hit = reg.meeting_for_hashtag(name)
    info: dict[str, Any] = {}
    if hit:
        info = {"key": hit[0].key, "name": hit[0].name, "year": hit[1]}
    for key, m in custom.items():  # an edition added in Settings gives its dates
        for year, e in (m.get("editions") or {}).items():
            if str(e.get("hashtag", "")).lower() == name.lower():
                info = info or {"key": key, "name": m.get("name", key), "year": int(year)}
                if "start" in parameters_or_empty("conference"):
                    extra.setdefault("start", date.fromisoformat(e["start"]))
                    extra.setdefault("end", date.fromisoformat(e["end"]))
    sec = section(request, "conference", base, title="Conference report", **extra)
    return {
        "title": f"Conference: {info.get('name') or name}",
        "name": name,
        "meeting": info,
        "selection": base,
        "sections": [sec],
        "form": form_values(base),
    }


def tweetchats_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    reg = default_registry()
    chats = [
        {
            "key": c.key,
            "hashtag": c.hashtag,
            "name": c.name,
            "hosts": list(c.hosts),
            "schedule": (
                {
                    "frequency": c.schedule.frequency,
                    "weekday": c.schedule.weekday,
                    "time": c.schedule.time,
                    "timezone": c.schedule.timezone,
                }
                if c.schedule
                else None
            ),
            "imaging": c.imaging,
            "note": c.note,
        }
        for c in sorted(reg.tweetchats.values(), key=lambda c: c.hashtag.lower())
    ]
    return {"title": "Tweetchats", "tweetchats": chats}


def tweetchat_data(request: Request, params: dict[str, list[str]], key: str) -> dict[str, Any]:
    key = key.strip().lstrip("#")
    if not key or len(key) > 120:
        raise BadInput("a tweetchat hashtag such as JACR")
    base, rest = split_params(params)
    extra = extra_params("tweetchat", rest)
    arg = main_param("tweetchat", ("chat", "hashtag", "tag", "name", "key"))
    reg = default_registry()
    chat = reg.tweetchat_for_hashtag(key) or reg.tweetchats.get(key)
    tag = chat.hashtag if chat else key
    if arg and arg not in extra:
        extra[arg] = tag
    sel = base if arg else replace(base, hashtags=(tag,))
    sec = section(request, "tweetchat", sel, title="Tweetchat", **extra)
    return {
        "title": f"Tweetchat #{tag}",
        "tag": tag,
        "chat": {"key": chat.key, "name": chat.name, "hosts": list(chat.hosts)} if chat else None,
        "selection": base,
        "sections": [sec],
        "form": form_values(base),
    }


def influencers_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    days = int_param(params, "days", 30, 1, 3660)
    sel0, rest = split_params(params)
    extra = extra_params("influence", {k: v for k, v in rest.items() if not k.startswith("net_")})
    net_extra = extra_params("network", {k[4:]: v for k, v in rest.items() if k.startswith("net_")})
    sel = default_period(store, sel0, days)
    return {
        "title": "Influencers and network",
        "selection": sel,
        "days": days,
        "sections": [
            section(request, "influence", sel, title="Influencers and rank moves", **extra),
            section(request, "network", sel, title="Conversation network", **net_extra),
        ],
        "form": form_values(sel),
    }


def accounts_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    sel, rest = split_params(params)
    extra = extra_params("census", rest)
    return {
        "title": "Accounts and census",
        "selection": sel,
        "sections": [
            section(
                request, "census", sel, title="Registry accounts: presence by platform", **extra
            ),
            section(request, "share_of_voice", sel, title="Share of voice"),
            section(request, "census", sel, title="Authors by stakeholder", group="stakeholders"),
            section(request, "top", sel, title="Most active accounts", what="accounts", n=50),
        ],
        "form": form_values(sel),
    }


def account_data(
    request: Request, params: dict[str, list[str]], platform: str, handle: str
) -> dict[str, Any]:
    store = request.app.state.store
    if platform not in PLATFORMS:
        raise BadInput(f"platform: one of {', '.join(PLATFORMS)}", 404)
    acc = data.account_detail(store, platform, handle)
    sel = Selection(accounts=(handle.lstrip("@"),), platforms=(platform,))
    posts, nxt = data.post_page(store, sel, limit=30)
    if acc is None and not posts:
        raise BadInput(f"no account @{handle} on {platform} in this store", 404)
    return {
        "title": f"@{handle.lstrip('@')} on {platform}",
        "platform": platform,
        "handle": handle.lstrip("@"),
        "account": acc,
        "posts": posts,
        "more_url": "/explore?" + selection_query(sel, cursor=nxt) if nxt else None,
        "selection": sel,
        "sections": [section(request, "summary", sel, title="Activity", compare=False)],
    }


def _gaps(sec: Section) -> list[dict[str, Any]]:
    """Runs of days with no post inside the collected span, from a daily time series."""
    if not sec.ok or sec.report is None or not sec.report.tables:
        return []
    t = sec.report.tables[0]
    if not t.rows or not t.columns:
        return []
    xcol = (t.chart or {}).get("x") or t.columns[0]
    ycol = (t.chart or {}).get("y") or ("posts" if "posts" in t.columns else t.columns[1])
    if isinstance(ycol, list):
        ycol = ycol[0]
    if xcol not in t.columns or ycol not in t.columns:
        return []
    days = {}
    for x, y in zip(t.column(xcol), t.column(ycol), strict=True):
        try:
            d = date.fromisoformat(str(x)[:10])
        except ValueError:
            return []
        days[d] = days.get(d, 0) + (y or 0)
    active = sorted(d for d, n in days.items() if n)
    out = []
    for a, b in pairwise(active):
        if (b - a).days > 1:
            out.append(
                {
                    "from": (a + timedelta(days=1)).isoformat(),
                    "to": (b - timedelta(days=1)).isoformat(),
                    "days": (b - a).days - 1,
                }
            )
    out.sort(key=lambda g: -g["days"])
    return out[:50]


def imports_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    sel, _ = split_params(params)
    series = section(  # computed here: the gaps are read from it
        request, "timeseries", sel, title="Posts collected per day", lazy=False, interval="day"
    )
    return {
        "title": "Collections and imports",
        "imports": data.import_rows(store),
        "sections": [series],
        "gaps": _gaps(series),
        "selection": sel,
    }


def import_data(request: Request, params: dict[str, list[str]], import_id: int) -> dict[str, Any]:
    store = request.app.state.store
    row = data.import_row(store, import_id)
    if row is None:
        raise BadInput(f"no import #{import_id}", 404)
    return {
        "title": f"Import #{import_id}",
        "import": row,
        "rejected": data.rejected_lines(store, import_id),
    }


def _coder(request: Request, params: dict[str, list[str]]) -> str:
    user = current_user(request)
    if user is not None and not user.local:
        return user.username
    given = (params.get("coder") or [""])[-1].strip()
    if given:
        return coding.check_coder(given)
    saved = request.session.get("coder")
    return saved if isinstance(saved, str) and saved else "coder1"


def labels_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    sel, _ = split_params(params)
    coder = _coder(request, params)
    post_id = int_param(params, "post", 0, 0, 2**62)
    after = int_param(params, "after", 0, 0, 2**62)
    item = (
        data.post_by_id(store, post_id)
        if post_id
        else coding.next_item(store, coder, sel, after=after)
    )
    if post_id and item is None:
        raise BadInput(f"no post {post_id}", 404)
    account = None
    codes: dict[str, list[str]] = {}
    if item:
        codes = coding.codes_of(store, item["id"], coder)
        if item.get("author_handle"):
            account = data.account_detail(store, item["platform"], item["author_handle"])
    # Both read every manual label (no index leads to them): computed once per data
    # version and label change, then reused.
    prog = memo(request, ("progress",), lambda: coding.progress(store))
    coders = [p["coder"] for p in prog]
    a = (params.get("a") or [""])[-1] or (coders[0] if coders else "")
    b = (params.get("b") or [""])[-1] or (coders[1] if len(coders) > 1 else "")
    agree = (
        memo(request, ("agreement", a, b), lambda: coding.agreement(store, a, b))
        if a and b and a != b
        else None
    )
    return {
        "title": "Labelling",
        "coder": coder,
        "selection": sel,
        "item": item,
        "account": account,
        "codes": codes,
        "tasks": {k: list(v[0]) for k, v in coding.POST_TASKS.items()},
        "multi": [k for k, v in coding.POST_TASKS.items() if v[1]],
        "stakeholders": list(STAKEHOLDERS),
        "progress": prog,
        "coding_set": coding.coding_set_info(store),
        "agreement": agree,
        "coder_a": a,
        "coder_b": b,
        "form": form_values(sel),
    }


def settings_data(request: Request, params: dict[str, list[str]]) -> dict[str, Any]:
    store = request.app.state.store
    user = current_user(request)
    reg = default_registry()
    return {
        "title": "Settings",
        "tracked_hashtags": data.get_setting(store, "tracked_hashtags") or [],
        "meetings": _custom_meetings(store),
        "registry_meetings": sorted(m.name for m in reg.meetings.values()),
        "alerts_available": data.alerts_available(),
        "alert_rules": data.alert_rule_rows(store),
        "alert_events": data.alert_events(store, 10),
        "alert_kinds": list(data.ALERT_KINDS),
        "users": list_users(store.engine) if user and user.is_admin else [],
        "is_admin": bool(user and user.is_admin),
    }


#: page name -> builder; the API serves each under /api/pages/<name>.
PAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "overview": overview_data,
    "explore": explore_data,
    "hashtags": hashtags_data,
    "hashtag": hashtag_data,
    "conferences": conferences_data,
    "conference": conference_data,
    "tweetchats": tweetchats_data,
    "tweetchat": tweetchat_data,
    "influencers": influencers_data,
    "accounts": accounts_data,
    "account": account_data,
    "imports": imports_data,
    "import": import_data,
    "labels": labels_data,
    "settings": settings_data,
}


def _page(
    request: Request, template: str, page: str, api: str, charts: bool = True, **path: Any
) -> HTMLResponse:
    store = request.app.state.store
    params = params_of(request)
    request.scope["rs_lazy"] = request.app.state.lazy
    ctx = PAGES[page](request, params, **path)
    q = request.url.query
    return render(
        request,
        template,
        charts=charts,
        json_url=api + (f"?{q}" if q else ""),
        empty=data.is_empty(store),
        **ctx,
    )


# --------------------------------------------------------------------------- routes


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    return _page(request, "overview.html", "overview", "/api/pages/overview")


@router.get("/explore", response_class=HTMLResponse)
def explore(request: Request) -> HTMLResponse:
    return _page(request, "explore.html", "explore", "/api/pages/explore")


@router.get("/hashtags", response_class=HTMLResponse)
def hashtags(request: Request) -> HTMLResponse:
    return _page(request, "hashtags.html", "hashtags", "/api/pages/hashtags")


@router.get("/hashtag/{tag}", response_class=HTMLResponse)
def hashtag(request: Request, tag: str) -> HTMLResponse:
    return _page(request, "hashtag.html", "hashtag", f"/api/pages/hashtag/{_q(tag)}", tag=tag)


@router.get("/conferences", response_class=HTMLResponse)
def conferences(request: Request) -> HTMLResponse:
    return _page(request, "conferences.html", "conferences", "/api/pages/conferences", charts=False)


@router.get("/conference/{name}", response_class=HTMLResponse)
def conference(request: Request, name: str) -> HTMLResponse:
    return _page(
        request, "conference.html", "conference", f"/api/pages/conference/{_q(name)}", name=name
    )


@router.get("/tweetchats", response_class=HTMLResponse)
def tweetchats(request: Request) -> HTMLResponse:
    return _page(request, "tweetchats.html", "tweetchats", "/api/pages/tweetchats", charts=False)


@router.get("/tweetchat/{key}", response_class=HTMLResponse)
def tweetchat(request: Request, key: str) -> HTMLResponse:
    return _page(request, "tweetchat.html", "tweetchat", f"/api/pages/tweetchat/{_q(key)}", key=key)


@router.get("/influencers", response_class=HTMLResponse)
def influencers(request: Request) -> HTMLResponse:
    return _page(request, "influencers.html", "influencers", "/api/pages/influencers")


@router.get("/accounts", response_class=HTMLResponse)
def accounts(request: Request) -> HTMLResponse:
    return _page(request, "accounts.html", "accounts", "/api/pages/accounts")


@router.get("/account/{platform}/{handle}", response_class=HTMLResponse)
def account(request: Request, platform: str, handle: str) -> HTMLResponse:
    return _page(
        request,
        "account.html",
        "account",
        f"/api/pages/account/{_q(platform)}/{_q(handle)}",
        platform=platform,
        handle=handle,
    )


@router.get("/imports", response_class=HTMLResponse)
def imports(request: Request) -> HTMLResponse:
    return _page(request, "imports.html", "imports", "/api/pages/imports")


@router.get("/imports/{import_id}", response_class=HTMLResponse)
def import_page(request: Request, import_id: int) -> HTMLResponse:
    return _page(
        request,
        "import.html",
        "import",
        f"/api/pages/import/{import_id}",
        charts=False,
        import_id=import_id,
    )


@router.get("/labels", response_class=HTMLResponse)
def labels(request: Request) -> HTMLResponse:
    return _page(request, "labels.html", "labels", "/api/pages/labels", charts=False)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request) -> HTMLResponse:
    return _page(request, "settings.html", "settings", "/api/pages/settings", charts=False)


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# ---- forms (POST, CSRF-checked, then redirect: reloading never re-submits)


async def _form(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    out: dict[str, list[str]] = {}
    for k, v in form.multi_items():
        if isinstance(v, str):
            out.setdefault(k, []).append(v)
    return out


def _one(form: dict[str, list[str]], name: str) -> str:
    vals = form.get(name) or [""]
    return vals[-1].strip()


def _back(path: str, **flash: str) -> RedirectResponse:
    sep = "&" if "?" in path else "?"
    return RedirectResponse(path + (sep + urlencode(flash) if flash else ""), status_code=303)


@router.post("/labels/code/{post_id}", dependencies=[Depends(csrf_protect)])
async def code_post(request: Request, post_id: int) -> Response:
    form = await _form(request)
    store = get_store(request)
    coder = _coder(request, {"coder": form.get("coder", [])})
    request.session["coder"] = coder
    codes = {t: form.get(t, []) for t in coding.POST_TASKS}
    codes[coding.ACCOUNT_TASK] = form.get(coding.ACCOUNT_TASK, [])
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(coding.save_codes, store, post_id, coder, codes)
    bump_generation(request)
    back = _one(form, "back") or "/labels"
    if not back.startswith("/labels"):
        back = "/labels"
    return _back(back, saved=str(post_id))


@router.post("/labels/coder", dependencies=[Depends(csrf_protect)])
async def set_coder(request: Request) -> Response:
    form = await _form(request)
    request.session["coder"] = coding.check_coder(_one(form, "coder"))
    return _back("/labels")


@router.post("/labels/coding-set", dependencies=[Depends(csrf_protect)])
async def coding_set(request: Request) -> Response:
    form = await _form(request)
    sel = parse_selection({k: v for k, v in form.items() if k in PARAM_FIELDS})
    n = int_param(form, "n", 200, 1, coding.CODING_SET_MAX)
    seed = int_param(form, "seed", 0, 0, 2**31)
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(coding.draw_coding_set, get_store(request), sel, n, seed)
    return _back("/labels", saved="coding set")


@router.post("/settings/hashtags", dependencies=[Depends(csrf_protect), Depends(require_admin)])
async def save_hashtags(request: Request) -> Response:
    form = await _form(request)
    tags = [normalize_tag(t) for t in _one(form, "hashtags").replace(",", " ").split()]
    tags = [t for t in dict.fromkeys(tags) if t]
    if len(tags) > 200 or any(len(t) > 200 or not t.isprintable() for t in tags):
        raise BadInput("hashtags: at most 200 tags of at most 200 characters")
    data.put_setting(get_store(request), "tracked_hashtags", tags)
    bump_generation(request)
    return _back("/settings#hashtags", saved="hashtags")


@router.post("/settings/meetings", dependencies=[Depends(csrf_protect), Depends(require_admin)])
async def save_meeting(request: Request) -> Response:
    form = await _form(request)
    store = get_store(request)
    key = _one(form, "key").strip().lstrip("#")
    if not key or len(key) > 40 or not key.replace("_", "").replace("-", "").isalnum():
        raise BadInput("key: letters and digits, e.g. SIIM")
    name = _one(form, "name") or key
    year = int_param(form, "year", 0, 1990, 2100)
    try:
        start = date.fromisoformat(_one(form, "start"))
        end = date.fromisoformat(_one(form, "end"))
    except ValueError:
        raise BadInput("start and end: dates as YYYY-MM-DD") from None
    if end < start or (end - start).days > 31:
        raise BadInput("end must be after start, and a meeting lasts at most a month")
    tag = _one(form, "hashtag").lstrip("#") or f"{key}{year}"
    if len(name) > 200 or len(tag) > 200 or not tag.isprintable() or not name.isprintable():
        raise BadInput("name and hashtag: at most 200 printable characters")
    meetings = _custom_meetings(store)
    m = meetings.setdefault(key, {"name": name, "editions": {}})
    m["name"] = name
    m.setdefault("editions", {})[str(year)] = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hashtag": tag,
    }
    data.put_setting(store, "meetings", meetings)
    return _back("/settings#meetings", saved="meeting")


@router.post(
    "/settings/meetings/delete", dependencies=[Depends(csrf_protect), Depends(require_admin)]
)
async def delete_meeting(request: Request) -> Response:
    form = await _form(request)
    store = get_store(request)
    meetings = _custom_meetings(store)
    meetings.pop(_one(form, "key"), None)
    data.put_setting(store, "meetings", meetings)
    return _back("/settings#meetings", saved="meeting")


#: The form fields each alert kind reads (radsocial.alerts.rules documents them).
ALERT_FORM_FIELDS = {
    "keyword": ("terms", "hashtags", "min_posts"),
    "account": ("handles", "mentions"),
    "spike": ("hashtags", "keywords", "k", "min_posts"),
    "sentiment_drop": ("hashtags", "keywords", "drop", "window", "min_posts"),
}


def _lines(text: str) -> list[str]:
    return [t.strip() for t in text.replace("\r", "").replace("\n", ",").split(",") if t.strip()]


@router.post("/settings/alerts", dependencies=[Depends(csrf_protect), Depends(require_admin)])
async def add_alert(request: Request) -> Response:
    form = await _form(request)
    kind = _one(form, "kind")
    params: dict[str, Any] = {}
    for name in ALERT_FORM_FIELDS.get(kind, ()):
        value = _one(form, name)
        if name == "mentions":
            params[name] = value == "1"
        elif name in ("terms", "hashtags", "keywords", "handles"):
            if _lines(value):
                params[name] = _lines(value)
        elif value:
            params[name] = value  # numbers as text: radsocial.alerts validates them
    channels: list[dict[str, Any]] = []
    if _lines(_one(form, "email")):
        channels.append({"type": "email", "to": _lines(_one(form, "email"))})
    if _one(form, "webhook"):
        channels.append({"type": "webhook", "name": _one(form, "webhook")})
    data.add_alert_rule(
        get_store(request),
        {"name": _one(form, "name"), "kind": kind, "params": params, "channels": channels},
    )
    return _back("/settings#alerts", saved="alert")


@router.post(
    "/settings/alerts/{rule_id}/toggle",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
async def toggle_alert(request: Request, rule_id: int) -> Response:
    form = await _form(request)
    data.set_alert_enabled(get_store(request), rule_id, _one(form, "enabled") == "1")
    return _back("/settings#alerts")


@router.post(
    "/settings/alerts/{rule_id}/delete",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
async def remove_alert(request: Request, rule_id: int) -> Response:
    data.delete_alert_rule(get_store(request), rule_id)
    return _back("/settings#alerts")


@router.post("/settings/users", dependencies=[Depends(csrf_protect), Depends(require_admin)])
async def new_user(request: Request) -> Response:
    form = await _form(request)
    try:
        add_user(
            get_store(request).engine,
            _one(form, "username"),
            (form.get("password") or [""])[-1],
            admin=_one(form, "is_admin") == "1",
        )
    except SecurityError as exc:
        raise BadInput(str(exc)) from None
    return _back("/settings#users", saved="user")


@router.post(
    "/settings/users/{username}/token",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
async def new_token(request: Request, username: str) -> Response:
    form = await _form(request)
    try:
        token = create_token(get_store(request).engine, username, _one(form, "name") or "api")
    except SecurityError as exc:
        raise BadInput(str(exc), 404) from None
    # Shown once, on this answer only (not stored in the session or a URL).
    return render(
        request, "token.html", title="New API token", username=username, token=token, charts=False
    )


@router.post(
    "/settings/tokens/{token_id}/revoke",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
async def drop_token(request: Request, token_id: int) -> Response:
    revoke_token(get_store(request).engine, token_id)
    return _back("/settings#users")


# ---- sign in and out


@public.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(
        request, "login.html", title="Sign in", next=_safe_next(next), error="", charts=False
    )


@public.post("/login", dependencies=[Depends(csrf_protect)])
async def login(request: Request) -> Response:
    form = await _form(request)
    from starlette.concurrency import run_in_threadpool

    user: User | None = await run_in_threadpool(
        authenticate,
        get_store(request).engine,
        _one(form, "username")[:80],
        (form.get("password") or [""])[-1][:1000],
    )
    target = _safe_next(_one(form, "next"))
    if user is None:
        return render(
            request,
            "login.html",
            status=401,
            title="Sign in",
            next=target,
            error="Wrong user name or password.",
            charts=False,
        )
    request.session.clear()
    request.session["uid"] = user.id
    request.session["csrf"] = new_csrf_token()
    request.scope.pop("rs_user", None)
    return RedirectResponse(target, status_code=303)


@public.post("/logout", dependencies=[Depends(csrf_protect)])
async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login" if not request.app.state.loopback else "/", status_code=303)


def _safe_next(target: str) -> str:
    """Only same-site paths: `next=//evil.example` or `https://…` would be an open redirect."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target[:2000]


@router.get("/fragment/{kind}", response_class=HTMLResponse)
def fragment(request: Request, kind: str) -> HTMLResponse:
    """One section of a page, rendered alone: pages show at once and fetch the
    analyses that are not computed yet from here (static/radsocial.js)."""
    params = params_of(request)
    title = (params.pop("title", None) or [""])[-1][:200]
    try:
        sel, _ = split_params(params)
        rest = {
            k: v
            for k, v in params.items()
            if k not in PARAM_FIELDS and k in parameters_or_empty(kind)
        }
        if kind == "timeseries" and rest.get("interval") in (["auto"], None):
            sec = timeseries_section(request, sel, title)
        else:
            sec = section(request, kind, sel, title=title, **coerce_params_partial(kind, rest))
    except BadInput as exc:
        sec = Section(kind, Selection(), status="bad_input", message=str(exc), title=title)
    html = environment().get_template("fragment.html").render(sec=sec)
    return HTMLResponse(html, status_code=200 if sec.status != "bad_input" else 400)


@router.get("/go")
def go(request: Request, to: str = "", tag: str = "") -> Response:
    """The 'open a hashtag / meeting / chat' boxes: a GET form cannot put its value in
    the path, so it comes here and is redirected."""
    if to not in ("hashtag", "conference", "tweetchat"):
        raise BadInput("to: hashtag, conference or tweetchat")
    tag = tag.strip().lstrip("#")
    if not tag or len(tag) > 200:
        raise BadInput("tag: 1 to 200 characters")
    return RedirectResponse(f"/{to}/{_q(tag)}", status_code=303)


@router.get("/conference/{name}/report.html")
def conference_report(request: Request, name: str) -> Response:
    """The conference report as one self-contained HTML file (charts included)."""
    from radsocial.report.html import render_html

    ctx = conference_data(request, params_of(request), name)
    html = render_html([s for s in ctx["sections"]], title=ctx["title"])
    fname = "radsocial-" + "".join(c for c in name if c.isalnum() or c in "-_") + ".html"
    return HTMLResponse(html, headers={"content-disposition": f'attachment; filename="{fname}"'})


@router.get("/api", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The API reference, rendered here from the OpenAPI document (no CDN)."""
    schema = request.app.openapi()
    ops = []
    for path, methods in sorted(schema.get("paths", {}).items()):
        for method, op in methods.items():
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "tag": (op.get("tags") or ["other"])[0],
                }
            )
    return render(
        request,
        "api.html",
        title="API",
        ops=ops,
        description=schema.get("info", {}).get("description", ""),
        charts=False,
    )


__all__ = ["PAGES", "LoginRequired", "public", "render", "render_error", "router"]
