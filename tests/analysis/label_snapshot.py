"""Every label the shipped classifiers give the gold texts and bios, as plain data.

Run as a script (`python -m tests.analysis.label_snapshot OUT.json.gz`) it writes the
snapshot that test_labels_unchanged.py compares with: the post tasks on each text of
tests/fixtures/gold (relevance, relevance_holdout, sentiment; every third text as if
posted by a media outlet) and the stakeholder label of each gold bio. Some reasons are
listed in set-iteration order, which follows the string-hash seed, so the snapshot is
only comparable under the same PYTHONHASHSEED (the test uses 0).
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path
from typing import Any

GOLD = Path(__file__).resolve().parents[1] / "fixtures" / "gold"


def snapshot() -> dict[str, list[list[dict[str, Any]]]]:
    from radsocial.analysis.pipeline import Pipeline
    from radsocial.analysis.stakeholder import StakeholderClassifier
    from radsocial.models import Account

    texts: list[str] = []
    for name in ("relevance", "relevance_holdout", "sentiment"):
        with open(GOLD / f"{name}.csv", encoding="utf-8", newline="") as fh:
            texts += [r["text"] for r in csv.DictReader(fh)]
    pipe = Pipeline()
    posts = [
        [lb.as_dict() for lb in pipe.classify_post(t, "media_outlet" if i % 3 == 0 else None)]
        for i, t in enumerate(texts)
    ]
    sc = StakeholderClassifier()
    accounts = []
    for name in ("stakeholder", "stakeholder_holdout"):
        with open(GOLD / f"{name}.csv", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                acc = Account(
                    platform=r["platform"],
                    account_id=r["id"],
                    handle=r["handle"],
                    name=r["name"],
                    bio=r["bio"],
                )
                accounts.append([lb.as_dict() for lb in sc.classify_account(acc)])
    return {"posts": posts, "accounts": accounts}


if __name__ == "__main__":
    data = json.dumps(snapshot(), ensure_ascii=False, sort_keys=True).encode()
    Path(sys.argv[1]).write_bytes(gzip.compress(data, mtime=0))
