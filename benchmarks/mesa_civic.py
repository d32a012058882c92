"""The civic day written as idiomatic Mesa agents: the reference for target 1.

The same rules as ``model.evaluation`` (expectancy disconfirmation, trust spill-over to
neighbours, published district performance read by those without a recent case) and
``model.voice`` (the full participation rule, requests to the response office, answers and
silence), but each resident is a ``mesa.Agent`` holding its attributes and a list of its
neighbour agents; a day is ``shuffle_do`` over the agents, reading neighbours one by one.
Participation is decided synchronously, as in the array version: every agent first computes its
choice from its neighbours' current state (``decide``), then all adopt it (``commit``).
Random draws use each agent's ``self.random`` (Mesa's idiom), so the outcomes agree with the array
version in distribution (asserted on aggregates), not draw for draw. The response office itself
(``model.response_office``, a queue, not per-agent work) is shared: agents submit their requests
to it and take their own outcomes back. Complaints are left out on both sides.
"""

from __future__ import annotations

import math
from collections import defaultdict

import mesa
import numpy as np

from govlab.model.response_office import ResponseOffice, office_staff
from govlab.model.voice import participation_utility, platform_terms

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
    "last_case_day",
)


class CivicResident(mesa.Agent):
    """One resident with its attitudes and its neighbours."""

    def __init__(self, model: CivicModel) -> None:
        super().__init__(model)
        self.neighbours: list[CivicResident] = []
        self.next_participating = False

    def evaluate(self, cases: list[tuple[float, float]], time: float) -> list[float]:
        """Judge today's completed cases; return their satisfactions; spill the trust change."""
        civic = self.model.civic
        self.last_case_day = time
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

    def read_published(self) -> None:
        """Without a recent own case, take the district's published performance as a vicarious
        case of weight τ·ρ (``model.evaluation``)."""
        model, civic = self.model, self.model.civic
        published = model.published[self.district]
        if published != published or model.time - self.last_case_day <= civic.recent_case_days:
            return
        s = (
            civic.satisfaction_base
            + civic.satisfaction_performance * published
            + civic.satisfaction_disconfirmation * (published - self.expectation)
        )
        s = min(max(s, 0.0), 1.0)
        self.expectation += model.weight * civic.expectation_rate * (published - self.expectation)
        self.trust += model.weight * civic.trust_rate * (s - self.trust)

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
        """A participant files Poisson(r·K) requests at uniform times over the period."""
        if not self.participating:
            return
        model = self.model
        for _ in range(int(model.rng.poisson(model.requests_per_period))):
            take_up = 1.0
            if not model.every_request:
                civic = model.civic
                pressure = model.pressure[self.district]
                take_up = min(max(civic.take_up_propensity + civic.pressure_gain * pressure, 0), 1)
            model.submitted.append((model.time - 1.0 + self.random.random(), self, take_up))

    def hear(self, answered: bool) -> None:
        """An answer raises efficacy and trust; silence lowers them unless the community helps."""
        civic, model = self.model.civic, self.model
        if answered:
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
        self.weight = levers.transparency * self.civic.publication_weight
        self.every_request = scenario.response_office.rule == "every_request"
        world = scenario.world
        self.requests_per_period = (
            self.civic.requests_per_participant_per_year
            / world.working_days_per_year
            * self.civic.voice_every_days
        )
        self.settings = scenario
        self.districts = world.districts
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
        self.published = [math.nan] * self.districts
        self.pressure = [0.0] * self.districts
        servers, speed = office_staff(self.settings.response_office, len(self.residents))
        self.office = ResponseOffice(
            self.settings.response_office,
            servers,
            np.random.default_rng(self.random.getrandbits(64)),
            self.settings.world.working_hours_per_day,
            speed=speed,
        )
        self.time = 0.0
        self.submitted: list = []

    def civic_day(self, cases: dict[str, np.ndarray]) -> None:
        """Evaluation (with spill-over), publication, then voice with its requests (voice every
        day), the office's day and the outcomes settled by its end."""
        self.time += 1.0
        by_applicant: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for applicant, delay, trips in zip(
            cases["applicant"].tolist(),
            cases["delay_days"].tolist(),
            cases["trips"].tolist(),
            strict=True,
        ):
            by_applicant[applicant].append((delay, trips))
        sums, counts = [0.0] * self.districts, [0] * self.districts
        for applicant, own in by_applicant.items():
            agent = self.residents[applicant]
            agent.evaluate(own, self.time)
            for delay, trips in own:
                sums[agent.district] += math.exp(
                    -delay / self.civic.delay_reference_days
                    - self.civic.trip_penalty * max(trips - 1.0, 0.0)
                )
                counts[agent.district] += 1
        for d in range(self.districts):
            if counts[d]:
                today, old = sums[d] / counts[d], self.published[d]
                self.published[d] = today if old != old else old + PUBLISHED_MEMORY * (today - old)
        if self.weight:
            self.agents.do("read_published")
        self.agents.shuffle_do("decide")
        self.agents.do("commit")
        counts, active = [0] * self.districts, [0] * self.districts
        for agent in self.residents:
            counts[agent.district] += 1
            active[agent.district] += agent.participating
        self.pressure = [a / c if c else 0.0 for a, c in zip(active, counts, strict=True)]
        self.submitted = []
        self.agents.shuffle_do("request")
        if self.submitted:
            times, who, take_up = zip(*self.submitted, strict=True)
            rows = np.array([agent.unique_id for agent in who])
            self._by_id = {agent.unique_id: agent for agent in who} | getattr(self, "_by_id", {})
            self.office.submit(np.array(times), rows, np.zeros(len(rows), np.int64), take_up)
        self.office.advance_to(self.time)
        rows, _, answered = self.office.settled_before(self.time)
        for row, heard in zip(rows.tolist(), answered.tolist(), strict=True):
            self._by_id[row].hear(heard)

    def aggregates(self) -> dict[str, float]:
        agents = self.residents
        n = len(agents)
        return {
            "trust_mean": sum(a.trust for a in agents) / n,
            "efficacy_mean": sum(a.efficacy for a in agents) / n,
            "expectation_mean": sum(a.expectation for a in agents) / n,
            "participation_rate": sum(a.participating for a in agents) / n,
        }
