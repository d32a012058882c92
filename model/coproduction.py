"""Co-production (DESIGN.md §2 step 8): volunteer capacity from firms and social organisations.

With platform openness ≥ ``coproduction_min_openness`` and ``coproduction`` > 0, each row of the
enterprise table — an enterprise or a social organisation (``kind``) — decides every day from
its own attitudes:

    co-produces  ⇔  T ≥ coproduction_trust_threshold  and  eff ≥ coproduction_efficacy_threshold

A co-producer offers v_kind servers (``enterprise_volunteer_servers``,
``organisation_volunteer_servers``); the platform enlists the share ``coproduction`` of the offer.
District d thus gains

    extra_d = coproduction · Σ_{co-producers in d} v_kind

servers, spread over the district's stations where volunteer help is plausible — intake counters,
front desks and the community service stations (``COMMUNITY`` function, both its counter and its
back office) — in proportion to their planned servers, stochastically rounded every day. Legal
approvals (the other back offices) and city-level stations get none. The capacity added grows
with the number of co-producers, so the attitude gate binds. Self-governance — communities
resolving a share of local requests — acts on voice (``model.voice``).
"""

from __future__ import annotations

import numpy as np

from govlab.model.offices import Layout
from govlab.model.population import ORGANISATION, Population
from govlab.model.staffing import Staffing
from govlab.scenarios import Scenario

COMMUNITY = "community"  # the catalogue function of the community service stations


def volunteer_stations(layout: Layout) -> np.ndarray:
    """Stations volunteers may staff: district counters, front desks, community stations."""
    eligible = np.zeros(layout.n_stations, dtype=bool)
    for office in layout.offices:
        if office.district is None:
            continue
        eligible[office.counter] = True
        if office.function == COMMUNITY and office.backoffice is not None:
            eligible[office.backoffice] = True
    return eligible


class Coproduction:
    """Which enterprises and organisations co-produce, and the extra servers they add."""

    def __init__(
        self,
        scenario: Scenario,
        enterprises: Population,
        staffing: Staffing,
        layout: Layout,
        rng: np.random.Generator,
    ) -> None:
        self.civic = scenario.civic
        self.use_levers(scenario.levers)
        self.enterprises = enterprises
        self.staffing = staffing
        self.eligible = volunteer_stations(layout) & (staffing.district >= 0)
        self.rng = rng
        self.districts = scenario.world.districts
        self.coproducer_days = 0.0  # co-producing rows, summed over days

    def use_levers(self, levers) -> None:
        """Co-production's level and whether the platform enlists it, from now (at build, and
        when a schedule changes them)."""
        self.level = levers.coproduction
        self.active = (
            self.level > 0.0 and levers.platform_openness >= self.civic.coproduction_min_openness
        )

    def close(self, stations: np.ndarray) -> None:
        """Send no volunteers to ``stations`` from now (counters whose district opened its front
        desk, ``model.front_desks``)."""
        self.eligible[stations] = False

    def step(self, time: float) -> None:
        """Update the co-producers and the extra servers; apply them at ``time``."""
        staffing = self.staffing
        if self.active:
            civic, rows = self.civic, self.enterprises
            rows.coproducing[:] = (rows.trust >= civic.coproduction_trust_threshold) & (
                rows.efficacy >= civic.coproduction_efficacy_threshold
            )
            self.coproducer_days += float(rows.coproducing.sum())
            offer = np.where(
                rows.kind == ORGANISATION,
                civic.organisation_volunteer_servers,
                civic.enterprise_volunteer_servers,
            )
            extra_by_district = self.level * np.bincount(
                rows.district, offer * rows.coproducing, minlength=self.districts
            )
            plan = np.where(self.eligible, staffing.allocation, 0).astype(float)
            district = np.maximum(staffing.district, 0)
            planned = np.bincount(district, plan, minlength=self.districts)
            share = np.divide(plan, planned[district], out=np.zeros(len(plan)), where=plan > 0)
            wanted = extra_by_district[district] * share
            whole = np.floor(wanted)
            staffing.extra = (whole + (self.rng.random(len(wanted)) < wanted - whole)).astype(
                np.int64
            )
            staffing.apply(time)
        staffing.record_day()
