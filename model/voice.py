"""Voice (DESIGN.md §2 step 7): who participates on the platform, and how government answers.

Every ``voice_every_days`` (a period), each resident i decides afresh (enterprises alike, their
"neighbours" being the enterprises of their district):

    U_i = w_T·T_i + w_E·eff_i + w_N·s_i + boost·recruited_i − cost_i
    cost_i = c_open[openness] + c_dig·(1 − skill_i) + c_time·(1 − time_i)
             + c_civic·(1 − civic_skill_i) + c_priv·concern_i
    participates  ⇔  U_i ≥ θ_i

with s_i the participating share of i's neighbours (one sparse mat-vec) and recruited_i a
Bernoulli(recruitment · openness/3) draw. With ``voice_rule = "threshold"`` the rule is reduced to
Granovetter's: participates ⇔ s_i ≥ θ_i (no requests are made). Each participant files a request
with probability q; it gets a response with probability

    r_i = clip(responsiveness + g_open·openness + g_press·(participating share of i's district))

A response raises efficacy (eff += γ⁺(1 − eff)) and trust (T += β⁺(1 − T)); silence lowers them
(eff −= γ⁻·eff, T −= β⁻·T) unless, with openness ≥ the co-production level, the community resolves
the request itself (probability ``community_resolution``; efficacy rises by γ⁺/2, trust unchanged).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.network import neighbour_share
from model.population import Population
from scenarios import Civic, Scenario


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


def platform_terms(civic: Civic, openness: int) -> tuple[float, float, float]:
    """What the platform's openness sets: the cost of taking part (utility units), the daily
    recruitment probability and the probability that the community resolves an unanswered
    request."""
    community = civic.community_resolution if openness >= civic.coproduction_min_openness else 0.0
    return civic.openness_cost[openness], civic.recruitment_probability * openness / 3.0, community


class Voice:
    """Participation decisions, requests and responses; counters for the metrics."""

    def __init__(
        self,
        scenario: Scenario,
        residents: Population,
        enterprises: Population,
        adjacency: sp.csr_array,
        degree: np.ndarray,
        rng: np.random.Generator,
        districts: int,
    ) -> None:
        self.civic = scenario.civic
        self.levers = scenario.levers
        self.warmup = scenario.world.warmup_days
        self.residents = residents
        self.enterprises = enterprises
        self.adjacency = adjacency
        self.degree = degree
        self.rng = rng
        self.districts = districts
        self.cost_open, self.recruitment, self.community = platform_terms(
            self.civic, self.levers.platform_openness
        )
        self.requests = self.responses = self.resolved_by_community = 0

    def step(self, day: int) -> None:
        """Decide participation at the start of each period; file and answer requests."""
        if (day - 1) % self.civic.voice_every_days:
            return
        counted = day > self.warmup
        share = neighbour_share(self.adjacency, self.degree, self.residents.participating)
        self._decide(self.residents, share)
        firms = self.enterprises
        if firms.size:
            self._decide(firms, self._district_share(firms)[firms.district])
        if self.civic.voice_rule == "threshold":
            return
        for table in (self.residents, self.enterprises):
            if table.size:
                self._requests(table, counted)

    def _district_share(self, table: Population) -> np.ndarray:
        counts = np.bincount(table.district, minlength=self.districts)
        active = np.bincount(table.district, table.participating, minlength=self.districts)
        return np.divide(active, counts, out=np.zeros(self.districts), where=counts > 0)

    def _decide(self, table: Population, share: np.ndarray) -> None:
        civic = self.civic
        if civic.voice_rule == "threshold":
            table.participating[:] = share >= table.threshold
            return
        utility = participation_utility(civic, self.cost_open, share, table)
        if self.recruitment > 0.0:
            recruited = self.rng.random(table.size, dtype=np.float32) < self.recruitment
            utility += civic.recruitment_boost * recruited
        table.participating[:] = utility >= table.threshold

    def _requests(self, table: Population, counted: bool) -> None:
        civic, rng = self.civic, self.rng
        participants = np.flatnonzero(table.participating)
        filing = participants[rng.random(len(participants)) < civic.request_probability]
        if len(filing) == 0:
            return
        pressure = self._district_share(table)[table.district[filing]]
        response = np.clip(
            self.levers.responsiveness
            + civic.openness_response_gain * self.levers.platform_openness
            + civic.pressure_gain * pressure,
            0.0,
            1.0,
        )
        answered = rng.random(len(filing)) < response
        community = ~answered & (rng.random(len(filing)) < self.community)
        silent = ~answered & ~community
        efficacy, trust = table.efficacy, table.trust
        yes, helped, no = filing[answered], filing[community], filing[silent]
        efficacy[yes] += civic.efficacy_gain * (1.0 - efficacy[yes])
        efficacy[helped] += 0.5 * civic.efficacy_gain * (1.0 - efficacy[helped])
        efficacy[no] -= civic.efficacy_loss * efficacy[no]
        trust[yes] += civic.response_trust_gain * (1.0 - trust[yes])
        trust[no] -= civic.silence_trust_loss * trust[no]
        if counted:
            self.requests += len(filing)
            self.responses += int(answered.sum())
            self.resolved_by_community += int(community.sum())
