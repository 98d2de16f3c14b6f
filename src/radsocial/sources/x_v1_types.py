"""Typed shapes of X API v1.1 statuses, decoded by msgspec straight from the bytes.

Same reason as `x_v2_types`: a status line is mostly fields radsocial never reads (the
user's colours and images, `display_url`s, indices); msgspec skips them without
building them. The raw payload is kept verbatim by the store.
"""

from __future__ import annotations

from typing import Any

import msgspec

from radsocial.models import SYNTHETIC_MARKER


class Hashtag(msgspec.Struct, gc=False):
    text: str | None = None


class UserMention(msgspec.Struct, gc=False):
    screen_name: str | None = None


class Url(msgspec.Struct, gc=False):
    url: str | None = None
    expanded_url: str | None = None


class MediaEntity(msgspec.Struct, gc=False):
    type: str | None = None
    media_url_https: str | None = None
    media_url: str | None = None
    ext_alt_text: str | None = None
    id_str: str | None = None


class Entities(msgspec.Struct, gc=False):
    hashtags: list[Hashtag] | None = None
    user_mentions: list[UserMention] | None = None
    urls: list[Url] | None = None
    media: list[MediaEntity] | None = None


class UserUrls(msgspec.Struct, gc=False):
    urls: list[Url] | None = None


class UserEntities(msgspec.Struct, gc=False):
    url: UserUrls | None = None


class User(msgspec.Struct, gc=False):
    id_str: str | None = None
    id: int | str | None = None
    screen_name: str | None = None
    name: str | None = None
    description: str | None = None
    followers_count: int | None = None
    friends_count: int | None = None
    statuses_count: int | None = None
    verified: bool | None = None
    created_at: str | None = None
    location: str | None = None
    url: str | None = None
    entities: UserEntities | None = None


class Extended(msgspec.Struct, gc=False):
    full_text: str | None = None
    entities: Entities | None = None
    extended_entities: Entities | None = None


class Place(msgspec.Struct, gc=False):
    full_name: str | None = None


class Coordinates(msgspec.Struct, gc=False):
    coordinates: Any = None


class Status(msgspec.Struct, gc=False):
    id_str: str | None = None
    id: int | str | None = None
    created_at: str | None = None
    text: str | None = None
    full_text: str | None = None
    extended_tweet: Extended | None = None
    entities: Entities | None = None
    extended_entities: Entities | None = None
    user: User | None = None
    retweeted_status: Status | None = None
    quoted_status: Status | None = None
    is_quote_status: bool | None = None
    quoted_status_id_str: str | None = None
    in_reply_to_status_id_str: str | None = None
    in_reply_to_user_id_str: str | None = None
    source: str | None = None
    place: Place | None = None
    coordinates: Coordinates | None = None
    lang: str | None = None
    favorite_count: int | None = None
    retweet_count: int | None = None
    reply_count: int | None = None
    quote_count: int | None = None
    synthetic: bool | None = msgspec.field(default=None, name=SYNTHETIC_MARKER)

    def provenance(self) -> tuple[str | None, str | None]:
        return None, None  # v1.1 statuses carry no collection time


_status_decoder = msgspec.json.Decoder(Status)


def decode_status(payload: bytes) -> Status | None:
    """The status a JSON line holds, or None when it is not a plain status (a search
    response, a user object, a stream control message, bad UTF-8 ...): the caller then
    reads it as generic JSON."""
    try:
        s = _status_decoder.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if s.id_str is None or s.user is None or s.created_at is None:
        return None
    if s.text is None and s.full_text is None:
        return None
    return s
