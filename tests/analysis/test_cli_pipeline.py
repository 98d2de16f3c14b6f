from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from click.testing import CliRunner

from radsocial.analysis.pipeline import POST_TASKS, Pipeline
from radsocial.commands_knowledge import COMMANDS
from radsocial.models import Account, Post


@click.group()
def cli() -> None:
    pass


for _c in COMMANDS:
    cli.add_command(_c)


def test_registry_command_validate_and_json(tmp_path):
    r = CliRunner().invoke(cli, ["registry", "--validate", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["valid"] is True
    r = CliRunner().invoke(cli, ["registry", "--json", "--section", "meetings"])
    data = json.loads(r.stdout)
    assert data["meetings"]["rsna"]["editions"]["2017"]["start"] == "2017-11-26"
    bad = tmp_path / "bad.toml"
    bad.write_text('[hashtags.x]\nkind = "nope"\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["registry", "--registry", str(bad)])
    assert r.exit_code == 1


def test_evaluate_and_train_commands(tmp_path, gold_dir):
    pred = tmp_path / "p.csv"
    r = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "relevance",
            str(gold_dir / "relevance.csv"),
            "--json",
            "--predictions",
            str(pred),
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["positive_f1"] >= 0.9 and pred.exists()
    art = tmp_path / "m.json"
    r = CliRunner().invoke(
        cli, ["train", "sentiment", str(gold_dir / "sentiment.csv"), "-o", str(art)]
    )
    assert r.exit_code == 0 and art.exists()
    r = CliRunner().invoke(
        cli, ["evaluate", "sentiment", str(gold_dir / "sentiment.csv"), "--model", str(art)]
    )
    assert r.exit_code == 0 and "macro-F1" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("text\nhi\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["evaluate", "sentiment", str(bad)])
    assert r.exit_code == 2


def test_label_agreement_command(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("item_id,sentiment\n1,positive\n2,negative\n", encoding="utf-8")
    b.write_text("item_id,sentiment\n1,positive\n2,neutral\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["label", "agreement", str(a), str(b), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sentiment"]["n"] == 2


def test_pipeline_labels_for_a_post():
    acc = Account("x", "9", handle="radres_kim", bio="PGY-3 diagnostic radiology resident")
    post = Post(
        "x",
        "100",
        datetime(2019, 12, 2, tzinfo=UTC),
        "Q1: Is head CT overused in the ED? #RSNA19 #RadRes",
        hashtags=("RSNA19", "RadRes"),
        author_id="9",
        author=acc,
    )
    pipe = Pipeline()
    labels = pipe.classify_post(post)
    tasks = {lb.task for lb in labels}
    assert {"relevance", "modality", "sentiment", "question", "content"} <= tasks
    assert all(lb.key == ("x", "100") for lb in labels)
    by = {(lb.task, lb.value) for lb in labels}
    assert (
        ("relevance", "relevant") in by
        and ("modality", "ct") in by
        and ("question", "chat_question") in by
    )
    assert ("content", "conference") in by
    (acc_lab,) = next(iter(pipe.classify_accounts([acc])))[1]
    assert acc_lab.value == "radiology_trainee" and acc_lab.key == ("x", "9")
    assert set(pipe.versions()) >= {"relevance-rules", "sentiment-vader", "stakeholder-rules"}
    assert Pipeline(("relevance",)).tasks == ("relevance",) and POST_TASKS[0] == "relevance"


def test_reposts_reuse_labels_with_their_own_key():
    t = datetime(2020, 1, 1, tzinfo=UTC)
    posts = [
        Post("x", "1", t, "Chest CT shows a nodule"),
        Post("x", "2", t, "Chest CT shows a nodule", kind="repost", repost_of_id="1"),
    ]
    (_, l1), (_, l2) = list(Pipeline().classify_posts(posts))
    assert [(lb.task, lb.value) for lb in l1] == [(lb.task, lb.value) for lb in l2]
    assert {lb.key for lb in l2} == {("x", "2")} and {lb.key for lb in l1} == {("x", "1")}
