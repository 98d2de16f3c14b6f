from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from radsocial.analysis.coding import (
    CODING_COLUMNS,
    coded_labels,
    read_coded_csv,
    stratified_sample,
    write_coding_csv,
)
from radsocial.analysis.gold import GoldFormatError
from radsocial.analysis.train import (
    ArtifactError,
    ModelClassifier,
    cross_validate,
    load_artifact,
    train,
)
from radsocial.models import Account, Post


def test_train_save_load_predict(tmp_path, gold_dir):
    out = tmp_path / "rel.json"
    art = train("relevance", gold_dir / "relevance.csv", out=out)
    assert art.n_train >= 300 and set(art.labels) == {"relevant", "not_relevant"}
    d = json.loads(out.read_text(encoding="utf-8"))
    assert (
        d["radsocial_version"]
        and d["model_version"]
        and len(d["training_sha256"]) == 64
        and d["created"]
    )
    clf = ModelClassifier(load_artifact(out, task="relevance"))
    (lab,) = clf.classify_text("Mammograms find more breast cancers, new study says")
    assert lab.value == "relevant" and lab.method == "model" and lab.reasons


def test_artifact_from_other_version_is_refused(tmp_path, gold_dir):
    out = tmp_path / "s.json"
    train("sentiment", gold_dir / "sentiment.csv", out=out)
    d = json.loads(out.read_text(encoding="utf-8"))
    d["radsocial_version"] = "0.0.1"
    out.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(ArtifactError, match="retrain"):
        load_artifact(out)
    with pytest.raises(ArtifactError, match="not a radsocial model"):
        (tmp_path / "x.json").write_text("{}", encoding="utf-8")
        load_artifact(tmp_path / "x.json")


def test_wrong_task_and_single_label(tmp_path, gold_dir):
    out = tmp_path / "st.json"
    train("stakeholder", gold_dir / "stakeholder.csv", out=out)
    with pytest.raises(ArtifactError, match="not 'sentiment'"):
        load_artifact(out, task="sentiment")
    one = tmp_path / "one.csv"
    one.write_text("text,sentiment\na,neutral\nb,neutral\n", encoding="utf-8")
    with pytest.raises(ValueError, match="single label"):
        train("sentiment", one)


def test_cross_validation_runs(gold_dir):
    res = cross_validate("relevance", gold_dir / "relevance.csv", k=3)
    assert 0.5 < res.macro_f1 <= 1.0


def _posts():
    t = datetime(2020, 1, 1, tzinfo=UTC)
    texts = [f"Chest CT number {i}" for i in range(30)] + [
        f"Recipe of the day {i}" for i in range(300)
    ]
    return [
        Post("x", str(i), t, s, author=Account("x", f"a{i}", handle=f"h{i}", bio="Radiologist"))
        for i, s in enumerate(texts)
    ]


def test_stratified_sample_is_balanced_and_reproducible():
    s1 = stratified_sample(_posts(), 20, seed=3)
    s2 = stratified_sample(_posts(), 20, seed=3)
    assert [p.platform_id for p in s1] == [p.platform_id for p in s2]
    assert len(s1) == 20
    assert sum("CT" in p.text for p in s1) == 10  # equal share despite 30 vs 300
    small = stratified_sample(_posts(), 100, seed=1)
    assert len(small) == 100 and sum("CT" in p.text for p in small) == 30  # stratum exhausted


def test_coding_sheet_round_trip(tmp_path):
    sheet = tmp_path / "sheet.csv"
    n = write_coding_csv(stratified_sample(_posts(), 6, seed=0), sheet)
    assert n == 6
    text = sheet.read_text(encoding="utf-8")
    assert text.splitlines()[0].split(",") == list(CODING_COLUMNS)
    # a coder fills in some cells
    import csv

    rows = list(csv.DictReader(io.StringIO(text)))
    for r in rows:
        r["relevant"] = "1" if "CT" in r["text"] else "0"
        r["modality"] = "ct" if "CT" in r["text"] else ""
        r["coder"] = "ann"
    coded = tmp_path / "coded.csv"
    with coded.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CODING_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    back = read_coded_csv(coded)
    assert len(back) == 6 and all("relevant" in r.values for r in back)
    labels = coded_labels(back)
    assert labels and all(lb.method == "manual" and lb.score == 1.0 for lb in labels)
    assert {lb.task for lb in labels} == {"relevance", "modality"}


def test_coded_file_errors(tmp_path):
    bad = tmp_path / "b.csv"
    bad.write_text(
        "item_id,relevant,stakeholder\nx:1,1,radiologist\nx:2,maybe,\n", encoding="utf-8"
    )
    with pytest.raises(GoldFormatError, match=r"line 3: column 'relevant' has 'maybe'"):
        read_coded_csv(bad)
    nocol = tmp_path / "n.csv"
    nocol.write_text("text,relevant\nhi,1\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="item_id"):
        read_coded_csv(nocol)
    dup = tmp_path / "d.csv"
    dup.write_text("item_id,sentiment\nx:1,positive\nx:1,negative\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="already coded on line 2"):
        read_coded_csv(dup)
