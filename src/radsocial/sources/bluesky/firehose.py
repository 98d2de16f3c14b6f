"""Jetstream firehose events and the record events of Bluesky's `tap` tool:
JetstreamFormat and TapFormat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radsocial.models import Account, Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
    from_epoch,
)
from radsocial.sources.bluesky.common import (
    _POST,
    _REPOST,
    PLATFORM,
    _ts,
    tid_time,
)
from radsocial.sources.bluesky.content import (
    _make_post,
)

# ---------------------------------------------------------------- Jetstream and Tap


def _record_post(
    did: str,
    collection: str,
    rkey: str,
    record: Any,
    cid: Any,
    fallback: datetime | None,
    ctx: Context,
    where: str,
) -> Post:
    """A post or repost from a bare repository record (Jetstream, Tap)."""
    if type(record) is not dict:
        raise NormalizeError(f"{where}: missing 'record' of {collection}/{rkey}")
    uri = f"at://{did}/{collection}/{rkey}"
    value = record.get("createdAt")
    created_at = None
    if type(value) is str and value:
        try:
            created_at = _ts(value)
        except NormalizeError:
            if fallback is None:
                raise
            ctx.warnings.append(f"{where}: unreadable createdAt {value!r} of {uri}")
    if created_at is None:
        if fallback is None:
            raise NormalizeError(f"{where}: missing 'record.createdAt' of {uri}")
        created_at = fallback
    extras: dict[str, Any] = {"cid": cid} if cid else {}
    author = Account(platform=PLATFORM, account_id=did, observed_at=ctx.received_at or fallback)
    if collection == _REPOST:
        subject = record.get("subject")
        target = subject.get("uri") if type(subject) is dict else None
        if type(target) is not str:
            raise NormalizeError(f"{where}: missing 'record.subject.uri' of {uri}")
        return Post(
            platform=PLATFORM,
            platform_id=uri,
            created_at=created_at,
            text="",
            author_id=did,
            kind="repost",
            repost_of_id=target,
            author=author,
            extras=extras,
        )
    return _make_post(uri, did, None, created_at, record, None, extras, None, author)


_RECORD_COLLECTIONS = (_POST, _REPOST)


class JetstreamFormat(Format):
    name = "bluesky-jetstream"
    platform = PLATFORM
    description = "Read Bluesky Jetstream firehose events: post and repost creations become posts."

    def sniff(self, obj: Any) -> bool:
        return (
            type(obj) is dict
            and "time_us" in obj
            and "did" in obj
            and obj.get("kind") in ("commit", "identity", "account")
        )

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        if type(obj) is not dict:
            raise NormalizeError("not a Jetstream event object")
        if obj.get("kind") != "commit":
            return []  # identity / account events carry no posts
        commit = obj.get("commit")
        did = obj.get("did")
        if type(commit) is not dict or type(did) is not str:
            ctx.warnings.append("Jetstream commit event without 'commit' or 'did'; skipped")
            return []
        collection = commit.get("collection")
        if collection not in _RECORD_COLLECTIONS or commit.get("operation") not in (
            "create",
            "update",
        ):
            return []  # likes, follows, deletes, ...
        rkey = commit.get("rkey")
        if type(rkey) is not str or not rkey:
            raise NormalizeError("Jetstream event: missing 'commit.rkey'")
        time_us = obj.get("time_us")
        fallback = from_epoch(time_us / 1_000_000) if type(time_us) is int else None
        post = _record_post(
            did,
            collection,
            rkey,
            commit.get("record"),
            commit.get("cid"),
            fallback,
            ctx,
            "Jetstream event",
        )
        return [post]


class TapFormat(Format):
    name = "bluesky-tap"
    platform = PLATFORM
    description = "Read events of Bluesky's tap sync tool: post and repost records become posts."

    def sniff(self, obj: Any) -> bool:
        if type(obj) is not dict or "id" not in obj:
            return False
        kind = obj.get("type")
        if kind == "record":
            rec = obj.get("record")
            return type(rec) is dict and "did" in rec and "collection" in rec
        return kind in ("identity", "user") and type(obj.get(kind)) is dict

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        if type(obj) is not dict:
            raise NormalizeError("not a Tap event object")
        if obj.get("type") != "record":
            return []  # identity / user events carry no posts
        evt = obj.get("record")
        if type(evt) is not dict or type(evt.get("did")) is not str:
            ctx.warnings.append("Tap record event without 'record.did'; skipped")
            return []
        collection = evt.get("collection")
        if collection not in _RECORD_COLLECTIONS or evt.get("action") not in (
            "create",
            "update",
        ):
            return []
        rkey = evt.get("rkey")
        if type(rkey) is not str or not rkey:
            raise NormalizeError("Tap event: missing 'record.rkey'")
        rev = evt.get("rev")
        fallback = tid_time(rev) if type(rev) is str else None  # the commit's time
        post = _record_post(
            evt["did"],
            collection,
            rkey,
            evt.get("record"),
            evt.get("cid"),
            fallback,
            ctx,
            "Tap event",
        )
        return [post]
