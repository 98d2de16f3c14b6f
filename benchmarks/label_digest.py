"""A digest of every label the classifiers give the benchmark's texts: for checking that a
speed change moved no label, by running it before and after the change.

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/label_digest.py            # after
    git stash; PYTHONHASHSEED=0 .venv/bin/python benchmarks/label_digest.py; git stash pop

Texts: the UCI tweets of benchmarks/classify.py plus the gold texts, all post tasks,
every third as if posted by a media outlet; and the stakeholder label of each gold bio.
Prints one digest per part and, with `--dump FILE`, writes the labels (JSON lines) so
two dumps can be diffed. Fix PYTHONHASHSEED: some reasons come out in set-iteration
order, which follows the hash seed, so two runs only compare under the same seed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from classify import load_uci

from tests.analysis.label_snapshot import snapshot


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", type=Path, help="write every label here (JSON lines)")
    args = ap.parse_args()
    from radsocial.analysis.pipeline import Pipeline

    pipe = Pipeline()
    uci = [
        [lb.as_dict() for lb in pipe.classify_post(t, "media_outlet" if i % 3 == 0 else None)]
        for i, t in enumerate(load_uci())
    ]
    parts = {"uci": uci, **snapshot()}
    out = args.dump.open("wb") if args.dump else None
    for name, items in parts.items():
        h = hashlib.sha256()
        for labels in items:
            line = orjson.dumps(labels, option=orjson.OPT_SORT_KEYS)
            h.update(line)
            if out:
                out.write(name.encode() + b"\t" + line + b"\n")
        n = sum(len(x) for x in items)
        print(f"{name:9s} {len(items):6,} items {n:7,} labels  sha256 {h.hexdigest()[:20]}")
    if out:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
