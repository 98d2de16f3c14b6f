"""Symplur's spike test as a pure function: is the last window busier than usual?

domain.md §1: a spike is when the mean of the last 24 hours exceeds the mean of the
preceding 7 days plus k standard deviations. Kept free of I/O so that the alert rules,
the daily digest and the analytics all decide "spike" with the same arithmetic, and so
that the arithmetic can be tested on hand-made series.

Choices a paper has to state, made here once:

- The baseline is the hours *before* the window (they do not overlap), so a spike does
  not raise its own bar.
- The standard deviation is the sample SD (n − 1) of the baseline's hourly counts: the
  baseline is a sample of "usual" hours, not the whole population of them.
- The comparison is strict (`>`): a window exactly at the threshold is not a spike, and
  a flat, silent baseline (mean 0, SD 0) makes any window with posts a spike, which is
  why callers can ask for a minimum number of posts in the window.
- The test compares the *mean* of the window with the *hourly* SD, as the definition
  says; this is stricter than a test on the standard error of the mean would be.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

#: Symplur's windows: the last 24 hours against the 7 days (168 hours) before them.
WINDOW_HOURS = 24
BASELINE_HOURS = 7 * 24


@dataclass(frozen=True, slots=True)
class SpikeResult:
    """The outcome of one spike test, with every number that decided it."""

    is_spike: bool
    k: float
    window_hours: int
    baseline_hours: int
    window_posts: int
    baseline_posts: int
    window_mean: float  # posts per hour in the window
    baseline_mean: float  # posts per hour in the baseline
    baseline_sd: float  # sample SD of the baseline's hourly counts
    threshold: float  # baseline_mean + k * baseline_sd
    peak_hour: int  # index, within the window, of its busiest hour (first one on ties)
    peak_posts: int
    min_posts: int
    reason: str  # one sentence: why it is (or is not) a spike

    @property
    def ratio(self) -> float | None:
        """How many times busier than the baseline the window was (None if silent)."""
        return self.window_mean / self.baseline_mean if self.baseline_mean else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for alert details and reports."""
        out = asdict(self)
        out["ratio"] = self.ratio
        return out


def spike_test(
    hourly_counts: Sequence[int],
    k: float = 2.0,
    *,
    window: int = WINDOW_HOURS,
    min_posts: int = 0,
) -> SpikeResult:
    """Test whether the last `window` hours of `hourly_counts` (oldest first) spike.

    The hours before the window are the baseline: pass 24 + 168 = 192 counts for
    Symplur's definition. `min_posts` is an optional floor on the window's total, for
    hashtags so quiet that a handful of posts would count as a spike.

    Raises ValueError for a series that cannot be tested (fewer than two baseline hours,
    negative counts, a negative or non-finite k).
    """
    if not isinstance(k, int | float) or isinstance(k, bool) or not math.isfinite(k) or k < 0:
        raise ValueError(f"k must be a finite number ≥ 0, not {k!r}")
    if window < 1:
        raise ValueError(f"window must be at least 1 hour, not {window}")
    if min_posts < 0:
        raise ValueError(f"min_posts must be ≥ 0, not {min_posts}")
    counts = [int(c) for c in hourly_counts]
    if any(c < 0 for c in counts):
        raise ValueError("hourly counts cannot be negative")
    base, win = counts[:-window], counts[-window:]
    if len(win) < window or len(base) < 2:
        raise ValueError(
            f"need the {window}-hour window plus at least 2 baseline hours, "
            f"got {len(counts)} hourly counts"
        )
    base_mean = math.fsum(base) / len(base)
    sd = math.sqrt(math.fsum((c - base_mean) ** 2 for c in base) / (len(base) - 1))
    win_total = sum(win)
    win_mean = win_total / len(win)
    threshold = base_mean + k * sd
    peak = max(range(len(win)), key=lambda i: (win[i], -i))
    above = win_mean > threshold
    enough = win_total >= min_posts
    figures = (
        f"{win_mean:.2f} posts/h over the last {window} h vs {base_mean:.2f} ± {sd:.2f} "
        f"posts/h over the {len(base)} h before (threshold {threshold:.2f}, k={k:g})"
    )
    if above and enough:
        reason = f"spike: {figures}"
    elif above:
        reason = (
            f"not a spike: only {win_total} posts in the window (minimum {min_posts}); {figures}"
        )
    else:
        reason = f"not a spike: {figures}"
    return SpikeResult(
        is_spike=above and enough,
        k=float(k),
        window_hours=window,
        baseline_hours=len(base),
        window_posts=win_total,
        baseline_posts=sum(base),
        window_mean=win_mean,
        baseline_mean=base_mean,
        baseline_sd=sd,
        threshold=threshold,
        peak_hour=peak,
        peak_posts=win[peak],
        min_posts=min_posts,
        reason=reason,
    )
