"""Privacy (DESIGN.md §2 step 10): data-hub retrievals risk incidents that cost trust.

Each retrieval of a completed case's documents from the data hub causes an incident with
probability p·(1 − privacy_protection) (so a case with k retrievals has Binomial(k, ·) incidents).
A victim with m incidents and privacy concern c loses trust

    ΔT = −T · (1 − (1 − L·(0.5 + c))^m)          (L = incident_trust_loss)

passes ``incident_spillover_weight`` · ΔT to each neighbour (residents), and grows more concerned:
c ← c + g·(1 − c). Incidents are reported in public: everyone (residents and enterprises) in the
victim's district keeps a share (1 − ``incident_publicity_loss``)^n of their trust after n
incidents there in a day — the channel through which weak protection costs trust beyond the
few who are hit. Incidents are drawn when the case completes (its retrievals are recorded
then). The module owns the per-case incident counts (aligned with ``journeys.records``) and,
from ``count_from`` on, the incidents and the trust they cost (victims, neighbours, publicity)
summed over residents, for the outcome metrics.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from govlab.model.population import Population
from govlab.model.records import ENTERPRISE, RESIDENT
from govlab.model.spread import spill
from govlab.scenarios import Scenario


class Privacy:
    """Incidents from data-hub retrievals and their trust cost."""

    def __init__(
        self,
        scenario: Scenario,
        residents: Population,
        enterprises: Population,
        adjacency: sp.csr_array | None,
        rng: np.random.Generator,
        count_from: float = 0.0,
    ) -> None:
        self.civic = scenario.civic
        self.count_from = count_from
        self.incidents = 0  # incidents counted from count_from
        self.resident_trust_lost = 0.0  # residents' trust lost to incidents, summed; trust units
        self.districts = scenario.world.districts
        self.use_levers(scenario.levers)
        self.tables = {RESIDENT: residents, ENTERPRISE: enterprises}
        self.adjacency = adjacency
        self.rng = rng
        self.case_incidents: list[np.ndarray] = []

    def use_levers(self, levers) -> None:
        """The incident probability per retrieval from now (at build, and when a schedule changes
        the protection)."""
        self.probability = self.civic.incident_probability * (1.0 - levers.privacy_protection)

    def step(self, cases: dict[str, np.ndarray], time: float = 0.0) -> None:
        """Draw today's incidents (day ending at ``time``) and apply their trust cost."""
        retrievals = cases["hub_retrievals"].astype(np.int64)
        # One uniform per retrieval whatever the probability, so that streams stay paired.
        risky = self.rng.random(int(retrievals.sum())) < self.probability
        case_of = np.repeat(np.arange(len(retrievals)), retrievals)
        incidents = np.bincount(case_of[risky], minlength=len(retrievals))
        self.case_incidents.append(incidents)
        hit = incidents > 0
        if not hit.any():
            return
        counted = time > self.count_from
        if counted:
            self.incidents += int(incidents.sum())
        residents = self.tables[RESIDENT]
        before = float(residents.trust.sum(dtype=np.float64)) if counted else 0.0
        self._apply(cases, incidents, hit)
        if counted:
            self.resident_trust_lost += before - float(residents.trust.sum(dtype=np.float64))

    def _apply(self, cases: dict[str, np.ndarray], incidents: np.ndarray, hit: np.ndarray) -> None:
        civic = self.civic
        kinds = cases["applicant_kind"][hit].astype(np.int8)
        applicants = cases["applicant"][hit].astype(np.int64)
        self._publicise(cases["home_district"][hit].astype(np.int64), incidents[hit])
        for kind, table in self.tables.items():
            mask = kinds == kind
            if not mask.any():
                continue
            rows, inverse = np.unique(applicants[mask], return_inverse=True)
            count = np.bincount(inverse, incidents[hit][mask])
            concern = table.privacy_concern[rows].astype(float)
            keep = (1.0 - np.clip(civic.incident_trust_loss * (0.5 + concern), 0.0, 1.0)) ** count
            delta = -table.trust[rows] * (1.0 - keep)
            table.trust[rows] += delta.astype(np.float32)
            table.privacy_concern[rows] = concern + civic.incident_concern_gain * (1.0 - concern)
            if kind == RESIDENT:
                spill(self.adjacency, table.trust, rows, delta, civic.incident_spillover_weight)

    def _publicise(self, districts: np.ndarray, incidents: np.ndarray) -> None:
        """Everyone in a district where incidents happened today loses a little trust."""
        loss = self.civic.incident_publicity_loss
        if loss == 0.0:
            return
        per_district = np.bincount(districts, incidents, minlength=self.districts)
        keep = ((1.0 - loss) ** per_district).astype(np.float32)
        for table in self.tables.values():
            if table.size:
                table.trust *= keep[table.district]

    def incidents_of_records(self) -> np.ndarray:
        """Incidents of every completed case so far, in ``journeys.records`` order."""
        if not self.case_incidents:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(self.case_incidents)
