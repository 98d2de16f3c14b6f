"""Small helpers the tests share: read a fixture file the way the importer does."""

from __future__ import annotations

from pathlib import Path

from radsocial.models import Post
from radsocial.sources import Context, Format
from radsocial.sources.reader import iter_json_records

FIXTURES = Path(__file__).parent / "fixtures"


def normalize_file(fmt: Format, path: Path) -> list[Post]:
    """Every post a JSON format reads from a fixture file (errors fail the test)."""
    posts: list[Post] = []
    for rec in iter_json_records(path):
        assert rec.error is None, f"{path}:{rec.line}: {rec.error}"
        if fmt.sniff(rec.value):
            posts.extend(fmt.normalize(rec.value, Context(received_at=rec.received_at)))
    return posts


def by_id(posts: list[Post]) -> dict[str, Post]:
    return {p.platform_id: p for p in posts}
