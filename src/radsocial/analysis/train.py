"""Train a model from a gold file, save it as a versioned artifact, load it back.

    art = train("relevance", "gold.csv", out="relevance.model.json")
    clf = ModelClassifier(load_artifact("relevance.model.json"))
    clf.classify_text("Chest CT shows a nodule")   # Label(method="model")

The model is a multinomial naive Bayes over word unigrams and bigrams (plus hashtags and,
for stakeholder, name/handle words), implemented here without dependencies:

* it trains in milliseconds on the few hundred to few thousand rows coders produce,
  and predicts at tens of thousands of texts per second in pure Python;
* it is robust with little data (naive Bayes is the standard strong baseline for small
  text sets; a TF-IDF + logistic regression would need scikit-learn, 274 MB installed,
  for a gain that only shows with thousands of examples);
* its reasons are readable: the words with the largest log-likelihood ratio for the
  chosen class over the runner-up.

The artifact is JSON: radsocial version, task, model version (`MODEL_VERSION`, bumped
whenever features or the model change), SHA-256 of the training file, creation time,
label set and counts. Loading an artifact made by another radsocial or model version
is refused with a message that says to retrain — features may have changed.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from radsocial import __version__
from radsocial.analysis.base import Label
from radsocial.analysis.gold import GoldItem, file_sha256, read_gold

__all__ = [
    "MODEL_VERSION",
    "Artifact",
    "ArtifactError",
    "ModelClassifier",
    "cross_validate",
    "load_artifact",
    "train",
]

MODEL_VERSION = "nb-1.0"
FORMAT = "radsocial-model"
TRAINABLE = ("relevance", "stakeholder", "sentiment")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|_")


class ArtifactError(ValueError):
    """An artifact that cannot be used (other version, other task, damaged file)."""


def features(task: str, inputs: dict[str, str]) -> list[str]:
    """The feature tokens of one example (shared by training and prediction)."""
    from radsocial.analysis.text import Doc

    if task == "stakeholder":
        text = " ".join(
            [
                inputs.get("bio", ""),
                inputs.get("name", ""),
                _CAMEL_RE.sub(" ", inputs.get("handle", "")),
            ]
        )
    else:
        text = inputs.get("text", "")
    doc = Doc(text)
    toks = doc.tokens
    feats = list(toks)
    feats += [f"{a} {b}" for a, b in itertools.pairwise(toks)]
    feats += [f"#{h}" for h in doc.hashtags]
    if task != "stakeholder":
        feats += [f"@{m}" for m in doc.mentions]
        if doc.urls:
            feats.append("<url>")
    return feats


@dataclass
class Artifact:
    task: str
    labels: list[str]
    class_docs: dict[str, int]
    class_tokens: dict[str, int]
    counts: dict[str, dict[str, int]]  # feature -> {label: count}
    alpha: float
    radsocial_version: str
    model_version: str
    training_sha256: str
    training_file: str
    created: str
    n_train: int

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "radsocial_version": self.radsocial_version,
            "model_version": self.model_version,
            "task": self.task,
            "training_sha256": self.training_sha256,
            "training_file": self.training_file,
            "created": self.created,
            "n_train": self.n_train,
            "alpha": self.alpha,
            "labels": self.labels,
            "class_docs": self.class_docs,
            "class_tokens": self.class_tokens,
            "counts": self.counts,
        }

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(
            json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        return path


def _fit(
    task: str, items: Sequence[GoldItem], alpha: float = 0.5
) -> tuple[list[str], dict[str, int], dict[str, int], dict[str, dict[str, int]]]:
    class_docs: Counter[str] = Counter()
    class_tokens: Counter[str] = Counter()
    counts: dict[str, dict[str, int]] = {}
    for it in items:
        lab = str(it.label)
        class_docs[lab] += 1
        for f in features(task, it.inputs):
            d = counts.setdefault(f, {})
            d[lab] = d.get(lab, 0) + 1
            class_tokens[lab] += 1
    labels = sorted(class_docs)
    return labels, dict(class_docs), dict(class_tokens), counts


def train(
    task: str, gold_csv: str | Path, out: str | Path | None = None, alpha: float = 0.5
) -> Artifact:
    """Fit the model on a gold file (see gold.py for the formats) and optionally save it."""
    if task not in TRAINABLE:
        raise ValueError(f"cannot train {task!r}; trainable tasks: {', '.join(TRAINABLE)}")
    items = read_gold(task, gold_csv)
    labels, class_docs, class_tokens, counts = _fit(task, items, alpha)
    if len(labels) < 2:
        raise ValueError(
            f"{gold_csv}: the gold file has a single label ({labels[0]}); need at least two to train"
        )
    art = Artifact(
        task=task,
        labels=labels,
        class_docs=class_docs,
        class_tokens=class_tokens,
        counts=counts,
        alpha=alpha,
        radsocial_version=__version__,
        model_version=MODEL_VERSION,
        training_sha256=file_sha256(gold_csv),
        training_file=Path(gold_csv).name,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        n_train=len(items),
    )
    if out is not None:
        art.save(out)
    return art


def load_artifact(path: str | Path, task: str | None = None) -> Artifact:
    """Load an artifact; refuse one made by another radsocial or model version."""
    path = Path(path)
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path}: not a radsocial model artifact ({exc})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ArtifactError(
            f"{path}: not a radsocial model artifact (format {d.get('format') if isinstance(d, dict) else None!r})"
        )
    rv, mv = d.get("radsocial_version"), d.get("model_version")
    if rv != __version__ or mv != MODEL_VERSION:
        raise ArtifactError(
            f"{path}: this model was trained with radsocial {rv} (model {mv}); this is radsocial "
            f"{__version__} (model {MODEL_VERSION}). Features may differ, so it is not loaded — "
            f"retrain it: radsocial train {d.get('task', 'TASK')} GOLD.csv -o {path.name}"
        )
    if task is not None and d.get("task") != task:
        raise ArtifactError(f"{path}: the model is for task {d.get('task')!r}, not {task!r}")
    try:
        return Artifact(
            task=d["task"],
            labels=list(d["labels"]),
            class_docs=dict(d["class_docs"]),
            class_tokens=dict(d["class_tokens"]),
            counts=d["counts"],
            alpha=float(d["alpha"]),
            radsocial_version=rv,
            model_version=mv,
            training_sha256=d["training_sha256"],
            training_file=d.get("training_file", ""),
            created=d["created"],
            n_train=int(d["n_train"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{path}: damaged artifact (missing or bad field {exc})") from None


class ModelClassifier:
    """Predicts with an artifact; labels carry method "model" and the model version."""

    def __init__(self, artifact: Artifact):
        a = artifact
        self.artifact = a
        self.task = a.task
        self.name = f"{a.task}-nb"
        self.version = f"{a.model_version}+{a.training_sha256[:8]}"
        self.description = (
            f"naive Bayes trained on {a.training_file} ({a.n_train} rows, {a.created})"
        )
        v = len(a.counts) + 1
        total_docs = sum(a.class_docs.values())
        self._prior = {lab: math.log(a.class_docs[lab] / total_docs) for lab in a.labels}
        self._denom = {lab: math.log(a.class_tokens.get(lab, 0) + a.alpha * v) for lab in a.labels}
        self._loglik: dict[str, dict[str, float]] = {}
        for f, per in a.counts.items():
            self._loglik[f] = {
                lab: math.log(per.get(lab, 0) + a.alpha) - self._denom[lab] for lab in a.labels
            }
        self._unseen = {lab: math.log(a.alpha) - self._denom[lab] for lab in a.labels}

    def predict(self, inputs: dict[str, str]) -> tuple[str, float, tuple[str, ...]]:
        feats = [f for f in features(self.task, inputs) if f in self._loglik]
        labels = self.artifact.labels
        scores = dict(self._prior)
        for f in feats:
            ll = self._loglik[f]
            for lab in labels:
                scores[lab] += ll[lab]
        ranked = sorted(labels, key=lambda lab: -scores[lab])
        best = ranked[0]
        m = max(scores.values())
        z = sum(math.exp(s - m) for s in scores.values())
        prob = 1.0 / z
        reasons: tuple[str, ...] = ("no known word (prior only)",)
        if feats and len(ranked) > 1:
            second = ranked[1]
            contrib = sorted(
                set(feats), key=lambda f: -(self._loglik[f][best] - self._loglik[f][second])
            )
            reasons = (
                tuple(
                    f"'{f}'" for f in contrib[:3] if self._loglik[f][best] > self._loglik[f][second]
                )
                or reasons
            )
        return best, round(prob, 4), reasons

    def classify_text(self, text: str, **context: Any) -> list[Label]:
        inputs = (
            {"text": text}
            if self.task != "stakeholder"
            else {"bio": text, "name": context.get("name", ""), "handle": context.get("handle", "")}
        )
        v, s, r = self.predict(inputs)
        return [Label(self.task, v, s, r, "model", self.version, self.name, None)]


def cross_validate(
    task: str, gold_csv: str | Path, k: int = 5, seed: int = 0, alpha: float = 0.5
) -> Any:
    """k-fold cross-validated scores of the model on a gold file (pooled predictions)."""
    from radsocial.analysis.evaluate import _label_order, score

    items = read_gold(task, gold_csv)
    idx = list(range(len(items)))
    random.Random(seed).shuffle(idx)
    folds = [idx[i::k] for i in range(k)]
    gold: list[str] = []
    pred: list[str] = []
    for fold in folds:
        test = set(fold)
        train_items = [items[i] for i in idx if i not in test]
        labels, cd, ct, counts = _fit(task, train_items, alpha)
        art = Artifact(
            task,
            labels,
            cd,
            ct,
            counts,
            alpha,
            __version__,
            MODEL_VERSION,
            "",
            "",
            "",
            len(train_items),
        )
        clf = ModelClassifier(art)
        for i in fold:
            gold.append(str(items[i].label))
            pred.append(clf.predict(items[i].inputs)[0])
    res = score(gold, pred, task, _label_order(task, "radsocial"))
    res.classifier = f"{task}-nb (cv{k})"
    res.version = MODEL_VERSION
    return res
