"""Presets ``grfiv-topsy`` and ``grfiv-processed``: the Topsy tweet CSVs (25 columns) and
the processed file (40 columns) of grfiv/healthcare_twitter_analysis (2014)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from radsocial.models import Account, Post
from radsocial.sources.base import (
    Context,
    NormalizeError,
    snowflake_time,
    text_hashtags,
    text_mentions,
    unescape_entities,
)
from radsocial.sources.csv.values import _bool, _date, _float, _num, _str, _text, _url_links

# The 25 columns of grfiv/healthcare_twitter_analysis files/Tweets_*_full.csv (2014):
# Topsy's trackback fields plus user fields added from the Twitter API.
GRFIV_TOPSY_COLUMNS = (
    "hashtags", "id", "retweeted", "coordinates", "content", "followers_count", "score",
    "location", "retweet_count", "listed_count", "favorited", "utc_offset", "description",
    "user_mentions", "trackback_author_url", "geo_enabled", "geo", "lang", "favourites_count",
    "firstpost_date", "url", "time_zone", "place", "trackback_author_nick", "trackback_permalink",
)  # fmt: skip
# The 40 columns of the processed file (files/bigtweet_file002.csv;
# files/list_of_variable_names_in_the_processed_file.txt).
GRFIV_PROCESSED_COLUMNS = (
    "user_lang", "user_description", "hashtags", "user_time_zone_placename",
    "user_friends_count", "user_utc_offset", "id", "sentiment", "user_screen_name",
    "user_location", "user_favourites_count", "user_verified", "content", "score",
    "tweet_favorite_count", "user_name", "tweet_retweet_count", "user_followers_count",
    "user_time_zone_coordinates", "user_mentions", "trackback_author_url", "short_file_name",
    "user_location_coordinates", "file_counter", "tweet_geo", "firstpost_date",
    "user_listed_count", "url", "tweet_retweeted", "user_geo_enabled", "user_time_zone",
    "tweet_favorited", "user_location_placename", "trackback_author_nick", "tweet_place",
    "trackback_permalink", "tweet_coordinates", "tweet_in_reply_to_screen_name",
    "user_statuses_count", "tweet_timestamp",
)  # fmt: skip

_STATUS_URL = re.compile(r"twitter\.com/([A-Za-z0-9_]{1,20})/status(?:es)?/(\d+)", re.IGNORECASE)
_RT_RE = re.compile(r"^RT @([A-Za-z0-9_]{1,15})")


def _grfiv_own(row: dict[str, str]) -> tuple[str, str | None, str | None]:
    """(the row's own tweet id, its author's handle as written in the permalink, the
    original's handle when `id` is another tweet's).

    Topsy's `url` is the tweet it tracked and `trackback_permalink` the tweet that
    mentioned it; `id` (looked up by grfiv) is the `url` tweet's. For most rows both are
    the same tweet; for some retweets `id`/`url` are the *original* and only the
    permalink names the row's own tweet.
    """
    tid = row.get("id", "")
    m = _STATUS_URL.search(row.get("trackback_permalink", ""))
    if m is None:
        return tid, None, None
    own_handle, own_id = m.group(1), m.group(2)
    if own_id == tid or not tid:
        return own_id, own_handle, None
    u = _STATUS_URL.search(row.get("url", ""))
    return own_id, own_handle, (u.group(1) if u else None)


def _grfiv_time(own_id: str, row: dict[str, str]) -> tuple[datetime, bool]:
    """(creation time, whether it is only a date): exact from a snowflake id, else the
    day of Topsy's MM/DD/YY `firstpost_date`."""
    dt = snowflake_time(own_id) if own_id else None
    if dt is not None:
        return dt, False
    v = row.get("firstpost_date")
    if not v:
        raise NormalizeError("empty 'firstpost_date' and the id holds no time")
    return _date(v, "firstpost_date", "%m/%d/%y"), True


def _grfiv_date(row: dict[str, str], ctx: Context) -> datetime:
    return _grfiv_time(_grfiv_own(row)[0], row)[0]


def _tilde(value: str | None) -> tuple[str, ...]:
    if not value or value == "None":
        return ()
    return tuple(dict.fromkeys(p for p in value.split("~") if p))


def _with_rt_author(mentions: tuple[str, ...], rt: re.Match[str] | None) -> tuple[str, ...]:
    """Topsy's user_mentions leaves out the author of an "RT @author:" text; the text
    mentions them, so they are added (first, as X clients list them)."""
    if rt is None:
        return mentions
    who = rt.group(1)
    return (who, *(m for m in mentions if m.lower() != who.lower()))


def _grfiv_build(row: dict[str, str], ctx: Context, processed: bool) -> list[Post]:
    own_id, own_handle, original_handle = _grfiv_own(row)
    nick = row.get("trackback_author_nick") or ""
    if own_handle and own_handle.lower() == nick.lower():
        handle = own_handle  # the permalink keeps the handle's capitals
    else:
        handle = nick or own_handle or ""
    created, date_only = _grfiv_time(own_id, row)
    text = _text(row.get("content"))
    if "&" in text:
        text = unescape_entities(text)
    extras: dict[str, Any] = {"date_only": True} if date_only else {}
    rt = _RT_RE.match(text)
    if rt:
        # "RT @user:" text without a native-retweet reference: kept as an original post.
        extras["manual_rt"] = True
        extras["rt_of"] = rt.group(1)
    if original_handle is not None:
        extras["rt_of_id"] = row.get("id")
    score = row.get("score")
    if score:
        extras["topsy_score"] = _float(score)
    rc = _num(row.get("tweet_retweet_count" if processed else "retweet_count"))
    reposts = rc
    if rt:
        # On these rows the count is the original tweet's (41 RT rows of the #cancerchat
        # file share the original's 47), not this post's own.
        reposts = None
        if rc is not None:
            extras["rt_retweet_count"] = rc
    kind = "original"
    g = row.get
    if processed:
        user = Account(
            platform="x",
            account_id="",
            name=_str(g("user_name")),
            bio=_str(g("user_description")),
            followers=_num(g("user_followers_count")),
            following=_num(g("user_friends_count")),
            posts_count=_num(g("user_statuses_count")),
            verified=_bool(g("user_verified")),
            location=_str(g("user_location")),
            observed_at=created,
        )
        if g("sentiment"):
            extras["afinn_sentiment"] = _num(g("sentiment"))
        reply_to = _str(g("tweet_in_reply_to_screen_name"))
        if reply_to:
            extras["in_reply_to_screen_name"] = reply_to
            kind = "reply"
        screen = _str(g("user_screen_name"))
        if screen and handle and screen.lower() != handle.lower() and original_handle is None:
            extras["user_screen_name"] = screen  # the handle when grfiv looked the user up
    else:
        screen = None
        user = Account(
            platform="x",
            account_id="",
            bio=_str(g("description")),
            followers=_num(g("followers_count")),
            location=_str(g("location")),
            observed_at=created,
        )
    author = None
    if original_handle is not None:
        # `id` is the retweeted original: the user fields describe *its* author, reported
        # as an account apart from this post.
        orig = screen or original_handle
        user.account_id, user.handle = "@" + orig.lower(), orig
        ctx.accounts.append(user)
        if handle:
            author = Account(platform="x", account_id="@" + handle.lower(), handle=handle)
    elif handle:
        user.account_id, user.handle = "@" + handle.lower(), handle
        author = user
    return [
        Post(
            platform="x",
            platform_id=own_id,
            created_at=created,
            text=text,
            author_id=None,
            author_handle=handle or None,
            url=f"https://twitter.com/{handle}/status/{own_id}" if handle else None,
            lang=_str(g("user_lang" if processed else "lang")),
            kind=kind,
            hashtags=_tilde(g("hashtags")) or text_hashtags(text),
            mentions=_with_rt_author(_tilde(g("user_mentions")) or text_mentions(text), rt),
            links=_url_links(text),
            likes=_num(g("tweet_favorite_count")) if processed and not rt else None,
            reposts=reposts,
            author=author,
            extras=extras,
        )
    ]


def _grfiv_topsy_build(row: dict[str, str], ctx: Context) -> list[Post]:
    return _grfiv_build(row, ctx, processed=False)


def _grfiv_processed_build(row: dict[str, str], ctx: Context) -> list[Post]:
    return _grfiv_build(row, ctx, processed=True)


def _grfiv_check(row: dict[str, str], ctx: Context) -> str | None:
    if not row.get("id") and not row.get("trackback_permalink"):
        return "empty 'id' and 'trackback_permalink': every row needs a tweet id"
    try:
        _grfiv_date(row, ctx)
    except NormalizeError as exc:
        return str(exc)
    return None
