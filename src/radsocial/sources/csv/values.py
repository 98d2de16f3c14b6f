"""Cell parsers shared by the CSV presets and user mappings: counts, rates, flags,
strings, JSON-array cells, times with zone abbreviations or offsets, date-only cells,
and links/mentions found in post text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from radsocial.sources.base import (
    Context,
    NormalizeError,
    as_int,
    from_epoch,
    is_post_link,
    parse_iso,
    text_links,
)

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


# Instagram handles also hold dots ("@example.imaging"), unlike X's.
_IG_MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")


def _ig_mentions(text: str) -> tuple[str, ...]:
    if "@" not in text:
        return ()
    return tuple(dict.fromkeys(_IG_MENTION.findall(text)))
