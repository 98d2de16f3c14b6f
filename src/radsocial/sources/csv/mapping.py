"""User mappings: a dict of Post fields → column names (`--format csv --mapping FILE`),
read through the ``mapping`` preset; the mapping itself comes from the options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from radsocial.models import PLATFORMS, Account, Post
from radsocial.sources.base import (
    Context,
    NormalizeError,
    from_epoch,
    text_hashtags,
    text_mentions,
)
from radsocial.sources.csv.values import (
    _json_list,
    _local_time,
    _num,
    _str,
    _text,
    _url_links,
    _zone,
)

#: Post/Account fields a mapping may name a column for (value: what the column holds).
MAPPING_FIELDS: dict[str, str] = {
    "id": "post id (required)",
    "created_at": "post time (required): ISO 8601, epoch seconds, or date_format",
    "text": "post text",
    "author_id": "author's platform id",
    "author_handle": "author's handle, without '@'",
    "author_name": "author's display name",
    "author_bio": "author's bio",
    "author_followers": "author's follower count",
    "url": "link to the post",
    "lang": "language code",
    "kind": "original / reply / repost / quote",
    "reply_to_id": "id of the post replied to",
    "quote_of_id": "id of the quoted post",
    "repost_of_id": "id of the reposted post",
    "conversation_id": "thread id",
    "likes": "like count",
    "reposts": "repost count",
    "replies": "reply count",
    "quotes": "quote count",
    "views": "view count",
    "hashtags": "hashtags, separated by list_separator (default: from the text)",
    "mentions": "mentioned handles, separated by list_separator (default: from the text)",
    "links": "links, separated by list_separator (default: from the text)",
}
#: Settings of a mapping that are not columns.
MAPPING_SETTINGS: dict[str, str] = {
    "platform": f"platform of every row (required): one of {', '.join(PLATFORMS)}",
    "date_format": "strptime format of created_at (default: ISO 8601 or epoch seconds)",
    "timezone": "IANA zone for times without an offset (default: UTC)",
    "list_separator": "separator in hashtags/mentions/links cells (default ' '; JSON arrays too)",
    "name": "a name for the mapping, shown in messages",
}


@dataclass(frozen=True)
class UserMapping:
    platform: str
    columns: dict[str, str]  # Post field -> column
    date_format: str | None = None
    tz: tzinfo | None = None
    list_separator: str = " "
    name: str = "mapping"
    raw: dict[str, Any] = field(default_factory=dict)


def validate_mapping(mapping: Any) -> UserMapping:
    """Check a user mapping (the dict from a TOML/JSON file); raise NormalizeError naming
    exactly which key is missing or wrong."""
    if not isinstance(mapping, Mapping):
        raise NormalizeError(
            f"mapping: expected a table of field = column, got {type(mapping).__name__}"
        )
    known = set(MAPPING_FIELDS) | set(MAPPING_SETTINGS)
    unknown = sorted(k for k in mapping if k not in known)
    if unknown:
        raise NormalizeError(
            f"mapping: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"fields: {', '.join(MAPPING_FIELDS)}; settings: {', '.join(MAPPING_SETTINGS)}"
        )
    platform = mapping.get("platform")
    if not platform:
        raise NormalizeError(f"mapping: missing key 'platform' (one of {', '.join(PLATFORMS)})")
    if platform not in PLATFORMS:
        raise NormalizeError(
            f"mapping: 'platform' is {platform!r}; expected one of {', '.join(PLATFORMS)}"
        )
    for req in ("id", "created_at"):
        if not mapping.get(req):
            raise NormalizeError(
                f"mapping: missing key {req!r} ({MAPPING_FIELDS[req]}): name its column"
            )
    cols: dict[str, str] = {}
    for k in MAPPING_FIELDS:
        v = mapping.get(k)
        if v is None:
            continue
        if not isinstance(v, str) or not v:
            raise NormalizeError(
                f"mapping: {k!r} must be a column name (a non-empty string), got {v!r}"
            )
        cols[k] = v
    fmt = mapping.get("date_format")
    if fmt is not None and (not isinstance(fmt, str) or "%" not in fmt):
        raise NormalizeError(
            f"mapping: 'date_format' must be a strptime format like '%Y-%m-%d %H:%M:%S', got {fmt!r}"
        )
    sep = mapping.get("list_separator", " ")
    if not isinstance(sep, str) or not sep:
        raise NormalizeError("mapping: 'list_separator' must be a non-empty string")
    return UserMapping(
        platform=str(platform),
        columns=cols,
        date_format=fmt,
        tz=_zone(mapping.get("timezone")),
        list_separator=sep,
        name=str(mapping.get("name") or "mapping"),
        raw=dict(mapping),
    )


_MAPPING_CACHE: dict[int, tuple[Any, UserMapping]] = {}


def _mapping_of(ctx: Context) -> UserMapping:
    m = ctx.options.get("mapping")
    if m is None:
        raise NormalizeError(
            "this row was read with a user mapping: pass the same --mapping FILE "
            "(renormalize takes it from the import's stored options)"
        )
    hit = _MAPPING_CACHE.get(id(m))
    if hit is not None and hit[0] is m:
        return hit[1]
    um = validate_mapping(m)
    if len(_MAPPING_CACHE) > 64:
        _MAPPING_CACHE.clear()
    _MAPPING_CACHE[id(m)] = (m, um)
    return um


def _mapping_date(row: dict[str, str], ctx: Context, m: UserMapping | None = None) -> datetime:
    m = m or _mapping_of(ctx)
    col = m.columns["created_at"]
    v = row.get(col)
    if not v:
        raise NormalizeError(f"empty {col!r} (mapped to created_at)")
    if m.date_format:
        try:
            dt = datetime.strptime(v.strip(), m.date_format)
        except ValueError:
            raise NormalizeError(
                f"column {col!r}: {v!r} does not match date_format {m.date_format!r}"
            ) from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=m.tz or UTC)
        return dt.astimezone(UTC)
    v = v.strip()
    if v.replace(".", "", 1).isdigit():
        return from_epoch(float(v))
    return _local_time(v, col, m.tz)


def _mapping_list(
    row: dict[str, str], col: str | None, sep: str, strip: str
) -> tuple[str, ...] | None:
    if col is None:
        return None
    v = row.get(col)
    if not v:
        return ()
    items = [str(x) for x in _json_list(v, col)] if v.lstrip().startswith("[") else v.split(sep)
    return tuple(dict.fromkeys(i.strip().lstrip(strip) for i in items if i.strip().lstrip(strip)))


def _mapping_build(row: dict[str, str], ctx: Context) -> list[Post]:
    m = _mapping_of(ctx)
    c = m.columns
    pid = row.get(c["id"])
    if not pid:
        raise NormalizeError(f"empty {c['id']!r} (mapped to id)")
    created = _mapping_date(row, ctx, m)

    def get(key: str) -> str | None:
        col = c.get(key)
        return _str(row.get(col)) if col else None

    text = _text(row.get(c["text"])) if "text" in c else ""
    tags = _mapping_list(row, c.get("hashtags"), m.list_separator, "#")
    ments = _mapping_list(row, c.get("mentions"), m.list_separator, "@")
    links = _mapping_list(row, c.get("links"), m.list_separator, "")
    kind = (get("kind") or "").lower()
    if kind not in ("original", "reply", "repost", "quote"):
        kind = (
            "repost"
            if get("repost_of_id")
            else "reply"
            if get("reply_to_id")
            else "quote"
            if get("quote_of_id")
            else "original"
        )
    handle = get("author_handle")
    handle = handle.lstrip("@") if handle else None
    aid = get("author_id")
    author = None
    if aid or handle:
        author = Account(
            platform=m.platform,
            account_id=aid or "@" + (handle or "").lower(),
            handle=handle,
            name=get("author_name"),
            bio=get("author_bio"),
            followers=_num(get("author_followers")),
        )
    return [
        Post(
            platform=m.platform,
            platform_id=pid.strip(),
            created_at=created,
            text=text,
            author_id=aid,
            author_handle=handle,
            url=get("url"),
            lang=get("lang"),
            kind=kind,
            hashtags=tags if tags is not None else text_hashtags(text),
            mentions=ments if ments is not None else text_mentions(text),
            links=links if links is not None else _url_links(text),
            reply_to_id=get("reply_to_id"),
            quote_of_id=get("quote_of_id"),
            repost_of_id=get("repost_of_id"),
            conversation_id=get("conversation_id"),
            likes=_num(get("likes")),
            reposts=_num(get("reposts")),
            replies=_num(get("replies")),
            quotes=_num(get("quotes")),
            views=_num(get("views")),
            author=author,
            extras={"mapping": m.name},
        )
    ]


def _mapping_check(row: dict[str, str], ctx: Context) -> str | None:
    m = _mapping_of(ctx)
    if not row.get(m.columns["id"]):
        return f"empty {m.columns['id']!r} (mapped to id): every row needs a post id"
    try:
        _mapping_date(row, ctx, m)
    except NormalizeError as exc:
        return str(exc)
    return None
