"""CSV exports of posts, read through column-mapping *presets*.

A preset knows one tool's export: which columns hold the post id, time, text, author and
counts, and how their values are written. The preset is recognised from the header
(`detect_preset`), or chosen with `--preset NAME`; a user mapping
(`--format csv --mapping FILE`, a dict of Post fields → column names) reads any other CSV.

Presets, and where their column lists come from (see docs/sources/csv.md):

* ``twarc-csv`` — `twarc2 csv` (twarc-csv 0.7.2, ``DEFAULT_TWEET_COLUMNS`` in its
  ``dataframe_converter.py``), platform "x".
* ``grfiv-topsy`` — the 25-column Topsy CSVs of grfiv/healthcare_twitter_analysis
  (2014), platform "x".
* ``grfiv-processed`` — the 40-column processed file of the same project
  (``bigtweet_file002.csv``; ``list_of_variable_names_in_the_processed_file.txt``).
* ``crowdtangle`` — CrowdTangle "Download CSV" / historical-data exports of Facebook
  Pages/groups and Instagram accounts; platform per row ("facebook" or "instagram").
* ``meta-content-library`` — Meta Content Library CSV downloads (dotted field names of
  its data dictionary); platform "facebook" or "instagram".
* ``linkedin-page`` — LinkedIn Page content analytics, "All posts" sheet saved as CSV.
* ``mapping`` — a user mapping.

Reading: lines are decoded one by one (UTF-8, a BOM dropped, else cp1252 for that line)
and fed to the stdlib csv reader, which pulls further lines itself for quoted fields
with embedded newlines; each row keeps the number of the line it starts on and, for the
quarantine, its verbatim bytes. A stored payload is the compact JSON
``{"preset": NAME, "row": {column: value}}`` (empty cells left out), so a row can be
normalized again without the file; only a user mapping comes from the options.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from radsocial.models import PLATFORMS, Account, Media, Post
from radsocial.sources.base import (
    Context,
    Format,
    NormalizeError,
    TextItem,
    as_int,
    from_epoch,
    is_post_link,
    parse_iso,
    snowflake_time,
    text_hashtags,
    text_links,
    text_mentions,
    unescape_entities,
)

__all__ = ["PRESETS", "CsvFormat", "detect_preset", "validate_mapping"]

# Big quoted fields (bios, JSON entity columns) exceed the csv module's 128 KiB default.
csv.field_size_limit(16 << 20)

_HEADER_SEARCH_ROWS = 5  # rows looked at for a header (LinkedIn puts a note above it)


# =========================================================================== values
_EMPTY = frozenset(("", "None", "none", "null", "NULL", "N/A", "n/a", "NA", "-", "nan", "NaN"))
_THOUSANDS = str.maketrans("", "", ", \u00a0\u202f'")


def _num(value: str | None) -> int | None:
    """A count from a cell: '1,234' -> 1234, '12.0' -> 12; 'N/A', '-', 'None' -> None."""
    if value is None:
        return None
    v = value.strip()
    if v in _EMPTY:
        return None
    if v.isdigit():
        return int(v)
    return as_int(v.translate(_THOUSANDS))


def _float(value: str | None) -> float | None:
    """A rate or score: '0.0123', '1.2%' (-> 0.012), '7.28'; None when unreadable."""
    if value is None:
        return None
    v = value.strip()
    if v in _EMPTY:
        return None
    pct = v.endswith("%")
    try:
        f = float(v.rstrip("%").replace(",", ""))
    except ValueError:
        return None
    return f / 100 if pct else f


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v in ("true", "yes", "y", "1", "t"):
        return True
    if v in ("false", "no", "n", "0", "f"):
        return False
    return None


def _str(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    if v in _EMPTY:
        return None
    return v.replace("\r\n", "\n") if "\r" in v else v


def _text(value: str | None) -> str:
    """Post text from a cell: CRLF inside quoted fields becomes LF."""
    if not value:
        return ""
    return value.replace("\r\n", "\n") if "\r" in value else value


def _first(row: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for n in names:
        v = row.get(n)
        if v:
            return v
    return None


def _json_list(value: str | None, column: str) -> list[Any]:
    """A JSON-array cell (twarc writes entities and media as JSON)."""
    if not value:
        return []
    try:
        v = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise NormalizeError(
            f"column {column!r}: expected a JSON array, found {value[:60]!r}"
        ) from exc
    return v if isinstance(v, list) else []


# Time-zone abbreviations CrowdTangle and others append to local times (a dashboard's
# zone). CST is read as US Central; ambiguous IST is not listed (an error names it). Times
# without any suffix are UTC unless the `timezone` option names an IANA zone.
_TZ_ABBR: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4,
    "ADT": -3, "NST": -3.5, "NDT": -2.5, "JST": 9, "KST": 9, "SGT": 8, "HKT": 8,
    "AWST": 8, "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}  # fmt: skip
_OFFSET_RE = re.compile(r"^(?:UTC|GMT)?([+-])(\d\d):?(\d\d)$")


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise NormalizeError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Paris)"
        ) from exc


def _local_time(value: str, column: str, default_tz: tzinfo | None) -> datetime:
    """'2021-03-22 07:30:00 EDT' (CrowdTangle), '... +0200', or ISO 8601 → aware UTC."""
    v = value.strip()
    parts = v.rsplit(" ", 1)
    tz: tzinfo | None = None
    if len(parts) == 2 and not parts[1][:1].isdigit():
        suffix = parts[1]
        if suffix.upper() in _TZ_ABBR:
            tz = timezone(timedelta(hours=_TZ_ABBR[suffix.upper()]))
            v = parts[0]
        else:
            m = _OFFSET_RE.match(suffix)
            if m is None:
                raise NormalizeError(
                    f"column {column!r}: unknown time zone {suffix!r} in {value!r}; "
                    "set the timezone option to an IANA zone such as America/New_York"
                )
            sign = -1 if m.group(1) == "-" else 1
            tz = timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
            v = parts[0]
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        try:
            dt = parse_iso(v)  # type: ignore[assignment]
        except NormalizeError:
            raise NormalizeError(f"column {column!r}: unreadable date/time {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz or default_tz or UTC)
    return dt.astimezone(UTC)


def _iso_or_epoch(value: str, column: str) -> datetime:
    v = value.strip()
    if v.replace(".", "", 1).isdigit():
        return from_epoch(float(v))
    try:
        dt = parse_iso(v)
    except NormalizeError:
        raise NormalizeError(f"column {column!r}: unreadable timestamp {value!r}") from None
    assert dt is not None
    return dt


_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d")


def _date(value: str, column: str, fmt: str | None = None) -> datetime:
    """A date-only cell (LinkedIn 'Created date', Topsy 'firstpost_date') at 00:00 UTC."""
    v = value.strip()
    formats = (fmt,) if fmt else _DATE_FORMATS
    for f in formats:
        try:
            return datetime.strptime(v, f).replace(tzinfo=UTC)
        except ValueError:
            continue
    if not fmt:
        try:
            d = date.fromisoformat(v[:10])
            if len(v) <= 10:
                return datetime(d.year, d.month, d.day, tzinfo=UTC)
            return _local_time(v, column, None)
        except (ValueError, NormalizeError):
            pass
    raise NormalizeError(f"column {column!r}: unreadable date {value!r}")


def _opt_tz(ctx: Context) -> tzinfo | None:
    return _zone(ctx.options.get("timezone"))


def _url_links(text: str) -> tuple[str, ...]:
    """Links in plain text that are not links to posts, nor cut off at "…"."""
    links = text_links(text)
    if not links:
        return ()
    return tuple(u for u in links if not is_post_link(u) and u + "…" not in text)


_RT_RE = re.compile(r"^RT @([A-Za-z0-9_]{1,15})")
# Instagram handles also hold dots ("@example.imaging"), unlike X's.
_IG_MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")


def _ig_mentions(text: str) -> tuple[str, ...]:
    if "@" not in text:
        return ()
    return tuple(dict.fromkeys(_IG_MENTION.findall(text)))


# =========================================================================== presets
@dataclass(frozen=True)
class Preset:
    """How one tool's CSV export maps onto posts."""

    name: str
    platform: str  # "x", "linkedin", ...; "facebook/instagram" when decided per row
    description: str
    source: str  # where the column list comes from
    #: Required columns: each entry lists alternative names (any one will do).
    required: tuple[tuple[str, ...], ...]
    #: Columns the preset reads (for the docs and the detection of known headers).
    columns: tuple[str, ...]
    detect: Callable[[set[str]], bool]
    #: Cheap per-row check run while reading: an error message, or None.
    check: Callable[[dict[str, str], Context], str | None]
    build: Callable[[dict[str, str], Context], list[Post]]
    case_insensitive: bool = False

    def missing(self, header: list[str]) -> list[str]:
        have = {h.lower() for h in header} if self.case_insensitive else set(header)
        out = []
        for alts in self.required:
            names = [a.lower() for a in alts] if self.case_insensitive else alts
            if not any(a in have for a in names):
                out.append(" or ".join(repr(a) for a in alts))
        return out


def _check_id_date(
    id_cols: tuple[str, ...], date_fn: Callable[[dict[str, str], Context], datetime]
) -> Callable[[dict[str, str], Context], str | None]:
    def check(row: dict[str, str], ctx: Context) -> str | None:
        if not _first(row, id_cols):
            return f"empty {' / '.join(repr(c) for c in id_cols)}: every row needs a post id"
        try:
            date_fn(row, ctx)
        except NormalizeError as exc:
            return str(exc)
        return None

    return check


# --------------------------------------------------------------------------- twarc-csv
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
                        url=f"https://twitter.com/{rt_user or 'i/web'}/status/{repost_of}",
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
            url=f"https://twitter.com/{handle or 'i/web'}/status/{tid}",
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


# --------------------------------------------------------------------------- grfiv (Topsy)
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


# --------------------------------------------------------------------------- CrowdTangle
# CrowdTangle "Download CSV" (historical data / saved search) exports. Facebook header as
# listed by 4CAT (digitalmethodsinitiative/4cat, datasources/upload/import_formats.py,
# "facebook-crowdtangle") and seen in real exports (jhroy/noovo.info_1an videosFB.csv);
# Instagram header from 4CAT ("instagram-crowdtangle") and jhroy/noovo.info_1an
# videosIG.csv. Older exports name the time column "Created" instead of "Post Created";
# group lists have "Group Name" instead of "Page Name"; the last column is
# "Overperforming Score (weighted — Likes 1x Shares 1x ...)".
CROWDTANGLE_FACEBOOK_COLUMNS = (
    "Page Name", "User Name", "Facebook Id", "Page Category", "Page Admin Top Country",
    "Page Description", "Page Created", "Likes at Posting", "Followers at Posting",
    "Post Created", "Post Created Date", "Post Created Time", "Type", "Total Interactions",
    "Likes", "Comments", "Shares", "Love", "Wow", "Haha", "Sad", "Angry", "Care",
    "Video Share Status", "Is Video Owner?", "Post Views", "Total Views",
    "Total Views For All Crossposts", "Video Length", "URL", "Message", "Link", "Final Link",
    "Image Text", "Link Text", "Description", "Sponsor Id", "Sponsor Name", "Sponsor Category",
    "Overperforming Score",
)  # fmt: skip
CROWDTANGLE_INSTAGRAM_COLUMNS = (
    "Account", "User Name", "Followers at Posting", "Post Created", "Post Created Date",
    "Post Created Time", "Type", "Total Interactions", "Likes", "Comments", "Views",
    "Like and View Counts Disabled", "URL", "Link", "Photo", "Title", "Description",
)  # fmt: skip
_CT_REACTIONS = ("Likes", "Love", "Wow", "Haha", "Sad", "Angry", "Care")
_FB_POST_URL = re.compile(r"facebook\.com/(\d+)/posts/(\d+)")
_IG_POST_URL = re.compile(r"instagram\.com/(?:p|tv|reel|reels)/([A-Za-z0-9_-]+)")
_CT_VIDEO_TYPES = (
    "video",
    "native video",
    "live video",
    "live video complete",
    "live video scheduled",
    "youtube",
    "igtv",
    "reel",
)


def _ct_detect(h: set[str]) -> bool:
    return (
        "User Name" in h
        and "URL" in h
        and ("Post Created" in h or "Created" in h)
        and ("Total Interactions" in h or "Likes" in h)
    )


def _ct_date(row: dict[str, str], ctx: Context) -> datetime:
    v = row.get("Post Created") or row.get("Created")
    if v:
        return _local_time(v, "Post Created" if "Post Created" in row else "Created", _opt_tz(ctx))
    d, t = row.get("Post Created Date"), row.get("Post Created Time")
    if d:
        return _local_time(f"{d} {t or '00:00:00'}", "Post Created Date", _opt_tz(ctx))
    raise NormalizeError("empty 'Post Created': every row needs its time")


def _ct_platform(row: dict[str, str]) -> str:
    url = row.get("URL", "")
    if "instagram.com" in url:
        return "instagram"
    if "facebook.com" in url or "Facebook Id" in row or "Page Name" in row or "Group Name" in row:
        return "facebook"
    return "instagram" if "Account" in row else "facebook"


def _ct_id(row: dict[str, str]) -> str | None:
    url = (row.get("URL") or "").strip()
    if not url:
        return None
    m = _FB_POST_URL.search(url)
    if m:
        return f"{m.group(1)}_{m.group(2)}"  # the Graph API form page-id_post-id
    m = _IG_POST_URL.search(url)
    if m:
        return m.group(1)  # the shortcode
    return url.rstrip("/")


def _ct_check(row: dict[str, str], ctx: Context) -> str | None:
    if not _ct_id(row):
        return "empty 'URL': the post id is read from the post URL"
    try:
        _ct_date(row, ctx)
    except NormalizeError as exc:
        return str(exc)
    return None


def _external(url: str | None) -> bool:
    if not url or not url.startswith(("http://", "https://")):
        return False
    host = url.split("/", 3)[2].lower()
    return not host.endswith(("facebook.com", "instagram.com", "fb.watch", "fb.me"))


def _ct_build(row: dict[str, str], ctx: Context) -> list[Post]:
    platform = _ct_platform(row)
    pid = _ct_id(row)
    if not pid:
        raise NormalizeError("empty 'URL': the post id is read from the post URL")
    created = _ct_date(row, ctx)
    handle = _str(row.get("User Name"))
    extras: dict[str, Any] = {}
    for col, key in (
        ("Type", "type"),
        ("Total Interactions", "total_interactions"),
        ("Video Share Status", "video_share_status"),
        ("Is Video Owner?", "is_video_owner"),
        ("Video Length", "video_length"),
        ("Page Category", "page_category"),
        ("Page Admin Top Country", "page_admin_top_country"),
        ("Sponsor Name", "sponsor_name"),
        ("Sponsor Category", "sponsor_category"),
        ("Link Text", "link_text"),
        ("Image Text", "image_text"),
        ("Title", "title"),
        ("Total Views", "total_views"),
        ("Total Views For All Crossposts", "total_views_all_crossposts"),
        ("Like and View Counts Disabled", "counts_disabled"),
    ):
        v = _str(row.get(col))
        if v is not None:
            extras[key] = (
                _num(v)
                if key in ("total_interactions", "total_views", "total_views_all_crossposts")
                else v
            )
    for col, v in row.items():
        if col.startswith("Overperforming Score"):
            extras["overperforming_score"] = _float(v)
    ptype = (row.get("Type") or "").strip().lower()
    media: tuple[Media, ...] = ()
    if ptype in ("photo", "album"):
        media = (
            Media(type="photo" if ptype == "photo" else "unknown", url=_str(row.get("Photo"))),
        )
    elif ptype in _CT_VIDEO_TYPES:
        media = (Media(type="video"),)
    if platform == "facebook":
        text = _text(row.get("Message"))
        if row.get("Description"):
            extras["link_description"] = row["Description"]
        reactions = {
            c.lower().removesuffix("s"): _num(row.get(c)) for c in _CT_REACTIONS if c in row
        }
        total = sum(v for v in reactions.values() if v is not None) if reactions else None
        if reactions:
            extras["reactions"] = reactions
        page_id = _str(row.get("Facebook Id"))
        followers = _num(row.get("Followers at Posting"))
        if followers is None:
            followers = _num(row.get("Likes at Posting"))
        page_created = _str(row.get("Page Created"))
        author = Account(
            platform=platform,
            account_id=page_id or ("@" + handle.lower() if handle else ""),
            handle=handle,
            name=_str(row.get("Page Name") or row.get("Group Name")),
            bio=_str(row.get("Page Description")),
            followers=followers,
            created_at=_local_time(page_created, "Page Created", _opt_tz(ctx))
            if page_created
            else None,
            observed_at=created,
        )
        link = _str(row.get("Final Link")) or _str(row.get("Link"))
        links = tuple(dict.fromkeys(([link] if _external(link) else []) + list(_url_links(text))))
        views = _num(row.get("Post Views"))
        likes = total
        mentions: tuple[str, ...] = ()
    else:
        text = _text(row.get("Description"))
        page_id = None
        author = Account(
            platform=platform,
            account_id="@" + handle.lower() if handle else "",
            handle=handle,
            name=_str(row.get("Account")),
            followers=_num(row.get("Followers at Posting")),
            observed_at=created,
        )
        link = _str(row.get("Link"))
        links = tuple(dict.fromkeys(([link] if _external(link) else []) + list(_url_links(text))))
        views = _num(row.get("Views"))
        likes = _num(row.get("Likes"))
        mentions = _ig_mentions(text)
    if views == 0 and ptype not in _CT_VIDEO_TYPES:
        views = None  # CrowdTangle writes 0 views for posts without a video
    return [
        Post(
            platform=platform,
            platform_id=pid,
            created_at=created,
            text=text,
            author_id=page_id or None,
            author_handle=handle,
            url=_str(row.get("URL")),
            kind="original",
            hashtags=text_hashtags(text),
            mentions=mentions,
            links=links,
            media=media,
            likes=likes,
            reposts=_num(row.get("Shares")),
            replies=_num(row.get("Comments")),
            views=views,
            author=author if author.account_id else None,
            extras=extras,
        )
    ]


# --------------------------------------------------------------------------- Meta Content Library
# Meta Content Library CSV downloads: the API/data-dictionary field names, dotted
# (developers.facebook.com/docs/content-library-and-api/appendix/data-dictionary; the
# CSV columns as read by fabiogiglietto/csds-preprocessor, src/types/index.ts
# MetaContentLibraryRow and its README).
MCL_COLUMNS = (
    "id", "creation_time", "modified_time", "text", "lang", "content_type", "media_type",
    "is_branded_content", "link_attachment.link", "link_attachment.name",
    "link_attachment.caption", "link_attachment.description", "match_type", "mcl_url",
    "multimedia", "post_owner.type", "post_owner.id", "post_owner.name", "post_owner.username",
    "shared_post_id", "statistics.like_count", "statistics.love_count", "statistics.wow_count",
    "statistics.haha_count", "statistics.sad_count", "statistics.angry_count",
    "statistics.care_count", "statistics.reaction_count", "statistics.comment_count",
    "statistics.share_count", "statistics.views", "statistics.views_date_last_refreshed",
    "surface.type", "surface.id", "surface.name", "surface.username", "hashtags",
)  # fmt: skip
_IG_OWNER_TYPES = frozenset(("business", "creator", "personal"))


def _mcl_detect(h: set[str]) -> bool:
    return (
        "id" in h
        and "creation_time" in h
        and any(c.startswith(("post_owner.", "statistics.", "surface.")) for c in h)
    )


def _mcl_date(row: dict[str, str], ctx: Context) -> datetime:
    v = row.get("creation_time")
    if not v:
        raise NormalizeError("empty 'creation_time': every row needs its time")
    return _iso_or_epoch(v, "creation_time")


def _mcl_platform(row: dict[str, str], ctx: Context) -> str:
    forced = ctx.options.get("platform")
    if forced in ("facebook", "instagram"):
        return str(forced)
    url = (row.get("mcl_url") or "").lower()
    if "instagram" in url or (row.get("post_owner.type") or "").lower() in _IG_OWNER_TYPES:
        return "instagram"
    if "facebook" in url or any(
        k in row for k in ("statistics.reaction_count", "statistics.share_count", "surface.id")
    ):
        return "facebook"
    return "instagram" if "hashtags" in row else "facebook"


def _mcl_build(row: dict[str, str], ctx: Context) -> list[Post]:
    pid = row["id"]
    created = _mcl_date(row, ctx)
    platform = _mcl_platform(row, ctx)
    text = _text(row.get("text"))
    owner_id = _str(row.get("post_owner.id"))
    handle = _str(row.get("post_owner.username"))
    author = None
    if owner_id or handle:
        author = Account(
            platform=platform,
            account_id=owner_id or "@" + (handle or "").lower(),
            handle=handle,
            name=_str(row.get("post_owner.name")),
            observed_at=created,
        )
    tags: tuple[str, ...] = ()
    if row.get("hashtags"):
        raw = row["hashtags"].strip()
        if raw.startswith("["):
            tags = tuple(str(t).lstrip("#") for t in _json_list(raw, "hashtags"))
        else:
            tags = tuple(t.lstrip("#") for t in re.split(r"[,;\s]+", raw) if t.strip("#"))
    tags = tags or text_hashtags(text)
    link = _str(row.get("link_attachment.link"))
    links = tuple(
        dict.fromkeys(
            ([link] if link and link.startswith("http") and not is_post_link(link) else [])
            + list(_url_links(text))
        )
    )
    shared = _str(row.get("shared_post_id"))
    kind, repost_of, quote_of = "original", None, None
    if shared:
        # A reshare: without text of its own it is a repost, with text a quote.
        if text.strip():
            kind, quote_of = "quote", shared
        else:
            kind, repost_of = "repost", shared
    reactions = _num(row.get("statistics.reaction_count"))
    likes = reactions if reactions is not None else _num(row.get("statistics.like_count"))
    extras: dict[str, Any] = {"id_is_mcl_id": True}
    for col in (
        "content_type",
        "media_type",
        "match_type",
        "surface.type",
        "surface.name",
        "post_owner.type",
        "modified_time",
    ):
        v = _str(row.get(col))
        if v is not None:
            extras[col.replace(".", "_")] = v
    if _bool(row.get("is_branded_content")):
        extras["is_branded_content"] = True
    detail = {
        k.split(".", 1)[1]: _num(row.get(k))
        for k in (
            "statistics.like_count",
            "statistics.love_count",
            "statistics.wow_count",
            "statistics.haha_count",
            "statistics.sad_count",
            "statistics.angry_count",
            "statistics.care_count",
        )
        if row.get(k)
    }
    if detail and platform == "facebook":
        extras["reactions"] = detail
    return [
        Post(
            platform=platform,
            platform_id=pid,
            created_at=created,
            text=text,
            author_id=owner_id,
            author_handle=handle,
            url=_str(row.get("mcl_url")),
            lang=_str(row.get("lang")),
            kind=kind,
            hashtags=tags,
            mentions=_ig_mentions(text) if platform == "instagram" else (),
            links=links,
            repost_of_id=repost_of,
            quote_of_id=quote_of,
            likes=likes,
            reposts=_num(row.get("statistics.share_count")),
            replies=_num(row.get("statistics.comment_count")),
            views=_num(row.get("statistics.views")),
            author=author,
            extras=extras,
        )
    ]


# --------------------------------------------------------------------------- LinkedIn
# LinkedIn Page (organisation) analytics, Content → Export, sheet "All posts" saved as
# CSV. Names as in the current export (note row first, header second); the older export
# wrote "Post Title", "Post Link", "Published by", "Date", "Shares" — both are read.
LINKEDIN_COLUMNS = (
    "Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date",
    "Campaign start date", "Campaign end date", "Audience", "Impressions",
    "Views (excluding off-site video views)", "Off-site views", "Clicks",
    "Click through rate (CTR)", "Likes", "Comments", "Reposts", "Follows", "Engagement rate",
    "Content Type",
)  # fmt: skip
_LI_LINK = ("Post link", "Post Link", "Update link")
_LI_DATE = ("Created date", "Date", "Posted on")
_LI_TITLE = ("Post title", "Post Title", "Update title")
_LI_URN = re.compile(r"urn:li:(?:activity|share|ugcPost):\d+")


def _ci(row: dict[str, str], names: tuple[str, ...]) -> str | None:
    v = _first(row, names)
    if v is not None:
        return v
    lower = {k.lower(): k for k in row}
    for n in names:
        k = lower.get(n.lower())
        if k is not None and row[k]:
            return row[k]
    return None


def _li_detect(h: set[str]) -> bool:
    low = {c.lower() for c in h}
    return (
        bool(low & {"post link", "update link"})
        and bool(low & {"created date", "date", "posted on"})
        and "impressions" in low
    )


def _li_date(row: dict[str, str], ctx: Context) -> datetime:
    v = _ci(row, _LI_DATE)
    if not v:
        raise NormalizeError("empty 'Created date': every row needs its date")
    return _date(v, "Created date", ctx.options.get("date_format"))


def _li_id(row: dict[str, str]) -> str | None:
    link = _ci(row, _LI_LINK)
    if not link:
        return None
    m = _LI_URN.search(link)
    return m.group(0) if m else link.strip().rstrip("/")


def _li_check(row: dict[str, str], ctx: Context) -> str | None:
    if not _li_id(row):
        return "empty 'Post link': the post id is read from the post link"
    try:
        _li_date(row, ctx)
    except NormalizeError as exc:
        return str(exc)
    return None


def _li_build(row: dict[str, str], ctx: Context) -> list[Post]:
    pid = _li_id(row)
    if not pid:
        raise NormalizeError("empty 'Post link': the post id is read from the post link")
    created = _li_date(row, ctx)
    text = _text(_ci(row, _LI_TITLE))
    page = ctx.options.get("account")
    extras: dict[str, Any] = {"date_only": True}
    for names, key, conv in (
        (("Post type", "Post Type", "Update type"), "post_type", _str),
        (("Content Type", "Content type"), "content_type", _str),
        (("Campaign name", "Campaign Name"), "campaign_name", _str),
        (("Campaign start date", "Campaign Start Date"), "campaign_start", _str),
        (("Campaign end date", "Campaign End Date"), "campaign_end", _str),
        (("Audience",), "audience", _str),
        (("Posted by", "Published by"), "posted_by", _str),
        (("Clicks",), "clicks", _num),
        (("Click through rate (CTR)", "Click-Through Rate (CTR)"), "ctr", _float),
        (("Engagement rate", "Engagement Rate"), "engagement_rate", _float),
        (("Follows", "Followers"), "follows", _num),
        (("Views (excluding off-site video views)",), "video_views", _num),
        (("Off-site views", "Off-site Views"), "offsite_views", _num),
    ):
        v = conv(_ci(row, names))
        if v is not None:
            extras[key] = v
    link = _ci(row, _LI_LINK)
    return [
        Post(
            platform="linkedin",
            platform_id=pid,
            created_at=created,
            text=text,
            author_handle=str(page) if page else None,
            url=link.strip() if link else None,
            kind="original",
            hashtags=text_hashtags(text),
            links=_url_links(text),
            likes=_num(_ci(row, ("Likes", "Reactions"))),
            replies=_num(_ci(row, ("Comments",))),
            reposts=_num(_ci(row, ("Reposts", "Shares"))),
            views=_num(_ci(row, ("Impressions",))),
            author=Account(
                platform="linkedin", account_id="@" + str(page).lower(), handle=str(page)
            )
            if page
            else None,
            extras=extras,
        )
    ]


# --------------------------------------------------------------------------- user mapping
#: Post/Account fields a mapping may name a column for (value: what the column holds).
MAPPING_FIELDS: dict[str, str] = {
    "id": "post id (required)",
    "created_at": "post time (required): ISO 8601, epoch seconds, or date_format",
    "text": "post text",
    "author_id": "author's platform id",
    "author_handle": "author's handle, without '@'",
    "author_name": "author's display name",
    "author_bio": "author's bio",
    "author_followers": "author's follower count",
    "url": "link to the post",
    "lang": "language code",
    "kind": "original / reply / repost / quote",
    "reply_to_id": "id of the post replied to",
    "quote_of_id": "id of the quoted post",
    "repost_of_id": "id of the reposted post",
    "conversation_id": "thread id",
    "likes": "like count",
    "reposts": "repost count",
    "replies": "reply count",
    "quotes": "quote count",
    "views": "view count",
    "hashtags": "hashtags, separated by list_separator (default: from the text)",
    "mentions": "mentioned handles, separated by list_separator (default: from the text)",
    "links": "links, separated by list_separator (default: from the text)",
}
#: Settings of a mapping that are not columns.
MAPPING_SETTINGS: dict[str, str] = {
    "platform": f"platform of every row (required): one of {', '.join(PLATFORMS)}",
    "date_format": "strptime format of created_at (default: ISO 8601 or epoch seconds)",
    "timezone": "IANA zone for times without an offset (default: UTC)",
    "list_separator": "separator in hashtags/mentions/links cells (default ' '; JSON arrays too)",
    "name": "a name for the mapping, shown in messages",
}


@dataclass(frozen=True)
class UserMapping:
    platform: str
    columns: dict[str, str]  # Post field -> column
    date_format: str | None = None
    tz: tzinfo | None = None
    list_separator: str = " "
    name: str = "mapping"
    raw: dict[str, Any] = field(default_factory=dict)


def validate_mapping(mapping: Any) -> UserMapping:
    """Check a user mapping (the dict from a TOML/JSON file); raise NormalizeError naming
    exactly which key is missing or wrong."""
    if not isinstance(mapping, Mapping):
        raise NormalizeError(
            f"mapping: expected a table of field = column, got {type(mapping).__name__}"
        )
    known = set(MAPPING_FIELDS) | set(MAPPING_SETTINGS)
    unknown = sorted(k for k in mapping if k not in known)
    if unknown:
        raise NormalizeError(
            f"mapping: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"fields: {', '.join(MAPPING_FIELDS)}; settings: {', '.join(MAPPING_SETTINGS)}"
        )
    platform = mapping.get("platform")
    if not platform:
        raise NormalizeError(f"mapping: missing key 'platform' (one of {', '.join(PLATFORMS)})")
    if platform not in PLATFORMS:
        raise NormalizeError(
            f"mapping: 'platform' is {platform!r}; expected one of {', '.join(PLATFORMS)}"
        )
    for req in ("id", "created_at"):
        if not mapping.get(req):
            raise NormalizeError(
                f"mapping: missing key {req!r} ({MAPPING_FIELDS[req]}): name its column"
            )
    cols: dict[str, str] = {}
    for k in MAPPING_FIELDS:
        v = mapping.get(k)
        if v is None:
            continue
        if not isinstance(v, str) or not v:
            raise NormalizeError(
                f"mapping: {k!r} must be a column name (a non-empty string), got {v!r}"
            )
        cols[k] = v
    fmt = mapping.get("date_format")
    if fmt is not None and (not isinstance(fmt, str) or "%" not in fmt):
        raise NormalizeError(
            f"mapping: 'date_format' must be a strptime format like '%Y-%m-%d %H:%M:%S', got {fmt!r}"
        )
    sep = mapping.get("list_separator", " ")
    if not isinstance(sep, str) or not sep:
        raise NormalizeError("mapping: 'list_separator' must be a non-empty string")
    return UserMapping(
        platform=str(platform),
        columns=cols,
        date_format=fmt,
        tz=_zone(mapping.get("timezone")),
        list_separator=sep,
        name=str(mapping.get("name") or "mapping"),
        raw=dict(mapping),
    )


_MAPPING_CACHE: dict[int, tuple[Any, UserMapping]] = {}


def _mapping_of(ctx: Context) -> UserMapping:
    m = ctx.options.get("mapping")
    if m is None:
        raise NormalizeError(
            "this row was read with a user mapping: pass the same --mapping FILE "
            "(renormalize takes it from the import's stored options)"
        )
    hit = _MAPPING_CACHE.get(id(m))
    if hit is not None and hit[0] is m:
        return hit[1]
    um = validate_mapping(m)
    if len(_MAPPING_CACHE) > 64:
        _MAPPING_CACHE.clear()
    _MAPPING_CACHE[id(m)] = (m, um)
    return um


def _mapping_date(row: dict[str, str], ctx: Context, m: UserMapping | None = None) -> datetime:
    m = m or _mapping_of(ctx)
    col = m.columns["created_at"]
    v = row.get(col)
    if not v:
        raise NormalizeError(f"empty {col!r} (mapped to created_at)")
    if m.date_format:
        try:
            dt = datetime.strptime(v.strip(), m.date_format)
        except ValueError:
            raise NormalizeError(
                f"column {col!r}: {v!r} does not match date_format {m.date_format!r}"
            ) from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=m.tz or UTC)
        return dt.astimezone(UTC)
    v = v.strip()
    if v.replace(".", "", 1).isdigit():
        return from_epoch(float(v))
    return _local_time(v, col, m.tz)


def _mapping_list(
    row: dict[str, str], col: str | None, sep: str, strip: str
) -> tuple[str, ...] | None:
    if col is None:
        return None
    v = row.get(col)
    if not v:
        return ()
    items = [str(x) for x in _json_list(v, col)] if v.lstrip().startswith("[") else v.split(sep)
    return tuple(dict.fromkeys(i.strip().lstrip(strip) for i in items if i.strip().lstrip(strip)))


def _mapping_build(row: dict[str, str], ctx: Context) -> list[Post]:
    m = _mapping_of(ctx)
    c = m.columns
    pid = row.get(c["id"])
    if not pid:
        raise NormalizeError(f"empty {c['id']!r} (mapped to id)")
    created = _mapping_date(row, ctx, m)

    def get(key: str) -> str | None:
        col = c.get(key)
        return _str(row.get(col)) if col else None

    text = _text(row.get(c["text"])) if "text" in c else ""
    tags = _mapping_list(row, c.get("hashtags"), m.list_separator, "#")
    ments = _mapping_list(row, c.get("mentions"), m.list_separator, "@")
    links = _mapping_list(row, c.get("links"), m.list_separator, "")
    kind = (get("kind") or "").lower()
    if kind not in ("original", "reply", "repost", "quote"):
        kind = (
            "repost"
            if get("repost_of_id")
            else "reply"
            if get("reply_to_id")
            else "quote"
            if get("quote_of_id")
            else "original"
        )
    handle = get("author_handle")
    handle = handle.lstrip("@") if handle else None
    aid = get("author_id")
    author = None
    if aid or handle:
        author = Account(
            platform=m.platform,
            account_id=aid or "@" + (handle or "").lower(),
            handle=handle,
            name=get("author_name"),
            bio=get("author_bio"),
            followers=_num(get("author_followers")),
        )
    return [
        Post(
            platform=m.platform,
            platform_id=pid.strip(),
            created_at=created,
            text=text,
            author_id=aid,
            author_handle=handle,
            url=get("url"),
            lang=get("lang"),
            kind=kind,
            hashtags=tags if tags is not None else text_hashtags(text),
            mentions=ments if ments is not None else text_mentions(text),
            links=links if links is not None else _url_links(text),
            reply_to_id=get("reply_to_id"),
            quote_of_id=get("quote_of_id"),
            repost_of_id=get("repost_of_id"),
            conversation_id=get("conversation_id"),
            likes=_num(get("likes")),
            reposts=_num(get("reposts")),
            replies=_num(get("replies")),
            quotes=_num(get("quotes")),
            views=_num(get("views")),
            author=author,
            extras={"mapping": m.name},
        )
    ]


def _mapping_check(row: dict[str, str], ctx: Context) -> str | None:
    m = _mapping_of(ctx)
    if not row.get(m.columns["id"]):
        return f"empty {m.columns['id']!r} (mapped to id): every row needs a post id"
    try:
        _mapping_date(row, ctx, m)
    except NormalizeError as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- registry
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="twarc-csv",
            platform="x",
            description="`twarc2 csv` output (twarc-csv 0.7.x) of X API v2 tweets",
            source="twarc-csv 0.7.2, dataframe_converter.DEFAULT_TWEET_COLUMNS",
            required=(("id",), ("text",), ("created_at", "author_id")),
            columns=TWARC_COLUMNS,
            detect=_twarc_detect,
            check=_check_id_date(("id",), _twarc_date),
            build=_twarc_build,
        ),
        Preset(
            name="grfiv-processed",
            platform="x",
            description="grfiv/healthcare_twitter_analysis processed file (40 columns, 2014)",
            source="grfiv/healthcare_twitter_analysis files/bigtweet_file002.csv header",
            required=(
                ("id", "trackback_permalink"),
                ("content",),
                ("firstpost_date",),
                ("trackback_author_nick", "user_screen_name"),
            ),
            columns=GRFIV_PROCESSED_COLUMNS,
            detect=lambda h: (
                {"content", "firstpost_date", "trackback_permalink", "user_screen_name"} <= h
            ),
            check=_grfiv_check,
            build=_grfiv_processed_build,
        ),
        Preset(
            name="grfiv-topsy",
            platform="x",
            description="grfiv/healthcare_twitter_analysis Topsy tweet CSVs (25 columns, 2014)",
            source="grfiv/healthcare_twitter_analysis files/Tweets_*_full.csv header",
            required=(
                ("id", "trackback_permalink"),
                ("content",),
                ("firstpost_date",),
                ("trackback_author_nick",),
            ),
            columns=GRFIV_TOPSY_COLUMNS,
            detect=lambda h: (
                {"content", "firstpost_date", "trackback_permalink", "trackback_author_nick"} <= h
            ),
            check=_grfiv_check,
            build=_grfiv_topsy_build,
        ),
        Preset(
            name="crowdtangle",
            platform="facebook/instagram",
            description="CrowdTangle CSV downloads of Facebook Page/group or Instagram posts",
            source="4CAT datasources/upload/import_formats.py; real exports in jhroy/noovo.info_1an",
            required=(("URL",), ("Post Created", "Created", "Post Created Date"), ("User Name",)),
            columns=CROWDTANGLE_FACEBOOK_COLUMNS
            + tuple(
                c for c in CROWDTANGLE_INSTAGRAM_COLUMNS if c not in CROWDTANGLE_FACEBOOK_COLUMNS
            ),
            detect=_ct_detect,
            check=_ct_check,
            build=_ct_build,
        ),
        Preset(
            name="meta-content-library",
            platform="facebook/instagram",
            description="Meta Content Library CSV downloads of Facebook or Instagram posts",
            source="Meta Content Library data dictionary; fabiogiglietto/csds-preprocessor",
            required=(("id",), ("creation_time",)),
            columns=MCL_COLUMNS,
            detect=_mcl_detect,
            check=_check_id_date(("id",), _mcl_date),
            build=_mcl_build,
        ),
        Preset(
            name="linkedin-page",
            platform="linkedin",
            description="LinkedIn Page content analytics, 'All posts' sheet saved as CSV",
            source="LinkedIn Page analytics export (see docs/sources/csv.md)",
            required=(_LI_LINK, _LI_DATE),
            columns=LINKEDIN_COLUMNS,
            detect=_li_detect,
            check=_li_check,
            build=_li_build,
            case_insensitive=True,
        ),
        Preset(
            name="mapping",
            platform="(from the mapping)",
            description="any CSV, read through a user mapping (--format csv --mapping FILE)",
            source="the user's mapping",
            required=(),
            columns=(),
            detect=lambda h: False,
            check=_mapping_check,
            build=_mapping_build,
        ),
    )
}
# Auto-detection order: most specific first.
_DETECT_ORDER = (
    "twarc-csv",
    "grfiv-processed",
    "grfiv-topsy",
    "crowdtangle",
    "meta-content-library",
    "linkedin-page",
)


def detect_preset(header: list[str] | set[str]) -> str | None:
    """The name of the preset whose columns a header has, or None."""
    h = {c.strip().lstrip("\ufeff") for c in header}
    for name in _DETECT_ORDER:
        if PRESETS[name].detect(h):
            return name
    return None


# =========================================================================== reading
def _delimiter(first_lines: list[str]) -> str:
    """',' unless the first lines clearly use ';' or a tab (spreadsheet exports saved
    in some locales); a note line above the header does not decide."""
    best = {",": 0, ";": 0, "\t": 0}
    for line in first_lines:
        bare = re.sub(r'"[^"]*"', "", line)
        for d in best:
            best[d] = max(best[d], bare.count(d))
    top = max(best, key=lambda d: best[d])
    return top if best[top] > best[","] else ","


class _Lines:
    """Decodes raw lines for the csv reader and remembers where each row came from."""

    __slots__ = ("cp1252_first", "raw", "source", "start")

    def __init__(self, source: Iterator[tuple[int, bytes]]) -> None:
        self.source = source
        self.raw: list[bytes] = []  # the lines of the row being read
        self.start: int | None = None  # the number of its first line
        self.cp1252_first: int | None = None

    def next_row(self) -> None:
        self.raw = []
        self.start = None

    def __iter__(self) -> Iterator[str]:
        first = True
        for n, raw in self.source:
            if self.start is None:
                self.start = n
            self.raw.append(raw)
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError:
                s = raw.decode("cp1252", errors="replace")
                if self.cp1252_first is None:
                    self.cp1252_first = n
            if first:
                first = False
                if s.startswith("\ufeff"):
                    s = s[1:]
            yield s


class CsvFormat(Format):
    name = "csv"
    platform = "various"
    description = "Read CSV exports (twarc-csv, CrowdTangle, Meta Content Library, LinkedIn, ...) by preset or mapping."
    kind = "text"
    option_help: ClassVar[Mapping[str, str]] = {
        "preset": "column preset: "
        + ", ".join(n for n in PRESETS if n != "mapping")
        + " (default: detected from the header)",
        "mapping": "a TOML/JSON file mapping Post fields to columns (see docs/sources/csv.md)",
        "timezone": "IANA time zone for times written without one (default: UTC)",
        "date_format": "strptime format of LinkedIn 'Created date' (default: %m/%d/%Y or ISO)",
        "platform": "meta-content-library: force 'facebook' or 'instagram'",
        "account": "linkedin-page: the page's vanity name (the export does not name it)",
    }

    # ------------------------------------------------------------------ sniffing
    def sniff_text(self, head: str, path: str) -> bool:
        if not head.strip():
            return False
        first = head.split("\n", _HEADER_SEARCH_ROWS)[:_HEADER_SEARCH_ROWS]
        try:
            reader = csv.reader(io.StringIO(head, newline=""), delimiter=_delimiter(first))
            for i, row in enumerate(reader):
                if i >= _HEADER_SEARCH_ROWS:
                    break
                if row and detect_preset(row):
                    return True
        except csv.Error:
            return False
        return False

    # ------------------------------------------------------------------ reading
    def _choose(self, ctx: Context) -> tuple[str | None, str | None]:
        """(preset named by the options, or None to detect; an error message)."""
        if ctx.options.get("mapping") is not None:
            try:
                validate_mapping(ctx.options["mapping"])
            except NormalizeError as exc:
                return None, str(exc)
            return "mapping", None
        name = ctx.options.get("preset")
        if name:
            if name not in PRESETS or name == "mapping":
                known = ", ".join(n for n in PRESETS if n != "mapping")
                return (
                    None,
                    f"unknown preset {name!r}; known presets: {known} (or --format csv --mapping FILE)",
                )
            return str(name), None
        return None, None

    def read(self, lines: Iterator[tuple[int, bytes]], ctx: Context) -> Iterator[TextItem]:
        chosen, err = self._choose(ctx)
        if err:
            yield TextItem(1, b"", error=err)
            return
        lines = iter(lines)
        peek = list(itertools.islice(lines, _HEADER_SEARCH_ROWS))
        if not peek:
            return
        delimiter = _delimiter([raw.decode("utf-8", errors="replace") for _, raw in peek])
        src = _Lines(itertools.chain(peek, lines))
        reader = csv.reader(iter(src), delimiter=delimiter)
        preset: Preset | None = None
        header: list[str] = []
        width = 0
        header_rows = 0  # rows looked at while searching the header
        first_header: tuple[int, bytes, list[str]] | None = None
        dumps = orjson.dumps
        warned_cp1252 = False
        while True:
            src.next_row()
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                start = src.start or 0
                yield TextItem(
                    start,
                    b"".join(src.raw),
                    error=f"CSV syntax error ({exc}); a quote may be unbalanced",
                )
                continue
            start = src.start or 0
            if not warned_cp1252 and src.cp1252_first is not None:
                warned_cp1252 = True
                ctx.warnings.append(
                    f"line {src.cp1252_first} is not valid UTF-8: read as cp1252 "
                    "(later such lines are not reported)"
                )
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if preset is None:
                header_rows += 1
                cells = [c.strip() for c in row]
                name = chosen or detect_preset(cells)
                if first_header is None:
                    first_header = (start, b"".join(src.raw), cells)
                if name is not None and not self._missing(name, cells, ctx):
                    preset, header, width = PRESETS[name], cells, len(cells)
                    if header_rows > 1:
                        ctx.warnings.append(
                            f"skipped {header_rows - 1} row(s) above the header on line {start}"
                        )
                    continue
                if header_rows < _HEADER_SEARCH_ROWS:
                    continue
                yield self._header_error(chosen, first_header, ctx)
                return
            if len(row) != width:
                yield TextItem(
                    start,
                    b"".join(src.raw),
                    error=f"row has {len(row)} fields, the header has {width} "
                    "(a quote may be unbalanced or a delimiter unquoted)",
                )
                continue
            d = {h: v for h, v in zip(header, row, strict=True) if v and h}
            problem = preset.check(d, ctx)
            if problem:
                yield TextItem(start, b"".join(src.raw), error=f"{preset.name}: {problem}")
                continue
            value = {"preset": preset.name, "row": d}
            yield TextItem(start, dumps(value), value)
        if preset is None and first_header is not None:
            yield self._header_error(chosen, first_header, ctx)

    @staticmethod
    def _missing(name: str, cells: list[str], ctx: Context) -> list[str]:
        if name != "mapping":
            return PRESETS[name].missing(cells)
        have = set(cells)
        m = _mapping_of(ctx)
        return [f"{col!r} (mapped to {key})" for key, col in m.columns.items() if col not in have]

    def _header_error(
        self, chosen: str | None, first: tuple[int, bytes, list[str]], ctx: Context
    ) -> TextItem:
        line, raw, cells = first
        shown = ", ".join(repr(c) for c in cells[:12]) + (", ..." if len(cells) > 12 else "")
        if chosen:
            missing = self._missing(chosen, cells, ctx)
            msg = (
                f"preset {chosen!r}: the header lacks required column(s) {', '.join(missing)} "
                f"(header: {shown}); nothing read from this file"
            )
        else:
            known = ", ".join(n for n in PRESETS if n != "mapping")
            msg = (
                f"no CSV preset recognises this header ({shown}); pass --preset NAME "
                f"({known}) or --format csv --mapping FILE"
            )
        return TextItem(line, raw, error=msg)

    # ------------------------------------------------------------------ normalizing
    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        if not isinstance(obj, dict) or not isinstance(obj.get("row"), dict):
            raise NormalizeError('expected {"preset": NAME, "row": {column: value}}')
        name = obj.get("preset")
        preset = PRESETS.get(name) if isinstance(name, str) else None
        if preset is None:
            raise NormalizeError(f"unknown CSV preset {name!r}")
        return preset.build(obj["row"], ctx)
