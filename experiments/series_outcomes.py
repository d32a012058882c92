"""Outcomes over time: numbers derived from a run's daily series (issue 23 §4).

A run's end values say how a package does on average; its daily series say *when*. The smallest
design that makes the time dimension usable by regret, targets and scenario discovery is to turn
each series into named scalar outcomes per run, stated in the robustness file as
``[[series_outcome]]`` entries, which then sit beside the end metrics in every table:

- ``days_above``: the number of days in ``[from_day, to_day)`` on which the trailing rolling mean
  of the series over ``window_days`` is above ``threshold`` (e.g. days a city lives with a mean
  delay above 12 working days);
- ``mean``: the series' mean over ``[from_day, to_day)`` (the delay in a period; several entries
  give the periods);
- ``end``: the trailing rolling mean at the last day of ``[from_day, to_day)`` (the delay at the
  end of a period).

Days are working days counted from 0 (warm-up included), as in lever schedules; ``from_day``
defaults to the warm-up, ``to_day`` to the run's last day + 1. A day without a value (no case
completed) is skipped by the rolling mean and never counts as above.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from govlab.scenarios.fields import STRICT

Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")]


class SeriesOutcome(BaseModel):
    """One scalar outcome of a daily series."""

    model_config = STRICT

    name: Name = Field(description="the outcome's name (a new column beside the metrics)")
    series: str = Field("delay_mean_days", min_length=1, description="a daily model series")
    statistic: Literal["days_above", "mean", "end"] = Field(description="what to take")
    window_days: int = Field(1, ge=1, le=10_000, description="trailing rolling mean; days")
    threshold: float | None = Field(None, description="days_above: above this; series' unit")
    from_day: int | None = Field(None, ge=0, description="first day counted; default warm-up")
    to_day: int | None = Field(None, ge=1, description="day after the last; default run's end")

    @model_validator(mode="after")
    def _consistent(self) -> SeriesOutcome:
        if (self.statistic == "days_above") != (self.threshold is not None):
            raise ValueError("threshold: needed by days_above, and only by it")
        if self.from_day is not None and self.to_day is not None and self.to_day <= self.from_day:
            raise ValueError(f"to_day ({self.to_day}) must be above from_day ({self.from_day})")
        return self

    @property
    def unit(self) -> str:
        """The outcome's unit (a count of days, or the series' own)."""
        return "days" if self.statistic == "days_above" else "working days"

    def period(self, warmup_days: int, days: int) -> tuple[int, int]:
        """The days counted, ``[start, stop)``, within the run."""
        start = self.from_day if self.from_day is not None else warmup_days
        stop = self.to_day if self.to_day is not None else days
        return min(start, days), min(stop, days)


def outcome_value(values: np.ndarray, outcome: SeriesOutcome, warmup_days: int) -> float:
    """The outcome of one run's daily ``values`` (day 0 first; NaN where a day has none)."""
    values = np.asarray(values, dtype=float)
    start, stop = outcome.period(warmup_days, len(values))
    if stop <= start:
        return float("nan")
    if outcome.statistic == "mean":
        part = values[start:stop]
        return float(np.nanmean(part)) if np.isfinite(part).any() else float("nan")
    rolling = pd.Series(values).rolling(outcome.window_days, min_periods=1).mean().to_numpy()
    if outcome.statistic == "end":
        return float(rolling[stop - 1])
    assert outcome.threshold is not None
    return float(np.sum(rolling[start:stop] > outcome.threshold))


def add_series_outcomes(
    wide: pd.DataFrame,
    series: pd.DataFrame,
    outcomes: list[SeriesOutcome],
    warmup_days: int,
    days: int,
) -> pd.DataFrame:
    """``wide`` (one row per run, ``run_id`` column) with a column per series outcome.

    Args:
        series: the runs' kept series, long (``run_id, name, day, value``; day 1 = day 0).
        warmup_days: the default start of the counted days; days: the runs' length.
    """
    wide = wide.copy()
    for outcome in outcomes:
        chosen = series[series["name"] == outcome.series]
        table = chosen.pivot(index="run_id", columns="day", values="value")
        table = table.reindex(columns=range(1, days + 1))
        values = {
            run_id: outcome_value(row.to_numpy(dtype=float), outcome, warmup_days)
            for run_id, row in table.iterrows()
        }
        wide[outcome.name] = wide["run_id"].map(values).astype(float)
    return wide
