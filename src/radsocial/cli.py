"""The `radsocial` command: a thin layer over the Python API.

Data goes to stdout, progress and messages to stderr, so output can be piped.
Every command takes `--db` (or RADSOCIAL_DB): a SQLite file path or a
postgresql:// URL; the default is a file in your user data folder.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from radsocial import __version__
from radsocial.store import Selection, Store, StoreError, parse_when

err = Console(stderr=True)
out = Console()

F = Callable[..., Any]


def db_option(f: F) -> F:
    return click.option(
        "--db",
        envvar="RADSOCIAL_DB",
        metavar="PATH|URL",
        help="Database: a SQLite file path or postgresql://user@host/dbname. "
        "Default: RADSOCIAL_DB, else radsocial.db in your user data folder.",
    )(f)


def selection_options(f: F) -> F:
    """The selection options shared by every command that reads posts."""
    opts = [
        click.option(
            "--hashtag",
            "hashtags",
            multiple=True,
            help="Only posts with this hashtag (repeatable; any of them).",
        ),
        click.option(
            "--account", "accounts", multiple=True, help="Only posts by this handle (repeatable)."
        ),
        click.option(
            "--platform",
            "platforms",
            multiple=True,
            help="x, bluesky, mastodon, reddit, facebook, instagram, linkedin (repeatable).",
        ),
        click.option(
            "--lang",
            "langs",
            multiple=True,
            help="Only posts in this language code, e.g. en (repeatable).",
        ),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(["original", "reply", "repost", "quote"]),
            help="Only posts of this kind (repeatable).",
        ),
        click.option("--since", help="From this date, inclusive (YYYY-MM-DD or ISO time, UTC)."),
        click.option("--until", help="Up to this date, exclusive (YYYY-MM-DD or ISO time, UTC)."),
        click.option(
            "--keyword",
            "keywords",
            multiple=True,
            help='Only posts containing this word or "phrase" (repeatable; any of them).',
        ),
        click.option(
            "--stakeholder",
            "stakeholders",
            multiple=True,
            help="Only posts whose author has this stakeholder label, e.g. radiologist "
            "(repeatable; see docs/classifiers.md; run `radsocial classify` first).",
        ),
        click.option(
            "--relevant/--not-relevant",
            "relevant",
            default=None,
            help="Only posts the relevance classifier (or a coder) marked about imaging, "
            "or only those it did not.",
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def make_selection(query: str | None = None, **kw: Any) -> Selection:
    try:
        return Selection(
            query=query or None,
            hashtags=tuple(kw.get("hashtags") or ()),
            accounts=tuple(kw.get("accounts") or ()),
            platforms=tuple(kw.get("platforms") or ()),
            langs=tuple(kw.get("langs") or ()),
            kinds=tuple(kw.get("kinds") or ()),
            since=parse_when(kw["since"], "--since") if kw.get("since") else None,
            until=parse_when(kw["until"], "--until") if kw.get("until") else None,
            keywords=tuple(kw.get("keywords") or ()),
            stakeholders=tuple(_check_stakeholders(kw.get("stakeholders") or ())),
            relevant=kw.get("relevant"),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _check_stakeholders(values: tuple[str, ...]) -> list[str]:
    from radsocial.analysis.taxonomy import STAKEHOLDERS

    for v in values:
        if v not in STAKEHOLDERS:
            raise ValueError(
                f"--stakeholder: unknown value {v!r}; use one of {', '.join(STAKEHOLDERS)}"
            )
    return list(values)


def open_store(db: str | None) -> Store:
    try:
        return Store.open(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="radsocial")
def main() -> None:
    """radsocial — an observatory of social media in radiology and medical imaging.

    Import the archives you have (X/Twitter, Bluesky, Mastodon, Reddit, CSV exports),
    then count, search and export them; `classify` labels them, `report` analyses them
    (conference, tweetchat, influence, trends, census) and `serve` opens the dashboard.
    Start with `radsocial import --help`.
    """


@main.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    metavar="NAME",
    help="Force an importer instead of detecting it from the content (see `radsocial formats`).",
)
@click.option(
    "--account",
    help="Author handle for formats without one (the UCI health-news files: default is the file name).",
)
@click.option(
    "--preset",
    help="CSV column preset (see `radsocial formats`); detected from the header when omitted.",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help="A TOML or JSON file mapping CSV columns to post fields.",
)
@click.option(
    "--instance",
    help="Mastodon: host of the instance the files were fetched from (e.g. mastodon.social), "
    "so replies keep resolvable ids.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@db_option
def import_cmd(
    paths: tuple[str, ...],
    fmt: str | None,
    account: str | None,
    preset: str | None,
    mapping: str | None,
    instance: str | None,
    as_json: bool,
    quiet: bool,
    db: str | None,
) -> None:
    """Import files, folders or globs (plain, .gz or .zst) into the store.

    The format is detected from the content. Bad lines are reported with file and line
    and copied verbatim to a quarantine file next to the database; the import goes on.
    Importing the same file again adds nothing. Exits non-zero only when nothing at all
    could be read.

    \b
    Examples:
      radsocial import archive.jsonl.gz
      radsocial import exports/ --db study.db
      radsocial import bbchealth.txt --account bbchealth
    """
    from radsocial.ingest import import_paths
    from radsocial.sources.reader import InputError

    options: dict[str, Any] = {}
    if account:
        options["account"] = account
    if preset:
        options["preset"] = preset
    if mapping:
        options["mapping"] = _load_mapping(Path(mapping))
    if instance:
        options["instance"] = instance
    store = open_store(db)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def tick(path: str, done: int, total: int) -> None:
        if path not in tasks:
            tasks[path] = progress.add_task(Path(path).name[:40], total=total)
        progress.update(tasks[path], completed=done)

    fired: list[Any] = []
    try:
        with progress:
            summary = import_paths(store, paths, fmt=fmt, options=options, progress=tick)
        if summary.new:
            fired = _check_alerts(store)
    except (InputError, KeyError) as exc:
        raise click.ClickException(str(exc).strip("'\"")) from exc
    except KeyboardInterrupt:
        err.print(
            "[yellow]Interrupted.[/] Batches already written are kept; run the same import again to finish."
        )
        sys.exit(130)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2, default=str))
    else:
        _print_summary(summary, store.location)
    for f in fired:
        err.print(f"[bold]alert[/] {f.rule}: {f.reason}")
    if summary.nothing_read:
        sys.exit(1)


def _check_alerts(store: Store) -> list[Any]:
    """Alert rules run after every import that added posts (see docs/alerts.md); a
    broken rule or channel is logged in the rule's events, never fails the import."""
    from radsocial.alerts.check import check_rules

    def warn(rule: Any, exc: Exception) -> None:
        name = getattr(rule, "name", rule)
        err.print(f"[yellow]alert rule {name} could not be checked:[/] {exc}")

    return check_rules(store, on_error=warn)


def _load_mapping(path: Path) -> dict[str, Any]:
    import tomllib

    text = path.read_bytes()
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = tomllib.loads(text.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.BadParameter(
            f"{path}: not valid TOML/JSON: {exc}", param_hint="--mapping"
        ) from exc
    if not isinstance(data, dict):
        raise click.BadParameter(
            f"{path}: expected a table of column names", param_hint="--mapping"
        )
    return data


def _print_summary(s: Any, location: str) -> None:
    for problem in s.problems[:20]:
        err.print(f"[yellow]![/] {problem}", highlight=False, soft_wrap=True)
    if len(s.problems) > 20:
        err.print(
            f"[yellow]… and {len(s.problems) - 20} more problems (see the quarantine .errors.tsv)[/]"
        )
    t = Table(
        title=f"Import #{s.import_id} into {location}", show_header=False, title_justify="left"
    )
    t.add_row("files", str(len(s.files)))
    t.add_row("records read", f"{s.records:,}")
    t.add_row("posts read", f"{s.posts_read:,}")
    t.add_row("new", f"[green]{s.new:,}[/]")
    t.add_row(
        "duplicate",
        f"{s.duplicate:,}"
        + (" (already in the store: nothing added)" if s.new == 0 and s.duplicate else ""),
    )
    t.add_row("updated metrics", f"{s.updated:,}")
    t.add_row("new accounts", f"{s.accounts_new:,}")
    t.add_row("rejected", f"[red]{s.rejected:,}[/]" if s.rejected else "0")
    t.add_row("notes", f"{s.warnings:,}")
    if s.synthetic:
        t.add_row("synthetic", f"[yellow]{s.synthetic:,} posts read from synthetic records[/]")
    if s.quarantine:
        t.add_row("quarantine", s.quarantine)
    err.print(t)


@main.command()
@selection_options
@click.option("--top", default=20, show_default=True, help="How many top hashtags.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print machine-readable counts: {"posts": N, "by_platform": {...}, ...}.',
)
@db_option
def stats(top: int, as_json: bool, db: str | None, **sel: Any) -> None:
    """Count posts by platform, kind and year, with the top hashtags."""
    selection = make_selection(**sel)
    with open_store(db) as store:
        data = store.stats(selection, top=top)
        location = store.location
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if data["posts"] == 0:
        err.print(f"No posts in {location}. Import some with: radsocial import PATH")
        return
    out.print(f"[bold]{data['posts']:,}[/] posts by {data['authors']:,} authors in {location}")
    out.print(f"from {data['first_post_at']} to {data['last_post_at']}")
    for title, key in (("platform", "by_platform"), ("kind", "by_kind"), ("year", "by_year")):
        t = Table(title=f"by {title}", title_justify="left")
        t.add_column(title)
        t.add_column("posts", justify="right")
        t.add_column("%", justify="right")
        for k, v in data[key].items():
            t.add_row(k, f"{v:,}", f"{100 * v / data['posts']:.1f}")
        out.print(t)
    if data["top_hashtags"]:
        t = Table(title="top hashtags", title_justify="left")
        t.add_column("hashtag")
        t.add_column("posts", justify="right")
        for tag, n in data["top_hashtags"]:
            t.add_row("#" + tag, f"{n:,}")
        out.print(t)


@main.command()
@click.argument("query", required=False)
@selection_options
@click.option("--limit", default=20, show_default=True, help="How many posts to show.")
@click.option("--json", "as_json", is_flag=True, help="Print posts as JSON Lines.")
@db_option
def search(query: str | None, limit: int, as_json: bool, db: str | None, **sel: Any) -> None:
    """Search posts by full text and filters, newest first.

    QUERY takes words (all must match), "a phrase", OR, and -word to exclude.
    Matching ignores case and word endings (mammogram finds mammograms).

    \b
    Examples:
      radsocial search mammogram --since 2014-01-01
      radsocial search '"breast cancer" screening' --platform x --lang en
      radsocial search --hashtag RSNA17 --account RSNA
    """
    from radsocial.export import post_record

    selection = make_selection(query, **sel)
    with open_store(db) as store:
        found = store.search(selection, limit=limit)
    if as_json:
        for p in found:
            click.echo(json.dumps(post_record(p), ensure_ascii=False))
        return
    if not found:
        err.print("No posts match.")
        return
    for p in found:
        out.print(
            f"[dim]{p.created_at:%Y-%m-%d %H:%M}[/] [bold]@{p.author_handle or '?'}[/] "
            f"[cyan]{p.platform}/{p.kind}[/] {p.url or ''}",
            highlight=False,
        )
        out.print(p.text, markup=False, highlight=False)
        out.print()


@main.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="File to write.",
)
@click.option(
    "--to",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    help="Format; default: from the file's extension.",
)
@click.argument("query", required=False)
@selection_options
@click.option("--limit", type=int, help="At most this many posts.")
@db_option
def export(
    output: str, fmt: str | None, query: str | None, limit: int | None, db: str | None, **sel: Any
) -> None:
    """Export posts (oldest first) to CSV, JSON Lines or Parquet.

    The optional QUERY and the filters choose the posts, as in `search`.
    """
    from radsocial import export as ex

    path = Path(output)
    try:
        fmt = fmt or ex.guess_format(path)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--output") from exc
    selection = make_selection(query, **sel)
    with open_store(db) as store:
        posts = (p for _, p in store.iter_posts(selection, limit=limit))
        with Progress(
            TextColumn("exporting"),
            TextColumn("{task.completed:,} posts"),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        ) as progress:
            task = progress.add_task("export", total=None)
            n = ex.write(posts, path, fmt, tick=lambda k: progress.update(task, completed=k))
    err.print(f"Wrote {n:,} posts to {path} ({fmt}).")


@main.command()
@db_option
def renormalize(db: str | None) -> None:
    """Rebuild all posts from the stored raw payloads with the current importers.

    Run it after upgrading radsocial (or fixing a CSV mapping): no source file is
    needed, post ids (and the labels pointing at them) stay the same.
    """
    from radsocial.ingest import renormalize as run

    with (
        open_store(db) as store,
        Progress(
            TextColumn("renormalizing"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,} raw records"),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("renormalize", total=store.count_raw())
        counts = run(store, progress=lambda d, t: progress.update(task, completed=d, total=t))
    err.print(
        f"Re-read {counts['raw_records']:,} raw records: {counts['posts']:,} posts "
        f"({counts['updated']:,} rewritten, {counts['new']:,} new, {counts['rejected']:,} records unreadable)."
    )


@main.command()
def formats() -> None:
    """List the importers and what each reads."""
    from radsocial.sources import all_formats

    t = Table(show_header=True)
    t.add_column("--format")
    t.add_column("platform")
    t.add_column("reads")
    for f in all_formats():
        t.add_row(f.name, f.platform, f.description)
    out.print(t)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option(
    "--limit", default=20, show_default=True, help="How many imports to show, newest first."
)
@db_option
def imports(as_json: bool, limit: int, db: str | None) -> None:
    """Show past imports: when, what, and how many posts were new, duplicate or rejected."""
    with open_store(db) as store:
        rows = store.imports(limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    t = Table()
    for c in ("#", "started", "status", "new", "duplicate", "rejected", "paths"):
        t.add_column(c)
    for r in rows:
        t.add_row(
            str(r["id"]),
            f"{r['started_at']:%Y-%m-%d %H:%M}",
            r["status"],
            f"{r['new']:,}",
            f"{r['duplicate']:,}",
            f"{r['rejected']:,}",
            ", ".join(r["paths"])[:60],
        )
    out.print(t)


@main.command()
@click.option(
    "--registry",
    "registry_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Your own registry TOML file (repeatable), extending the shipped one.",
)
@db_option
def classify(registry_files: tuple[str, ...], db: str | None) -> None:
    """Label posts (relevance, modality, clinical area, content, sentiment, questions)
    and authors (stakeholder) in the store.

    Incremental: only posts and accounts added since the last run are classified, or all
    of them when a classifier's version changed. Manual labels are never overwritten.
    """
    from radsocial.analysis.pipeline import Pipeline
    from radsocial.knowledge.registry import load_registry
    from radsocial.store.labels import classify_store, label_counts

    pipe = Pipeline(registry=load_registry(list(registry_files)))
    with (
        open_store(db) as store,
        Progress(
            TextColumn("classifying"),
            TextColumn("{task.completed:,} posts"),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("classify", total=None)
        counts = classify_store(store, pipe, progress=lambda n: progress.update(task, completed=n))
        relevant = label_counts(store, "relevance")
    err.print(
        f"Classified {counts['posts']:,} posts ({counts['post_labels']:,} labels) and "
        f"{counts['accounts']:,} accounts ({counts['account_labels']:,} labels). "
        f"Relevance in the store: {relevant}"
    )


def _add_knowledge_commands() -> None:
    from radsocial.commands_knowledge import COMMANDS, label_group

    for cmd in COMMANDS:
        main.add_command(cmd)

    @label_group.command("export")
    @click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False),
        help="CSV file for the coders.",
    )
    @click.option("-n", default=200, show_default=True, help="How many posts to sample.")
    @click.option(
        "--seed",
        default=0,
        show_default=True,
        help="Random seed, so the sample can be drawn again.",
    )
    @db_option
    def label_export(output: str, n: int, seed: int, db: str | None) -> None:
        """Write a stratified sample of stored posts to a CSV for hand coding."""
        from radsocial.analysis.coding import export_sample

        with open_store(db) as store:
            k = export_sample((p for _, p in store.iter_posts(order="id")), output, n=n, seed=seed)
        err.print(f"Wrote {k:,} posts to {output} for coding.")

    @label_group.command("import")
    @click.argument("coded", type=click.Path(exists=True, dir_okay=False))
    @click.option("--coder", help="Coder name (default: the sheet's coder column).")
    @db_option
    def label_import(coded: str, coder: str | None, db: str | None) -> None:
        """Store a coded CSV as manual labels (they always win over classifiers)."""
        from radsocial.analysis.coding import coded_labels, read_coded_csv
        from radsocial.analysis.gold import GoldFormatError
        from radsocial.store.labels import import_manual

        try:
            labels = coded_labels(read_coded_csv(coded), coder=coder)
        except GoldFormatError as exc:
            raise click.ClickException(str(exc)) from exc
        with open_store(db) as store:
            stored, missing = import_manual(store, labels, coder or "")
        err.print(
            f"Stored {stored:,} manual labels; {missing:,} referred to posts not in the store."
        )


_add_knowledge_commands()


def register(*commands: click.Command) -> None:
    """Add commands to `radsocial`. The modules that build on this one's options
    (commands_report, commands_web) call it themselves at their end, so that importing
    one of them first (`import radsocial.commands_web`) works: they import this module,
    whose last lines import them back while they are still half-built."""
    for cmd in commands:
        main.add_command(cmd)


def _add_report_commands() -> None:
    import radsocial.commands_report
    import radsocial.commands_web  # noqa: F401 - each registers its commands
    from radsocial.commands_alerts import COMMANDS as ALERT_COMMANDS
    from radsocial.commands_generate import generate

    register(generate, *ALERT_COMMANDS)


_add_report_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
