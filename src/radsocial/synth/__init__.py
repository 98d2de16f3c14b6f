"""Synthetic radiology corpora in the platforms' real payload formats.

`generate(out_dir, posts=..., start_year=..., end_year=..., formats=..., seed=...,
compress=...)` writes X API v2 pages, Bluesky AppView responses and Mastodon timelines —
every record marked synthetic — calibrated on published radiology social-media studies,
and returns the truth manifest (also written to `out_dir/truth.json`): what the
generator was told and the counts an analysis of the corpus should find. The corpus
feeds the benchmarks, the demo and the tests that check analyses recover the truth.

Modules: `config` (parameters and calibration), `schedule` (years, days, the meeting,
the chat), `population` (accounts), `texts` (post texts), `writers` (one per payload
format), `corpus` (the orchestrator). See docs/generate.md.
"""

from __future__ import annotations

from radsocial.synth.config import MARKER, ConfigError, SynthConfig, parse_formats
from radsocial.synth.corpus import generate

__all__ = ["MARKER", "ConfigError", "SynthConfig", "generate", "parse_formats"]
