"""Graphs from the store (both backends) and in memory: edges, scores, communities, exports.

Every expectation is counted by hand from the posts written in each test.
"""

from __future__ import annotations

import csv
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from radsocial.analytics import graph as G
from radsocial.analytics.graph import (
    SocialGraph,
    build_cohashtag_graph,
    build_interaction_graph,
    communities,
    graph_from_edges,
    hits,
    pagerank,
    score_graph,
    write_graph,
)
from radsocial.models import Account, Post, RawRecord
from radsocial.store import Selection, Store

T0 = datetime(2024, 3, 1, 12, tzinfo=UTC)
_ids = itertools.count(1)
GEXF = "{http://gexf.net/1.3}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def post(
    handle: str,
    *,
    pid: str | None = None,
    at: datetime = T0,
    followers: int | None = 100,
    platform: str = "x",
    **kw: Any,
) -> Post:
    """A post by `handle` (account id "id-<handle lowercase>") with its author attached."""
    author = Account(platform, f"id-{handle.lower()}", handle=handle, followers=followers)
    return Post(
        platform=platform,
        platform_id=pid or f"p{next(_ids)}",
        created_at=at,
        text=f"a post by {handle}",
        author_id=author.account_id,
        author_handle=handle,
        author=author,
        **kw,
    )


def write(store: Store, posts: Sequence[Post], accounts: Sequence[Account] = ()) -> None:
    raw = RawRecord("test", f"batch {next(_ids)}".encode(), "hand-made")
    store.write_batch([(raw, list(posts))], accounts=accounts)


def interaction(store: Store, sel: Selection | None = None, **kw: Any) -> SocialGraph:
    with store.engine.connect() as conn:
        return build_interaction_graph(conn, sel or Selection(), **kw)


def edges_of(sg: SocialGraph) -> dict[tuple[str, str], dict[str, Any]]:
    g = sg.graph
    names = g.vs["name"]
    out = {}
    for e, (s, t) in enumerate(g.get_edgelist()):
        out[(names[s], names[t])] = {k: g.es[e][k] for k in ("weight", *sg.edge_fields)}
    return out


def vertex(sg: SocialGraph, name: str) -> dict[str, Any]:
    return sg.graph.vs.find(name=name).attributes()


# --------------------------------------------------------------------------- edges


def conversation() -> list[Post]:
    """hub posts h1; alice mentions Hub, then replies to h1 mentioning it (one post,
    counted once); bob reposts h1 ("RT @hub", so the mention comes along) and mentions
    himself; carol replies to a post that is not stored, by an account not stored; dave
    reposts a post that is not stored; erin replies to h1 without the author's id."""
    return [
        post("Hub", pid="h1", followers=1000),
        post("alice", mentions=("Hub",)),
        post(
            "alice", kind="reply", reply_to_id="h1", reply_to_author_id="id-hub", mentions=("hub",)
        ),
        post("bob", kind="repost", repost_of_id="h1", mentions=("hub",)),
        post("bob", mentions=("BOB",)),
        post("carol", kind="reply", reply_to_id="zzz", reply_to_author_id="id-ghost"),
        post("dave", kind="repost", repost_of_id="missing"),
        post("erin", kind="reply", reply_to_id="h1"),
    ]


def test_edges_count_posts_per_pair_and_kind(store: Store) -> None:
    write(store, conversation())
    sg = interaction(store)
    assert edges_of(sg) == {
        ("x:alice", "x:hub"): {
            "weight": 2.0,
            "kind": "mention+reply",
            "mentions": 2,
            "replies": 1,
            "reposts": 0,
        },
        ("x:bob", "x:hub"): {
            "weight": 1.0,
            "kind": "mention+repost",
            "mentions": 1,
            "replies": 0,
            "reposts": 1,
        },
        ("x:carol", "x:id:id-ghost"): {
            "weight": 1.0,
            "kind": "reply",
            "mentions": 0,
            "replies": 1,
            "reposts": 0,
        },
        ("x:erin", "x:hub"): {
            "weight": 1.0,
            "kind": "reply",
            "mentions": 0,
            "replies": 1,
            "reposts": 0,
        },
    }
    hub = vertex(sg, "x:hub")
    assert hub["label"] == "Hub"  # as written; the key is lowercase
    assert (hub["posts"], hub["followers"], hub["impressions"]) == (1, 1000, 1000)
    assert (hub["mentions_received"], hub["replies_received"], hub["reposts_received"]) == (3, 2, 1)
    assert vertex(sg, "x:id:id-ghost")["label"] == "id-ghost"
    assert "x:dave" not in sg.graph.vs["name"]  # no edge, not asked for isolated authors
    assert sg.info["unresolved"] == 1
    assert sg.info["interactions"] == 5
    assert any("1 replies or reposts point at posts" in n for n in sg.notes)


def test_isolated_authors_min_weight_and_quotes(store: Store) -> None:
    write(
        store,
        [
            *conversation(),
            post("fay", kind="quote", quote_of_id="h1"),
        ],
    )
    sg = interaction(store, include_isolated=True)
    assert vertex(sg, "x:dave")["posts"] == 1
    assert vertex(sg, "x:fay")["posts"] == 1
    assert sg.graph.degree(sg.graph.vs.find(name="x:fay").index) == 0  # quotes not by default
    assert set(edges_of(interaction(store, min_weight=2))) == {("x:alice", "x:hub")}
    quoted = interaction(store, kinds=("quote",))
    assert edges_of(quoted) == {("x:fay", "x:hub"): {"weight": 1.0, "kind": "quote", "quotes": 1}}
    with pytest.raises(ValueError, match="interaction kinds"):
        interaction(store, kinds=("like",))


def test_nodes_are_lowercase_handles_per_platform(store: Store) -> None:
    write(
        store,
        [
            post("RSNA", platform="x", mentions=("acr",)),
            post("rsna", platform="bluesky", mentions=("ACR",)),
            post("Someone", platform="x", mentions=("rsna",)),
        ],
    )
    sg = interaction(store)
    assert sorted(sg.graph.vs["name"]) == [
        "bluesky:acr",
        "bluesky:rsna",
        "x:acr",
        "x:rsna",
        "x:someone",
    ]
    assert vertex(sg, "x:rsna")["mentions_received"] == 1
    assert vertex(sg, "bluesky:rsna")["mentions_received"] == 0


def test_selection_limits_the_edges(store: Store) -> None:
    write(
        store,
        [
            post("a", mentions=("b",), hashtags=("RSNA24",)),
            post("c", mentions=("d",), hashtags=("other",)),
            post("e", mentions=("b",), at=datetime(2024, 5, 1, tzinfo=UTC), hashtags=("RSNA24",)),
        ],
    )
    sg = interaction(store, Selection(hashtags=("rsna24",), until=datetime(2024, 4, 1, tzinfo=UTC)))
    assert set(edges_of(sg)) == {("x:a", "x:b")}


# --------------------------------------------------------------------------- scores


def test_pagerank_of_two_accounts_by_hand() -> None:
    # a -> b, damping 0.85; b mentions no one, so its score spreads over both:
    # a = 0.15/2 + 0.85·b/2 and b = 1 - a  =>  a = 0.5/1.425 = 0.350877…
    sg = graph_from_edges([("a", "b", 1.0)])
    pr = pagerank(sg.graph)
    assert pr == pytest.approx([0.5 / 1.425, 1 - 0.5 / 1.425], abs=1e-9)
    assert pagerank(graph_from_edges([]).graph) == []


def test_star_center_has_top_pagerank_and_authority(store: Store) -> None:
    # 60 accounts each mention the centre once: a star. The centre is the only
    # authority; every leaf is an equal hub. With 60 of 61 authority scores zero, igraph
    # warns; the warning (an error under this suite's filter) becomes a note instead.
    write(store, [post(f"leaf{i:02d}", mentions=("center",)) for i in range(60)])
    sg = score_graph(interaction(store))
    g = sg.graph
    c = g.vs.find(name="x:center").index
    assert max(range(g.vcount()), key=lambda v: g.vs[v]["pagerank"]) == c
    assert g.vs[c]["authority"] == pytest.approx(1.0)
    assert g.vs[c]["hub"] == 0.0
    leaves = [v for v in range(g.vcount()) if v != c]
    assert {round(g.vs[v]["hub"], 9) for v in leaves} == {1.0}
    assert {g.vs[v]["authority"] for v in leaves} == {0.0}
    assert sum(g.vs["pagerank"]) == pytest.approx(1.0)
    assert any(n.startswith("HITS: more than 30 %") for n in sg.notes)
    assert sg.info["communities"] == 1


def test_a_mention_from_an_influential_account_weighs_more(store: Store) -> None:
    # Five accounts mention "big"; big mentions x; a leaf mentions y. x and y each get one
    # mention, but x's comes from the account everyone mentions.
    write(
        store,
        [
            *(post(f"fan{i}", mentions=("big",)) for i in range(5)),
            post("big", mentions=("x",)),
            post("leaf", mentions=("y",)),
        ],
    )
    sg = score_graph(interaction(store), community=None)
    x, y = vertex(sg, "x:x"), vertex(sg, "x:y")
    assert x["mentions_received"] == y["mentions_received"] == 1
    assert x["pagerank"] > 2 * y["pagerank"]
    assert "community" not in sg.graph.vs.attributes()


def test_hits_without_edges_is_zero() -> None:
    notes: list[str] = []
    g = graph_from_edges([]).graph
    g.add_vertices(3)
    assert hits(g, notes=notes) == ([0.0] * 3, [0.0] * 3)
    assert notes == ["No interactions: hub and authority scores are 0."]


# --------------------------------------------------------------------------- communities


def cliques(sizes: Sequence[int]) -> SocialGraph:
    """Disjoint cliques named c<clique>_<member>, every ordered pair an edge."""
    edges = []
    for k, n in enumerate(sizes):
        members = [f"c{k}_{i}" for i in range(n)]
        edges += [(a, b, 1.0) for a in members for b in members if a != b]
    return graph_from_edges(edges)


def test_two_disconnected_cliques_are_two_communities() -> None:
    sg = cliques([3, 3])
    membership, q, used = communities(sg.graph)
    assert membership == [0, 0, 0, 1, 1, 1]
    # Q = Σ_c (inside_c / m − (deg_c / 2m)²) = 2 · (3/6 − (6/12)²) = 0.5
    assert q == pytest.approx(0.5)
    assert used == "louvain"


def test_communities_are_numbered_by_size_and_repeatable() -> None:
    sg = cliques([2, 4, 3])
    first = communities(sg.graph)[0]
    assert first == [2, 2, 0, 0, 0, 0, 1, 1, 1]
    assert all(communities(sg.graph)[0] == first for _ in range(5))


def test_auto_switches_to_leiden_on_big_graphs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(G, "LOUVAIN_MAX_EDGES", 5)
    notes: list[str] = []
    membership, q, used = communities(cliques([3, 3]).graph, notes=notes)
    assert (membership, used) == ([0, 0, 0, 1, 1, 1], "leiden")
    assert q == pytest.approx(0.5)
    assert notes and notes[0].startswith("Communities by Leiden")
    assert communities(cliques([3, 3]).graph, method="louvain")[2] == "louvain"


# --------------------------------------------------------------------------- co-hashtags


def test_cohashtag_weights_caps_and_exclusions(store: Store) -> None:
    write(
        store,
        [
            post("u1", hashtags=("A", "b", "c")),
            post("u2", hashtags=("a", "B")),
            post("u3", hashtags=("a", "d")),
            post("u4", hashtags=("b",)),
        ],
    )

    def pairs(**kw: Any) -> dict[tuple[str, str], float]:
        with store.engine.connect() as conn:
            sg = build_cohashtag_graph(conn, Selection(), **kw)
        names = sg.graph.vs["name"]
        return {
            tuple(sorted((names[s], names[t]))): w  # type: ignore[misc]
            for (s, t), w in zip(sg.graph.get_edgelist(), sg.graph.es["weight"], strict=True)
        }

    assert pairs() == {("a", "b"): 2, ("a", "c"): 1, ("b", "c"): 1, ("a", "d"): 1}
    assert pairs(min_weight=2) == {("a", "b"): 2}
    assert pairs(top=2) == {("a", "b"): 2, ("a", "c"): 1}
    assert pairs(exclude=("#A",)) == {("b", "c"): 1}
    with store.engine.connect() as conn:
        sg = build_cohashtag_graph(conn, Selection())
    assert not sg.directed
    assert dict(zip(sg.graph.vs["name"], sg.graph.vs["posts"], strict=True)) == {
        "a": 3,
        "b": 3,
        "c": 1,
        "d": 1,
    }


# --------------------------------------------------------------------------- exports


ODD = 'we&ird<"tag">\x01'  # markup characters, and one XML 1.0 cannot hold at all


def exported(store: Store) -> SocialGraph:
    write(
        store,
        [
            post("alice", mentions=("bob", ODD)),
            post("bob", mentions=("alice",), followers=None),
            post("carol", mentions=("bob",)),
        ],
    )
    return score_graph(interaction(store))


def test_gexf_round_trip(store: Store, tmp_path: Path) -> None:
    sg = exported(store)
    [path] = write_graph(sg, tmp_path / "g.gexf", "gexf")
    root = ET.parse(path).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    graph = root.find(f"{GEXF}graph")
    assert graph is not None and graph.get("defaultedgetype") == "directed"
    declared = {
        a.get("id"): a.get("type")
        for a in graph.iterfind(f"{GEXF}attributes[@class='node']/{GEXF}attribute")
    }
    for name in ("platform", "stakeholder", "posts", "followers", "pagerank", "community"):
        assert name in declared
    assert declared["pagerank"] == "double" and declared["posts"] == "long"
    nodes = {n.get("id"): n for n in graph.iter(f"{GEXF}node")}
    assert set(nodes) == {"x:alice", "x:bob", "x:carol", 'x:we&ird<"tag">'}
    assert nodes['x:we&ird<"tag">'].get("label") == 'we&ird<"tag">'
    bob = {v.get("for"): v.get("value") for v in nodes["x:bob"].iter(f"{GEXF}attvalue")}
    assert "followers" not in bob  # unknown: left out rather than written as 0
    assert bob["posts"] == "1" and bob["platform"] == "x"
    assert float(bob["pagerank"]) == pytest.approx(vertex(sg, "x:bob")["pagerank"])
    assert int(bob["community"]) == vertex(sg, "x:bob")["community"]
    edges = {(e.get("source"), e.get("target")): e for e in graph.iter(f"{GEXF}edge")}
    assert len(edges) == 4 and len({e.get("id") for e in edges.values()}) == 4
    ab = edges[("x:alice", "x:bob")]
    assert ab.get("weight") == "1.0"
    kind = {v.get("for"): v.get("value") for v in ab.iter(f"{GEXF}attvalue")}
    assert kind["kind"] == "mention" and kind["mentions"] == "1"


def test_graphml_round_trip(store: Store, tmp_path: Path) -> None:
    sg = exported(store)
    [path] = write_graph(sg, tmp_path / "g.graphml", "graphml")
    root = ET.parse(path).getroot()
    keys = {
        k.get("id"): (k.get("attr.name"), k.get("attr.type")) for k in root.iter(f"{GRAPHML}key")
    }
    assert ("label", "string") in keys.values() and ("weight", "double") in keys.values()
    graph = root.find(f"{GRAPHML}graph")
    assert graph is not None and graph.get("edgedefault") == "directed"
    assert len(graph.findall(f"{GRAPHML}node")) == 4
    assert len(graph.findall(f"{GRAPHML}edge")) == 4
    data = {
        keys[d.get("key")][0]: d.text
        for n in graph.findall(f"{GRAPHML}node")
        if n.get("id") == "x:bob"
        for d in n.findall(f"{GRAPHML}data")
    }
    assert data["label"] == "bob" and data["posts"] == "1" and "followers" not in data


def test_graphml_and_gexf_read_with_networkx(store: Store, tmp_path: Path) -> None:
    nx = pytest.importorskip("networkx")  # not a dependency: checked where installed
    sg = exported(store)
    [path] = write_graph(sg, tmp_path / "g.graphml", "graphml")
    g = nx.read_graphml(path)
    assert g.is_directed() and g.number_of_nodes() == 4 and g.number_of_edges() == 4
    assert g.nodes['x:we&ird<"tag">']["label"] == 'we&ird<"tag">'
    assert g.nodes["x:alice"]["posts"] == 1
    assert g.nodes["x:alice"]["pagerank"] == pytest.approx(vertex(sg, "x:alice")["pagerank"])
    assert "followers" not in g.nodes["x:bob"]
    assert g.edges["x:alice", "x:bob"]["weight"] == 1.0
    assert g.edges["x:alice", "x:bob"]["kind"] == "mention"
    [path] = write_graph(sg, tmp_path / "g.gexf", "gexf")
    g = nx.read_gexf(path)
    assert g.number_of_nodes() == 4 and g.nodes["x:alice"]["label"] == "alice"
    assert g.nodes["x:alice"]["community"] == vertex(sg, "x:alice")["community"]


def test_csv_node_and_edge_lists(store: Store, tmp_path: Path) -> None:
    sg = exported(store)
    nodes_p, edges_p = write_graph(sg, tmp_path / "out" / "conv.csv", "csv")
    assert (nodes_p.name, edges_p.name) == ("conv-nodes.csv", "conv-edges.csv")
    assert not nodes_p.read_bytes().startswith(b"\xef\xbb\xbf")  # Gephi reads the BOM as text
    with nodes_p.open(encoding="utf-8", newline="") as f:
        nodes = {r["Id"]: r for r in csv.DictReader(f)}
    assert nodes["x:bob"]["Label"] == "bob" and nodes["x:bob"]["followers"] == ""
    assert nodes["x:alice"]["followers"] == "100"
    with edges_p.open(encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    assert list(edges[0])[:4] == ["Source", "Target", "Type", "Weight"]
    assert {(e["Source"], e["Target"], e["Type"], e["Weight"]) for e in edges} >= {
        ("x:carol", "x:bob", "Directed", "1")
    }
    folder = write_graph(sg, tmp_path / "folder", "csv")
    assert [p.name for p in folder] == ["interaction-nodes.csv", "interaction-edges.csv"]
    with pytest.raises(ValueError, match="graph format"):
        write_graph(sg, tmp_path / "g.dot", "dot")  # type: ignore[arg-type]


def test_exports_of_an_empty_and_an_undirected_graph(store: Store, tmp_path: Path) -> None:
    empty = score_graph(interaction(store))
    for fmt in ("gexf", "graphml"):
        [p] = write_graph(empty, tmp_path / f"empty.{fmt}", fmt)  # type: ignore[arg-type]
        assert ET.parse(p).getroot() is not None
    write(store, [post("u", hashtags=("a", "b"))])
    with store.engine.connect() as conn:
        tags = score_graph(build_cohashtag_graph(conn, Selection()))
    [p] = write_graph(tags, tmp_path / "tags.gexf", "gexf")
    graph = ET.parse(p).getroot().find(f"{GEXF}graph")
    assert graph is not None and graph.get("defaultedgetype") == "undirected"
    [p] = write_graph(tags, tmp_path / "tags.graphml", "graphml")
    graph = ET.parse(p).getroot().find(f"{GRAPHML}graph")
    assert graph is not None and graph.get("edgedefault") == "undirected"
