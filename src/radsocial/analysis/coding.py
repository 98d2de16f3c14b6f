"""Learning from people: a stratified sample for coders, and coded files back in.

    sample = stratified_sample(posts, n=300, seed=1)       # pure: iterable -> list
    write_coding_csv(sample, "to_code.csv")                 # one row per post, empty code columns
    rows = read_coded_csv("coded_by_anna.csv")              # validated, GoldFormatError on problems
    labels = coded_labels(rows, coder="anna")               # Label(method="manual") for the store

The sample is stratified by the rule classifier's relevance and the platform, with an
equal share per stratum (so relevant posts, rare in a keyword stream or common in a
hashtag stream, are always well represented); within a stratum posts are drawn by
reservoir sampling with a fixed seed, so one pass over any number of posts suffices and
the same input gives the same sample. The CSV carries the rules' predictions in
``pred_*`` columns for reference (hide them from coders to avoid anchoring with
``include_predictions=False``).

Coded columns (empty = not coded): relevant (1/0), modality and content (values
separated by ";"), clinical_area (";"), stakeholder, sentiment, question. The file,
line and expected values are reported for any invalid cell.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from radsocial.analysis.base import Label
from radsocial.analysis.gold import GoldFormatError, parse_multi, read_csv_rows
from radsocial.analysis.taxonomy import (
    CLINICAL_AREAS,
    CONTENT_CATEGORIES,
    MODALITIES,
    QUESTION_VALUES,
    SENTIMENTS,
    STAKEHOLDERS,
)
from radsocial.models import Post

__all__ = [
    "CODED_FIELDS",
    "CODING_COLUMNS",
    "CodedRow",
    "coded_labels",
    "export_sample",
    "read_coded_csv",
    "stratified_sample",
    "write_coding_csv",
]

#: coded field -> allowed values (multi-label fields take ";"-separated values)
FIELD_VALUES: dict[str, tuple[str, ...]] = {
    "relevant": ("1", "0"),
    "modality": MODALITIES,
    "clinical_area": CLINICAL_AREAS,
    "content": CONTENT_CATEGORIES,
    "stakeholder": STAKEHOLDERS,
    "sentiment": SENTIMENTS,
    "question": QUESTION_VALUES,
}
CODED_FIELDS = tuple(FIELD_VALUES)
MULTI_FIELDS = frozenset({"modality", "clinical_area", "content"})
#: field -> label task in the store
FIELD_TASK = {
    "relevant": "relevance",
    "modality": "modality",
    "clinical_area": "clinical_area",
    "content": "content",
    "stakeholder": "stakeholder",
    "sentiment": "sentiment",
    "question": "question",
}
INFO_COLUMNS = (
    "item_id",
    "platform",
    "platform_id",
    "created_at",
    "url",
    "author_handle",
    "author_name",
    "author_bio",
    "text",
)
PRED_COLUMNS = (
    "pred_relevance",
    "pred_modality",
    "pred_content",
    "pred_sentiment",
    "pred_stakeholder",
)
CODING_COLUMNS = (*INFO_COLUMNS, *PRED_COLUMNS, *CODED_FIELDS, "notes", "coder")


def _default_stratum(post: Post) -> Hashable:
    from radsocial.analysis.relevance import imaging_cues

    return (post.platform, imaging_cues(post).relevant)


def stratified_sample(
    posts: Iterable[Post],
    n: int,
    seed: int = 0,
    stratum: Callable[[Post], Hashable] = _default_stratum,
) -> list[Post]:
    """`n` posts, an equal share from each stratum (default: platform x rule relevance).

    A stratum with fewer posts than its share gives all it has and the rest is
    redistributed over the others. One pass; memory O(n x strata).
    """
    if n <= 0:
        return []
    rng = random.Random(seed)
    reservoirs: dict[Hashable, list[Post]] = {}
    seen: dict[Hashable, int] = {}
    for post in posts:
        s = stratum(post)
        k = seen.get(s, 0) + 1
        seen[s] = k
        res = reservoirs.setdefault(s, [])
        if len(res) < n:
            res.append(post)
        else:
            j = rng.randrange(k)
            if j < n:
                res[j] = post
    if not reservoirs:
        return []
    # allocate n over strata: equal shares, leftovers redistributed
    keys = sorted(reservoirs, key=repr)
    quota = dict.fromkeys(keys, 0)
    remaining = n
    open_keys = [k for k in keys if reservoirs[k]]
    while remaining > 0 and open_keys:
        share = max(1, remaining // len(open_keys))
        for k in list(open_keys):
            take = min(share, len(reservoirs[k]) - quota[k], remaining)
            quota[k] += take
            remaining -= take
            if quota[k] >= len(reservoirs[k]):
                open_keys.remove(k)
            if remaining == 0:
                break
    out: list[Post] = []
    for k in keys:
        res = reservoirs[k]
        rng.shuffle(res)
        out.extend(res[: quota[k]])
    rng.shuffle(out)
    return out


def _item_id(post: Post) -> str:
    return f"{post.platform}:{post.platform_id}"


def write_coding_csv(
    posts: Iterable[Post],
    out: str | Path | IO[str],
    include_predictions: bool = True,
) -> int:
    """Write the coding sheet (UTF-8 CSV, one row per post). Returns the number of rows."""
    pipe = None
    stake = None
    if include_predictions:
        from radsocial.analysis.pipeline import Pipeline

        pipe = Pipeline(("relevance", "modality", "content", "sentiment"))
        stake = pipe.stakeholder
    if hasattr(out, "write"):
        return _write_rows(posts, out, pipe, stake)  # type: ignore[arg-type]
    with open(out, "w", newline="", encoding="utf-8") as fh:  # type: ignore[arg-type]
        return _write_rows(posts, fh, pipe, stake)


def _write_rows(posts: Iterable[Post], fh: IO[str], pipe: Any, stake: Any) -> int:
    w = csv.writer(fh)
    w.writerow(CODING_COLUMNS)
    count = 0
    for post in posts:
        a = post.author
        row: dict[str, Any] = {
            "item_id": _item_id(post),
            "platform": post.platform,
            "platform_id": post.platform_id,
            "created_at": post.created_at.isoformat() if post.created_at else "",
            "url": post.url or "",
            "author_handle": (a.handle if a else post.author_handle) or "",
            "author_name": (a.name if a else "") or "",
            "author_bio": (a.bio if a else "") or "",
            "text": post.text or "",
        }
        if pipe is not None and stake is not None:
            by: dict[str, list[str]] = {}
            for lb in pipe.classify_post(post):
                by.setdefault(lb.task, []).append(lb.value)
            row["pred_relevance"] = "1" if by.get("relevance") == ["relevant"] else "0"
            row["pred_modality"] = ";".join(by.get("modality", []))
            row["pred_content"] = ";".join(by.get("content", []))
            row["pred_sentiment"] = ";".join(by.get("sentiment", []))
            row["pred_stakeholder"] = stake.classify(post)[0].value
        w.writerow([row.get(c, "") for c in CODING_COLUMNS])
        count += 1
    return count


def export_sample(
    posts: Iterable[Post],
    out: str | Path | IO[str],
    n: int = 200,
    seed: int = 0,
    include_predictions: bool = True,
) -> int:
    """`stratified_sample` + `write_coding_csv` in one call."""
    return write_coding_csv(stratified_sample(posts, n, seed), out, include_predictions)


@dataclass(frozen=True, slots=True)
class CodedRow:
    line: int
    item_id: str
    platform: str
    platform_id: str
    coder: str
    values: dict[str, str | tuple[str, ...]]  # only the fields this coder filled in
    notes: str = ""
    row: dict[str, str] = field(default_factory=dict)


def read_coded_csv(path: str | Path, fields: Sequence[str] = CODED_FIELDS) -> list[CodedRow]:
    """Validate and read a coded sheet. Needs item_id (or platform + platform_id) and at
    least one coded column; every non-empty coded cell must be a known value."""
    path = Path(path)
    rows = read_csv_rows(path, [], [])
    if not rows:
        raise GoldFormatError(
            path, None, "no data rows; expected the coding sheet with coded columns"
        )
    header = set(rows[0][1])
    if "item_id" not in header and not {"platform", "platform_id"} <= header:
        raise GoldFormatError(
            path,
            1,
            "missing column 'item_id' (or 'platform' and 'platform_id'); expected the columns of the exported coding sheet",
        )
    present = [f for f in fields if f in header]
    if not present:
        raise GoldFormatError(
            path, 1, f"no coded column; expected at least one of: {', '.join(fields)}"
        )
    out: list[CodedRow] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        iid = (row.get("item_id") or "").strip()
        platform = (row.get("platform") or "").strip()
        pid = (row.get("platform_id") or "").strip()
        if not iid:
            if not (platform and pid):
                raise GoldFormatError(
                    path, line, "empty item_id; expected the id exported in the coding sheet"
                )
            iid = f"{platform}:{pid}"
        if iid in seen:
            raise GoldFormatError(
                path,
                line,
                f"item_id {iid!r} already coded on line {seen[iid]}; expected each item once",
            )
        seen[iid] = line
        if not (platform and pid) and ":" in iid:
            platform, pid = iid.split(":", 1)
        values: dict[str, str | tuple[str, ...]] = {}
        for f in present:
            v = (row.get(f) or "").strip()
            if not v:
                continue
            allowed = FIELD_VALUES[f]
            if f in MULTI_FIELDS:
                if v.lower() == "none":
                    values[f] = ()
                else:
                    values[f] = parse_multi(path, line, f, v, allowed)
            else:
                if v not in allowed:
                    raise GoldFormatError(
                        path, line, f"column {f!r} has {v!r}; expected one of: {', '.join(allowed)}"
                    )
                values[f] = v
        out.append(
            CodedRow(
                line,
                iid,
                platform,
                pid,
                (row.get("coder") or "").strip(),
                values,
                (row.get("notes") or "").strip(),
                row,
            )
        )
    return out


def coded_labels(rows: Iterable[CodedRow], coder: str | None = None) -> list[Label]:
    """Manual labels (method "manual", score 1.0) for the store; a manual label always wins."""
    out: list[Label] = []
    for r in rows:
        who = coder or r.coder or "coder"
        key = (r.platform, r.platform_id) if r.platform and r.platform_id else None
        for f, v in r.values.items():
            task = FIELD_TASK[f]
            version = f"manual:{who}"
            if f == "relevant":
                out.append(
                    Label(
                        task,
                        "relevant" if v == "1" else "not_relevant",
                        1.0,
                        (f"coded by {who}",),
                        "manual",
                        version,
                        "manual",
                        key,
                    )
                )
            elif isinstance(v, tuple):
                out.extend(
                    Label(task, x, 1.0, (f"coded by {who}",), "manual", version, "manual", key)
                    for x in v
                )
            else:
                out.append(
                    Label(task, v, 1.0, (f"coded by {who}",), "manual", version, "manual", key)
                )
    return out
