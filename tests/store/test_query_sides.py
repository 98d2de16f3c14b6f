"""Selections with a period and a hashtag or kind select the same posts whichever side
SQLite is steered to read first (queries._Sides), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from radsocial.analytics import run
from radsocial.models import Post, RawRecord
from radsocial.store import Selection, Store, queries

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _posts() -> list[Post]:
    """200 posts over 200 hours; #rare on 4 of them, #common on every other one."""
    out = []
    for i in range(200):
        tags = ["common"] if i % 2 == 0 else []
        if i in (10, 11, 150, 151):
            tags.append("rare")
        out.append(
            Post(
                platform="x",
                platform_id=str(1000 + i),
                created_at=T0 + timedelta(hours=i),
                text=" ".join("#" + t for t in tags) + f" post {i}",
                author_id=str(i % 7),
                author_handle=f"user{i % 7}",
                kind="reply" if i % 5 == 0 else "original",
                hashtags=tuple(tags),
            )
        )
    return out


@pytest.fixture
def filled(store: Store) -> Store:
    store.write_batch([(RawRecord(format="x-v2", payload=b"t", source="t", line=1), _posts())])
    return store


def _expected(
    since: datetime, until: datetime, tag: str | None = None, kind: str | None = None
) -> set[str]:
    return {
        p.platform_id
        for p in _posts()
        if since <= p.created_at < until
        and (tag is None or tag in p.hashtags)
        and (kind is None or p.kind == kind)
    }


@pytest.mark.parametrize(
    ("hours", "tag", "kind"),
    [
        ((5, 8), "common", None),  # the period is smaller: walk the period
        ((0, 200), "rare", None),  # the tag is smaller: walk the tag
        ((140, 160), "rare", None),
        ((5, 8), None, "reply"),
        ((0, 200), None, "reply"),
        ((20, 60), "common", "reply"),
    ],
)
@pytest.mark.parametrize("cap", [None, 2])
def test_both_sides_select_the_same_posts(
    filled: Store,
    monkeypatch: pytest.MonkeyPatch,
    hours: tuple[int, int],
    tag: str | None,
    kind: str | None,
    cap: int | None,
) -> None:
    if cap is not None:  # both sides over the cap: the day rollups' totals decide
        from radsocial.store import rollups

        rollups.refresh(filled)
        monkeypatch.setattr(queries, "_ESTIMATE_CAP", cap)
    since, until = T0 + timedelta(hours=hours[0]), T0 + timedelta(hours=hours[1])
    sel = Selection(
        hashtags=(tag,) if tag else (), kinds=(kind,) if kind else (), since=since, until=until
    )
    got = {p.platform_id for p in filled.search(sel, limit=1000)}
    assert got == _expected(since, until, tag, kind)


def test_co_hashtags_with_a_short_period(filled: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The EXISTS form inside a query that joins post_hashtags itself (co-hashtags)."""
    sel = Selection(
        hashtags=("rare",), since=T0 + timedelta(hours=9), until=T0 + timedelta(hours=12)
    )
    rep = run("top", filled, sel, what="hashtags")
    table = rep.tables[0]
    tags = {row[table.columns.index("hashtag")] for row in table.rows}
    assert "common" in tags  # post 10 has both tags
    # and the same with the period side forced, whatever the counts say
    monkeypatch.setattr(queries._Sides, "period_first", lambda self, other, *_: self.active)
    rep2 = run("top", filled, sel, what="hashtags")
    assert rep2.tables[0].rows == rep.tables[0].rows
