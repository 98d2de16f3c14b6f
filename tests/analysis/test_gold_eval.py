from __future__ import annotations

import csv
import json

import pytest

from radsocial.analysis.evaluate import evaluate, score
from radsocial.analysis.gold import GoldFormatError, read_gold


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_reads_the_shipped_dev_sets(gold_dir):
    assert len(read_gold("relevance", gold_dir / "relevance.csv")) >= 300
    assert len(read_gold("stakeholder", gold_dir / "stakeholder.csv")) >= 200
    assert len(read_gold("sentiment", gold_dir / "sentiment.csv")) >= 150


def test_missing_column(tmp_path):
    p = _write(tmp_path, "g.csv", "text,label\nhello,1\n")
    with pytest.raises(GoldFormatError) as exc:
        read_gold("relevance", p)
    msg = str(exc.value)
    assert (
        str(p) in msg
        and "line 1" in msg
        and "'relevant'" in msg
        and "expected columns: text, relevant" in msg
    )


def test_unknown_label_reports_line_after_multiline_field(tmp_path):
    p = _write(tmp_path, "g.csv", 'text,relevant\n"two\nlines",1\nthird,yes\n')
    with pytest.raises(GoldFormatError) as exc:
        read_gold("relevance", p)
    assert exc.value.line == 4
    assert "'yes'" in str(exc.value) and "expected one of: 1, 0" in str(exc.value)


def test_empty_text(tmp_path):
    p = _write(tmp_path, "g.csv", "text,sentiment\nfine,positive\n  ,neutral\n")
    with pytest.raises(GoldFormatError) as exc:
        read_gold("sentiment", p)
    assert exc.value.line == 3 and "'text' is empty" in str(exc.value)


def test_unknown_stakeholder_and_symplur_scheme(tmp_path):
    p = _write(tmp_path, "g.csv", "handle,name,bio,stakeholder\na,,nurse,nurse\n")
    with pytest.raises(GoldFormatError, match="'nurse'; expected one of: radiologist"):
        read_gold("stakeholder", p)
    q = _write(tmp_path, "s.csv", "handle,name,bio,stakeholder\na,,nurse,HCP\n")
    assert read_gold("stakeholder", q, scheme="symplur")[0].label == "HCP"
    with pytest.raises(GoldFormatError, match="expected one of: Doctor"):
        read_gold("stakeholder", p, scheme="symplur")


def test_other_encoding_is_rejected_with_line(tmp_path):
    p = _write(
        tmp_path, "g.csv", "text,relevant\nok,1\nthe radiologist’s café,0\n", encoding="cp1252"
    )
    with pytest.raises(GoldFormatError) as exc:
        read_gold("relevance", p)
    assert (
        exc.value.line == 3 and "not UTF-8" in str(exc.value) and "expected UTF-8" in str(exc.value)
    )


def test_bad_modality_value(tmp_path):
    p = _write(tmp_path, "g.csv", "text,relevant,modality\nChest CT,1,ct;xray\n")
    with pytest.raises(GoldFormatError, match="'xray'; expected values from: radiography"):
        read_gold("modality", p)


def test_score_hand_computed():
    gold = ["relevant", "relevant", "relevant", "not_relevant", "not_relevant"]
    pred = ["relevant", "relevant", "not_relevant", "relevant", "not_relevant"]
    res = score(gold, pred, "relevance", ("relevant", "not_relevant"))
    # relevant: tp=2 fp=1 fn=1 -> P=R=F1=2/3; not_relevant: tp=1 fp=1 fn=1 -> 1/2
    assert res.per_class["relevant"] == {
        "precision": 0.6667,
        "recall": 0.6667,
        "f1": 0.6667,
        "support": 3,
    }
    assert res.per_class["not_relevant"]["f1"] == 0.5
    assert res.macro_f1 == round((2 / 3 + 0.5) / 2, 4)
    assert res.accuracy == 0.6
    assert res.confusion["relevant"] == {"relevant": 2, "not_relevant": 1}


def test_invented_label_counts_against_macro_f1():
    res = score(["a", "a"], ["a", "b"])
    assert set(res.per_class) == {"a", "b"} and res.per_class["b"]["f1"] == 0.0


def test_evaluate_json_and_predictions(tmp_path):
    g = _write(
        tmp_path,
        "g.csv",
        "id,text,relevant\nx1,MRI Monday,1\nx2,Court blocks CT doctors from plans,0\nx3,Pet cats infect two people,0\n",
    )
    out = tmp_path / "pred.csv"
    res = evaluate("relevance", g, predictions_csv=out)
    j = res.to_json()
    assert set(j) == {"task", "n", "macro_f1", "per_class"}
    assert j["task"] == "relevance" and j["n"] == 3 and j["macro_f1"] == 1.0
    assert set(j["per_class"]["relevant"]) == {"precision", "recall", "f1", "support"}
    json.dumps(res.as_dict())
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["prediction"] for r in rows] == ["relevant", "not_relevant", "not_relevant"]
    assert all(r["reasons"] and r["score"] for r in rows)
    assert "confusion matrix" in res.format()
