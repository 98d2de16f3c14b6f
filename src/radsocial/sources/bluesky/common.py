"""Bluesky's record names and URL forms, and the helpers every Bluesky reader shares:
record keys, TIDs, accounts, timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radsocial.models import Account
from radsocial.sources.base import (
    Context,
    NormalizeError,
    from_epoch,
    parse_iso,
)

PLATFORM = "bluesky"

_POST = "app.bsky.feed.post"
_REPOST = "app.bsky.feed.repost"

_TAG = "app.bsky.richtext.facet#tag"
_MENTION = "app.bsky.richtext.facet#mention"
_LINK = "app.bsky.richtext.facet#link"

_IMAGES = "app.bsky.embed.images"
_VIDEO = "app.bsky.embed.video"
_EXTERNAL = "app.bsky.embed.external"
_RECORD = "app.bsky.embed.record"
_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia"
_VIEW_RECORD = "app.bsky.embed.record#viewRecord"
_LINKS_EMBED = "app.bsky.embed.links"

_REASON_REPOST = "app.bsky.feed.defs#reasonRepost"

_POST_PATH = "/app.bsky.feed.post/"
_PROFILE = "https://bsky.app/profile/"
_IMG_CDN = "https://cdn.bsky.app/img/feed_fullsize/plain/"
_VIDEO_CDN = "https://video.bsky.app/watch/"
_TENOR = "https://media.tenor.com/"

#: getPostThread replies can nest hundreds deep; quoted posts nest at most a few.
_MAX_QUOTE_DEPTH = 4

#: Top-level keys that may sit beside an empty `posts` / `feed` list in an envelope.
_ENVELOPE_KEYS = frozenset({"posts", "feed", "cursor", "hitsTotal", "uri", "cid"})


def _ts(value: str) -> datetime:
    """A required timestamp (parse_iso raises NormalizeError on an unreadable one)."""
    dt = parse_iso(value)
    if dt is None:
        raise NormalizeError("empty timestamp")
    return dt


# ----------------------------------------------------------------------------- helpers


def _rkey(uri: str) -> str:
    return uri[uri.rfind("/") + 1 :]


def _uri_did(uri: str) -> str | None:
    """The repository (author) DID of an at:// URI."""
    if not uri.startswith("at://"):
        return None
    end = uri.find("/", 5)
    return uri[5:end] if end != -1 else uri[5:]


def _post_url(handle: str | None, did: str, uri: str) -> str:
    who = handle if handle and handle != "handle.invalid" else did
    return f"{_PROFILE}{who}/post/{_rkey(uri)}"


_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
_TID_VALUE = {c: i for i, c in enumerate(_TID_CHARS)}


def tid_time(tid: str) -> datetime | None:
    """The time a TID (record key / repo rev) encodes, or None if it is not a TID."""
    if len(tid) != 13:
        return None
    n = 0
    try:
        for c in tid:
            n = (n << 5) | _TID_VALUE[c]
        return from_epoch((n >> 10) / 1_000_000)
    except (KeyError, OverflowError, OSError, ValueError):
        return None


def _blob_cid(blob: Any) -> str | None:
    """The CID of a blob: `{"$type": "blob", "ref": {"$link": cid}}`, or a legacy form."""
    if type(blob) is dict:
        ref = blob.get("ref")
        if type(ref) is dict:
            return ref.get("$link")
        if type(ref) is str:
            return ref
        return blob.get("cid")  # legacy blob: {"cid": ..., "mimeType": ...}
    if type(blob) is str:
        return blob
    return None


def _account(profile: dict, observed_at: datetime | None) -> Account:
    return Account(
        platform=PLATFORM,
        account_id=profile["did"],
        handle=profile.get("handle"),
        name=profile.get("displayName") or None,
        created_at=_parse_or_none(profile.get("createdAt")),
        observed_at=observed_at,
    )


def _parse_or_none(value: Any) -> datetime | None:
    if type(value) is not str:
        return None
    try:
        return _ts(value)
    except NormalizeError:
        return None


def _created_at(record: dict, indexed: Any, uri: str, ctx: Context, where: str) -> datetime:
    """record.createdAt, else indexedAt; raises NormalizeError when neither is there.

    A few clients write impossible dates (year 0) that the AppView copies into indexedAt
    too; then the time in the record key (a TID the client generated) is used.
    """
    value = record.get("createdAt")
    bad = None
    if type(value) is str and value:
        try:
            return _ts(value)
        except NormalizeError:
            bad = value
    if type(indexed) is str and indexed:
        try:
            created = _ts(indexed)
        except NormalizeError:
            created = None
        if created is not None:
            if bad is not None:
                ctx.warnings.append(f"{where}: unreadable createdAt {bad!r}; used indexedAt")
            return created
    if bad is None:
        raise NormalizeError(f"{where}: missing 'record.createdAt' of {uri}")
    created = tid_time(_rkey(uri))
    if created is None:
        raise NormalizeError(f"{where}: unreadable createdAt {bad!r} of {uri}")
    ctx.warnings.append(f"{where}: unreadable createdAt {bad!r}; used the record key's time")
    return created
