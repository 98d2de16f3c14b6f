"""What the synthetic corpus is told to look like: parameters and calibration.

Every number here is either taken from a published study (the ones collected in the
project's domain notes, `/work/shared/domain.md` §6, cited as "domain §6") or is an
explicit, documented assumption where nothing was published. `calibration()` returns the
same numbers with their sources; it goes into `truth.json`, so a corpus always says what
it was calibrated on. docs/generate.md explains each choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from radsocial.models import SYNTHETIC_MARKER

#: The key every synthetic record carries at its top level (X pages, Bluesky envelopes,
#: Mastodon recorded responses and each status inside them). The importers ignore
#: unknown keys, so marked records import unchanged, and the raw payload stored for
#: every post says, forever, that it is synthetic.
MARKER = SYNTHETIC_MARKER

#: Payload formats the generator writes -> the platform of their posts.
FORMAT_PLATFORM = {"x-v2": "x", "bluesky": "bluesky", "mastodon": "mastodon"}

#: Default share of the posts per format when `--formats` names formats without shares.
#: An assumption: X dominates radiology conversation over 2011-2025; Bluesky and
#: Mastodon hold the post-2022 migration (no published shares for radiology).
DEFAULT_SHARES = {"x-v2": 0.80, "bluesky": 0.12, "mastodon": 0.08}

COMPRESSIONS = ("zstd", "gzip", "none")

#: X snowflake ids start on 2010-11-04, so the corpus starts in 2011 at the earliest.
MIN_YEAR = 2011
MAX_YEAR = 2035

# ------------------------------------------------------------------------ volume

#: Yearly growth of radiology hashtag volume (domain §6, Curr Probl Diagn Radiol 2018:
#: 198 %, 97 %, 65 %, 115 %, 35 %, 39 %, mean 92 %). The paper reports six rates for
#: 2011-2016; we read each as the growth of that year over the year before.
PUBLISHED_GROWTH = {2011: 1.98, 2012: 0.97, 2013: 0.65, 2014: 1.15, 2015: 0.35, 2016: 0.39}

#: After 2016 growth flattens (the brief: "then flatter"); from 2023 the medical
#: community's X activity declines as part of it moves to Bluesky and Mastodon.
#: Assumptions, not published figures.
ASSUMED_GROWTH = {
    2017: 0.15,
    2018: 0.10,
    2019: 0.08,
    2020: 0.05,
    2021: 0.02,
    2022: -0.05,
    2023: -0.25,
    2024: -0.20,
    2025: -0.10,
}

#: Relative yearly volume of the newer platforms (assumed shapes, each normalized by the
#: platform's own total): Mastodon is tiny until the exodus of November 2022, Bluesky
#: opens its beta in 2023 and to the public in February 2024.
PLATFORM_YEAR_WEIGHT = {
    "mastodon": {2017: 0.03, 2018: 0.03, 2019: 0.04, 2020: 0.06, 2021: 0.08, 2022: 0.30},
    "bluesky": {2023: 0.20, 2024: 1.00},
}
PLATFORM_LATE_WEIGHT = {"mastodon": (2023, 1.0), "bluesky": (2025, 1.5)}

#: First day each platform carries posts (accounts are created before it).
PLATFORM_START = {
    "x": date(2011, 1, 1),
    "mastodon": date(2017, 1, 1),
    "bluesky": date(2023, 3, 1),
}

#: Step changes of daily volume inside a year (platform, first day, factor): the
#: November 2022 Mastodon wave, Bluesky's public opening and its November 2024 wave.
VOLUME_STEPS: tuple[tuple[str, date, float], ...] = (
    ("mastodon", date(2022, 10, 28), 6.0),
    ("bluesky", date(2024, 2, 6), 2.5),
    ("bluesky", date(2024, 11, 6), 2.0),
)

#: Day-of-week factors (Monday first): professional accounts post on working days.
WEEKDAY_FACTOR = (1.05, 1.1, 1.1, 1.05, 0.95, 0.6, 0.6)

#: Share of a day's posts per UTC hour (North American and European working hours).
HOUR_WEIGHT = (
    2, 1.5, 1, 1, 1, 1.2, 1.8, 2.5, 3.2, 3.8, 4.2, 4.5,
    5, 5.5, 6, 6.2, 6.2, 6, 5.5, 5, 4.4, 3.8, 3.2, 2.5,
)  # fmt: skip

#: Lognormal sigma of the day-to-day noise of volume.
DAILY_NOISE = 0.25

# ------------------------------------------------------------------------ post mix

#: Share of posts per kind. X: domain §6, #IRad (JVIR 2018): 65.4 % retweets, 2.8 %
#: replies; quotes are not reported (2 % assumed). Bluesky and Mastodon: assumptions
#: (no published radiology figures; both are more conversational, and Mastodon had no
#: quotes until 4.5 in 2025).
KIND_SHARES = {
    "x": {"repost": 0.654, "reply": 0.028, "quote": 0.02},
    "bluesky": {"repost": 0.40, "reply": 0.10, "quote": 0.05},
    "mastodon": {"repost": 0.35, "reply": 0.12, "quote": 0.0},
}

#: Shares over *all* posts (reposts included, Symplur's way): domain §6, #IRad:
#: 82.6 % with mentions, 31.8 % with images, 25.0 % with links. On X a retweet carries
#: its original's mentions (and "RT @author"), links and images, so the generator solves
#: for the share of originals (see `feature_probabilities`).
TARGET_MENTIONS = 0.826
TARGET_IMAGES = 0.318
TARGET_LINKS = 0.250
VIDEO_SHARE = 0.03  # of originals: a video instead of images (assumed)
REPLY_IMAGES = 0.08  # of replies: an image (assumed)

#: #IRad: 61,055 tweets by 5,704 users (domain §6): 10.7 posts per user. Sets the size of
#: the account population (most accounts post a few times, a few post a lot): a corpus
#: of that size gets that many accounts, and larger corpora get sublinearly more (Heaps'
#: law: distinct authors grow slower than posts, exponent HEAPS_EXPONENT, assumed).
POSTS_PER_USER = 61_055 / 5_704
HEAPS_EXPONENT = 0.85

#: Activity skew: an account's rank within its role is `n * u ** ACTIVITY_EXPONENT`
#: (u uniform). With 3.5 the top 10 % of accounts write about half the posts.
ACTIVITY_EXPONENT = 3.5

#: Share of topic originals that use a tag in another sense (#CT = Connecticut, a PCR "Ct
#: value", radiotherapy under #RadOnc, a QR-code "scan"): negatives for relevance.
NOISE_SHARE = 0.02

#: Share of originals written in another language than English (assumed).
OTHER_LANGUAGE_SHARE = 0.03

# ------------------------------------------------------------------------ stakeholders

#: Share of posts per author stakeholder (radsocial taxonomy). Physicians (radiologist +
#: trainee + other physician) write 47.8 % (domain §6, #IRad); patients 1.5 % (between
#: #IRad's 0.8 % and the 2.9 % of the 2011-2016 radiology-hashtag study). The split of
#: the rest is an assumption.
STAKEHOLDER_POST_SHARES = {
    "radiologist": 0.300,
    "radiology_trainee": 0.090,
    "other_physician": 0.088,
    "medical_student": 0.020,
    "imaging_technologist": 0.040,
    "medical_physicist": 0.012,
    "other_hcp": 0.030,
    "researcher_academic": 0.040,
    "patient_advocate": 0.015,
    "caregiver": 0.003,
    "journalist": 0.015,
    "other_individual": 0.030,
    "imaging_practice": 0.030,
    "hospital_health_system": 0.030,
    "professional_society": 0.045,
    "journal_publisher": 0.030,
    "vendor_industry": 0.040,
    "media_outlet": 0.030,
    "government_regulator": 0.005,
    "advocacy_nonprofit": 0.015,
    "university_education": 0.020,
    "other_organisation": 0.005,
    "spam_bot": 0.006,
    "unknown": 0.061,
}
PHYSICIAN_ROLES = ("radiologist", "radiology_trainee", "other_physician")
PATIENT_ROLES = ("patient_advocate",)

#: Typical log10 follower counts per role on X (assumed; lognormal, sigma 0.55 decades).
FOLLOWERS_LOG10 = {
    "radiologist": 2.9,
    "radiology_trainee": 2.5,
    "other_physician": 2.8,
    "medical_student": 2.3,
    "imaging_technologist": 2.3,
    "medical_physicist": 2.4,
    "other_hcp": 2.4,
    "researcher_academic": 2.7,
    "patient_advocate": 2.6,
    "caregiver": 2.1,
    "journalist": 3.4,
    "other_individual": 2.2,
    "imaging_practice": 2.9,
    "hospital_health_system": 3.6,
    "professional_society": 4.0,
    "journal_publisher": 3.8,
    "vendor_industry": 3.8,
    "media_outlet": 4.1,
    "government_regulator": 4.0,
    "advocacy_nonprofit": 3.3,
    "university_education": 3.6,
    "other_organisation": 2.8,
    "spam_bot": 1.8,
    "unknown": 2.2,
}
FOLLOWERS_SIGMA = 0.55
#: Followers on the newer platforms relative to X (smaller audiences; assumed).
FOLLOWERS_SCALE = {"x": 1.0, "bluesky": 0.25, "mastodon": 0.12}

# ------------------------------------------------------------------------ meeting

#: The meeting whose tag runs through the corpus (registry key in meetings.toml).
MEETING = "RSNA"
#: Days before and after the meeting that count as its window (studies use ±1 to ±30).
MEETING_WINDOW_DAYS = 30
#: Meeting-tag posts per meeting day, in units of an average day's topic volume: the tag
#: is dense during the meeting (an assumption: RSNA week multiplies the day's volume ~6x).
MEETING_DAY_FACTOR = 5.0
#: Tails: pre-meeting build-up and post-meeting echo, factor * exp(-days / decay).
MEETING_PRE = (0.30, 8.0)
MEETING_POST = (0.60, 4.0)
#: Virtual editions draw fewer posts: RSNA 2020 (virtual) vs 2019: tweets -46 % (domain §6).
VIRTUAL_FACTOR = 0.54
#: Share of meeting posts that spell the tag with four digits (#RSNA2019 vs #RSNA19).
MEETING_LONG_TAG_SHARE = 0.2

# ------------------------------------------------------------------------ tweetchat

#: The monthly tweetchat (registry key in tweetchats.toml). #JACR is the chat with
#: published per-session figures (Hawkins et al., JACR 2014, domain §6).
TWEETCHAT = "JACR"
#: Its schedule is not documented, so the corpus uses one: the third Wednesday of each
#: month, 20:00-21:00 New York time (an assumption, written to truth.json).
CHAT_WEEKDAY = 2  # Wednesday
CHAT_WEEK_OF_MONTH = 3
CHAT_LOCAL_TIME = (20, 0)
CHAT_TIMEZONE = "America/New_York"
CHAT_MINUTES = 60
#: Per session (domain §6, #JACR): 444 ± 172 tweets, 33 ± 14 participants, 138 ± 35.6
#: retweets (31 % of the tweets), 45.4 % of participants not radiologists.
CHAT_POSTS = (444.0, 172.0)
CHAT_PARTICIPANTS = (33.0, 14.0)
CHAT_RETWEET_SHARE = 138.0 / 444.0
CHAT_NON_RADIOLOGIST_SHARE = 0.454
#: At most this share of the chat platform's posts go to chats, so small corpora keep
#: their topic conversation (sessions then shrink, down to CHAT_MIN_POSTS).
CHAT_MAX_SHARE = 0.03
CHAT_MIN_POSTS = 12  # the tweetchat report skips sessions under 10 posts by default

# ------------------------------------------------------------------------ config


class ConfigError(ValueError):
    """Parameters the generator cannot honour; the message says which and why."""


@dataclass(frozen=True)
class SynthConfig:
    """What `radsocial generate` was asked for, validated."""

    posts: int = 20_000
    start_year: int = 2016
    end_year: int = 2025
    formats: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SHARES))
    seed: int = 0
    compress: str = "zstd"

    def __post_init__(self) -> None:
        if self.posts < 1:
            raise ConfigError("--posts must be at least 1")
        if not MIN_YEAR <= self.start_year <= self.end_year <= MAX_YEAR:
            raise ConfigError(
                f"years must satisfy {MIN_YEAR} <= start <= end <= {MAX_YEAR} "
                f"(X snowflake ids start in November 2010); got {self.start_year}-{self.end_year}"
            )
        if self.compress not in COMPRESSIONS:
            raise ConfigError(f"--compress must be one of {', '.join(COMPRESSIONS)}")
        if not self.formats:
            raise ConfigError("--formats names no format")
        for name, share in self.formats.items():
            if name not in FORMAT_PLATFORM:
                raise ConfigError(
                    f"unknown format {name!r}; the generator writes {', '.join(FORMAT_PLATFORM)}"
                )
            if not share > 0:
                raise ConfigError(f"the share of {name} must be > 0")
        for name in self.formats:
            plat = FORMAT_PLATFORM[name]
            if PLATFORM_START[plat].year > self.end_year:
                raise ConfigError(
                    f"{name} carries posts from {PLATFORM_START[plat]:%B %Y}: "
                    f"use --end-year {PLATFORM_START[plat].year} or later, or drop it"
                )

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    def post_counts(self) -> dict[str, int]:
        """Posts per format: shares normalized, rounded so that they sum to `posts`."""
        total = sum(self.formats.values())
        return apportion(self.posts, {k: v / total for k, v in self.formats.items()})


def parse_formats(text: str) -> dict[str, float]:
    """'x-v2,bluesky' or 'x-v2=0.7,bluesky=0.3' -> {format: share}.

    Formats named without a share take their default share (DEFAULT_SHARES), rescaled
    with the others; explicit shares are relative weights (they need not sum to 1).
    """
    out: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, share = part.partition("=")
        name = name.strip().lower()
        if name in ("x", "twitter"):
            name = "x-v2"
        if name not in FORMAT_PLATFORM:
            raise ConfigError(
                f"unknown format {name!r}; the generator writes {', '.join(FORMAT_PLATFORM)}"
            )
        if share.strip():
            try:
                value = float(share)
            except ValueError:
                raise ConfigError(f"share of {name} is not a number: {share!r}") from None
        else:
            value = DEFAULT_SHARES[name]
        out[name] = value
    if not out:
        raise ConfigError("--formats names no format")
    return out


def apportion(total: int, weights: dict[Any, float]) -> dict[Any, int]:
    """Split `total` into integers proportional to `weights` (largest remainders).

    Exact and deterministic: the parts always sum to `total`, ties go to the earlier key.
    """
    wsum = sum(weights.values())
    if total <= 0 or wsum <= 0:
        return {k: 0 for k in weights}
    raw = {k: total * w / wsum for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    left = total - sum(out.values())
    order = sorted(raw, key=lambda k: (-(raw[k] - out[k]), list(raw).index(k)))
    for k in order[:left]:
        out[k] += 1
    return out


def accounts_for(posts: int) -> int:
    """Accounts in the population of a platform with `posts` posts (5,704 at 61,055)."""
    return max(1, round(5_704 * (posts / 61_055) ** HEAPS_EXPONENT))


def growth_index(year: int) -> float:
    """Relative radiology-hashtag volume on X in `year` (2010 = 1)."""
    idx = 1.0
    for y in range(2011, year + 1):
        g = PUBLISHED_GROWTH.get(y, ASSUMED_GROWTH.get(y, 0.0))
        idx *= 1.0 + g
    return idx


def year_weight(platform: str, year: int) -> float:
    """Relative yearly volume of a platform (its own scale; see the tables above)."""
    if platform == "x":
        return growth_index(year)
    table = PLATFORM_YEAR_WEIGHT[platform]
    if year in table:
        return table[year]
    late_from, late = PLATFORM_LATE_WEIGHT[platform]
    return late if year >= late_from else 0.0


def configured_growth(year: int) -> float | None:
    """The growth over the previous year the corpus was told (X), or None before 2011."""
    if year < 2011:
        return None
    return PUBLISHED_GROWTH.get(year, ASSUMED_GROWTH.get(year, 0.0))


def feature_probabilities(platform: str) -> dict[str, float]:
    """Probabilities per original post that reproduce the all-post targets.

    On X a retweet shows its original's mentions (plus "RT @author"), links and images,
    and a reply always starts with a mention. With o, q, t, p the shares of originals,
    quotes, retweets and replies, and retweets picking originals or quotes (quotes carry
    no media and no counted link), the targets solve to:

    - mentions: T = t + p + (o + q) * m  ->  m = (T - t - p) / (o + q)
    - images, links: T = x * o * (1 + t / (o + q)) + p * x_reply  ->  x

    On Bluesky and Mastodon reposts are empty records: originals use the targets as
    they are (no published figures to calibrate those platforms on).
    """
    k = KIND_SHARES[platform]
    t, p, q = k["repost"], k["reply"], k["quote"]
    o = 1.0 - t - p - q
    if platform == "x":
        mention = (TARGET_MENTIONS - t - p) / (o + q)
        carry = o * (1.0 + t / (o + q))
        images = (TARGET_IMAGES - p * REPLY_IMAGES) / carry
        links = TARGET_LINKS / carry
    else:
        mention = TARGET_MENTIONS - 0.25  # fewer "cc @" habits outside X (assumed)
        images, links = TARGET_IMAGES, TARGET_LINKS
    return {
        "mention": max(0.0, min(1.0, mention)),
        "images": max(0.0, min(1.0, images)),
        "links": max(0.0, min(1.0, links)),
        "video": VIDEO_SHARE,
    }


def calibration() -> dict[str, Any]:
    """The calibration table written to truth.json: value and source of every target."""
    src6 = "domain.md §6"
    return {
        "repost_share": {
            p: {
                "value": v["repost"],
                "source": f"{src6}, #IRad JVIR 2018" if p == "x" else "assumed",
            }
            for p, v in KIND_SHARES.items()
        },
        "reply_share": {
            p: {
                "value": v["reply"],
                "source": f"{src6}, #IRad JVIR 2018" if p == "x" else "assumed",
            }
            for p, v in KIND_SHARES.items()
        },
        "quote_share": {
            p: {"value": v["quote"], "source": "assumed"} for p, v in KIND_SHARES.items()
        },
        "with_mentions": {"value": TARGET_MENTIONS, "source": f"{src6}, #IRad (X)"},
        "with_images": {"value": TARGET_IMAGES, "source": f"{src6}, #IRad (X)"},
        "with_links": {"value": TARGET_LINKS, "source": f"{src6}, #IRad (X)"},
        "posts_per_user": {
            "value": round(POSTS_PER_USER, 2),
            "accounts": "5,704 * (posts / 61,055) ** 0.85",
            "source": f"{src6}, #IRad (61,055 tweets, 5,704 users); Heaps exponent assumed",
        },
        "growth": {
            "published": {str(y): g for y, g in PUBLISHED_GROWTH.items()},
            "assumed": {str(y): g for y, g in ASSUMED_GROWTH.items()},
            "source": f"{src6}, radiology hashtags 2011-2016 (Curr Probl Diagn Radiol 2018); "
            "later years assumed",
        },
        "stakeholder_post_shares": {
            "value": dict(STAKEHOLDER_POST_SHARES),
            "physicians": round(sum(STAKEHOLDER_POST_SHARES[r] for r in PHYSICIAN_ROLES), 3),
            "patients": STAKEHOLDER_POST_SHARES["patient_advocate"],
            "source": f"{src6}: physicians 47.8 % (#IRad), patients 0.8-2.9 %; the rest assumed",
        },
        "meeting": {
            "key": MEETING,
            "window_days": MEETING_WINDOW_DAYS,
            "day_factor": MEETING_DAY_FACTOR,
            "virtual_factor": VIRTUAL_FACTOR,
            "source": f"{src6}: RSNA 2020 (virtual) vs 2019 -46 %; density assumed",
        },
        "tweetchat": {
            "key": TWEETCHAT,
            "posts_per_session": list(CHAT_POSTS),
            "participants_per_session": list(CHAT_PARTICIPANTS),
            "retweet_share": round(CHAT_RETWEET_SHARE, 3),
            "non_radiologist_participants": CHAT_NON_RADIOLOGIST_SHARE,
            "max_share_of_platform": CHAT_MAX_SHARE,
            "source": f"{src6}, #JACR tweet chats (Hawkins et al., JACR 2014); schedule assumed",
        },
        "noise_share": {"value": NOISE_SHARE, "source": "assumed (relevance negatives)"},
    }
