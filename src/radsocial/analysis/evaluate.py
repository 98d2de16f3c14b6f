"""Evaluate a classifier against a gold file: precision, recall, F1 per class, macro-F1,
a confusion matrix, and a predictions CSV with every row's prediction and reasons.

    res = evaluate("relevance", "gold.csv")
    print(res)                  # table + confusion matrix
    res.to_json()               # {"task", "n", "macro_f1", "per_class": {label: {precision, recall, f1, support}}}

Macro-F1 averages the F1 of every label that occurs in the gold *or* the predictions
(as scikit-learn's `f1_score(average="macro")` does), so a label the classifier invents
counts against it. For relevance the F1 of the "relevant" class is `positive_f1`.
Modality is multi-label: each modality is scored as its own yes/no decision over the
relevant gold rows, macro-F1 averages over modalities, and the confusion matrix is
replaced by per-modality counts.

`scheme="symplur"` reads stakeholder gold written in Symplur's segment names and maps
radsocial's predictions onto them (`stakeholder.to_symplur`) before scoring.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from radsocial.analysis.gold import GoldItem, read_gold
from radsocial.analysis.taxonomy import MODALITIES

__all__ = ["EvalResult", "Prediction", "evaluate", "predict", "score", "write_predictions"]


@dataclass(frozen=True, slots=True)
class Prediction:
    value: str | tuple[str, ...]
    score: float
    reasons: tuple[str, ...]
    method: str = "rule"


@dataclass
class EvalResult:
    task: str
    n: int
    labels: list[str]
    per_class: dict[str, dict[str, float]]
    macro_f1: float
    accuracy: float
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    scheme: str = "radsocial"
    classifier: str = ""
    version: str = ""
    multi_label: bool = False

    @property
    def positive_f1(self) -> float | None:
        """F1 of the 'relevant' class (relevance task), else None."""
        pc = self.per_class.get("relevant")
        return pc["f1"] if pc else None

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "n": self.n,
            "macro_f1": self.macro_f1,
            "per_class": {k: dict(v) for k, v in self.per_class.items()},
        }

    def as_dict(self) -> dict[str, Any]:
        out = self.to_json()
        out.update(
            scheme=self.scheme,
            classifier=self.classifier,
            version=self.version,
            accuracy=self.accuracy,
            labels=list(self.labels),
            confusion=self.confusion,
            multi_label=self.multi_label,
        )
        if self.positive_f1 is not None:
            out["positive_f1"] = self.positive_f1
        return out

    def format(self) -> str:
        lines = [
            f"task {self.task} ({self.scheme}) · classifier {self.classifier} {self.version} · n={self.n}",
            f"{'class':<26}{'precision':>10}{'recall':>9}{'f1':>8}{'support':>9}",
        ]
        for lab in self.labels:
            pc = self.per_class[lab]
            lines.append(
                f"{lab:<26}{pc['precision']:>10.3f}{pc['recall']:>9.3f}{pc['f1']:>8.3f}{int(pc['support']):>9d}"
            )
        lines.append(f"{'macro-F1':<26}{'':>10}{'':>9}{self.macro_f1:>8.3f}")
        lines.append(
            f"{'accuracy' if not self.multi_label else 'exact match':<26}{'':>10}{'':>9}{self.accuracy:>8.3f}"
        )
        if self.positive_f1 is not None:
            lines.append(f"{'F1 (relevant)':<26}{'':>10}{'':>9}{self.positive_f1:>8.3f}")
        if self.confusion and not self.multi_label:
            labs = self.labels
            short = {lab: lab[:8] for lab in labs}
            lines.append("")
            lines.append("confusion matrix (rows: gold, columns: predicted)")
            lines.append(" " * 26 + "".join(f"{short[lab]:>9}" for lab in labs))
            for g in labs:
                row = self.confusion.get(g, {})
                lines.append(f"{g:<26}" + "".join(f"{row.get(p, 0):>9d}" for p in labs))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(
    gold: Sequence[str], pred: Sequence[str], task: str = "", label_order: Sequence[str] = ()
) -> EvalResult:
    """Single-label scores from two aligned sequences."""
    if len(gold) != len(pred):
        raise ValueError("gold and predictions differ in length")
    present = set(gold) | set(pred)
    labels = [lab for lab in label_order if lab in present] + sorted(present - set(label_order))
    confusion: dict[str, dict[str, int]] = {g: {} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] = confusion[g].get(p, 0) + 1
    per_class = {}
    f1s = []
    for lab in labels:
        tp = confusion.get(lab, {}).get(lab, 0)
        fp = sum(confusion[g].get(lab, 0) for g in labels if g != lab)
        fn = sum(v for p, v in confusion.get(lab, {}).items() if p != lab)
        p, r, f = _prf(tp, fp, fn)
        f1s.append(f)
        per_class[lab] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": tp + fn,
        }
    macro = sum(f1s) / len(f1s) if f1s else 0.0
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    return EvalResult(task, len(gold), labels, per_class, round(macro, 4), round(acc, 4), confusion)


def score_multilabel(
    gold: Sequence[tuple[str, ...]],
    pred: Sequence[tuple[str, ...]],
    task: str,
    label_order: Sequence[str],
) -> EvalResult:
    present = {lab for g in gold for lab in g} | {lab for p in pred for lab in p}
    labels = [lab for lab in label_order if lab in present]
    per_class = {}
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab not in p)
        p_, r_, f_ = _prf(tp, fp, fn)
        f1s.append(f_)
        per_class[lab] = {
            "precision": round(p_, 4),
            "recall": round(r_, 4),
            "f1": round(f_, 4),
            "support": tp + fn,
        }
    macro = sum(f1s) / len(f1s) if f1s else 0.0
    exact = (
        sum(1 for g, p in zip(gold, pred, strict=True) if set(g) == set(p)) / len(gold)
        if gold
        else 0.0
    )
    return EvalResult(
        task, len(gold), labels, per_class, round(macro, 4), round(exact, 4), {}, multi_label=True
    )


def predict(
    task: str, items: Sequence[GoldItem], model: Any = None, registry: Any = None
) -> tuple[list[Prediction], str, str]:
    """Predictions for gold items with the shipped rules, or with `model` (an Artifact or a
    path to one). Returns (predictions, classifier name, version)."""
    if model is not None:
        from radsocial.analysis.train import ModelClassifier, load_artifact

        art = load_artifact(model) if isinstance(model, str | Path) else model
        if art.task != task:
            raise ValueError(f"the model was trained for {art.task!r}, not {task!r}")
        clf = ModelClassifier(art)
        preds = [Prediction(*clf.predict(it.inputs), method="model") for it in items]
        return preds, clf.name, clf.version
    if task == "relevance":
        from radsocial.analysis.relevance import RelevanceClassifier

        rc = RelevanceClassifier(registry)
        out = []
        for it in items:
            v, s, reasons, _ = rc.decide(it.inputs["text"])
            out.append(Prediction(v, s, reasons))
        return out, rc.name, rc.version
    if task == "modality":
        from radsocial.analysis.modality import ModalityClassifier

        mc = ModalityClassifier(registry)
        out = []
        for it in items:
            mods = mc.modalities(it.inputs["text"])
            out.append(
                Prediction(
                    tuple(mods),
                    min((s for s, _ in mods.values()), default=1.0),
                    tuple(r for _, rs in mods.values() for r in rs),
                )
            )
        return out, mc.name, mc.version
    if task == "stakeholder":
        from radsocial.analysis.stakeholder import StakeholderClassifier

        sc = StakeholderClassifier(registry)
        out = []
        for it in items:
            d = sc.decide(
                it.inputs["handle"],
                it.inputs["name"],
                it.inputs["bio"],
                it.inputs.get("platform", "x"),
            )
            out.append(Prediction(d.value, d.score, d.reasons))
        return out, sc.name, sc.version
    if task == "sentiment":
        from radsocial.analysis.sentiment import SentimentClassifier

        se = SentimentClassifier()
        out = []
        for it in items:
            lab = se.classify_text(it.inputs["text"])[0]
            out.append(Prediction(lab.value, lab.score, lab.reasons))
        return out, se.name, se.version
    raise ValueError(f"cannot evaluate task {task!r}")


def evaluate(
    task: str,
    gold_csv: str | Path,
    scheme: str = "radsocial",
    model: Any = None,
    predictions_csv: str | Path | None = None,
    registry: Any = None,
) -> EvalResult:
    """Score the shipped rules (or `model`) on a gold CSV; optionally write every prediction."""
    items = read_gold(task, gold_csv, scheme)
    preds, name, version = predict(task, items, model, registry)
    if task == "modality":
        res = score_multilabel(
            [it.label for it in items], [p.value for p in preds], task, MODALITIES
        )  # type: ignore[misc]
    else:
        gold = [str(it.label) for it in items]
        pred_values = [str(p.value) for p in preds]
        if scheme == "symplur":
            from radsocial.analysis.stakeholder import to_symplur

            pred_values = [
                to_symplur(v, it.inputs["bio"], it.inputs["name"])
                for v, it in zip(pred_values, items, strict=True)
            ]
        res = score(gold, pred_values, task, _label_order(task, scheme))
        if scheme == "symplur":
            preds = [
                Prediction(v, p.score, p.reasons, p.method)
                for v, p in zip(pred_values, preds, strict=True)
            ]
    res.scheme = scheme
    res.classifier = name
    res.version = version
    if predictions_csv is not None:
        write_predictions(predictions_csv, task, items, preds)
    return res


def _label_order(task: str, scheme: str) -> Sequence[str]:
    from radsocial.analysis import taxonomy as tx

    if task == "relevance":
        return tx.RELEVANCE
    if task == "sentiment":
        return tx.SENTIMENTS
    if task == "stakeholder":
        return tx.SYMPLUR_SEGMENTS if scheme == "symplur" else tx.STAKEHOLDERS
    return ()


def _fmt(v: str | tuple[str, ...]) -> str:
    return ";".join(v) if isinstance(v, tuple) else v


def write_predictions(
    path: str | Path, task: str, items: Sequence[GoldItem], preds: Sequence[Prediction]
) -> int:
    """CSV with every gold row: inputs, gold, prediction, score, method, reasons, correct."""
    inputs = (
        ["text"] if task in ("relevance", "modality", "sentiment") else ["handle", "name", "bio"]
    )
    cols = ["line", "id", *inputs, "gold", "prediction", "correct", "score", "method", "reasons"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for it, p in zip(items, preds, strict=True):
            gold = _fmt(it.label)
            pred = _fmt(p.value)
            correct = (
                (set(it.label) == set(p.value)) if isinstance(it.label, tuple) else gold == pred
            )
            w.writerow(
                [
                    it.line,
                    it.item_id,
                    *(it.inputs.get(c, "") for c in inputs),
                    gold,
                    pred,
                    int(correct),
                    f"{p.score:.3f}",
                    p.method,
                    " | ".join(p.reasons),
                ]
            )
    return len(items)


def label_counts(items: Sequence[GoldItem]) -> Counter[str]:
    return Counter(_fmt(it.label) for it in items)
