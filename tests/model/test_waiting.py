"""Waiting is experienced (issue 20 item 1): open cases past expectation cost trust day by day,
cases past patience are given up and judged once, and a worse service lowers resident and
enterprise trust. Hand-computed on three residents and one enterprise, then exact counts on the
whole model in both engines."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from govlab.experiments.single import run_simulation
from govlab.model import GovernanceModel, case_table
from govlab.model.evaluation import Evaluation
from govlab.model.journey import RECORD_FIELDS
from govlab.model.population import make_enterprise_table, make_population
from govlab.model.waiting import ABANDONED, COMPLETED, WAITING, Waiting
from govlab.scenarios import Scenario, World, load_scenario
from tests.model.civic_runs import paired_ci, summaries
from tests.model.test_civic_outcomes import HALF_STAFF

# resident 0 — resident 1 are neighbours; resident 2 is alone
CHAIN = sp.csr_array(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=np.float32))


def _world(**civic):
    scenario = Scenario(
        world=World(residents=3, enterprises=1),
        levers={"transparency": 0.0},
        civic={"waiting_weight": 0.05, "patience_days": 30.0, **civic},
    )
    rng = np.random.default_rng(0)
    residents = make_population(rng, scenario.world, scenario.civic)
    firms = make_enterprise_table(
        rng, scenario.civic, np.zeros(1, np.int16), np.full(1, 0.8, np.float32)
    )
    residents.trust[:] = [0.7, 0.6, 0.7]
    residents.expectation[:] = [0.8, 0.5, 0.2]
    firms.trust[:] = 0.6
    firms.expectation[:] = 0.9
    evaluation = Evaluation(scenario, residents, firms, CHAIN)
    return scenario.civic, residents, firms, evaluation, Waiting(scenario.civic, evaluation)


def _satisfaction(civic, p: float, e: float) -> float:
    s = civic.satisfaction_base + civic.satisfaction_performance * p
    return min(max(s + civic.satisfaction_disconfirmation * (p - e), 0.0), 1.0)


def test_a_day_of_waiting_past_expectation_moves_trust_by_hand():
    """Day ending at t = 6: resident 0 waits for cases opened at 1 and 3 (the oldest, 5 days,
    is felt: P = e^-0.5 = 0.607 < E = 0.8); resident 2's case (E = 0.2) is within expectation and
    not felt; the enterprise's 6-day case (P = 0.549 < 0.9) is. Trust moves by ω·α_T·(S − T),
    resident 0's change spills w·ΔT to resident 1; expectations do not move. A late case whose
    satisfaction is above the applicant's trust does not raise it (the enterprise at T = 0.3)."""
    civic, residents, firms, _, waiting = _world()
    waiting.open(
        np.array([0, 0, 0, 1], np.int8),
        np.array([0, 0, 2, 0]),
        np.array([1.0, 3.0, 2.0, 0.0]),
    )
    waiting.step(6.0)
    weight = civic.waiting_weight * civic.trust_rate
    p0, pf = math.exp(-5.0 / civic.delay_reference_days), math.exp(-0.6)
    delta0 = weight * (_satisfaction(civic, p0, 0.8) - 0.7)
    assert delta0 < 0
    assert residents.trust[0] == pytest.approx(0.7 + delta0, rel=1e-6)
    assert residents.trust[1] == pytest.approx(0.6 + civic.spillover_weight * delta0, rel=1e-6)
    assert residents.trust[2] == pytest.approx(0.7, rel=1e-7)
    assert firms.trust[0] == pytest.approx(0.6 + weight * (_satisfaction(civic, pf, 0.9) - 0.6))
    firms.trust[0] = 0.3  # below the late case's satisfaction (0.46): not raised
    waiting.step(7.0)
    assert firms.trust[0] == pytest.approx(0.3)
    assert list(residents.expectation) == pytest.approx([0.8, 0.5, 0.2])
    assert firms.expectation[0] == pytest.approx(0.9)


def test_a_case_past_patience_is_given_up_once_and_judged_once():
    """A case opened at 2.5 with patience 30 is given up at the end of day 33 (given up at 32.5):
    judged then with P = e^(-30/D) (expectation, satisfaction, trust), returned for complaints;
    when the offices complete it later its satisfaction is the one given up with and nobody's
    trust moves again; the completion is still published."""
    civic, residents, _, evaluation, waiting = _world(waiting_weight=0.0)
    waiting.open(np.array([0], np.int8), np.array([2]), np.array([2.5]))
    for day in range(3, 33):
        gone, _ = waiting.step(float(day))
        assert len(gone["applicant"]) == 0, day
    gone, satisfaction = waiting.step(33.0)
    p = math.exp(-30.0 / civic.delay_reference_days)
    s = _satisfaction(civic, p, 0.2)
    assert gone["completion_day"].tolist() == [32.5]
    assert gone["applicant"].tolist() == [2] and gone["applicant_kind"].tolist() == [0]
    assert satisfaction == pytest.approx([s])
    trust = 0.7 + civic.trust_rate * (s - 0.7)
    assert residents.trust[2] == pytest.approx(trust, rel=1e-6)
    assert residents.expectation[2] == pytest.approx(0.2 + civic.expectation_rate * (p - 0.2))
    assert waiting.state[0] == ABANDONED
    assert len(waiting.step(34.0)[0]["applicant"]) == 0  # given up once
    values = dict.fromkeys(RECORD_FIELDS, 0)
    values.update(applicant=2, arrival_day=2.5, completion_day=40.0, trips=1)
    cases = case_table([tuple(values[name] for name in RECORD_FIELDS)])
    given_up = waiting.completed(cases)
    evaluation.step(cases, 40.0, given_up)
    assert evaluation.satisfaction_of_records() == pytest.approx([s])
    assert residents.trust[2] == pytest.approx(trust, rel=1e-6)
    assert evaluation.published[0] == pytest.approx(math.exp(-37.5 / civic.delay_reference_days))


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_the_ledger_follows_every_case_of_the_model(engine):
    """Over 120 days of an overloaded silo: every completed case is found in the waiting ledger
    (the engines' applicant rule is the ledger's), every case still open in the engine is
    waited for or given up, and the given-up count is the metric's."""
    scenario = load_scenario("silo").with_overrides(
        {
            "world.residents": 4000,
            "world.enterprises": 300,
            "world.warmup_days": 0,
            "civic.patience_days": 20.0,
            **dict(HALF_STAFF),
        }
    )
    model = GovernanceModel(scenario, rng=4, engine=engine, collect=False)
    for _ in range(120):
        model.step()
    waiting = model.waiting
    state = waiting.state[: waiting.size]
    records = model.journeys.records.table()
    completed = set(zip(records["applicant_kind"].tolist(), records["applicant"].tolist(),
                        records["arrival_day"].tolist(), strict=True))  # fmt: skip
    ledger = list(zip(waiting.kind[: waiting.size].tolist(),
                      waiting.applicant[: waiting.size].tolist(),
                      waiting.arrival[: waiting.size].tolist(), strict=True))  # fmt: skip
    assert waiting.unmatched == 0
    assert waiting.size == model.journeys.opened == len(set(ledger))
    done = np.array([key in completed for key in ledger])
    assert not done[state == WAITING].any()  # waited for: still open in the engine
    assert done[state == COMPLETED].all()
    assert len(completed) == len(records["applicant"]) == done.sum()
    assert (~done).sum() == model.journeys.open_cases
    given_up = state == ABANDONED
    assert given_up[~done].sum() > 0 and given_up[done].sum() > 0  # both happen here
    abandoned, opened = waiting.abandoned_between(0.0, 120.0)
    assert (abandoned, opened) == (given_up.sum(), waiting.size)


# the window of test_civic_outcomes' "moves with service performance" (cached summaries)
WINDOW = (("world.residents", 20_000), ("world.enterprises", 1_000), ("world.warmup_days", 20))


@pytest.mark.parametrize("metric", ["trust_mean_final", "enterprise_trust_mean_final"])
def test_halving_silo_staff_lowers_resident_and_enterprise_trust(metric):
    """The service gets worse, so trust falls — enterprises too (their trust rose by 0.011
    when only completed cases counted: the slowest cases never completed in the run)."""
    full = summaries("silo", WINDOW)
    half = summaries("silo", (*WINDOW, *HALF_STAFF))
    mean, low, high = paired_ci(metric, full, half)
    assert high < 0.0, (metric, mean, low, high)


def test_a_capped_run_out_is_said_and_counted():
    """An overloaded silo with a short run-out cap leaves window cases open; run_simulation's
    summary counts them and abandonment_share is a share of the window's cases."""
    scenario = load_scenario("silo").with_overrides(
        {
            "world.residents": 4000,
            "world.enterprises": 300,
            "world.warmup_days": 10,
            "world.runout_cap_days": 5,
            **dict(HALF_STAFF),
        }
    )
    summary, model = run_simulation(scenario, 2, 120)
    assert summary["runout_open_cases"] > 0
    abandoned, opened = model.waiting.abandoned_between(10.0, 120.0)
    assert summary["abandoned_cases"] == abandoned
    assert summary["abandonment_share"] == pytest.approx(abandoned / opened)


def test_the_ledger_grows_counts_strangers_and_keeps_its_boundaries():
    """Mutation gaps of model.waiting (scripts/mutate.py): a day of 5,000 openings grows the
    ledger at once; a completion the ledger never saw is counted as unmatched and touches no
    entry; a case is given up when its age reaches θ exactly; the window counts arrivals in
    [start, end)."""
    civic, _, _, _, waiting = _world(waiting_weight=0.0)
    n = 5000
    waiting.open(np.zeros(n, np.int8), np.arange(n) % 3, np.linspace(0.0, 2.0, n))
    assert waiting.size == n and len(waiting.arrival) >= n
    assert waiting.arrival[n - 1] == 2.0 and (waiting.state[:n] == WAITING).all()
    values = dict.fromkeys(RECORD_FIELDS, 0)
    values.update(applicant=1, arrival_day=0.5, completion_day=3.0, trips=1)  # never opened
    given_up = waiting.completed(case_table([tuple(values[name] for name in RECORD_FIELDS)]))
    assert np.isnan(given_up).all() and waiting.unmatched == 1
    assert (waiting.state[:n] == WAITING).all()
    gone, _ = waiting.step(civic.patience_days)  # the case opened at 0.0 is exactly θ old
    assert gone["completion_day"].tolist() == [civic.patience_days]
    assert waiting.abandoned_between(0.0, 1.0) == (1, int((waiting.arrival[:n] < 1.0).sum()))
    assert waiting.abandoned_between(0.0, 2.0)[1] == n - 1  # 2.0 itself is outside
