"""Preset ``meta-content-library``: Meta Content Library CSV downloads of Facebook or
Instagram posts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from radsocial.models import Account, Post
from radsocial.sources.base import Context, NormalizeError, is_post_link, text_hashtags
from radsocial.sources.csv.values import (
    _bool,
    _ig_mentions,
    _iso_or_epoch,
    _json_list,
    _num,
    _str,
    _text,
    _url_links,
)

# Meta Content Library CSV downloads: the API/data-dictionary field names, dotted
# (developers.facebook.com/docs/content-library-and-api/appendix/data-dictionary; the
# CSV columns as read by fabiogiglietto/csds-preprocessor, src/types/index.ts
# MetaContentLibraryRow and its README).
MCL_COLUMNS = (
    "id", "creation_time", "modified_time", "text", "lang", "content_type", "media_type",
    "is_branded_content", "link_attachment.link", "link_attachment.name",
    "link_attachment.caption", "link_attachment.description", "match_type", "mcl_url",
    "multimedia", "post_owner.type", "post_owner.id", "post_owner.name", "post_owner.username",
    "shared_post_id", "statistics.like_count", "statistics.love_count", "statistics.wow_count",
    "statistics.haha_count", "statistics.sad_count", "statistics.angry_count",
    "statistics.care_count", "statistics.reaction_count", "statistics.comment_count",
    "statistics.share_count", "statistics.views", "statistics.views_date_last_refreshed",
    "surface.type", "surface.id", "surface.name", "surface.username", "hashtags",
)  # fmt: skip
_IG_OWNER_TYPES = frozenset(("business", "creator", "personal"))


def _mcl_detect(h: set[str]) -> bool:
    return (
        "id" in h
        and "creation_time" in h
        and any(c.startswith(("post_owner.", "statistics.", "surface.")) for c in h)
    )


def _mcl_date(row: dict[str, str], ctx: Context) -> datetime:
    v = row.get("creation_time")
    if not v:
        raise NormalizeError("empty 'creation_time': every row needs its time")
    return _iso_or_epoch(v, "creation_time")


def _mcl_platform(row: dict[str, str], ctx: Context) -> str:
    forced = ctx.options.get("platform")
    if forced in ("facebook", "instagram"):
        return str(forced)
    url = (row.get("mcl_url") or "").lower()
    if "instagram" in url or (row.get("post_owner.type") or "").lower() in _IG_OWNER_TYPES:
        return "instagram"
    if "facebook" in url or any(
        k in row for k in ("statistics.reaction_count", "statistics.share_count", "surface.id")
    ):
        return "facebook"
    return "instagram" if "hashtags" in row else "facebook"


def _mcl_build(row: dict[str, str], ctx: Context) -> list[Post]:
    pid = row["id"]
    created = _mcl_date(row, ctx)
    platform = _mcl_platform(row, ctx)
    text = _text(row.get("text"))
    owner_id = _str(row.get("post_owner.id"))
    handle = _str(row.get("post_owner.username"))
    author = None
    if owner_id or handle:
        author = Account(
            platform=platform,
            account_id=owner_id or "@" + (handle or "").lower(),
            handle=handle,
            name=_str(row.get("post_owner.name")),
            observed_at=created,
        )
    tags: tuple[str, ...] = ()
    if row.get("hashtags"):
        raw = row["hashtags"].strip()
        if raw.startswith("["):
            tags = tuple(str(t).lstrip("#") for t in _json_list(raw, "hashtags"))
        else:
            tags = tuple(t.lstrip("#") for t in re.split(r"[,;\s]+", raw) if t.strip("#"))
    tags = tags or text_hashtags(text)
    link = _str(row.get("link_attachment.link"))
    links = tuple(
        dict.fromkeys(
            ([link] if link and link.startswith("http") and not is_post_link(link) else [])
            + list(_url_links(text))
        )
    )
    shared = _str(row.get("shared_post_id"))
    kind, repost_of, quote_of = "original", None, None
    if shared:
        # A reshare: without text of its own it is a repost, with text a quote.
        if text.strip():
            kind, quote_of = "quote", shared
        else:
            kind, repost_of = "repost", shared
    reactions = _num(row.get("statistics.reaction_count"))
    likes = reactions if reactions is not None else _num(row.get("statistics.like_count"))
    extras: dict[str, Any] = {"id_is_mcl_id": True}
    for col in (
        "content_type",
        "media_type",
        "match_type",
        "surface.type",
        "surface.name",
        "post_owner.type",
        "modified_time",
    ):
        v = _str(row.get(col))
        if v is not None:
            extras[col.replace(".", "_")] = v
    if _bool(row.get("is_branded_content")):
        extras["is_branded_content"] = True
    detail = {
        k.split(".", 1)[1]: _num(row.get(k))
        for k in (
            "statistics.like_count",
            "statistics.love_count",
            "statistics.wow_count",
            "statistics.haha_count",
            "statistics.sad_count",
            "statistics.angry_count",
            "statistics.care_count",
        )
        if row.get(k)
    }
    if detail and platform == "facebook":
        extras["reactions"] = detail
    return [
        Post(
            platform=platform,
            platform_id=pid,
            created_at=created,
            text=text,
            author_id=owner_id,
            author_handle=handle,
            url=_str(row.get("mcl_url")),
            lang=_str(row.get("lang")),
            kind=kind,
            hashtags=tags,
            mentions=_ig_mentions(text) if platform == "instagram" else (),
            links=links,
            repost_of_id=repost_of,
            quote_of_id=quote_of,
            likes=likes,
            reposts=_num(row.get("statistics.share_count")),
            replies=_num(row.get("statistics.comment_count")),
            views=_num(row.get("statistics.views")),
            author=author,
            extras=extras,
        )
    ]
