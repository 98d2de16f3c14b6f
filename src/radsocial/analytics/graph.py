"""Graphs of a selection: who talks to whom, and which hashtags travel together.

Two graphs, whose memory grows with the number of distinct edges, never with the number
of posts:

- **interaction** (directed): author → account for every mention, reply and repost in
  the selection (quotes on request). Nodes are accounts keyed by platform and lowercase
  handle; an edge's weight is the number of posts in which its source mentions, replies
  to or reposts its target — a reply that also @-mentions the account it answers, or a
  retweet whose text starts "RT @author:", counts once, not twice. The per-kind counts
  stay on the edge (`mentions`, `replies`, `reposts`). Self-loops are dropped; replies
  and reposts whose target cannot be named are counted and noted. The selected posts
  are read in one pass, each with its resolved targets, and counted in Python as they
  stream (`radsocial.store.interactions`, `_tally`): 0.05 s of SQL for a month at 1M posts where the
  UNION ALL / COUNT(DISTINCT) aggregate and the per-post account join took 0.19 s.
- **cohashtag** (undirected): tag — tag, weighted by the number of selected posts that
  carry both; aggregated in the database.

Scores come from igraph (10–20× faster than networkx; see docs/reports/influence.md for
the figures): weighted PageRank, HITS hub and authority, Louvain communities on the
undirected collapse — computed in igraph's own thread (`_IgraphThread`: its C core's
warnings become report notes there, not stderr lines) on one OpenMP thread, seeded, so
the same selection gives the same scores to the last digit. Exports are written here rather than by igraph so that every value
(None included) is under our control: GEXF 1.3 and GraphML for Gephi, and CSV node and
edge lists with the column names Gephi's spreadsheet import recognises.
"""

from __future__ import annotations

import csv
import ctypes
import importlib
import os
import random
import re
import threading
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa

from radsocial import __version__
from radsocial.analytics.scope import rollup_scope
from radsocial.store import Selection, rollups
from radsocial.store.interactions import ID_PREFIX, post_targets, posts_query
from radsocial.store.interactions import KINDS as LINK_KINDS
from radsocial.store.queries import author_labels, plain_rows, stream_rows, where
from radsocial.store.schema import (
    accounts,
    post_hashtags,
    posts,
    rollup_link_day,
    rollup_link_lost,
    rollup_poster_day,
)

GraphKind = Literal["interaction", "cohashtag"]
ExportFormat = Literal["gexf", "graphml", "csv"]
CommunityMethod = Literal["auto", "louvain", "leiden"]

#: Interaction kinds and how their counts are named on edges (`<plural>`) and nodes
#: (`<plural>_received`).
PLURAL = {"mention": "mentions", "reply": "replies", "repost": "reposts", "quote": "quotes"}
#: The edges of the influence graph (domain notes §2: mention + reply + repost).
INTERACTION_KINDS: tuple[str, ...] = ("mention", "reply", "repost")
#: PageRank's damping factor: the usual 0.85 (Brin & Page), i.e. a 15 % chance per step
#: of jumping to a random account.
DAMPING = 0.85
#: Louvain's vertex order is random in igraph; a fixed seed makes reports repeatable.
SEED = 0
#: Above this many undirected edges "auto" uses Leiden: on 1M-edge graphs igraph 1.0's
#: Louvain took 6 s to 545 s depending on their structure, Leiden 2–9 s
#: (docs/reports/influence.md).
LOUVAIN_MAX_EDGES = 250_000
_IN_CHUNK = 900  # values per IN (...): under every backend's parameter limit
# XML 1.0 forbids these characters even escaped; a handle or tag holding one would make
# the whole file unreadable, so they are dropped on export.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GRAPHML_TYPES = {"string": "string", "long": "long", "integer": "int", "double": "double"}
_T = TypeVar("_T")


# --------------------------------------------------------------------------- igraph's thread


class _IgraphThread:
    """The one thread in which igraph computes (scores, communities).

    - igraph's C core keeps its warning and error handlers per thread, and python-igraph
      installs its own — which turn them into Python warnings and exceptions — only in
      the thread that imports it. In any other thread (the web server's workers) the C
      core's defaults apply: a warning is printed to stderr, past `warnings` ("Warning
      at src/centrality/hub_authority.c:77 …" on every influence request), and an error
      aborts the process. So igraph is imported in this thread, when this module is.
    - The C core's OpenMP loops (PRPACK's PageRank) take every core: on a shared 2-core
      machine PageRank of an 11,000-node graph took 27–90 ms against 1.5 ms on one
      thread (measured), and its sums came in a different order from run to run (values
      differing in the last digits between two identical requests). This thread asks
      OpenMP for a team of one; that setting is per thread, nothing else changes.
    - Blocks that swap process-wide state (igraph's random number generator, the
      `warnings` filters) run one at a time.

    igraph imported before this module (by other code) keeps its handlers in that other
    thread; computations still run here. In a forked child, which has no such thread,
    and in calls made from this thread, they run in the caller.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="radsocial-igraph")
        self._pid = os.getpid()
        self._ident: int | None = None
        self.module: ModuleType = self._pool.submit(self._start).result()

    def _start(self) -> ModuleType:
        self._ident = threading.get_ident()
        module = importlib.import_module("igraph")
        _one_openmp_thread(Path(str(module.__file__)).parent)
        return module

    def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """`fn(*args)` in igraph's thread; its exceptions are raised here."""
        if os.getpid() != self._pid or threading.get_ident() == self._ident:
            return fn(*args)
        try:
            future = self._pool.submit(fn, *args)
        except RuntimeError:  # interpreter shutting down
            return fn(*args)
        return future.result()


def _one_openmp_thread(package: Path) -> None:
    """`omp_set_num_threads(1)` for the calling thread, in the OpenMP runtime igraph
    uses: the one loaded in the process (Linux: /proc/self/maps; python-igraph's wheels
    bundle libgomp in igraph.libs/), or the one its macOS wheels bundle. Loading a
    library already loaded returns the same one. Without either, nothing is done."""
    found: set[str] = set()
    maps = Path("/proc/self/maps")
    if maps.exists():
        for line in maps.read_text(errors="replace").splitlines():
            path = line.split(maxsplit=5)[-1] if line.count(" ") >= 5 else ""
            if re.search(r"/lib(g|i|)omp[^/]*\.so", path):
                found.add(path.strip())
    found.update(str(p) for p in package.glob(".dylibs/libomp*.dylib"))
    for path in sorted(found):
        try:
            ctypes.CDLL(path).omp_set_num_threads(1)
        except (OSError, AttributeError):
            continue


_IGRAPH = _IgraphThread()
if TYPE_CHECKING:
    import igraph as ig
else:
    ig = _IGRAPH.module


@dataclass(slots=True)
class SocialGraph:
    """An igraph graph plus the schema of its attributes, for reports and exports.

    Vertex attribute `name` is the unique node id (`platform:handle`, or the tag), `label`
    what people read; `node_fields` / `edge_fields` name the other attributes and their
    GEXF types ("string", "long", "integer", "double"), in export order. Edge weights are
    in the `weight` attribute. `accounts_pending` names the interaction graph's authors
    whose accounts `describe_accounts` has not looked up yet, with the keys their posts
    give in `accounts`.
    """

    kind: str
    graph: ig.Graph
    node_fields: dict[str, str]
    edge_fields: dict[str, str]
    notes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    accounts_pending: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def directed(self) -> bool:
        return bool(self.graph.is_directed())

    def values(self, name: str) -> list[Any]:
        """One vertex attribute as a list (None for every vertex when absent)."""
        if name in self.graph.vs.attributes():
            return list(self.graph.vs[name])
        return [None] * self.graph.vcount()

    def subgraph(self, vertices: Sequence[int]) -> SocialGraph:
        """The graph induced by `vertices`, in the order given, with the same schema."""
        sub = self.graph.induced_subgraph(list(vertices), implementation="create_from_scratch")
        return SocialGraph(
            self.kind,
            sub,
            dict(self.node_fields),
            dict(self.edge_fields),
            list(self.notes),
            dict(self.info),
            dict(self.accounts_pending),
        )


# --------------------------------------------------------------------------- building


class _Nodes:
    """Node ids → dense vertex indices, in the order first seen."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, str], int] = {}

    def get(self, platform: str, key: str) -> int:
        return self.index.setdefault((platform, key), len(self.index))

    @property
    def keys(self) -> list[tuple[str, str]]:
        """(platform, key) per vertex (a new list: read it once)."""
        return list(self.index)


@dataclass(slots=True)
class _Tally:
    """The selection's posts, counted.

    Per (platform, source, target), `links` holds one packed int: the number of posts
    joining them in its lowest `_FIELD` bits, then the posts of each kind (in `kinds`
    order) in the next fields — one dict update per target instead of one per count,
    and no per-pair object (`_unpack` reads them). Per (platform, author key):
    `authors` holds (posts, impressions, highest follower count, handle as written,
    key in `accounts`, the (platform, key) tuple itself), and `variants` every value of those last two when an author's
    posts give more than one (a handle written in two cases, two ids under one handle),
    for the SQL max() they stand for.

    Only ints, strings and tuples of them, no list or object per pair or author: the
    garbage collector stops tracking such tuples and dicts at its first pass, so what
    the counting keeps does not pile up in the old generation — a pass over that took
    40–80 ms of each influence request when authors were lists (measured).
    """

    links: dict[tuple[str, str, str], int] = field(default_factory=dict)
    authors: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    variants: dict[tuple[tuple[str, str], int], set[str]] = field(default_factory=dict)
    unresolved: int = 0


#: Bits per count in `_Tally.links`: room for 2^40 posts per pair and kind.
_FIELD = 40
_MASK = (1 << _FIELD) - 1


def _unpack(packed: list[int], field_: int) -> list[int]:
    """Count number `field_` (0: posts, 1 + i: posts of kind i) of packed `links` values."""
    shift = field_ * _FIELD
    return [v >> shift & _MASK for v in packed]


_WRITTEN, _ACCOUNT_KEY = 3, 4


def _tally(rows: Iterable[Sequence[Any]], kinds: Sequence[str]) -> _Tally:
    """Count the rows of `posts_query`. Within a post, each target is a set of kinds
    (one bit per kind, `post_targets`), so the post adds 1 to the pair's weight however
    many ways it names the target, and 1 to each of those kinds."""
    out = _Tally()
    links, authors, variants = out.links, out.authors, out.variants
    # what a post adds to a pair's packed counts, by the kinds (bits) it links them by
    step = _steps(len(kinds))
    lost_n = [m.bit_count() for m in range(1 << len(kinds))]
    unresolved = 0
    for row, targets, lost in post_targets(rows, kinds):
        # `who` as first seen: every pair of this author then shares its strings, so
        # sorting the pairs compares them by identity (6 ms less per 15,000, measured)
        followers = row[4]
        platform, src = _add_author(
            authors, variants, (row[0], row[1]), 1, followers or 0, followers, row[3], row[2]
        )
        if lost:
            unresolved += lost_n[lost]
        for dst, mask in targets.items():
            pair = (platform, src, dst)
            links[pair] = links.get(pair, 0) + step[mask]
    out.unresolved = unresolved
    return out


def _add_author(
    authors: dict[tuple[str, str], tuple[Any, ...]],
    variants: dict[tuple[tuple[str, str], int], set[str]],
    who: tuple[str, str],
    n: int,
    impressions: int,
    most: int | None,
    written: str | None,
    key: str,
) -> tuple[str, str]:
    """Add `n` posts of an author (their impressions, highest follower count, a handle as
    written and the author's key in `accounts`) to `authors`; returns the author's
    (platform, key) tuple as first added."""
    a = authors.get(who)
    if a is None:
        authors[who] = (n, impressions, most, written, key, who)
        return who
    n0, imp0, most0, first_written, first_key, who = a
    if most0 is not None and (most is None or most0 > most):
        most = most0
    if written is not None and written != first_written:
        if first_written is None:
            first_written = written
        else:
            variants.setdefault((who, _WRITTEN), {first_written}).add(written)
    if key != first_key:  # never NULL: the post names its author
        variants.setdefault((who, _ACCOUNT_KEY), {first_key}).add(key)
    authors[who] = (n0 + n, imp0 + impressions, most, first_written, first_key, who)
    return who


def _rollup_tally(conn: sa.Connection, sel: Selection, kinds: Sequence[str]) -> _Tally | None:
    """The tally of a selection of whole days over every post (platforms at most) from
    the link rollups (`radsocial.store.link_rollup`): the rows of its days summed as the
    posts would have been counted; None when the selection asks for more, or when the
    rollups are behind and `conn` cannot bring them up to date (a connection not made
    by `scope.connect`)."""
    if "radsocial_store" not in conn.info and not rollups.is_current(conn):
        return None
    scope = rollup_scope(conn, sel, grain="day")
    if scope is None or scope.tag:
        return None
    out = _Tally()
    links, authors, variants = out.links, out.authors, out.variants
    step = _steps(len(kinds))
    # a stored mask has bit i for interactions.KINDS[i]; the tally's for kinds[i]
    local = [
        sum(1 << i for i, k in enumerate(kinds) if m >> LINK_KINDS.index(k) & 1)
        for m in range(1 << len(LINK_KINDS))
    ]
    t = rollup_link_day.c
    rows = plain_rows(
        conn,
        sa.select(t.platform, t.src, t.dst, t.mask, t.posts).where(
            *scope.days_where(rollup_link_day, sel)
        ),
    )
    for platform, src, dst, mask, n in rows:
        m = local[mask]
        if m:
            pair = (platform, src, dst)
            links[pair] = links.get(pair, 0) + n * step[m]
    a = rollup_poster_day.c
    rows = plain_rows(
        conn,
        sa.select(
            a.platform, a.src, a.account, a.posts, a.impressions, a.followers, a.written
        ).where(*scope.days_where(rollup_poster_day, sel)),
    )
    for platform, src, key, n, impressions, most, written in rows:
        w = written or None  # "" for posts without a handle
        _add_author(authors, variants, (platform, src), n, impressions, most, w, key)
    lost = rollup_link_lost.c
    out.unresolved = int(
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(lost.posts), 0)).where(
                *scope.days_where(rollup_link_lost, sel), lost.kind.in_(kinds)
            )
        ).scalar_one()
    )
    return out


def _steps(n_kinds: int) -> list[int]:
    """Per kind mask, what one post adds to a pair's packed counts: 1 to the posts and
    1 to each kind of the mask."""
    return [
        1 + sum(1 << (_FIELD * (i + 1)) for i in range(n_kinds) if mask >> i & 1)
        for mask in range(1 << n_kinds)
    ]


def _largest(conn: sa.Connection, candidates: dict[Any, set[str]]) -> dict[Any, str]:
    """max() of each set of strings as the database orders them — what a SQL max() over
    the rows would have answered. SQLite compares text by code point, as Python does;
    PostgreSQL by the database's collation, which Python cannot reproduce, so the rare
    sets of several strings (a handle written in two cases, two accounts under one
    handle) are ordered by the server."""
    out = {k: next(iter(v)) for k, v in candidates.items() if len(v) == 1}
    ties = [(k, v) for k, v in candidates.items() if len(v) > 1]
    if conn.dialect.name != "postgresql":
        out.update((k, max(v)) for k, v in ties)
        return out
    for start in range(0, len(ties), _IN_CHUNK):
        part = ties[start : start + _IN_CHUNK]
        t = sa.values(sa.column("k", sa.Integer), sa.column("v", sa.String), name="ties").data(
            [(i, s) for i, (_, v) in enumerate(part) for s in sorted(v)]
        )
        for i, v in conn.execute(sa.select(t.c.k, sa.func.max(t.c.v)).group_by(t.c.k)):
            out[part[i][0]] = v
    return out


def build_interaction_graph(
    conn: sa.Connection,
    sel: Selection,
    *,
    kinds: Sequence[str] = INTERACTION_KINDS,
    min_weight: int = 1,
    include_isolated: bool = False,
    describe: bool = True,
) -> SocialGraph:
    """The directed mention / reply / repost graph of a selection.

    Self-loops (self-mentions, replies in one's own thread, reposting oneself) are left
    out: they say nothing about influence. `include_isolated` adds authors with no edge
    (needed to rank by posts or impressions); `describe=False` skips looking accounts
    up (followers, display handle, account id, stakeholder), for authors and receivers
    alike — callers that show a few rows do it afterwards with `describe_accounts` for
    just those; until then a node has the handle as written, the follower count its
    posts gave and no account id.

    The posts are read once (`interactions.posts_query`) and counted as they stream, so memory grows
    with the distinct edges and authors, not with the posts.
    """
    kinds = _check_kinds(kinds, min_weight)
    c = _count(conn, sel, kinds, min_weight, include_isolated)
    sg = _interaction_graph(conn, c)
    sg.info.update(
        kinds=list(kinds),
        min_weight=min_weight,
        authors=len(c.authors),
        interactions=sum(_unpack(c.packed, 0)),
        unresolved=c.tally.unresolved,
    )
    if c.tally.unresolved:
        sg.notes.append(
            f"{c.tally.unresolved:,} replies or reposts point at posts or accounts that are "
            "not in the store; they are not in the graph."
        )
    if min_weight > 1:
        sg.notes.append(f"Only pairs linked by at least {min_weight} posts are edges.")
    if describe:
        describe_accounts(conn, sg)
    return sg


def ranking_graph(conn: sa.Connection, sel: Selection, measure: str | None = None) -> ig.Graph:
    """The graph `build_interaction_graph(..., include_isolated=True)` builds, reduced to
    what ranking its vertices needs: `name`, the edge `weight`, and the vertex attribute
    `measure` when it is one of the graph's counts ("posts", "impressions",
    "mentions_received", …; scores are the caller's to compute). For the previous
    period of `influencers`, where nothing else is read — the labels, follower counts,
    per-edge kinds and account keys of 11,000 vertices are not made for nothing."""
    kinds = _check_kinds(INTERACTION_KINDS, 1)
    lean = {"account", "written"} | ({"followers"} if measure != "impressions" else set())
    c = _count(conn, sel, kinds, 1, include_isolated=True, lean=lean)
    g = _skeleton(c)
    if measure in ("posts", "impressions"):
        col = 0 if measure == "posts" else 1
        values = [0] * g.vcount()
        for i, _, record in c.authors:
            values[i] = record[col]
        g.vs[measure] = values
    for i, k in enumerate(kinds):
        if measure == f"{PLURAL[k]}_received":
            g.vs[measure] = _received(g, _unpack(c.packed, i + 1))
    return g


def _check_kinds(kinds: Sequence[str], min_weight: int) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(kinds))
    unknown = [k for k in kinds if k not in PLURAL]
    if unknown or not kinds:
        raise ValueError(f"interaction kinds: {unknown or '(none)'}; use some of {list(PLURAL)}")
    if min_weight < 1:
        raise ValueError("min_weight must be at least 1")
    return kinds


@dataclass(slots=True)
class _Counted:
    """A selection's tally laid out as a graph: the edges as vertex indices in (platform,
    source, target) order with their `packed` counts (`_Tally.links`), `keys` the
    (platform, key) of each vertex and `index` the reverse, `authors` (vertex, key,
    record of `tally.authors`) of the authors that are nodes."""

    kinds: tuple[str, ...]
    tally: _Tally
    edges: list[tuple[int, int]]
    packed: list[int]
    keys: list[tuple[str, str]]
    index: dict[tuple[str, str], int]
    authors: list[tuple[int, tuple[str, str], tuple[Any, ...]]]


def _count(
    conn: sa.Connection,
    sel: Selection,
    kinds: tuple[str, ...],
    min_weight: int,
    include_isolated: bool,
    lean: Collection[str] = (),
) -> _Counted:
    """Count the selection and number the vertices: the endpoints of the edges in
    (platform, source, target) order, then the authors without an edge (when asked
    for) in (platform, key) order."""
    tally = _rollup_tally(conn, sel, kinds)
    if tally is None:
        tally = _tally(plain_rows(conn, posts_query(conn, sel, kinds, lean=lean)), kinds)
    # Vertex order decides Louvain's tie-breaks: sort in Python, because SQLite and
    # PostgreSQL collate strings differently. (Pairs are unique: the counts never decide.)
    links = [(pair, tally.links[pair]) for pair in sorted(tally.links)]
    if min_weight > 1:
        links = [(pair, v) for pair, v in links if v & _MASK >= min_weight]
    nodes = _Nodes()
    edges = [(nodes.get(p, s), nodes.get(p, t)) for (p, s, t), _ in links]
    index = nodes.index
    authors = [(index[who], who, rec) for who, rec in tally.authors.items() if who in index]
    if include_isolated:
        authors += [
            (nodes.get(*who), who, tally.authors[who])
            for who in sorted(tally.authors.keys() - index.keys())
        ]
    return _Counted(kinds, tally, edges, [v for _, v in links], nodes.keys, index, authors)


def _skeleton(c: _Counted) -> ig.Graph:
    """The directed graph with vertex `name` and edge `weight`."""
    g = ig.Graph(n=len(c.keys), edges=c.edges, directed=True)
    g.vs["name"] = [f"{p}:{k}" for p, k in c.keys]
    g.es["weight"] = [float(w) for w in _unpack(c.packed, 0)]
    return g


def _received(g: ig.Graph, per_edge: list[int]) -> list[int]:
    """Per vertex, the sum of `per_edge` over its incoming edges (igraph's in-strength:
    sums of integers, exact as doubles)."""
    if not per_edge:
        return [0] * g.vcount()
    return [int(x) for x in g.strength(mode="in", weights=per_edge)]


def _interaction_graph(conn: sa.Connection, c: _Counted) -> SocialGraph:
    """The graph and all its attributes, accounts not yet looked up (`accounts_pending`
    holds each author's keys in `accounts` for `describe_accounts`)."""
    keys, tally = c.keys, c.tally
    n = len(keys)
    g = _skeleton(c)
    names = g.vs["name"]
    g.vs["platform"] = [p for p, _ in keys]
    g.vs["key"] = [k for _, k in keys]
    # an author's label is the handle as written, else the key itself ("id:…"); any
    # other node's is the key without the prefix
    label = [k[len(ID_PREFIX) :] if k.startswith(ID_PREFIX) else k for _, k in keys]
    followers: list[int | None] = [None] * n
    n_posts, impressions = [0] * n, [0] * n
    pending: dict[str, tuple[str, ...]] = {}
    for i, who, (posts_n, seen, most, written, key, _) in c.authors:
        n_posts[i], impressions[i], followers[i] = posts_n, seen, most
        label[i] = written or who[1]
        pending[names[i]] = (key,)
    # the few authors whose posts give several handles or account keys
    several = {f: {} for f in (_WRITTEN, _ACCOUNT_KEY)}
    for (who, f), values in tally.variants.items():
        if who in c.index:
            several[f][c.index[who]] = values
    for i, written in _largest(conn, several[_WRITTEN]).items():
        label[i] = written or keys[i][1]
    for i, values in several[_ACCOUNT_KEY].items():
        pending[names[i]] = tuple(sorted(values))
    g.vs["label"] = label
    g.vs["account_id"] = [None] * n
    g.vs["followers"] = followers
    g.vs["posts"] = n_posts
    g.vs["impressions"] = impressions
    g.vs["stakeholder"] = [None] * n
    kinds = c.kinds
    per_kind = [_unpack(c.packed, i + 1) for i in range(len(kinds))]
    present = [0] * len(c.edges)  # per edge, a bit per kind it has
    for bit, vals in enumerate(per_kind):
        present = [m | (1 << bit if v else 0) for m, v in zip(present, vals, strict=True)]
    names_of = {m: "+".join(k for b, k in enumerate(kinds) if m >> b & 1) for m in set(present)}
    g.es["kind"] = [names_of[m] for m in present]
    for k, vals in zip(kinds, per_kind, strict=True):
        g.es[PLURAL[k]] = vals
        g.vs[f"{PLURAL[k]}_received"] = _received(g, vals)
    node_fields = {
        "platform": "string",
        "stakeholder": "string",
        "posts": "long",
        "followers": "long",
        "impressions": "long",
        **{f"{PLURAL[k]}_received": "long" for k in kinds},
    }
    edge_fields = {"kind": "string", **{PLURAL[k]: "long" for k in kinds}}
    return SocialGraph("interaction", g, node_fields, edge_fields, accounts_pending=pending)


def describe_accounts(
    conn: sa.Connection, sg: SocialGraph, vertices: Iterable[int] | None = None
) -> None:
    """Fill account id, followers, display handle and stakeholder label for
    interaction-graph nodes (all, or `vertices`).

    Authors are matched to `accounts` by the keys their posts give (`author_key`: the
    platform id, else '@handle'), as a join of every post would: the highest account id,
    handle and follower count among the matches. Nodes still without an account — those
    only mentioned or replied to, or authors not stored — are then found by handle. A lowercase handle
    cannot use the (platform, handle) index, so up to 900 handles are matched in one
    query and more by one streamed pass over the platform's accounts — one scan either
    way, and memory for the matches only. The stakeholder is the effective label (a
    manual label wins), as everywhere else.
    """
    g = sg.graph
    idx = range(g.vcount()) if vertices is None else sorted(set(vertices))
    _describe_authors(conn, sg, idx)
    platform, key, account_id = g.vs["platform"], g.vs["key"], g.vs["account_id"]
    missing: dict[str, set[str]] = {}
    for i in idx:
        if account_id[i] is None:
            missing.setdefault(platform[i], set()).add(key[i])
    found = _find_accounts(conn, missing) if missing else {}
    label, followers = g.vs["label"], g.vs["followers"]
    for i in idx:
        hit = found.get((platform[i], key[i]))
        if hit is not None and account_id[i] is None:
            account_id[i], handle, fol = hit
            label[i] = handle or label[i]
            if followers[i] is None and fol is not None:
                followers[i] = int(fol)
    g.vs["account_id"], g.vs["label"], g.vs["followers"] = account_id, label, followers
    labels = author_labels(
        conn, list({(platform[i], account_id[i]) for i in idx if account_id[i] is not None})
    )
    stake = g.vs["stakeholder"]
    for i in idx:
        if account_id[i] is not None:
            stake[i] = labels.get((platform[i], account_id[i]))
    g.vs["stakeholder"] = stake


def _describe_authors(conn: sa.Connection, sg: SocialGraph, idx: Iterable[int]) -> None:
    """Account id, handle (the label) and followers of the authors among `idx` that are
    still pending, looked up by their keys on the (platform, account_id) index."""
    g = sg.graph
    names, platform = g.vs["name"], g.vs["platform"]
    todo = [(i, sg.accounts_pending.pop(names[i])) for i in idx if names[i] in sg.accounts_pending]
    if not todo:
        return
    wanted: dict[str, set[str]] = {}
    for i, keys in todo:
        wanted.setdefault(platform[i], set()).update(keys)
    a = accounts.c
    found: dict[tuple[str, str], tuple[str | None, int | None]] = {}  # → (handle, followers)
    for p, keys in wanted.items():
        ks = sorted(keys)
        for start in range(0, len(ks), _IN_CHUNK):
            q = sa.select(a.account_id, a.handle, a.followers).where(
                a.platform == p, a.account_id.in_(ks[start : start + _IN_CHUNK])
            )
            for aid, handle, fol in conn.execute(q):
                found[(p, aid)] = (handle, fol)
    account_id, label, followers = g.vs["account_id"], g.vs["label"], g.vs["followers"]
    ids: dict[int, set[str]] = {}  # the authors with several accounts, for `_largest`
    handles: dict[int, set[str]] = {}
    for i, keys in todo:
        if len(keys) == 1:  # nearly every author: one key, one account at most
            hit = found.get((platform[i], keys[0]))
            if hit is not None:
                account_id[i] = keys[0]
                label[i] = hit[0] or label[i]
                if hit[1] is not None:
                    followers[i] = int(hit[1])
            continue
        hits = [(k, found[(platform[i], k)]) for k in keys if (platform[i], k) in found]
        if not hits:
            continue
        ids[i] = {k for k, _ in hits}
        hs = {h for _, (h, _) in hits if h is not None}
        if hs:
            handles[i] = hs
        fol = [f for _, (_, f) in hits if f is not None]
        if fol:
            followers[i] = int(max(fol))
    for i, v in _largest(conn, ids).items():
        account_id[i] = v
    for i, v in _largest(conn, handles).items():
        label[i] = v or label[i]
    g.vs["account_id"], g.vs["label"], g.vs["followers"] = account_id, label, followers


def _find_accounts(
    conn: sa.Connection, wanted: dict[str, set[str]]
) -> dict[tuple[str, str], tuple[str, str | None, int | None]]:
    """{(platform, node key): (account id, handle, followers)}; the most recently seen
    account wins when a handle passed from one account to another."""
    a = accounts.c
    out: dict[tuple[str, str], tuple[str, str | None, int | None]] = {}
    seen: dict[tuple[str, str], datetime | None] = {}

    def keep(k: tuple[str, str], row: Any) -> None:
        last = row.last_seen
        if k in out and not _newer(last, seen[k]):
            return
        out[k] = (row.account_id, row.handle, row.followers)
        seen[k] = last

    cols = (a.account_id, a.handle, a.followers, a.last_seen)
    for platform, keys in wanted.items():
        ids = sorted(k[len(ID_PREFIX) :] for k in keys if k.startswith(ID_PREFIX))
        handles = {k for k in keys if not k.startswith(ID_PREFIX)}
        for i in range(0, len(ids), _IN_CHUNK):
            q = sa.select(*cols).where(
                a.platform == platform, a.account_id.in_(ids[i : i + _IN_CHUNK])
            )
            for row in conn.execute(q):
                keep((platform, ID_PREFIX + row.account_id), row)
        if not handles:
            continue
        q = sa.select(*cols).where(a.platform == platform, a.handle.is_not(None))
        if len(handles) <= _IN_CHUNK:
            q = q.where(sa.func.lower(a.handle).in_(sorted(handles)))
        for row in stream_rows(conn, q):
            h = row.handle.lower()
            if h in handles:
                keep((platform, h), row)
    return out


def _newer(a: datetime | None, b: datetime | None) -> bool:
    if a is None:
        return False
    if b is None:
        return True
    return _aware(a) > _aware(b)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def build_cohashtag_graph(
    conn: sa.Connection,
    sel: Selection,
    *,
    min_weight: int = 1,
    top: int | None = 10_000,
    exclude: Collection[str] = (),
) -> SocialGraph:
    """The undirected co-hashtag graph: weight = selected posts carrying both tags.

    The pairs come from a self-join of `post_hashtags` on the selected posts, grouped and
    capped in SQL (`min_weight`, then the `top` heaviest pairs), so a big selection costs
    the database a sort, not Python memory. `exclude` drops tags (usually the selected
    ones, which co-occur with everything by construction).
    """
    if min_weight < 1:
        raise ValueError("min_weight must be at least 1")
    if top is not None and top < 1:
        raise ValueError("top must be at least 1 (or None for no cap)")
    drop = sorted({t.lstrip("#").lower() for t in exclude})
    a, b = post_hashtags.alias("tag_a"), post_hashtags.alias("tag_b")
    w = sa.func.count()
    q = (
        sa.select(a.c.tag, b.c.tag, w.label("weight"))
        .select_from(
            a.join(b, sa.and_(a.c.post_id == b.c.post_id, a.c.tag < b.c.tag)).join(
                posts, posts.c.id == a.c.post_id
            )
        )
        .where(*where(conn, sel))
        .group_by(a.c.tag, b.c.tag)
        .having(w >= min_weight)
    )
    if drop:
        q = q.where(a.c.tag.not_in(drop), b.c.tag.not_in(drop))
    if top is not None:
        q = q.order_by(sa.desc("weight"), a.c.tag, b.c.tag).limit(top)
    pairs = [(min(x, y), max(x, y), int(n)) for x, y, n in stream_rows(conn, q)]
    pairs.sort(key=lambda p: (p[0], p[1]))
    nodes = _Nodes()
    edges = [(nodes.get("", x), nodes.get("", y)) for x, y, _ in pairs]
    tags = [k for _, k in nodes.keys]
    counts: dict[str, int] = {}
    if tags:
        want = set(tags)
        tq = (
            sa.select(post_hashtags.c.tag, sa.func.count())
            .select_from(post_hashtags.join(posts, posts.c.id == post_hashtags.c.post_id))
            .where(*where(conn, sel))
            .group_by(post_hashtags.c.tag)
        )
        counts = {t: int(n) for t, n in stream_rows(conn, tq) if t in want}
    g = ig.Graph(n=len(tags), edges=edges, directed=False)
    g.vs["name"] = tags
    g.vs["label"] = tags
    g.vs["posts"] = [counts.get(t, 0) for t in tags]
    g.es["weight"] = [float(n) for _, _, n in pairs]
    g.es["kind"] = ["cohashtag"] * len(pairs)
    sg = SocialGraph("cohashtag", g, {"posts": "long"}, {"kind": "string"})
    sg.info.update(min_weight=min_weight, top=top, excluded=drop)
    if top is not None and len(pairs) == top:
        sg.notes.append(f"Only the {top:,} heaviest tag pairs are in the graph.")
    if min_weight > 1:
        sg.notes.append(f"Only tag pairs sharing at least {min_weight} posts are edges.")
    return sg


def graph_from_edges(
    edges: Iterable[tuple[str, str, float]], *, directed: bool = True, kind: str = "interaction"
) -> SocialGraph:
    """A graph from (source, target, weight) triples held in memory (benchmarks, tests,
    graphs from elsewhere). Repeated pairs stay parallel edges; PageRank and HITS add
    them up, Louvain works on their sum."""
    nodes = _Nodes()
    pairs: list[tuple[int, int]] = []
    weights: list[float] = []
    for s, t, w in edges:
        pairs.append((nodes.get("", s), nodes.get("", t)))
        weights.append(float(w))
    g = ig.Graph(n=len(nodes.keys), edges=pairs, directed=directed)
    names = [k for _, k in nodes.keys]
    g.vs["name"] = names
    g.vs["label"] = names
    g.es["weight"] = weights
    return SocialGraph(kind, g, {}, {})


# --------------------------------------------------------------------------- scoring


_WARNINGS_LOCK = threading.RLock()


@contextmanager
def _igraph_notes(notes: list[str]) -> Iterator[None]:
    """Turn igraph's warnings into report notes (in igraph's thread, `_IGRAPH`, where
    python-igraph raises its C core's warnings as Python RuntimeWarnings).

    Under an error filter (as in the test suite) one would surface as a SystemError
    mid-computation; they are advisory — e.g. that most HITS scores are zero — so they
    are recorded and reported. `warnings.catch_warnings` swaps process-wide state: the
    lock keeps two blocks from overlapping, and a warning another thread raises during
    the block (a few milliseconds) is caught too — it is given back to `warnings` after
    the block, not made a note.
    """
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        if not _from_igraph(w):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
            continue
        msg = str(w.message).split(" Location:", 1)[0].strip()
        if "hub or authority scores are zeros" in msg:
            msg = (
                "HITS: more than 30 % of hub or authority scores are zero (most accounts "
                "are never mentioned, or never mention anyone), so igraph warns that the "
                "solution may not be unique; read authority and hub as an order of "
                "magnitude among the top accounts."
            )
        else:
            msg = f"igraph: {msg}"
        if msg not in notes:
            notes.append(msg)


_IGRAPH_DIR = str(Path(str(ig.__file__)).parent)


def _from_igraph(w: warnings.WarningMessage) -> bool:
    """A warning of igraph's C core: raised from the Python line that called into it
    (in igraph's package or this module)."""
    return issubclass(w.category, RuntimeWarning) and (
        w.filename == __file__ or w.filename.startswith(_IGRAPH_DIR)
    )


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """igraph's random number generator seeded for a block, then given back to `random`.
    The generator is process-wide; igraph's thread runs one such block at a time."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def pagerank(
    g: ig.Graph, *, damping: float = DAMPING, notes: list[str] | None = None
) -> list[float]:
    """Weighted PageRank (sums to 1). Directed graphs follow edge direction, so a mention
    passes on a share of the mentioning account's own score: a mention from an
    influential account weighs more than one from a newcomer. Accounts that mention no
    one spread their score evenly over all accounts (PRPACK's treatment)."""
    if g.vcount() == 0:
        return []
    return _IGRAPH.run(_pagerank, g, damping, notes if notes is not None else [])


def _pagerank(g: ig.Graph, damping: float, notes: list[str]) -> list[float]:
    with _igraph_notes(notes):
        weights = "weight" if g.ecount() else None
        return list(g.pagerank(weights=weights, damping=damping, directed=True))


def hits(
    g: ig.Graph, *, seed: int = SEED, notes: list[str] | None = None
) -> tuple[list[float], list[float]]:
    """(hub, authority) scores, weighted, scaled so the highest is 1.

    Authority: mentioned, replied to and reposted by good hubs; hub: mentions good
    authorities. Without edges both are 0 (igraph would answer 1 for every vertex).
    igraph starts ARPACK from the out-strengths plus a random perturbation, so unseeded
    the scores changed in their last digits from one run to the next; each of the two
    is computed with igraph's generator seeded by `seed`, as Louvain is.
    """
    n = g.vcount()
    if g.ecount() == 0:
        if notes is not None and n:
            notes.append("No interactions: hub and authority scores are 0.")
        return [0.0] * n, [0.0] * n
    hub, auth = _IGRAPH.run(_hits, g, seed, notes if notes is not None else [])
    return [_clean(x) for x in hub], [_clean(x) for x in auth]


def _hits(g: ig.Graph, seed: int, notes: list[str]) -> tuple[list[float], list[float]]:
    with _igraph_notes(notes):
        with _seeded(seed):
            hub = g.hub_score(weights="weight", scale=True)
        with _seeded(seed):
            auth = g.authority_score(weights="weight", scale=True)
    return hub, auth


def _clean(x: float) -> float:
    # ARPACK returns values like -1e-17 for zero scores.
    return 0.0 if abs(x) < 1e-12 else float(x)


def undirected(g: ig.Graph) -> ig.Graph:
    """The undirected collapse: a→b and b→a become one edge with their summed weight."""
    if not g.is_directed():
        return g
    u = ig.Graph(n=g.vcount(), edges=g.get_edgelist(), directed=False)
    u.es["weight"] = g.es["weight"] if g.ecount() else []
    u.simplify(multiple=True, loops=True, combine_edges="sum")
    return u


def communities(
    g: ig.Graph,
    *,
    method: CommunityMethod = "auto",
    seed: int = SEED,
    notes: list[str] | None = None,
) -> tuple[list[int], float, str]:
    """(membership, modularity, method used) on the undirected, weighted collapse.

    Louvain (`community_multilevel`) by default. It is randomised in igraph, so the
    process-wide igraph RNG is seeded for the call (in igraph's thread) and given back
    to `random` after (an igraph call in another thread would see the seeded
    generator). Above
    `LOUVAIN_MAX_EDGES` edges "auto" uses Leiden with the modularity objective (Louvain's
    refinement, which also guarantees connected communities) because igraph's Louvain
    becomes minutes long there. Communities are numbered 0, 1, … by size, largest first
    (ties by the smallest node id), so numbers are stable between runs.
    """
    u = undirected(g)
    n = u.vcount()
    if n == 0:
        return [], 0.0, "louvain"
    used = method
    if method == "auto":
        used = "leiden" if u.ecount() > LOUVAIN_MAX_EDGES else "louvain"
    membership, q = _IGRAPH.run(_partition, u, used, seed, notes if notes is not None else [])
    names = g.vs["name"] if "name" in g.vs.attributes() else [str(i) for i in range(n)]
    size: dict[int, int] = {}
    first: dict[int, str] = {}
    for v, c in enumerate(membership):
        size[c] = size.get(c, 0) + 1
        if c not in first or names[v] < first[c]:
            first[c] = names[v]
    order = sorted(size, key=lambda c: (-size[c], first[c]))
    renumber = {c: i for i, c in enumerate(order)}
    if notes is not None and method == "auto" and used == "leiden":
        notes.append(
            f"Communities by Leiden (modularity) rather than Louvain: the graph has "
            f"{u.ecount():,} edges, past the {LOUVAIN_MAX_EDGES:,} where Louvain gets slow."
        )
    return [renumber[c] for c in membership], float(q), used


def _partition(u: ig.Graph, method: str, seed: int, notes: list[str]) -> tuple[list[int], float]:
    """(membership, modularity) by Louvain or Leiden, igraph's generator seeded."""
    weights = "weight" if u.ecount() else None
    with _seeded(seed), _igraph_notes(notes):
        if method == "leiden":
            cl = u.community_leiden(
                objective_function="modularity", weights=weights, n_iterations=2
            )
        else:
            cl = u.community_multilevel(weights=weights)
        membership = list(cl.membership)
        q = u.modularity(membership, weights=weights) if u.ecount() else 0.0
    return membership, q


def score_graph(
    sg: SocialGraph,
    *,
    damping: float = DAMPING,
    with_hits: bool = True,
    community: CommunityMethod | None = "auto",
    seed: int = SEED,
) -> SocialGraph:
    """Add `pagerank`, `authority` and `hub` (directed graphs) and `community` to the
    vertices, and their fields to the export schema; modularity goes to `sg.info`."""
    g = sg.graph
    g.vs["pagerank"] = pagerank(g, damping=damping, notes=sg.notes)
    sg.node_fields["pagerank"] = "double"
    if with_hits and sg.directed:
        hub, auth = hits(g, seed=seed, notes=sg.notes)
        g.vs["authority"], g.vs["hub"] = auth, hub
        sg.node_fields["authority"] = "double"
        sg.node_fields["hub"] = "double"
    if community is not None:
        membership, q, used = communities(g, method=community, seed=seed, notes=sg.notes)
        g.vs["community"] = membership
        sg.node_fields["community"] = "integer"
        sg.info.update(
            modularity=round(q, 4),
            communities=len(set(membership)),
            community_method=used,
        )
    sg.info["damping"] = damping
    return sg


# --------------------------------------------------------------------------- exports


def _xml_text(v: Any) -> str:
    return _XML_BAD.sub("", str(v))


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return _xml_text(v)


def _columns(sg: SocialGraph, fields: dict[str, str], seq: Any) -> dict[str, list[Any]]:
    have = set(seq.attributes())
    return {f: (list(seq[f]) if f in have else [None] * len(seq)) for f in fields}


def write_gexf(sg: SocialGraph, path: str | Path) -> Path:
    """GEXF 1.3 (Gephi's own format), streamed: node attributes are declared once and
    given per node; the edge weight is GEXF's own `weight`, the interaction kinds an
    attribute. Missing values (None) are left out, which Gephi reads as empty."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    g = sg.graph
    names, labels = g.vs["name"] or [], g.vs["label"] or []
    ncols = _columns(sg, sg.node_fields, g.vs)
    ecols = _columns(sg, sg.edge_fields, g.es)
    weights = g.es["weight"] or []
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(
            '<gexf xmlns="http://gexf.net/1.3" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" '
            'version="1.3">\n'
        )
        f.write(f'  <meta lastmodifieddate="{datetime.now(UTC).date().isoformat()}">\n')
        f.write(f"    <creator>radsocial {escape(__version__)}</creator>\n")
        f.write(f"    <description>{escape(_description(sg))}</description>\n")
        f.write("  </meta>\n")
        edgetype = "directed" if sg.directed else "undirected"
        f.write(f'  <graph mode="static" defaultedgetype="{edgetype}">\n')
        for cls, fields in (("node", sg.node_fields), ("edge", sg.edge_fields)):
            if not fields:
                continue
            f.write(f'    <attributes class="{cls}" mode="static">\n')
            for name, typ in fields.items():
                f.write(
                    f"      <attribute id={quoteattr(name)} title={quoteattr(name)} "
                    f'type="{typ}"/>\n'
                )
            f.write("    </attributes>\n")
        f.write("    <nodes>\n")
        for v in range(g.vcount()):
            f.write(
                f"      <node id={quoteattr(_xml_text(names[v]))} "
                f"label={quoteattr(_xml_text(labels[v]))}"
            )
            f.write(_gexf_attvalues(ncols, v, "node"))
        f.write("    </nodes>\n    <edges>\n")
        for e, (s, t) in enumerate(g.get_edgelist()):
            f.write(
                f'      <edge id="{e}" source={quoteattr(_xml_text(names[s]))} '
                f'target={quoteattr(_xml_text(names[t]))} weight="{_fmt(float(weights[e]))}"'
            )
            f.write(_gexf_attvalues(ecols, e, "edge"))
        f.write("    </edges>\n  </graph>\n</gexf>\n")
    return path


def _gexf_attvalues(cols: dict[str, list[Any]], i: int, tag: str) -> str:
    vals = [(k, c[i]) for k, c in cols.items() if c[i] is not None]
    if not vals:
        return "/>\n"
    inner = "".join(f"<attvalue for={quoteattr(k)} value={quoteattr(_fmt(v))}/>" for k, v in vals)
    return f">\n        <attvalues>{inner}</attvalues>\n      </{tag}>\n"


def _description(sg: SocialGraph) -> str:
    if sg.kind == "cohashtag":
        return "radsocial co-hashtag graph: weight = posts carrying both tags"
    kinds = ", ".join(sg.info.get("kinds", INTERACTION_KINDS))
    return f"radsocial interaction graph ({kinds}): weight = posts linking the two accounts"


def write_graphml(sg: SocialGraph, path: str | Path) -> Path:
    """GraphML (Gephi, Cytoscape, yEd, networkx), streamed. Keys are declared with their
    types; `label` and `weight` carry those names so that every reader finds them."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    g = sg.graph
    names = g.vs["name"] or []
    ncols = {"label": list(g.vs["label"] or []), **_columns(sg, sg.node_fields, g.vs)}
    ecols = {"weight": list(g.es["weight"] or []), **_columns(sg, sg.edge_fields, g.es)}
    ntypes = {"label": "string", **sg.node_fields}
    etypes = {"weight": "double", **sg.edge_fields}
    nkeys = {name: f"n{i}" for i, name in enumerate(ntypes)}
    ekeys = {name: f"e{i}" for i, name in enumerate(etypes)}
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        )
        f.write(f"  <!-- {escape(_description(sg))}; radsocial {escape(__version__)} -->\n")
        for cls, types, keys in (("node", ntypes, nkeys), ("edge", etypes, ekeys)):
            for name, typ in types.items():
                f.write(
                    f'  <key id="{keys[name]}" for="{cls}" attr.name={quoteattr(name)} '
                    f'attr.type="{_GRAPHML_TYPES[typ]}"/>\n'
                )
        edgedefault = "directed" if sg.directed else "undirected"
        f.write(f'  <graph id="G" edgedefault="{edgedefault}">\n')
        for v in range(g.vcount()):
            f.write(f"    <node id={quoteattr(_xml_text(names[v]))}>")
            f.write(_graphml_data(ncols, nkeys, v))
            f.write("</node>\n")
        for e, (s, t) in enumerate(g.get_edgelist()):
            f.write(
                f'    <edge id="e{e}" source={quoteattr(_xml_text(names[s]))} '
                f"target={quoteattr(_xml_text(names[t]))}>"
            )
            f.write(_graphml_data(ecols, ekeys, e))
            f.write("</edge>\n")
        f.write("  </graph>\n</graphml>\n")
    return path


def _graphml_data(cols: dict[str, list[Any]], keys: dict[str, str], i: int) -> str:
    return "".join(
        f'<data key="{keys[k]}">{escape(_fmt(c[i]))}</data>'
        for k, c in cols.items()
        if c[i] is not None
    )


def write_csv(sg: SocialGraph, path: str | Path) -> list[Path]:
    """A node list and an edge list, UTF-8 without BOM, with the headers Gephi's
    spreadsheet import maps by itself (Id, Label; Source, Target, Type, Weight).

    `path` ending in .csv names the pair `<stem>-nodes.csv` / `<stem>-edges.csv` beside
    it; any other path is a folder that receives `<kind>-nodes.csv` / `<kind>-edges.csv`.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        folder, stem = path.parent, path.stem
    else:
        folder, stem = path, sg.kind
    folder.mkdir(parents=True, exist_ok=True)
    g = sg.graph
    names = g.vs["name"] or []
    nodes_p, edges_p = folder / f"{stem}-nodes.csv", folder / f"{stem}-edges.csv"
    ncols = _columns(sg, sg.node_fields, g.vs)
    with nodes_p.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Id", "Label", *sg.node_fields])
        labels = g.vs["label"] or []
        for v in range(g.vcount()):
            w.writerow([names[v], labels[v], *(_csv(ncols[k][v]) for k in sg.node_fields)])
    ecols = _columns(sg, sg.edge_fields, g.es)
    weights = g.es["weight"] or []
    etype = "Directed" if sg.directed else "Undirected"
    with edges_p.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Source", "Target", "Type", "Weight", *sg.edge_fields])
        for e, (s, t) in enumerate(g.get_edgelist()):
            row = [names[s], names[t], etype, _csv(float(weights[e]))]
            w.writerow(row + [_csv(ecols[k][e]) for k in sg.edge_fields])
    return [nodes_p, edges_p]


def _csv(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


WRITERS: dict[str, Callable[[SocialGraph, Path], Any]] = {
    "gexf": write_gexf,
    "graphml": write_graphml,
    "csv": write_csv,
}


def write_graph(sg: SocialGraph, path: str | Path, fmt: ExportFormat = "gexf") -> list[Path]:
    """Write `sg` as GEXF, GraphML or CSV; the files written."""
    if fmt not in WRITERS:
        raise ValueError(f"graph format {fmt!r}: use one of {', '.join(WRITERS)}")
    out = WRITERS[fmt](sg, Path(path))
    return list(out) if isinstance(out, list) else [out]
