"""Per-home-district daily series of a run, by arrival day: what ``govlab pilot`` stores and reads.

A run planned with ``RunSpec.home_series`` keeps, besides its summary, three series per home
district ``d`` of its applicants (``model/records.py``: ``home_district``), indexed by the working
day on which the cases *arrived* (0 = the first day; the store's ``day`` is that index + 1):

- ``home.<d>.cases``: cases arriving that day (count), every one followed to completion by the
  run-out (``GovernanceModel.run_out``; cases arriving during the run-out are left out);
- ``home.<d>.delay_days``: their mean delay (working days; empty when no case arrived);
- ``home.<d>.trips``: their mean trips per case (trips).

The arrival day is the day a case opened, i.e. the day whose rules (``[[schedule]]``) it follows.
Counts and means recover exact sums, so any window's mean is the case-weighted mean of its days
(``window_means``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OUTCOMES = ("delay_days", "trips")  # the per-case outcomes kept (and their series' suffixes)


def series_name(district: int, what: str) -> str:
    """The stored series of ``what`` ("cases" or an outcome) for home district ``district``."""
    return f"home.{district}.{what}"


def home_district_series(model, days: int) -> dict[str, list[float | None]]:
    """The run's cases by home district and arrival day: counts and mean outcomes (see above)."""
    table = model.journeys.records.table()
    arrival = np.floor(table["arrival_day"]).astype(np.int64)
    inside = (arrival >= 0) & (arrival < days)
    home = table["home_district"][inside]
    arrival = arrival[inside]
    values = {"delay_days": table["delay_days"][inside], "trips": table["trips"][inside]}
    series: dict[str, list[float | None]] = {}
    for district in range(model.config.world.districts):
        mine = home == district
        counts = np.bincount(arrival[mine], minlength=days).astype(float)
        series[series_name(district, "cases")] = counts.tolist()
        for name, column in values.items():
            sums = np.bincount(arrival[mine], weights=column[mine].astype(float), minlength=days)
            means = np.divide(sums, counts, out=np.full(days, np.nan), where=counts > 0)
            series[series_name(district, name)] = [None if np.isnan(v) else float(v) for v in means]
    return series


def daily_arrays(long: pd.DataFrame, districts: int, days: int) -> dict[str, np.ndarray]:
    """One run's stored series (``run_id, name, day, value`` rows) as arrays ``[district, day]``:
    ``cases`` and each outcome's daily *sum* (mean × count; 0 where no case arrived)."""
    arrays = {name: np.zeros((districts, days)) for name in ("cases", *OUTCOMES)}
    for district in range(districts):
        for what in arrays:
            rows = long[long["name"] == series_name(district, what)]
            index = rows["day"].to_numpy(dtype=np.int64) - 1
            keep = (index >= 0) & (index < days)
            values = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype=float)
            arrays[what][district, index[keep]] = np.nan_to_num(values[keep])
    for name in OUTCOMES:
        arrays[name] = arrays[name] * arrays["cases"]
    return arrays
