"""What every classifier returns, and the protocol it follows.

A classifier has a `name`, a `version` and a `description`, and turns a post (or an
account, for the stakeholder classifier) into zero or more `Label`s. Single-label tasks
(relevance, stakeholder, sentiment, question) return exactly one label; multi-label
tasks (modality, clinical area, content) return one label per value found, possibly
none.

Versioning rule (docs/classifiers.md): a classifier's version is "MAJOR.MINOR".
Bump MINOR for any change that can alter an output for some input (a new keyword, a
changed threshold, a new lexicon entry); bump MAJOR when the set of values changes
(a label added, renamed or removed), which makes old and new labels incomparable. A
change that cannot alter any output (speed, refactoring, messages) keeps the version.
The store re-runs a classifier over posts whose stored label has another version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from radsocial.models import Post

__all__ = ["Classifier", "Label", "label_key"]


@dataclass(slots=True)
class Label:
    """One decision about one post (or account).

    `key` is the post's (platform, platform_id) or the account's (platform, account_id);
    None when a bare text was classified. `reasons` are the words or rules that decided,
    in the order they were found. `method` is "rule", "model" or "manual" (a manual
    label always wins in the store). `extra` holds task-specific detail, e.g. the VADER
    compound score or a tweetchat question number.
    """

    task: str
    value: str
    score: float
    reasons: tuple[str, ...]
    method: str
    version: str
    classifier: str
    key: tuple[str, str] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "value": self.value,
            "score": self.score,
            "reasons": list(self.reasons),
            "method": self.method,
            "version": self.version,
            "classifier": self.classifier,
            "key": list(self.key) if self.key else None,
            "extra": dict(self.extra),
        }


@runtime_checkable
class Classifier(Protocol):
    name: str
    version: str
    description: str
    task: str
    values: tuple[str, ...]
    multi_label: bool

    def classify(self, post: Post) -> list[Label]: ...

    def classify_text(self, text: str, **context: Any) -> list[Label]: ...


def label_key(post: Post | None) -> tuple[str, str] | None:
    return (post.platform, post.platform_id) if post is not None else None


def values_of(labels: Iterable[Label]) -> tuple[str, ...]:
    return tuple(lb.value for lb in labels)
