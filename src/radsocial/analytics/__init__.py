"""Analytics: the numbers papers, meeting reports and digests are made of.

Every analysis is a function `(store, selection, **params) -> Report` over a
`radsocial.store.Selection`; the definitions are those of docs/definitions.md
(Symplur's, as the field uses them). `run(kind, ...)` is the one dispatcher the CLI,
the web app and the HTML reports call; submodules are imported on demand so that
`import radsocial` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from radsocial.analytics.result import Report, Table, empty_note

__all__ = ["REPORTS", "Report", "Table", "empty_note", "run"]

#: report kind -> "module:function"; each function takes (store, sel, **params).
REPORTS: dict[str, str] = {
    "summary": "radsocial.analytics.summary:summary",
    "timeseries": "radsocial.analytics.timeseries:timeseries",
    "spikes": "radsocial.analytics.timeseries:spikes",
    "top": "radsocial.analytics.top:top",
    "influence": "radsocial.analytics.influence:influencers",
    "network": "radsocial.analytics.influence:network",
    "conference": "radsocial.analytics.conference:conference",
    "tweetchat": "radsocial.analytics.tweetchat:tweetchat",
    "census": "radsocial.analytics.census:census",
    "share_of_voice": "radsocial.analytics.census:share_of_voice",
}


def function(kind: str) -> Any:
    """The analysis function for a report kind (ValueError naming the known kinds)."""
    try:
        target = REPORTS[kind]
    except KeyError:
        raise ValueError(f"unknown report {kind!r}; known: {', '.join(REPORTS)}") from None
    module, name = target.split(":")
    return getattr(import_module(module), name)


def run(kind: str, store: Any, sel: Any, /, **params: Any) -> Report:
    """Run one analysis: `run("summary", store, Selection(hashtags=("rsna17",)))`."""
    return function(kind)(store, sel, **params)
