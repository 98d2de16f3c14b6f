"""`radsocial report …`: every analysis from the command line, with the same selection
options, and output as a terminal view, JSON, Markdown, CSV, HTML or PDF."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.markdown import Markdown

from radsocial.analytics import Report, run
from radsocial.cli import (
    db_option,
    err,
    make_selection,
    open_store,
    out,
    register,
    selection_options,
)

F = Callable[..., Any]


def output_options(f: F) -> F:
    opts = [
        click.option("--json", "as_json", is_flag=True, help="Print the report as JSON."),
        click.option("--markdown", is_flag=True, help="Print the report as Markdown."),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=True),
            help="Write to a file: .json, .md, .csv (one file per table), .html "
            "(self-contained, with charts) or .pdf.",
        ),
        click.option(
            "--rows", default=30, show_default=True, help="Rows per table in the terminal view."
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def emit(rep: Report, as_json: bool, markdown: bool, output: str | None, rows: int) -> None:
    """Send a report where the options say."""
    if output:
        path = Path(output)
        suffix = path.suffix.lower()
        if suffix == ".json":
            path.write_text(json.dumps(rep.to_json(), indent=2, ensure_ascii=False), "utf-8")
        elif suffix == ".md":
            path.write_text(rep.to_markdown(limit=None), "utf-8")
        elif suffix in (".html", ".htm", ".pdf"):
            try:
                from radsocial.report.html import write_report
            except ImportError as exc:
                raise click.ClickException(
                    f"HTML and PDF reports need the web extra: pip install 'radsocial[web]' ({exc})"
                ) from exc
            write_report(rep, path)
        else:  # .csv or a folder
            for p in rep.write_csv(path):
                err.print(f"wrote {p}")
            return
        err.print(f"wrote {path}")
        return
    if as_json:
        click.echo(json.dumps(rep.to_json(), indent=2, ensure_ascii=False))
    elif markdown:
        click.echo(rep.to_markdown(limit=None))
    else:
        out.print(Markdown(rep.to_markdown(limit=rows)))


def _run(report_kind: str, db: str | None, sel_kw: dict[str, Any], /, **params: Any) -> Report:
    selection = make_selection(**sel_kw)
    with open_store(db) as store:
        try:
            return run(report_kind, store, selection, **params)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc


def _split_sel(kw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    out_keys = ("as_json", "markdown", "output", "rows")
    return {k: kw.pop(k) for k in out_keys}, kw


@click.group()
def report() -> None:
    """Analyses of the store: summary, time series, top lists, influence, networks,
    conference and tweetchat reports, census.

    Every report takes the same selection options (--hashtag, --keyword, --account,
    --platform, --lang, --since, --until, --stakeholder, --relevant) and prints a
    terminal view, or --json, --markdown, or -o FILE (.json .md .csv .html .pdf).
    Definitions: docs/definitions.md.
    """


@report.command("summary")
@selection_options
@click.option(
    "--compare/--no-compare",
    default=True,
    show_default=True,
    help="Show the preceding period of equal length beside each number.",
)
@output_options
@db_option
def summary_cmd(compare: bool, db: str | None, **kw: Any) -> None:
    """Posts, reposts, replies, participants, impressions, links and media (Symplur's
    definitions) with the change against the preceding period, per-user averages and
    the shares papers report."""
    o, sel = _split_sel(kw)
    emit(_run("summary", db, sel, compare=compare), **o)


@report.command("timeseries")
@selection_options
@click.option(
    "--interval",
    type=click.Choice(["hour", "day", "week", "month", "year"]),
    default="day",
    show_default=True,
)
@click.option(
    "--tz", default="UTC", show_default=True, help="Time zone of the buckets (IANA name)."
)
@output_options
@db_option
def timeseries_cmd(interval: str, tz: str, db: str | None, **kw: Any) -> None:
    """Posts per hour, day, week, month or year (zero-filled, in a time zone), growth
    year over year, and the change point where the conversation took off."""
    o, sel = _split_sel(kw)
    emit(_run("timeseries", db, sel, interval=interval, tz=tz), **o)


@report.command("spikes")
@selection_options
@click.option(
    "--k", default=2.0, show_default=True, help="Spike when the last 24 h mean > 7-day mean + k·SD."
)
@click.option("--at", "at", help="Check as of this time (ISO, UTC); default: the last post.")
@output_options
@db_option
def spikes_cmd(k: float, at: str | None, db: str | None, **kw: Any) -> None:
    """Spikes: hours in the last 24 h above the 7-day mean + k·SD, and the posts that
    made them."""
    from radsocial.store import parse_when

    o, sel = _split_sel(kw)
    when = parse_when(at, "--at") if at else None
    emit(_run("spikes", db, sel, k=k, now=when), **o)


@report.command("top")
@selection_options
@click.option(
    "--what",
    type=click.Choice(["accounts", "hashtags", "mentions", "domains", "links", "posts"]),
    default="accounts",
    show_default=True,
    help="What to rank (hashtags of a hashtag selection are its co-hashtags).",
)
@click.option("-n", default=20, show_default=True, help="How many.")
@output_options
@db_option
def top_cmd(what: str, n: int, db: str | None, **kw: Any) -> None:
    """Top accounts, hashtags (co-hashtags), mentioned accounts, domains, links or posts."""
    o, sel = _split_sel(kw)
    emit(_run("top", db, sel, what=what, n=n), **o)


@report.command("conference")
@click.argument("meeting")
@selection_options
@click.option("--year", type=int, help="The edition, when MEETING has no year (e.g. RSNA).")
@click.option("--start", help="First meeting day (YYYY-MM-DD), for ad-hoc hashtags or to override.")
@click.option("--end", help="Last meeting day (YYYY-MM-DD), inclusive.")
@click.option("--days-before", default=7, show_default=True, help="Days before the meeting.")
@click.option("--days-after", default=7, show_default=True, help="Days after the meeting.")
@click.option(
    "--tz",
    default="UTC",
    show_default=True,
    help="Time zone of days and hours (e.g. America/Chicago).",
)
@click.option("--top", "top_n", default=100, show_default=True, help="How many top participants.")
@output_options
@db_option
def conference_cmd(
    meeting: str,
    year: int | None,
    start: str | None,
    end: str | None,
    days_before: int,
    days_after: int,
    tz: str,
    top_n: int,
    db: str | None,
    **kw: Any,
) -> None:
    """The meeting report: MEETING is a registry meeting with its year (RSNA2017, ECR2019,
    SIIM19) or ad-hoc hashtags ('#MyMeeting24,#MM24').

    Before / during / after, posts per day and an hourly heat map, the top participants
    with their stakeholder, the stakeholder mix, co-hashtags, links, sentiment, and the
    same meeting year over year. Dates come from the registry; when unknown, from the
    dense period of the tags' activity.
    """
    from radsocial.store import parse_when

    o, sel = _split_sel(kw)
    s = parse_when(start, "--start").date() if start else None
    e = parse_when(end, "--end").date() if end else None
    if (s is None) != (e is None):
        raise click.UsageError("give both --start and --end, or neither")
    emit(
        _run(
            "conference",
            db,
            sel,
            meeting=meeting,
            year=year,
            start=s,
            end=e,
            days_before=days_before,
            days_after=days_after,
            tz=tz,
            top_n=top_n,
        ),
        **o,
    )


@report.command("tweetchat")
@click.argument("hashtag", required=False)
@selection_options
@click.option(
    "--tz", default="UTC", show_default=True, help="Time zone of the transcript and sessions."
)
@click.option("--session", type=int, help="Report only the Nth session found (1 = the first).")
@click.option(
    "--min-posts", default=10, show_default=True, help="Fewest posts in an hour for a session."
)
@click.option(
    "--transcript",
    type=click.Path(dir_okay=False),
    help="Also write the transcript: .md, .csv or .txt.",
)
@output_options
@db_option
def tweetchat_cmd(
    hashtag: str | None,
    tz: str,
    session: int | None,
    min_posts: int,
    transcript: str | None,
    db: str | None,
    **kw: Any,
) -> None:
    """A tweetchat: its sessions (the hashtag's dense hours, or the registry schedule),
    questions (Q1, Q2…) paired with their answers (A1…), unanswered questions, response
    times, participants by stakeholder, and the transcript.

    Example: radsocial report tweetchat cancerchat --tz Europe/London --transcript chat.md
    """
    o, sel = _split_sel(kw)
    rep = _run("tweetchat", db, sel, hashtag=hashtag, session=session, tz=tz, min_posts=min_posts)
    if transcript:
        from radsocial.analytics.tweetchat import write_transcript

        try:
            path = write_transcript(rep, transcript)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        err.print(f"wrote the transcript to {path}")
    emit(rep, **o)


@report.command("census")
@selection_options
@click.option(
    "--group",
    type=click.Choice(["entities", "stakeholders"]),
    default="entities",
    show_default=True,
    help="Registry entities (societies, journals, vendors, practices) or all authors by stakeholder.",
)
@click.option(
    "--entity-kind",
    "kind",
    help="Only entities (or stakeholders) of this label, e.g. journal_publisher.",
)
@click.option(
    "--interval",
    type=click.Choice(["day", "week", "month", "year"]),
    default="year",
    show_default=True,
    help="Buckets of the followers and activity tables.",
)
@output_options
@db_option
def census_cmd(group: str, kind: str | None, interval: str, db: str | None, **kw: Any) -> None:
    """Who is present where: registry entities or stakeholders by platform, first and
    last seen, posts, followers and activity over time."""
    o, sel = _split_sel(kw)
    emit(_run("census", db, sel, group=group, kind=kind, interval=interval), **o)


@report.command("share-of-voice")
@selection_options
@click.option(
    "--entity-kind",
    "kind",
    default="vendor_industry",
    show_default=True,
    help="The competitive set: registry entities of this kind (vendor_industry, "
    "imaging_practice, journal_publisher, professional_society…).",
)
@output_options
@db_option
def share_of_voice_cmd(kind: str, db: str | None, **kw: Any) -> None:
    """Share of voice: mentions of each entity ÷ mentions of its competitive set × 100,
    with net sentiment where posts are labelled."""
    o, sel = _split_sel(kw)
    emit(_run("share_of_voice", db, sel, kind=kind), **o)


@report.command("influence")
@selection_options
@click.option("-n", default=100, show_default=True, help="How many accounts.")
@click.option(
    "--rank-by",
    type=click.Choice(
        ["pagerank", "authority", "hub", "posts", "mentions", "replies", "reposts", "impressions"]
    ),
    default="pagerank",
    show_default=True,
    help="The score that orders the list.",
)
@click.option(
    "--compare/--no-compare",
    default=True,
    show_default=True,
    help="Rank moves against the preceding period of equal length.",
)
@output_options
@db_option
def influence_cmd(n: int, rank_by: str, compare: bool, db: str | None, **kw: Any) -> None:
    """Accounts ranked by posts, mentions, impressions, PageRank and HITS authority /
    hub on the mention + reply + repost graph, with rank moves."""
    o, sel = _split_sel(kw)
    emit(_run("influence", db, sel, n=n, rank_by=rank_by, compare=compare), **o)


@report.command("network")
@selection_options
@click.option(
    "--graph",
    "kind",
    type=click.Choice(["interaction", "cohashtag"]),
    default="interaction",
    show_default=True,
    help="Who mentions, replies to and reposts whom; or which hashtags go together.",
)
@click.option("--min-weight", default=1, show_default=True, help="Drop edges lighter than this.")
@click.option(
    "--max-nodes", default=2000, show_default=True, help="Keep the top nodes by PageRank."
)
@click.option(
    "--export",
    "export_path",
    type=click.Path(dir_okay=False),
    help="Also write the graph for Gephi: .gexf, .graphml or .csv (nodes + edges).",
)
@output_options
@db_option
def network_cmd(
    kind: str, min_weight: int, max_nodes: int, export_path: str | None, db: str | None, **kw: Any
) -> None:
    """The interaction or co-hashtag graph with communities (Louvain), as tables, and
    exported as GEXF, GraphML or CSV edge lists."""
    o, sel = _split_sel(kw)
    if export_path:
        from radsocial.analytics.influence import export_graph

        fmt = Path(export_path).suffix.lower().lstrip(".")
        if fmt not in ("gexf", "graphml", "csv"):
            raise click.UsageError("--export: use a .gexf, .graphml or .csv file name")
        selection = make_selection(**sel)
        with open_store(db) as store:
            for p in export_graph(
                store, selection, export_path, fmt, kind=kind, min_weight=min_weight
            ):  # type: ignore[arg-type]
                err.print(f"wrote {p}")
    emit(_run("network", db, sel, kind=kind, min_weight=min_weight, max_nodes=max_nodes), **o)


register(report)
