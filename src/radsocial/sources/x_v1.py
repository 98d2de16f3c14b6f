"""X (Twitter) API v1.1 statuses: search, timelines, lookups and the classic stream.

Accepted records: a status object (`id_str`, `user`, `text`/`full_text`/
`extended_tweet`), a search response `{"statuses": [...], "search_metadata": {...}}`,
and stream control messages (`delete`, `limit`, `scrub_geo`, ...), which yield nothing.
Classic archives (twarc 1, Twitter's own exports in JSONL) are lists of such statuses.

Lines are decoded straight into the typed structs of `x_v1_types`; `normalize` also
takes the generic dicts of other readers and converts them.

A retweet (`retweeted_status`) is a post of kind "repost" and its original is emitted
too; a quote (`quoted_status`) likewise emits the quoted status.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from radsocial.models import Account, Media, Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
    as_typed,
    parse_twitter_date,
    text_hashtags,
    unescape_entities,
)
from radsocial.sources.x_v1_types import (
    Entities,
    Status,
    User,
    decode_status,
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


#: Accounts post again and again, each status repeating its author's creation date.
_account_created = lru_cache(maxsize=65536)(parse_twitter_date)


def _user(u: User, observed: datetime | None) -> Account:
    url = u.url
    if u.entities is not None and u.entities.url is not None:
        for e in u.entities.url.urls or ():
            url = e.expanded_url or url
    created = u.created_at
    uid = u.id_str or (str(u.id) if u.id is not None else None)
    if uid is None:
        raise NormalizeError("user without id_str/id")
    return Account(
        platform="x",
        account_id=uid,
        handle=u.screen_name,
        name=u.name,
        bio=u.description,
        followers=u.followers_count,
        following=u.friends_count,
        posts_count=u.statuses_count,
        verified=u.verified,
        created_at=_account_created(created) if created else None,
        location=u.location or None,
        url=url,
        observed_at=observed,
    )


def _status(s: Status, ctx: Context, out: list[Post]) -> Post:
    sid = s.id_str or (str(s.id) if s.id is not None else None)
    if sid is None:
        raise NormalizeError("status without id_str/id")
    if s.created_at is None:
        raise NormalizeError(f"status {sid} has no created_at")
    ext = s.extended_tweet
    if ext is not None:
        text = ext.full_text or s.text or ""
        ent = ext.entities or s.entities
        xent = ext.extended_entities or s.extended_entities
    else:
        text = s.full_text or s.text or ""
        ent = s.entities
        xent = s.extended_entities
    if "&" in text:
        text = unescape_entities(text)
    u = s.user
    author = _user(u, ctx.received_at) if u is not None else None
    kind = "original"
    repost_of = quote_of = None
    rt = s.retweeted_status
    if rt is not None:
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
        tags, ments, links = _entities(ent)
        if not tags:  # some exports strip entities: read them from the text instead
            tags = text_hashtags(text)
        found = (xent.media if xent is not None else None) or (
            ent.media if ent is not None else None
        )
        media = (
            tuple(
                Media(
                    type=m.type or "photo",
                    url=m.media_url_https or m.media_url,
                    alt=m.ext_alt_text,
                    key=m.id_str,
                )
                for m in found
            )
            if found
            else ()
        )
    qs = s.quoted_status
    if s.is_quote_status or qs is not None:
        quote_of = s.quoted_status_id_str or (qs.id_str if qs is not None else None)
        if qs is not None:
            out.append(_status(qs, ctx, out))
        if kind == "original" and quote_of:
            kind = "quote"
    reply_to = s.in_reply_to_status_id_str
    if reply_to and kind == "original":
        kind = "reply"
    handle = author.handle if author else None
    extras: dict[str, Any] = {}
    if s.source:
        extras["source"] = s.source
    if s.place is not None:
        extras["place"] = s.place.full_name
    if s.coordinates is not None:
        extras["coordinates"] = s.coordinates.coordinates
    return Post(
        platform="x",
        platform_id=sid,
        created_at=parse_twitter_date(s.created_at),
        text=text,
        author_id=author.account_id if author else None,
        author_handle=handle,
        url=f"https://twitter.com/{handle or 'i/web'}/status/{sid}",
        lang=s.lang,
        kind=kind,
        hashtags=tags,
        mentions=ments,
        links=links,
        media=media,
        reply_to_id=reply_to,
        reply_to_author_id=s.in_reply_to_user_id_str,
        quote_of_id=quote_of,
        repost_of_id=repost_of,
        conversation_id=None,
        likes=s.favorite_count,
        reposts=s.retweet_count,
        replies=s.reply_count,
        quotes=s.quote_count,
        author=author,
        extras=extras,
    )


def _entities(ent: Entities | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if ent is None:
        return (), (), ()
    h, m, urls = ent.hashtags, ent.user_mentions, ent.urls
    tags = tuple([x.text for x in h if x.text is not None]) if h else ()
    ments = tuple([x.screen_name for x in m if x.screen_name is not None]) if m else ()
    links: tuple[str, ...] = ()
    if urls:
        found = [x.expanded_url or x.url for x in urls]
        links = tuple(dict.fromkeys(x for x in found if x))
    return tags, ments, links


class XV1Format(Format):
    name = "x-v1"
    platform = "x"
    description = "Read X API v1.1 statuses from search, timelines, lookups and the stream."

    def sniff(self, obj: Any) -> bool:
        if type(obj) is Status:
            return True
        if not isinstance(obj, dict):
            return False
        if "id_str" in obj and "user" in obj and ("text" in obj or "full_text" in obj):
            return True
        if "statuses" in obj and "search_metadata" in obj:
            return True
        if "id_str" in obj and "screen_name" in obj and "followers_count" in obj:
            return True  # a user object (users/lookup, users/search)
        return len(obj) <= 2 and any(k in obj for k in _STREAM_CONTROL)

    def typed_decoder(self) -> Any:
        return decode_status

    def decode(self, payload: bytes) -> Any:
        return decode_status(payload) or orjson.loads(payload)

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        out: list[Post] = []
        if type(obj) is Status:
            out.append(_status(obj, ctx, out))
            return out
        if "statuses" in obj:
            for s in obj["statuses"]:
                out.append(_status(as_typed(s, Status, "X v1.1"), ctx, out))
            return out
        if "id_str" not in obj and "id" not in obj:
            return out  # a stream control message (delete, limit, ...): nothing to store
        if "screen_name" in obj:  # a user object: an account, no post
            ctx.accounts.append(_user(as_typed(obj, User, "X v1.1"), ctx.received_at))
            status = obj.get("status")
            if isinstance(status, dict) and "created_at" in status:
                status = {**status, "user": {k: v for k, v in obj.items() if k != "status"}}
                out.append(_status(as_typed(status, Status, "X v1.1"), ctx, out))
            return out
        out.append(_status(as_typed(obj, Status, "X v1.1"), ctx, out))
        return out
