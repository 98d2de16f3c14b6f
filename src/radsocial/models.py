"""The normalized records every source produces and every analysis reads.

`Post`, `Account` and `Media` are msgspec structs: importers create hundreds of
thousands of them per second, and a struct is built in C (a `Post` of 27 keyword
arguments in 60 % of a slotted dataclass's time, measured). They carry no
validation logic of their own (the importers validate; building one checks nothing),
and collections are tuples so a post can be compared and shared between threads safely.
They are not tracked by the cyclic garbage collector (`gc=False`): they never form
reference cycles, and an import would otherwise have the collector walk millions of
them. `RawRecord` stays a dataclass: there is one per line, not per post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

#: The top-level key `radsocial generate` puts on every synthetic record. The importer
#: carries it onto the posts as `extras["synthetic"]` and counts them per import, so a
#: synthetic post is never mistaken for a real one.
SYNTHETIC_MARKER = "__radsocial_synthetic"

#: The kinds of post radsocial distinguishes (Symplur counts reposts as posts).
POST_KINDS = ("original", "reply", "repost", "quote")

#: Platforms known to the store; CSV presets map onto these too.
PLATFORMS = ("x", "bluesky", "mastodon", "reddit", "facebook", "instagram", "linkedin", "news")


class Media(msgspec.Struct, gc=False):
    """One attached image, video, gif or other file."""

    type: str  # "photo", "video", "animated_gif", "image", "gifv", "audio", "unknown"
    url: str | None = None
    alt: str | None = None
    key: str | None = None  # platform media id (X media_key, Bluesky blob cid, ...)


class Account(msgspec.Struct, gc=False):
    """An author as one payload described it at one moment.

    Followers and bios change, so the store keeps an account's snapshots dated by
    `observed_at` (when the payload was collected, else the post's time).
    """

    platform: str
    account_id: str  # always a string: X ids overflow JavaScript numbers
    handle: str | None = None
    name: str | None = None
    bio: str | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    verified: bool | None = None
    created_at: datetime | None = None
    location: str | None = None
    url: str | None = None
    observed_at: datetime | None = None


class Post(msgspec.Struct, gc=False):
    """One post, reply, repost or quote, normalized across platforms.

    A repost is its own post (its author, its time) whose `repost_of_id` points at
    the original; when the payload carries the original, the importer emits it as a
    separate `Post` too.
    """

    platform: str
    platform_id: str
    created_at: datetime  # timezone-aware, UTC
    text: str
    author_id: str | None = None
    author_handle: str | None = None
    url: str | None = None
    lang: str | None = None
    kind: str = "original"
    hashtags: tuple[str, ...] = ()  # as written, without '#'; the store also keeps lowercase
    mentions: tuple[str, ...] = ()  # handles without '@'
    links: tuple[str, ...] = ()  # expanded URLs where the payload has them; no links to posts
    media: tuple[Media, ...] = ()
    reply_to_id: str | None = None
    reply_to_author_id: str | None = None
    quote_of_id: str | None = None
    repost_of_id: str | None = None
    conversation_id: str | None = None
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None
    author: Account | None = None
    extras: Mapping[str, Any] = msgspec.field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """The identity the store upserts on."""
        return (self.platform, self.platform_id)


@dataclass(slots=True)
class RawRecord:
    """A payload exactly as received, with where and when it came from.

    One raw record may hold many posts (an X v2 page holds up to 500); the store keeps
    it once, compressed, and every post points back at it, so `renormalize` can rebuild
    the normalized tables without the source files.
    """

    format: str  # importer name, e.g. "x-v2"
    payload: bytes
    source: str  # file path, or request URL
    line: int | None = None  # 1-based line (or record) number within the source
    received_at: datetime | None = None  # collection time when the payload says so
    tool_version: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"account": "bbchealth"}


def utc(dt: datetime) -> datetime:
    """Return `dt` as an aware UTC datetime (naive values are taken to be UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
