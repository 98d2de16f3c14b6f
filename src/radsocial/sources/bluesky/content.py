"""A post record's content: text facets (tags, mentions, links), embeds (images, video,
external cards, quoted records) and the Post built from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radsocial.models import Account, Media, Post
from radsocial.sources.base import (
    as_int,
    is_post_link,
)
from radsocial.sources.bluesky.common import (
    _EXTERNAL,
    _IMAGES,
    _IMG_CDN,
    _LINK,
    _LINKS_EMBED,
    _MENTION,
    _POST_PATH,
    _RECORD,
    _RECORD_WITH_MEDIA,
    _TAG,
    _TENOR,
    _VIDEO,
    _VIDEO_CDN,
    PLATFORM,
    _blob_cid,
    _post_url,
    _uri_did,
)

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
