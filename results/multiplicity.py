"""Adjusting p-values for multiplicity: Holm's step-down method within a family of comparisons.

A report compares many metrics × scenarios with the baseline at once. Within a *family* (a group
of related metrics, ``results.metric_info``: delay, burden, capacity, civic, equity, risk), the
p-values of every scenario-vs-baseline comparison are adjusted together with Holm's method
(Holm 1979), which controls the family-wise error rate under any dependence between the tests.
Raw and adjusted p-values are reported side by side.

The family is fixed by the experiment, not by the view: it holds every metric of that family the
runs report (design properties excepted, they are not tested), whichever metrics a table shows,
so a row's adjusted p-value does not change with ``--metrics``. A metric of a group
(``by_case_type.birth.delay_mean_days``) belongs to the family of its group and kind
(``family_of``: ``delay (by_case_type)``), not to the overall one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from govlab.results.metric_info import info


def family_of(metric: str) -> str:
    """The Holm family of a metric: its ``metric_info`` family, and for a metric of a group
    (``by_case_type.birth.delay_mean_days``) the group's name after it: ``delay (by_case_type)``."""
    family = info(metric).family
    group, dot, _ = metric.partition(".")
    return f"{family} ({group})" if dot else family


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
    """Add ``out`` to every row with a finite ``key``: Holm within the row's ``family`` over all
    the ``rows`` given (so give every member of a family, shown or not). Each such row also gets
    ``family_size`` (the number of tests) and ``family_members`` (the family's metrics)."""
    families: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        value = row.get(key)
        if value is not None and math.isfinite(value):
            families.setdefault(row.get("family") or row["metric"], []).append(row)
    for family, members in families.items():
        metrics = list(dict.fromkeys(r["metric"] for r in members))
        for row, value in zip(members, holm(r[key] for r in members), strict=True):
            row[out] = float(value)
            row["family_size"] = len(members)
            row["family"] = family
            row["family_members"] = list(metrics)


def family_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The note under comparison tables: each Holm family of ``rows`` with all its metrics
    (shown or not) and its number of tests."""
    families = {r["family"]: r for r in rows if r.get("family_members")}
    if not families:
        return []
    lines = [
        "p Holm: Holm-adjusted within each family of the metrics the runs report (fixed by the "
        "experiment: every scenario and point vs the baseline, whichever metrics are shown):"
    ]
    for family, row in families.items():
        members = row["family_members"]
        lines.append(
            f"  {family}: {len(members)} metric(s), {row['family_size']} tests: "
            + ", ".join(members)
        )
    return lines
