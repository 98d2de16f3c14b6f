"""Importing files into the store: choose the format, read, normalize, batch, quarantine.

The import never stops at a bad record: each problem is reported with file and line,
the rejected bytes are written verbatim to a quarantine file next to the database, and
the summary counts what was read, new, duplicate and rejected. Batches are committed
one transaction at a time, so an interrupted import leaves a consistent database and
re-running it completes the work without duplicates.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from radsocial import __version__
from radsocial.models import SYNTHETIC_MARKER as MARKER
from radsocial.models import Account, Post, RawRecord, utcnow
from radsocial.sources import Context, Format, NormalizeError, all_formats, get_format
from radsocial.sources.reader import (
    FastDecode,
    InputError,
    TruncatedError,
    expand_paths,
    head_text,
    iter_json_records,
    iter_lines,
    open_binary,
)
from radsocial.store import Store, rollups

log = logging.getLogger(__name__)

BATCH_POSTS = 5000
BATCH_BYTES = 32 << 20
MAX_MESSAGES = 200  # problems kept in the summary; all of them go to the .errors.tsv file
#: Allocations between young-generation collections while importing (Python's default
#: is 700). Decoding and normalizing allocate millions of dicts, tuples and dataclasses
#: that live until their batch is written; with the default, the collector traverses
#: them over and over. Measured on a 200,000-post import: 700 → 29.7 s CPU, 183 MB peak;
#: 20,000 → 26.8 s, 185 MB; 100,000 → 25.6 s but 198 MB (cyclic garbage lives longer).
GC_THRESHOLD0 = 20_000


@dataclass
class FileResult:
    path: str
    format: str | None = None
    records: int = 0
    posts: int = 0
    rejected: int = 0
    warnings: int = 0
    error: str | None = None


@dataclass
class ImportSummary:
    """What an import did; `as_dict()` is what `radsocial import --json` prints."""

    import_id: int | None = None
    status: str = "running"
    files: list[FileResult] = field(default_factory=list)
    records: int = 0
    posts_read: int = 0
    new: int = 0
    duplicate: int = 0
    updated: int = 0
    rejected: int = 0
    warnings: int = 0
    accounts_new: int = 0
    synthetic: int = 0  # posts read from records marked synthetic (`radsocial generate`)
    quarantine: str | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def nothing_read(self) -> bool:
        return self.records == 0 and self.posts_read == 0


class _Quarantine:
    """Rejected records, verbatim, plus a TSV saying where each came from and why."""

    def __init__(self, folder: Path, import_id: int) -> None:
        self.folder = folder
        self.stem = f"import-{import_id:05d}"
        self._lines: IO[bytes] | None = None
        self._log: IO[str] | None = None

    @property
    def lines_path(self) -> Path:
        return self.folder / f"{self.stem}.rejected"

    def add(self, path: str, line: int | None, reason: str, payload: bytes) -> None:
        if self._lines is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lines = open(self.lines_path, "ab")  # noqa: SIM115 - closed in close()
            self._log = open(  # noqa: SIM115
                self.folder / f"{self.stem}.errors.tsv", "a", encoding="utf-8"
            )
            if self._log.tell() == 0:
                self._log.write("file\tline\treason\tbytes\n")
        assert self._log is not None
        self._lines.write(payload if payload.endswith(b"\n") else payload + b"\n")
        clean = reason.replace("\t", " ").replace("\n", " ")
        self._log.write(f"{path}\t{line or ''}\t{clean}\t{len(payload)}\n")

    def close(self) -> str | None:
        if self._lines is None:
            return None
        self._lines.close()
        assert self._log is not None
        self._log.close()
        return str(self.lines_path)


ProgressFn = Callable[[int], None]


class Importer:
    """Reads files into a store. One instance per import run."""

    def __init__(
        self,
        store: Store,
        *,
        fmt: str | None = None,
        options: dict[str, Any] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.store = store
        self.forced = get_format(fmt) if fmt else None
        self.options = dict(options or {})
        self.progress = progress  # (file, bytes done, bytes total)
        self.summary = ImportSummary()
        self._batch: list[tuple[RawRecord, Sequence[Post]]] = []
        self._accounts: list[Account] = []
        self._flushes = 0
        self._batch_posts = 0
        self._batch_bytes = 0

    # ------------------------------------------------------------------ run
    def run(self, paths: Sequence[str]) -> ImportSummary:
        files = expand_paths(list(paths))
        s = self.summary
        s.import_id = self.store.start_import(
            [str(p) for p in paths], self.forced.name if self.forced else None, self.options
        )
        self._quarantine = _Quarantine(self.store.quarantine_dir, s.import_id)
        thresholds = gc.get_threshold()
        gc.set_threshold(max(thresholds[0], GC_THRESHOLD0), *thresholds[1:])
        try:
            for path in files:
                self._file(path)
            self._flush()
            if s.new:
                # Counted now so that reports read current rollups; an interrupted import
                # leaves them behind, and the next import or report catches up.
                rollups.refresh(self.store)
                # and statistics for what the import grew (the last in-import ANALYZE
                # saw a table 10x smaller at most): a 10M-post store whose accounts were
                # analyzed at 500k posts looked handles up by a scan, 0.45 s a report
                self.store.analyze()
            s.status = "completed"
        except KeyboardInterrupt:
            s.status = "interrupted"
            s.problems.append("interrupted: batches already written are kept; run again to finish")
            raise
        except Exception:
            s.status = "failed"
            raise
        finally:
            gc.set_threshold(*thresholds)
            s.quarantine = self._quarantine.close()
            self.store.finish_import(
                s.import_id,
                s.status,
                files=len(s.files),
                records=s.records,
                posts_read=s.posts_read,
                new=s.new,
                duplicate=s.duplicate,
                rejected=s.rejected,
                warnings=s.warnings,
                synthetic=s.synthetic,
                quarantine=s.quarantine,
            )
        return s

    # ------------------------------------------------------------------ files
    def _problem(self, msg: str) -> None:
        log.info(msg)  # the summary reports problems; logging is for those who ask
        if len(self.summary.problems) < MAX_MESSAGES:
            self.summary.problems.append(msg)

    def _reject(self, fr: FileResult, line: int | None, reason: str, payload: bytes) -> None:
        fr.rejected += 1
        self.summary.rejected += 1
        where = f"{fr.path}:{line}" if line else fr.path
        self._problem(f"{where}: {reason}")
        self._quarantine.add(fr.path, line, reason, payload)

    def _warn(self, fr: FileResult, line: int | None, notes: list[str]) -> None:
        for note in notes:
            fr.warnings += 1
            self.summary.warnings += 1
            self._problem(f"{fr.path}:{line}: note: {note}")

    def _file(self, path: Path) -> None:
        fr = FileResult(str(path))
        self.summary.files.append(fr)
        try:
            size = path.stat().st_size
            if size == 0:
                fr.error = "empty file"
                self._problem(f"{path}: empty file, nothing to read")
                return
            text_fmt = self._text_format(path)
            if text_fmt is not None:
                fr.format = text_fmt.name
                self._text_file(path, text_fmt, fr, size)
            else:
                self._json_file(path, fr, size)
        except InputError as exc:
            fr.error = str(exc)
            self._problem(str(exc))
        except TruncatedError as exc:
            fr.error = str(exc)
            self._problem(str(exc))
            self._quarantine.add(str(path), None, str(exc), b"")
            self.summary.rejected += 1
            fr.rejected += 1

    def _text_format(self, path: Path) -> Format | None:
        if self.forced is not None:
            return self.forced if self.forced.kind == "text" else None
        head = head_text(path)
        if head.lstrip()[:1] in ("{", "["):
            return None
        for f in all_formats():
            if f.kind == "text" and f.sniff_text(head, str(path)):
                return f
        return None

    def _ctx(self, path: Path, line: int | None, received: Any = None) -> Context:
        return Context(source=str(path), line=line, received_at=received, options=self.options)

    def _json_file(self, path: Path, fr: FileResult, size: int) -> None:
        candidates = [f for f in all_formats() if f.kind == "json"]
        current: Format | None = self.forced
        fast = FastDecode(current.typed_decoder() if current is not None else None)
        done = 0
        for rec in iter_json_records(path, fast):
            done += len(rec.payload)
            if self.progress is not None and rec.line % 64 == 0:
                self.progress(str(path), min(done, size), size)
            fr.records += 1
            self.summary.records += 1
            if rec.error:
                self._reject(fr, rec.line, rec.error, rec.payload)
                continue
            fmt = current if current is not None and current.sniff(rec.value) else None
            if fmt is None and self.forced is not None:
                self._reject(
                    fr,
                    rec.line,
                    f"not a {self.forced.name} record (--format {self.forced.name}); "
                    "leave --format out to detect the format",
                    rec.payload,
                )
                continue
            if fmt is None:
                fmt = next((f for f in candidates if f.sniff(rec.value)), None)
                if fmt is None:
                    keys = (
                        list(rec.value)[:8]
                        if isinstance(rec.value, dict)
                        else type(rec.value).__name__
                    )
                    self._reject(
                        fr,
                        rec.line,
                        f"unknown record shape (keys: {keys}); pass --format to choose an importer",
                        rec.payload,
                    )
                    continue
                if self.forced is None:
                    current = fmt
                    fr.format = fr.format or fmt.name
                    fast.decode, fast.misses = fmt.typed_decoder(), 0
            # A recorded request URL is the better provenance (and tells formats such as
            # Mastodon which instance served the payload).
            ctx = Context(
                source=rec.request or str(path),
                line=rec.line,
                received_at=rec.received_at,
                options=self.options,
            )
            ctx.warnings.extend(rec.notes)
            self._normalize(fr, fmt, rec.value, rec.payload, ctx, str(path), rec.line)
        if self.progress is not None:
            self.progress(str(path), size, size)

    def _text_file(self, path: Path, fmt: Format, fr: FileResult, size: int) -> None:
        with open_binary(path) as stream:
            lines = _counting(iter_lines(stream, path), lambda n: self._tick(path, n, size))
            ctx = self._ctx(path, None)
            for item in fmt.read(lines, ctx):
                fr.records += 1
                self.summary.records += 1
                if ctx.warnings:
                    self._warn(fr, item.line, ctx.warnings)
                    ctx.warnings.clear()
                if item.error:
                    self._reject(fr, item.line, item.error, item.payload)
                    continue
                rctx = self._ctx(path, item.line)
                self._normalize(fr, fmt, item.value, item.payload, rctx, str(path), item.line)

    def _tick(self, path: Path, done: int, size: int) -> None:
        if self.progress is not None:
            self.progress(str(path), min(done, size), size)

    def _normalize(
        self,
        fr: FileResult,
        fmt: Format,
        value: Any,
        payload: bytes,
        ctx: Context,
        source: str,
        line: int | None,
    ) -> None:
        try:
            posts = fmt.normalize(value, ctx)
        except (NormalizeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            reason = str(exc) if isinstance(exc, NormalizeError) else f"{type(exc).__name__}: {exc}"
            self._reject(fr, line, f"{fmt.name}: {reason}", payload)
            return
        if ctx.warnings:
            self._warn(fr, line, ctx.warnings)
        if mark_synthetic(value, posts):
            self.summary.synthetic += len(posts)
        raw = RawRecord(
            format=fmt.name,
            payload=payload,
            source=source,
            line=line,
            received_at=ctx.received_at,
            tool_version=__version__,
            meta=_raw_meta(self.options, ctx.source if ctx.source != source else None),
        )
        fr.posts += len(posts)
        for a in ctx.accounts:
            a.observed_at = a.observed_at or ctx.received_at or utcnow()
            self._accounts.append(a)
        self._batch.append((raw, posts))
        self._batch_posts += len(posts)
        self._batch_bytes += len(payload)
        if self._batch_posts >= BATCH_POSTS or self._batch_bytes >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        counts = self.store.write_batch(
            self._batch, import_id=self.summary.import_id, accounts=self._accounts
        )
        s = self.summary
        self._flushes += 1
        if self._flushes in (1, 10, 100):  # statistics while the table grows from empty
            self.store.analyze()
        s.posts_read += counts.posts
        s.new += counts.new
        s.duplicate += counts.duplicate
        s.updated += counts.updated
        s.accounts_new += counts.accounts_new
        self._batch = []
        self._accounts = []
        self._batch_posts = 0
        self._batch_bytes = 0


def mark_synthetic(value: Any, posts: Sequence[Post]) -> bool:
    """Carry the generator's mark from a record onto its posts (`extras["synthetic"]`),
    so that a synthetic post says so wherever it is shown or exported. True if marked."""
    if isinstance(value, dict):
        marked = value.get(MARKER) is True
    elif isinstance(value, list):
        marked = any(isinstance(v, dict) and v.get(MARKER) is True for v in value)
    else:  # a typed record (Format.typed_decoder) says so in its `synthetic` field
        marked = getattr(value, "synthetic", None) is True
    if marked:
        for p in posts:
            p.extras = {**p.extras, "synthetic": True}
    return marked


def _raw_meta(options: dict[str, Any], request: str | None) -> dict[str, Any]:
    """What a raw record needs besides its bytes to be read again by `renormalize`."""
    meta: dict[str, Any] = {}
    if options:
        meta["options"] = options
    if request:
        meta["request"] = request
    return meta


def _counting(
    lines: Iterator[tuple[int, bytes]], tick: Callable[[int], None]
) -> Iterator[tuple[int, bytes]]:
    done = 0
    for n, line in lines:
        done += len(line)
        if n % 4096 == 0:
            tick(done)
        yield n, line
    tick(done)


def import_paths(
    store: Store,
    paths: Sequence[str],
    *,
    fmt: str | None = None,
    options: dict[str, Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportSummary:
    """Import files, folders or globs into `store`; see `Importer`."""
    return Importer(store, fmt=fmt, options=options, progress=progress).run(paths)


def renormalize(store: Store, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Rebuild every post from the stored raw payloads with the current importers.

    Used after a mapping fix: no source file is needed. Posts are rewritten in place
    (their ids, and so labels that point at them, stay).
    """
    total = store.count_raw()
    done = 0
    counts = {"raw_records": 0, "posts": 0, "new": 0, "updated": 0, "rejected": 0}
    batch: list[tuple[RawRecord, Sequence[Post]]] = []
    accounts: list[Account] = []
    n_posts = 0
    formats = {f.name: f for f in all_formats()}
    for raw in store.iter_raw():
        done += 1
        counts["raw_records"] += 1
        fmt = formats.get(raw.format)
        if fmt is None:
            counts["rejected"] += 1
            continue
        meta = raw.meta or {}
        options = dict(meta.get("options") or {})
        ctx = Context(
            source=meta.get("request") or raw.source,
            line=raw.line,
            received_at=raw.received_at,
            options=options,
        )
        try:
            value = fmt.decode(raw.payload)
            posts = fmt.normalize(value, ctx)
        except (NormalizeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("%s:%s: %s", raw.source, raw.line, exc)
            counts["rejected"] += 1
            continue
        mark_synthetic(value, posts)
        batch.append((raw, posts))
        for a in ctx.accounts:
            a.observed_at = a.observed_at or raw.received_at or utcnow()
            accounts.append(a)
        n_posts += len(posts)
        if n_posts >= BATCH_POSTS:
            _write_replace(store, batch, accounts, counts)
            batch, accounts, n_posts = [], [], 0
            if progress:
                progress(done, total)
    if batch:
        _write_replace(store, batch, accounts, counts)
    rollups.rebuild(store)  # posts were rewritten in place: recount them
    if progress:
        progress(total, total)
    return counts


def _write_replace(
    store: Store,
    batch: list[tuple[RawRecord, Sequence[Post]]],
    accounts: list[Account],
    counts: dict[str, int],
) -> None:
    c = store.write_batch(batch, replace=True, accounts=accounts)
    counts["posts"] += c.posts
    counts["new"] += c.new
    counts["updated"] += c.updated


__all__ = ["ImportSummary", "Importer", "import_paths", "renormalize"]
