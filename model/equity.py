"""Equity (DESIGN.md §2 "Metrics"): gaps and Gini of delay and trips across districts and
digital-skill groups, and civic outcomes by group — so that a reform that helps the digitally
included and strands the rest is visible. Pure functions over arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SKILL_GROUPS = ("low", "high")  # below / at or above the digital-skill threshold of online use


def gini(values: np.ndarray) -> float | None:
    """Gini coefficient of non-negative values (0 equal .. 1 concentrated); None if empty."""
    values = np.sort(np.asarray(values, dtype=float))
    n = len(values)
    if n == 0 or values.sum() <= 0.0:
        return None if n == 0 else 0.0
    ranks = np.arange(1, n + 1)
    return float(2.0 * np.sum(ranks * values) / (n * values.sum()) - (n + 1) / n)


def _mean(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if len(values) else None


def group_means(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean of ``values`` per group 0..n_groups-1 (NaN for empty groups)."""
    counts = np.bincount(groups, minlength=n_groups)
    sums = np.bincount(groups, values.astype(float), minlength=n_groups)
    return np.divide(sums, counts, out=np.full(n_groups, np.nan), where=counts > 0)


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def adjusted_gap(values: np.ndarray, low: np.ndarray, case_type: np.ndarray) -> float | None:
    """Mean of ``values`` for the low group minus the high group, within case type.

    Residents and enterprises file different services (a business registration takes longer
    than a residence permit), so the raw gap mixes skill with case mix. The gap is taken inside
    each case type that both groups used and averaged with weights = that type's cases.
    """
    gaps, weights = [], []
    for kind in np.unique(case_type):
        here = case_type == kind
        a, b = values[here & low], values[here & ~low]
        if len(a) and len(b):
            gaps.append(a.mean() - b.mean())
            weights.append(here.sum())
    return float(np.average(gaps, weights=weights)) if gaps else None


def equity_metrics(
    delay: np.ndarray,
    trips: np.ndarray,
    satisfaction: np.ndarray,
    district: np.ndarray,
    low_skill: np.ndarray,
    case_type: np.ndarray,
    districts: int,
) -> dict[str, Any]:
    """Gaps and Gini over completed cases (one entry per case; ``low_skill`` is bool;
    ``satisfaction`` NaN where not known).

    ``delay_gap_digital`` / ``trips_gap_digital``: low minus high digital skill, adjusted for
    case mix (``adjusted_gap``); ``*_gini_districts``: Gini of the per-district means (by home
    district); ``delay_gap_districts``: the range of the per-district mean delays.
    """
    district = district.astype(np.int64)
    delay_by_district = group_means(delay, district, districts)
    trips_by_district = group_means(trips, district, districts)
    present = ~np.isnan(delay_by_district)
    low, high = low_skill.astype(bool), ~low_skill.astype(bool)
    delay_low, delay_high = _mean(delay[low]), _mean(delay[high])
    return {
        "delay_gap_digital": adjusted_gap(delay, low, case_type),
        "delay_gap_digital_raw": None
        if delay_low is None or delay_high is None
        else delay_low - delay_high,
        "trips_gap_digital": adjusted_gap(trips, low, case_type),
        "delay_gini_districts": gini(delay_by_district[present]),
        "trips_gini_districts": gini(trips_by_district[present]),
        "delay_gap_districts": float(np.ptp(delay_by_district[present])) if present.any() else None,
        "cases_by_skill_group": {
            name: {
                "cases": int(mask.sum()),
                "delay_mean_days": _mean(delay[mask]),
                "trips_per_case": _mean(trips[mask]),
                "satisfaction_mean": _mean(satisfaction[mask & ~np.isnan(satisfaction)]),
            }
            for name, mask in zip(SKILL_GROUPS, (low, high), strict=True)
        },
        "cases_by_district": {
            str(d): {
                "cases": int((district == d).sum()),
                "delay_mean_days": _none_if_nan(delay_by_district[d]),
                "trips_per_case": _none_if_nan(trips_by_district[d]),
            }
            for d in range(districts)
        },
    }


def resident_groups(
    district: np.ndarray,
    low_skill: np.ndarray,
    trust: np.ndarray,
    participating: np.ndarray,
    districts: int,
) -> dict[str, Any]:
    """Final trust and participation of residents by district and by digital-skill group."""
    district = district.astype(np.int64)
    trust_d = group_means(trust, district, districts)
    part_d = group_means(participating, district, districts)
    skill = (~low_skill.astype(bool)).astype(np.int64)  # 0 low, 1 high
    trust_s = group_means(trust, skill, 2)
    part_s = group_means(participating, skill, 2)
    return {
        "by_district": {
            str(d): {
                "trust_mean": _none_if_nan(trust_d[d]),
                "participation_rate": _none_if_nan(part_d[d]),
            }
            for d in range(districts)
        },
        "by_skill_group": {
            name: {
                "trust_mean": _none_if_nan(trust_s[i]),
                "participation_rate": _none_if_nan(part_s[i]),
            }
            for i, name in enumerate(SKILL_GROUPS)
        },
    }
