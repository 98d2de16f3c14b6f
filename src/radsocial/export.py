"""Exporting posts for researchers: CSV, JSON Lines and Parquet, streamed.

Columns are the same in every format; list fields (hashtags, mentions, links, media
URLs) are space-separated in CSV and real lists in JSONL and Parquet.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from radsocial.models import Post

COLUMNS = (
    "platform",
    "platform_id",
    "url",
    "created_at",
    "author_id",
    "author_handle",
    "kind",
    "lang",
    "text",
    "hashtags",
    "mentions",
    "links",
    "media_urls",
    "media_types",
    "reply_to_id",
    "reply_to_author_id",
    "quote_of_id",
    "repost_of_id",
    "conversation_id",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "views",
    "synthetic",  # made by `radsocial generate`, not collected: never publish as data
)
_LISTS = ("hashtags", "mentions", "links", "media_urls", "media_types")
_INTS = ("likes", "reposts", "replies", "quotes", "views")
FORMATS = ("csv", "jsonl", "parquet")


def post_record(p: Post) -> dict[str, Any]:
    """A flat dict of a post with the export columns."""
    return {
        "platform": p.platform,
        "platform_id": p.platform_id,
        "url": p.url,
        "created_at": p.created_at.isoformat(),
        "author_id": p.author_id,
        "author_handle": p.author_handle,
        "kind": p.kind,
        "lang": p.lang,
        "text": p.text,
        "hashtags": list(p.hashtags),
        "mentions": list(p.mentions),
        "links": list(p.links),
        "media_urls": [m.url or "" for m in p.media],
        "media_types": [m.type for m in p.media],
        "reply_to_id": p.reply_to_id,
        "reply_to_author_id": p.reply_to_author_id,
        "quote_of_id": p.quote_of_id,
        "repost_of_id": p.repost_of_id,
        "conversation_id": p.conversation_id,
        "likes": p.likes,
        "reposts": p.reposts,
        "replies": p.replies,
        "quotes": p.quotes,
        "views": p.views,
        "synthetic": bool(p.extras.get("synthetic")),
    }


def guess_format(path: Path) -> str:
    """The export format from a file name's extension (csv, jsonl/ndjson, parquet)."""
    ext = path.suffix.lower().lstrip(".")
    if ext in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if ext in ("parquet", "pq"):
        return "parquet"
    if ext in ("csv", "tsv", "txt", ""):
        return "csv"
    raise ValueError(
        f"cannot tell the export format from {path.name!r}; pass --to csv|jsonl|parquet"
    )


def write(
    posts: Iterable[Post], path: Path, fmt: str, tick: Callable[[int], None] | None = None
) -> int:
    """Write posts to `path` in `fmt`; returns how many were written."""
    writer = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet}.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writer(_counted(posts, tick), path)


def _counted(posts: Iterable[Post], tick: Callable[[int], None] | None) -> Iterator[Post]:
    for n, p in enumerate(posts, 1):
        if tick is not None and n % 1000 == 0:
            tick(n)
        yield p


def _csv(posts: Iterable[Post], path: Path) -> int:
    n = 0
    # utf-8-sig: Excel, which many researchers open CSVs with, needs the BOM to read UTF-8.
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for p in posts:
            rec = post_record(p)
            for k in _LISTS:
                rec[k] = " ".join(rec[k])
            w.writerow([rec[c] if rec[c] is not None else "" for c in COLUMNS])
            n += 1
    return n


def _jsonl(posts: Iterable[Post], path: Path) -> int:
    n = 0
    with open(path, "wb") as f:
        for p in posts:
            f.write(orjson.dumps(post_record(p)))
            f.write(b"\n")
            n += 1
    return n


def _parquet(posts: Iterable[Post], path: Path, row_group: int = 50_000) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "Parquet export needs pyarrow: pip install 'radsocial[parquet]'"
        ) from exc
    fields = []
    for c in COLUMNS:
        if c in _LISTS:
            fields.append(pa.field(c, pa.list_(pa.string())))
        elif c in _INTS:
            fields.append(pa.field(c, pa.int64()))
        elif c == "created_at":
            fields.append(pa.field(c, pa.timestamp("us", tz="UTC")))
        elif c == "synthetic":
            fields.append(pa.field(c, pa.bool_()))
        else:
            fields.append(pa.field(c, pa.string()))
    schema = pa.schema(fields)
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as w:
        buf: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        for p in posts:
            rec = post_record(p)
            rec["created_at"] = p.created_at
            for c in COLUMNS:
                buf[c].append(rec[c])
            n += 1
            if len(buf["platform"]) >= row_group:
                w.write_table(pa.table(buf, schema=schema))
                buf = {c: [] for c in COLUMNS}
        if buf["platform"] or n == 0:
            w.write_table(pa.table(buf, schema=schema))
    return n
