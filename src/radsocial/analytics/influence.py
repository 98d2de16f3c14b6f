"""Influence: who leads a conversation, and the conversation's network.

`influencers` ranks accounts by posts, mentions received, theoretical impressions and a
network score — weighted PageRank and HITS authority / hub on the mention + reply +
repost graph, where a mention from an influential account weighs more (domain notes §2;
Symplur's "SymplurRank" works so) — and shows each account's move against the preceding
period of equal length. `network` describes the interaction or co-hashtag graph
(nodes, edges, Louvain communities) and `export_graph` writes it for Gephi.

Definitions, and why they were chosen, are in docs/reports/influence.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from radsocial.analytics.graph import (
    DAMPING,
    INTERACTION_KINDS,
    PLURAL,
    CommunityMethod,
    ExportFormat,
    GraphKind,
    SocialGraph,
    build_cohashtag_graph,
    build_interaction_graph,
    communities,
    describe_accounts,
    hits,
    pagerank,
    ranking_graph,
    score_graph,
    write_graph,
)
from radsocial.analytics.result import Report, Table, empty_note
from radsocial.analytics.scope import Period, connect, period
from radsocial.store import Selection

if TYPE_CHECKING:  # imported for real by radsocial.analytics.graph, in igraph's thread
    import igraph as ig

RankBy = Literal[
    "pagerank", "authority", "hub", "posts", "mentions", "replies", "reposts", "impressions"
]
#: What each `rank_by` choice ranks on (a column of the accounts table).
RANK_COLUMN: dict[str, str] = {
    "pagerank": "pagerank",
    "authority": "authority",
    "hub": "hub",
    "posts": "posts",
    "mentions": "mentions_received",
    "replies": "replies_received",
    "reposts": "reposts_received",
    "impressions": "impressions",
}
ACCOUNT_COLUMNS = [
    "rank",
    "handle",
    "platform",
    "stakeholder",
    "posts",
    "mentions_received",
    "replies_received",
    "reposts_received",
    "impressions",
    "followers",
    "pagerank",
    "authority",
    "hub",
    "previous_rank",
    "rank_move",
]
NODE_COLUMNS = {
    "interaction": [
        "id",
        "label",
        "platform",
        "stakeholder",
        "posts",
        "followers",
        "in_weight",
        "out_weight",
        "pagerank",
        "community",
    ],
    "cohashtag": ["id", "label", "posts", "weighted_degree", "pagerank", "community"],
}
EDGE_COLUMNS = {
    "interaction": ["source", "target", "weight", "kind", *(PLURAL[k] for k in INTERACTION_KINDS)],
    "cohashtag": ["source", "target", "weight"],
}
COMMUNITY_COLUMNS = ["community", "size", "share_pct", "weight_inside", "top_members"]
TOP_MEMBERS = 5
IMPRESSIONS_NOTE = (
    "Impressions are theoretical: Σ over each author's posts of the follower count the "
    "payload gave with the post (Symplur's 'theoretical maximum' reach), not views."
)
# Scores that differ only in floating-point noise (structurally equivalent accounts) must
# share a rank, or rank moves would report noise.
_SIGNIFICANT = 9


def _check_positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")


def competition_ranks(values: list[Any]) -> list[int]:
    """Ranks by descending value, ties sharing the best rank ("1, 2, 2, 4"); None is 0.

    Standard competition ranking keeps a tie from turning into an arbitrary order, so
    two accounts with equal scores never "move" against each other between periods.
    """
    keyed = _keyed(values)
    # descending, ties in index order (a reversed sort keeps equal items in order)
    order = sorted(range(len(keyed)), key=keyed.__getitem__, reverse=True)
    ranks = [0] * len(keyed)
    last: float | None = None
    current = 0
    for pos, i in enumerate(order):
        if keyed[i] != last:
            current, last = pos + 1, keyed[i]
        ranks[i] = current
    return ranks


def _keyed(values: list[Any]) -> list[float]:
    """The values ranks compare: None as 0, rounded to `_SIGNIFICANT` digits."""
    spec = f".{_SIGNIFICANT}g"
    return [float(format(float(v or 0), spec)) for v in values]


def ranks_of(values: list[Any], ids: list[str], wanted: Iterable[str]) -> dict[str, int]:
    """{id: competition rank} for the `wanted` ids found in `ids` — the ranks
    `competition_ranks(values)` gives them, without ranking every account: a rank is one
    more than the number of larger values, counted by bisection in the sorted values."""
    keyed = _keyed(values)
    ascending = sorted(keyed)
    at = dict(zip(ids, keyed, strict=True))
    return {
        i: 1 + len(ascending) - bisect.bisect_right(ascending, at[i]) for i in wanted if i in at
    }


def _top(
    n: int, ranks: list[int], pr: list[float], posts_n: list[int], names: list[str]
) -> list[int]:
    """The `n` vertices first by (rank, −PageRank, −posts, id) — `sorted(...)[:n]` — with
    the sort keys made only for vertices ranked no worse than the n-th best rank."""
    if not ranks:
        return []
    cut = sorted(ranks)[min(n, len(ranks)) - 1]
    candidates = [i for i, r in enumerate(ranks) if r <= cut]
    return sorted(candidates, key=lambda i: (ranks[i], -pr[i], -posts_n[i], names[i]))[:n]


def _account_graph(conn: sa.Connection, sel: Selection, *, with_hits: bool) -> SocialGraph:
    """The scored interaction graph with every author (isolated ones too), for ranking."""
    sg = build_interaction_graph(conn, sel, include_isolated=True, describe=False)
    return score_graph(sg, community=None, with_hits=with_hits)


def _previous_graph(conn: sa.Connection, sel: Selection, rank_col: str) -> ig.Graph:
    """The previous period's graph with just the names and `rank_col`: its ranks are all
    that is read of it. Parallel to the current period it was slower, not faster
    (0.51 s against 0.47 s a request, measured): the GIL hands the reading thread a row
    at a time while the other counts."""
    g = ranking_graph(conn, sel, rank_col)
    if rank_col == "pagerank":
        g.vs["pagerank"] = pagerank(g)
    elif rank_col in ("authority", "hub"):
        hub, auth = hits(g)
        g.vs["hub"], g.vs["authority"] = hub, auth
    return g


def influencers(
    store: Any,
    sel: Selection | None = None,
    *,
    n: int = 100,
    compare: bool = True,
    rank_by: RankBy = "pagerank",
) -> Report:
    """The `n` most influential accounts of a selection, with their rank moves.

    Every account that posted in the selection or received a mention, reply or repost
    from it is ranked by `rank_by` (competition ranking: ties share a rank); the
    previous rank is the account's rank by the same measure over the preceding period of
    equal length (`--since`..`--until`, or the data's own whole days when open), and
    `rank_move` = previous rank − rank (positive: climbed). An account absent from the
    previous period has no previous rank.
    """
    if rank_by not in RANK_COLUMN:
        raise ValueError(f"rank_by: {rank_by!r} is not one of {', '.join(RANK_COLUMN)}")
    _check_positive("n", n)
    sel = sel or Selection()
    rank_col = RANK_COLUMN[rank_by]
    rep = Report(
        "influence",
        sel.describe(),
        {"n": n, "compare": compare, "rank_by": rank_by, "damping": DAMPING},
    )
    chart = {"kind": "bar", "x": "handle", "y": [rank_col]}
    title = f"Accounts by {rank_col.replace('_', ' ')}"
    with connect(store) as conn:
        per = period(conn, sel)
        if per is None:
            rep.notes.append(empty_note(sel.describe()))
            rep.tables.append(Table("accounts", list(ACCOUNT_COLUMNS), [], title, chart))
            return rep
        sg = _account_graph(conn, sel.with_period(per.since, per.until), with_hits=True)
        g = sg.graph
        ranks = competition_ranks(g.vs[rank_col])
        names = g.vs["name"]
        shown = _top(n, ranks, g.vs["pagerank"], g.vs["posts"], names)
        describe_accounts(conn, sg, shown)
        previous: dict[str, int] = {}
        prev_per: Period | None = per.previous() if compare else None
        prev_accounts = 0
        if prev_per is not None:
            pg = _previous_graph(conn, sel.with_period(prev_per.since, prev_per.until), rank_col)
            prev_accounts = pg.vcount()
            previous = ranks_of(pg.vs[rank_col], pg.vs["name"], (names[i] for i in shown))
    rows = []
    for i in shown:
        v = g.vs[i]
        before = previous.get(v["name"])
        rows.append(
            [
                ranks[i],
                v["label"],
                v["platform"],
                v["stakeholder"],
                v["posts"],
                v["mentions_received"],
                v["replies_received"],
                v["reposts_received"],
                v["impressions"],
                v["followers"],
                v["pagerank"],
                v["authority"],
                v["hub"],
                before,
                before - ranks[i] if before is not None else None,
            ]
        )
    table = Table("accounts", list(ACCOUNT_COLUMNS), rows, title, chart)
    rep.tables.append(table)
    rep.params.update(since=per.since.isoformat(), until=per.until.isoformat())
    rep.metrics.update(
        accounts=g.vcount(),
        authors=sg.info["authors"],
        edges=g.ecount(),
        interactions=sg.info["interactions"],
        impressions=sum(g.vs["impressions"]) if g.vcount() else 0,
    )
    if prev_per is not None:
        rep.params.update(
            previous_since=prev_per.since.isoformat(), previous_until=prev_per.until.isoformat()
        )
        rep.metrics["previous_accounts"] = prev_accounts
        if not prev_accounts:
            rep.notes.append(
                f"No posts in the previous period ({prev_per.since:%Y-%m-%d %H:%M} to "
                f"{prev_per.until:%Y-%m-%d %H:%M} UTC): there are no rank moves."
            )
    if not rows:
        rep.notes.append("No post in this selection names its author: there is no account to rank.")
    rep.notes.append(IMPRESSIONS_NOTE)
    rep.notes.extend(sg.notes)
    return rep


def _graph(
    conn: sa.Connection,
    sel: Selection,
    kind: GraphKind,
    *,
    min_weight: int,
    max_nodes: int | None,
    community: CommunityMethod,
    keep_selected_tags: bool,
    with_hits: bool,
) -> tuple[SocialGraph, dict[str, Any]]:
    """Build, score and (past `max_nodes`) trim a graph; totals of the whole graph.

    PageRank is computed on the whole graph (cheap, and the truer importance); the graph
    is then cut to the `max_nodes` nodes of highest PageRank and the communities are
    found on what remains — the graph a reader sees and a layout draws.
    """
    if kind == "interaction":
        sg = build_interaction_graph(conn, sel, min_weight=min_weight, describe=False)
    elif kind == "cohashtag":
        exclude = () if keep_selected_tags else sel.hashtags
        sg = build_cohashtag_graph(conn, sel, min_weight=min_weight, exclude=exclude)
        if exclude:
            tags = ", ".join("#" + t.lstrip("#").lower() for t in exclude)
            sg.notes.append(
                f"The selected hashtags ({tags}) are left out: every selected post carries "
                "one, so they would join every tag."
            )
    else:
        raise ValueError(f"kind: {kind!r} is not one of interaction, cohashtag")
    g = sg.graph
    if sg.directed:
        g.vs["in_weight"] = [int(x) for x in g.strength(mode="in", weights="weight")]
        g.vs["out_weight"] = [int(x) for x in g.strength(mode="out", weights="weight")]
        sg.node_fields.update(in_weight="long", out_weight="long")
    else:
        g.vs["weighted_degree"] = [int(x) for x in g.strength(weights="weight")]
        sg.node_fields["weighted_degree"] = "long"
    score_graph(sg, with_hits=with_hits and sg.directed, community=None)
    totals = {
        "nodes": g.vcount(),
        "edges": g.ecount(),
        "weight": int(sum(g.es["weight"])) if g.ecount() else 0,
    }
    if max_nodes is not None and g.vcount() > max_nodes:
        pr, names = g.vs["pagerank"], g.vs["name"]
        keep = sorted(range(g.vcount()), key=lambda i: (-pr[i], names[i]))[:max_nodes]
        sg = sg.subgraph(sorted(keep))
        sg.notes.append(
            f"Showing the {max_nodes:,} nodes of highest PageRank out of {totals['nodes']:,} "
            f"({sg.graph.ecount():,} of {totals['edges']:,} edges); PageRank is that of the "
            "whole graph, communities are those of the graph shown."
        )
    if sg.kind == "interaction":
        describe_accounts(conn, sg)
    membership, q, used = communities(sg.graph, method=community, notes=sg.notes)
    sg.graph.vs["community"] = membership
    sg.node_fields["community"] = "integer"
    sg.info.update(modularity=round(q, 4), communities=len(set(membership)), community_method=used)
    return sg, totals


def _community_rows(sg: SocialGraph) -> list[list[Any]]:
    g = sg.graph
    n = g.vcount()
    members: dict[int, list[int]] = {}
    for v, c in enumerate(g.vs["community"] if n else []):
        members.setdefault(c, []).append(v)
    inside: dict[int, float] = dict.fromkeys(members, 0.0)
    comm = g.vs["community"] if n else []
    for (s, t), w in zip(g.get_edgelist(), g.es["weight"] if g.ecount() else [], strict=True):
        if comm[s] == comm[t]:
            inside[comm[s]] += w
    pr, labels = g.vs["pagerank"] if n else [], g.vs["label"] if n else []
    rows = []
    for c in sorted(members):
        best = sorted(members[c], key=lambda v: (-pr[v], labels[v]))[:TOP_MEMBERS]
        rows.append(
            [
                c,
                len(members[c]),
                round(100.0 * len(members[c]) / n, 1),
                int(inside[c]),
                [labels[v] for v in best],
            ]
        )
    return rows


def network(
    store: Any,
    sel: Selection | None = None,
    *,
    kind: GraphKind = "interaction",
    min_weight: int = 1,
    max_nodes: int = 2000,
    community: CommunityMethod = "auto",
    keep_selected_tags: bool = False,
) -> Report:
    """The interaction graph (who mentions, replies to, reposts whom) or the co-hashtag
    graph of a selection: tables `nodes`, `edges` and `communities` (Louvain), drawn
    from the `nodes` table's chart hint.

    `min_weight` drops pairs linked by fewer posts; `max_nodes` keeps the nodes of
    highest PageRank so a browser can lay the graph out. The selected hashtags are left
    out of a co-hashtag graph unless `keep_selected_tags`.
    """
    _check_positive("min_weight", min_weight)
    _check_positive("max_nodes", max_nodes)
    sel = sel or Selection()
    rep = Report(
        "network",
        sel.describe(),
        {"kind": kind, "min_weight": min_weight, "max_nodes": max_nodes, "community": community},
    )
    if kind not in NODE_COLUMNS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(NODE_COLUMNS)}")
    chart = {
        "kind": "network",
        "nodes": "nodes",
        "edges": "edges",
        "id": "id",
        "label": "label",
        "size": "pagerank",
        "group": "community",
        "source": "source",
        "target": "target",
        "weight": "weight",
        "directed": kind == "interaction",
    }

    def tables(nodes: list[list[Any]], edges: list[list[Any]], comms: list[list[Any]]) -> None:
        what = "Accounts" if kind == "interaction" else "Hashtags"
        rep.tables += [
            Table("nodes", list(NODE_COLUMNS[kind]), nodes, f"{what} (nodes)", chart),
            Table("edges", list(EDGE_COLUMNS[kind]), edges, "Edges"),
            Table("communities", list(COMMUNITY_COLUMNS), comms, "Communities (Louvain)"),
        ]

    with connect(store) as conn:
        per = period(conn, sel)
        if per is None:
            rep.notes.append(empty_note(sel.describe()))
            tables([], [], [])
            return rep
        rep.params.update(since=per.since.isoformat(), until=per.until.isoformat())
        sg, totals = _graph(
            conn,
            sel.with_period(per.since, per.until),
            kind,
            min_weight=min_weight,
            max_nodes=max_nodes,
            community=community,
            keep_selected_tags=keep_selected_tags,
            with_hits=False,
        )
    g = sg.graph
    node_rows, edge_rows = _table_rows(sg, kind)
    comm_rows = _community_rows(sg)
    tables(node_rows, edge_rows, comm_rows)
    rep.params["community_method"] = sg.info["community_method"]
    rep.metrics.update(
        nodes=totals["nodes"],
        edges=totals["edges"],
        weight=totals["weight"],
        shown_nodes=g.vcount(),
        shown_edges=g.ecount(),
        communities=sg.info["communities"],
        modularity=sg.info["modularity"],
    )
    if not node_rows:
        rep.notes.append(
            "No interactions in this selection: the graph is empty."
            if kind == "interaction"
            else "No post in this selection carries two hashtags: the graph is empty."
        )
    rep.notes.extend(sg.notes)
    return rep


def _table_rows(sg: SocialGraph, kind: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """Node rows by descending PageRank, edge rows by descending weight; attribute
    columns are read once each (per-vertex attribute access is slow in igraph)."""
    g = sg.graph
    vcols = {c: sg.values("name" if c == "id" else c) for c in NODE_COLUMNS[kind]}
    node_rows = [[vcols[c][v] for c in NODE_COLUMNS[kind]] for v in _order(sg)]
    names = sg.values("name")
    ecols = EDGE_COLUMNS[kind][2:]
    evals = {c: list(g.es[c]) if g.ecount() else [] for c in ecols}
    evals["weight"] = [int(w) for w in evals["weight"]]
    edge_rows = [
        [names[s], names[t], *(evals[c][e] for c in ecols)]
        for e, (s, t) in enumerate(g.get_edgelist())
    ]
    edge_rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    return node_rows, edge_rows


def _order(sg: SocialGraph) -> list[int]:
    """Vertices by descending PageRank, then id: the order of the nodes table."""
    g = sg.graph
    if not g.vcount():
        return []
    pr, names = g.vs["pagerank"], g.vs["name"]
    return sorted(range(g.vcount()), key=lambda v: (-pr[v], names[v]))


def export_graph(
    store: Any,
    sel: Selection | None,
    path: str | Path,
    fmt: ExportFormat = "gexf",
    *,
    kind: GraphKind = "interaction",
    min_weight: int = 1,
    max_nodes: int | None = None,
    community: CommunityMethod = "auto",
    keep_selected_tags: bool = False,
) -> list[Path]:
    """Write a selection's graph for Gephi (GEXF 1.3), GraphML, or CSV node and edge
    lists; returns the files written. The whole graph unless `max_nodes` is given.

    Nodes carry label, platform, stakeholder, posts, followers, impressions, received
    counts, in/out weight, PageRank, authority, hub and community (interaction graph) or
    posts, weighted degree, PageRank and community (co-hashtag graph); edges their
    weight and kind. An empty selection writes an empty, valid graph.
    """
    _check_positive("min_weight", min_weight)
    _check_positive("max_nodes", max_nodes)
    sel = sel or Selection()
    with connect(store) as conn:
        per = period(conn, sel)
        scoped = sel if per is None else sel.with_period(per.since, per.until)
        sg, _ = _graph(
            conn,
            scoped,
            kind,
            min_weight=min_weight,
            max_nodes=max_nodes,
            community=community,
            keep_selected_tags=keep_selected_tags,
            with_hits=True,
        )
    return write_graph(sg, path, fmt)
