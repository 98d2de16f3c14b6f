"""Analytics: the numbers papers, meeting reports and digests are made of.

Every analysis is a function `(store, selection, **params) -> Report` over a
`radsocial.store.Selection`; the definitions are those of docs/definitions.md
(Symplur's, as the field uses them). Submodules are imported on demand.
"""

from radsocial.analytics.result import Report, Table, empty_note

__all__ = ["Report", "Table", "empty_note"]
