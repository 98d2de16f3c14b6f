"""Typed shapes of X API v2 payloads, decoded by msgspec straight from the bytes.

Why typed: an X v2 page is mostly what radsocial never reads (context annotations,
entity annotations, profile images, `meta`); decoding it into generic dicts costs more
than normalizing it. msgspec decodes into these structs, skipping every field not
declared here without building it, and hands the normalizer attribute access instead
of dict lookups: both together are what make a v2 page cheap to read. The raw payload
is kept verbatim by the store, so nothing skipped here is lost.

Every field is optional (`None` or empty when absent) except where v2 guarantees it,
so a struct accepts everything a dict would; `XV2Format.normalize` still takes the
generic dicts other readers produce, converting them with `msgspec.convert`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from radsocial.models import SYNTHETIC_MARKER


class Tag(msgspec.Struct, gc=False):
    tag: str | None = None


class Mention(msgspec.Struct, gc=False):
    username: str | None = None


class Url(msgspec.Struct, gc=False):
    url: str | None = None
    expanded_url: str | None = None
    unwound_url: str | None = None
    media_key: str | None = None


class Entities(msgspec.Struct, gc=False):
    hashtags: list[Tag] | None = None
    mentions: list[Mention] | None = None
    urls: list[Url] | None = None


class Metrics(msgspec.Struct, gc=False):
    like_count: int | None = None
    retweet_count: int | None = None
    reply_count: int | None = None
    quote_count: int | None = None
    impression_count: int | None = None


class Attachments(msgspec.Struct, gc=False):
    media_keys: list[str] | None = None


class UserMetrics(msgspec.Struct, gc=False):
    followers_count: int | None = None
    following_count: int | None = None
    tweet_count: int | None = None


class UserUrls(msgspec.Struct, gc=False):
    urls: list[Url] | None = None


class UserEntities(msgspec.Struct, gc=False):
    url: UserUrls | None = None


class User(msgspec.Struct, gc=False):
    id: str | None = None
    username: str | None = None
    name: str | None = None
    description: str | None = None
    created_at: str | None = None
    public_metrics: UserMetrics | None = None
    verified: bool | None = None
    location: str | None = None
    url: str | None = None
    entities: UserEntities | None = None


class Tweet(msgspec.Struct, gc=False):
    """A tweet; also a `referenced_tweets` item, which on a page holds only `type` and
    `id`, and in a flattened tweet (twarc2 flatten) the whole referenced tweet."""

    id: str | None = None
    text: str | None = None
    type: str | None = None  # as a referenced tweet: retweeted, quoted, replied_to
    created_at: str | None = None
    author_id: str | None = None
    author: User | None = None  # flattened tweets embed their author
    lang: str | None = None
    conversation_id: str | None = None
    in_reply_to_user_id: str | None = None
    referenced_tweets: list[Tweet] | None = None
    entities: Entities | None = None
    attachments: Attachments | None = None
    public_metrics: Metrics | None = None
    non_public_metrics: Metrics | None = None
    organic_metrics: Metrics | None = None
    source: str | None = None
    geo: Any = None
    possibly_sensitive: bool | None = None
    edit_history_tweet_ids: list[str] | None = None
    matching_rules: Any = None
    withheld: Any = None


class MediaItem(msgspec.Struct, gc=False):
    media_key: str | None = None
    type: str | None = None
    url: str | None = None
    preview_image_url: str | None = None
    alt_text: str | None = None


class Includes(msgspec.Struct, gc=False):
    users: list[User] | None = None
    tweets: list[Tweet] | None = None
    media: list[MediaItem] | None = None


class Rule(msgspec.Struct, gc=False):
    id: Any = None
    tag: str | None = None


class Provenance(msgspec.Struct, gc=False):
    retrieved_at: str | None = None
    url: str | None = None


class Page(msgspec.Struct, gc=False):
    """A response page or filtered-stream line: `data` is a list, or one tweet."""

    data: list[Tweet] | Tweet | None = None
    includes: Includes | None = None
    errors: list[Any] | None = None
    matching_rules: list[Rule] | None = None
    twarc: Provenance | None = msgspec.field(default=None, name="__twarc")
    synthetic: bool | None = msgspec.field(default=None, name=SYNTHETIC_MARKER)

    def provenance(self) -> tuple[str | None, str | None]:
        """(retrieved at, request URL) that twarc2 wrote beside the page, if any."""
        tw = self.twarc
        return (tw.retrieved_at, tw.url) if tw is not None else (None, None)


_page_decoder = msgspec.json.Decoder(Page)


def decode_page(payload: bytes) -> Page | None:
    """The page a JSON line holds, or None when the line is not a plain page of tweets
    (a user lookup, counts, an errors-only response, a flattened tweet, an envelope,
    bad UTF-8 ...): the caller then reads it as generic JSON."""
    try:
        page = _page_decoder.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    data = page.data
    if data is None:
        return None
    if type(data) is list:
        for t in data:
            if t.text is None or t.id is None:
                return None
    elif data.text is None or data.id is None:
        return None
    return page
