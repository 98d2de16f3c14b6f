"""Importers: one module per platform or file format, found through this registry.

`FORMATS` lists the in-tree formats in sniffing order (most specific first), like
datasette's DEFAULT_PLUGINS. Third-party formats register a `radsocial.formats` entry
point naming a `Format` subclass.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from radsocial.sources.base import Context, Format, NormalizeError, TextItem

__all__ = [
    "FORMATS",
    "Context",
    "Format",
    "NormalizeError",
    "TextItem",
    "all_formats",
    "get_format",
]

FORMATS: tuple[str, ...] = (
    "radsocial.sources.x_v2:XV2Format",
    "radsocial.sources.x_v1:XV1Format",
    "radsocial.sources.bluesky:BlueskyFormat",
    "radsocial.sources.bluesky:JetstreamFormat",
    "radsocial.sources.bluesky:TapFormat",
    "radsocial.sources.mastodon:MastodonFormat",
    "radsocial.sources.reddit:RedditFormat",
    "radsocial.sources.csv:CsvFormat",
    "radsocial.sources.uci:UciHealthNewsFormat",
)


def _load(spec: str) -> type[Format]:
    module, _, attr = spec.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Format)):
        raise TypeError(f"{spec} is not a radsocial Format")
    return cls


@cache
def all_formats() -> tuple[Format, ...]:
    """Instances of every known format, in sniffing order."""
    specs = list(FORMATS)
    for ep in entry_points(group="radsocial.formats"):
        specs.append(ep.value)
    return tuple(_load(s)() for s in specs)


def get_format(name: str) -> Format:
    """The format registered as `name`; raises KeyError listing the known names."""
    for fmt in all_formats():
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in all_formats())
    raise KeyError(f"unknown format {name!r}; known formats: {known}")
