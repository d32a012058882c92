"""Input–output accounting: what goes in (cases per type) and what a case costs its applicant
(trips), each against an exact count.

- Cases opened per case type in D days are Poisson with mean rate_per_year × applicants × D /
  working days per year, read from the scenario (not from the compiled plans the model derives
  from it); every type's count must lie in its exact Poisson interval, and the engine must open
  and complete exactly the cases demand drew. A rate off by 10% lies ≈ 6 standard deviations out.
- Trips = counter visits + returns (+ the refusal detour), per completed case, in every
  combination of the discrete levers: an applicant in person makes one trip per office visited
  when carrying the file (``offices`` in the record), one to the front desk, or one per source
  step under electronic hand-off (the first contacts); each return for a missing paper is one more
  trip (papers are only at risk at the first step here, where the applicant is present); a
  refusal at the local office costs one detour per first contact; an online case makes none.
  And at the stations: counter and desk arrivals = offices visited + returns, summed over cases.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from govlab.model import GovernanceModel, case_table
from govlab.scenarios import apply_overrides, load_scenario
from govlab.scenarios.textbook import textbook_scenario

DAYS = 40


def busy_silo():
    """The silo catalogue with every type's rate set for 4,000-7,500 cases in ``DAYS`` days
    (each its own) and staff enough that nothing queues."""
    scenario = load_scenario("silo")
    world = scenario.world
    overrides: dict[str, object] = {}
    for k, (name, service) in enumerate(scenario.services.items()):
        applicants = world.residents if service.applicant == "resident" else world.enterprises
        target = 4000 + 500 * k
        overrides[f"services.{name}.rate_per_year"] = (
            target * world.working_days_per_year / (DAYS * applicants)
        )
    for name in scenario.functions:
        overrides[f"functions.{name}.counter_staff"] = 300
        overrides[f"functions.{name}.backoffice_staff"] = 300
    return apply_overrides(scenario, overrides)


def test_cases_opened_per_type_are_poisson_at_the_scenarios_rates():
    scenario = busy_silo()
    world = scenario.world
    model = GovernanceModel(scenario, rng=3)
    journeys, drawn = model.journeys, np.zeros(len(model.plans), dtype=np.int64)
    open_many = journeys.open_many

    def counting(start, counts, uniforms):
        drawn[:] += counts
        open_many(start, counts, uniforms)

    journeys.open_many = counting
    for _ in range(DAYS):
        model.step()
    assert journeys.opened == drawn.sum()
    journeys.advance_to(1e6)  # no new cases: every case completes
    assert journeys.open_cases == 0
    confidence = 1 - 0.01 / len(model.plans)
    table = case_table(journeys.records)
    completed = np.bincount(table["case_type"], minlength=len(drawn))
    names = list(scenario.services)
    for plan, count, done in zip(model.plans, drawn.tolist(), completed, strict=True):
        service = scenario.services[names[plan.index]]
        assert plan.name == names[plan.index]
        applicants = world.residents if service.applicant == "resident" else world.enterprises
        mean = service.rate_per_year * applicants * DAYS / world.working_days_per_year
        low, high = stats.poisson.interval(confidence, mean)
        assert low <= count <= high, (plan.name, count, mean, (low, high))
        assert done == count, plan.name  # opened, then completed: none lost, none invented


LEVERS = {
    "front_desk": (False, True),
    "approval": ("sequential", "parallel"),
    "handoff": ("applicant", "electronic"),
    "cross_district": ("home_only", "anywhere"),
    "data_sharing": (0.0, 1.0),
    "online_coverage": (0.0, 1.0),
}


def three_office_world(levers: dict):
    """Two districts, three offices with counters; the first step needs the applicant's form
    and a licence another department issues (at risk unless fetched from the hub); a third of
    the applicants apply away from home, where half are refused under ``home_only``."""
    scenario = textbook_scenario(
        {"a": (2, 0), "b": (2, 0), "c": (2, 0)},
        {"x": {"per_hour": 2.0, "steps": [
            {"function": "a", "counter_hours": 0.3, "requires": ["form", "licence"]},
            {"function": "b", "counter_hours": 0.3},
            {"function": "c", "counter_hours": 0.3},
        ]}},
        levers=levers,
        world={"districts": 2, "away_from_home_share": 0.3, "refusal_probability": 0.5,
               "p_missing_document": 0.3, "rework_days": 0.1, "warmup_days": 1},
        documents={"licence": "c"},
    )  # fmt: skip
    return apply_overrides(scenario, {"services.x.online": True})


@pytest.mark.parametrize("engine", ["python", "compiled"])
@pytest.mark.parametrize(
    "combination", list(itertools.product(*LEVERS.values())), ids=lambda c: "-".join(map(str, c))
)
def test_trips_are_counter_visits_plus_returns(combination, engine):
    levers = dict(zip(LEVERS, combination, strict=True))
    model = GovernanceModel(three_office_world(levers), rng=7, engine=engine)
    for _ in range(12):
        model.step()
    model.journeys.advance_to(1e6)  # no new cases: every case completes
    assert model.journeys.open_cases == 0
    cases = case_table(model.journeys.records)
    assert len(cases["trips"]) > 100
    (plan,) = model.plans
    sources = len(plan.sources)
    assert sources == (3 if levers["approval"] == "parallel" else 1)
    desk, carry = levers["front_desk"], levers["handoff"] == "applicant"
    first_visits = 1 if desk else (cases["offices"] if carry else sources)
    refusals = cases["refused"] * (1 if desk else sources)
    expected = np.where(cases["online"], 0, first_visits + refusals + cases["returns"])
    bad = np.flatnonzero(cases["trips"] != expected)
    assert len(bad) == 0, {k: cases[k][bad[:3]].tolist() for k in ("trips", "offices", "returns")}
    assert (cases["offices"] == (1 if desk else 3)).all()
    counters = [s for s, station in enumerate(model.stations) if _is_counter(model, s)]
    arrivals = sum(model.stations[s].arrivals for s in counters)
    assert arrivals == cases["offices"].sum() + cases["returns"].sum()
    # the combination is informative: each lever's branch is taken
    assert cases["returns"].sum() > 0
    assert cases["online"].any() == (levers["online_coverage"] == 1.0)
    assert cases["refused"].any() == (levers["cross_district"] == "home_only")


def _is_counter(model: GovernanceModel, station: int) -> bool:
    return station in model.layout.front_desks or any(
        office.counter == station for office in model.layout.offices
    )
