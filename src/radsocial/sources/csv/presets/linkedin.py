"""Preset ``linkedin-page``: LinkedIn Page content analytics, "All posts" sheet saved as
CSV."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from radsocial.models import Account, Post
from radsocial.sources.base import Context, NormalizeError, text_hashtags
from radsocial.sources.csv.values import _date, _first, _float, _num, _str, _text, _url_links

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
