"""Discovering a draft service catalogue from an event log (issue 21 item 4): case types, their
steps in order with precedence, service-time samples, arrival rates, staff per station.

``discover(events)`` reads the events of ``results.logread.read_event_log``:

- **Steps** of a case type are its steps seen doing counter or back-office work (a front-desk
  contact is no step, and is left out). A step's *occurrence* is one pass through it: its counter
  visits (returns for missing papers included) up to its back-office task; a step passed again
  (a loop) has another occurrence.
- **Precedence**: step a precedes step b when, in every case holding both, a's first occurrence
  ends before b's first starts (the interval form of the directly-follows relation: concurrent
  steps overlap in some case, sequential ones never do). Steps are listed in an order that keeps
  it (ties by when they start on average), each with ``after``: the steps it waits for directly
  (the transitive reduction).
- **Service times**: per step, the durations of its counter visits and of its back-office tasks
  (``results.servicefits`` fits them).
- **Arrival rates**: a case arrives when its first event joins its first queue; arrivals per
  working day over the log's window (whole days from the first arrival to the last, unless
  given), with the exact Poisson (Garwood) interval.
- **Staff** per station: the number of servers seen when ``server`` is given; otherwise the
  most events in service at once. That is the staff when an event that had waited started at
  such a moment (a server takes a waiting event only when all were busy: ``exact``); where none
  did, it is a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from govlab.results.logread import FRONT_DESK, WORK_KINDS, LogError

EPS_DAYS = 1e-9  # times closer than this are equal (1e-9 days: 86 µs)


@dataclass
class StepFound:
    """One step of a case type: name, function, the steps it waits for directly, the cases
    holding it, and its durations (days) at the counter and in the back office."""

    name: str
    function: str
    after: tuple[str, ...]
    cases: int
    counter_days: np.ndarray
    backoffice_days: np.ndarray


@dataclass
class CaseTypeFound:
    """One case type: applicant kind, cases, arrivals per working day with the interval, the
    steps in order, and the occurrences table (``case, step, start, end``) routing reads."""

    name: str
    applicant: str
    online: bool
    cases: int
    rate_per_day: float
    rate_low: float
    rate_high: float
    steps: list[StepFound]
    occurrences: pd.DataFrame = field(repr=False)
    precedes: dict[str, set[str]] = field(repr=False)


@dataclass(frozen=True)
class StationFound:
    """A station: its function and kind of work, staff, whether the staff is exact (servers
    named, or seen busy with someone waiting), events, and the districts of the cases served."""

    name: str
    function: str
    kind: str
    staff: int
    exact: bool
    events: int
    districts: int


@dataclass
class Discovery:
    """What a log says about its catalogue."""

    case_types: dict[str, CaseTypeFound]
    stations: list[StationFound]
    days: float
    districts: int
    level: float
    notes: list[str]


def occurrences(work: pd.DataFrame, with_backoffice: set[str]) -> pd.DataFrame:
    """The occurrences of steps in cases (``case, step, start, end, arrival``): an occurrence
    of a step with back-office work ends with its back-office task; of one without, with each
    counter visit. ``work`` is sorted by case and start."""
    rows = []
    open_: dict[str, list] = {}
    last_case = None
    for case, step, kind, arrival, start, end in zip(
        work["case"], work["step"], work["kind"], work["arrival"], work["start"], work["end"],
        strict=True,
    ):  # fmt: skip
        if case != last_case:
            open_, last_case = {}, case
        current = open_.get(step)
        if current is None:
            current = [case, step, start, end, arrival]
            rows.append(current)
            open_[step] = current
        current[3] = max(current[3], end)
        if kind == "back office" or step not in with_backoffice:
            open_.pop(step)
    table = pd.DataFrame(rows, columns=["case", "step", "start", "end", "arrival"])
    return table.sort_values(["case", "start", "end"], kind="stable").reset_index(drop=True)


def precedence(occ: pd.DataFrame, steps: list[str]) -> dict[str, set[str]]:
    """``precedes[a]``: the steps b such that a's first occurrence ends before b's first starts
    in every case holding both (and some case holds both)."""
    first = occ.groupby(["case", "step"], sort=False).first()
    start = first["start"].unstack("step").reindex(columns=steps)
    end = first["end"].unstack("step").reindex(columns=steps)
    s, e = start.to_numpy(), end.to_numpy()
    precedes: dict[str, set[str]] = {a: set() for a in steps}
    for i, a in enumerate(steps):
        for j, b in enumerate(steps):
            both = ~np.isnan(e[:, i]) & ~np.isnan(s[:, j])
            if i != j and both.any() and np.all(e[both, i] <= s[both, j] + EPS_DAYS):
                precedes[a].add(b)
    return precedes


def ordered(steps: list[str], precedes: dict[str, set[str]], mean_start: dict[str, float]):
    """The steps in an order keeping ``precedes`` (ties by mean start), each with the steps it
    waits for directly."""
    waits = {b: {a for a in steps if b in precedes[a]} for b in steps}
    order, left = [], set(steps)
    while left:
        ready = [s for s in left if not (waits[s] & left)] or list(left)  # a cycle: by start
        step = min(ready, key=lambda s: (mean_start[s], s))
        order.append(step)
        left.remove(step)
    direct = {}
    for b in order:
        before = waits[b]
        direct[b] = tuple(a for a in order if a in before and not any(
            a in waits[c] for c in before if c != a))  # fmt: skip
    return order, direct


def poisson_interval(count: int, days: float, level: float) -> tuple[float, float]:
    """Garwood's exact interval of a Poisson rate from ``count`` events in ``days``."""
    alpha = 1 - level
    low = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return low / days, high / days


def staff(station: pd.DataFrame) -> tuple[int, bool]:
    """Servers of one station's events: (staff, exact). Named servers are counted; otherwise the
    staff is the most events in service at once, exact when an event that had waited started
    then (all servers busy)."""
    if "server" in station and station["server"].notna().all():
        return int(station["server"].nunique()), True
    busy = (station["end"] - station["start"]).to_numpy() > EPS_DAYS
    start = station["start"].to_numpy()[busy]
    starts, ends = np.sort(start), np.sort(station["end"].to_numpy()[busy])
    if not len(start):
        return 0, False
    in_service = np.searchsorted(starts, start, "right") - np.searchsorted(ends, start, "right")
    most = int(in_service.max())
    waited = start > station["arrival"].to_numpy()[busy] + EPS_DAYS
    return most, bool(np.any(in_service[waited] == most))


def discover(events: pd.DataFrame, days: float | None = None, level: float = 0.95) -> Discovery:
    """The draft catalogue's facts from a log's events (``read_event_log``).

    Args:
        events: the events.
        days: the working days the log covers (default: whole days from its first arrival to
            its last).
        level: confidence level of the rate and mean intervals.
    """
    notes = []
    desk = events["function"] == FRONT_DESK
    if desk.any():
        notes.append(f"{int(desk.sum())} front-desk events (a pooled contact, no catalogue step) "
                     "are left out: the steps' counter times are not seen")  # fmt: skip
    arrivals = events.groupby("case")["arrival"].min()
    first_day, last_day = np.floor(arrivals.min()), np.floor(arrivals.max()) + 1
    window = float(last_day - first_day) if days is None else float(days)
    work = events[events["kind"].isin(WORK_KINDS) & ~desk]
    case_types = {}
    for name, typed in work.groupby("case_type", sort=True):
        case_types[name] = _case_type(name, typed, events, arrivals, window, level)
    stations = []
    for name, station in work.groupby("station", sort=True):
        functions = station["function"].unique()
        kinds = station["kind"].unique()
        if len(functions) > 1 or len(kinds) > 1:
            raise LogError(f"column 'org:resource': station {name!r} does {' and '.join(kinds)} "
                           f"work of {', '.join(functions)}: a station is one function's counter "
                           "or its back office")  # fmt: skip
        count, exact = staff(station)
        stations.append(StationFound(name, str(functions[0]), str(kinds[0]), count, exact,
                                     len(station), int(station["district"].nunique())))  # fmt: skip
    districts = int(events["district"].max()) + 1
    return Discovery(case_types, stations, window, districts, level, notes)


def _case_type(name, typed, events, arrivals, window, level) -> CaseTypeFound:
    mine = events[events["case_type"] == name]
    applicants = mine["applicant"].unique()
    steps = sorted(typed["step"].unique())
    for step, functions in typed.groupby("step")["function"].unique().items():
        if len(functions) > 1:
            raise LogError(f"column 'function': step {step!r} of {name!r} is done by "
                           f"{', '.join(functions)}; a step has one function")  # fmt: skip
    with_backoffice = set(typed.loc[typed["kind"] == "back office", "step"])
    occ = occurrences(typed, with_backoffice)
    precedes = precedence(occ, steps)
    relative = occ["start"] - occ["case"].map(arrivals)
    mean_start = relative.groupby(occ["step"]).mean().to_dict()
    order, direct = ordered(steps, precedes, mean_start)
    function = typed.groupby("step")["function"].first()
    found = []
    for step in order:
        mine = typed[typed["step"] == step]
        duration = (mine["end"] - mine["start"]).to_numpy()
        found.append(StepFound(
            name=step, function=str(function[step]), after=direct[step],
            cases=int(mine["case"].nunique()),
            counter_days=duration[(mine["kind"] == "counter").to_numpy()],
            backoffice_days=duration[(mine["kind"] == "back office").to_numpy()],
        ))  # fmt: skip
    count = int(mine["case"].nunique())
    low, high = poisson_interval(count, window, level)
    online = bool(mine["online"].any())
    return CaseTypeFound(name, str(applicants[0]), online, count, count / window, low, high,
                         found, occ, precedes)  # fmt: skip
