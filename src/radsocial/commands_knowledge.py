"""CLI commands for the registry, evaluation, training and coder agreement.

`COMMANDS` is a list of click commands for the main `radsocial` group:

    radsocial registry [--json] [--validate] [--registry FILE ...] [--section hashtags|...]
    radsocial evaluate TASK GOLD.csv [--json] [--predictions OUT.csv] [--scheme symplur] [--model ART]
    radsocial train TASK GOLD.csv [-o ARTIFACT]
    radsocial label agreement A.csv B.csv [--json] [--field F ...] [--per-label]

If the main CLI already has a `label` group (export/import), add `agreement_command`
to it instead of the `label` group defined here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

__all__ = [
    "COMMANDS",
    "agreement_command",
    "evaluate_command",
    "label_group",
    "registry_command",
    "train_command",
]

_err = Console(stderr=True)
_out = Console()
TASK_CHOICES = ("relevance", "modality", "stakeholder", "sentiment")


@click.command("registry")
@click.option(
    "--registry",
    "extra",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Your own registry TOML (repeatable; later files override earlier ones).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
@click.option(
    "--validate", is_flag=True, help="Only check the files; exit 1 and list every problem if any."
)
@click.option(
    "--section",
    type=click.Choice(["hashtags", "meetings", "tweetchats", "entities"]),
    help="List one section only.",
)
def registry_command(
    extra: tuple[str, ...], as_json: bool, validate: bool, section: str | None
) -> None:
    """List (and validate) hashtags, meetings, tweetchats and known accounts."""
    from radsocial.knowledge.registry import load_registry, validate_registry_files

    problems = validate_registry_files(extra)
    if problems:
        for p in problems:
            _err.print(f"[red]error[/red] {p}", markup=True, highlight=False)
        raise SystemExit(1)
    reg = load_registry(extra)
    if validate:
        if as_json:
            click.echo(json.dumps({"valid": True, "files": list(reg.sources), **reg.summary()}))
        else:
            _err.print(f"registry OK: {reg.summary()} from {len(reg.sources)} file(s)")
        return
    if as_json:
        click.echo(
            json.dumps(_registry_json(reg, section), ensure_ascii=False, indent=2, default=str)
        )
        return
    sections = [section] if section else ["meetings", "tweetchats", "entities", "hashtags"]
    for sec in sections:
        table = Table(title=sec)
        if sec == "hashtags":
            for c in ("tag", "kind", "imaging", "aliases"):
                table.add_column(c)
            for h in sorted(
                reg.hashtags.values(), key=lambda h: (h.kind != "topic", h.tag.lower())
            ):
                table.add_row(
                    h.tag,
                    h.kind,
                    "" if h.imaging is None else str(h.imaging).lower(),
                    ", ".join(h.aliases),
                )
        elif sec == "meetings":
            for c in ("meeting", "patterns", "imaging", "editions (dates)"):
                table.add_column(c)
            for m in reg.meetings.values():
                eds = ", ".join(
                    f"{y}: {e.start:%b %d}–{e.end:%b %d}"
                    if e.dates_known and e.start and e.end
                    else f"{y}: {e.status if e.status != 'held' else 'dates unknown'}"
                    for y, e in sorted(m.editions.items())
                )
                table.add_row(
                    f"{m.key} — {m.name}",
                    " ".join(m.patterns),
                    "shared" if m.shared_with else str(m.imaging).lower(),
                    eds,
                )
        elif sec == "tweetchats":
            for c in ("chat", "hosts", "schedule"):
                table.add_column(c)
            for t in reg.tweetchats.values():
                s = t.schedule
                sched = (
                    "unknown"
                    if s is None
                    else " ".join(
                        x
                        for x in (s.frequency, s.weekday or "", s.time or "", s.timezone or "")
                        if x
                    )
                )
                table.add_row(f"#{t.hashtag}", ", ".join(t.hosts), sched)
        else:
            for c in ("entity", "kind", "handles"):
                table.add_column(c)
            for e in reg.entities.values():
                table.add_row(
                    e.name,
                    e.kind,
                    "; ".join(f"{p}: {', '.join(hs)}" for p, hs in e.handles.items()),
                )
        _out.print(table)


def _registry_json(reg, section: str | None) -> dict:
    from dataclasses import asdict

    out = {
        "files": list(reg.sources),
        "hashtags": {k: asdict(v) for k, v in reg.hashtags.items()},
        "meetings": {
            k: {
                **{
                    f: getattr(v, f)
                    for f in (
                        "key",
                        "name",
                        "organiser",
                        "patterns",
                        "aliases",
                        "imaging",
                        "shared_with",
                        "usual_location",
                        "usual_time",
                        "note",
                    )
                },
                "editions": {str(y): asdict(e) for y, e in v.editions.items()},
            }
            for k, v in reg.meetings.items()
        },
        "tweetchats": {k: asdict(v) for k, v in reg.tweetchats.items()},
        "entities": {
            k: {**asdict(v), "handles": {p: list(h) for p, h in v.handles.items()}}
            for k, v in reg.entities.items()
        },
    }
    if section:
        return {"files": out["files"], section: out[section]}
    return out


@click.command("evaluate")
@click.argument("task", type=click.Choice(TASK_CHOICES))
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False),
    help="Write every row with prediction, score and reasons to this CSV.",
)
@click.option(
    "--scheme",
    type=click.Choice(["radsocial", "symplur"]),
    default="radsocial",
    show_default=True,
    help="symplur: gold written in Symplur's segments (stakeholder).",
)
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False),
    help="Evaluate a trained artifact instead of the shipped rules.",
)
def evaluate_command(
    task: str, gold: str, as_json: bool, predictions: str | None, scheme: str, model: str | None
) -> None:
    """Precision, recall, F1 per class, macro-F1 and confusion matrix on a GOLD csv."""
    from radsocial.analysis.evaluate import evaluate
    from radsocial.analysis.gold import GoldFormatError
    from radsocial.analysis.train import ArtifactError

    try:
        res = evaluate(task, gold, scheme=scheme, model=model, predictions_csv=predictions)
    except (GoldFormatError, ArtifactError, ValueError) as exc:
        _err.print(f"[red]error[/red] {exc}", markup=True, highlight=False)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps(res.as_dict(), indent=2))
    else:
        click.echo(res.format())
    if predictions:
        _err.print(f"predictions written to {predictions}")


@click.command("train")
@click.argument("task", type=click.Choice(["relevance", "stakeholder", "sentiment"]))
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Artifact path (default: TASK.model.json).",
)
@click.option(
    "--cv", type=int, default=0, help="Also report k-fold cross-validated scores (e.g. --cv 5)."
)
def train_command(task: str, gold: str, output: str | None, cv: int) -> None:
    """Train a naive Bayes model on a GOLD csv and save a versioned artifact."""
    from radsocial.analysis.gold import GoldFormatError
    from radsocial.analysis.train import cross_validate, train

    out = Path(output or f"{task}.model.json")
    try:
        art = train(task, gold, out=out)
    except (GoldFormatError, ValueError) as exc:
        _err.print(f"[red]error[/red] {exc}", markup=True, highlight=False)
        raise SystemExit(2) from None
    _err.print(
        f"trained {task} on {art.n_train} rows ({len(art.labels)} labels, {len(art.counts)} features) -> {out}"
    )
    if cv:
        res = cross_validate(task, gold, k=cv)
        click.echo(res.format())


@click.command("agreement")
@click.argument("a", type=click.Path(exists=True, dir_okay=False))
@click.argument("b", type=click.Path(exists=True, dir_okay=False))
@click.option("--field", "fields", multiple=True, help="Only these coded fields (repeatable).")
@click.option(
    "--per-label", is_flag=True, help="Also a yes/no kappa per value of multi-label fields."
)
@click.option("--json", "as_json", is_flag=True)
def agreement_command(
    a: str, b: str, fields: tuple[str, ...], per_label: bool, as_json: bool
) -> None:
    """Cohen's kappa per field between two coders' CSVs (joined on item_id)."""
    from radsocial.analysis.agreement import agreement
    from radsocial.analysis.gold import GoldFormatError

    try:
        res = agreement(a, b, fields or None, per_label)
    except (GoldFormatError, ValueError) as exc:
        _err.print(f"[red]error[/red] {exc}", markup=True, highlight=False)
        raise SystemExit(2) from None
    if as_json:
        click.echo(json.dumps({k: v.as_dict() for k, v in res.items()}, indent=2))
        return
    table = Table(title=f"agreement: {Path(a).name} vs {Path(b).name}")
    for c in ("field", "items", "observed", "kappa"):
        table.add_column(c, justify="right" if c != "field" else "left")
    for k, v in res.items():
        table.add_row(k, str(v.n), f"{v.observed:.3f}", f"{v.kappa:.3f}")
    _out.print(table)
    if not res:
        print("no field was coded by both coders", file=sys.stderr)


@click.group("label")
def label_group() -> None:
    """Manual labels: coder agreement (export/import live in the main CLI)."""


label_group.add_command(agreement_command)

COMMANDS: list[click.Command] = [registry_command, evaluate_command, train_command, label_group]
