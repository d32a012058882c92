"""The catalogue round trip (issue 21 item 4): catalogue → simulate (visits kept) → event log (CSV)
→ discovered catalogue reproduces the original within sampling error, and a simulation of the
discovered catalogue gives the original's mean delay within its interval.

The original is ``examples/service_centre.toml`` (two districts, four services, a
parallel fork, lognormal service times, a loop for correction, a choice of checks and an exit).
Its intervals are simultaneous: 95% for the family of every mean service time and rate
(Bonferroni), the pooled log sd's normal interval at the same per-interval level; each branch
probability in its Clopper-Pearson 99% interval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from govlab.experiments.single import run_simulation
from govlab.model import GovernanceModel
from govlab.results.branches import estimate, rework_events
from govlab.results.discovery import discover
from govlab.results.draft_catalogue import apply_draft, build_draft
from govlab.results.eventlog import event_frame
from govlab.results.logread import read_event_log
from govlab.scenarios import load_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "service_centre.toml"
LOG_DAYS = 150
FAMILY = 0.95
INTERVALS = 26  # 11 steps x (counter, back office) + 4 rates
LEVEL = 1 - (1 - FAMILY) / INTERVALS
REPLICATIONS, DELAY_DAYS = 10, 120


def _t_interval(values) -> tuple[float, float, float]:
    values = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean(), values.mean() - half, values.mean() + half


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    """The original scenario, its model's plans, and the draft discovered from its log."""
    original = load_scenario(EXAMPLE)
    model = GovernanceModel(original, rng=7, collect=False, collect_visits=True)
    for _ in range(LOG_DAYS):
        model.step()
    end = model.run_out()
    path = tmp_path_factory.mktemp("trip") / "visits.csv"
    event_frame(model, cases=end.opened).to_csv(path, index=False)
    events = read_event_log(path)
    found = discover(events, level=LEVEL)
    routing = {n: estimate(c, rework_events(events)) for n, c in found.case_types.items()}
    world = original.world
    draft = build_draft(found, routing, world.working_hours_per_day, world.residents,
                        world.enterprises)  # fmt: skip
    return original, model.plans, found, draft, routing


def test_case_types_routes_and_precedence_are_the_originals(trip):
    original, plans, found, *_ = trip
    assert sorted(found.case_types) == sorted(original.services)
    for plan in plans:
        case_type = found.case_types[plan.name]
        assert case_type.applicant == original.services[plan.name].applicant
        steps = {int(step.name.split()[0]) - 1: step for step in case_type.steps}
        assert sorted(steps) == list(range(len(plan.steps)))
        for k, step in steps.items():
            assert step.function == original.services[plan.name].steps[k].function
            after = sorted(int(name.split()[0]) - 1 for name in step.after)
            assert after == sorted(plan.predecessors[k]), (plan.name, k)
        assert all(not b for b in found.case_types[plan.name].steps[0].after)


def test_mean_service_times_and_rates_lie_in_their_intervals(trip):
    original, _, found, draft, _ = trip
    hours = original.world.working_hours_per_day
    fits = {(c, s, k): fit for c, s, k, _, fit in draft.fits}
    checked = 0
    for name, case_type in found.case_types.items():
        service = original.services[name]
        for step in case_type.steps:
            true = service.steps[int(step.name.split()[0]) - 1]
            counter = fits[(name, step.name, "counter")]
            backoffice = fits[(name, step.name, "back office")]
            assert counter.low * hours <= true.counter_hours <= counter.high * hours, step
            assert backoffice.low <= true.backoffice_days <= backoffice.high, step
            checked += 2
        applicants = getattr(original.world, f"{service.applicant}s")
        per_day = service.rate_per_year * applicants / original.world.working_days_per_year
        assert case_type.rate_low <= per_day <= case_type.rate_high, name
        checked += 1
    assert checked == INTERVALS
    # the shared shape: lognormal, its pooled log sd inside its interval around the true one
    samples = sum(len(s) for *_, s, _ in draft.fits)
    sigma = np.sqrt(np.log1p(original.world.service_time_cv**2))
    half = stats.norm.ppf(1 - (1 - LEVEL) / 2) * sigma / np.sqrt(2 * samples)
    assert draft.shape.family == "lognormal"
    assert abs(draft.shape.sigma - sigma) <= half, (draft.shape.sigma, sigma, half)


def test_staff_per_function_is_the_catalogues(trip):
    original, _, found, draft, _ = trip
    for station in found.stations:
        assert station.exact, station
    for name, function in original.functions.items():
        entry = draft.data["functions"][name]
        assert (entry["counter_staff"], entry["backoffice_staff"]) == (
            function.counter_staff,
            function.backoffice_staff,
        ), name
        assert entry["level"] == function.level


def test_a_simulation_of_the_draft_gives_the_originals_mean_delay(trip):
    original, _, _, draft, _ = trip
    discovered = apply_draft(original, draft.data)
    delays = {
        label: [run_simulation(scenario, seed, DELAY_DAYS)[0]["delay_mean_days"]
                for seed in range(1, REPLICATIONS + 1)]
        for label, scenario in (("original", original), ("discovered", discovered))
    }  # fmt: skip
    mean, low, high = _t_interval(delays["original"])
    other, other_low, other_high = _t_interval(delays["discovered"])
    print(f"mean delay: original {mean:.4f} [{low:.4f}, {high:.4f}], "
          f"discovered {other:.4f} [{other_low:.4f}, {other_high:.4f}] days")  # fmt: skip
    assert low <= other <= high
    assert other_low <= mean <= other_high


def test_branch_probabilities_lie_in_their_clopper_pearson_intervals(trip):
    original, _, found, _, routing = trip
    checked = 0
    for name, service in original.services.items():
        label = {s.name: s.name for s in found.case_types[name].steps}
        index = {step: int(step.split()[0]) - 1 for step in label}
        named = {k: step.name for k, step in enumerate(service.steps)}
        seen = {
            (named[index[step]], "exit" if b.to == "exit" else named[index[b.to]]): b
            for step, branches in routing[name].branches.items()
            for b in branches
        }
        true = {(step.name, b.to): b.p for step in service.steps for b in step.branches}
        assert set(seen) == set(true), name
        for key, p in true.items():
            b = seen[key]
            print(f"{name} {key}: true {p}, found {b.count}/{b.n} = {b.p:.4f} "
                  f"[{b.low:.4f}, {b.high:.4f}]")  # fmt: skip
            assert b.low <= p <= b.high, (name, key, b)
            checked += 1
    assert checked == 4
