"""Preset ``twarc-csv``: `twarc2 csv` output (twarc-csv 0.7.x) of X API v2 tweets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radsocial.models import Account, Media, Post
from radsocial.sources.base import (
    Context,
    NormalizeError,
    is_post_link,
    parse_iso,
    snowflake_time,
    text_hashtags,
    text_mentions,
    unescape_entities,
    x_post_url,
)
from radsocial.sources.csv.values import _bool, _json_list, _num

# twarc-csv 0.7.2, dataframe_converter.DEFAULT_TWEET_COLUMNS (the full default header of
# `twarc2 csv`); --output-columns may drop any of them.
TWARC_COLUMNS = (
    "id", "conversation_id", "referenced_tweets.replied_to.id",
    "referenced_tweets.retweeted.id", "referenced_tweets.quoted.id", "author_id",
    "in_reply_to_user_id", "in_reply_to_username", "retweeted_user_id", "retweeted_username",
    "quoted_user_id", "quoted_username", "created_at", "text", "lang", "source",
    "public_metrics.impression_count", "public_metrics.reply_count",
    "public_metrics.retweet_count", "public_metrics.quote_count", "public_metrics.like_count",
    "public_metrics.bookmark_count", "reply_settings", "edit_history_tweet_ids",
    "edit_controls.edits_remaining", "edit_controls.editable_until",
    "edit_controls.is_edit_eligible", "possibly_sensitive", "withheld.scope",
    "withheld.copyright", "withheld.country_codes", "entities.annotations",
    "entities.cashtags", "entities.hashtags", "entities.mentions", "entities.urls",
    "context_annotations", "attachments.media", "attachments.media_keys",
    "attachments.poll.duration_minutes", "attachments.poll.end_datetime",
    "attachments.poll.id", "attachments.poll.options", "attachments.poll.voting_status",
    "attachments.poll_ids", "author.id", "author.created_at", "author.username", "author.name",
    "author.description", "author.entities.description.cashtags",
    "author.entities.description.hashtags", "author.entities.description.mentions",
    "author.entities.description.urls", "author.entities.url.urls", "author.url",
    "author.location", "author.pinned_tweet_id", "author.profile_image_url", "author.protected",
    "author.public_metrics.followers_count", "author.public_metrics.following_count",
    "author.public_metrics.listed_count", "author.public_metrics.tweet_count",
    "author.verified", "author.verified_type", "author.withheld.scope",
    "author.withheld.copyright", "author.withheld.country_codes",
    "geo.coordinates.coordinates", "geo.coordinates.type", "geo.country", "geo.country_code",
    "geo.full_name", "geo.geo.bbox", "geo.geo.type", "geo.id", "geo.name", "geo.place_id",
    "geo.place_type", "matching_rules", "__twarc.retrieved_at", "__twarc.url",
    "__twarc.version",
)  # fmt: skip


def _twarc_detect(h: set[str]) -> bool:
    return (
        "id" in h
        and "text" in h
        and ("created_at" in h or "author_id" in h)
        and any(
            c.startswith(("referenced_tweets.", "public_metrics.", "author.", "__twarc."))
            for c in h
        )
    )


def _twarc_date(row: dict[str, str], ctx: Context) -> datetime:
    v = row.get("created_at")
    if v:
        try:
            dt = parse_iso(v)
        except NormalizeError:
            raise NormalizeError(f"column 'created_at': unreadable timestamp {v!r}") from None
        assert dt is not None
        return dt
    dt = snowflake_time(row.get("id", ""))
    if dt is None:
        raise NormalizeError("empty 'created_at' and the id holds no time")
    return dt


def _twarc_unescape(v: str) -> str:
    # twarc-csv removes "\r" and writes newlines as a literal backslash-n (unless
    # --json-encode-text); undo that, then X's HTML escaping.
    if "\\n" in v:
        v = v.replace("\\n", "\n")
    return unescape_entities(v) if "&" in v else v


def _twarc_entities(
    row: dict[str, str],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    tags: list[str] = []
    for e in _json_list(row.get("entities.hashtags"), "entities.hashtags"):
        t = e.get("tag") if isinstance(e, dict) else e
        if isinstance(t, str) and t:
            tags.append(t.lstrip("#"))
    ments: list[str] = []
    for e in _json_list(row.get("entities.mentions"), "entities.mentions"):
        m = e.get("username") if isinstance(e, dict) else e
        if isinstance(m, str) and m:
            ments.append(m.lstrip("@"))
    links: list[str] = []
    for e in _json_list(row.get("entities.urls"), "entities.urls"):
        if isinstance(e, dict):
            if "media_key" in e:
                continue
            u = e.get("unwound_url") or e.get("expanded_url") or e.get("url")
        else:
            u = e
        if isinstance(u, str) and u.startswith(("http://", "https://")) and not is_post_link(u):
            links.append(u)
    return tuple(dict.fromkeys(tags)), tuple(dict.fromkeys(ments)), tuple(dict.fromkeys(links))


_MEDIA_TYPES = {"photo": "photo", "video": "video", "animated_gif": "animated_gif"}


def _twarc_media(row: dict[str, str]) -> tuple[Media, ...]:
    keys = [
        k
        for k in _json_list(row.get("attachments.media_keys"), "attachments.media_keys")
        if isinstance(k, str)
    ]
    described = {
        m["media_key"]: m
        for m in _json_list(row.get("attachments.media"), "attachments.media")
        if isinstance(m, dict) and m.get("media_key")
    }
    out = []
    for k in keys or list(described):
        m = described.get(k)
        if m is None:
            out.append(Media(type="unknown", key=k))
        else:
            out.append(
                Media(
                    type=_MEDIA_TYPES.get(m.get("type", ""), "unknown"),
                    url=m.get("url") or m.get("preview_image_url"),
                    alt=m.get("alt_text"),
                    key=k,
                )
            )
    return tuple(out)


def _twarc_build(row: dict[str, str], ctx: Context) -> list[Post]:
    tid = row["id"]
    created = _twarc_date(row, ctx)
    text = _twarc_unescape(row.get("text", ""))
    observed = None
    if row.get("__twarc.retrieved_at"):
        try:
            observed = parse_iso(row["__twarc.retrieved_at"])
        except NormalizeError:
            observed = None
    aid = row.get("author_id") or row.get("author.id")
    handle = row.get("author.username")
    author = None
    if aid:
        a_created = row.get("author.created_at")
        author = Account(
            platform="x",
            account_id=aid,
            handle=handle,
            name=row.get("author.name"),
            bio=_twarc_unescape(row["author.description"])
            if row.get("author.description")
            else None,
            followers=_num(row.get("author.public_metrics.followers_count")),
            following=_num(row.get("author.public_metrics.following_count")),
            posts_count=_num(row.get("author.public_metrics.tweet_count")),
            verified=_bool(row.get("author.verified")),
            created_at=parse_iso(a_created) if a_created else None,
            location=row.get("author.location"),
            url=row.get("author.url"),
            observed_at=observed,
        )
    tags, ments, links = _twarc_entities(row)
    if not tags:
        tags = text_hashtags(text)
    if not ments:
        ments = text_mentions(text)
    media = _twarc_media(row)
    reply_to = row.get("referenced_tweets.replied_to.id")
    quote_of = row.get("referenced_tweets.quoted.id")
    repost_of = row.get("referenced_tweets.retweeted.id")
    kind = "repost" if repost_of else "reply" if reply_to else "quote" if quote_of else "original"
    likes = _num(row.get("public_metrics.like_count"))
    reposts = _num(row.get("public_metrics.retweet_count"))
    replies = _num(row.get("public_metrics.reply_count"))
    quotes = _num(row.get("public_metrics.quote_count"))
    views = _num(row.get("public_metrics.impression_count"))
    extras: dict[str, Any] = {}
    if row.get("source"):
        extras["source"] = row["source"]
    if _bool(row.get("possibly_sensitive")):
        extras["possibly_sensitive"] = True
    if row.get("geo.full_name") or row.get("geo.place_id"):
        extras["place"] = row.get("geo.full_name") or row.get("geo.place_id")
    if row.get("matching_rules"):
        extras["matching_rules"] = _json_list(row["matching_rules"], "matching_rules")
    out: list[Post] = []
    if repost_of:
        rt_user = row.get("retweeted_username")
        if text.startswith("RT @"):
            pass  # --no-merge-retweets: the row is the retweet as the API gave it
        else:
            # twarc-csv's default --merge-retweets put the original's text, entities and
            # metrics on the retweet's row: emit the original as its own post (its
            # time is in its id), and show the retweet as clients do.
            o_created = snowflake_time(repost_of)
            if o_created is not None:
                o_author = row.get("retweeted_user_id")
                out.append(
                    Post(
                        platform="x",
                        platform_id=repost_of,
                        created_at=o_created,
                        text=text,
                        author_id=o_author,
                        author_handle=rt_user,
                        url=x_post_url(rt_user, repost_of),
                        kind="original",
                        hashtags=tags,
                        mentions=ments,
                        links=links,
                        media=media,
                        likes=likes,
                        reposts=reposts,
                        replies=replies,
                        quotes=quotes,
                        views=views,
                        author=Account(platform="x", account_id=o_author, handle=rt_user)
                        if o_author
                        else None,
                        extras={"from_merged_retweet_row": True},
                    )
                )
            if rt_user:
                text = f"RT @{rt_user}: {text}"
                ments = (rt_user, *(m for m in ments if m != rt_user))
            likes = reposts = replies = quotes = views = None
            extras["metrics_on_original"] = True
    out.append(
        Post(
            platform="x",
            platform_id=tid,
            created_at=created,
            text=text,
            author_id=aid,
            author_handle=handle,
            url=x_post_url(handle, tid),
            lang=row.get("lang"),
            kind=kind,
            hashtags=tags,
            mentions=ments,
            links=links,
            media=media,
            reply_to_id=reply_to,
            reply_to_author_id=row.get("in_reply_to_user_id"),
            quote_of_id=quote_of,
            repost_of_id=repost_of,
            conversation_id=row.get("conversation_id"),
            likes=likes,
            reposts=reposts,
            replies=replies,
            quotes=quotes,
            views=views,
            author=author,
            extras=extras,
        )
    )
    return out
