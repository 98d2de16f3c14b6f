"""Importing files end to end: formats found by content, bad input kept aside, re-runs."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import zstandard

from radsocial import ingest
from radsocial.ingest import import_paths, renormalize
from radsocial.store import Selection, Store
from tests.helpers import FIXTURES

TWARC = FIXTURES / "x" / "twarc"


def _posts(store: Store) -> int:
    return int(store.stats()["posts"])


def test_import_then_reimport_adds_nothing(store: Store) -> None:
    s1 = import_paths(store, [str(TWARC / "noflat.jsonl")])
    assert s1.status == "completed" and s1.new > 100 and s1.rejected == 0
    s2 = import_paths(store, [str(TWARC / "noflat.jsonl")])
    assert s2.new == 0 and s2.duplicate == s1.posts_read
    assert _posts(store) == s1.new
    assert [i["status"] for i in store.imports()] == ["completed", "completed"]


def test_malformed_line_is_quarantined_verbatim(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "q.db")
    s = import_paths(store, [str(TWARC / "streaming_output_with_error.jsonl")])
    assert s.rejected == 1 and s.new > 0
    assert any("streaming_output_with_error.jsonl:8: malformed JSON" in p for p in s.problems)
    assert s.quarantine is not None
    bad = (TWARC / "streaming_output_with_error.jsonl").read_bytes().splitlines()[7]
    assert Path(s.quarantine).read_bytes() == bad + b"\n"
    errors = Path(s.quarantine).with_suffix(".errors.tsv").read_text().splitlines()
    assert errors[0] == "file\tline\treason\tbytes"
    assert errors[1].split("\t")[1] == "8"
    assert Path(s.quarantine).parent == tmp_path / "q.db.quarantine"


def test_truncated_gzip_keeps_what_was_read(store: Store, tmp_path: Path) -> None:
    src = (TWARC / "withheld.jsonl").read_bytes()
    gz = gzip.compress(src)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gz[: len(gz) * 3 // 4])
    s = import_paths(store, [str(cut)])
    assert s.new > 0
    assert any("ends early" in p for p in s.problems)
    assert s.files[0].error and "re-copy" in s.files[0].error


def test_gzip_and_zstd_read_like_plain(store: Store, tmp_path: Path) -> None:
    src = (TWARC / "geo_tweets.jsonl").read_bytes()
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(src))
    (tmp_path / "b.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(src))
    s = import_paths(store, [str(tmp_path / "a.jsonl.gz")])
    assert s.new > 0
    s2 = import_paths(store, [str(tmp_path / "b.jsonl.zst")])
    assert s2.new == 0 and s2.duplicate == s.posts_read


def test_invalid_utf8_inside_json_is_read_with_a_note(store: Store, tmp_path: Path) -> None:
    line = (TWARC / "media_tweet.jsonl").read_bytes().strip()
    broken = line.replace(b"GOING", b"GO\xffING", 1)
    f = tmp_path / "bad-utf8.jsonl"
    f.write_bytes(broken + b"\n")
    s = import_paths(store, [str(f)])
    assert s.new >= 1 and s.rejected == 0
    assert any("invalid UTF-8" in p for p in s.problems)
    (p,) = store.search(Selection(accounts=("IgorBrigadir",)))
    assert "GO\ufffdING" in p.text


def test_empty_file_and_unknown_shape(store: Store, tmp_path: Path) -> None:
    s = import_paths(store, [str(TWARC / "empty.json")])
    assert s.nothing_read and "empty file" in s.problems[0]
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"hello": "world"}\n')
    s = import_paths(store, [str(odd)])
    assert s.rejected == 1 and "unknown record shape" in s.problems[0]


def test_interrupted_import_completes_on_rerun(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "BATCH_POSTS", 40)
    calls = {"n": 0}
    real = store.write_batch

    def flaky(*args: object, **kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "write_batch", flaky)
    with pytest.raises(KeyboardInterrupt):
        import_paths(store, [str(TWARC / "noflat.jsonl"), str(TWARC / "withheld.jsonl")])
    partial = _posts(store)
    assert partial > 0
    assert store.imports()[0]["status"] == "interrupted"
    monkeypatch.setattr(store, "write_batch", real)
    s = import_paths(store, [str(TWARC / "noflat.jsonl"), str(TWARC / "withheld.jsonl")])
    full = import_paths(store, [str(TWARC / "noflat.jsonl"), str(TWARC / "withheld.jsonl")])
    assert full.new == 0
    assert _posts(store) == partial + s.new
    with store.engine.connect() as conn:
        dup = conn.execute(
            sa.text(
                "select count(*) from (select platform_id from posts group by platform_id having count(*) > 1) d"
            )
        ).scalar_one()
    assert dup == 0


def test_renormalize_rebuilds_from_raw(store: Store) -> None:
    import_paths(store, [str(TWARC / "mentions_tweet.jsonl")])
    before = {p.platform_id: p.text for _, p in store.iter_posts()}
    with store.engine.begin() as conn:
        conn.execute(sa.text("update posts set text = 'damaged'"))
        conn.execute(sa.text("delete from post_hashtags"))
    counts = renormalize(store)
    assert counts["updated"] == len(before) and counts["rejected"] == 0
    assert {p.platform_id: p.text for _, p in store.iter_posts()} == before
    assert store.search(Selection(hashtags=("xbox",)))


def test_folder_and_glob(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "archive"
    d.mkdir()
    for name in ("media_tweet.jsonl", "geo_tweets.jsonl"):
        shutil.copy(TWARC / name, d / name)
    (d / "SOURCE.md").write_text("notes are skipped")
    s = import_paths(store, [str(d)])
    assert len(s.files) == 2 and s.rejected == 0
    s = import_paths(store, [str(d / "*.jsonl")])
    assert len(s.files) == 2 and s.new == 0


def test_missing_path_is_a_clear_error(store: Store) -> None:
    from radsocial.sources.reader import InputError

    with pytest.raises(InputError, match="no such file"):
        import_paths(store, ["/nonexistent/file.jsonl"])


def test_forced_format_rejects_other_shapes(store: Store) -> None:
    s = import_paths(store, [str(TWARC / "media_tweet.jsonl")], fmt="x-v1")
    assert s.new == 0 and s.rejected == 1
