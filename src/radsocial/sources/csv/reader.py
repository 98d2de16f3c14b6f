"""Reading a CSV file into rows: the delimiter sniffed from the first lines, lines
decoded one by one (UTF-8, a BOM dropped, else cp1252 for that line) and tracked so each
row keeps the number of the line it starts on and its verbatim bytes, the header searched
for in the first rows and checked against the preset (or user mapping), and each row
checked and stored as ``{"preset": NAME, "row": {column: value}}``."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator

import orjson

from radsocial.sources.base import Context, NormalizeError, TextItem
from radsocial.sources.csv.mapping import _mapping_of, validate_mapping
from radsocial.sources.csv.presets import PRESETS, Preset, detect_preset

# Big quoted fields (bios, JSON entity columns) exceed the csv module's 128 KiB default.
csv.field_size_limit(16 << 20)

_HEADER_SEARCH_ROWS = 5  # rows looked at for a header (LinkedIn puts a note above it)


def _delimiter(first_lines: list[str]) -> str:
    """',' unless the first lines clearly use ';' or a tab (spreadsheet exports saved
    in some locales); a note line above the header does not decide."""
    best = {",": 0, ";": 0, "\t": 0}
    for line in first_lines:
        bare = re.sub(r'"[^"]*"', "", line)
        for d in best:
            best[d] = max(best[d], bare.count(d))
    top = max(best, key=lambda d: best[d])
    return top if best[top] > best[","] else ","


class _Lines:
    """Decodes raw lines for the csv reader and remembers where each row came from."""

    __slots__ = ("cp1252_first", "raw", "source", "start")

    def __init__(self, source: Iterator[tuple[int, bytes]]) -> None:
        self.source = source
        self.raw: list[bytes] = []  # the lines of the row being read
        self.start: int | None = None  # the number of its first line
        self.cp1252_first: int | None = None

    def next_row(self) -> None:
        self.raw = []
        self.start = None

    def __iter__(self) -> Iterator[str]:
        first = True
        for n, raw in self.source:
            if self.start is None:
                self.start = n
            self.raw.append(raw)
            try:
                s = raw.decode("utf-8")
            except UnicodeDecodeError:
                s = raw.decode("cp1252", errors="replace")
                if self.cp1252_first is None:
                    self.cp1252_first = n
            if first:
                first = False
                if s.startswith("\ufeff"):
                    s = s[1:]
            yield s


def _choose(ctx: Context) -> tuple[str | None, str | None]:
    """(preset named by the options, or None to detect; an error message)."""
    if ctx.options.get("mapping") is not None:
        try:
            validate_mapping(ctx.options["mapping"])
        except NormalizeError as exc:
            return None, str(exc)
        return "mapping", None
    name = ctx.options.get("preset")
    if name:
        if name not in PRESETS or name == "mapping":
            known = ", ".join(n for n in PRESETS if n != "mapping")
            return (
                None,
                f"unknown preset {name!r}; known presets: {known} (or --format csv --mapping FILE)",
            )
        return str(name), None
    return None, None


def read_rows(lines: Iterator[tuple[int, bytes]], ctx: Context) -> Iterator[TextItem]:
    """The rows of a CSV file (numbered lines of bytes) as TextItems: the header is
    searched for in the first rows, then each row is checked by its preset and stored
    as {"preset": NAME, "row": {column: value}}; a bad row is an error item."""
    chosen, err = _choose(ctx)
    if err:
        yield TextItem(1, b"", error=err)
        return
    lines = iter(lines)
    peek = list(itertools.islice(lines, _HEADER_SEARCH_ROWS))
    if not peek:
        return
    delimiter = _delimiter([raw.decode("utf-8", errors="replace") for _, raw in peek])
    src = _Lines(itertools.chain(peek, lines))
    reader = csv.reader(iter(src), delimiter=delimiter)
    preset: Preset | None = None
    header: list[str] = []
    width = 0
    header_rows = 0  # rows looked at while searching the header
    first_header: tuple[int, bytes, list[str]] | None = None
    dumps = orjson.dumps
    warned_cp1252 = False
    while True:
        src.next_row()
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            start = src.start or 0
            yield TextItem(
                start,
                b"".join(src.raw),
                error=f"CSV syntax error ({exc}); a quote may be unbalanced",
            )
            continue
        start = src.start or 0
        if not warned_cp1252 and src.cp1252_first is not None:
            warned_cp1252 = True
            ctx.warnings.append(
                f"line {src.cp1252_first} is not valid UTF-8: read as cp1252 "
                "(later such lines are not reported)"
            )
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if preset is None:
            header_rows += 1
            cells = [c.strip() for c in row]
            name = chosen or detect_preset(cells)
            if first_header is None:
                first_header = (start, b"".join(src.raw), cells)
            if name is not None and not _missing(name, cells, ctx):
                preset, header, width = PRESETS[name], cells, len(cells)
                if header_rows > 1:
                    ctx.warnings.append(
                        f"skipped {header_rows - 1} row(s) above the header on line {start}"
                    )
                continue
            if header_rows < _HEADER_SEARCH_ROWS:
                continue
            yield _header_error(chosen, first_header, ctx)
            return
        if len(row) != width:
            yield TextItem(
                start,
                b"".join(src.raw),
                error=f"row has {len(row)} fields, the header has {width} "
                "(a quote may be unbalanced or a delimiter unquoted)",
            )
            continue
        d = {h: v for h, v in zip(header, row, strict=True) if v and h}
        problem = preset.check(d, ctx)
        if problem:
            yield TextItem(start, b"".join(src.raw), error=f"{preset.name}: {problem}")
            continue
        value = {"preset": preset.name, "row": d}
        yield TextItem(start, dumps(value), value)
    if preset is None and first_header is not None:
        yield _header_error(chosen, first_header, ctx)


def _missing(name: str, cells: list[str], ctx: Context) -> list[str]:
    if name != "mapping":
        return PRESETS[name].missing(cells)
    have = set(cells)
    m = _mapping_of(ctx)
    return [f"{col!r} (mapped to {key})" for key, col in m.columns.items() if col not in have]


def _header_error(
    chosen: str | None, first: tuple[int, bytes, list[str]], ctx: Context
) -> TextItem:
    line, raw, cells = first
    shown = ", ".join(repr(c) for c in cells[:12]) + (", ..." if len(cells) > 12 else "")
    if chosen:
        missing = _missing(chosen, cells, ctx)
        msg = (
            f"preset {chosen!r}: the header lacks required column(s) {', '.join(missing)} "
            f"(header: {shown}); nothing read from this file"
        )
    else:
        known = ", ".join(n for n in PRESETS if n != "mapping")
        msg = (
            f"no CSV preset recognises this header ({shown}); pass --preset NAME "
            f"({known}) or --format csv --mapping FILE"
        )
    return TextItem(line, raw, error=msg)
