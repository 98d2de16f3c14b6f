"""X (Twitter) API v1.1 statuses: search, timelines, lookups and the classic stream.

Accepted records: a status object (`id_str`, `user`, `text`/`full_text`/
`extended_tweet`), a search response `{"statuses": [...], "search_metadata": {...}}`,
and stream control messages (`delete`, `limit`, `scrub_geo`, ...), which yield nothing.
Classic archives (twarc 1, Twitter's own exports in JSONL) are lists of such statuses.

A retweet (`retweeted_status`) is a post of kind "repost" and its original is emitted
too; a quote (`quoted_status`) likewise emits the quoted status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radsocial.models import Account, Media, Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
    parse_twitter_date,
    text_hashtags,
    unescape_entities,
    x_post_url,
)

_STREAM_CONTROL = (
    "delete",
    "limit",
    "scrub_geo",
    "status_withheld",
    "user_withheld",
    "disconnect",
    "warning",
)


def _user(u: dict[str, Any], observed: datetime | None) -> Account:
    url = u.get("url")
    for e in ((u.get("entities") or {}).get("url") or {}).get("urls") or ():
        url = e.get("expanded_url") or url
    created = u.get("created_at")
    return Account(
        platform="x",
        account_id=u.get("id_str") or str(u["id"]),
        handle=u.get("screen_name"),
        name=u.get("name"),
        bio=u.get("description"),
        followers=u.get("followers_count"),
        following=u.get("friends_count"),
        posts_count=u.get("statuses_count"),
        verified=u.get("verified"),
        created_at=parse_twitter_date(created) if created else None,
        location=u.get("location") or None,
        url=url,
        observed_at=observed,
    )


def _status(s: dict[str, Any], ctx: Context, out: list[Post]) -> Post:
    sid = s.get("id_str") or (str(s["id"]) if "id" in s else None)
    if sid is None:
        raise NormalizeError("status without id_str/id")
    if "created_at" not in s:
        raise NormalizeError(f"status {sid} has no created_at")
    ext = s.get("extended_tweet")
    if ext:
        text = ext.get("full_text") or s.get("text", "")
        ent = ext.get("entities") or s.get("entities") or {}
        xent = ext.get("extended_entities") or s.get("extended_entities") or {}
    else:
        text = s.get("full_text") or s.get("text") or ""
        ent = s.get("entities") or {}
        xent = s.get("extended_entities") or {}
    if "&" in text:
        text = unescape_entities(text)
    u = s.get("user") or {}
    author = _user(u, ctx.received_at) if u else None
    kind = "original"
    repost_of = quote_of = None
    rt = s.get("retweeted_status")
    if rt:
        original = _status(rt, ctx, out)
        out.append(original)
        kind, repost_of = "repost", original.platform_id
        # The retweet's own text is truncated; show the original in full, as clients do.
        text = f"RT @{original.author_handle}: {original.text}"
        tags, ments, links = original.hashtags, original.mentions, original.links
        if original.author_handle and original.author_handle not in ments:
            ments = (original.author_handle, *ments)
        media = original.media
    else:
        tags = tuple(h["text"] for h in ent.get("hashtags") or ())
        ments = tuple(m["screen_name"] for m in ent.get("user_mentions") or ())
        if not tags:  # some exports strip entities: read them from the text instead
            tags = text_hashtags(text)
        links = tuple(
            dict.fromkeys(u.get("expanded_url") or u["url"] for u in ent.get("urls") or ())
        )
        media = tuple(
            Media(
                type=m.get("type", "photo"),
                url=m.get("media_url_https") or m.get("media_url"),
                alt=m.get("ext_alt_text"),
                key=m.get("id_str"),
            )
            for m in (xent.get("media") or ent.get("media") or ())
        )
    qs = s.get("quoted_status")
    if s.get("is_quote_status") or qs:
        quote_of = s.get("quoted_status_id_str") or (qs or {}).get("id_str")
        if qs:
            out.append(_status(qs, ctx, out))
        if kind == "original" and quote_of:
            kind = "quote"
    reply_to = s.get("in_reply_to_status_id_str")
    if reply_to and kind == "original":
        kind = "reply"
    handle = author.handle if author else None
    extras: dict[str, Any] = {}
    if s.get("source"):
        extras["source"] = s["source"]
    if s.get("place"):
        extras["place"] = (s["place"] or {}).get("full_name")
    if s.get("coordinates"):
        extras["coordinates"] = s["coordinates"].get("coordinates")
    return Post(
        platform="x",
        platform_id=sid,
        created_at=parse_twitter_date(s["created_at"]),
        text=text,
        author_id=author.account_id if author else None,
        author_handle=handle,
        url=x_post_url(handle, sid),
        lang=s.get("lang"),
        kind=kind,
        hashtags=tags,
        mentions=ments,
        links=links,
        media=media,
        reply_to_id=reply_to,
        reply_to_author_id=s.get("in_reply_to_user_id_str"),
        quote_of_id=quote_of,
        repost_of_id=repost_of,
        conversation_id=None,
        likes=s.get("favorite_count"),
        reposts=s.get("retweet_count"),
        replies=s.get("reply_count"),
        quotes=s.get("quote_count"),
        author=author,
        extras=extras,
    )


class XV1Format(Format):
    name = "x-v1"
    platform = "x"
    description = "Read X API v1.1 statuses from search, timelines, lookups and the stream."

    def sniff(self, obj: Any) -> bool:
        if not isinstance(obj, dict):
            return False
        if "id_str" in obj and "user" in obj and ("text" in obj or "full_text" in obj):
            return True
        if "statuses" in obj and "search_metadata" in obj:
            return True
        if "id_str" in obj and "screen_name" in obj and "followers_count" in obj:
            return True  # a user object (users/lookup, users/search)
        return len(obj) <= 2 and any(k in obj for k in _STREAM_CONTROL)

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        out: list[Post] = []
        if "statuses" in obj:
            for s in obj["statuses"]:
                out.append(_status(s, ctx, out))
            return out
        if "id_str" not in obj and "id" not in obj:
            return out  # a stream control message (delete, limit, ...): nothing to store
        if "screen_name" in obj:  # a user object: an account, no post
            ctx.accounts.append(_user(obj, ctx.received_at))
            status = obj.get("status")
            if isinstance(status, dict) and "created_at" in status:
                status = {**status, "user": {k: v for k, v in obj.items() if k != "status"}}
                out.append(_status(status, ctx, out))
            return out
        out.append(_status(obj, ctx, out))
        return out
