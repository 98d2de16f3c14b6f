"""`radsocial generate`: the synthetic corpus imports cleanly and analyses recover its truth.

Two small corpora are generated once per module: a three-platform one (2021-2024, with
the RSNA meeting, the monthly #JACR chat and all post kinds) that is imported into a
real SQLite store, and an X-only 2011-2016 one for the published growth rates.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from radsocial.commands_generate import generate as generate_command
from radsocial.export import write as export_write
from radsocial.ingest import import_paths
from radsocial.knowledge.registry import default_registry
from radsocial.sources.base import is_post_link, snowflake_time
from radsocial.sources.bluesky import tid_time
from radsocial.sources.reader import expand_paths, iter_json_records
from radsocial.store import Selection, Store
from radsocial.synth import MARKER, ConfigError, generate
from radsocial.synth import config as C
from radsocial.synth.population import Population, registry_entities
from radsocial.synth.schedule import rsna_dates
from radsocial.synth.texts import EXTRA_TAGS, THEMES

Posts = dict[str, list[Any]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("synth") / "corpus-out"
    truth = generate(out, posts=6000, start_year=2021, end_year=2024, seed=11)
    return out, truth


@pytest.fixture(scope="module")
def stored(
    corpus: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, Posts]:
    out, _truth = corpus
    store = Store.open(tmp_path_factory.mktemp("db") / "t.db")
    try:
        summary = import_paths(store, [str(out / "corpus")])
        posts: Posts = {}
        for _pk, p in store.iter_posts(Selection()):
            posts.setdefault(p.platform, []).append(p)
        stats = store.stats()
    finally:
        store.close()
    return (summary, stats), posts


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ------------------------------------------------------------------ determinism, marker


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path: Path) -> None:
    kw: dict[str, Any] = {"posts": 1500, "start_year": 2022, "end_year": 2024}
    a = generate(tmp_path / "a", seed=5, **kw)
    b = generate(tmp_path / "b", seed=5, **kw)
    c = generate(tmp_path / "c", seed=6, **kw)
    assert a == b
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    assert c["totals"]["posts"] == 1500
    # the same arguments again without overwrite: refused, nothing touched
    with pytest.raises(FileExistsError):
        generate(tmp_path / "a", seed=5, **kw)
    assert generate(tmp_path / "a", seed=5, overwrite=True, **kw) == a


def test_every_record_carries_the_marker(corpus: tuple[Path, dict[str, Any]]) -> None:
    out, truth = corpus
    n = Counter()
    for path in expand_paths([str(out / "corpus")]):
        for rec in iter_json_records(path):
            assert rec.error is None
            assert rec.value.get(MARKER) is True, f"{path}:{rec.line} not marked"
            n[path.parts[-3]] += 1
    assert set(n) == {"x-v2", "bluesky", "mastodon"}
    # a Mastodon page is split into its statuses by the reader: each one is marked
    assert n["mastodon"] > 0 and truth["synthetic"] is True


# ------------------------------------------------------------------ import == truth


def test_import_has_no_rejects_and_counts_equal_truth(
    corpus: tuple[Path, dict[str, Any]], stored: tuple[Any, Posts]
) -> None:
    _out, truth = corpus
    (summary, stats), _posts = stored
    assert summary.rejected == 0
    assert summary.warnings == 0, summary.problems[:5]
    assert summary.new == truth["totals"]["posts"] == 6000
    assert stats["by_platform"] == {p: v["posts"] for p, v in truth["platforms"].items()}
    want_kinds = Counter()
    for p in truth["platforms"].values():
        want_kinds.update({k: v for k, v in p["by_kind"].items() if v})
    assert stats["by_kind"] == dict(want_kinds)


def test_shares_as_stored_equal_truth_and_calibration(
    corpus: tuple[Path, dict[str, Any]], stored: tuple[Any, Posts]
) -> None:
    _out, truth = corpus
    _stats, posts = stored
    for platform, plist in posts.items():
        n = len(plist)
        got = {
            "repost": sum(p.kind == "repost" for p in plist) / n,
            "reply": sum(p.kind == "reply" for p in plist) / n,
            "with_mentions": sum(bool(p.mentions) for p in plist) / n,
            "with_images": sum(any(m.type in ("photo", "image") for m in p.media) for p in plist)
            / n,
            "with_links": sum(any(not is_post_link(u) for u in p.links) for p in plist) / n,
        }
        want = truth["platforms"][platform]["shares"]
        for key, value in got.items():
            assert value == pytest.approx(want[key], abs=1e-4), (platform, key)
        tags = Counter(h.lower() for p in plist for h in p.hashtags)
        for tag, count in truth["platforms"][platform]["hashtags"].items():
            assert tags[tag] == count, (platform, tag)
    # X, the calibrated platform: the topic conversation reproduces #IRad (domain §6)
    x = truth["platforms"]["x"]
    topic = x["streams"]["topic"]
    assert topic["repost_share"] == pytest.approx(0.654, abs=0.03)
    assert topic["reply_share"] == pytest.approx(0.028, abs=0.015)
    assert topic["with_mentions"] == pytest.approx(0.826, abs=0.04)
    assert topic["with_images"] == pytest.approx(0.318, abs=0.04)
    assert topic["with_links"] == pytest.approx(0.25, abs=0.04)
    chat = x["streams"]["chat"]  # the chat is its own thing: mostly answers and retweets
    assert chat["posts"] == corpus[1]["tweetchat"]["posts"]
    assert chat["reply_share"] > 0.25
    physicians = sum(x["stakeholders"]["post_shares"][r] for r in C.PHYSICIAN_ROLES)
    assert physicians == pytest.approx(0.478, abs=0.04)
    assert 0.003 <= x["stakeholders"]["post_shares"]["patient_advocate"] <= 0.03


def test_snowflake_ids_decode_to_created_at(stored: tuple[Any, Posts]) -> None:
    _stats, posts = stored
    for p in posts["x"]:
        exact = snowflake_time(p.platform_id)
        assert exact is not None
        assert exact.replace(microsecond=0) == p.created_at


def test_bluesky_record_keys_are_tids_of_created_at(stored: tuple[Any, Posts]) -> None:
    _stats, posts = stored
    for p in posts["bluesky"]:
        if p.kind == "repost":
            continue
        when = tid_time(p.platform_id.rsplit("/", 1)[1])
        assert when is not None
        assert abs((when - p.created_at).total_seconds()) < 0.01


def test_facets_and_entity_indices_cover_their_text(corpus: tuple[Path, dict[str, Any]]) -> None:
    out, _truth = corpus
    seen = Counter()
    for path in expand_paths([str(out / "corpus")]):
        for rec in iter_json_records(path):
            v = rec.value
            for t in v.get("data", ()):  # X: code-point indices
                assert len(t["text"]) <= 280 and "  " not in t["text"]
                assert not re.search(r"\S(?=https://t\.co/)", t["text"]), t["text"]
                for h in t.get("entities", {}).get("hashtags", ()):
                    assert t["text"][h["start"] : h["end"]] == "#" + h["tag"]
                    seen["x"] += 1
                for m in t.get("entities", {}).get("mentions", ()):
                    assert t["text"][m["start"] : m["end"]] == "@" + m["username"]
            for pv in v.get("posts", ()):  # Bluesky: UTF-8 byte ranges
                text = pv["record"]["text"].encode()
                for f in pv["record"].get("facets", ()):
                    chunk = text[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode()
                    feat = f["features"][0]
                    if feat["$type"].endswith("#tag"):
                        assert chunk == "#" + feat["tag"]
                        seen["bluesky"] += 1
                    elif feat["$type"].endswith("#mention"):
                        assert chunk.startswith("@") and chunk.endswith(".bsky.social")
    assert seen["x"] > 100 and seen["bluesky"] > 10


# ------------------------------------------------------------------ meeting, chat, growth


def test_meeting_tag_concentrates_in_its_window(
    corpus: tuple[Path, dict[str, Any]], stored: tuple[Any, Posts]
) -> None:
    _out, truth = corpus
    _stats, posts = stored
    editions = truth["meeting"]["editions"]
    assert [e["year"] for e in editions] == [2021, 2022, 2023, 2024]
    assert editions[1]["tags"] == ["#RSNA22", "#RSNA2022"]
    everything = [p for plist in posts.values() for p in plist]
    for ed in editions:
        tags = {t.lstrip("#").lower() for t in ed["tags"]}
        tagged = [p for p in everything if tags & {h.lower() for h in p.hashtags}]
        assert len(tagged) == ed["posts"]["total"] > 0
        start = date.fromisoformat(ed["start"])
        end = date.fromisoformat(ed["end"])
        lo, hi = (date.fromisoformat(d) for d in ed["window"])
        days = [p.created_at.date() for p in tagged]
        assert all(lo <= d <= hi for d in days), ed["year"]
        during = sum(start <= d <= end for d in days)
        assert during == ed["posts"]["during"]
        assert during / len(days) >= 0.6
        # density: meeting days hold far more tag posts per day than the ±30 days around
        meeting_days = (end - start).days + 1
        tails = (hi - lo).days + 1 - meeting_days
        assert during / meeting_days > 5 * (len(days) - during) / tails


def test_registry_dates_agree_with_the_rsna_rule() -> None:
    rsna = default_registry().meeting("RSNA")
    assert rsna is not None
    known = [ed for ed in rsna.editions.values() if ed.dates_known and not ed.virtual]
    assert len(known) >= 5  # the virtual 2020 edition ran a day longer
    for ed in known:
        assert rsna_dates(ed.year) == (ed.start, ed.end), ed.year


def test_chat_times_without_a_tz_database_agree() -> None:
    from zoneinfo import ZoneInfo

    from radsocial.synth.schedule import _nth_weekday, _us_eastern_offset

    ny = ZoneInfo("America/New_York")
    for year in range(2011, 2030):
        for month in range(1, 13):
            d = _nth_weekday(year, month, C.CHAT_WEEKDAY, C.CHAT_WEEK_OF_MONTH)
            local = datetime(d.year, d.month, d.day, 20, tzinfo=ny)
            assert -local.utcoffset().total_seconds() / 3600 == _us_eastern_offset(d)


def test_tweetchat_answers_reply_to_their_questions(
    corpus: tuple[Path, dict[str, Any]], stored: tuple[Any, Posts]
) -> None:
    _out, truth = corpus
    _stats, posts = stored
    chat = truth["tweetchat"]
    assert chat["hashtag"] == "#JACR" and chat["platform"] == "x"
    sessions = chat["sessions"]
    assert len(sessions) == 48  # monthly, 2021-2024
    x = posts["x"]
    by_id = {p.platform_id: p for p in x}
    answered = 0
    for s in sessions:
        start = datetime.fromisoformat(s["start"])
        end = datetime.fromisoformat(s["end"])
        questions = s["questions"]
        assert list(questions) == [f"Q{k}" for k in range(1, len(questions) + 1)]
        for k, qid in questions.items():
            q = by_id[qid]
            assert q.text.startswith(f"{k} ") and q.author_handle == s["host"]
        in_session = [
            p
            for p in x
            if "jacr" in {h.lower() for h in p.hashtags} and start <= p.created_at < end
        ]
        assert len(in_session) == s["posts"]
        for p in in_session:
            if p.kind == "reply":
                k = p.text.split()[1]  # "@JACRJournal A2 ..."
                assert k.startswith("A")
                assert p.reply_to_id == questions["Q" + k[1:]]
                answered += 1
    jacr = [p for p in x if "jacr" in {h.lower() for h in p.hashtags}]
    assert len(jacr) == chat["posts"]  # no chat-tag post outside the sessions
    assert answered == sum(s["answers"] for s in sessions) > 0


def test_mastodon_replies_point_at_their_parents_local_id(stored: tuple[Any, Posts]) -> None:
    _stats, posts = stored
    local = {p.extras["id"]: p for p in posts["mastodon"]}
    replies = [p for p in posts["mastodon"] if p.kind == "reply"]
    assert replies
    for p in replies:
        base, _, parent = p.reply_to_id.rpartition("/api/v1/statuses/")
        assert base == "https://med-mastodon.com"
        assert parent in local and local[parent].created_at <= p.created_at


def test_growth_follows_the_published_rates(tmp_path: Path) -> None:
    truth = generate(tmp_path, posts=8000, start_year=2011, end_year=2016, formats="x-v2", seed=3)
    store = Store.open(tmp_path / "g.db")
    try:
        summary = import_paths(store, [str(tmp_path / "corpus")])
        by_year = store.stats()["by_year"]
    finally:
        store.close()
    assert summary.rejected == 0
    assert by_year == truth["platforms"]["x"]["by_year"]
    for year in range(2012, 2017):
        growth = by_year[str(year)] / by_year[str(year - 1)] - 1
        assert growth == pytest.approx(C.PUBLISHED_GROWTH[year], rel=0.03), year
    # default formats: only those with posts in 2011-2016 (X and, from 2017, no other)
    assert set(truth["platforms"]) == {"x"}


# ------------------------------------------------------------------ population, texts


def test_bios_say_the_role_the_generator_gave() -> None:
    from radsocial.analysis.stakeholder import StakeholderClassifier

    reg = default_registry()
    classifier = StakeholderClassifier(reg)
    pop = Population("x", 40_000, 1, date(2016, 1, 1), registry_entities(reg))
    agree = 0
    for idx in range(pop.size):
        a = pop.account(idx)
        agree += classifier.decide(a.handle, a.name, a.bio, "x").value == a.role
    assert agree / pop.size >= 0.97
    rsna = pop.entity("RSNA")
    assert rsna is not None and rsna.role == "professional_society"
    # heavy tail: the most active ranks have far more followers than the median
    soc = [pop.account(pop.offsets[pop.roles.index("radiologist")] + i) for i in range(50)]
    assert max(a.followers for a in soc) > 5 * sorted(a.followers for a in soc)[25]


def test_topic_tags_are_registry_tags() -> None:
    reg = default_registry()
    tags = {t for tags, _ in THEMES.values() for t, _w in tags} | {t for t, _ in EXTRA_TAGS}
    for tag in tags:
        assert reg.hashtag_kind(tag) in ("topic", "disease"), tag


def test_parameters_that_cannot_be_honoured(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="bluesky"):
        generate(tmp_path, posts=100, start_year=2016, end_year=2020, formats="x-v2,bluesky")
    with pytest.raises(ConfigError, match="unknown format"):
        generate(tmp_path, posts=100, formats="facebook")
    with pytest.raises(ConfigError, match="2011"):
        generate(tmp_path, posts=100, start_year=2009, end_year=2012)
    assert C.parse_formats("x-v2=3,mastodon=1") == {"x-v2": 3.0, "mastodon": 1.0}
    assert C.apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}


# ------------------------------------------------------------------ command


def test_command_help_and_run(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(generate_command, ["--help"])
    assert res.exit_code == 0
    for option in ("--posts", "--years", "--formats", "--seed", "--compress", "truth.json"):
        assert option in res.output
    out = tmp_path / "c"
    args = [str(out), "-n", "800", "--years", "2023-2024", "--compress", "gzip", "--json"]
    res = runner.invoke(generate_command, args)
    assert res.exit_code == 0, res.output
    truth = json.loads(res.output)
    assert truth == json.loads((out / "truth.json").read_text())
    assert truth["totals"]["posts"] == 800
    assert all(
        f["path"].endswith(".jsonl.gz") for p in truth["platforms"].values() for f in p["files"]
    )
    res = runner.invoke(generate_command, [str(out), "-n", "800", "--years", "2023-2024"])
    assert res.exit_code != 0 and "--force" in res.output
    res = runner.invoke(
        generate_command, [str(out), "--years", "2016-2025", "--start-year", "2016"]
    )
    assert res.exit_code != 0


def test_manifest_describes_itself(corpus: tuple[Path, dict[str, Any]]) -> None:
    out, truth = corpus
    assert truth["marker"] == MARKER
    assert truth["calibration"]["repost_share"]["x"]["value"] == 0.654
    assert (out / "README.md").read_text().startswith("# Synthetic radiology corpus")
    first = datetime.fromisoformat(truth["tweetchat"]["sessions"][0]["start"])
    assert first.tzinfo is not None and first.astimezone(UTC).hour in (0, 1)  # 20:00 New York
    assert first - datetime(2021, 1, 1, tzinfo=UTC) < timedelta(days=31)


# ------------------------------------------------------------------ the mark in the store


def test_imported_posts_carry_the_synthetic_mark(stored: tuple[Any, Posts]) -> None:
    (summary, _stats), posts = stored
    assert summary.synthetic == summary.posts_read > 0
    every = [p for ps in posts.values() for p in ps]
    assert every and all(p.extras.get("synthetic") is True for p in every)


def test_mark_survives_renormalize_and_real_data_is_not_marked(tmp_path: Path) -> None:
    from radsocial.analytics import SYNTHETIC_NOTE, run
    from radsocial.ingest import renormalize

    real = Path(__file__).parents[1] / "fixtures" / "x" / "twarc"
    with Store.open(tmp_path / "t.db") as store:
        first = import_paths(store, [str(real)])
        assert first.synthetic == 0 and first.new > 0
        assert not store.has_synthetic()
        real_report = run("summary", store, Selection())
        assert not real_report.synthetic and SYNTHETIC_NOTE not in real_report.notes
        assert "synthetic" not in real_report.to_json()
        generate(tmp_path / "g", posts=300, start_year=2024, end_year=2024, seed=3)
        second = import_paths(store, [str(tmp_path / "g" / "corpus")])
        assert second.synthetic == second.posts_read > 0
        assert store.has_synthetic()
        report = run("summary", store, Selection())
        assert report.synthetic and SYNTHETIC_NOTE in report.notes
        assert report.to_json()["synthetic"] is True
        assert SYNTHETIC_NOTE in report.to_markdown()
        renormalize(store)
        marks = Counter(
            p.extras.get("synthetic", False) for _pk, p in store.iter_posts(Selection())
        )
        out = tmp_path / "posts.csv"
        export_write((p for _pk, p in store.iter_posts(Selection())), out, "csv")
    assert marks[True] == second.new
    assert marks[False] == first.new
    with open(out, encoding="utf-8-sig", newline="") as f:
        exported = Counter(row["synthetic"] for row in csv.DictReader(f))
    assert exported == {"True": second.new, "False": first.new}
