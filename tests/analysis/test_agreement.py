from __future__ import annotations

import pytest

from radsocial.analysis.agreement import agreement, cohen_kappa


def test_kappa_hand_computed_binary():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15
    a = ["y"] * 20 + ["y"] * 5 + ["n"] * 10 + ["n"] * 15
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    # p_o = 35/50 = 0.7 ; p_e = 0.5*0.6 + 0.5*0.4 = 0.5 ; kappa = 0.2/0.5 = 0.4
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_kappa_hand_computed_three_labels():
    a = ["neg", "neg", "neu", "neu", "pos", "pos", "pos", "neu", "neg", "pos"]
    b = ["neg", "neu", "neu", "neu", "pos", "pos", "neu", "neu", "neg", "pos"]
    # agree on 8/10 -> p_o = 0.8
    # A: neg 3, neu 3, pos 4 ; B: neg 2, neu 5, pos 3
    # p_e = .3*.2 + .3*.5 + .4*.3 = .06 + .15 + .12 = .33 ; kappa = .47/.67
    assert cohen_kappa(a, b) == pytest.approx(0.47 / 0.67)


def test_kappa_edge_cases():
    assert cohen_kappa(["x", "x"], ["x", "x"]) == 1.0
    assert cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


def test_agreement_between_coded_files(tmp_path):
    head = "item_id,relevant,sentiment,modality,coder\n"
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(
        head
        + "x:1,1,positive,ct,ann\nx:2,0,neutral,,ann\nx:3,1,negative,mri;ct,ann\nx:4,0,neutral,,ann\n",
        encoding="utf-8",
    )
    b.write_text(
        head
        + "x:1,1,positive,ct,bob\nx:2,1,neutral,,bob\nx:3,1,negative,ct,bob\nx:5,0,neutral,,bob\n",
        encoding="utf-8",
    )
    res = agreement(a, b, per_label=True)
    assert res["relevant"].n == 3  # x:4 and x:5 are not in both files
    # relevant: A=[1,0,1] B=[1,1,1] -> p_o=2/3, p_e = 2/3*1 + 1/3*0 = 2/3 -> kappa 0
    assert res["relevant"].kappa == pytest.approx(0.0)
    assert res["sentiment"].kappa == pytest.approx(1.0)
    assert res["modality"].n == 2 and res["modality"].observed == 0.5
    assert "modality:ct" in res
