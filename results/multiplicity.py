"""Adjusting p-values for multiplicity: Holm's step-down method within a family of comparisons.

A report compares many metrics × scenarios with the baseline at once. Within a *family* (a group
of related metrics, ``results.metric_info``: delay, burden, capacity, civic, equity, risk), the
p-values of every scenario-vs-baseline comparison are adjusted together with Holm's method
(Holm 1979), which controls the family-wise error rate under any dependence between the tests.
Raw and adjusted p-values are reported side by side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np


def holm(p_values: Iterable[float]) -> np.ndarray:
    """Holm-adjusted p-values, in the input order: for the i-th smallest of m,
    ``max_{j<=i} min(1, (m - j + 1) p_(j))``."""
    p = np.asarray(list(p_values), dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def adjust_rows(rows: list[dict[str, Any]], key: str = "p_value", out: str = "p_holm") -> None:
    """Add ``out`` to every row with a finite ``key``: Holm within the row's ``family``."""
    families: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        value = row.get(key)
        if value is not None and math.isfinite(value):
            families.setdefault(row.get("family") or row["metric"], []).append(row)
    for family, members in families.items():
        for row, value in zip(members, holm(r[key] for r in members), strict=True):
            row[out] = float(value)
            row["family_size"] = len(members)
            row["family"] = family
