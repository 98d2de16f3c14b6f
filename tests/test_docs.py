"""Every importer and command is documented, and the package's public surface is pinned."""

from __future__ import annotations

from pathlib import Path

import radsocial
from radsocial.cli import main
from radsocial.sources import all_formats

ROOT = Path(__file__).parent.parent


def test_every_format_has_a_docs_page_and_description() -> None:
    docs = "\n".join(p.read_text() for p in (ROOT / "docs" / "sources").glob("*.md"))
    for fmt in all_formats():
        assert fmt.description and fmt.description[0].isupper(), fmt.name
        assert f"`{fmt.name}`" in docs or f"({fmt.name})" in docs, (
            f"document {fmt.name} in docs/sources"
        )


def test_every_command_is_in_the_cli_reference() -> None:
    text = (ROOT / "docs" / "cli.md").read_text()
    for name in main.commands:
        assert f"radsocial {name}" in text, f"document `radsocial {name}` in docs/cli.md"


def test_public_api() -> None:
    assert radsocial.__all__ == ["Account", "Media", "Post", "RawRecord", "__version__"]


def test_changelog_and_readme_quick_start() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()
