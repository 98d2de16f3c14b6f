"""Speed work must not move a label: the gold texts' labels equal a stored snapshot.

tests/fixtures/labels/gold-labels-seed0.json.gz was written by label_snapshot.py with
the classifiers as they were before the speed work (versions 1.0). The snapshot is
compared in a child process with PYTHONHASHSEED=0, because some reasons come out in
set-iteration order, which follows the hash seed. A deliberate rule change bumps a
classifier's version and rewrites the snapshot (see label_snapshot.py).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "fixtures" / "labels" / "gold-labels-seed0.json.gz"


def test_gold_labels_match_the_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "now.json.gz"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(
        [sys.executable, "-m", "tests.analysis.label_snapshot", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    want = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    got = json.loads(gzip.decompress(out.read_bytes()))
    assert len(got["posts"]) == len(want["posts"]) > 800
    assert len(got["accounts"]) == len(want["accounts"]) > 400
    diff = [i for i, (g, w) in enumerate(zip(got["posts"], want["posts"], strict=True)) if g != w]
    assert not diff, f"{len(diff)} texts labelled differently, first {got['posts'][diff[0]]}"
    assert got["accounts"] == want["accounts"]
