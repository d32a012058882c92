"""Needs sensing (DESIGN.md §2 step 9): estimate each station's load, reallocate the staff budget.

Every ``adjust_every_days`` K the offered load of each staffed station is estimated from what was
observed over the period — arrivals λ_s (per day) times the mean service time s̄_s (busy time per
departure) — with log-normal noise of

    σ = sensing_noise · (1 − sensing_quality) · (1 − participation_feedback · p_d)

where p_d is the participating share of residents in the station's district (the city's for
city-level stations): voice on the platform is a second data source. Two fixed budgets (intake:
counters and front desks; approval: back offices) are re-divided among the stations that had
staff at the start (each keeps at least one server); a front desk opened during the run joins
the intake pool and its district's counters leave it (``regroup``):

- ``static``: nothing moves;
- ``proportional``: x_s ∝ â_s;
- ``sqrt`` (Kleinrock's square-root assignment): x_s = â_s + (B − Σâ)·√â_s / Σ√â
  (proportional when the budget does not cover the load).

Integer servers by largest remainder. The new plan takes effect ``adjust_lag_days`` later.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from govlab.model.engine import Station
from govlab.model.population import Population
from govlab.model.staffing import Staffing
from govlab.scenarios import Scenario


def allocate(load: np.ndarray, budget: int, policy: str) -> np.ndarray:
    """Divide ``budget`` servers among stations of estimated ``load`` (≥ 1 each); int64."""
    n = len(load)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    total = load.sum()
    if total <= 0.0 or budget <= n:  # nothing sensed (or nothing to move): an equal split
        servers = np.full(n, budget // n, dtype=np.int64)
        servers[: budget - int(servers.sum())] += 1
        return servers
    spare = budget - n  # everyone keeps one server; the rest follows the load
    if policy == "sqrt" and total < spare:
        roots = np.sqrt(load)
        x = load + (spare - total) * roots / roots.sum()
    else:
        x = spare * load / total
    whole = np.floor(x).astype(np.int64)
    left = spare - int(whole.sum())
    order = np.argsort(-(x - whole), kind="stable")
    whole[order[:left]] += 1
    return whole + 1


class Sensing:
    """Periodic load estimates and staff reallocation with a lag."""

    def __init__(
        self,
        scenario: Scenario,
        stations: list[Station],
        staffing: Staffing,
        residents: Population,
        rng: np.random.Generator,
    ) -> None:
        civic = scenario.civic
        self.civic = civic
        self.pending: list[tuple[int, np.ndarray]] = []
        self.use_levers(scenario.levers)
        self.feedback = civic.participation_feedback
        self.districts = scenario.world.districts
        self.stations = stations
        self.staffing = staffing
        self.residents = residents
        self.rng = rng
        staffed = staffing.initial > 0
        self.pools = [
            np.flatnonzero(staffed & ~staffing.backoffice),
            np.flatnonzero(staffed & staffing.backoffice),
        ]
        self.budgets = [int(staffing.initial[pool].sum()) for pool in self.pools]
        self._mark, self._mark_day = self._counters(), 0
        self.service = np.zeros(len(stations))  # last estimated mean service time; days
        self.reallocations = 0

    def _counters(self) -> np.ndarray:
        return np.array([(s.arrivals, s.departures, s.area_busy) for s in self.stations], float)

    def use_levers(self, levers) -> None:
        """The policy, its period and lag, and the sensing noise from now (at build, and when a
        schedule changes them). Switched to ``static``, the plans not yet in force are dropped
        and the staff stay where they are; switched on, the first estimate covers the days since
        the last one (or since the start)."""
        self.policy = levers.capacity_policy
        self.every = levers.adjust_every_days
        self.lag = levers.adjust_lag_days
        self.sigma = self.civic.sensing_noise * (1.0 - levers.sensing_quality)
        if self.policy == "static":
            self.pending = []

    def regroup(self, move: Callable[[np.ndarray], None], out: np.ndarray, into: int) -> None:
        """Staff moved outside the plans (a front desk opened, ``model.front_desks``): ``move``
        moves the plans not yet in force alike (in place, the budget kept), the stations ``out``
        leave the pools, station ``into`` joins the intake pool, and each pool's budget is what
        the allocation now gives its stations (no plan moves staff back)."""
        for _, plan in self.pending:
            if plan is not self.staffing.allocation:
                move(plan)
        pools = [np.setdiff1d(pool, out) for pool in self.pools]
        self.pools = [np.union1d(pools[0], [into]).astype(np.int64), pools[1]]
        self.budgets = [int(self.staffing.allocation[pool].sum()) for pool in self.pools]

    def step(self, day: int, time: float) -> None:
        """Apply plans that are due; every K days, sense and plan a reallocation."""
        if self.policy == "static":
            return
        if day % self.every == 0:
            self.pending.append((day + self.lag, self._plan(day)))
        due = [plan for when, plan in self.pending if when <= day]
        if due:
            self.pending = [(when, plan) for when, plan in self.pending if when > day]
            self.staffing.allocation = due[-1]
            self.staffing.apply(time)
            self.reallocations += 1

    def _plan(self, day: int) -> np.ndarray:
        now = self._counters()
        arrivals, departures, busy = (now - self._mark).T
        days = day - self._mark_day  # the period, or longer after the policy was off
        self._mark, self._mark_day = now, day
        measured = departures > 0
        self.service[measured] = busy[measured] / departures[measured]
        load = arrivals / days * self.service
        load *= self._noise(len(load))
        # a pool without arrivals keeps the latest plan (one still pending if the lag is longer
        # than the period: the allocation in force would undo it when this plan falls due)
        plan = (self.pending[-1][1] if self.pending else self.staffing.allocation).copy()
        for pool, budget in zip(self.pools, self.budgets, strict=True):
            if load[pool].sum() > 0.0:  # a period without arrivals keeps the current plan
                plan[pool] = allocate(load[pool], budget, self.policy)
        return plan

    def _noise(self, n: int) -> np.ndarray:
        z = self.rng.standard_normal(n)
        if self.sigma == 0.0:
            return np.ones(n)
        residents = self.residents
        by_district = np.bincount(
            residents.district, residents.participating, minlength=self.districts
        ) / np.maximum(np.bincount(residents.district, minlength=self.districts), 1)
        overall = float(residents.participating.mean()) if residents.size else 0.0
        district = self.staffing.district
        share = np.where(district >= 0, by_district[np.maximum(district, 0)], overall)
        sigma = self.sigma * (1.0 - self.feedback * share)
        return np.exp(sigma * z - 0.5 * sigma**2)
