"""The contract every importer (a *format*) fulfils, and helpers they share.

A format turns one decoded record into zero or more `Post` objects. It never touches
files or the database: the reader (`radsocial.sources.reader`) finds records in files,
the pipeline (`radsocial.ingest`) batches them into the store. Keeping `normalize` pure
is what lets `radsocial renormalize` rebuild posts from stored raw payloads.

Two kinds of format exist:

* JSON formats (`kind = "json"`): records are JSON values that the generic reader finds
  (JSON Lines, or a whole-file JSON document / array). `sniff(obj)` says whether a
  decoded value is theirs.
* Text formats (`kind = "text"`): CSV exports and line formats. They read the file
  themselves through `read(lines, ctx)`, get a peek at its first text through
  `sniff_text`, and say how a stored payload is decoded again with `decode`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import msgspec
import orjson

from radsocial.models import Account, Post


class NormalizeError(ValueError):
    """A record of a known format that cannot be turned into posts (says why)."""


@dataclass(slots=True)
class Context:
    """What a format may know about the record besides its content."""

    source: str = ""  # file path or request URL
    line: int | None = None
    received_at: datetime | None = None  # when the payload was collected, if known
    options: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"account": "bbchealth"}
    warnings: list[str] = field(default_factory=list)  # non-fatal problems, reported per line
    #: Accounts described by the record apart from any post (user lookups, profiles).
    accounts: list[Account] = field(default_factory=list)


@dataclass(slots=True)
class TextItem:
    """One record read by a text format: its line, its stored payload, its value.

    `error` is set (and `value` ignored) when the record could not be read; `payload`
    then holds the verbatim bytes for the quarantine file.
    """

    line: int
    payload: bytes
    value: Any = None
    error: str | None = None


class Format:
    """Base class of all importers; subclasses set the class attributes."""

    name: ClassVar[str]  # registry key and `--format` value, e.g. "x-v2"
    platform: ClassVar[str]  # "x", "bluesky", ...
    description: ClassVar[str]  # one sentence, starts with a verb
    kind: ClassVar[str] = "json"
    #: Options this format accepts from the CLI / API (name -> help text).
    option_help: ClassVar[Mapping[str, str]] = {}

    def sniff(self, obj: Any) -> bool:
        """True when a decoded JSON value is a record of this format (JSON formats)."""
        return False

    def sniff_text(self, head: str, path: str) -> bool:
        """True when a file starting with `head` is of this format (text formats)."""
        return False

    def read(self, lines: Iterator[tuple[int, bytes]], ctx: Context) -> Iterator[TextItem]:
        """Read a text file given as (line number, raw line bytes incl. newline) pairs."""
        raise NotImplementedError

    def decode(self, payload: bytes) -> Any:
        """Turn a stored raw payload back into the value `normalize` takes."""
        return orjson.loads(payload)

    def typed_decoder(self) -> Callable[[bytes], Any] | None:
        """A fast decoder of one JSON line into this format's typed value, or None.

        Once a file's format is known, the reader decodes its lines with this instead of
        generic JSON; the decoder returns None for a line that is not of its usual shape
        (the reader then decodes it generically and sniffs it as usual). `normalize` must
        accept both what it returns and the generic value, and the value must have a
        `provenance()` method giving (collection time text, request URL), either None,
        since the reader takes them from it instead of from the generic envelope.
        """
        return None

    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        """Turn one record into posts. Pure: no I/O. Raise NormalizeError to reject it."""
        raise NotImplementedError


# --------------------------------------------------------------------------- helpers
# Shared by several formats; kept here so each is written once.


def as_typed(obj: Any, shape: type[Any], what: str) -> Any:
    """A generic JSON value as a format's typed struct (see `Format.typed_decoder`), for
    records that came through the generic reader; a value of the wrong type is a
    NormalizeError naming the field."""
    try:
        return msgspec.convert(obj, shape)
    except msgspec.ValidationError as exc:
        raise NormalizeError(f"unexpected {what} field value: {exc}") from exc


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_iso(value: str | None) -> datetime | None:
    """Parse an ISO-8601 timestamp ('Z', offsets, 1–9 fractional digits) to aware UTC.

    Bluesky writes nanoseconds ("2025-12-05T10:16:59.78349200Z") which
    `datetime.fromisoformat` rejects beyond 6 digits, so the fraction is trimmed.
    """
    if not value:
        return None
    try:  # fast path: most timestamps are what fromisoformat reads (3.11 takes "Z")
        dt = datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        if dt.tzinfo is UTC:
            return dt
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    s = value.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    dot = s.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(s) and s[end].isdigit():
            end += 1
        frac = s[dot + 1 : end]
        if len(frac) > 6:
            s = s[: dot + 1] + frac[:6] + s[end:]
        elif len(frac) == 0:
            s = s[:dot] + s[end:]
    try:
        dt = datetime.fromisoformat(s)
    except ValueError as exc:
        raise NormalizeError(f"unreadable timestamp {value!r}") from exc
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    )
}


def parse_twitter_date(value: str) -> datetime:
    """Parse X v1.1's 'Thu Apr 09 01:31:50 +0000 2015' quickly (no strptime, no locale).

    The format is fixed-width, so the fields are sliced where they always are; anything
    else (other spacing, a missing field) goes through the tolerant split below.
    """
    if len(value) == 30 and value[25] == " " and value[19:25] == " +0000":
        try:
            return datetime(
                int(value[26:]),
                _MONTHS[value[4:7]],
                int(value[8:10]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:19]),
                tzinfo=UTC,
            )
        except (ValueError, KeyError):
            pass
    try:
        _, mon, day, hms, offset, year = value.split()
        h, m, s = hms.split(":")
        dt = datetime(int(year), _MONTHS[mon], int(day), int(h), int(m), int(s), tzinfo=UTC)
    except (ValueError, KeyError) as exc:
        raise NormalizeError(f"unreadable timestamp {value!r}") from exc
    if offset != "+0000":
        sign = -1 if offset[0] == "-" else 1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        dt = dt - sign * delta
    return dt


def from_epoch(seconds: float) -> datetime:
    """Aware UTC datetime from POSIX seconds."""
    return datetime.fromtimestamp(seconds, UTC)


_SNOWFLAKE_EPOCH_MS = 1288834974657


def snowflake_time(post_id: str) -> datetime | None:
    """Exact creation time of an X post from its id (ids since November 2010)."""
    try:
        n = int(post_id)
    except ValueError:
        return None
    if n < 30_000_000_000_000_000:  # before snowflakes: no time inside the id
        return None
    return datetime.fromtimestamp(((n >> 22) + _SNOWFLAKE_EPOCH_MS) / 1000, UTC)


def as_int(value: Any) -> int | None:
    """An integer count from a payload value, or None (for absent or unparseable)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def is_post_link(url: str) -> bool:
    """True for links to other posts (quotes, X 'photo' links), which are not 'links'.

    Symplur's *links* metric excludes links to other posts; keeping the test in one place
    keeps all importers consistent.
    """
    u = url.lower()
    if "://" in u:
        u = u.split("://", 1)[1]
    u = u.removeprefix("www.").removeprefix("mobile.")
    if u.startswith(("twitter.com/", "x.com/")) and "/status/" in u:
        return True
    return u.startswith("bsky.app/profile/") and "/post/" in u


def unescape_entities(text: str) -> str:
    """Undo the HTML escaping X applies to post text (&amp; &lt; &gt; only).

    X escapes exactly these three characters in `text`/`full_text`; a full HTML
    unescape would also turn a literal "&copy" the user typed into "©".
    """
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# Hashtags and mentions as X and most clients recognise them in plain text: not glued
# to a preceding word character (so "a#b" and "me@example.org" are not matches).
HASHTAG_RE = re.compile(r"(?<![\w&/#])[#＃]([^\W\d_][\w]*|\d+[^\W\d_][\w]*)", re.UNICODE)
MENTION_RE = re.compile(r"(?<![\w@/])[@＠]([A-Za-z0-9_]{1,30})")
URL_RE = re.compile(r"https?://[^\s<>\"'\u2026]+", re.IGNORECASE)


def text_hashtags(text: str) -> tuple[str, ...]:
    """Hashtags found in plain text, in order, without '#', de-duplicated."""
    if "#" not in text and "＃" not in text:
        return ()
    return tuple(dict.fromkeys(HASHTAG_RE.findall(text)))


def text_mentions(text: str) -> tuple[str, ...]:
    """@handles found in plain text, in order, without '@', de-duplicated."""
    if "@" not in text and "＠" not in text:
        return ()
    return tuple(dict.fromkeys(MENTION_RE.findall(text)))


def text_links(text: str) -> tuple[str, ...]:
    """http(s) URLs in plain text, trailing punctuation removed."""
    if "http" not in text.lower():
        return ()
    return tuple(dict.fromkeys(u.rstrip(".,;:!?)]}'\"") for u in URL_RE.findall(text)))


def x_post_url(handle: str | None, post_id: str) -> str:
    """The public URL of an X post; X redirects /i/web/status/ID when the handle is unknown."""
    return f"https://twitter.com/{handle or 'i/web'}/status/{post_id}"
