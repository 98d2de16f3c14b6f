"""Classifiers (relevance, modality, clinical area, content, stakeholder, sentiment,
questions), gold sets, evaluation, agreement and training.

Submodules are imported on demand; `radsocial.analysis.pipeline.classify_post` runs
every post-level classifier on one post.
"""
