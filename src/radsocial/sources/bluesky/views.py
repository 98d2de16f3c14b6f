"""AppView post views, alone or in their response envelopes (searchPosts, feeds,
threads): BlueskyFormat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from radsocial.models import Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
)
from radsocial.sources.bluesky.common import (
    _ENVELOPE_KEYS,
    _MAX_QUOTE_DEPTH,
    _REASON_REPOST,
    _VIEW_RECORD,
    PLATFORM,
    _account,
    _created_at,
    _parse_or_none,
    _ts,
)
from radsocial.sources.bluesky.content import (
    _make_post,
)

# ----------------------------------------------------------------------------- sniffing


def _is_post_view(obj: Any) -> bool:
    if type(obj) is not dict:
        return False
    uri = obj.get("uri")
    return (
        type(uri) is str
        and uri.startswith("at://")
        and type(obj.get("record")) is dict
        and type(obj.get("author")) is dict
    )


def _is_feed_item(obj: Any) -> bool:
    return type(obj) is dict and _is_post_view(obj.get("post"))


def _is_thread(obj: Any) -> bool:
    if type(obj) is dict:  # threadViewPost, or notFoundPost / blockedPost
        t = obj.get("$type")
        return _is_post_view(obj.get("post")) or (
            type(t) is str and t.startswith("app.bsky.feed.defs#")
        )
    if type(obj) is list:  # getPostThreadV2: [{"uri", "depth", "value": {...}}]
        return bool(obj) and type(obj[0]) is dict and "depth" in obj[0] and "value" in obj[0]
    return False


def _is_envelope_list(obj: dict, key: str, item_test) -> bool:
    items = obj.get(key)
    if type(items) is not list:
        return False
    if items:
        return item_test(items[0])
    return obj.keys() <= _ENVELOPE_KEYS


# ----------------------------------------------------------------------- post views


class _Out:
    """Posts found in one payload, by URI: a full post view beats an embedded copy."""

    __slots__ = ("embedded", "posts")

    def __init__(self) -> None:
        self.posts: dict[str, Post] = {}
        self.embedded: set[str] = set()

    def add(self, post: Post, embedded: bool) -> None:
        key = post.platform_id
        if key not in self.posts:
            self.posts[key] = post
            if embedded:
                self.embedded.add(key)
        elif not embedded and key in self.embedded:
            self.posts[key] = post
            self.embedded.discard(key)


def _view_post(
    view: dict,
    record_key: str,
    embed: Any,
    ctx: Context,
    out: _Out,
    embedded: bool,
    depth: int,
    where: str,
) -> Post:
    """Normalize a postView (record_key "record") or a quoted viewRecord ("value")."""
    uri = view.get("uri")
    if type(uri) is not str or not uri:
        raise NormalizeError(f"{where}: missing 'uri'")
    record = view.get(record_key)
    if type(record) is not dict:
        raise NormalizeError(f"{where}: missing '{record_key}' of {uri}")
    author = view.get("author")
    if type(author) is not dict or type(author.get("did")) is not str:
        raise NormalizeError(f"{where}: missing 'author.did' of {uri}")
    indexed = view.get("indexedAt")
    created_at = _created_at(record, indexed, uri, ctx, where)
    observed = ctx.received_at or _parse_or_none(indexed)
    did = author["did"]
    extras: dict[str, Any] = {"cid": view.get("cid")}
    labels = view.get("labels")
    if labels:
        vals = tuple(lab["val"] for lab in labels if type(lab) is dict and "val" in lab)
        if vals:
            extras["labels"] = vals
    bookmarks = view.get("bookmarkCount")
    if bookmarks is not None:
        extras["bookmarks"] = bookmarks
    post = _make_post(
        uri,
        did,
        author.get("handle"),
        created_at,
        record,
        embed,
        extras,
        view,
        _account(author, observed),
    )
    out.add(post, embedded)
    # The quoted post, when the view embeds it (record#view or recordWithMedia#view).
    if type(embed) is dict and depth < _MAX_QUOTE_DEPTH:
        quoted = embed.get("record")
        if type(quoted) is dict and quoted.get("$type") != _VIEW_RECORD:
            quoted = quoted.get("record")  # recordWithMedia#view nests a record#view
        if type(quoted) is dict and quoted.get("$type") == _VIEW_RECORD:
            embeds = quoted.get("embeds")
            inner = embeds[0] if type(embeds) is list and embeds else None
            try:
                _view_post(quoted, "value", inner, ctx, out, True, depth + 1, where)
            except NormalizeError as exc:
                ctx.warnings.append(f"quoted post skipped: {exc}")
    return post


def _post_view(pv: Any, ctx: Context, out: _Out, embedded: bool, where: str) -> Post | None:
    """A postView, or None for notFoundPost / blockedPost placeholders."""
    if type(pv) is not dict or ("record" not in pv and ("notFound" in pv or "blocked" in pv)):
        return None
    return _view_post(pv, "record", pv.get("embed"), ctx, out, embedded, 0, where)


def _repost_from_reason(reason: dict, post: Post, ctx: Context) -> Post:
    by = reason.get("by")
    if type(by) is not dict or type(by.get("did")) is not str:
        raise NormalizeError("feed item reason: missing 'reason.by.did'")
    indexed = reason.get("indexedAt")
    if type(indexed) is not str:
        raise NormalizeError("feed item reason: missing 'reason.indexedAt'")
    created_at = _ts(indexed)
    rdid = by["did"]
    repost_uri = reason.get("uri")
    extras: dict[str, Any] = {}
    if type(repost_uri) is not str or not repost_uri:
        repost_uri = f"{post.platform_id}#repost-by-{rdid}"
    elif reason.get("cid"):
        extras["cid"] = reason["cid"]
    return Post(
        platform=PLATFORM,
        platform_id=repost_uri,
        created_at=created_at,
        text="",
        author_id=rdid,
        author_handle=by.get("handle"),
        kind="repost",
        repost_of_id=post.platform_id,
        author=_account(by, ctx.received_at or created_at),
        extras=extras,
    )


def _feed_item(item: dict, ctx: Context, out: _Out, where: str) -> None:
    reason = item.get("reason")
    post = _post_view(item.get("post"), ctx, out, False, where)
    if post is None:
        raise NormalizeError(f"{where}: missing 'post'")
    if type(reason) is dict and reason.get("$type") == _REASON_REPOST:
        out.add(_repost_from_reason(reason, post, ctx), False)
    reply = item.get("reply")
    if type(reply) is dict:  # the parent and root posts, hydrated
        for key in ("parent", "root"):
            try:
                _post_view(reply.get(key), ctx, out, False, f"{where}.reply.{key}")
            except NormalizeError as exc:
                ctx.warnings.append(f"thread post skipped: {exc}")


def _thread(node: Any, ctx: Context, out: _Out) -> None:
    """Walk a threadViewPost: the anchor, its parents and all nested replies."""
    if type(node) is list:  # getPostThreadV2: a flat list, the anchor at depth 0
        for item in node:
            value = item.get("value") if type(item) is dict else None
            if type(value) is dict and type(value.get("post")) is dict:
                try:
                    _post_view(value["post"], ctx, out, False, "thread")
                except NormalizeError as exc:
                    if item.get("depth") == 0:
                        raise
                    ctx.warnings.append(f"thread post skipped: {exc}")
        return
    if type(node) is not dict:
        raise NormalizeError("thread: not a threadViewPost")
    if "post" not in node:
        if node.get("notFound") or node.get("blocked"):
            return  # the anchor post is deleted or blocked
        raise NormalizeError("thread: missing 'post'")
    _post_view(node["post"], ctx, out, False, "thread")  # the anchor: errors reject
    stack: list[Any] = []
    replies = node.get("replies")
    if type(replies) is list:
        stack.extend(replies)
    parent = node.get("parent")
    while type(parent) is dict:  # parents: their other replies are not included
        stack.append({"post": parent.get("post")})
        parent = parent.get("parent")
    while stack:
        n = stack.pop()
        if type(n) is not dict:
            continue
        try:
            _post_view(n.get("post"), ctx, out, False, "thread")
        except NormalizeError as exc:
            ctx.warnings.append(f"thread post skipped: {exc}")
        replies = n.get("replies")
        if type(replies) is list:
            stack.extend(replies)


def _envelope_items(
    items: list,
    handle: Callable[[Any, Context, _Out, str], None],
    ctx: Context,
    out: _Out,
    key: str,
) -> None:
    """Normalize each element; a bad element is skipped with a warning, not the page."""
    first: NormalizeError | None = None
    for i, item in enumerate(items):
        try:
            handle(item, ctx, out, f"{key}[{i}]")
        except NormalizeError as exc:
            if first is None:
                first = exc
            ctx.warnings.append(str(exc))
    if first is not None and not out.posts:
        raise first


def _posts_item(item: Any, ctx: Context, out: _Out, where: str) -> None:
    if type(item) is not dict:
        raise NormalizeError(f"{where}: not a post view")
    _post_view(item, ctx, out, False, where)


def _feed_element(item: Any, ctx: Context, out: _Out, where: str) -> None:
    if type(item) is not dict:
        raise NormalizeError(f"{where}: not a feed item")
    _feed_item(item, ctx, out, where)


class BlueskyFormat(Format):
    name = "bluesky"
    platform = PLATFORM
    description = (
        "Read Bluesky AppView post views and the searchPosts, getPosts, feed and "
        "getPostThread responses that hold them."
    )

    def sniff(self, obj: Any) -> bool:
        if type(obj) is not dict:
            return False
        if _is_post_view(obj) or _is_feed_item(obj):
            return True
        if "posts" in obj:
            return _is_envelope_list(obj, "posts", _is_post_view)
        if "feed" in obj:
            return _is_envelope_list(obj, "feed", _is_feed_item)
        if "thread" in obj:
            return _is_thread(obj["thread"])
        return False

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        if type(obj) is not dict:
            raise NormalizeError("not a Bluesky post view or API response object")
        out = _Out()
        if "record" in obj:
            _view_post(obj, "record", obj.get("embed"), ctx, out, False, 0, "post")
        elif "post" in obj:  # a feed item (also {"uri", "post"} wrappers)
            _feed_item(obj, ctx, out, "feed item")
        elif type(obj.get("posts")) is list:  # getQuotes also has the quoted "uri"
            _envelope_items(obj["posts"], _posts_item, ctx, out, "posts")
        elif type(obj.get("feed")) is list:
            _envelope_items(obj["feed"], _feed_element, ctx, out, "feed")
        elif "thread" in obj:
            _thread(obj["thread"], ctx, out)
        elif "uri" in obj:  # a post view without its record
            _view_post(obj, "record", obj.get("embed"), ctx, out, False, 0, "post")
        else:
            raise NormalizeError(
                "not a Bluesky post view or response: expected 'uri'+'record', 'post', "
                "'posts', 'feed' or 'thread'"
            )
        return list(out.posts.values())
