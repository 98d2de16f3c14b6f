"""Preset ``crowdtangle``: CrowdTangle CSV downloads of Facebook Page/group or Instagram
posts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from radsocial.models import Account, Media, Post
from radsocial.sources.base import Context, NormalizeError, text_hashtags
from radsocial.sources.csv.values import (
    _float,
    _ig_mentions,
    _local_time,
    _num,
    _opt_tz,
    _str,
    _text,
    _url_links,
)

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
