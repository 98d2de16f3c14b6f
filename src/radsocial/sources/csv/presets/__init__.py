"""CSV presets: how one tool's export maps onto posts (`Preset`), the registry of the
presets by name (`PRESETS`) and their detection from a header (`detect_preset`).

Each preset's columns, detection, checks and row builder live in a module of its own
(twarc, grfiv, crowdtangle, meta, linkedin); the ``mapping`` preset reads through a user
mapping (radsocial.sources.csv.mapping).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from radsocial.models import Post
from radsocial.sources.base import Context, NormalizeError
from radsocial.sources.csv.mapping import _mapping_build, _mapping_check
from radsocial.sources.csv.presets.crowdtangle import (
    CROWDTANGLE_FACEBOOK_COLUMNS,
    CROWDTANGLE_INSTAGRAM_COLUMNS,
    _ct_build,
    _ct_check,
    _ct_detect,
)
from radsocial.sources.csv.presets.grfiv import (
    GRFIV_PROCESSED_COLUMNS,
    GRFIV_TOPSY_COLUMNS,
    _grfiv_check,
    _grfiv_processed_build,
    _grfiv_topsy_build,
)
from radsocial.sources.csv.presets.linkedin import (
    _LI_DATE,
    _LI_LINK,
    LINKEDIN_COLUMNS,
    _li_build,
    _li_check,
    _li_detect,
)
from radsocial.sources.csv.presets.meta import MCL_COLUMNS, _mcl_build, _mcl_date, _mcl_detect
from radsocial.sources.csv.presets.twarc import (
    TWARC_COLUMNS,
    _twarc_build,
    _twarc_date,
    _twarc_detect,
)
from radsocial.sources.csv.values import _first

__all__ = ["PRESETS", "Preset", "detect_preset"]


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
