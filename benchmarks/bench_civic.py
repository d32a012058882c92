"""Target 1: the daily civic step over arrays against the same rules as idiomatic Mesa agents.

The civic step is what ``GovernanceModel.step`` runs for residents after the service events:
evaluation of the day's completed cases (expectancy disconfirmation, trust spill-over to
neighbours, published performance; ``model.evaluation``) and voice (participation decisions
reading neighbours, requests to the response office, answers and silence; ``model.voice``).
10^5 residents, Watts–Strogatz network of mean degree 10, the ``smart`` scenario (every civic
mechanism on) with voice every day (the heaviest day). The day's completed cases are synthetic
(a fixed 0.4 % of residents a day, delay Gamma-distributed, trips 1 + Poisson) and the same for
both sides.

Both sides start from the same population and network and run the same days; the benchmark
asserts that mean trust, efficacy, expectation and the participation rate agree within
tolerance (the draws differ: Mesa agents draw from ``self.random``).
"""

from __future__ import annotations

import numpy as np
from common import Result, alternate_prepared
from mesa_civic import CivicModel

from govlab.model.evaluation import Evaluation
from govlab.model.network import degrees, make_network
from govlab.model.population import Population, make_enterprise_table, make_population
from govlab.model.response_office import ResponseOffice, office_staff
from govlab.model.voice import Voice
from govlab.scenarios import load_scenario

RESIDENTS = 100_000
CASE_SHARE = 0.004
TOLERANCE = {
    "trust_mean": 0.005,
    "efficacy_mean": 0.005,
    "expectation_mean": 0.005,
    "participation_rate": 0.01,
}


def synthetic_cases(
    rng: np.random.Generator, days: int, district: np.ndarray
) -> list[dict[str, np.ndarray]]:
    count = int(CASE_SHARE * len(district))
    cases = []
    for _ in range(days):
        applicant = rng.integers(len(district), size=count)
        cases.append(
            {
                "applicant": applicant,
                "applicant_kind": np.zeros(count, dtype=np.int8),
                "home_district": district[applicant],
                "delay_days": rng.gamma(2.0, 5.0, size=count),
                "trips": 1.0 + rng.poisson(1.5, size=count),
            }
        )
    return cases


def array_aggregates(table: Population) -> dict[str, float]:
    return {
        "trust_mean": float(table.trust.mean(dtype=np.float64)),
        "efficacy_mean": float(table.efficacy.mean(dtype=np.float64)),
        "expectation_mean": float(table.expectation.mean(dtype=np.float64)),
        "participation_rate": float(table.participating.mean()),
    }


def bench(quick: bool) -> list[Result]:
    days = 2 if quick else 5
    scenario = load_scenario("smart").with_overrides(
        {
            "world.residents": RESIDENTS,
            "world.enterprises": 0,
            "world.warmup_days": 0,
            "civic.voice_every_days": 1,
            "civic.network_degree": 10,
        }
    )
    rng = np.random.default_rng(2026)
    population = make_population(rng, scenario.world, scenario.civic)
    adjacency = make_network(rng, scenario.civic, RESIDENTS)
    degree = degrees(adjacency)
    empty = make_enterprise_table(
        rng, scenario.civic, np.zeros(0, np.int16), np.zeros(0, np.float32)
    )
    cases = synthetic_cases(rng, days, population.district)
    reference = CivicModel(scenario, population.columns, adjacency, seed=7)

    def prepare_ours():
        table = Population({k: v.copy() for k, v in population.columns.items()})
        evaluation = Evaluation(scenario, table, empty, adjacency)
        servers, speed = office_staff(scenario.response_office, RESIDENTS)
        office = ResponseOffice(
            scenario.response_office,
            servers,
            np.random.default_rng(8),
            scenario.world.working_hours_per_day,
            speed=speed,
        )
        voice = Voice(scenario, table, empty, adjacency, degree, np.random.default_rng(7), office)
        return table, evaluation, voice, office

    def run_ours(state):
        table, evaluation, voice, office = state
        for day, today in enumerate(cases, start=1):
            evaluation.step(today, float(day))
            voice.step(day, float(day - 1))
            office.advance_to(float(day))
            voice.settle(float(day))
        return array_aggregates(table)

    def prepare_reference():
        reference.reset(population.columns)
        return reference

    def run_reference(model):
        for today in cases:
            model.civic_day(today)
        return model.aggregates()

    medians, times, values = alternate_prepared(
        {"ours": (prepare_ours, run_ours), "mesa": (prepare_reference, run_reference)}, 5
    )
    gaps = {k: abs(values["ours"][k] - values["mesa"][k]) for k in TOLERANCE}
    agree = all(gaps[k] <= TOLERANCE[k] for k in TOLERANCE)
    ours = RESIDENTS * days / medians["ours"]
    mesa_rate = RESIDENTS * days / medians["mesa"]
    ratio = ours / mesa_rate
    return [
        Result(
            name="civic step 10^5 residents: arrays vs Mesa agents",
            ours=ours,
            reference=mesa_rate,
            unit="resident-days/s",
            ratio=ratio,
            target=100.0,
            passed=ratio >= 100.0 and agree,
            note=(
                f"{medians['ours'] / days * 1e3:.1f} ms vs {medians['mesa'] / days * 1e3:.0f} ms "
                f"per day; aggregates "
                + ("agree" if agree else "DISAGREE")
                + " ("
                + ", ".join(
                    f"{k} {values['ours'][k]:.4f}/{values['mesa'][k]:.4f}" for k in TOLERANCE
                )
                + ")"
            ),
            details={
                "days": days,
                "cases_per_day": len(cases[0]["applicant"]),
                "aggregates": values,
                "gaps": gaps,
                "tolerance": TOLERANCE,
                "seconds": times,
            },
        )
    ]
