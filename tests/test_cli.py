"""The command line, invoked as a user would, then checked against the store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from radsocial.cli import main
from radsocial.store import Store
from tests.helpers import FIXTURES

TWARC = FIXTURES / "x" / "twarc"


def run(*args: str) -> object:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def test_every_command_explains_itself() -> None:
    r = run("--help")
    assert r.exit_code == 0  # type: ignore[attr-defined]
    for name, cmd in main.commands.items():
        assert cmd.help and len(cmd.help) > 30, f"{name} needs a real --help"
        r = run(name, "--help")
        assert r.exit_code == 0, name  # type: ignore[attr-defined]
        for p in cmd.params:
            if hasattr(p, "help") and p.name not in ("help",) and p.param_type_name == "option":
                assert p.help, f"{name} {p.name} has no help text"


def test_import_stats_search_export(db: str, tmp_path: Path) -> None:
    r = run("import", str(TWARC / "noflat.jsonl"), "--db", db, "--json")
    assert r.exit_code == 0  # type: ignore[attr-defined]
    summary = json.loads(r.stdout)  # type: ignore[attr-defined]
    assert summary["new"] > 100 and summary["status"] == "completed"

    r = run("import", str(TWARC / "noflat.jsonl"), "--db", db)
    assert r.exit_code == 0 and "nothing added" in r.stderr  # type: ignore[attr-defined]

    r = run("stats", "--db", db, "--json")
    stats = json.loads(r.stdout)  # type: ignore[attr-defined]
    assert stats["posts"] == summary["new"]
    assert set(stats) >= {"posts", "by_platform", "by_kind", "by_year", "top_hashtags"}
    assert stats["by_platform"] == {"x": stats["posts"]}

    tag = stats["top_hashtags"][0][0]
    r = run("search", "--hashtag", tag, "--db", db, "--json", "--limit", "500")
    rows = [json.loads(line) for line in r.stdout.splitlines()]  # type: ignore[attr-defined]
    assert len(rows) == stats["top_hashtags"][0][1]
    assert all(tag in [h.lower() for h in row["hashtags"]] for row in rows)

    for ext in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"export.{ext}"
        r = run("export", "-o", str(out), "--db", db)
        assert r.exit_code == 0, r.stderr  # type: ignore[attr-defined]
        assert f"Wrote {stats['posts']:,} posts" in r.stderr  # type: ignore[attr-defined]
    with open(tmp_path / "export.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == stats["posts"] and rows[0]["platform"] == "x"
    assert rows == sorted(rows, key=lambda r: r["created_at"])
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "export.parquet")
    assert table.num_rows == stats["posts"]
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=UTC]"


def test_nothing_readable_exits_non_zero(db: str) -> None:
    r = run("import", str(TWARC / "empty.json"), "--db", db)
    assert r.exit_code == 1  # type: ignore[attr-defined]


def test_errors_name_the_option(db: str) -> None:
    r = CliRunner().invoke(main, ["stats", "--since", "yesterday", "--db", db])
    assert r.exit_code == 2 and "--since" in r.output
    r = CliRunner().invoke(
        main, ["search", "x", "--since", "2020-02-01", "--until", "2020-01-01", "--db", db]
    )
    assert r.exit_code == 2 and "must be before" in r.output
    r = CliRunner().invoke(main, ["import", "/no/such/file", "--db", db])
    assert r.exit_code == 1 and "no such file" in r.output
    r = CliRunner().invoke(
        main, ["import", str(TWARC / "media_tweet.jsonl"), "--format", "nope", "--db", db]
    )
    assert r.exit_code == 1 and "unknown format" in r.output


def test_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.db"
    monkeypatch.setenv("RADSOCIAL_DB", str(path))
    r = run("import", str(TWARC / "media_tweet.jsonl"))
    assert r.exit_code == 0  # type: ignore[attr-defined]
    assert Store.open(path).stats()["posts"] == 1


def test_renormalize_command(db: str) -> None:
    run("import", str(TWARC / "geo_tweets.jsonl"), "--db", db)
    r = run("renormalize", "--db", db)
    assert r.exit_code == 0 and "Re-read 2 raw records" in r.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "module",
    [
        "commands_web",
        "commands_report",
        "commands_alerts",
        "commands_generate",
        "commands_knowledge",
    ],
)
def test_each_command_module_imports_first(module: str) -> None:
    """Importing a command module before radsocial.cli (as a test or a plugin may) works
    and leaves every command registered: no circular-import failure."""
    import subprocess
    import sys

    code = (
        f"import radsocial.{module}\n"
        "from radsocial.cli import main\n"
        "assert {'serve', 'report', 'generate', 'alerts', 'registry'} <= set(main.commands)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
