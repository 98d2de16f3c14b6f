"""Benchmark corpora built from the real payloads in /work/shared/data, replicated with fresh ids.

A *template* is one real record as bytes: an X API v2 response page (twarc2 style, with
`includes`) or one X v1.1 status. A *round* writes every template once more with every
tweet id shifted by the same offset, so the copies are new posts while retweets, quotes
and replies still point at their (equally shifted) originals. Ids are shifted by
`round * ROUND_STEP`, i.e. as if each round were posted one second later (the snowflake
timestamp sits above bit 22); `created_at` is left as written, so dates drift by at most
a few minutes over a 2 GB archive.

The rewrite is done on the bytes: each template is split once at the decimal tokens that
are tweet ids (ids, referenced ids, conversation ids, edit histories, ids inside status
URLs), and a round re-joins the pieces with shifted ids. twarc2 lines are kept verbatim
(their spacing included); pretty-printed JSON documents are re-serialized on one line.
Files are written by streaming, one round at a time; nothing holds a whole archive.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

DATA = Path(os.environ.get("RADSOCIAL_BENCH_DATA", "/work/shared/data"))
TWARC = DATA / "twarc-csv-v2-payloads" / "test-data"
TWITWI = DATA / "twitwi-twitter-bluesky-payloads" / "resources"
TWEEPY_V1 = DATA / "tweepy-cassette-responses" / "v1.1"

#: X v2 pages written by twarc2 (one page per line) and by twitwi's tests (one document).
V2_FILES = [
    TWARC / name
    for name in (
        "noflat.jsonl",
        "brexit.jsonl",
        "kpop.jsonl",
        "2sets.jsonl",
        "entities_test.jsonl",
        "withheld.jsonl",
        "media_policy_violation_off.jsonl",
        "media_policy_violation_on.jsonl",
        "cashtags.jsonl",
        "cotweet.jsonl",
        "edited.jsonl",
        "edited_after.jsonl",
        "edited_before.jsonl",
        "geo_tweets.jsonl",
        "many_urls.jsonl",
        "media_tweet.jsonl",
        "mentions_tweet.jsonl",
        "quoted_edit.jsonl",
        "two_tweets.jsonl",
        "verified_type.jsonl",
    )
] + [
    TWITWI / name
    for name in (
        "payload-v2.json",
        "alternative-payload-v2.json",
        "payload-v2-geo.json",
        "payload-v2-tweet-retweet.json",
        "payload-v2-video.json",
    )
]

ROUND_STEP = 1000 << 22  # one second of snowflake time
CORPUS_VERSION = 1  # bump when the generator changes, so cached files are rebuilt
_DIGITS = re.compile(rb"(?<![0-9])[0-9]+(?![0-9])")


@dataclass
class Template:
    """One record split at its tweet ids: pieces[0] id[0] pieces[1] id[1] ... pieces[-1]."""

    pieces: list[bytes]
    ids: list[int]
    data_tweets: int  # tweets in `data` (v2) or 1 (a v1.1 status)
    include_tweets: int  # tweets in `includes.tweets` (v2); nested statuses (v1.1)

    def render(self, offset: int) -> bytes:
        if not self.ids:
            return b"".join(self.pieces)
        out = [self.pieces[0]]
        for i, tid in enumerate(self.ids, 1):
            out.append(str(tid + offset).encode())
            out.append(self.pieces[i])
        return b"".join(out)


def _split(raw: bytes, tweet_ids: set[int]) -> Template:
    pieces: list[bytes] = []
    ids: list[int] = []
    last = 0
    for m in _DIGITS.finditer(raw):
        value = int(m.group())
        if value in tweet_ids:
            pieces.append(raw[last : m.start()])
            ids.append(value)
            last = m.end()
    pieces.append(raw[last:])
    return Template(pieces, ids, 0, 0)


def _is_tweet_page(obj: Any) -> bool:
    data = obj.get("data") if isinstance(obj, dict) else None
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "text" in data[0]


def _v2_ids(page: dict[str, Any], acc: set[int]) -> None:
    for t in [*page["data"], *((page.get("includes") or {}).get("tweets") or ())]:
        acc.add(int(t["id"]))
        if t.get("conversation_id"):
            acc.add(int(t["conversation_id"]))
        for ref in t.get("referenced_tweets") or ():
            acc.add(int(ref["id"]))
        for e in t.get("edit_history_tweet_ids") or ():
            acc.add(int(e))


def v2_templates() -> list[Template]:
    """Every distinct real v2 tweet page (pages that repeat >50 % of earlier tweets dropped)."""
    pages: list[tuple[bytes, dict[str, Any]]] = []
    seen: set[str] = set()
    for path in V2_FILES:
        raw = path.read_bytes()
        if path.suffix == ".json":
            obj = orjson.loads(raw)
            records = [(orjson.dumps(obj), obj)]
        else:
            records = []
            for line in raw.splitlines():
                if line.strip():
                    records.append((line.strip(), orjson.loads(line)))
        for line, obj in records:
            if not _is_tweet_page(obj):
                continue
            data_ids = [t["id"] for t in obj["data"]]
            if sum(i in seen for i in data_ids) * 2 > len(data_ids):
                continue  # 2sets.jsonl, media_policy_violation_on, edited_after repeat others
            seen.update(data_ids)
            pages.append((line, obj))
    ids: set[int] = set()
    for _, obj in pages:
        _v2_ids(obj, ids)
    out = []
    for line, obj in pages:
        t = _split(line, ids)
        t.data_tweets = len(obj["data"])
        t.include_tweets = len((obj.get("includes") or {}).get("tweets") or ())
        out.append(t)
    _check_unique(ids)
    return out


def _v1_statuses() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(TWEEPY_V1.glob("*.json")):
        body = orjson.loads(path.read_bytes())["body"]
        if isinstance(body, dict) and "statuses" in body:
            body = body["statuses"]
        out.extend(body if isinstance(body, list) else [body])
    for x in orjson.loads((TWITWI / "normalization.json").read_bytes()):
        out.append(x["source"])
    for path in sorted(TWITWI.glob("normalization-payload-*.json")):
        out.append(orjson.loads(path.read_bytes()))
    keep: dict[str, dict[str, Any]] = {}
    for s in out:
        if (
            isinstance(s, dict)
            and "id_str" in s
            and "user" in s
            and "created_at" in s
            and ("text" in s or "full_text" in s)
        ):
            keep.setdefault(s["id_str"], s)
    return list(keep.values())


def _v1_ids(s: dict[str, Any], acc: set[int]) -> int:
    """Collect tweet ids; return how many nested statuses the status carries."""
    nested = 0
    for k in ("id_str", "in_reply_to_status_id_str", "quoted_status_id_str"):
        if s.get(k):
            acc.add(int(s[k]))
    for k in ("retweeted_status", "quoted_status"):
        if isinstance(s.get(k), dict):
            nested += 1 + _v1_ids(s[k], acc)
    return nested


def v1_templates() -> list[Template]:
    """Every distinct real v1.1 status (tweepy cassettes, twitwi fixtures), one per line."""
    statuses = _v1_statuses()
    ids: set[int] = set()
    nested = [_v1_ids(s, ids) for s in statuses]
    out = []
    for s, n in zip(statuses, nested, strict=True):
        t = _split(orjson.dumps(s), ids)
        t.data_tweets = 1
        t.include_tweets = n
        out.append(t)
    _check_unique(ids)
    return out


MAX_ROUNDS = 0  # set by _check_unique: rounds that keep every shifted id unique


def _check_unique(ids: set[int]) -> None:
    """How many rounds keep ids unique: two ids collide only if they differ by k*ROUND_STEP."""
    global MAX_ROUNDS
    groups: dict[int, list[int]] = collections.defaultdict(list)
    for i in ids:
        groups[i % ROUND_STEP].append(i // ROUND_STEP)
    gap = 1 << 62
    for q in groups.values():
        q.sort()
        for a, b in itertools.pairwise(q):
            gap = min(gap, b - a)
    MAX_ROUNDS = gap if MAX_ROUNDS == 0 else min(MAX_ROUNDS, gap)


@dataclass
class CorpusInfo:
    path: str
    kind: str  # "x-v2" or "x-v1"
    rounds: int
    records: int  # lines (pages or statuses)
    data_tweets: int
    include_tweets: int
    bytes: int
    version: int = CORPUS_VERSION
    target_bytes: int = 0
    first_round: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def iter_rounds(templates: list[Template], first_round: int = 0) -> Iterator[tuple[int, bytes]]:
    """(round, one round's lines joined) forever."""
    k = first_round
    while True:
        if MAX_ROUNDS and k >= MAX_ROUNDS:
            raise RuntimeError(f"more than {MAX_ROUNDS} rounds would repeat tweet ids")
        off = k * ROUND_STEP
        yield k, b"".join(t.render(off) + b"\n" for t in templates)
        k += 1


def build(
    path: Path,
    kind: str,
    target_bytes: int,
    *,
    first_round: int = 0,
    log: Any = print,
) -> CorpusInfo:
    """Write (or reuse) a JSON Lines file of about `target_bytes`, whole rounds only.

    A sidecar `<file>.meta.json` records what was written; a file whose meta matches the
    request and whose size matches the meta is reused as is.
    """
    meta_path = path.with_name(path.name + ".meta.json")
    if path.exists() and meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
            if (
                meta.get("version") == CORPUS_VERSION
                and meta.get("kind") == kind
                and meta.get("target_bytes") == target_bytes
                and meta.get("first_round") == first_round
                and path.stat().st_size == meta.get("bytes")
            ):
                return CorpusInfo(**meta)
        except (ValueError, TypeError):
            pass
    templates = v2_templates() if kind == "x-v2" else v1_templates()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    info = CorpusInfo(
        str(path), kind, 0, 0, 0, 0, 0, target_bytes=target_bytes, first_round=first_round
    )
    per_data = sum(t.data_tweets for t in templates)
    per_inc = sum(t.include_tweets for t in templates)
    report_every = max(target_bytes // 8, 1)
    next_report = report_every
    with open(tmp, "wb", buffering=1 << 20) as f:
        for _k, chunk in iter_rounds(templates, first_round):
            f.write(chunk)
            info.rounds += 1
            info.records += len(templates)
            info.data_tweets += per_data
            info.include_tweets += per_inc
            info.bytes += len(chunk)
            if info.bytes >= next_report and target_bytes >= 256 << 20:
                log(f"    … {info.bytes / 1e6:,.0f} / {target_bytes / 1e6:,.0f} MB")
                next_report += report_every
            if info.bytes >= target_bytes:
                break
    os.replace(tmp, path)
    meta_path.write_text(json.dumps(info.as_dict(), indent=1))
    return info


def sha1_head(path: Path, n: int = 1 << 20) -> str:
    with open(path, "rb") as f:
        return hashlib.sha1(f.read(n)).hexdigest()
