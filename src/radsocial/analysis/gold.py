"""Gold-standard CSV files: strict readers that say exactly what is wrong.

Formats (UTF-8, comma-separated, header row; extra columns such as id, source, note are
kept but ignored; fields may contain newlines when quoted):

* relevance   — ``text``, ``relevant`` (1/0), optional ``modality`` (values of
  taxonomy.MODALITIES separated by ";" — empty = none stated)
* stakeholder — ``handle``, ``name``, ``bio``, ``stakeholder`` (a radsocial label, or a
  Symplur segment name with ``scheme="symplur"``), optional ``platform`` (default x)
* sentiment   — ``text``, ``sentiment`` (negative / neutral / positive)

Any problem — a missing column, an unknown label, an empty text, a file that is not
UTF-8 — raises `GoldFormatError` naming the file, the line and what was expected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from radsocial.analysis.taxonomy import MODALITIES, SENTIMENTS, STAKEHOLDERS, SYMPLUR_SEGMENTS

__all__ = [
    "GOLD_TASKS",
    "GoldFormatError",
    "GoldItem",
    "decode_utf8",
    "file_sha256",
    "read_csv_rows",
    "read_gold",
]

GOLD_TASKS = ("relevance", "modality", "stakeholder", "sentiment")


class GoldFormatError(ValueError):
    """A gold or coded CSV that cannot be used; the message says file, line and expectation."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.detail = message
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class GoldItem:
    """One gold row: the classifier's inputs, the gold label(s) and where it came from."""

    line: int
    inputs: dict[str, str]  # text / handle, name, bio, platform
    label: str | tuple[str, ...]  # tuple for multi-label tasks (modality)
    item_id: str = ""
    row: dict[str, str] = field(default_factory=dict)


def decode_utf8(data: bytes, path: str | Path) -> str:
    """UTF-8 (a BOM is allowed) or GoldFormatError with the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise GoldFormatError(
            path,
            line,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at column {col}); "
            "expected UTF-8 — re-save it as 'CSV UTF-8' (e.g. it may be cp1252/Latin-1)",
        ) from None


def file_sha256(path: str | Path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_csv_rows(
    path: str | Path, required: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs of a UTF-8 CSV with the `required` columns (line = first line of
    the record, counting the header as line 1)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GoldFormatError(path, None, f"cannot read the file ({exc.strerror or exc})") from None
    text = decode_utf8(data, path)
    if not text.strip():
        raise GoldFormatError(
            path, 1, f"the file is empty; expected a header row with {', '.join(required)}"
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise GoldFormatError(path, 1, f"not a readable CSV header ({exc})") from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        expected = ", ".join(required) + (f" (optional: {', '.join(optional)})" if optional else "")
        raise GoldFormatError(
            path,
            1,
            f"missing column(s) {', '.join(repr(m) for m in missing)}; expected columns: {expected}; "
            f"found: {', '.join(repr(h) for h in header) or 'none'}",
        )
    dupes = {h for h in header if header.count(h) > 1 and h}
    if dupes:
        raise GoldFormatError(path, 1, f"duplicate column(s) {', '.join(sorted(dupes))}")
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    try:
        for rec in reader:
            line = start
            start = reader.line_num + 1
            if not rec or all(not c.strip() for c in rec):
                continue  # blank line
            if len(rec) > len(header):
                raise GoldFormatError(
                    path, line, f"{len(rec)} fields but the header has {len(header)} columns"
                )
            rec = rec + [""] * (len(header) - len(rec))
            rows.append((line, dict(zip(header, rec, strict=True))))
    except csv.Error as exc:
        raise GoldFormatError(path, start, f"malformed CSV ({exc})") from None
    return rows


def _need(path: Path, line: int, row: dict[str, str], col: str) -> str:
    v = (row.get(col) or "").strip()
    if not v:
        raise GoldFormatError(path, line, f"column {col!r} is empty; expected a non-empty {col}")
    return v


def _choice(path: Path, line: int, row: dict[str, str], col: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    v = (row.get(col) or "").strip()
    if v not in allowed:
        shown = ", ".join(allowed) if len(allowed) <= 24 else ", ".join(allowed[:24]) + ", ..."
        raise GoldFormatError(path, line, f"column {col!r} has {v!r}; expected one of: {shown}")
    return v


def parse_multi(
    path: Path, line: int, col: str, value: str, allowed: Sequence[str]
) -> tuple[str, ...]:
    parts = [p.strip() for p in value.replace(",", ";").split(";") if p.strip()]
    for p in parts:
        if p not in allowed:
            raise GoldFormatError(
                path,
                line,
                f"column {col!r} has {p!r}; expected values from: {', '.join(allowed)} (separated by ';')",
            )
    return tuple(sorted(set(parts), key=allowed.index))


def read_gold(task: str, path: str | Path, scheme: str = "radsocial") -> list[GoldItem]:
    """Read and validate a gold file for `task` (relevance, modality, stakeholder, sentiment)."""
    path = Path(path)
    if task not in GOLD_TASKS:
        raise ValueError(f"unknown task {task!r}; gold files exist for: {', '.join(GOLD_TASKS)}")
    if scheme not in ("radsocial", "symplur"):
        raise ValueError(f"unknown scheme {scheme!r}; use 'radsocial' or 'symplur'")
    if scheme == "symplur" and task != "stakeholder":
        raise ValueError("scheme='symplur' applies to the stakeholder task only")
    items: list[GoldItem] = []
    if task in ("relevance", "modality"):
        rows = read_csv_rows(path, ["text", "relevant"], ["modality"])
        for line, row in rows:
            text = _need(path, line, row, "text")
            rel = _choice(path, line, row, "relevant", ("1", "0"))
            mods = parse_multi(path, line, "modality", row.get("modality") or "", MODALITIES)
            if task == "relevance":
                label: Any = "relevant" if rel == "1" else "not_relevant"
            else:
                if rel != "1":
                    continue  # modality is coded for relevant posts only
                label = mods
            items.append(GoldItem(line, {"text": text}, label, row.get("id", ""), row))
    elif task == "stakeholder":
        rows = read_csv_rows(path, ["handle", "name", "bio", "stakeholder"], ["platform"])
        allowed = SYMPLUR_SEGMENTS if scheme == "symplur" else STAKEHOLDERS
        for line, row in rows:
            handle = (row.get("handle") or "").strip()
            name = (row.get("name") or "").strip()
            bio = (row.get("bio") or "").strip()
            if not (handle or name or bio):
                raise GoldFormatError(
                    path, line, "handle, name and bio are all empty; expected at least a handle"
                )
            label = _choice(path, line, row, "stakeholder", allowed)
            platform = (row.get("platform") or "x").strip() or "x"
            items.append(
                GoldItem(
                    line,
                    {"handle": handle, "name": name, "bio": bio, "platform": platform},
                    label,
                    row.get("id", ""),
                    row,
                )
            )
    else:
        rows = read_csv_rows(path, ["text", "sentiment"])
        for line, row in rows:
            text = _need(path, line, row, "text")
            label = _choice(path, line, row, "sentiment", SENTIMENTS)
            items.append(GoldItem(line, {"text": text}, label, row.get("id", ""), row))
    if not items:
        raise GoldFormatError(path, None, f"no {task} rows found; expected at least one data row")
    return items
