"""The JSON API (documented at /api and /api/openapi.json).

Analyses: `GET /api/report/{kind}` with the selection parameters plus the report's
own, answering `Report.to_json()`, or one table as CSV with `format=csv&table=NAME`.
Rows: posts (keyset-paged search), accounts, imports and their rejected lines.
State: labels (hand coding), settings, alert rules, users and tokens (admins).
Every page has its data under /api/pages/….
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response

from radsocial.analytics import REPORTS
from radsocial.store import Selection
from radsocial.web import coding, data
from radsocial.web.deps import csrf_protect, current_user, get_store, require_admin, require_user
from radsocial.web.pages import PAGES, bump_generation, page_json, params_of, section
from radsocial.web.render import (
    BadInput,
    analysis_function,
    available,
    coerce_params,
    describe_parameters,
)
from radsocial.web.security import (
    SecurityError,
    add_user,
    create_token,
    delete_user,
    list_users,
    revoke_token,
)
from radsocial.web.selection import PARAM_FIELDS, parse_selection


class JSON(Response):
    """orjson-rendered JSON: fast for large reports, datetimes as ISO strings."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(
            content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY, default=str
        )


router = APIRouter(prefix="/api", dependencies=[Depends(require_user)], default_response_class=JSON)

# The selection parameters, declared so that OpenAPI documents them on every endpoint.
Q = Annotated[
    str | None, Query(max_length=500, description='Full text: words, "a phrase", OR, -word')
]
L = list[str] | None


def selection(
    q: Q = None,
    hashtag: Annotated[
        L, Query(description="Hashtag without '#' (repeatable; any of them)")
    ] = None,
    keyword: Annotated[L, Query(description="Word or phrase (repeatable; any of them)")] = None,
    account: Annotated[L, Query(description="Author handle (repeatable)")] = None,
    platform: Annotated[
        L, Query(description="x, bluesky, mastodon, reddit, … (repeatable)")
    ] = None,
    lang: Annotated[L, Query(description="Language code, e.g. en (repeatable)")] = None,
    kind: Annotated[L, Query(description="original, reply, repost, quote (repeatable)")] = None,
    since: Annotated[
        str | None, Query(description="From this date, inclusive (YYYY-MM-DD or ISO time, UTC)")
    ] = None,
    until: Annotated[str | None, Query(description="Up to this date, exclusive")] = None,
    stakeholder: Annotated[L, Query(description="Author's stakeholder label (repeatable)")] = None,
    relevant: Annotated[
        str | None, Query(description="true / false: the post's relevance label")
    ] = None,
) -> Selection:
    """The shared selection, from the same parameters as the CLI options."""
    raw: dict[str, list[str]] = {}
    for name, value in (
        ("q", [q] if q else []),
        ("hashtag", hashtag or []),
        ("keyword", keyword or []),
        ("account", account or []),
        ("platform", platform or []),
        ("lang", lang or []),
        ("kind", kind or []),
        ("since", [since] if since else []),
        ("until", [until] if until else []),
        ("stakeholder", stakeholder or []),
        ("relevant", [relevant] if relevant else []),
    ):
        if value:
            raw[name] = value
    return parse_selection(raw)


Sel = Annotated[Selection, Depends(selection)]


# --------------------------------------------------------------------------- reports


@router.get("/reports", tags=["reports"], summary="The report kinds and their parameters")
def reports() -> dict[str, Any]:
    out = {}
    for kind in REPORTS:
        if available(kind):
            out[kind] = {"available": True, "parameters": describe_parameters(kind)}
        else:
            out[kind] = {"available": False, "parameters": []}
    return {"reports": out}


@router.get(
    "/report/{name}",
    tags=["reports"],
    summary="Run one analysis over a selection",
    description=(
        "Kinds: " + ", ".join(REPORTS) + ". Besides the selection, pass the report's own "
        "parameters (see /api/reports), e.g. `what=hashtags&n=20` for `top`; a report "
        "parameter named like a selection one is sent as `param.NAME` (census: `param.kind`). "
        "`format=csv&table=NAME` answers one table as CSV."
    ),
)
def report(
    request: Request,
    name: str,
    sel: Sel,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    table: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    kind = name
    if kind not in REPORTS:
        raise BadInput(f"unknown report {kind!r}; known: {', '.join(REPORTS)}", 404)
    try:
        analysis_function(kind)
    except ImportError as exc:
        raise BadInput(f"{exc}", 501) from None
    # A report parameter named like a selection one (census's `kind`) is sent as
    # `param.kind`; `param.` may prefix any report parameter.
    raw = {
        k.removeprefix("param."): v
        for k, v in params_of(request).items()
        if k not in PARAM_FIELDS and k not in ("format", "table")
    }
    params = coerce_params(kind, raw)
    sec = section(request, kind, sel, **params)
    if sec.status == "bad_input":
        raise BadInput(sec.message)
    if sec.status == "unavailable":
        raise BadInput(sec.message, 501)
    if not sec.ok or sec.report is None:
        raise BadInput("the analysis failed; the server log has the details", 500)
    rep = sec.report
    if format == "csv":
        names = [t.name for t in rep.tables]
        if not names:
            raise BadInput(f"the {kind} report has no tables for this selection", 404)
        wanted = table or names[0]
        try:
            t = rep.table(wanted)
        except KeyError:
            raise BadInput(
                f"no table {wanted!r} in the {kind} report; have: {', '.join(names)}", 404
            ) from None
        fname = f"radsocial-{kind}-{t.name}.csv".replace('"', "")
        return Response(
            "\ufeff" + t.to_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{fname}"'},
        )
    return JSON(rep.to_json())


# --------------------------------------------------------------------------- posts


@router.get("/posts", tags=["posts"], summary="Search posts, newest first, paged by cursor")
def posts(
    request: Request,
    sel: Sel,
    limit: Annotated[int, Query(ge=1, le=data.PAGE_MAX)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
    order: Annotated[str, Query(pattern="^(newest|oldest)$")] = "newest",
    count: Annotated[bool, Query(description="Also count matches (up to 10,000)")] = False,
) -> dict[str, Any]:
    store = get_store(request)
    rows, nxt = data.post_page(
        store, sel, limit=limit, cursor=cursor, newest_first=order == "newest"
    )
    out: dict[str, Any] = {"selection": sel.describe(), "posts": rows, "next_cursor": nxt}
    if count:
        n, more = data.count_posts(store, sel)
        out["count"] = n
        out["count_is_lower_bound"] = more
    return out


@router.get("/posts/{post_id}", tags=["posts"], summary="One post by its store id")
def post(request: Request, post_id: int) -> dict[str, Any]:
    p = data.post_by_id(get_store(request), post_id)
    if p is None:
        raise BadInput(f"no post {post_id}", 404)
    return p


@router.get(
    "/accounts/{platform}/{handle}", tags=["accounts"], summary="An account's profile and labels"
)
def account(request: Request, platform: str, handle: str) -> dict[str, Any]:
    acc = data.account_detail(get_store(request), platform, handle)
    if acc is None:
        raise BadInput(f"no account @{handle} on {platform}", 404)
    return acc


# --------------------------------------------------------------------------- imports


@router.get("/imports", tags=["collections"], summary="Past imports, newest first")
def imports(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    return {"imports": data.import_rows(get_store(request), limit)}


@router.get(
    "/imports/{import_id}/rejected", tags=["collections"], summary="An import's rejected lines"
)
def rejected(request: Request, import_id: int) -> dict[str, Any]:
    store = get_store(request)
    if data.import_row(store, import_id) is None:
        raise BadInput(f"no import #{import_id}", 404)
    return {"import_id": import_id, "rejected": data.rejected_lines(store, import_id)}


# --------------------------------------------------------------------------- labels


def _api_coder(request: Request, given: str | None) -> str:
    user = current_user(request)
    if user is not None and not user.local:
        return user.username
    return coding.check_coder(given or "")


@router.get("/labels/next", tags=["labels"], summary="The next post a coder has not coded")
def label_next(
    request: Request, sel: Sel, coder: Annotated[str, Query(max_length=80)]
) -> dict[str, Any]:
    who = _api_coder(request, coder)
    item = coding.next_item(get_store(request), who, sel)
    return {"coder": who, "post": item}


@router.post(
    "/labels/posts/{post_id}",
    tags=["labels"],
    summary="Store a coder's codes for a post (and its author's stakeholder)",
    dependencies=[Depends(csrf_protect)],
)
def label_post(
    request: Request,
    post_id: int,
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {
                    "coder": "anna",
                    "codes": {
                        "relevance": ["relevant"],
                        "modality": ["ct"],
                        "stakeholder": ["radiologist"],
                    },
                }
            ]
        ),
    ],
) -> dict[str, Any]:
    codes = body.get("codes")
    if not isinstance(codes, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in codes.values()
    ):
        raise BadInput('codes: an object like {"relevance": ["relevant"], "modality": ["ct"]}')
    coder = body.get("coder")
    who = _api_coder(request, coder if isinstance(coder, str) else None)
    out = coding.save_codes(get_store(request), post_id, who, codes)
    bump_generation(request)
    return out


@router.get("/labels/progress", tags=["labels"], summary="Posts coded per coder")
def label_progress(request: Request) -> dict[str, Any]:
    store = get_store(request)
    return {"coders": coding.progress(store), "coding_set": coding.coding_set_info(store)}


@router.get(
    "/labels/agreement", tags=["labels"], summary="Cohen's kappa per field between two coders"
)
def label_agreement(
    request: Request,
    a: Annotated[str, Query(max_length=80)],
    b: Annotated[str, Query(max_length=80)],
) -> dict[str, Any]:
    return coding.agreement(get_store(request), a, b)


@router.post(
    "/labels/coding-set",
    tags=["labels"],
    summary="Draw the shared coding set from a selection",
    dependencies=[Depends(csrf_protect)],
)
def label_coding_set(
    request: Request,
    sel: Sel,
    n: Annotated[int, Query(ge=1, le=coding.CODING_SET_MAX)] = 200,
    seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict[str, Any]:
    out = coding.draw_coding_set(get_store(request), sel, n, seed)
    return {k: v for k, v in out.items() if k != "post_ids"}


# --------------------------------------------------------------------------- settings


@router.get("/settings", tags=["settings"], summary="Tracked hashtags, custom meetings, coding set")
def settings(request: Request) -> dict[str, Any]:
    out = data.all_settings(get_store(request))
    cs = out.get("coding_set")
    if isinstance(cs, dict):
        out["coding_set"] = {k: v for k, v in cs.items() if k != "post_ids"}
    return out


@router.put(
    "/settings/{key}",
    tags=["settings"],
    summary="Replace one setting (admins)",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def put_settings(request: Request, key: str, value: Annotated[Any, Body()]) -> dict[str, Any]:
    if key == "tracked_hashtags":
        if not isinstance(value, list) or not all(
            isinstance(v, str) and 0 < len(v) <= 200 for v in value
        ):
            raise BadInput("tracked_hashtags: a list of hashtags")
        value = [v.lstrip("#").lower() for v in value][:200]
    elif key == "meetings":
        if not isinstance(value, dict):
            raise BadInput(
                'meetings: an object {"KEY": {"name": ..., "editions": {"2025": {"start": ..., "end": ...}}}}'
            )
    else:
        raise BadInput(f"{key!r} cannot be set here; settable: tracked_hashtags, meetings", 404)
    data.put_setting(get_store(request), key, value)
    bump_generation(request)
    return {"key": key, "value": value}


@router.get("/alert-rules", tags=["settings"], summary="Alert rules")
def alert_rules(request: Request) -> dict[str, Any]:
    return {"rules": data.alert_rule_rows(get_store(request))}


@router.post(
    "/alert-rules",
    tags=["settings"],
    summary="Add an alert rule (admins)",
    description=(
        "Kinds and params: keyword {terms, hashtags?, min_posts}, account {handles, mentions}, "
        "spike {hashtags?, keywords?, k, min_posts}, sentiment_drop {hashtags?, keywords?, drop, "
        "window, baseline, min_posts}. Channels: {type: email, to: [addresses]} or "
        "{type: webhook, name: NAME} — a webhook's URL is a secret and lives in the "
        "environment (RADSOCIAL_WEBHOOK_<NAME>), never in the database."
    ),
    status_code=201,
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def add_alert_rule(
    request: Request,
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {
                    "name": "RSNA spike",
                    "kind": "spike",
                    "params": {"hashtags": ["rsna25"], "k": 3},
                    "channels": [{"type": "email", "to": ["me@example.org"]}],
                }
            ]
        ),
    ],
) -> dict[str, Any]:
    return data.add_alert_rule(get_store(request), body)


@router.patch(
    "/alert-rules/{rule_id}",
    tags=["settings"],
    summary="Enable or disable an alert rule (admins)",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def patch_alert_rule(
    request: Request, rule_id: int, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    if not isinstance(body.get("enabled"), bool):
        raise BadInput('send {"enabled": true} or {"enabled": false}')
    return data.set_alert_enabled(get_store(request), rule_id, body["enabled"])


@router.delete(
    "/alert-rules/{rule_id}",
    tags=["settings"],
    summary="Delete an alert rule and its log (admins)",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def delete_alert_rule(request: Request, rule_id: int) -> dict[str, Any]:
    data.delete_alert_rule(get_store(request), rule_id)
    return {"deleted": rule_id}


@router.get("/alert-events", tags=["settings"], summary="The newest alert firings")
def alert_events(
    request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    return {"events": data.alert_events(get_store(request), limit)}


# --------------------------------------------------------------------------- users


@router.get("/me", tags=["users"], summary="Who the request is made as")
def me(request: Request) -> dict[str, Any]:
    u = current_user(request)
    assert u is not None
    return {"username": u.username, "is_admin": u.is_admin, "via": u.via}


@router.get(
    "/users",
    tags=["users"],
    summary="Users and their tokens' names (admins)",
    dependencies=[Depends(require_admin)],
)
def users(request: Request) -> dict[str, Any]:
    return {"users": list_users(get_store(request).engine)}


@router.post(
    "/users",
    tags=["users"],
    summary="Create a user (admins)",
    status_code=201,
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def create_user(
    request: Request,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"username": "anna", "password": "a long passphrase", "is_admin": False}]),
    ],
) -> dict[str, Any]:
    name, password = body.get("username"), body.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise BadInput("username and password: strings")
    try:
        uid = add_user(
            get_store(request).engine, name, password, admin=body.get("is_admin") is True
        )
    except SecurityError as exc:
        raise BadInput(str(exc), 409 if "exists" in str(exc) else 400) from None
    return {"id": uid, "username": name.strip(), "is_admin": body.get("is_admin") is True}


@router.delete(
    "/users/{username}",
    tags=["users"],
    summary="Delete a user and their tokens (admins)",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def remove_user(request: Request, username: str) -> dict[str, Any]:
    try:
        delete_user(get_store(request).engine, username)
    except SecurityError as exc:
        raise BadInput(str(exc), 404 if "no user" in str(exc) else 409) from None
    return {"deleted": username}


@router.post(
    "/users/{username}/tokens",
    tags=["users"],
    summary="Create an API token; the answer is the only time it is shown (admins)",
    status_code=201,
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def create_api_token(
    request: Request, username: str, name: Annotated[str, Query(max_length=80)] = "api"
) -> dict[str, Any]:
    try:
        token = create_token(get_store(request).engine, username, name)
    except SecurityError as exc:
        raise BadInput(str(exc), 404) from None
    return {"username": username, "name": name, "token": token}


@router.delete(
    "/tokens/{token_id}",
    tags=["users"],
    summary="Revoke an API token (admins)",
    dependencies=[Depends(csrf_protect), Depends(require_admin)],
)
def delete_api_token(request: Request, token_id: int) -> dict[str, Any]:
    if not revoke_token(get_store(request).engine, token_id):
        raise BadInput(f"no token {token_id}", 404)
    return {"revoked": token_id}


# --------------------------------------------------------------------------- pages


def _page(request: Request, page: str, **path: Any) -> dict[str, Any]:
    return page_json(PAGES[page](request, params_of(request), **path))


@router.get("/pages/overview", tags=["pages"], summary="The overview page's data")
def page_overview(
    request: Request, sel: Sel, days: Annotated[int, Query(ge=1, le=3660)] = 30
) -> dict[str, Any]:
    return _page(request, "overview")


@router.get("/pages/explore", tags=["pages"], summary="The explorer's data: posts and charts")
def page_explore(
    request: Request,
    sel: Sel,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    order: Annotated[str, Query(pattern="^(newest|oldest)$")] = "newest",
    limit: Annotated[int, Query(ge=1, le=data.PAGE_MAX)] = 50,
) -> dict[str, Any]:
    return _page(request, "explore")


@router.get("/pages/hashtags", tags=["pages"], summary="Hashtags: most used and the registry")
def page_hashtags(request: Request, sel: Sel) -> dict[str, Any]:
    return _page(request, "hashtags")


@router.get("/pages/hashtag/{tag}", tags=["pages"], summary="One hashtag or topic")
def page_hashtag(request: Request, tag: str, sel: Sel) -> dict[str, Any]:
    return _page(request, "hashtag", tag=tag)


@router.get("/pages/conferences", tags=["pages"], summary="Known meetings and editions")
def page_conferences(request: Request) -> dict[str, Any]:
    return _page(request, "conferences")


@router.get(
    "/pages/conference/{name}", tags=["pages"], summary="A conference report (e.g. RSNA2017)"
)
def page_conference(request: Request, name: str, sel: Sel) -> dict[str, Any]:
    return _page(request, "conference", name=name)


@router.get("/pages/tweetchats", tags=["pages"], summary="Known tweetchats")
def page_tweetchats(request: Request) -> dict[str, Any]:
    return _page(request, "tweetchats")


@router.get(
    "/pages/tweetchat/{key}",
    tags=["pages"],
    summary="A tweetchat: sessions, transcript, unanswered questions",
)
def page_tweetchat(request: Request, key: str, sel: Sel) -> dict[str, Any]:
    return _page(request, "tweetchat", key=key)


@router.get("/pages/influencers", tags=["pages"], summary="Influencers, rank moves and the network")
def page_influencers(
    request: Request, sel: Sel, days: Annotated[int, Query(ge=1, le=3660)] = 30
) -> dict[str, Any]:
    return _page(request, "influencers")


@router.get("/pages/accounts", tags=["pages"], summary="Accounts census and share of voice")
def page_accounts(request: Request, sel: Sel) -> dict[str, Any]:
    return _page(request, "accounts")


@router.get("/pages/account/{platform}/{handle}", tags=["pages"], summary="One account")
def page_account(request: Request, platform: str, handle: str) -> dict[str, Any]:
    return _page(request, "account", platform=platform, handle=handle)


@router.get("/pages/imports", tags=["pages"], summary="Collections: imports and gaps")
def page_imports(request: Request, sel: Sel) -> dict[str, Any]:
    return _page(request, "imports")


@router.get(
    "/pages/import/{import_id}", tags=["pages"], summary="One import and its rejected lines"
)
def page_import(request: Request, import_id: int) -> dict[str, Any]:
    return _page(request, "import", import_id=import_id)


@router.get("/pages/labels", tags=["pages"], summary="The labelling page's data")
def page_labels(
    request: Request, sel: Sel, coder: Annotated[str | None, Query(max_length=80)] = None
) -> dict[str, Any]:
    return _page(request, "labels")


@router.get("/pages/settings", tags=["pages"], summary="The settings page's data")
def page_settings(request: Request) -> dict[str, Any]:
    return _page(request, "settings")
