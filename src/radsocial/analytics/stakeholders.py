"""Who wrote a selection: posts and participants by the authors' stakeholder labels.

The label is the effective one (a coder's manual label wins over the classifier's);
authors without one count as "unknown" — Symplur, too, classifies only the accounts
whose bio says what they are.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from radsocial.analysis.stakeholder import to_symplur
from radsocial.store import Selection
from radsocial.store.queries import author_key, author_labels, where
from radsocial.store.schema import posts


def mix(conn: sa.Connection, sel: Selection) -> tuple[Counter[str], Counter[str]]:
    """(posts by stakeholder, participants by stakeholder) for a selection."""
    k = author_key().label("k")
    q = (
        sa.select(posts.c.platform, k, sa.func.count())
        .where(*where(conn, sel))
        .group_by(posts.c.platform, k)
    )
    per_author = [(p, a, int(n)) for p, a, n in conn.execute(q) if a is not None]
    labels = author_labels(conn, [(p, a) for p, a, _ in per_author])
    by_posts: Counter[str] = Counter()
    by_people: Counter[str] = Counter()
    for p, a, n in per_author:
        lab = labels.get((p, a), "unknown")
        by_posts[lab] += n
        by_people[lab] += 1
    return by_posts, by_people


def mix_rows(by_posts: Counter[str], by_people: Counter[str]) -> list[list[Any]]:
    """Rows: stakeholder, Symplur segment, posts, % of posts, participants, % of them."""
    tp, tu = sum(by_posts.values()), sum(by_people.values())
    rows = []
    for lab, n in by_posts.most_common():
        u = by_people[lab]
        seg = "Unknown" if lab == "unknown" else _symplur(lab)
        rows.append(
            [
                lab,
                seg,
                n,
                round(n / tp * 100, 1) if tp else None,
                u,
                round(u / tu * 100, 1) if tu else None,
            ]
        )
    return rows


MIX_COLUMNS = ["stakeholder", "symplur", "posts", "posts_pct", "participants", "participants_pct"]


def _symplur(label: str) -> str:
    try:
        return to_symplur(label)
    except ValueError:
        return "Unknown"
