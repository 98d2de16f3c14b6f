"""CSV exports of posts, read through column-mapping *presets*.

A preset knows one tool's export: which columns hold the post id, time, text, author and
counts, and how their values are written. The preset is recognised from the header
(`detect_preset`), or chosen with `--preset NAME`; a user mapping
(`--format csv --mapping FILE`, a dict of Post fields → column names) reads any other CSV.

Presets, and where their column lists come from (see docs/sources/csv.md):

* ``twarc-csv`` — `twarc2 csv` (twarc-csv 0.7.2, ``DEFAULT_TWEET_COLUMNS`` in its
  ``dataframe_converter.py``), platform "x".
* ``grfiv-topsy`` — the 25-column Topsy CSVs of grfiv/healthcare_twitter_analysis
  (2014), platform "x".
* ``grfiv-processed`` — the 40-column processed file of the same project
  (``bigtweet_file002.csv``; ``list_of_variable_names_in_the_processed_file.txt``).
* ``crowdtangle`` — CrowdTangle "Download CSV" / historical-data exports of Facebook
  Pages/groups and Instagram accounts; platform per row ("facebook" or "instagram").
* ``meta-content-library`` — Meta Content Library CSV downloads (dotted field names of
  its data dictionary); platform "facebook" or "instagram".
* ``linkedin-page`` — LinkedIn Page content analytics, "All posts" sheet saved as CSV.
* ``mapping`` — a user mapping.

Reading: lines are decoded one by one (UTF-8, a BOM dropped, else cp1252 for that line)
and fed to the stdlib csv reader, which pulls further lines itself for quoted fields
with embedded newlines; each row keeps the number of the line it starts on and, for the
quarantine, its verbatim bytes. A stored payload is the compact JSON
``{"preset": NAME, "row": {column: value}}`` (empty cells left out), so a row can be
normalized again without the file; only a user mapping comes from the options.

Modules: ``values`` (cell parsers), ``reader`` (rows and header), ``presets`` (the
registry, one module per tool), ``mapping`` (user mappings); this one holds the format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from radsocial.models import Post
from radsocial.sources.base import Context, Format, NormalizeError, TextItem
from radsocial.sources.csv.mapping import validate_mapping
from radsocial.sources.csv.presets import PRESETS, detect_preset
from radsocial.sources.csv.reader import _HEADER_SEARCH_ROWS, _delimiter, read_rows

__all__ = ["PRESETS", "CsvFormat", "detect_preset", "validate_mapping"]


class CsvFormat(Format):
    name = "csv"
    platform = "various"
    description = "Read CSV exports (twarc-csv, CrowdTangle, Meta Content Library, LinkedIn, ...) by preset or mapping."
    kind = "text"
    option_help: ClassVar[Mapping[str, str]] = {
        "preset": "column preset: "
        + ", ".join(n for n in PRESETS if n != "mapping")
        + " (default: detected from the header)",
        "mapping": "a TOML/JSON file mapping Post fields to columns (see docs/sources/csv.md)",
        "timezone": "IANA time zone for times written without one (default: UTC)",
        "date_format": "strptime format of LinkedIn 'Created date' (default: %m/%d/%Y or ISO)",
        "platform": "meta-content-library: force 'facebook' or 'instagram'",
        "account": "linkedin-page: the page's vanity name (the export does not name it)",
    }

    # ------------------------------------------------------------------ sniffing
    def sniff_text(self, head: str, path: str) -> bool:
        if not head.strip():
            return False
        first = head.split("\n", _HEADER_SEARCH_ROWS)[:_HEADER_SEARCH_ROWS]
        try:
            reader = csv.reader(io.StringIO(head, newline=""), delimiter=_delimiter(first))
            for i, row in enumerate(reader):
                if i >= _HEADER_SEARCH_ROWS:
                    break
                if row and detect_preset(row):
                    return True
        except csv.Error:
            return False
        return False

    # ------------------------------------------------------------------ reading
    def read(self, lines: Iterator[tuple[int, bytes]], ctx: Context) -> Iterator[TextItem]:
        yield from read_rows(lines, ctx)

    # ------------------------------------------------------------------ normalizing
    def normalize(self, obj: Any, ctx: Context) -> list[Post]:
        if not isinstance(obj, dict) or not isinstance(obj.get("row"), dict):
            raise NormalizeError('expected {"preset": NAME, "row": {column: value}}')
        name = obj.get("preset")
        preset = PRESETS.get(name) if isinstance(name, str) else None
        if preset is None:
            raise NormalizeError(f"unknown CSV preset {name!r}")
        return preset.build(obj["row"], ctx)
