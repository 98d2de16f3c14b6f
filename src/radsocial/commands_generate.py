"""`radsocial generate`: write a synthetic radiology corpus and its truth manifest.

A thin layer over `radsocial.synth.generate`; register it on the main group with
`main.add_command(generate)`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

__all__ = ["generate"]

_err = Console(stderr=True)


def _years(years: str | None, start_year: int | None, end_year: int | None) -> tuple[int, int]:
    """--years 2016-2025 (or 2019), else --start-year / --end-year, else 2016-2025."""
    if years is not None:
        if start_year is not None or end_year is not None:
            raise click.UsageError("give --years or --start-year/--end-year, not both")
        first, _, last = years.partition("-")
        try:
            a = int(first)
            b = int(last) if last else a
        except ValueError:
            raise click.BadParameter(
                f"{years!r}: expected START-END, e.g. 2016-2025", param_hint="--years"
            ) from None
        return a, b
    return (start_year if start_year is not None else 2016), (
        end_year if end_year is not None else 2025
    )


@click.command("generate")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--posts",
    "-n",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Posts to write, over all formats (reposts, replies and quotes included).",
)
@click.option(
    "--years",
    metavar="START-END",
    help="Years to cover, e.g. 2016-2025 (short for --start-year/--end-year).",
)
@click.option("--start-year", type=int, help="First year (default 2016; 2011 at the earliest).")
@click.option("--end-year", type=int, help="Last year (default 2025).")
@click.option(
    "--formats",
    help="Payload formats and their share of the posts: 'x-v2,bluesky' (default shares "
    "80/12/8) or 'x-v2=0.7,bluesky=0.2,mastodon=0.1'. Default: x-v2,bluesky,mastodon, "
    "those with posts in the years (Mastodon from 2017, Bluesky from 2023).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Same seed, same corpus, byte for byte."
)
@click.option(
    "--compress",
    type=click.Choice(["zstd", "gzip", "none"]),
    default="zstd",
    show_default=True,
    help="Compression of the corpus files.",
)
@click.option("--force", is_flag=True, help="Replace a corpus already in OUT_DIR.")
@click.option("--json", "as_json", is_flag=True, help="Print the truth manifest as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def generate(
    out_dir: Path,
    posts: int,
    years: str | None,
    start_year: int | None,
    end_year: int | None,
    formats: str | None,
    seed: int,
    compress: str,
    force: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Write a SYNTHETIC radiology corpus in the platforms' real payload formats.

    OUT_DIR/corpus/ gets X API v2 pages (twarc2 JSONL), Bluesky searchPosts and feed
    responses, and Mastodon timeline responses, one file per format and month; every
    record carries "__radsocial_synthetic": true. OUT_DIR/truth.json records what the
    generator was told and the counts it produced (posts per platform, repost and reply
    shares, yearly growth, the meeting's windows and tags such as #RSNA19, the monthly
    #JACR tweetchat's sessions and question ids, stakeholder shares), so analyses of the
    imported corpus can be checked against it.

    The corpus is calibrated on published radiology studies (65 % retweets, 2.8 %
    replies, 83 % with mentions, 32 % with images, 25 % with links on X; physicians
    47.8 % of posts; hashtag growth of 198 %, 97 %, 65 %, 115 %, 35 %, 39 % in
    2011-2016; see docs/generate.md). Output is streamed: 10 million posts take minutes
    and little memory.

    \b
    Examples:
      radsocial generate demo-corpus
      radsocial generate bench --posts 10000000 --years 2011-2025 --seed 7
      radsocial generate small -n 5000 --formats x-v2 --compress none
      radsocial import demo-corpus/corpus
    """
    from radsocial.synth import ConfigError
    from radsocial.synth import generate as run

    first, last = _years(years, start_year, end_year)
    progress = Progress(
        TextColumn("[bold]generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("posts  {task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=_err,
        disable=quiet or not _err.is_terminal,
        transient=True,
    )
    task = progress.add_task("generate", total=posts, rate="")
    t0 = time.perf_counter()

    def tick(done: int, total: int) -> None:
        dt = time.perf_counter() - t0
        rate = f"{done / dt:,.0f}/s" if dt > 0 else ""
        progress.update(task, completed=done, total=total, rate=rate)

    try:
        with progress:
            truth = run(
                out_dir,
                posts=posts,
                start_year=first,
                end_year=last,
                formats=formats,
                seed=seed,
                compress=compress,
                progress=tick,
                overwrite=force,
            )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    except FileExistsError as exc:
        raise click.ClickException(f"{exc}: use --force to replace it") from exc
    elapsed = time.perf_counter() - t0
    if as_json:
        click.echo(json.dumps(truth, indent=2, ensure_ascii=False))
    elif not quiet:
        _summary(truth, out_dir, elapsed)


def _summary(truth: dict[str, Any], out_dir: Path, elapsed: float) -> None:
    table = Table(title="Synthetic corpus (every record marked synthetic)", title_justify="left")
    for col in ("platform", "posts", "reposts", "replies", "authors", "files", "MB"):
        table.add_column(col, justify="left" if col == "platform" else "right")
    for plat, p in truth["platforms"].items():
        table.add_row(
            f"{plat} ({p['format']})",
            f"{p['posts']:,}",
            f"{p['shares']['repost']:.1%}",
            f"{p['shares']['reply']:.1%}",
            f"{p['authors']:,}",
            str(len(p["files"])),
            f"{p['bytes'] / 1e6:,.1f}",
        )
    _err.print(table)
    totals = truth["totals"]
    eds = truth["meeting"]["editions"]
    chat = truth["tweetchat"]
    _err.print(
        f"meeting {truth['meeting']['key']}: {len(eds)} editions, {totals['meeting_posts']:,} posts; "
        f"tweetchat {chat['hashtag']}: {len(chat['sessions'])} sessions, {chat['posts']:,} posts"
    )
    rate = totals["posts"] / elapsed if elapsed > 0 else 0.0
    _err.print(
        f"{totals['posts']:,} posts in {elapsed:.1f} s ({rate:,.0f} posts/s), "
        f"{totals['bytes'] / 1e6:,.1f} MB on disk ({totals['raw_bytes'] / 1e6:,.1f} MB uncompressed)"
    )
    _err.print(f"truth: {out_dir / 'truth.json'}")
    _err.print(f"import: radsocial import {out_dir / 'corpus'}")
