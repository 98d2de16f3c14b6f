"""The fast interaction graph against a direct count, and igraph's thread.

The graph is counted in Python from one pass over the selected posts
(`interactions.posts_query`, `graph._tally`); here a seeded store — case variants, two
accounts under one handle, authors known only by id, self-mentions, unresolved replies
and reposts — is counted again by plain SQL aggregates (one UNION ALL with
COUNT(DISTINCT post), authors grouped with max()), on both backends, and the two must
agree on every edge, kind count and author figure.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from radsocial.analytics import graph as G
from radsocial.analytics.graph import (
    PLURAL,
    build_interaction_graph,
    graph_from_edges,
    hits,
    pagerank,
    ranking_graph,
)
from radsocial.models import Account, Post, RawRecord
from radsocial.store import Selection, Store
from radsocial.store.queries import author_key, where
from radsocial.store.schema import accounts, post_mentions, posts

T0 = datetime(2024, 3, 1, tzinfo=UTC)
KINDS = ("mention", "reply", "repost", "quote")


def seeded_posts(seed: int = 7) -> list[Post]:
    """Posts by 40 authors on two platforms, linked at random."""
    rng = random.Random(seed)
    people = [f"User{i}" for i in range(40)]
    out: list[Post] = []
    for n in range(400):
        platform = rng.choice(("x", "bluesky"))
        who = rng.choice(people)
        handle: str | None = who if rng.random() > 0.1 else who.lower()  # two spellings
        author_id: str | None = f"id-{who.lower()}"
        if who == "User3":
            author_id = rng.choice(("id-user3", "id-user3-new"))  # one handle, two ids
        if who == "User5":
            handle = None  # known only by id
        if who == "User6":
            author_id = None  # known only by handle ('@user6' in accounts)
        followers = rng.choice((None, 10, 200, 3000))
        author = (
            Account(platform, author_id, handle=handle, followers=followers)
            if author_id is not None
            else None
        )
        kind = rng.choice(("original", "original", "reply", "repost", "quote"))
        kw: dict[str, Any] = {}
        earlier = [p for p in out if p.platform == platform]
        if kind == "reply":
            if earlier and rng.random() < 0.7:
                parent = rng.choice(earlier)
                kw["reply_to_id"] = parent.platform_id
                if rng.random() < 0.6:
                    kw["reply_to_author_id"] = parent.author_id
            else:
                kw["reply_to_id"] = f"gone{n}"
                kw["reply_to_author_id"] = rng.choice((None, f"ghost{n % 3}"))
        elif kind in ("repost", "quote"):
            ref = rng.choice(earlier).platform_id if earlier and rng.random() < 0.8 else f"gone{n}"
            kw["repost_of_id" if kind == "repost" else "quote_of_id"] = ref
        mentions = tuple(rng.sample(people, rng.choice((0, 0, 1, 2)))) + (
            (who,) if rng.random() < 0.05 else ()  # a self-mention
        )
        out.append(
            Post(
                platform=platform,
                platform_id=f"p{n}",
                created_at=T0 + timedelta(hours=n),
                text=f"post {n}",
                author_id=author_id,
                author_handle=handle,
                author=author,
                kind=kind,
                mentions=mentions,
                **kw,
            )
        )
    return out


@pytest.fixture
def seeded(store: Store) -> Store:
    raw = RawRecord("test", b"seeded", "hand-made")
    store.write_batch([(raw, seeded_posts())])
    return store


def direct_edges(
    conn: sa.Connection, sel: Selection, kinds: tuple[str, ...]
) -> tuple[dict[tuple[str, str, str], dict[str, int]], int]:
    """{(platform, source, target): {"weight", <kind plural>…}} and the unresolved count,
    by SQL aggregates over (post, target, kind) rows."""
    c = posts.c
    src = sa.func.coalesce(sa.func.lower(c.author_handle), "id:" + c.author_id)
    base = (
        sa.select(c.id, c.platform, src.label("src"), c.reply_to_id, c.reply_to_author_id)
        .add_columns(c.repost_of_id, c.quote_of_id)
        .where(*where(conn, sel), sa.or_(c.author_handle.is_not(None), c.author_id.is_not(None)))
        .cte("sp")
    )
    parts = []

    def part(kind: str, dst: Any, frm: Any, cond: Any = None) -> None:
        parts.append(
            sa.select(
                base.c.id.label("pid"),
                base.c.platform,
                base.c.src,
                dst.label("dst"),
                sa.literal(kind).label("kind"),
            )
            .select_from(frm)
            .where(sa.true() if cond is None else cond)
        )

    if "mention" in kinds:
        part(
            "mention",
            post_mentions.c.handle,
            base.join(post_mentions, post_mentions.c.post_id == base.c.id),
        )
    if "reply" in kinds:
        par, acct = posts.alias("par"), accounts.alias("acct")
        frm = base.outerjoin(
            acct,
            sa.and_(
                acct.c.platform == base.c.platform, acct.c.account_id == base.c.reply_to_author_id
            ),
        ).outerjoin(
            par, sa.and_(par.c.platform == base.c.platform, par.c.platform_id == base.c.reply_to_id)
        )
        dst = sa.func.coalesce(
            sa.func.lower(acct.c.handle),
            sa.func.lower(par.c.author_handle),
            "id:" + base.c.reply_to_author_id,
            "id:" + par.c.author_id,
        )
        part(
            "reply",
            dst,
            frm,
            sa.or_(base.c.reply_to_id.is_not(None), base.c.reply_to_author_id.is_not(None)),
        )
    for kind, ref in (("repost", base.c.repost_of_id), ("quote", base.c.quote_of_id)):
        if kind in kinds:
            o = posts.alias(f"o_{kind}")
            frm = base.outerjoin(
                o, sa.and_(o.c.platform == base.c.platform, o.c.platform_id == ref)
            )
            dst = sa.func.coalesce(sa.func.lower(o.c.author_handle), "id:" + o.c.author_id)
            part(kind, dst, frm, ref.is_not(None))
    u = sa.union_all(*parts).subquery()
    unresolved = conn.execute(
        sa.select(sa.func.count()).select_from(u).where(u.c.dst.is_(None))
    ).scalar_one()
    linked = sa.select(u).where(u.c.dst.is_not(None), u.c.dst != u.c.src).subquery()
    out: dict[tuple[str, str, str], dict[str, int]] = {}
    q = sa.select(
        linked.c.platform, linked.c.src, linked.c.dst, sa.func.count(sa.distinct(linked.c.pid))
    ).group_by(linked.c.platform, linked.c.src, linked.c.dst)
    for p, s, t, w in conn.execute(q):
        out[(p, s, t)] = {"weight": w, **{PLURAL[k]: 0 for k in kinds}}
    q = sa.select(
        linked.c.platform, linked.c.src, linked.c.dst, linked.c.kind, sa.func.count()
    ).group_by(linked.c.platform, linked.c.src, linked.c.dst, linked.c.kind)
    for p, s, t, k, n in conn.execute(q):
        out[(p, s, t)][PLURAL[k]] = n
    return out, unresolved


def direct_authors(conn: sa.Connection, sel: Selection) -> dict[str, dict[str, Any]]:
    """Per author node: posts, impressions and the label / account / followers rule, by
    GROUP BY with max() over the posts joined to their accounts."""
    c = posts.c
    key = sa.func.coalesce(sa.func.lower(c.author_handle), "id:" + c.author_id)
    q = (
        sa.select(
            c.platform,
            key,
            sa.func.count(),
            sa.func.sum(sa.func.coalesce(c.author_followers, 0)),
            sa.func.max(c.author_followers),
            sa.func.max(c.author_handle),
            sa.func.max(accounts.c.account_id),
            sa.func.max(accounts.c.handle),
            sa.func.max(accounts.c.followers),
        )
        .select_from(
            posts.outerjoin(
                accounts,
                sa.and_(accounts.c.platform == c.platform, accounts.c.account_id == author_key()),
            )
        )
        .where(*where(conn, sel), key.is_not(None))
        .group_by(c.platform, key)
    )
    out = {}
    for p, k, n, imp, pfol, written, aid, handle, afol in conn.execute(q):
        out[f"{p}:{k}"] = {
            "posts": n,
            "impressions": int(imp or 0),
            "followers": afol if afol is not None else pfol,
            "label": handle or written or k,
            "account_id": aid,
        }
    return out


@pytest.fixture
def conn(seeded: Store) -> Iterator[sa.Connection]:
    with seeded.engine.connect() as c:
        yield c


SELECTIONS = [
    Selection(),
    Selection(platforms=("x",)),
    Selection(since=T0 + timedelta(hours=100), until=T0 + timedelta(hours=300)),
]


@pytest.mark.parametrize("sel", SELECTIONS, ids=["all", "x", "period"])
@pytest.mark.parametrize("kinds", [KINDS, ("mention", "reply", "repost"), ("reply", "quote")])
def test_edges_equal_a_direct_count(
    conn: sa.Connection, sel: Selection, kinds: tuple[str, ...]
) -> None:
    expected, unresolved = direct_edges(conn, sel, kinds)
    assert expected and unresolved  # the seed exercises both
    sg = build_interaction_graph(conn, sel, kinds=kinds)
    g = sg.graph
    names = g.vs["name"]
    got = {}
    for e, (s, t) in enumerate(g.get_edgelist()):
        p, src = names[s].split(":", 1)
        got[(p, src, names[t].split(":", 1)[1])] = {
            "weight": int(g.es[e]["weight"]),
            **{PLURAL[k]: g.es[e][PLURAL[k]] for k in kinds},
        }
        kind = "+".join(k for k in kinds if g.es[e][PLURAL[k]])
        assert g.es[e]["kind"] == kind
    assert got == expected
    assert sg.info["unresolved"] == unresolved
    assert sg.info["interactions"] == sum(v["weight"] for v in expected.values())
    # edges in (platform, source, target) order: Louvain's tie-breaks depend on it
    assert list(got) == sorted(got)
    heavy = build_interaction_graph(conn, sel, kinds=kinds, min_weight=2)
    assert heavy.graph.ecount() == sum(1 for v in expected.values() if v["weight"] >= 2)


@pytest.mark.parametrize("sel", SELECTIONS, ids=["all", "x", "period"])
def test_author_figures_equal_a_direct_count(conn: sa.Connection, sel: Selection) -> None:
    expected = direct_authors(conn, sel)
    sg = build_interaction_graph(conn, sel, include_isolated=True)
    g = sg.graph
    authors = {name: g.vs[i].attributes() for i, name in enumerate(g.vs["name"])}
    assert sg.info["authors"] == len(expected)
    for name, want in expected.items():
        have = authors[name]
        for field in ("posts", "impressions", "followers", "label"):
            assert have[field] == want[field], (name, field)
        if want["account_id"] is not None:  # else found by handle, as for receivers
            assert have["account_id"] == want["account_id"], name


def test_the_seed_has_the_hard_cases(conn: sa.Connection) -> None:
    expected = direct_authors(conn, Selection())
    assert expected["x:user3"]["account_id"] == "id-user3-new"  # the larger of two ids
    assert expected["x:id:id-user5"]["label"] == "id:id-user5"
    assert expected["x:user6"]["account_id"] is None  # no account row for '@user6'
    # an author whose handle was written both ways is labelled with the database's max
    written = conn.execute(
        sa.select(sa.func.max(posts.c.author_handle)).where(
            sa.func.lower(posts.c.author_handle) == "user1", posts.c.platform == "x"
        )
    ).scalar_one()
    sg = build_interaction_graph(conn, Selection(), include_isolated=True)
    label = sg.graph.vs.find(name="x:user1")["label"]
    accounts_handle = conn.execute(
        sa.select(sa.func.max(accounts.c.handle)).where(
            accounts.c.platform == "x", accounts.c.account_id == "id-user1"
        )
    ).scalar_one()
    assert label == (accounts_handle or written)


def test_describing_later_equals_describing_at_once(conn: sa.Connection) -> None:
    whole = build_interaction_graph(conn, Selection(), include_isolated=True)
    lazy = build_interaction_graph(conn, Selection(), include_isolated=True, describe=False)
    assert lazy.graph.vs["account_id"] == [None] * lazy.graph.vcount()
    some = list(range(0, lazy.graph.vcount(), 3))
    G.describe_accounts(conn, lazy, some)
    G.describe_accounts(conn, lazy, range(lazy.graph.vcount()))  # the rest, once each
    assert not lazy.accounts_pending
    for field in ("label", "account_id", "followers", "stakeholder"):
        assert lazy.graph.vs[field] == whole.graph.vs[field], field


@pytest.mark.parametrize(
    "measure", [None, "posts", "impressions", "mentions_received", "reposts_received"]
)
def test_ranking_graph_is_the_full_graph_reduced(conn: sa.Connection, measure: str | None) -> None:
    full = build_interaction_graph(conn, Selection(), include_isolated=True, describe=False).graph
    lean = ranking_graph(conn, Selection(), measure)
    assert lean.vs["name"] == full.vs["name"]
    assert lean.get_edgelist() == full.get_edgelist()
    assert lean.es["weight"] == full.es["weight"]
    if measure is not None:
        assert lean.vs[measure] == full.vs[measure]
    assert pagerank(lean) == pagerank(full)


# --------------------------------------------------------------------------- igraph's thread


def star(leaves: int = 30) -> Any:
    return graph_from_edges([(f"leaf{i}", "centre", 1.0) for i in range(leaves)]).graph


def test_igraph_warnings_in_a_worker_thread_become_notes(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # the web server scores in worker threads, where igraph's C core has no Python
    # warning handler: its warnings went to stderr, past `warnings`
    notes: list[str] = []
    worker = threading.Thread(target=lambda: hits(star(), notes=notes))
    worker.start()
    worker.join()
    assert any(n.startswith("HITS: more than 30 %") for n in notes)
    assert "Warning at" not in capfd.readouterr().err


def test_scores_are_the_same_in_every_thread_and_run() -> None:
    rng = random.Random(3)
    edges = [
        (f"a{rng.randrange(300)}", f"a{int(300 * rng.random() ** 3)}", 1.0) for _ in range(900)
    ]
    g = graph_from_edges(edges).graph
    first = (pagerank(g), hits(g))
    results: list[Any] = []
    workers = [
        threading.Thread(target=lambda: results.append((pagerank(g), hits(g)))) for _ in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == [first] * 3
    assert (pagerank(g), hits(g)) == first


def test_an_igraph_error_in_a_worker_thread_is_an_exception() -> None:
    # without python-igraph's handler the C core aborts the process (the server)
    code = (
        "import threading\n"
        "from radsocial.analytics.graph import graph_from_edges, pagerank\n"
        "out = []\n"
        "def run():\n"
        "    try:\n"
        "        pagerank(graph_from_edges([('a', 'b', 1.0)]).graph, damping=1.5)\n"
        "    except Exception as exc:\n"
        "        out.append(type(exc).__name__)\n"
        "t = threading.Thread(target=run); t.start(); t.join()\n"
        "print(out)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "InternalError" in done.stdout


def test_other_warnings_are_given_back() -> None:
    notes: list[str] = []
    with pytest.warns(UserWarning, match="not igraph's"), G._igraph_notes(notes):
        warnings.warn("not igraph's", UserWarning, stacklevel=1)
    assert notes == []


# --------------------------------------------------------------------------- ranking


def test_ranks_of_and_top_equal_the_full_ranking() -> None:
    from radsocial.analytics.influence import _top, competition_ranks, ranks_of

    rng = random.Random(5)
    values: list[Any] = [rng.choice((None, 0, 0.1, 0.3, 1 / 3, 2.0)) for _ in range(500)]
    values += [1 / 3 + 1e-15]  # equal to 1/3 at the ranks' precision
    ids = [f"a{i}" for i in range(len(values))]
    full = competition_ranks(values)
    wanted = [*rng.sample(ids, 50), "not there"]
    assert ranks_of(values, ids, wanted) == {i: full[ids.index(i)] for i in wanted if i in ids}
    pr = [rng.random() for _ in values]
    posts_n = [rng.randrange(3) for _ in values]
    for n in (1, 7, 100, 10_000):
        order = sorted(range(len(values)), key=lambda i: (full[i], -pr[i], -posts_n[i], ids[i]))
        assert _top(n, full, pr, posts_n, ids) == order[:n]
    assert _top(5, [], [], [], []) == []
