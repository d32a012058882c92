"""Voice (DESIGN.md §2 step 7): who participates on the platform, what they ask, what they hear.

Every ``voice_every_days`` (a period), each resident i decides afresh (enterprises and social
organisations alike, their "neighbours" being the rows of their district):

    U_i = w_T·T_i + w_E·eff_i + w_N·s_i + boost·recruited_i − cost_i
    cost_i = c_open[openness] + c_dig·(1 − skill_i) + c_time·(1 − time_i)
             + c_civic·(1 − civic_skill_i) + c_priv·concern_i
    participates  ⇔  U_i ≥ θ_i

with s_i the participating share of i's neighbours (one sparse mat-vec) and recruited_i a
Bernoulli(recruitment · openness/3) draw. ``adoption = "progressive"`` makes joining
irreversible. With ``voice_rule = "threshold"`` the rule is reduced to Granovetter's:
participates ⇔ s_i ≥ θ_i (no requests are made).

Requests are cases at the response office (``model.response_office``): each participant files
Poisson(r·K/working days per year) requests in a period of K days, at uniform times over the
period; applicants whose satisfaction with a completed case is below ``complaint_satisfaction``
complain with probability ``complaint_probability`` when it completes. Under the discretionary
rule the office takes a request up with probability clip(take-up propensity + g_press ·
participating share of the requester's district). The response rate is therefore an outcome of
load, capacity, rule and pressure.

Outcome of request j (arrival a_j, handling start s_j, s_j = ∞ if the office did not take it
up; deadline D), applied to its applicant when it is settled, at min(s_j, a_j + D):

    in time_j   = [s_j − a_j ≤ D]                                  (the office's "answered")
    community_j ~ Bernoulli(p_c) if not in time_j, p_c = community_resolution ·
                  [platform_openness ≥ coproduction_min_openness]
    in time:    eff += γ⁺(1 − eff),      T += β⁺(1 − T)
    community:  eff += (γ⁺/2)(1 − eff),  T unchanged
    otherwise (silence): eff −= γ⁻·eff,  T −= β⁻·T

under both rules: under ``discretionary`` the requests not in time are those not taken up and
those taken up but started late; under ``every_request`` (接诉即办) only the late ones. The
expected share resolved by communities is p_c·(1 − response rate). An office that answers every
request in time leaves the communities nothing to resolve: in ``smart`` (six handlers at about
two-thirds load, 15-minute handling against a 2-day deadline) no request of 150,000 in three
400-day runs was late, so there community resolution has, correctly, no effect; it acts in
``smart_overloaded`` and wherever the office is late (tests/model/test_community_resolution.py).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from govlab.model.fused import flagged_per_group
from govlab.model.fused import participation_utility as fused_utility
from govlab.model.network import NeighbourShare
from govlab.model.population import Population
from govlab.model.records import ENTERPRISE, RESIDENT
from govlab.model.response_office import ResponseOffice
from govlab.scenarios import Civic, Scenario


def participation_utility(civic: Civic, cost_open: float, share, who):
    """U − cost of the voice rule (module docstring) for ``who``: anything with the attributes
    trust, efficacy, digital_skill, time, civic_skill and privacy_concern — the population table
    (arrays) or one agent (floats); ``share`` is the participating share of its neighbours."""
    return (
        civic.weight_trust * who.trust
        + civic.weight_efficacy * who.efficacy
        + civic.weight_neighbours * share
        - cost_open
        - civic.cost_digital * (1.0 - who.digital_skill)
        - civic.cost_time * (1.0 - who.time)
        - civic.cost_civic_skill * (1.0 - who.civic_skill)
        - civic.cost_privacy * who.privacy_concern
    )


UTILITY_COLUMNS = (
    "trust", "efficacy", "digital_skill", "time", "civic_skill", "privacy_concern",
)  # fmt: skip
UTILITY_COEFFICIENTS = (
    "weight_trust", "weight_efficacy", "weight_neighbours",
    "cost_digital", "cost_time", "cost_civic_skill", "cost_privacy",
)  # fmt: skip


def platform_terms(civic: Civic, openness: int) -> tuple[float, float, float]:
    """What the platform's openness sets: the cost of taking part (utility units), the daily
    recruitment probability and the probability that the community resolves an unanswered
    request."""
    community = civic.community_resolution if openness >= civic.coproduction_min_openness else 0.0
    return civic.openness_cost[openness], civic.recruitment_probability * openness / 3.0, community


class Voice:
    """Participation decisions, requests and complaints to the office, and their outcomes."""

    def __init__(
        self,
        scenario: Scenario,
        residents: Population,
        enterprises: Population,
        adjacency: sp.csr_array,
        degree: np.ndarray,
        rng: np.random.Generator,
        office: ResponseOffice,
    ) -> None:
        self.civic = scenario.civic
        self.every_request = scenario.response_office.rule == "every_request"
        self.period = self.civic.voice_every_days
        self.daily_rate = (
            self.civic.requests_per_participant_per_year / scenario.world.working_days_per_year
        )
        self.warmup = scenario.world.warmup_days
        self.tables = {RESIDENT: residents, ENTERPRISE: enterprises}
        self.adjacency = adjacency
        self.degree = degree
        self.neighbour_share: NeighbourShare | None = None  # made at the first decision
        self.rng = rng
        self.office = office
        self.districts = scenario.world.districts
        self.use_levers(scenario.levers)
        self.rows_per_district = {  # fixed: rows never move
            kind: np.bincount(table.district, minlength=self.districts)
            for kind, table in self.tables.items()
        }
        self.resolved_by_community = 0
        self.complaints = 0

    def use_levers(self, levers) -> None:
        """The platform's openness from now (at build, and when a schedule changes it)."""
        self.cost_open, self.recruitment, self.community = platform_terms(
            self.civic, levers.platform_openness
        )

    def step(self, day: int, start: float) -> None:
        """At the start of each period (day ``day``, time ``start``), decide participation and
        submit the period's requests to the office."""
        if (day - 1) % self.period:
            return
        residents, firms = self.tables[RESIDENT], self.tables[ENTERPRISE]
        if self.neighbour_share is None:
            self.neighbour_share = NeighbourShare(self.adjacency, self.degree)
        share = self.neighbour_share(residents.participating)
        self._decide(residents, share)
        if firms.size:
            self._decide(firms, self._district_share(ENTERPRISE)[firms.district])
        if self.civic.voice_rule == "threshold":
            return
        for kind, table in self.tables.items():
            if table.size:
                self._requests(kind, table, start)

    def _district_share(self, kind: int) -> np.ndarray:
        """Participating share of each district's rows of table ``kind`` (float64); the
        participants are counted in one pass (``model.fused.flagged_per_group``: the integers
        ``np.bincount`` gave)."""
        table, counts = self.tables[kind], self.rows_per_district[kind]
        active = flagged_per_group(table.district, table.participating, self.districts)
        return np.divide(active, counts, out=np.zeros(self.districts), where=counts > 0)

    def _decide(self, table: Population, share: np.ndarray) -> None:
        civic = self.civic
        if civic.voice_rule == "threshold":
            joins = share >= table.threshold
        else:
            utility = self._utility(table, share)
            if self.recruitment > 0.0:
                recruited = self.rng.random(table.size, dtype=np.float32) < self.recruitment
                utility += civic.recruitment_boost * recruited
            joins = utility >= table.threshold
        if civic.adoption == "progressive":
            table.participating |= joins
        else:
            table.participating[:] = joins

    def _utility(self, table: Population, share: np.ndarray) -> np.ndarray:
        """``participation_utility`` of every row: one fused pass (``model.fused``) over float32
        columns and share with Python-number coefficients (the same float32 operations, so the
        same numbers), else the NumPy expression (a float64 share, as the firms' district
        share, makes it a float64 computation)."""
        civic, f32 = self.civic, np.float32
        columns = [table.columns[name] for name in UTILITY_COLUMNS]
        coefficients = [getattr(civic, name) for name in UTILITY_COEFFICIENTS]
        coefficients.insert(3, self.cost_open)
        if share.dtype != np.float32 or any(c.dtype != np.float32 for c in columns):
            return participation_utility(civic, self.cost_open, share, table)
        if any(type(c) not in (int, float) for c in coefficients):
            return participation_utility(civic, self.cost_open, share, table)
        trust, efficacy, *rest = columns
        return fused_utility(trust, efficacy, share, *rest, *(f32(c) for c in coefficients))

    def _take_up(self, kind: int, rows: np.ndarray) -> np.ndarray:
        if self.every_request:
            return np.ones(len(rows))
        pressure = self._district_share(kind)[self.tables[kind].district[rows]]
        return np.clip(self.civic.take_up_propensity + self.civic.pressure_gain * pressure, 0, 1)

    def _requests(self, kind: int, table: Population, start: float) -> None:
        participants = np.flatnonzero(table.participating)
        counts = self.rng.poisson(self.daily_rate * self.period, size=len(participants))
        rows = np.repeat(participants, counts)
        arrival = start + self.period * self.rng.random(len(rows))
        self.office.submit(arrival, rows, np.full(len(rows), kind), self._take_up(kind, rows))

    def complain(self, cases: dict[str, np.ndarray], satisfaction: np.ndarray) -> None:
        """Applicants dissatisfied with today's completed cases complain to the office."""
        civic = self.civic
        unhappy = satisfaction < civic.complaint_satisfaction
        # One uniform per case whatever the satisfaction, so that paired runs stay paired.
        filing = unhappy & (self.rng.random(len(satisfaction)) < civic.complaint_probability)
        if not filing.any():
            return
        arrival = cases["completion_day"][filing].astype(float)
        kinds = cases["applicant_kind"][filing].astype(np.int64)
        rows = cases["applicant"][filing].astype(np.int64)
        take_up = np.ones(len(rows))
        for kind in self.tables:
            mask = kinds == kind
            if mask.any():
                take_up[mask] = self._take_up(kind, rows[mask])
        self.complaints += int((arrival >= self.warmup).sum())
        self.office.submit(arrival, rows, kinds, take_up)

    def settle(self, time: float) -> None:
        """Apply the outcomes of the requests settled before ``time`` (answer or silence)."""
        rows, kinds, answered = self.office.settled_before(time)
        if len(rows) == 0:
            return
        civic = self.civic
        community = ~answered & (self.rng.random(len(rows)) < self.community)
        silent = ~answered & ~community
        if time > self.warmup:
            self.resolved_by_community += int(community.sum())
        for kind, table in self.tables.items():
            mine = kinds == kind
            if not mine.any():
                continue
            efficacy, trust = table.efficacy, table.trust
            # A row with several requests settled the same day is updated once per outcome.
            yes, helped, no = rows[mine & answered], rows[mine & community], rows[mine & silent]
            efficacy[yes] += civic.efficacy_gain * (1.0 - efficacy[yes])
            efficacy[helped] += 0.5 * civic.efficacy_gain * (1.0 - efficacy[helped])
            efficacy[no] -= civic.efficacy_loss * efficacy[no]
            trust[yes] += civic.response_trust_gain * (1.0 - trust[yes])
            trust[no] -= civic.silence_trust_loss * trust[no]
