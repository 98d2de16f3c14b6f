"""Bluesky (AT Protocol) importers: AppView post views, Jetstream and Tap events.

Three JSON formats share one record reader:

* `BlueskyFormat` ("bluesky") reads `app.bsky.feed.defs#postView` objects as the public
  AppView returns them, alone or in their response envelopes: `searchPosts` / `getPosts` /
  `getQuotes` (`{"posts": [...]}`), feeds (`getAuthorFeed`, `getTimeline`, `getFeed`,
  `getListFeed`, `getActorLikes`: `{"feed": [{"post", "reply", "reason"}]}`) and threads
  (`getPostThread`: `{"thread": threadViewPost}`, walked up through `parent` and down
  through `replies`; also the list-shaped `getPostThreadV2`).
* `JetstreamFormat` ("bluesky-jetstream") reads Jetstream firehose events.
* `TapFormat` ("bluesky-tap") reads the record events of Bluesky's `tap` sync tool.

Post views carry the author's handle, counts and hydrated embeds (full-size image URLs,
the quoted post); Jetstream and Tap events carry only the raw record, so their posts have
no handle and no counts. The mapping is documented in docs/sources/bluesky.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from radsocial.models import Account, Media, Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
    as_int,
    from_epoch,
    is_post_link,
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


# ------------------------------------------------------------------- record content


_HANDLE_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def _handle_from(btext: bytes, at: int) -> str:
    """The handle written right after the '@' at byte `at` (letters, digits, '.', '-')."""
    end = at + 1
    n = len(btext)
    while end < n and btext[end] in _HANDLE_BYTES:
        end += 1
    return btext[at + 1 : end].decode("ascii").rstrip(".").lower()


def _mention_handle(btext: bytes, index: Any) -> str | None:
    """The handle a mention facet covers: its UTF-8 byte range of the text, minus '@'.

    Some clients write ranges that are off by a few bytes. When the range does not start
    with '@', the handle is read after the nearest '@' (inside the range, else the next
    one after it, else the last one before it) instead of returning the wrong text.
    """
    if type(index) is not dict:
        return None
    start = index.get("byteStart")
    end = index.get("byteEnd")
    if type(start) is not int or type(end) is not int or end <= start or start < 0:
        return None
    if btext[start : start + 1] == b"@":
        handle = btext[start + 1 : end].decode("utf-8", "ignore").strip().lower()
        return handle or None
    at = btext.find(b"@", start)
    if at == -1:
        at = btext.rfind(b"@", 0, start)
    if at == -1:
        return None
    return _handle_from(btext, at) or None


def _tag_values(feat: dict, facet: dict, text: str) -> list[str]:
    """Hashtags of a tag feature written without a 'tag' value (third-party clients).

    Seen in the wild: 'hashtag' instead of 'tag', all tags in one 'text' value, or
    no value at all (then the '#word' the facet's byte range covers is the tag).
    """
    value = feat.get("tag") or feat.get("hashtag")
    if type(value) is str:
        return [value]
    value = feat.get("text")
    if type(value) is str:
        return value.split("#")
    index = facet.get("index")
    if type(index) is dict:
        start = index.get("byteStart")
        end = index.get("byteEnd")
        if type(start) is int and type(end) is int and 0 <= start < end:
            chunk = text.encode("utf-8")[start:end]
            if chunk.startswith(b"#"):
                return [chunk.decode("utf-8", "ignore")]
    return []


def _odd_feature(feat: dict) -> str | None:
    """Classify a facet feature written with a non-standard `$type` (third-party clients).

    Returns "tag" or "link" for the variants whose meaning is plain from the post's
    visible text ('#Tag', '.tag', '#hashtag', 'FACETTAG'; '.link', '.url' — the spellings
    twitwi accepts too), None for everything else (bold, polls, spoilers, code, ...).
    """
    t = feat.get("$type")
    if type(t) is not str:
        return None
    low = t.lower()
    if low.endswith(("#tag", ".tag", "#hashtag")) or low == "facettag":
        return "tag"
    if low.endswith(("#link", ".link", ".url")):
        return "link"
    return None


def _add_tag(tag: str, tags: list[str], seen: set[str]) -> None:
    tag = tag.strip().lstrip("#")
    if tag:
        low = tag.lower()
        if low not in seen:
            seen.add(low)
            tags.append(tag)


def _add_link(uri: str, links: list[str]) -> None:
    if uri and uri not in links and "://" in uri and not is_post_link(uri):
        links.append(uri)


def _image_media(images: Any, view: Any, did: str, media: list[Media]) -> None:
    if type(images) is not list:
        return
    shown = view.get("images") if type(view) is dict else None
    if type(shown) is not list or len(shown) != len(images):
        shown = None
    for i, img in enumerate(images):
        if type(img) is not dict:
            continue
        cid = _blob_cid(img.get("image"))
        seen = shown[i] if shown is not None else None
        url = seen.get("fullsize") if type(seen) is dict else None
        if url is None and cid:
            url = f"{_IMG_CDN}{did}/{cid}@jpeg"
        media.append(Media(type="image", url=url, alt=img.get("alt") or None, key=cid))


def _video_media(emb: dict, view: Any, did: str, media: list[Media]) -> None:
    cid = _blob_cid(emb.get("video"))
    url = view.get("playlist") if type(view) is dict else None
    if url is None and cid:
        url = f"{_VIDEO_CDN}{did}/{cid}/playlist.m3u8"
    media.append(Media(type="video", url=url, alt=emb.get("alt") or None, key=cid))


def _external(ext: Any, links: list[str], media: list[Media], extras: dict) -> None:
    if type(ext) is not dict:
        return
    uri = ext.get("uri")
    if type(uri) is not str:
        return
    if uri.startswith(_TENOR):  # Bluesky's GIF picker posts Tenor GIFs as link cards
        media.append(Media(type="animated_gif", url=uri, alt=ext.get("title") or None))
        return
    _add_link(uri, links)
    title = ext.get("title")
    if title:
        extras["card_title"] = title


def _record_ref(ref: Any, extras: dict) -> str | None:
    """The quoted post's URI of an embed.record strong ref; other records go to extras."""
    if type(ref) is not dict:
        return None
    uri = ref.get("uri")
    if type(uri) is not str:
        return None
    if _POST_PATH in uri:
        return uri
    extras["embed_record"] = uri  # a quoted list, feed generator, starter pack, ...
    return None


def _etype(emb: dict) -> Any:
    """An embed's `$type`, with the optional '#main' suffix of a lexicon's main def."""
    t = emb.get("$type")
    if type(t) is str and t.endswith("#main"):
        return t[:-5]
    return t


def _embed(
    emb: dict, view: Any, did: str, links: list[str], media: list[Media], extras: dict
) -> str | None:
    """Read a record's embed into links / media / extras; returns the quoted post URI."""
    t = _etype(emb)
    if t == _IMAGES:
        _image_media(emb.get("images"), view, did, media)
    elif t == _EXTERNAL:
        _external(emb.get("external"), links, media, extras)
    elif t == _RECORD:
        return _record_ref(emb.get("record"), extras)
    elif t == _RECORD_WITH_MEDIA:
        rec = emb.get("record")
        quote = _record_ref(rec.get("record") if type(rec) is dict else None, extras)
        m = emb.get("media")
        if type(m) is dict:
            mv = view.get("media") if type(view) is dict else None
            mt = _etype(m)
            if mt == _IMAGES:
                _image_media(m.get("images"), mv, did, media)
            elif mt == _VIDEO:
                _video_media(m, mv, did, media)
            elif mt == _EXTERNAL:
                _external(m.get("external"), links, media, extras)
        return quote
    elif t == _VIDEO:
        _video_media(emb, view, did, media)
    elif t == _LINKS_EMBED:  # a third-party client's list of the links in the text
        found = emb.get("links")
        if type(found) is list:
            for uri in found:
                if type(uri) is str:
                    _add_link(uri, links)
    return None


def _content(record: dict, did: str, view_embed: Any, extras: dict):
    """The fields a post record yields, whatever envelope it came in."""
    text = record.get("text")
    if type(text) is not str:
        text = ""
    langs = record.get("langs")
    lang = langs[0] if type(langs) is list and langs and type(langs[0]) is str else None

    tags: list[str] = []
    mentions: list[str] = []
    links: list[str] = []
    media: list[Media] = []
    seen_tags: set[str] = set()
    facets = record.get("facets")
    if type(facets) is list and facets:
        mention_dids: list[str] = []
        btext = None
        for facet in facets:
            if type(facet) is not dict:
                continue
            feats = facet.get("features")
            if type(feats) is not list:
                continue
            for feat in feats:
                if type(feat) is not dict:
                    continue
                t = feat.get("$type")
                if t == _TAG:
                    tag = feat.get("tag")
                    if type(tag) is str:
                        _add_tag(tag, tags, seen_tags)
                    else:
                        for tag in _tag_values(feat, facet, text):
                            _add_tag(tag, tags, seen_tags)
                elif t == _LINK:
                    uri = feat.get("uri")
                    if type(uri) is str:
                        _add_link(uri, links)
                elif t == _MENTION:
                    mdid = feat.get("did")
                    if mdid in mention_dids:
                        continue
                    if btext is None:
                        btext = text.encode("utf-8")
                    handle = _mention_handle(btext, facet.get("index"))
                    if type(mdid) is str:
                        mention_dids.append(mdid)
                    if handle and handle not in mentions:
                        mentions.append(handle)
                else:
                    odd = _odd_feature(feat)
                    if odd == "tag":
                        for tag in _tag_values(feat, facet, text):
                            _add_tag(tag, tags, seen_tags)
                    elif odd == "link":
                        uri = feat.get("uri")
                        if type(uri) is str:
                            _add_link(uri, links)
        if mention_dids:
            extras["mention_dids"] = tuple(mention_dids)
    more_tags = record.get("tags")  # post-level hashtags not shown inline (max 8)
    if type(more_tags) is list and more_tags:
        for tag in more_tags:
            if type(tag) is str:
                _add_tag(tag, tags, seen_tags)

    quote = None
    emb = record.get("embed")
    if type(emb) is dict:
        quote = _embed(emb, view_embed, did, links, media, extras)

    reply_to = root = None
    reply = record.get("reply")
    if type(reply) is dict:
        parent = reply.get("parent")
        if type(parent) is dict and type(parent.get("uri")) is str:
            reply_to = parent["uri"]
        r = reply.get("root")
        if type(r) is dict and type(r.get("uri")) is str:
            root = r["uri"]
        if reply_to is None:  # a reply ref without parent: answer the root
            reply_to = root
        if root is None:
            root = reply_to

    labels = record.get("labels")  # self-labels: {"values": [{"val": "nudity"}]}
    if type(labels) is dict and type(labels.get("values")) is list:
        vals = tuple(v["val"] for v in labels["values"] if type(v) is dict and "val" in v)
        if vals:
            extras["self_labels"] = vals
    bridged = record.get("bridgyOriginalUrl")
    if bridged:
        extras["bridgy_original_url"] = bridged

    return (
        text,
        lang,
        tuple(tags),
        tuple(mentions),
        tuple(links),
        tuple(media),
        quote,
        reply_to,
        root,
    )


def _make_post(
    uri: str,
    did: str,
    handle: str | None,
    created_at: datetime,
    record: dict,
    view_embed: Any,
    extras: dict,
    counts: dict | None,
    author: Account | None,
) -> Post:
    text, lang, tags, mentions, links, media, quote, reply_to, root = _content(
        record, did, view_embed, extras
    )
    if reply_to is not None:
        kind = "reply"
    elif quote is not None:
        kind = "quote"
    else:
        kind = "original"
    post = Post(
        platform=PLATFORM,
        platform_id=uri,
        created_at=created_at,
        text=text,
        author_id=did,
        author_handle=handle,
        url=_post_url(handle, did, uri),
        lang=lang,
        kind=kind,
        hashtags=tags,
        mentions=mentions,
        links=links,
        media=media,
        reply_to_id=reply_to,
        reply_to_author_id=_uri_did(reply_to) if reply_to else None,
        quote_of_id=quote,
        conversation_id=root or uri,
        author=author,
        extras=extras,
    )
    if counts is not None:
        post.likes = as_int(counts.get("likeCount"))
        post.reposts = as_int(counts.get("repostCount"))
        post.replies = as_int(counts.get("replyCount"))
        post.quotes = as_int(counts.get("quoteCount"))
    return post


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
