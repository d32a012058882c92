"""Evaluation (DESIGN.md §2 step 6): how applicants judge a completed case, and what trust does.

Expectancy disconfirmation (Oliver 1980; Van Ryzin 2004 for public services), per completed case
of applicant i:

    performance  P = exp(−delay / D − π · max(trips − 1, 0))                  (0-1]
    satisfaction S = clip(a + b·P + c·(P − E_i), 0, 1)
    expectation  E_i ← E_i + α_E (P − E_i)
    trust        T_i ← T_i + α_T (S − T_i)          (ΔT_i spills w · ΔT_i to each neighbour)

An applicant with several cases the same day uses their mean P and S. Trust has no drift of its
own. Transparency τ publishes each district's real service performance P_pub,d (an exponential
average of the mean P of the district's completed cases, weight ``PUBLISHED_MEMORY`` per day
with cases). Every day, each resident or enterprise *without an own case in the last*
``recent_case_days`` takes the published figure as a vicarious case of weight ω = τ·ρ
(τ the transparency of its home district, ρ = ``publication_weight``), through the same rule:

    S_pub = clip(a + b·P_pub + c·(P_pub − E_i), 0, 1)
    E_i ← E_i + ω α_E (P_pub − E_i)
    T_i ← T_i + ω α_T (S_pub − T_i)

so publication raises trust where service is good and lowers it where it is poor; with τ = 0 it
does nothing. The coefficients a, b, c, α_E, α_T, D, π, w are assumed (documented in the schema);
the disconfirmation form is the literature's. The module owns the per-case satisfaction
(aligned with ``journeys.records``) for the metrics. Cases still open are felt, and given up, by
``model.waiting`` through ``feel_waiting`` and ``judge``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from govlab.model.fused import read_published
from govlab.model.population import Population
from govlab.model.records import ENTERPRISE, RESIDENT
from govlab.model.spread import spill
from govlab.scenarios import Scenario

PUBLISHED_MEMORY = 0.1  # weight of a day's mean performance in the published figure


class Evaluation:
    """Satisfaction, expectation and trust updates from completed cases and published figures.

    Attributes:
        published: each district's published performance (0-1; nan before its first case).
    """

    def __init__(
        self,
        scenario: Scenario,
        residents: Population,
        enterprises: Population,
        adjacency: sp.csr_array | None,
    ) -> None:
        self.civic = scenario.civic
        self.use_levers([scenario.levers] * scenario.world.districts)
        self.tables = {RESIDENT: residents, ENTERPRISE: enterprises}
        self.adjacency = adjacency
        self.published = np.full(scenario.world.districts, np.nan)
        self.case_satisfaction: list[np.ndarray] = []

    def use_levers(self, district_levers: list) -> None:
        """Each district's weight ω = τ·ρ of its published figures, from its transparency τ (at
        build, and when a schedule changes it)."""
        self.weight = np.array(
            [levers.transparency * self.civic.publication_weight for levers in district_levers]
        )

    def performance(self, delay: np.ndarray, trips: np.ndarray) -> np.ndarray:
        """P = exp(−delay/D − π·max(trips − 1, 0)); 0-1."""
        civic = self.civic
        extra_trips = np.maximum(trips - 1, 0)
        return np.exp(-delay / civic.delay_reference_days - civic.trip_penalty * extra_trips)

    def satisfaction(self, performance, expectation):
        """S = clip(a + b·P + c·(P − E), 0, 1)."""
        civic = self.civic
        return np.clip(
            civic.satisfaction_base
            + civic.satisfaction_performance * performance
            + civic.satisfaction_disconfirmation * (performance - expectation),
            0.0,
            1.0,
        )

    def step(
        self,
        cases: dict[str, np.ndarray],
        time: float = 0.0,
        given_up: np.ndarray | None = None,
    ) -> None:
        """Update the applicants of today's completed cases (day ending at ``time``), then
        publish and let the published figures reach those without a recent case.

        ``given_up`` (one value per case, nan where not) is the satisfaction of each case its
        applicant abandoned before it completed (``model.waiting``): they judged it then, so its
        completion is published but not judged again."""
        satisfaction = np.zeros(len(cases["delay_days"]))
        performance = self.performance(cases["delay_days"], cases["trips"])
        judged = np.ones(len(satisfaction), dtype=bool)
        if given_up is not None:
            judged = np.isnan(given_up)
            satisfaction[~judged] = given_up[~judged]
        satisfaction[judged] = self.judge(
            cases["applicant_kind"][judged],
            cases["applicant"][judged],
            performance[judged],
            time,
        )
        self.case_satisfaction.append(satisfaction)
        self._publish(cases["home_district"].astype(np.int64), performance)
        if self.weight.any():
            for table in self.tables.values():
                if table.size:
                    self._read_published(table, time)

    def judge(
        self, kinds: np.ndarray, applicants: np.ndarray, performance: np.ndarray, time: float
    ) -> np.ndarray:
        """The rule of the module docstring for cases ended (completed or given up) at ``time``:
        update each applicant's expectation, satisfaction and trust (spilling for residents);
        return each case's satisfaction."""
        civic = self.civic
        satisfaction = np.zeros(len(performance))
        kinds = kinds.astype(np.int8)
        for kind, table in self.tables.items():
            mask = kinds == kind
            if not mask.any():
                continue
            rows, inverse = np.unique(applicants[mask].astype(np.int64), return_inverse=True)
            expectation = table.expectation[rows].astype(float)
            p = performance[mask]
            s = self.satisfaction(p, expectation[inverse])
            satisfaction[mask] = s
            counts = np.bincount(inverse)
            p_mean = np.bincount(inverse, p) / counts
            s_mean = np.bincount(inverse, s) / counts
            table.expectation[rows] = expectation + civic.expectation_rate * (p_mean - expectation)
            table.satisfaction[rows] = s_mean
            table.last_case_day[rows] = time
            self._move_trust(kind, table, rows, civic.trust_rate * (s_mean - table.trust[rows]))
        return satisfaction

    def feel_waiting(self, kind: int, rows: np.ndarray, performance: np.ndarray) -> None:
        """One day of waiting (``model.waiting``): applicants ``rows`` (distinct) of ``kind``
        whose open case's performance so far is below their expectation move their trust
        ω·α_T·min(S − T, 0) towards that case's satisfaction S (a late case is bad news only);
        expectations are unchanged."""
        civic, table = self.civic, self.tables[kind]
        expectation = table.expectation[rows].astype(float)
        felt = performance < expectation
        rows, performance, expectation = rows[felt], performance[felt], expectation[felt]
        s = self.satisfaction(performance, expectation)
        weight = civic.waiting_weight * civic.trust_rate
        self._move_trust(kind, table, rows, weight * np.minimum(s - table.trust[rows], 0.0))

    def _move_trust(self, kind: int, table: Population, rows: np.ndarray, delta) -> None:
        table.trust[rows] += delta.astype(np.float32)
        if kind == RESIDENT:
            spill(self.adjacency, table.trust, rows, delta, self.civic.spillover_weight)

    def _publish(self, district: np.ndarray, performance: np.ndarray) -> None:
        n = len(self.published)
        counts = np.bincount(district, minlength=n)
        seen = counts > 0
        today = np.bincount(district, performance, minlength=n)[seen] / counts[seen]
        old = self.published[seen]
        self.published[seen] = np.where(
            np.isnan(old), today, old + PUBLISHED_MEMORY * (today - old)
        )

    def _read_published(self, table: Population, time: float) -> None:
        """The vicarious case of the module docstring, for rows without a recent own case: one
        pass over the columns (``model.fused.read_published``; the float32 operations of
        ``read_published_numpy``, bit for bit), so a day allocates nothing per row."""
        columns = (table.last_case_day, table.expectation, table.trust)
        if any(column.dtype != np.float32 for column in columns):
            return self.read_published_numpy(table, time)  # a hand-made table (tests)
        civic = self.civic
        published = self.published.astype(np.float32)
        weight_of = np.where(np.isnan(published), np.float32(0.0), self.weight.astype(np.float32))
        f32 = np.float32
        read_published(
            table.district, table.last_case_day, table.expectation, table.trust,
            weight_of, np.nan_to_num(published), f32(time), f32(civic.recent_case_days),
            f32(civic.satisfaction_base), f32(civic.satisfaction_performance),
            f32(civic.satisfaction_disconfirmation), f32(civic.expectation_rate),
            f32(civic.trust_rate),
        )  # fmt: skip

    def read_published_numpy(self, table: Population, time: float) -> None:
        """``_read_published`` as whole-column NumPy float32 operations (a row that does not
        read gets weight 0): the reference the fused loop is tested against."""
        civic = self.civic
        published = self.published.astype(np.float32)
        known = ~np.isnan(published)
        weight = np.where(known, self.weight.astype(np.float32), np.float32(0.0))[table.district]
        weight[time - table.last_case_day <= civic.recent_case_days] = 0.0
        p = np.nan_to_num(published)[table.district]
        s = self.satisfaction(p, table.expectation).astype(np.float32, copy=False)
        p -= table.expectation
        p *= weight
        p *= np.float32(civic.expectation_rate)
        table.expectation += p
        s -= table.trust
        s *= weight
        s *= np.float32(civic.trust_rate)
        table.trust += s

    def satisfaction_of_records(self) -> np.ndarray:
        """Satisfaction of every completed case so far, in ``journeys.records`` order."""
        if not self.case_satisfaction:
            return np.zeros(0)
        return np.concatenate(self.case_satisfaction)
