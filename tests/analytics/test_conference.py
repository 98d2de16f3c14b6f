"""The conference report on the hand-made RSNA 2019 store of test_summary_timeseries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from radsocial.analytics import run
from radsocial.analytics.conference import resolve
from radsocial.knowledge.registry import default_registry
from radsocial.models import RawRecord
from radsocial.store import Selection, Store, rollups
from tests.analytics.test_summary_timeseries import corpus


@pytest.fixture
def filled(store: Store) -> Store:
    store.write_batch([(RawRecord("test", b"{}", "hand-made"), corpus())])
    rollups.refresh(store)
    return store


def test_resolve_meeting_names() -> None:
    reg = default_registry()
    m, y, tags = resolve("RSNA2019", None, reg)
    assert m is not None and m.key == "RSNA" and y == 2019
    assert {"RSNA19", "RSNA2019"} <= set(tags)
    assert resolve("RSNA", 2017, reg)[1] == 2017
    assert resolve("#RSNA17", None, reg)[0] is not None
    assert resolve("#MyMeeting24,#MM24", None, reg) == (None, None, ("MyMeeting24", "MM24"))
    with pytest.raises(ValueError, match="meeting"):
        resolve("NOSUCHTHING", None, reg)
    with pytest.raises(ValueError, match="which year"):
        resolve("RSNA", None, reg)


def test_conference_report_by_hand(filled: Store) -> None:
    rep = run("conference", filled, Selection(), meeting="RSNA19", days_before=1, days_after=1)
    assert rep.params["window_source"] == "registry"
    assert (rep.params["start"], rep.params["end"]) == ("2019-12-01", "2019-12-06")
    phases = {r[0]: r for r in rep.table("phases").rows}
    assert phases["before"][3] == 1  # post 6 on 11-30
    assert phases["during"][3] == 4  # posts 1-4
    assert phases["after"][3] == 0
    assert rep.metrics["posts"] == 4 and rep.metrics["participants"] == 3
    heat = rep.table("heatmap")
    assert len(heat.rows) == 6 * 24 and sum(heat.column("posts")) == 4
    assert rep.table("participants").column("account")[0] == "alice"
    assert rep.table("cohashtags").column("hashtag") == ["ai", "radres"]
    mix = rep.table("stakeholders")
    assert mix.rows[0][0] == "unknown" and mix.rows[0][2] == 4
    yoy = rep.table("year_over_year")
    assert yoy.rows[-1][0] == 2019 and yoy.rows[-1][4] == 4
    # RSNA 2018 ran 11-25..11-30: the #RSNA18 post of 12-01 falls outside its window
    y2018 = next(r for r in yoy.rows if r[0] == 2018)
    assert (y2018[2], y2018[3], y2018[4]) == ("2018-11-25", "2018-11-30", 0)


def test_chicago_time_moves_the_heat_map(filled: Store) -> None:
    rep = run("conference", filled, Selection(), meeting="RSNA19", tz="America/Chicago")
    hours = [r[1] for r in rep.table("heatmap").rows if r[2]]
    assert 4 in hours  # post 1 at 10:00 UTC is 04:00 in Chicago


def test_window_inferred_for_ad_hoc_tags(filled: Store) -> None:
    rep = run("conference", filled, Selection(), meeting="#AI")
    assert rep.params["window_source"] == "inferred from activity"
    assert rep.params["start"] == "2019-12-01"
    given = run(
        "conference",
        filled,
        Selection(),
        meeting="#AI",
        start=date(2019, 12, 2),
        end=date(2019, 12, 2),
    )
    assert given.metrics["posts"] == 2  # posts 5 and 9


def test_unknown_tag_is_empty_and_says_so(filled: Store) -> None:
    rep = run("conference", filled, Selection(), meeting="#nothinghere")
    assert rep.notes and not rep.tables


def test_sentiment_counts_each_post_once_by_its_effective_label(filled: Store) -> None:
    """The meeting's sentiment table, counted in one pass, equals a count per value with
    `post_label_is`: a manual code overrides the machine label, and a post two coders
    coded alike counts once."""
    import sqlalchemy as sa

    from radsocial.store.bulk import insert_dicts
    from radsocial.store.queries import post_label_is, where
    from radsocial.store.schema import post_labels, posts

    now = datetime(2026, 1, 1, tzinfo=UTC)
    with filled.engine.begin() as conn:
        ids = dict(conn.execute(sa.select(posts.c.platform_id, posts.c.id)).all())

        def row(pid: str, value: str, method: str, coder: str = "") -> dict[str, object]:
            return {
                "post_id": ids[pid],
                "task": "sentiment",
                "value": value,
                "method": method,
                "coder": coder,
                "score": None,
                "reasons": None,
                "version": "t",
                "classifier": "test",
                "created_at": now,
            }

        insert_dicts(
            conn,
            post_labels,
            [
                row("1", "positive", "rule"),
                row("1", "negative", "manual", "a"),
                row("1", "negative", "manual", "b"),
                row("2", "positive", "rule"),
                row("3", "positive", "rule"),
                row("4", "neutral", "rule"),
                row("4", "neutral", "manual", "a"),
            ],
        )
    rep = run("conference", filled, Selection(), meeting="RSNA19", days_before=1, days_after=1)
    got = dict(rep.table("sentiment").rows)
    assert got == {"positive": 2, "neutral": 1, "negative": 1}
    during = Selection(
        hashtags=("RSNA19", "RSNA2019"),
        since=datetime(2019, 12, 1, tzinfo=UTC),
        until=datetime(2019, 12, 7, tzinfo=UTC),
    )
    with filled.engine.connect() as conn:
        for value, n in got.items():
            q = sa.select(sa.func.count()).where(
                *where(conn, during), post_label_is("sentiment", [value])
            )
            assert conn.execute(q).scalar_one() == n
    assert rep.metrics["net_sentiment"] == round((2 - 1) / 4, 3)
