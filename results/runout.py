"""Runs whose run-out stopped at its cap with window cases still open (``runout_open_cases``).

Such a run's delay statistics leave out its slowest cases, so they understate the delay. One
sentence says so wherever results are shown: ``govlab run``, ``govlab compare`` (a warning and a
``capped runs`` column / ``runs_capped`` field) and the report.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

OPEN = "runout_open_cases"


def capped_counts(wide: pd.DataFrame) -> dict[tuple[str, int], tuple[int, int, int]]:
    """Per (label, point): (runs capped, runs, most window cases left open by one run)."""
    if OPEN not in wide.columns or wide.empty:
        return {}
    counts = {}
    for (label, point), part in wide.groupby(["label", "point"], sort=False):
        open_cases = pd.to_numeric(part[OPEN], errors="coerce").fillna(0)
        counts[(str(label), int(point))] = (
            int((open_cases > 0).sum()),
            len(part),
            int(open_cases.max()),
        )
    return counts


def capped_sentence(groups: Iterable[tuple[str, int, int, int]]) -> str | None:
    """One sentence for the groups (name, runs capped, runs, most cases open) with a capped run;
    None if none."""
    parts = [
        f"{name}: {capped} of {runs} run(s), up to {most:,} case(s)"
        for name, capped, runs, most in groups
        if capped
    ]
    if not parts:
        return None
    return (
        "the run-out stopped at its cap (world.runout_cap_days) with window cases still open — "
        + "; ".join(parts)
        + ": their delays are not counted, so the delay statistics understate the delay "
        "(the service does not drain: see runout_open_cases)"
    )


def capped_note(wide: pd.DataFrame) -> str | None:
    """``capped_sentence`` for every scenario and design point of a stored experiment."""
    counts = capped_counts(wide)
    points = any(point for _, point in counts)
    named = (
        (f"{label} #{point}" if points else label, *value)
        for (label, point), value in counts.items()
    )
    return capped_sentence(named)
