"""Run the classifiers over posts and accounts: the functions the store-backed
`radsocial classify` calls.

    from radsocial.analysis.pipeline import Pipeline
    pipe = Pipeline()                       # all post tasks, shipped registry
    for post, labels in pipe.classify_posts(posts):   # any iterable of Post
        store.save_labels(labels)           # Label.key = (platform, platform_id)
    for account, labels in pipe.classify_accounts(accounts):
        ...                                 # stakeholder, key = (platform, account_id)

Each post's text is prepared once (`Doc`) and shared by all classifiers. Modality,
clinical area and content are computed for every post but modality/area only produce
labels for relevant posts (see modality.py). `versions()` lists classifier name ->
version so the store can re-run only what is outdated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from radsocial.analysis.base import Label
from radsocial.analysis.content import ContentClassifier
from radsocial.analysis.modality import ClinicalAreaClassifier, ModalityClassifier
from radsocial.analysis.questions import QuestionClassifier
from radsocial.analysis.relevance import RelevanceClassifier
from radsocial.analysis.sentiment import SentimentClassifier
from radsocial.analysis.stakeholder import StakeholderClassifier
from radsocial.analysis.text import Doc, prepare
from radsocial.knowledge.registry import Registry, default_registry
from radsocial.models import Account, Post

__all__ = ["POST_TASKS", "Pipeline", "classify_post", "classify_posts"]

#: post-level tasks in the order they run
POST_TASKS = ("relevance", "modality", "clinical_area", "content", "sentiment", "question")


class Pipeline:
    def __init__(
        self,
        tasks: Sequence[str] = POST_TASKS,
        registry: Registry | None = None,
        reuse_cache: int = 50_000,
    ):
        unknown = set(tasks) - set(POST_TASKS)
        if unknown:
            raise ValueError(f"unknown task(s) {sorted(unknown)}; known: {', '.join(POST_TASKS)}")
        self.registry = registry if registry is not None else default_registry()
        self.tasks = tuple(t for t in POST_TASKS if t in tasks)
        self.reuse_cache = reuse_cache
        self.relevance = RelevanceClassifier(self.registry)
        self.modality = ModalityClassifier(self.registry)
        self.area = ClinicalAreaClassifier(self.registry)
        self.content = ContentClassifier(self.registry)
        self.sentiment = SentimentClassifier() if "sentiment" in self.tasks else None
        self.question = QuestionClassifier()
        self.stakeholder = StakeholderClassifier(self.registry)

    def versions(self) -> dict[str, str]:
        out = {
            c.name: c.version
            for c in (
                self.relevance,
                self.modality,
                self.area,
                self.content,
                self.question,
                self.stakeholder,
            )
        }
        if self.sentiment is not None:
            out[self.sentiment.name] = self.sentiment.version
        return out

    def classify_post(self, post: Post | Doc | str, author_kind: str | None = None) -> list[Label]:
        """All labels of one post (a bare text gives labels with key None)."""
        doc = prepare(post)
        key = (doc.post.platform, doc.post.platform_id) if doc.post is not None else None
        out: list[Label] = []
        tasks = self.tasks
        if "relevance" in tasks:
            out += self.relevance._label(doc, key)
        if "modality" in tasks:
            out += self.modality._labels(doc, key)
        if "clinical_area" in tasks:
            out += self.area._labels(doc, key)
        if "content" in tasks:
            out += self.content._labels(doc, key, author_kind)
        if self.sentiment is not None:
            out.append(self.sentiment._label(doc.raw, key))
        if "question" in tasks:
            out += self.question._labels(doc, key, author_kind)
        return out

    def classify_posts(
        self, posts: Iterable[Post], author_kinds: dict[Any, str] | None = None
    ) -> Iterator[tuple[Post, list[Label]]]:
        """Yield (post, labels). `author_kinds` maps author_id -> stakeholder value if known.

        Post labels depend only on the text, hashtags and author kind, so a post whose
        (text, hashtags, author kind) was seen in the last `reuse_cache` posts — a native
        repost carries its original's text — gets copies of those labels with its own
        key instead of being classified again (reposts are ~65 % of some hashtags).
        """
        cache: dict[tuple[Any, ...], list[Label]] = {}
        limit = self.reuse_cache
        for post in posts:
            kind = author_kinds.get(post.author_id) if author_kinds and post.author_id else None
            ck = (post.text, post.hashtags, post.mentions, kind)
            hit = cache.get(ck) if limit else None
            if hit is not None:
                key = (post.platform, post.platform_id)
                yield post, [replace(lb, key=key) for lb in hit]
                continue
            labels = self.classify_post(post, kind)
            if limit:
                if len(cache) >= limit:
                    cache.clear()
                cache[ck] = labels
            yield post, labels

    def classify_accounts(
        self, accounts: Iterable[Account]
    ) -> Iterator[tuple[Account, list[Label]]]:
        for acc in accounts:
            yield acc, self.stakeholder.classify_account(acc)


def classify_post(post: Post | str, tasks: Sequence[str] = POST_TASKS) -> list[Label]:
    """Convenience: labels of one post with the shipped registry."""
    return Pipeline(tasks).classify_post(post)


def classify_posts(
    posts: Iterable[Post], tasks: Sequence[str] = POST_TASKS
) -> Iterator[tuple[Post, list[Label]]]:
    return Pipeline(tasks).classify_posts(posts)
