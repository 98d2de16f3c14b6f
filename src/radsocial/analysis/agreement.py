"""Agreement between two coders: Cohen's kappa per field.

    kappa = (p_o - p_e) / (1 - p_e)

p_o is the share of items both coders labelled the same, p_e the agreement expected by
chance from each coder's label distribution: sum over labels of p_A(label) * p_B(label).
When both coders used one and the same label for everything p_e = 1 and kappa is
undefined; we return 1.0 if they agree everywhere (they do) and 0.0 otherwise.

Multi-label fields (modality, content) are compared as whole sets ("ct;mri" vs "ct"
disagree); `per_label=True` in `agreement()` also gives a yes/no kappa per value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FieldAgreement", "agreement", "cohen_kappa"]


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa of two coders' labels for the same items, in the same order."""
    if len(a) != len(b):
        raise ValueError(
            f"the two coders labelled {len(a)} and {len(b)} items; kappa needs the same items"
        )
    n = len(a)
    if n == 0:
        raise ValueError("no items to compare")
    p_o = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum((ca[k] / n) * (cb[k] / n) for k in ca.keys() | cb.keys())
    if p_e == 1.0:
        return 1.0 if p_o == 1.0 else 0.0
    return (p_o - p_e) / (1.0 - p_e)


@dataclass(frozen=True, slots=True)
class FieldAgreement:
    field: str
    n: int  # items both coders coded (non-empty in both files)
    observed: float  # p_o
    kappa: float
    labels: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "n": self.n,
            "observed": round(self.observed, 4),
            "kappa": round(self.kappa, 4),
            "labels": list(self.labels),
        }


def agreement(
    a_csv: str | Path,
    b_csv: str | Path,
    fields: Sequence[str] | None = None,
    per_label: bool = False,
) -> dict[str, FieldAgreement]:
    """Kappa per coded field between two coded CSVs (rows joined on item_id).

    Only items present in both files and coded (non-empty) by both coders count for a
    field. Unknown values are rejected by the coded-CSV reader with file and line.
    """
    from radsocial.analysis.coding import CODED_FIELDS, MULTI_FIELDS, read_coded_csv

    a_rows = read_coded_csv(a_csv)
    b_rows = read_coded_csv(b_csv)
    a_by = {r.item_id: r for r in a_rows}
    b_by = {r.item_id: r for r in b_rows}
    common = [k for k in a_by if k in b_by]
    if not common:
        raise ValueError(
            f"{a_csv} and {b_csv} share no item_id; are they codings of the same sample?"
        )
    out: dict[str, FieldAgreement] = {}
    for f in fields or CODED_FIELDS:
        pairs = [(a_by[k].values.get(f), b_by[k].values.get(f)) for k in common]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
        if not pairs:
            continue
        xa = [_key(x) for x, _ in pairs]
        xb = [_key(y) for _, y in pairs]
        labels = tuple(sorted(set(xa) | set(xb)))
        p_o = sum(1 for x, y in zip(xa, xb, strict=True) if x == y) / len(xa)
        out[f] = FieldAgreement(f, len(xa), p_o, cohen_kappa(xa, xb), labels)
        if per_label and f in MULTI_FIELDS:
            values = sorted({v for x, y in pairs for v in (*x, *y)})  # type: ignore[misc]
            for v in values:
                ya = [v in x for x, _ in pairs]  # type: ignore[operator]
                yb = [v in y for _, y in pairs]  # type: ignore[operator]
                po = sum(1 for x, y in zip(ya, yb, strict=True) if x == y) / len(ya)
                out[f"{f}:{v}"] = FieldAgreement(
                    f"{f}:{v}", len(ya), po, cohen_kappa(ya, yb), ("no", "yes")
                )
    return out


def _key(v: Any) -> str:
    return ";".join(v) if isinstance(v, tuple) else str(v)
