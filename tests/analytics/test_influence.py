"""Influence ranks, rank moves, the network report and graph exports, on both backends.

Every expected number is counted by hand from the posts written in each test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from radsocial.analysis.base import Label
from radsocial.analytics import run
from radsocial.analytics.influence import (
    ACCOUNT_COLUMNS,
    competition_ranks,
    export_graph,
    influencers,
    network,
)
from radsocial.analytics.result import Report, empty_note
from radsocial.models import Account
from radsocial.store import Selection, Store
from radsocial.store.bulk import insert_dicts
from radsocial.store.labels import label_rows
from radsocial.store.schema import account_labels, accounts
from tests.analytics.test_graph import GEXF, post, write


def day(d: int, h: int = 12) -> datetime:
    return datetime(2024, 1, d, h, tzinfo=UTC)


def rows(rep: Report, table: str = "accounts") -> dict[str, dict[str, Any]]:
    """Rows keyed by their first text column (handle, or node id)."""
    t = rep.table(table)
    key = "handle" if "handle" in t.columns else t.columns[0]
    return {r[key]: r for r in t.to_dicts()}


def label_account(store: Store, account_id: str, value: str, method: str = "manual") -> None:
    with store.writer() as conn, conn.begin():
        pk = conn.execute(sa.select(accounts.c.id).where(accounts.c.account_id == account_id))
        lab = Label("stakeholder", value, 1.0, (), method, "1.0", "test")
        insert_dicts(conn, account_labels, list(label_rows("account_pk", pk.scalar_one(), [lab])))


def test_competition_ranks() -> None:
    assert competition_ranks([3, 1, 3, 2, None]) == [1, 4, 1, 3, 5]
    # floating-point noise between equivalent accounts is a tie, not an order
    assert competition_ranks([0.1 + 0.2, 0.3, 0.29]) == [1, 1, 3]


def test_star_ranks_the_centre_first_with_its_numbers(store: Store) -> None:
    # Four leaves mention the centre; the centre posts twice with 1,000 followers.
    write(
        store,
        [
            *(post(f"leaf{i}", at=day(2), mentions=("Center",), followers=10) for i in range(4)),
            post("Center", at=day(2), followers=1000),
            post("Center", at=day(3), followers=1000),
        ],
    )
    label_account(store, "id-center", "professional_society")
    rep = influencers(store, Selection())
    assert rep.kind == "influence"
    t = rep.table("accounts")
    assert t.columns == ACCOUNT_COLUMNS
    assert t.chart == {"kind": "bar", "x": "handle", "y": ["pagerank"]}
    top = t.to_dicts()[0]
    assert top["handle"] == "Center" and top["rank"] == 1
    assert top["stakeholder"] == "professional_society"
    assert (top["posts"], top["mentions_received"], top["impressions"], top["followers"]) == (
        2,
        4,
        2000,
        1000,
    )
    assert top["authority"] == pytest.approx(1.0) and top["hub"] == 0.0
    leaves = t.to_dicts()[1:]
    assert {r["rank"] for r in leaves} == {2}  # equivalent leaves share a rank
    assert all(r["hub"] == pytest.approx(1.0) for r in leaves)
    assert rep.metrics == {
        "accounts": 5,
        "authors": 5,
        "edges": 4,
        "interactions": 4,
        "impressions": 2040,
        "previous_accounts": 0,
    }
    # whole UTC days of the data: Jan 2 00:00 – Jan 4 00:00; previous Dec 31 – Jan 2
    assert (rep.params["since"], rep.params["until"]) == (
        "2024-01-02T00:00:00+00:00",
        "2024-01-04T00:00:00+00:00",
    )
    assert rep.params["previous_since"] == "2023-12-31T00:00:00+00:00"
    assert any("no rank moves" in n for n in rep.notes)
    assert any(n.startswith("Impressions are theoretical") for n in rep.notes)


def test_rank_by_posts_mentions_and_impressions(store: Store) -> None:
    # a: 3 posts × 10 followers = 30; b: 1 post × 500 = 500; c: 2 posts × 10 = 20.
    # Mentions received: c 3 (a×2 in two posts, b once), a 1 (from b), b 0.
    write(
        store,
        [
            post("a", mentions=("c",), followers=10),
            post("a", mentions=("c",), followers=10),
            post("a", followers=10),
            post("b", mentions=("c", "a"), followers=500),
            post("c", followers=10),
            post("c", followers=10),
        ],
    )

    def ranking(by: str) -> dict[str, int]:
        rep = influencers(store, Selection(), rank_by=by, compare=False)  # type: ignore[arg-type]
        return {h: r["rank"] for h, r in rows(rep).items()}

    assert ranking("posts") == {"a": 1, "c": 2, "b": 3}
    assert ranking("mentions") == {"c": 1, "a": 2, "b": 3}
    assert ranking("impressions") == {"b": 1, "a": 2, "c": 3}
    rep = influencers(store, Selection(), rank_by="impressions", compare=False, n=2)
    assert [r["handle"] for r in rep.table("accounts").to_dicts()] == ["b", "a"]
    assert rep.table("accounts").chart == {"kind": "bar", "x": "handle", "y": ["impressions"]}
    assert "previous_since" not in rep.params
    assert {r["previous_rank"] for r in rep.table("accounts").to_dicts()} == {None}


def test_rank_moves_against_the_previous_period(store: Store) -> None:
    # Previous week (Jan 1–8): p1 mentions a, b, c; p2 mentions a, b; p3 mentions a.
    #   mentions: a 3, b 2, c 1, p1–p3 0  ->  ranks a 1, b 2, c 3, p* 4
    # This week (Jan 8–15): p1 mentions c, a, b; p2 c, a; p3 c; p4 (new) mentions d.
    #   mentions: c 3, a 2, b 1, d 1, p1–p4 0  ->  ranks c 1, a 2, b 3, d 3, p* 5
    write(
        store,
        [
            post("p1", at=day(2), mentions=("a", "b", "c")),
            post("p2", at=day(3), mentions=("a", "b")),
            post("p3", at=day(4), mentions=("a",)),
            post("p1", at=day(9), mentions=("c", "a", "b")),
            post("p2", at=day(10), mentions=("c", "a")),
            post("p3", at=day(11), mentions=("c",)),
            post("p4", at=day(12), mentions=("d",)),
        ],
    )
    sel = Selection(since=day(8, 0), until=day(15, 0))
    rep = influencers(store, sel, rank_by="mentions")
    got = {h: (r["rank"], r["previous_rank"], r["rank_move"]) for h, r in rows(rep).items()}
    assert got == {
        "c": (1, 3, 2),
        "a": (2, 1, -1),
        "b": (3, 2, -1),
        "d": (3, None, None),
        "p1": (5, 4, -1),
        "p2": (5, 4, -1),
        "p3": (5, 4, -1),
        "p4": (5, None, None),
    }
    # b and d tie on mentions; d is listed first for its higher PageRank (all of p4's
    # share, where b has a third of p1's)
    assert [r["handle"] for r in rep.table("accounts").to_dicts()][:4] == ["c", "a", "d", "b"]
    assert (rep.params["previous_since"], rep.params["previous_until"]) == (
        "2024-01-01T00:00:00+00:00",
        "2024-01-08T00:00:00+00:00",
    )
    assert rep.metrics["previous_accounts"] == 6
    # By PageRank the order of this week is the same at the top, and so are the moves of
    # the three mentioned accounts (a, b, c form the same shape a week apart, reversed).
    pr = rows(influencers(store, sel))
    assert pr["c"]["rank"] == 1 and pr["c"]["rank_move"] == 2


def test_an_open_period_is_completed_from_the_data(store: Store) -> None:
    # since Jan 10 only: the period ends with the data's last whole day (Jan 13 00:00),
    # so the previous period is Jan 7–10 and holds the Jan 8 post.
    write(
        store,
        [
            post("old", at=day(8), mentions=("x",)),
            post("new", at=day(10), mentions=("x",)),
            post("new", at=day(12), mentions=("y",)),
        ],
    )
    rep = influencers(store, Selection(since=day(10, 0)), rank_by="mentions")
    assert rep.params["until"] == "2024-01-13T00:00:00+00:00"
    assert rep.params["previous_since"] == "2024-01-07T00:00:00+00:00"
    got = {h: (r["rank"], r["previous_rank"]) for h, r in rows(rep).items()}
    assert got == {"x": (1, 1), "y": (1, None), "new": (3, None)}


def test_mentioned_only_account_gets_followers_and_label(store: Store) -> None:
    famous = Account("x", "id-famous", handle="FamousRad", followers=5000, observed_at=day(1))
    write(store, [post("fan", at=day(2), mentions=("famousrad",))], accounts=[famous])
    label_account(store, "id-famous", "radiologist")
    r = rows(influencers(store, Selection()))["FamousRad"]
    assert (r["followers"], r["stakeholder"], r["posts"], r["impressions"]) == (
        5000,
        "radiologist",
        0,
        0,
    )


def test_empty_selection_gives_an_empty_report(store: Store) -> None:
    sel = Selection(hashtags=("nothing",))
    rep = influencers(store, sel)
    assert rep.empty and rep.notes == [empty_note(sel.describe())]
    assert rep.table("accounts").columns == ACCOUNT_COLUMNS
    net = network(store, sel)
    assert net.empty and net.notes == [empty_note(sel.describe())]
    assert [t.name for t in net.tables] == ["nodes", "edges", "communities"]
    assert run("influence", store, Selection()).notes == [empty_note({})]
    assert "No post matches" in network(store, sel, kind="cohashtag").to_markdown()


def test_posts_without_interactions_give_an_empty_graph(store: Store) -> None:
    write(store, [post("alone", at=day(5), hashtags=("solo",))])
    rep = network(store, Selection())
    assert rep.empty and rep.notes == ["No interactions in this selection: the graph is empty."]
    tags = network(store, Selection(), kind="cohashtag")
    assert tags.notes == ["No post in this selection carries two hashtags: the graph is empty."]
    ranked = influencers(store, Selection(), compare=False)
    assert [r["handle"] for r in ranked.table("accounts").to_dicts()] == ["alone"]
    assert ranked.table("accounts").rows[0][ACCOUNT_COLUMNS.index("pagerank")] == 1.0


def test_bad_parameters(store: Store) -> None:
    with pytest.raises(ValueError, match="rank_by"):
        influencers(store, Selection(), rank_by="likes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must be at least 1"):
        influencers(store, Selection(), n=0)
    with pytest.raises(ValueError, match="kind"):
        network(store, Selection(), kind="follows")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_nodes"):
        network(store, Selection(), max_nodes=0)


def two_cliques(store: Store) -> None:
    """a, b, c mention each other; so do d, e, f; a mentions b in two posts."""
    out = []
    for group in (("a", "b", "c"), ("d", "e", "f")):
        for who in group:
            out.append(post(who, at=day(5), mentions=tuple(m for m in group if m != who)))
    out.append(post("a", at=day(5), mentions=("b",)))
    write(store, out)


def test_network_report_finds_two_communities(store: Store) -> None:
    two_cliques(store)
    rep = network(store, Selection())
    assert rep.kind == "network"
    nodes = rows(rep, "nodes")
    assert set(nodes) == {f"x:{h}" for h in "abcdef"}
    assert nodes["x:b"]["in_weight"] == 3 and nodes["x:a"]["out_weight"] == 3
    assert {nodes[f"x:{h}"]["community"] for h in "abc"} == {0}
    assert {nodes[f"x:{h}"]["community"] for h in "def"} == {1}
    comms = rep.table("communities").to_dicts()
    assert [(c["community"], c["size"], c["share_pct"]) for c in comms] == [
        (0, 3, 50.0),
        (1, 3, 50.0),
    ]
    assert comms[0]["weight_inside"] == 7 and comms[0]["top_members"][0] == "b"
    edges = rep.table("edges").to_dicts()
    assert edges[0] == {
        "source": "x:a",
        "target": "x:b",
        "weight": 2,
        "kind": "mention",
        "mentions": 2,
        "replies": 0,
        "reposts": 0,
    }
    assert len(edges) == 12
    chart = rep.table("nodes").chart
    assert chart is not None and chart["kind"] == "network" and chart["directed"] is True
    assert rep.metrics["communities"] == 2 and rep.metrics["nodes"] == 6
    assert rep.params["community_method"] == "louvain"
    # Two cliques of 6 and 6 edge weight, one of 7: Q = 7/13 − (14/26)² + 6/13 − (12/26)²
    assert rep.metrics["modularity"] == pytest.approx(
        7 / 13 - (14 / 26) ** 2 + 6 / 13 - (12 / 26) ** 2, abs=1e-4
    )
    assert "top_members" in rep.to_markdown() and rep.to_json()["report"] == "network"


def test_network_keeps_the_nodes_of_highest_pagerank(store: Store) -> None:
    # A star (four leaves mention "center") beside a pair (x mentions y). Accounts that
    # receive nothing share the lowest PageRank; y receives all of x's share, the centre
    # the shares of four leaves: the two highest are the centre, then y.
    write(
        store,
        [
            *(post(f"leaf{i}", at=day(5), mentions=("center",)) for i in range(4)),
            post("x", at=day(5), mentions=("y",)),
        ],
    )
    rep = network(store, Selection(), max_nodes=2)
    assert rep.metrics["shown_nodes"] == 2 and rep.metrics["nodes"] == 7
    assert [r["id"] for r in rep.table("nodes").to_dicts()] == ["x:center", "x:y"]
    assert rep.metrics["shown_edges"] == 0 and rep.metrics["edges"] == 5
    assert rep.metrics["communities"] == 2
    assert any(n.startswith("Showing the 2 nodes of highest PageRank") for n in rep.notes)


def test_cohashtag_network_leaves_out_the_selected_tag(store: Store) -> None:
    write(
        store,
        [
            post("u1", at=day(5), hashtags=("RSNA24", "AI", "MRI")),
            post("u2", at=day(5), hashtags=("rsna24", "ai", "mri")),
            post("u3", at=day(5), hashtags=("RSNA24", "ai")),
        ],
    )
    rep = network(store, Selection(hashtags=("RSNA24",)), kind="cohashtag")
    assert set(rows(rep, "nodes")) == {"ai", "mri"}
    assert rep.table("edges").rows == [["ai", "mri", 2]]
    assert rows(rep, "nodes")["ai"]["posts"] == 3
    assert any("#rsna24" in n for n in rep.notes)
    kept = network(
        store, Selection(hashtags=("RSNA24",)), kind="cohashtag", keep_selected_tags=True
    )
    assert set(rows(kept, "nodes")) == {"ai", "mri", "rsna24"}


def test_export_graph_files(store: Store, tmp_path: Path) -> None:
    two_cliques(store)
    [gexf] = export_graph(store, Selection(), tmp_path / "conv.gexf")
    graph = ET.parse(gexf).getroot().find(f"{GEXF}graph")
    assert graph is not None
    assert len(list(graph.iter(f"{GEXF}node"))) == 6
    assert len(list(graph.iter(f"{GEXF}edge"))) == 12
    declared = {a.get("id") for a in graph.iter(f"{GEXF}attribute")}
    assert {"pagerank", "authority", "hub", "community", "stakeholder"} <= declared
    [graphml] = export_graph(store, Selection(), tmp_path / "conv.graphml", "graphml")
    assert ET.parse(graphml).getroot().tag.endswith("graphml")
    paths = export_graph(store, Selection(), tmp_path / "tags.csv", "csv", kind="cohashtag")
    assert [p.name for p in paths] == ["tags-nodes.csv", "tags-edges.csv"]
    assert paths[1].read_text(encoding="utf-8") == "Source,Target,Type,Weight,kind\n"


def test_exports_read_with_networkx(store: Store, tmp_path: Path) -> None:
    nx = pytest.importorskip("networkx")  # not a dependency: checked where installed
    two_cliques(store)
    for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        [path] = export_graph(store, Selection(), tmp_path / f"conv.{fmt}", fmt)
        g = read(path)
        assert g.is_directed() and g.number_of_nodes() == 6 and g.number_of_edges() == 12
        assert g.edges["x:a", "x:b"]["weight"] == 2.0
        assert g.nodes["x:b"]["community"] == 0 and g.nodes["x:b"]["posts"] == 1


def test_export_of_an_empty_selection_is_a_valid_empty_graph(store: Store, tmp_path: Path) -> None:
    [p] = export_graph(store, Selection(since=day(1) + timedelta(days=400)), tmp_path / "e.gexf")
    graph = ET.parse(p).getroot().find(f"{GEXF}graph")
    assert graph is not None and list(graph.iter(f"{GEXF}node")) == []
