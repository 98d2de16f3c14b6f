"""Query parameters -> `Selection`, with messages a person can act on.

The web app and the API take the same selection parameters as the CLI options, under
the same names (`hashtag`, `keyword`, `account`, `platform`, `lang`, `kind`, `since`,
`until`, `stakeholder`, `relevant`, and `q` for full text). Lists may be repeated
(`?hashtag=a&hashtag=b`) or comma-separated (`?hashtag=a,b`), which is what a text box
in a form sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from radsocial.analysis.taxonomy import STAKEHOLDERS
from radsocial.models import PLATFORMS, POST_KINDS
from radsocial.store import Selection, parse_when
from radsocial.web.render import SELECTION_PARAMS, BadInput

#: Query parameter -> Selection field.
PARAM_FIELDS = {v: k for k, v in SELECTION_PARAMS.items()}
MAX_ITEMS = 50
MAX_LEN = 200
MAX_QUERY = 500


def multi(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Query items (repeatable keys) as {name: [values]}."""
    out: dict[str, list[str]] = {}
    for k, v in items:
        out.setdefault(k, []).append(v)
    return out


def _list(name: str, values: list[str], *, split_spaces: bool = True) -> tuple[str, ...]:
    out: list[str] = []
    for raw in values:
        parts = raw.replace(",", " ").split() if split_spaces else raw.split(",")
        for p in parts:
            p = p.strip()
            if not p:
                continue
            if len(p) > MAX_LEN:
                raise BadInput(f"{name}: {p[:40]!r}… is too long (at most {MAX_LEN} characters)")
            if not p.isprintable():
                raise BadInput(f"{name}: values may not hold control characters")
            out.append(p)
    if len(out) > MAX_ITEMS:
        raise BadInput(f"{name}: at most {MAX_ITEMS} values, got {len(out)}")
    return tuple(dict.fromkeys(out))


def _choice(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    low = tuple(v.lower() for v in values)
    bad = [v for v in low if v not in allowed]
    if bad:
        raise BadInput(f"{name}: {bad[0]!r} is not one of {', '.join(allowed)}")
    return low


def _when(name: str, values: list[str]) -> datetime | None:
    vals = [v.strip() for v in values if v.strip()]
    if not vals:
        return None
    if len(vals) > 1:
        raise BadInput(f"{name}: give one date, not {len(vals)}")
    try:
        return parse_when(vals[0], name)
    except ValueError as exc:
        raise BadInput(str(exc).replace("--", "")) from None


def parse_relevant(values: list[str]) -> bool | None:
    vals = [v.strip().lower() for v in values if v.strip()]
    if not vals:
        return None
    v = vals[-1]
    if v in ("1", "true", "yes", "relevant"):
        return True
    if v in ("0", "false", "no", "not_relevant"):
        return False
    if v in ("any", "all"):
        return None
    raise BadInput(f"relevant: {v!r} is not true or false (or empty for any)")


def parse_selection(params: Mapping[str, list[str]]) -> Selection:
    """Build a Selection from query parameters; BadInput (400) on anything unusable."""
    q = " ".join(v.strip() for v in params.get("q", []) if v.strip()) or None
    if q and len(q) > MAX_QUERY:
        raise BadInput(f"q: the search is too long (at most {MAX_QUERY} characters)")
    if q and not q.isprintable():
        raise BadInput("q: the search may not hold control characters")
    hashtags = tuple(t.lstrip("#") for t in _list("hashtag", params.get("hashtag", [])))
    accounts = tuple(a.lstrip("@") for a in _list("account", params.get("account", [])))
    try:
        return Selection(
            query=q,
            hashtags=tuple(t for t in hashtags if t),
            keywords=_list("keyword", params.get("keyword", []), split_spaces=False),
            accounts=tuple(a for a in accounts if a),
            platforms=_choice("platform", _list("platform", params.get("platform", [])), PLATFORMS),
            langs=tuple(x.lower() for x in _list("lang", params.get("lang", []))),
            kinds=_choice("kind", _list("kind", params.get("kind", [])), POST_KINDS),
            since=_when("since", params.get("since", [])),
            until=_when("until", params.get("until", [])),
            stakeholders=_choice(
                "stakeholder", _list("stakeholder", params.get("stakeholder", [])), STAKEHOLDERS
            ),
            relevant=parse_relevant(params.get("relevant", [])),
        )
    except ValueError as exc:  # since >= until
        raise BadInput(str(exc).replace("--", "")) from None


def form_values(sel: Selection) -> dict[str, Any]:
    """A selection as the values of the filter form's inputs."""
    return {
        "q": sel.query or "",
        "hashtag": ", ".join(sel.hashtags),
        "keyword": ", ".join(sel.keywords),
        "account": ", ".join(sel.accounts),
        "platform": list(sel.platforms),
        "lang": ", ".join(sel.langs),
        "kind": list(sel.kinds),
        "since": sel.since.strftime("%Y-%m-%d") if sel.since else "",
        "until": sel.until.strftime("%Y-%m-%d") if sel.until else "",
        "stakeholder": list(sel.stakeholders),
        "relevant": "" if sel.relevant is None else ("true" if sel.relevant else "false"),
    }
