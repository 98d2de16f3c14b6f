"""The UCI "Health News in Twitter" line format: `tweet_id|created_at|text`.

One file per news account (`bbchealth.txt`, `KaiserHealthNews.txt`, ...), one tweet per
line, `created_at` in X v1.1 form (`Thu Apr 09 01:31:50 +0000 2015`). The text may
itself contain `|`, so a line is split on its first two `|` only.

The real files are messy, and this reader is written for that:

* three of them are cp1252, the others UTF-8: each line is decoded as UTF-8 and, when
  that fails, as cp1252 (so byte 0x85 becomes "…");
* line endings are mixed CRLF / LF; the reader strips either;
* lines are split on b"\\n" only (by the reader that feeds `read`), so a 0x85 byte — NEL
  in Latin-1 — never breaks a line.

Only the account handle is known (from the file name, or `--account`), not
its numeric X id, so posts carry `author_handle` and `author_id=None`, and the author is
the handle-only account `@<handle>` (the store's convention for handle-only accounts).

Lines starting "RT @user:" are kept as kind "original" with `extras["manual_rt"]`: the
line carries no native-retweet reference, and radsocial (like Symplur) counts only
native reposts as reposts. See docs/sources/uci-health-news.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from typing import Any, ClassVar

import orjson

from radsocial.models import Account, Post
from radsocial.sources.base import (
    HASHTAG_RE,
    MENTION_RE,
    URL_RE,
    Context,
    Format,
    NormalizeError,
    TextItem,
    parse_twitter_date,
    snowflake_time,
    text_hashtags,
    text_links,
    text_mentions,
    unescape_entities,
    x_post_url,
)

__all__ = ["UciHealthNewsFormat", "decode_line", "entities", "parse_line"]

PLATFORM = "x"
EXPECTED = "expected tweet_id|created_at|text (created_at like 'Thu Apr 09 01:31:50 +0000 2015')"

#: What a line of this format starts with (used to recognise a file).
LINE_RE = re.compile(
    r"^\d{6,20}\|[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4} \d{4}\|"
)
#: A valid X handle (the account name must be one to build post URLs).
HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
#: The author of a manual retweet: "RT @user:" at the start of the text.
RT_RE = re.compile(r"^RT @([A-Za-z0-9_]{1,15})")

_ONE_SECOND = timedelta(seconds=1)


def decode_line(raw: bytes) -> tuple[str, bool]:
    """A line's text without its line ending, and whether it had to be read as cp1252.

    UTF-8 first; a line that is not valid UTF-8 is cp1252 (bytes cp1252 leaves
    undefined become U+FFFD).
    """
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), True


def parse_line(text: str) -> tuple[str, datetime, str]:
    """Split a decoded line into (tweet id, created_at as aware UTC, text).

    Raises NormalizeError saying what was expected and what was found.
    """
    p1 = text.find("|")
    p2 = text.find("|", p1 + 1) if p1 >= 0 else -1
    if p2 < 0:
        found = "no '|'" if p1 < 0 else "only one '|'"
        raise NormalizeError(f"{EXPECTED}; found {found}")
    tid = text[:p1]
    if not (tid.isascii() and tid.isdigit()):
        raise NormalizeError(f"{EXPECTED}; tweet_id {tid[:40]!r} is not a number")
    raw_date = text[p1 + 1 : p2]
    created = _utc_date(raw_date) if p2 - p1 == 31 else None
    if created is None:
        try:
            created = parse_twitter_date(raw_date)
        except NormalizeError:
            raise NormalizeError(
                f"{EXPECTED}; created_at {raw_date[:40]!r} is unreadable"
            ) from None
    return tid, created, text[p2 + 1 :]


_MONTH = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def _utc_date(s: str) -> datetime | None:
    """'Thu Apr 09 01:31:50 +0000 2015' read by position — the only form these files
    use, three times faster than the general parse_twitter_date (which handles the
    rest: other offsets, odd spacing)."""
    if s[20:25] != "+0000" or s[10] != " " or s[19] != " ":
        return None
    try:
        return datetime(
            int(s[26:30]),
            _MONTH[s[4:7]],
            int(s[8:10]),
            int(s[11:13]),
            int(s[14:16]),
            int(s[17:19]),
            tzinfo=UTC,
        )
    except (KeyError, ValueError):
        return None


def account_from_path(path: str) -> str:
    """The account a file holds, from its name: 'Health-Tweets/bbchealth.txt' -> 'bbchealth'."""
    name = PurePath(path).name
    return name.split(".", 1)[0] if name else ""


def _anchored(text: str, char: str, pattern: re.Pattern[str]) -> list[str]:
    """`pattern.findall(text)` for a pattern that starts with `char`, found faster by
    trying the pattern only where `char` occurs (the pattern's look-behind still sees
    the character before)."""
    out = []
    i = text.find(char)
    while i != -1:
        m = pattern.match(text, i)
        if m is not None:
            out.append(m.group(1))
        i = text.find(char, i + 1)
    return out


def entities(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Hashtags, mentions and links of a post text, as base.text_hashtags, text_mentions
    and text_links find them (the same patterns, tried only where '#', '@' or 'http'
    occur: about three times faster on tweets), minus fragments cut off by a final "…"."""
    if "＃" in text:
        tags = text_hashtags(text)
    else:
        tags = tuple(dict.fromkeys(_anchored(text, "#", HASHTAG_RE))) if "#" in text else ()
    if "＠" in text:
        mentions = text_mentions(text)
    else:
        mentions = tuple(dict.fromkeys(_anchored(text, "@", MENTION_RE))) if "@" in text else ()
    if "HTTP" in text or "Http" in text or "hTTp" in text:
        links = text_links(text)  # rare capitals: the general (slower) path
    elif "http" in text:
        links = tuple(
            dict.fromkeys(u.rstrip(_URL_TRAIL) for u in _anchored_all(text, "http", URL_RE))
        )
    else:
        links = ()
    if "…" in text:
        # Cut at 140 characters: a tag, handle or URL running into the final "…" is a
        # fragment ("via @WS…", "http://t…"), not an entity.
        if links:
            links = tuple(u for u in links if u + "…" not in text)
        if tags and text.endswith("…"):
            tags = tuple(t for t in tags if not text.endswith(t + "…"))
        if mentions and text.endswith("…"):
            mentions = tuple(m for m in mentions if not text.endswith(m + "…"))
    return tags, mentions, links


_URL_TRAIL = ".,;:!?)]}'\""


def _anchored_all(text: str, start: str, pattern: re.Pattern[str]) -> list[str]:
    """Whole matches of `pattern` tried where `start` occurs, skipping overlaps (as
    findall does)."""
    out = []
    i = text.find(start)
    while i != -1:
        m = pattern.match(text, i)
        if m is not None:
            out.append(m.group(0))
            i = text.find(start, m.end())
        else:
            i = text.find(start, i + 1)
    return out


class UciHealthNewsFormat(Format):
    name = "uci-health-news"
    platform = PLATFORM
    description = "Read UCI 'Health News in Twitter' files (tweet_id|created_at|text lines)."
    kind = "text"
    option_help: ClassVar[Mapping[str, str]] = {
        "account": "X handle of the account the file holds (default: the file name, "
        "e.g. bbchealth.txt -> bbchealth)",
    }

    # ------------------------------------------------------------------ sniffing
    def sniff_text(self, head: str, path: str) -> bool:
        lines = head.split("\n")
        if len(lines) > 1:
            lines = lines[:-1]  # the last line of the head may be cut short
        checked = 0
        for line in lines:
            if not line.strip():
                continue
            if not LINE_RE.match(line):
                return False
            checked += 1
            if checked == 5:
                break
        return checked > 0

    # ------------------------------------------------------------------ reading
    def read(self, lines: Iterator[tuple[int, bytes]], ctx: Context) -> Iterator[TextItem]:
        given = str(ctx.options.get("account") or "")
        account = given or account_from_path(ctx.source)
        if not account:
            yield TextItem(1, b"", error="no account known: pass --account <handle>")
            return
        if not HANDLE_RE.match(account):
            where = "given" if given else "from the file name"
            ctx.warnings.append(
                f"account {account!r} ({where}) is not a valid X handle; "
                "post URLs may be wrong — pass --account <handle>"
            )
        dumps = orjson.dumps
        match = LINE_RE.match
        cp1252_seen = False
        first = True
        for n, raw in lines:
            text, cp1252 = decode_line(raw)
            if first:
                first = False
                if text.startswith("\ufeff"):
                    text = text[1:]
            m = match(text)
            if m is None or _utc_date(text[m.end() - 31 : m.end() - 1]) is None:
                if not text.strip():
                    continue
                # Not the usual shape (or not a real date): parse it fully, to accept odd
                # but valid lines (short ids, other offsets) and to say exactly what is
                # wrong with the others.
                try:
                    parse_line(text)
                except NormalizeError as exc:
                    yield TextItem(n, raw, error=str(exc))
                    continue
            if cp1252:
                value = {"account": account, "line": text, "encoding": "cp1252"}
                if not cp1252_seen:
                    cp1252_seen = True
                    ctx.warnings.append(
                        f"line {n} is not valid UTF-8: read as cp1252 "
                        "(later such lines are not reported)"
                    )
            else:
                value = {"account": account, "line": text}
            yield TextItem(n, dumps(value), value)

    # ------------------------------------------------------------------ normalizing
    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        if not isinstance(obj, dict) or not isinstance(obj.get("line"), str):
            raise NormalizeError('expected {"account": ..., "line": "tweet_id|created_at|text"}')
        account = obj.get("account") or ctx.options.get("account")
        if not account:
            raise NormalizeError("no account handle known for this line")
        tid, created, text = parse_line(obj["line"])
        sf = snowflake_time(tid)
        if sf is not None and abs(sf - created) > _ONE_SECOND:
            ctx.warnings.append(
                f"tweet {tid}: created_at {created.isoformat()} disagrees with the time in "
                f"its id ({sf.isoformat()}); using the id's time"
            )
            created = sf
        if "&" in text:
            text = unescape_entities(text)
        tags, mentions, links = entities(text)
        extras: dict[str, Any] = {"author_id_unknown": True}
        m = RT_RE.match(text)
        if m:
            extras["manual_rt"] = True
            extras["rt_of"] = m.group(1)
        if text.endswith("…"):
            extras["truncated"] = True
        return [
            Post(
                platform=PLATFORM,
                platform_id=tid,
                created_at=created,
                text=text,
                author_id=None,
                author_handle=account,
                url=x_post_url(account, tid),
                kind="original",
                hashtags=tags,
                mentions=mentions,
                links=links,
                author=Account(platform=PLATFORM, account_id="@" + account.lower(), handle=account),
                extras=extras,
            )
        ]
