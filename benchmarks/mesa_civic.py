"""The civic day written as idiomatic Mesa agents: the reference for target 1.

The same rules as ``model.evaluation`` (expectancy disconfirmation, trust spill-over to
neighbours, transparency drift) and ``model.voice`` (the full participation rule, requests,
responses), but each resident is a ``mesa.Agent`` holding its attributes and a list of its
neighbour agents; a day is ``shuffle_do`` over the agents, reading neighbours one by one.
Participation is decided synchronously, as in the array version: every agent first computes its
choice from its neighbours' current state (``decide``), then all adopt it (``commit``).
Random draws use each agent's ``self.random`` (Mesa's idiom), so the outcomes agree with the array
version in distribution (asserted on aggregates), not draw for draw.
"""

from __future__ import annotations

import math
from collections import defaultdict

import mesa
import numpy as np

from model.voice import participation_utility, platform_terms

PUBLISHED_MEMORY = 0.1
ATTRIBUTES = (
    "district",
    "digital_skill",
    "time",
    "civic_skill",
    "trust",
    "expectation",
    "satisfaction",
    "efficacy",
    "privacy_concern",
    "threshold",
    "participating",
)


class CivicResident(mesa.Agent):
    """One resident with its attitudes and its neighbours."""

    def __init__(self, model: CivicModel) -> None:
        super().__init__(model)
        self.neighbours: list[CivicResident] = []
        self.next_participating = False

    def evaluate(self, cases: list[tuple[float, float]]) -> list[float]:
        """Judge today's completed cases; return their satisfactions; spill the trust change."""
        civic = self.model.civic
        ps, ss = [], []
        for delay, trips in cases:
            p = math.exp(
                -delay / civic.delay_reference_days - civic.trip_penalty * max(trips - 1.0, 0.0)
            )
            s = (
                civic.satisfaction_base
                + civic.satisfaction_performance * p
                + civic.satisfaction_disconfirmation * (p - self.expectation)
            )
            ps.append(p)
            ss.append(min(max(s, 0.0), 1.0))
        p_mean, s_mean = sum(ps) / len(ps), sum(ss) / len(ss)
        self.expectation += civic.expectation_rate * (p_mean - self.expectation)
        self.satisfaction = s_mean
        delta = civic.trust_rate * (s_mean - self.trust)
        self.trust += delta
        weight = civic.spillover_weight * delta
        for other in self.neighbours:
            other.trust = min(max(other.trust + weight, 0.0), 1.0)
        return ss

    def drift(self) -> None:
        """Transparency moves trust toward the published satisfaction and toward openness."""
        model = self.model
        self.trust += model.info * (model.published - self.trust) + model.openness * (
            1.0 - self.trust
        )

    def decide(self) -> None:
        """Participate this period? Reads each neighbour's current choice."""
        model, civic = self.model, self.model.civic
        if self.neighbours:
            share = sum(other.participating for other in self.neighbours) / len(self.neighbours)
        else:
            share = 0.0
        utility = participation_utility(civic, model.cost_open, share, self)
        if model.recruitment > 0.0 and self.random.random() < model.recruitment:
            utility += civic.recruitment_boost
        self.next_participating = utility >= self.threshold

    def commit(self) -> None:
        self.participating = self.next_participating

    def request(self) -> None:
        """A participant may file a request; the answer (or silence) moves efficacy and trust."""
        if not self.participating:
            return
        model, civic = self.model, self.model.civic
        if self.random.random() >= civic.request_probability:
            return
        response = min(
            max(model.base_response + civic.pressure_gain * model.pressure[self.district], 0.0),
            1.0,
        )
        if self.random.random() < response:
            self.efficacy += civic.efficacy_gain * (1.0 - self.efficacy)
            self.trust += civic.response_trust_gain * (1.0 - self.trust)
        elif self.random.random() < model.community:
            self.efficacy += 0.5 * civic.efficacy_gain * (1.0 - self.efficacy)
        else:
            self.efficacy -= civic.efficacy_loss * self.efficacy
            self.trust -= civic.silence_trust_loss * self.trust


class CivicModel(mesa.Model):
    """Residents as Mesa agents over the same network and parameters as the array model."""

    def __init__(self, scenario, columns: dict[str, np.ndarray], adjacency, seed: int) -> None:
        super().__init__(rng=seed)
        self.civic = scenario.civic
        levers = scenario.levers
        openness = levers.platform_openness
        self.cost_open, self.recruitment, self.community = platform_terms(self.civic, openness)
        self.base_response = levers.responsiveness + self.civic.openness_response_gain * openness
        self.info = levers.transparency * self.civic.transparency_information_rate
        self.openness = levers.transparency * self.civic.transparency_trust_rate
        self.districts = scenario.world.districts
        self.residents = [CivicResident(self) for _ in range(len(columns["trust"]))]
        indptr, indices = adjacency.indptr, adjacency.indices
        for i, agent in enumerate(self.residents):
            agent.neighbours = [self.residents[j] for j in indices[indptr[i] : indptr[i + 1]]]
        self.reset(columns)

    def reset(self, columns: dict[str, np.ndarray]) -> None:
        """Set every agent's attributes from the population columns (the common start)."""
        lists = {name: columns[name].tolist() for name in ATTRIBUTES}
        for i, agent in enumerate(self.residents):
            for name in ATTRIBUTES:
                setattr(agent, name, lists[name][i])
        self.published = self.civic.trust_initial
        self.pressure = [0.0] * self.districts

    def civic_day(self, cases: dict[str, np.ndarray]) -> None:
        """Evaluation (with spill-over), transparency drift, then voice with its requests."""
        by_applicant: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for applicant, delay, trips in zip(
            cases["applicant"].tolist(),
            cases["delay_days"].tolist(),
            cases["trips"].tolist(),
            strict=True,
        ):
            by_applicant[applicant].append((delay, trips))
        satisfactions = []
        for applicant, own in by_applicant.items():
            satisfactions.extend(self.residents[applicant].evaluate(own))
        if satisfactions:
            mean = sum(satisfactions) / len(satisfactions)
            self.published += PUBLISHED_MEMORY * (mean - self.published)
        if self.info or self.openness:
            self.agents.do("drift")
        self.agents.shuffle_do("decide")
        self.agents.do("commit")
        counts, active = [0] * self.districts, [0] * self.districts
        for agent in self.residents:
            counts[agent.district] += 1
            active[agent.district] += agent.participating
        self.pressure = [a / c if c else 0.0 for a, c in zip(active, counts, strict=True)]
        self.agents.shuffle_do("request")

    def aggregates(self) -> dict[str, float]:
        agents = self.residents
        n = len(agents)
        return {
            "trust_mean": sum(a.trust for a in agents) / n,
            "efficacy_mean": sum(a.efficacy for a in agents) / n,
            "expectation_mean": sum(a.expectation for a in agents) / n,
            "participation_rate": sum(a.participating for a in agents) / n,
        }
