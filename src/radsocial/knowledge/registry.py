"""The registry of hashtags, meetings, tweetchats and known accounts.

The shipped registry lives in TOML files next to this module (`data/*.toml`). A user
extends or overrides it with files of their own, passed as `extra_paths`; any file
may hold any of the four sections::

    [hashtags.FOAMrad]             # the key is the tag as usually written, no '#'
    kind = "topic"                 # topic | tweetchat | conference | disease
    imaging = true                 # a post carrying it is about imaging
    aliases = ["FOAMrad_"]

    [meetings.RSNA]
    name = "RSNA Annual Meeting"
    patterns = ["RSNA{yy}", "RSNA{yyyy}"]   # the year is part of the tag
    [meetings.RSNA.editions.2019]
    start = 2019-12-01
    end = 2019-12-06

    [tweetchats.JACR]
    hashtag = "JACR"
    hosts = ["JACRJournal"]
    schedule = { frequency = "monthly" }

    [entities.RSNA]
    name = "Radiological Society of North America"
    kind = "professional_society"
    handles = { x = ["RSNA"] }

An entry in a later file replaces the entry with the same section and key in an
earlier one (whole entry, no field merging); `remove = true` deletes it. Every
problem is reported with the file, the entry and what is wrong; `load_registry`
raises `RegistryError` listing all of them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from radsocial.analysis.taxonomy import HASHTAG_KINDS, STAKEHOLDERS
from radsocial.models import PLATFORMS

__all__ = [
    "Edition",
    "Entity",
    "Hashtag",
    "Meeting",
    "Registry",
    "RegistryError",
    "Schedule",
    "Tweetchat",
    "default_registry",
    "load_registry",
    "normalize_handle",
    "normalize_tag",
    "validate_registry_files",
]

SECTIONS = ("hashtags", "meetings", "tweetchats", "entities")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FREQUENCIES = ("weekly", "biweekly", "monthly", "irregular", "one-off", "unknown")
_TAG_RE = re.compile(r"^[^\s#@]+$")
_HANDLE_RE = re.compile(r"^[^\s]+$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RegistryError(ValueError):
    """The registry files hold errors; `problems` lists one message per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in the registry:\n" + "\n".join(f"  {p}" for p in problems)
        )


def normalize_tag(tag: str) -> str:
    """Lower-case a hashtag and drop a leading '#' (the registry's lookup key)."""
    return tag.strip().lstrip("#").casefold()


def normalize_handle(handle: str) -> str:
    """Lower-case a handle and drop a leading '@'."""
    return handle.strip().lstrip("@").casefold()


@dataclass(frozen=True, slots=True)
class Hashtag:
    tag: str  # as usually written, without '#'
    kind: str
    imaging: bool | None = None  # True: about imaging; False: explicitly not; None: neutral
    aliases: tuple[str, ...] = ()
    description: str = ""
    source: str = ""  # file the entry came from


@dataclass(frozen=True, slots=True)
class Edition:
    year: int
    start: date | None = None  # None: dates unknown
    end: date | None = None
    location: str | None = None
    virtual: bool | None = None
    status: str = "held"  # held | cancelled | unknown
    hashtags: tuple[str, ...] = ()  # tags of this edition not covered by the patterns
    note: str = ""

    @property
    def dates_known(self) -> bool:
        return self.start is not None and self.end is not None


@dataclass(frozen=True, slots=True)
class Meeting:
    key: str
    name: str
    patterns: tuple[str, ...]
    organiser: str = ""
    imaging: bool = True
    aliases: tuple[str, ...] = ()  # year-less tags, e.g. "RSNA"
    usual_location: str = ""
    usual_time: str = ""
    note: str = ""
    shared_with: str = ""  # another event using the same tags (then the tag decides nothing)
    editions: Mapping[int, Edition] = field(default_factory=dict)
    source: str = ""

    def edition(self, year: int) -> Edition | None:
        return self.editions.get(year)

    def window(
        self, year: int, days_before: int = 0, days_after: int = 0
    ) -> tuple[date, date] | None:
        """The meeting's dates plus a margin (studies use ±1 to ±30 days); None if unknown."""
        ed = self.editions.get(year)
        if ed is None or ed.start is None or ed.end is None:
            return None
        return ed.start - timedelta(days=days_before), ed.end + timedelta(days=days_after)

    def hashtags_for(self, year: int) -> tuple[str, ...]:
        """The tags this meeting uses in `year` (from the patterns and the edition)."""
        out = [_render(p, year) for p in self.patterns]
        ed = self.editions.get(year)
        if ed is not None:
            out.extend(ed.hashtags)
        return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: str = "unknown"
    weekday: str | None = None
    time: str | None = None  # "HH:MM" local time of `timezone`
    timezone: str | None = None  # IANA name
    note: str = ""


@dataclass(frozen=True, slots=True)
class Tweetchat:
    key: str
    hashtag: str
    name: str = ""
    hosts: tuple[str, ...] = ()
    schedule: Schedule | None = None  # None: unknown
    imaging: bool | None = None
    note: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    key: str
    name: str
    kind: str  # a stakeholder label (radsocial taxonomy)
    handles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # platform -> handles
    imaging: bool | None = None
    url: str = ""
    note: str = ""
    source: str = ""


def _render(pattern: str, year: int) -> str:
    return pattern.replace("{yyyy}", f"{year:04d}").replace("{yy}", f"{year % 100:02d}")


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = []
    for part in re.split(r"(\{yyyy\}|\{yy\})", pattern):
        if part == "{yyyy}":
            out.append(r"(?P<yyyy>(?:19|20)\d\d)")
        elif part == "{yy}":
            out.append(r"(?P<yy>\d\d)")
        else:
            out.append(re.escape(part.casefold()))
    return re.compile("^" + "".join(out) + "$")


class Registry:
    """Hashtags, meetings, tweetchats and entities, with case-insensitive lookups."""

    def __init__(
        self,
        hashtags: Mapping[str, Hashtag],
        meetings: Mapping[str, Meeting],
        tweetchats: Mapping[str, Tweetchat],
        entities: Mapping[str, Entity],
        sources: tuple[str, ...] = (),
    ):
        self.hashtags = dict(hashtags)
        self.meetings = dict(meetings)
        self.tweetchats = dict(tweetchats)
        self.entities = dict(entities)
        self.sources = sources
        self._tag_index: dict[str, Hashtag] = {}
        for h in self.hashtags.values():
            for t in (h.tag, *h.aliases):
                self._tag_index[normalize_tag(t)] = h
        self._meeting_alias: dict[str, Meeting] = {}
        self._meeting_patterns: list[tuple[re.Pattern[str], Meeting]] = []
        self._edition_tags: dict[str, tuple[Meeting, int]] = {}
        for m in self.meetings.values():
            for a in m.aliases:
                self._meeting_alias[normalize_tag(a)] = m
            for p in m.patterns:
                self._meeting_patterns.append((_pattern_regex(p), m))
            for ed in m.editions.values():
                for t in ed.hashtags:
                    self._edition_tags[normalize_tag(t)] = (m, ed.year)
        self._chat_index = {normalize_tag(c.hashtag): c for c in self.tweetchats.values()}
        self._handle_index: dict[tuple[str, str], Entity] = {}
        for e in self.entities.values():
            for platform, handles in e.handles.items():
                for h in handles:
                    self._handle_index[(platform, normalize_handle(h))] = e
        self._imaging_tags = frozenset(
            t for t, h in self._tag_index.items() if h.imaging is True
        ) | frozenset(t for t, c in self._chat_index.items() if c.imaging is True)
        self._not_imaging_tags = frozenset(
            t for t, h in self._tag_index.items() if h.imaging is False
        )
        self._imaging_cache: dict[str, bool | None] = {}
        self._kind_cache: dict[str, str | None] = {}

    # -- lookups ---------------------------------------------------------------------
    def hashtag(self, tag: str) -> Hashtag | None:
        return self._tag_index.get(normalize_tag(tag))

    def meeting_for_hashtag(self, tag: str) -> tuple[Meeting, int | None] | None:
        """`("RSNA17")` -> (RSNA, 2017); a year-less alias ("RSNA") gives (meeting, None)."""
        t = normalize_tag(tag)
        if t in self._edition_tags:
            return self._edition_tags[t]
        for rx, m in self._meeting_patterns:
            mt = rx.match(t)
            if mt:
                d = mt.groupdict()
                year = int(d["yyyy"]) if d.get("yyyy") else 2000 + int(d["yy"])
                return m, year
        if t in self._meeting_alias:
            return self._meeting_alias[t], None
        return None

    def meeting(self, key: str) -> Meeting | None:
        """A meeting by its key, case-insensitive ("RSNA", "rsna")."""
        return self.meetings.get(key.casefold())

    def tweetchat_for_hashtag(self, tag: str) -> Tweetchat | None:
        return self._chat_index.get(normalize_tag(tag))

    def hashtag_kind(self, tag: str) -> str | None:
        """topic | tweetchat | conference | disease, or None when the tag is unknown.

        An explicit hashtag entry wins; otherwise a meeting tag is "conference" and a
        tweetchat's tag "tweetchat".
        """
        t = normalize_tag(tag)
        hit = self._kind_cache.get(t, "")
        if hit != "":
            return hit
        h = self._tag_index.get(t)
        if h is not None:
            kind: str | None = h.kind
        elif self.meeting_for_hashtag(t) is not None:
            kind = "conference"
        elif t in self._chat_index:
            kind = "tweetchat"
        else:
            kind = None
        if len(self._kind_cache) < 100_000:
            self._kind_cache[t] = kind
        return kind

    def is_imaging_hashtag(self, tag: str) -> bool | None:
        """True if posts with the tag are about imaging, False if explicitly not, else None."""
        t = normalize_tag(tag)
        if t in self._imaging_tags:
            return True
        if t in self._not_imaging_tags:
            return False
        if t in self._imaging_cache:
            return self._imaging_cache[t]
        hit = self.meeting_for_hashtag(t)
        out = None
        if hit is not None:
            m = hit[0]
            out = None if m.shared_with else m.imaging  # shared tags decide nothing
        if len(self._imaging_cache) < 100_000:
            self._imaging_cache[t] = out
        return out

    @property
    def imaging_tags(self) -> frozenset[str]:
        """Normalized tags (incl. aliases) flagged `imaging = true` (not meeting patterns)."""
        return self._imaging_tags

    @property
    def not_imaging_tags(self) -> frozenset[str]:
        return self._not_imaging_tags

    def entity_for_handle(self, platform: str, handle: str) -> Entity | None:
        return self._handle_index.get((platform, normalize_handle(handle)))

    def summary(self) -> dict[str, int]:
        return {
            "hashtags": len(self.hashtags),
            "meetings": len(self.meetings),
            "editions": sum(len(m.editions) for m in self.meetings.values()),
            "tweetchats": len(self.tweetchats),
            "entities": len(self.entities),
        }


# -- loading and validation ------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, entry: str, msg: str) -> None:
        self.items.append(f"{file}: [{entry}]: {msg}")


def _shipped_files() -> list[tuple[str, bytes]]:
    root = resources.files("radsocial.knowledge") / "data"
    out = []
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            out.append((f"radsocial/knowledge/data/{item.name}", item.read_bytes()))
    return out


_ALLOWED = {
    "hashtags": {"kind", "imaging", "aliases", "description", "remove"},
    "meetings": {
        "name",
        "organiser",
        "imaging",
        "patterns",
        "aliases",
        "usual_location",
        "usual_time",
        "note",
        "shared_with",
        "editions",
        "remove",
    },
    "tweetchats": {"hashtag", "name", "hosts", "schedule", "imaging", "note", "remove"},
    "entities": {"name", "kind", "handles", "imaging", "url", "note", "remove"},
}
_EDITION_KEYS = {"start", "end", "location", "virtual", "status", "hashtags", "note", "dates"}
_SCHEDULE_KEYS = {"frequency", "weekday", "time", "timezone", "note"}


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v)


def _check_keys(p: _Problems, f: str, e: str, d: Mapping[str, Any], allowed: set[str]) -> None:
    for k in d:
        if k not in allowed:
            p.add(f, e, f"unknown field {k!r} (allowed: {', '.join(sorted(allowed))})")


def _opt_bool(p: _Problems, f: str, e: str, d: Mapping[str, Any], k: str) -> bool | None:
    v = d.get(k)
    if v is not None and not isinstance(v, bool):
        p.add(f, e, f"{k!r} must be true or false, not {v!r}")
        return None
    return v


def _opt_str(p: _Problems, f: str, e: str, d: Mapping[str, Any], k: str) -> str:
    v = d.get(k, "")
    if not isinstance(v, str):
        p.add(f, e, f"{k!r} must be a string, not {v!r}")
        return ""
    return v


def _parse_hashtag(p: _Problems, f: str, key: str, d: Mapping[str, Any]) -> Hashtag | None:
    e = f"hashtags.{key}"
    n = len(p.items)
    _check_keys(p, f, e, d, _ALLOWED["hashtags"])
    if not _TAG_RE.match(key):
        p.add(f, e, "the key must be the tag itself, without '#', '@' or spaces")
    kind = d.get("kind")
    if kind not in HASHTAG_KINDS:
        p.add(f, e, f"'kind' must be one of {', '.join(HASHTAG_KINDS)}, not {kind!r}")
    aliases = d.get("aliases", [])
    if not _str_list(aliases):
        p.add(f, e, "'aliases' must be a list of non-empty strings")
        aliases = []
    for a in aliases:
        if not _TAG_RE.match(a.lstrip("#")):
            p.add(f, e, f"alias {a!r} is not a hashtag (no spaces or '@')")
    imaging = _opt_bool(p, f, e, d, "imaging")
    desc = _opt_str(p, f, e, d, "description")
    if len(p.items) > n:
        return None
    return Hashtag(key, str(kind), imaging, tuple(a.lstrip("#") for a in aliases), desc, f)


def _parse_date(p: _Problems, f: str, e: str, d: Mapping[str, Any], k: str) -> date | None:
    v = d.get(k)
    if v is None:
        return None
    if isinstance(v, date) and not hasattr(v, "hour"):
        return v
    p.add(f, e, f"{k!r} must be a TOML date like 2019-12-01 (unquoted), not {v!r}")
    return None


def _parse_meeting(p: _Problems, f: str, key: str, d: Mapping[str, Any]) -> Meeting | None:
    e = f"meetings.{key}"
    n = len(p.items)
    _check_keys(p, f, e, d, _ALLOWED["meetings"])
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        p.add(f, e, "'name' is required (a non-empty string)")
    patterns = d.get("patterns")
    if not _str_list(patterns):
        p.add(f, e, '\'patterns\' is required: a list like ["RSNA{yy}", "RSNA{yyyy}"]')
        patterns = []
    for pat in patterns:
        if pat.count("{yy}") + pat.count("{yyyy}") != 1:
            p.add(
                f,
                e,
                f"pattern {pat!r} must contain exactly one year placeholder {{yy}} or {{yyyy}}",
            )
        elif not _TAG_RE.match(pat.replace("{yyyy}", "2000").replace("{yy}", "00")):
            p.add(f, e, f"pattern {pat!r} is not a hashtag (no '#', spaces or '@')")
    aliases = d.get("aliases", [])
    if not _str_list(aliases):
        p.add(f, e, "'aliases' must be a list of non-empty strings")
        aliases = []
    imaging = _opt_bool(p, f, e, d, "imaging")
    editions: dict[int, Edition] = {}
    raw_eds = d.get("editions", {})
    if not isinstance(raw_eds, dict):
        p.add(f, e, "'editions' must be a table keyed by year, e.g. [meetings.RSNA.editions.2019]")
        raw_eds = {}
    for ykey, ed in raw_eds.items():
        ee = f"{e}.editions.{ykey}"
        if not (isinstance(ykey, str) and ykey.isdigit() and 1900 < int(ykey) < 2100):
            p.add(f, ee, "edition keys must be years like 2019")
            continue
        if not isinstance(ed, dict):
            p.add(f, ee, "an edition must be a table (start, end, location, virtual, status, note)")
            continue
        _check_keys(p, f, ee, ed, _EDITION_KEYS)
        year = int(ykey)
        dates = ed.get("dates")
        if dates is not None and dates != "unknown":
            p.add(f, ee, f"'dates' may only be \"unknown\", not {dates!r} (use start/end)")
        start = _parse_date(p, f, ee, ed, "start")
        end = _parse_date(p, f, ee, ed, "end")
        if dates == "unknown" and (start or end):
            p.add(f, ee, 'dates = "unknown" contradicts start/end')
        if (start is None) != (end is None):
            p.add(f, ee, "give both 'start' and 'end', or neither (dates unknown)")
        if start and end:
            if end < start:
                p.add(f, ee, f"'end' {end} is before 'start' {start}")
            if start.year not in (year, year - 1) and end.year not in (year, year + 1):
                p.add(f, ee, f"dates {start}..{end} do not fall in the edition year {year}")
            if (end - start).days > 31:
                p.add(
                    f,
                    ee,
                    f"a meeting of {(end - start).days + 1} days is implausible; check the dates",
                )
        status = ed.get("status", "held")
        if status not in ("held", "cancelled", "unknown"):
            p.add(f, ee, f"'status' must be held, cancelled or unknown, not {status!r}")
        tags = ed.get("hashtags", [])
        if not _str_list(tags):
            p.add(f, ee, "'hashtags' must be a list of non-empty strings")
            tags = []
        virtual = _opt_bool(p, f, ee, ed, "virtual")
        editions[year] = Edition(
            year,
            start,
            end,
            ed.get("location") if isinstance(ed.get("location"), str) else None,
            virtual,
            str(status),
            tuple(t.lstrip("#") for t in tags),
            _opt_str(p, f, ee, ed, "note"),
        )
    if len(p.items) > n:
        return None
    return Meeting(
        key=key,
        name=str(name),
        patterns=tuple(patterns),
        organiser=_opt_str(p, f, e, d, "organiser"),
        imaging=True if imaging is None else imaging,
        aliases=tuple(a.lstrip("#") for a in aliases),
        usual_location=_opt_str(p, f, e, d, "usual_location"),
        usual_time=_opt_str(p, f, e, d, "usual_time"),
        note=_opt_str(p, f, e, d, "note"),
        shared_with=_opt_str(p, f, e, d, "shared_with"),
        editions=editions,
        source=f,
    )


def _parse_schedule(p: _Problems, f: str, e: str, v: Any) -> Schedule | None:
    if v is None or v == "unknown":
        return None
    if not isinstance(v, dict):
        p.add(
            f, e, "'schedule' must be \"unknown\" or a table {frequency, weekday, time, timezone}"
        )
        return None
    _check_keys(p, f, e + ".schedule", v, _SCHEDULE_KEYS)
    freq = v.get("frequency", "unknown")
    if freq not in FREQUENCIES:
        p.add(f, e, f"schedule 'frequency' must be one of {', '.join(FREQUENCIES)}, not {freq!r}")
    wd = v.get("weekday")
    if wd is not None and (not isinstance(wd, str) or wd.casefold() not in WEEKDAYS):
        p.add(f, e, f"schedule 'weekday' must be a weekday name like \"Monday\", not {wd!r}")
    t = v.get("time")
    if t is not None and (not isinstance(t, str) or not _TIME_RE.match(t)):
        p.add(f, e, f"schedule 'time' must be \"HH:MM\" (24 h), not {t!r}")
    tz = v.get("timezone")
    if t is not None and tz is None:
        p.add(f, e, "schedule 'time' needs a 'timezone' (IANA name like \"America/New_York\")")
    if tz is not None and (not isinstance(tz, str) or ("/" not in tz and tz != "UTC")):
        p.add(f, e, f"schedule 'timezone' must be an IANA name like \"Europe/London\", not {tz!r}")
    return Schedule(
        frequency=str(freq),
        weekday=wd.capitalize() if isinstance(wd, str) else None,
        time=t if isinstance(t, str) else None,
        timezone=tz if isinstance(tz, str) else None,
        note=v.get("note", "") if isinstance(v.get("note", ""), str) else "",
    )


def _parse_tweetchat(p: _Problems, f: str, key: str, d: Mapping[str, Any]) -> Tweetchat | None:
    e = f"tweetchats.{key}"
    n = len(p.items)
    _check_keys(p, f, e, d, _ALLOWED["tweetchats"])
    tag = d.get("hashtag")
    if not isinstance(tag, str) or not _TAG_RE.match(tag.lstrip("#")):
        p.add(f, e, "'hashtag' is required: the chat's tag without '#'")
        tag = ""
    hosts = d.get("hosts", [])
    if not _str_list(hosts):
        p.add(f, e, "'hosts' must be a list of handles")
        hosts = []
    sched = _parse_schedule(p, f, e, d.get("schedule"))
    imaging = _opt_bool(p, f, e, d, "imaging")
    if len(p.items) > n:
        return None
    return Tweetchat(
        key,
        tag.lstrip("#"),
        _opt_str(p, f, e, d, "name"),
        tuple(h.lstrip("@") for h in hosts),
        sched,
        imaging,
        _opt_str(p, f, e, d, "note"),
        f,
    )


def _parse_entity(p: _Problems, f: str, key: str, d: Mapping[str, Any]) -> Entity | None:
    e = f"entities.{key}"
    n = len(p.items)
    _check_keys(p, f, e, d, _ALLOWED["entities"])
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        p.add(f, e, "'name' is required (a non-empty string)")
    kind = d.get("kind")
    if kind not in STAKEHOLDERS:
        p.add(f, e, f"'kind' must be a stakeholder label ({', '.join(STAKEHOLDERS)}), not {kind!r}")
    handles: dict[str, tuple[str, ...]] = {}
    raw = d.get("handles", {})
    if not isinstance(raw, dict) or not raw:
        p.add(
            f, e, '\'handles\' is required: a table like { x = ["RSNA"], bluesky = ["rsna.org"] }'
        )
        raw = {}
    for platform, hs in raw.items():
        if platform not in PLATFORMS:
            p.add(
                f, e, f"unknown platform {platform!r} in 'handles' (known: {', '.join(PLATFORMS)})"
            )
            continue
        if isinstance(hs, str):
            hs = [hs]
        if not _str_list(hs) or any(not _HANDLE_RE.match(h) for h in hs):
            p.add(f, e, f"handles for {platform!r} must be a list of handles without spaces")
            continue
        handles[platform] = tuple(h.lstrip("@") for h in hs)
    imaging = _opt_bool(p, f, e, d, "imaging")
    if len(p.items) > n:
        return None
    return Entity(
        key,
        str(name),
        str(kind),
        handles,
        imaging,
        _opt_str(p, f, e, d, "url"),
        _opt_str(p, f, e, d, "note"),
        f,
    )


_PARSERS = {
    "hashtags": _parse_hashtag,
    "meetings": _parse_meeting,
    "tweetchats": _parse_tweetchat,
    "entities": _parse_entity,
}


def _load(files: list[tuple[str, bytes]]) -> tuple[Registry | None, list[str]]:
    p = _Problems()
    merged: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    for fname, data in files:
        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            p.add(fname, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            continue
        except tomllib.TOMLDecodeError as exc:
            p.add(fname, "file", f"not valid TOML: {exc}")
            continue
        for section, entries in doc.items():
            if section not in SECTIONS:
                p.add(fname, section, f"unknown section (known: {', '.join(SECTIONS)})")
                continue
            if not isinstance(entries, dict):
                p.add(fname, section, "must be a table of entries, e.g. [hashtags.radiology]")
                continue
            for key, d in entries.items():
                if not isinstance(d, dict):
                    p.add(fname, f"{section}.{key}", "must be a table of fields")
                    continue
                mkey = key.casefold()  # [hashtags.bcsm] overrides [hashtags.BCSM]
                if d.get("remove") is True:
                    if mkey not in merged[section]:
                        p.add(
                            fname,
                            f"{section}.{key}",
                            "remove = true, but no earlier file defines it",
                        )
                    merged[section].pop(mkey, None)
                    continue
                obj = _PARSERS[section](p, fname, key, d)
                if obj is not None:
                    merged[section][mkey] = obj
    # cross-entry checks on the merged result
    seen: dict[str, str] = {}
    for key, h in merged["hashtags"].items():
        for t in (h.tag, *h.aliases):
            nt = normalize_tag(t)
            if nt in seen and seen[nt] != key:
                p.add(
                    h.source,
                    f"hashtags.{h.tag}",
                    f"tag {t!r} is also defined by hashtags.{seen[nt]}",
                )
            seen[nt] = key
    handles: dict[tuple[str, str], str] = {}
    for key, ent in merged["entities"].items():
        for platform, hs in ent.handles.items():
            for h in hs:
                k = (platform, normalize_handle(h))
                if k in handles and handles[k] != key:
                    p.add(
                        ent.source,
                        f"entities.{ent.key}",
                        f"{platform} handle {h!r} also belongs to entities.{handles[k]}",
                    )
                handles[k] = key
    if p.items:
        return None, p.items
    reg = Registry(
        merged["hashtags"],
        merged["meetings"],
        merged["tweetchats"],
        merged["entities"],
        tuple(f for f, _ in files),
    )
    # a year tag claimed by two meetings is a conflict worth reporting
    for m in reg.meetings.values():
        for year in (*m.editions, 2019):
            for tag in m.hashtags_for(year):
                hit = reg.meeting_for_hashtag(tag)
                if hit is not None and hit[0].key != m.key:
                    p.add(
                        m.source,
                        f"meetings.{m.key}",
                        f"tag #{tag} also matches meetings.{hit[0].key}",
                    )
    if p.items:
        return None, p.items
    return reg, []


def _read_files(extra_paths: Iterable[str | Path]) -> tuple[list[tuple[str, bytes]], list[str]]:
    files = _shipped_files()
    problems = []
    for path in extra_paths:
        path = Path(path)
        try:
            files.append((str(path), path.read_bytes()))
        except OSError as exc:
            problems.append(f"{path}: [file]: cannot read: {exc.strerror or exc}")
    return files, problems


def validate_registry_files(extra_paths: Iterable[str | Path] = ()) -> list[str]:
    """Every problem in the shipped files plus `extra_paths` (empty list: all valid)."""
    files, problems = _read_files(extra_paths)
    _, more = _load(files)
    return problems + more


def load_registry(extra_paths: Iterable[str | Path] = ()) -> Registry:
    """Load the shipped registry, extended/overridden by `extra_paths` in order.

    Raises `RegistryError` (listing every problem) when a file is invalid.
    """
    files, problems = _read_files(extra_paths)
    if problems:
        raise RegistryError(problems)
    reg, problems = _load(files)
    if reg is None:
        raise RegistryError(problems)
    return reg


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The shipped registry, loaded once (classifiers use it when given none)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_registry()
    return _DEFAULT
