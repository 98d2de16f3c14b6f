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

__all__ = ["REPORTS", "SYNTHETIC_NOTE", "Report", "Table", "empty_note", "flag_synthetic", "run"]

SYNTHETIC_NOTE = (
    "This store holds synthetic posts written by `radsocial generate`: figures over them "
    "describe the generator, not the world. Do not publish them as data."
)

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
    return flag_synthetic(function(kind)(store, sel, **params), store)


def flag_synthetic(rep: Report, store: Any) -> Report:
    """Mark a report made over a store that holds synthetic posts, so that every output
    made from it (terminal, JSON, Markdown, HTML, PDF) says so."""
    if not rep.synthetic and store.has_synthetic():
        rep.synthetic = True
        rep.notes.append(SYNTHETIC_NOTE)
    return rep
