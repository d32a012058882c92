"""Evaluation (DESIGN.md §2 step 6): how applicants judge a completed case, and trust.

Expectancy disconfirmation, per completed case of applicant i:

    performance  P = exp(−delay / D − π · max(trips − 1, 0))                  (0-1]
    satisfaction S = clip(a + b·P + c·(P − E_i), 0, 1)
    expectation  E_i ← E_i + α_E (P − E_i)
    trust        T_i ← T_i + α_T (S − T_i)          (ΔT_i spills w · ΔT_i to each neighbour)

An applicant with several cases the same day uses their mean P and S. Every day, transparency τ
moves everyone's trust toward what open government shows:

    T ← T + τ · (ρ_info (S_pub − T) + ρ_open (1 − T))

where S_pub is the published satisfaction (an exponential average of the days' mean S). The
module owns the per-case satisfaction (aligned with ``journeys.records``) for the metrics.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.population import Population
from model.records import ENTERPRISE, RESIDENT
from model.spread import spill
from scenarios import Scenario

PUBLISHED_MEMORY = 0.1  # weight of today's mean satisfaction in the published figure


class Evaluation:
    """Satisfaction, expectation and trust updates from completed cases, and transparency."""

    def __init__(
        self,
        scenario: Scenario,
        residents: Population,
        enterprises: Population,
        adjacency: sp.csr_array | None,
    ) -> None:
        self.civic = scenario.civic
        self.transparency = scenario.levers.transparency
        self.tables = {RESIDENT: residents, ENTERPRISE: enterprises}
        self.adjacency = adjacency
        self.published = scenario.civic.trust_initial
        self.case_satisfaction: list[np.ndarray] = []

    def performance(self, delay: np.ndarray, trips: np.ndarray) -> np.ndarray:
        """P = exp(−delay/D − π·max(trips − 1, 0)); 0-1."""
        civic = self.civic
        extra_trips = np.maximum(trips - 1, 0)
        return np.exp(-delay / civic.delay_reference_days - civic.trip_penalty * extra_trips)

    def step(self, cases: dict[str, np.ndarray]) -> None:
        """Update the applicants of today's completed cases; then the transparency drift."""
        civic = self.civic
        satisfaction = np.zeros(len(cases["delay_days"]))
        performance = self.performance(cases["delay_days"], cases["trips"])
        kinds = cases["applicant_kind"].astype(np.int8)
        for kind, table in self.tables.items():
            mask = kinds == kind
            if not mask.any():
                continue
            rows, inverse = np.unique(
                cases["applicant"][mask].astype(np.int64), return_inverse=True
            )
            expectation = table.expectation[rows].astype(float)
            p = performance[mask]
            s = np.clip(
                civic.satisfaction_base
                + civic.satisfaction_performance * p
                + civic.satisfaction_disconfirmation * (p - expectation[inverse]),
                0.0,
                1.0,
            )
            satisfaction[mask] = s
            counts = np.bincount(inverse)
            p_mean = np.bincount(inverse, p) / counts
            s_mean = np.bincount(inverse, s) / counts
            table.expectation[rows] = expectation + civic.expectation_rate * (p_mean - expectation)
            table.satisfaction[rows] = s_mean
            delta = civic.trust_rate * (s_mean - table.trust[rows])
            table.trust[rows] += delta.astype(np.float32)
            if kind == RESIDENT:
                spill(self.adjacency, table.trust, rows, delta, civic.spillover_weight)
        self.case_satisfaction.append(satisfaction)
        if len(satisfaction):
            self.published += PUBLISHED_MEMORY * (float(satisfaction.mean()) - self.published)
        self._transparency_drift()

    def _transparency_drift(self) -> None:
        tau = self.transparency
        info = tau * self.civic.transparency_information_rate
        openness = tau * self.civic.transparency_trust_rate
        if info == 0.0 and openness == 0.0:
            return
        for table in self.tables.values():
            trust = table.trust
            trust += (info * (self.published - trust) + openness * (1.0 - trust)).astype(np.float32)

    def satisfaction_of_records(self) -> np.ndarray:
        """Satisfaction of every completed case so far, in ``journeys.records`` order."""
        if not self.case_satisfaction:
            return np.zeros(0)
        return np.concatenate(self.case_satisfaction)
