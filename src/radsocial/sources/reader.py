"""Finding records in files: paths, compression, JSON Lines vs JSON documents, envelopes.

Everything here streams: a file is read line by line (split on b"\\n" only, so a 0x85
byte in a cp1252 file is never taken for a line break), and only a whole-file JSON
document (a pretty-printed array, say) is read at once, since JSON cannot be parsed
in pieces without a streaming parser.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson
import zstandard

from radsocial.sources.base import parse_iso

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SKIP_SUFFIXES = (".md", ".txt.md", ".license", ".py", ".sqlite", ".db", ".db-wal", ".db-shm")


class InputError(Exception):
    """A file that cannot be read at all (missing, unreadable, unknown compression)."""


class TruncatedError(Exception):
    """A compressed file that ends early; the lines before the break were read."""


def expand_paths(paths: list[str]) -> list[Path]:
    """Files named, files under folders (recursive, sorted), and glob matches.

    Hidden files and our own notes (SOURCE.md, LICENSE) are skipped in folders; a path
    that matches nothing raises InputError naming it.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.startswith(".") or f.upper().startswith(("LICENSE", "SOURCE", "README")):
                        continue
                    if f.lower().endswith(_SKIP_SUFFIXES):
                        continue
                    out.append(Path(root) / f)
        elif p.is_file():
            out.append(p)
        else:
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                raise InputError(f"{raw}: no such file, folder or matching glob")
            out.extend(Path(m) for m in matches if Path(m).is_file())
    return list(dict.fromkeys(out))


def open_binary(path: Path) -> IO[bytes]:
    """Open a plain, gzip or zstd file for binary reading (by content, not extension)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from exc
    magic = f.read(4)
    f.seek(0)
    if magic[:2] == GZIP_MAGIC:
        f.close()
        return gzip.open(path, "rb")  # owns (and closes) its file
    if magic == ZSTD_MAGIC:
        reader = zstandard.ZstdDecompressor().stream_reader(
            f, read_across_frames=True, closefd=True
        )
        return io.BufferedReader(reader, buffer_size=1 << 20)  # type: ignore[arg-type]
    return f


def iter_lines(stream: IO[bytes], path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, line bytes with its newline); raise TruncatedError at a
    broken compressed stream after yielding every complete line before it."""
    n = 0
    try:
        for line in stream:
            n += 1
            yield n, line
    except (EOFError, zlib.error, zstandard.ZstdError, gzip.BadGzipFile, OSError) as exc:
        raise TruncatedError(
            f"{path}: the file ends early or is damaged after line {n} ({exc}); "
            "the lines before were read — re-copy or re-download the file to get the rest"
        ) from exc


def head_text(path: Path, size: int = 65536) -> str:
    """The first bytes of a (decompressed) file as text, for sniffing."""
    try:
        with open_binary(path) as f:
            data = f.read(size)
    except (EOFError, OSError, zlib.error, zstandard.ZstdError):
        data = b""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


@dataclass(slots=True)
class JsonRecord:
    """One JSON value found in a file, or the reason a piece of the file was unreadable."""

    line: int
    payload: bytes  # verbatim bytes (JSON Lines) or re-serialized element (documents)
    value: Any = None
    error: str | None = None
    received_at: datetime | None = None
    request: str | None = None
    notes: list[str] = field(default_factory=list)


def _loads(payload: bytes) -> tuple[Any, list[str]]:
    try:
        return orjson.loads(payload), []
    except orjson.JSONDecodeError as exc:
        if "utf-8" not in str(exc).lower() and "surrogate" not in str(exc).lower():
            raise
    # Invalid UTF-8 inside otherwise good JSON: read it with U+FFFD in place of the bad
    # bytes rather than lose the record; the raw payload keeps the original bytes.
    text = payload.decode("utf-8", errors="replace")
    return orjson.loads(text), ["invalid UTF-8 bytes replaced by U+FFFD"]


@dataclass(slots=True)
class FastDecode:
    """The typed decoder a caller has chosen for the rest of a file (see
    `Format.typed_decoder`); set or cleared between records. After `MAX_MISSES` lines in a
    row it could not read, it is dropped for the file (a file of another shape)."""

    decode: Callable[[bytes], Any] | None = None
    misses: int = 0
    MAX_MISSES = 8

    def __call__(self, payload: bytes) -> Any:
        decode = self.decode
        if decode is None:
            return None
        value = decode(payload)
        if value is None:
            self.misses += 1
            if self.misses >= self.MAX_MISSES:
                self.decode = None
        else:
            self.misses = 0
        return value


def _unwrap(rec: JsonRecord) -> list[JsonRecord]:
    """Peel recorded-response envelopes and twarc provenance; split JSON arrays."""
    v = rec.value
    if isinstance(v, dict) and "body" in v and "request" in v and "status" in v:
        req = v.get("request") or {}
        status = v.get("status") or {}
        code = status.get("code") if isinstance(status, dict) else status
        rec.request = f"{req.get('method', 'GET')} {req.get('uri', '')}".strip()
        if v.get("recorded_at"):
            rec.received_at = _when(v["recorded_at"])
        if isinstance(code, int) and code >= 400:
            msg = status.get("message", "") if isinstance(status, dict) else ""
            rec.error = f"API error {code} {msg} for {rec.request}".replace("  ", " ")
            if code == 429:
                rec.error += " (rate limited: wait for the reset time, then collect again)"
            return [rec]
        body = v["body"]
        if isinstance(body, list):
            return [
                JsonRecord(rec.line, orjson.dumps(b), b, None, rec.received_at, rec.request)
                for b in body
            ]
        rec.value = body
        rec.payload = orjson.dumps(body)
        return [rec]
    if isinstance(v, dict):
        tw = v.get("__twarc")
        if isinstance(tw, dict):
            rec.received_at = _when(tw.get("retrieved_at"))
            rec.request = tw.get("url")
    return [rec]


def _when(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            return parse_iso(value)
        except ValueError:
            return None
    return None


def iter_json_records(path: Path, fast: FastDecode | None = None) -> Iterator[JsonRecord]:
    """Every JSON record in a file: JSON Lines, or one whole JSON document/array.

    Malformed lines come back as records with `error` set (and their verbatim bytes),
    so the caller can quarantine them and go on. JSON Lines are decoded by `fast` when
    the caller has set a typed decoder there and it reads the line.
    """
    with open_binary(path) as stream:
        first = b""
        skipped = 0  # lines read before the first record (blank ones included)
        try:
            while not first.strip():
                first = stream.readline()
                skipped += 1
                if not first:
                    return
        except (EOFError, zlib.error, zstandard.ZstdError, OSError) as exc:
            raise TruncatedError(f"{path}: the file ends early or is damaged ({exc})") from exc
        start = first.lstrip(b"\xef\xbb\xbf \t\r\n")
        if start[:1] == b"[" or not _parses(start):
            # A JSON document spread over lines (pretty-printed, or an array).
            yield from _document(first + _read_rest(stream, path), path)
            return
        yield from _json_line(skipped, first)
        for n, line in iter_lines(stream, path):
            if fast is not None and fast.decode is not None:
                stripped = line.strip()
                value = fast(stripped) if stripped else None
                if value is not None:
                    rec = JsonRecord(n + skipped, stripped, value)
                    received, rec.request = value.provenance()
                    rec.received_at = _when(received)
                    yield rec
                    continue
            yield from _json_line(n + skipped, line)


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return "utf-8" in str(exc).lower()
    return True


def _read_rest(stream: IO[bytes], path: Path) -> bytes:
    try:
        return stream.read()
    except (EOFError, zlib.error, zstandard.ZstdError, OSError) as exc:
        raise TruncatedError(f"{path}: the file ends early or is damaged ({exc})") from exc


def _json_line(n: int, line: bytes) -> Iterator[JsonRecord]:
    stripped = line.strip()
    if not stripped:
        return
    try:
        value, notes = _loads(stripped)
    except orjson.JSONDecodeError as exc:
        yield JsonRecord(n, stripped, error=f"malformed JSON: {exc}")
        return
    if isinstance(value, list):
        for item in value:
            yield from _unwrap(JsonRecord(n, orjson.dumps(item), item, notes=notes))
    else:
        yield from _unwrap(JsonRecord(n, stripped, value, notes=notes))


def _document(data: bytes, path: Path) -> Iterator[JsonRecord]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        value, notes = _loads(data)
    except orjson.JSONDecodeError as exc:
        yield JsonRecord(1, data, error=f"not a JSON document nor JSON Lines: {exc}")
        return
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items, 1):
        yield from _unwrap(JsonRecord(i, orjson.dumps(item), item, notes=list(notes)))
