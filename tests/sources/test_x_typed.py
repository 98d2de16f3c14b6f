"""The typed (msgspec) decoding of X payloads gives exactly the posts the generic path
gives, on every real payload in the fixtures; lines it cannot read fall back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from radsocial.ingest import import_paths, renormalize
from radsocial.sources import Context
from radsocial.sources.reader import FastDecode, iter_json_records
from radsocial.sources.x_v1 import XV1Format
from radsocial.sources.x_v2 import XV2Format
from radsocial.sources.x_v2_types import Page, decode_page
from tests.helpers import FIXTURES

X = FIXTURES / "x"


def _values(path: Path) -> list[Any]:
    return [r.value for r in iter_json_records(path) if r.error is None]


def _statuses(value: Any) -> list[dict[str, Any]]:
    """v1.1 statuses inside a value: a status, a list, a search response, a cassette."""
    if isinstance(value, list):
        return [s for v in value for s in _statuses(v)]
    if isinstance(value, dict):
        if "id_str" in value and "user" in value:
            return [value]
        return [s for v in value.values() for s in _statuses(v)]
    return []


def _same(fmt: Any, value: Any) -> int:
    """Normalize `value` generically and through its typed decoding; assert equality."""
    typed = fmt.typed_decoder()(orjson.dumps(value))
    if typed is None:
        return 0
    expected = fmt.normalize(value, Context(source="t"))
    got = fmt.normalize(typed, Context(source="t"))
    assert got == expected
    return len(got)


V2_FILES = sorted(p for p in X.rglob("*.json*") if not p.name.startswith("normalized"))


def test_v2_typed_equals_generic_on_every_fixture() -> None:
    fmt = XV2Format()
    compared = 0
    for path in V2_FILES:
        for value in _values(path):
            if fmt.sniff(value):
                compared += _same(fmt, value)
    assert compared > 300  # the real pages were compared, not skipped


def test_v1_typed_equals_generic_on_every_fixture() -> None:
    fmt = XV1Format()
    compared = 0
    for path in sorted(X.rglob("*.json*")):
        for value in _values(path):
            for status in _statuses(value):
                compared += _same(fmt, status)
    assert compared > 30


@pytest.mark.parametrize(
    "line",
    [
        b'{"data": [{"id": "1", "username": "someone"}]}',  # a user lookup page
        b'{"errors": [{"title": "Not Found Error"}]}',  # errors only
        b'{"id": "1", "text": "flat", "author_id": "2"}',  # a flattened tweet
        b'{"data": [{"id": "1", "text": "bad \xff utf-8"}]}',
        b'{"data": [{"id": 1, "text": "numeric id"}]}',
        b"[1, 2]",
    ],
)
def test_lines_of_other_shapes_are_left_to_the_generic_reader(line: bytes) -> None:
    assert decode_page(line) is None


def test_fast_decode_gives_up_on_a_file_of_another_shape() -> None:
    fast = FastDecode(decode_page)
    for _ in range(FastDecode.MAX_MISSES):
        assert fast(b'{"id": "1", "text": "flat", "author_id": "2"}') is None
    assert fast.decode is None


def test_typed_page_keeps_twarc_provenance(tmp_path: Path) -> None:
    line = (X / "twarc" / "noflat.jsonl").read_bytes().splitlines()[0]
    assert isinstance(decode_page(line), Page)
    path = tmp_path / "twice.jsonl"
    path.write_bytes(line + b"\n" + line + b"\n")
    fast = FastDecode()
    records = []
    for rec in iter_json_records(path, fast):
        records.append(rec)
        fast.decode = decode_page  # as the importer does once the format is known
    generic, typed = records
    assert isinstance(typed.value, Page) and isinstance(generic.value, dict)
    assert typed.received_at == generic.received_at is not None
    assert typed.request == generic.request is not None
    assert typed.payload == generic.payload


def test_import_through_typed_path_equals_renormalize(store: Any) -> None:
    """Posts imported with the typed decoder are what renormalize (typed too) rebuilds
    from the stored raw payloads, and a second import adds nothing."""
    path = X / "twarc" / "noflat.jsonl"
    first = import_paths(store, [str(path)])
    assert first.new > 0 and first.rejected == 0
    again = import_paths(store, [str(path)])
    assert again.new == 0 and again.duplicate == first.posts_read
    rebuilt = renormalize(store)
    assert rebuilt["rejected"] == 0 and rebuilt["new"] == 0
    assert rebuilt["posts"] == first.posts_read
