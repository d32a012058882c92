"""Co-production and self-governance (DESIGN.md §2 step 8): volunteer capacity from civil society.

With platform openness ≥ ``coproduction_min_openness`` and ``coproduction`` > 0, an enterprise
co-produces while its trust is at least ``coproduction_trust_threshold``. District d then adds

    f_d = min(1, social_organisation_share + coproducing share of d's enterprises / full share)
    extra_s = coproduction · f_d · allocation_s     (stochastically rounded, every day)

servers at each of its stations (counters, front desk, back offices; city-level stations get
none). Self-governance — communities resolving a share of local requests — acts on voice
(``model.voice``).
"""

from __future__ import annotations

import numpy as np

from model.population import Population
from model.staffing import Staffing
from scenarios import Scenario


class Coproduction:
    """Which enterprises co-produce, and the extra servers they add."""

    def __init__(
        self,
        scenario: Scenario,
        enterprises: Population,
        staffing: Staffing,
        rng: np.random.Generator,
    ) -> None:
        civic, levers = scenario.civic, scenario.levers
        self.civic = civic
        self.level = levers.coproduction
        self.active = (
            self.level > 0.0 and levers.platform_openness >= civic.coproduction_min_openness
        )
        self.enterprises = enterprises
        self.staffing = staffing
        self.rng = rng
        self.districts = scenario.world.districts

    def step(self, time: float) -> None:
        """Update the co-producers and the extra servers; apply them at ``time``."""
        staffing = self.staffing
        if self.active:
            firms = self.enterprises
            firms.coproducing[:] = firms.trust >= self.civic.coproduction_trust_threshold
            counts = np.bincount(firms.district, minlength=self.districts)
            active = np.bincount(firms.district, firms.coproducing, minlength=self.districts)
            share = np.divide(active, counts, out=np.zeros(self.districts), where=counts > 0)
            f = np.minimum(
                1.0, self.civic.social_organisation_share + share / self.civic.coproducer_share_full
            )
            local = staffing.district >= 0
            wanted = np.zeros(len(staffing.extra))
            wanted[local] = self.level * f[staffing.district[local]] * staffing.allocation[local]
            whole = np.floor(wanted)
            staffing.extra = (whole + (self.rng.random(len(wanted)) < wanted - whole)).astype(
                np.int64
            )
            staffing.apply(time)
        staffing.record_day()
