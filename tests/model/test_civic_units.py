"""Units of the civic mechanisms: equations on hand-made inputs, allocation invariants, purity."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from govlab.model import GovernanceModel, case_table, summarise
from govlab.model.equity import adjusted_gap, gini
from govlab.model.evaluation import Evaluation
from govlab.model.journey import RECORD_FIELDS
from govlab.model.population import FIRM, ORGANISATION, make_enterprise_table, make_population
from govlab.model.privacy import Privacy
from govlab.model.sensing import allocate
from govlab.scenarios import Civic, Scenario, World

MODEL_DIR = Path(__file__).resolve().parents[2] / "model"


def _record(applicant: int, kind: int, delay: float, trips: int, retrievals: int = 0) -> tuple:
    values = dict.fromkeys(RECORD_FIELDS, 0)
    values.update(
        applicant=applicant,
        applicant_kind=kind,
        arrival_day=1.0,
        completion_day=1.0 + delay,
        trips=trips,
        hub_retrievals=retrievals,
    )
    return tuple(values[name] for name in RECORD_FIELDS)


def _tables(scenario: Scenario):
    rng = np.random.default_rng(0)
    residents = make_population(rng, scenario.world, scenario.civic)
    firms = make_enterprise_table(
        rng, scenario.civic, np.zeros(3, np.int16), np.full(3, 0.8, np.float32)
    )
    return residents, firms


def test_expectancy_disconfirmation_equations():
    scenario = Scenario(world=World(residents=10, enterprises=3), levers={"transparency": 0.0})
    civic = scenario.civic
    residents, firms = _tables(scenario)
    residents.expectation[4] = 0.5
    residents.trust[4] = 0.4
    evaluation = Evaluation(scenario, residents, firms, None)
    evaluation.step(case_table([_record(4, 0, delay=5.0, trips=3)]))
    p = math.exp(-5.0 / civic.delay_reference_days - civic.trip_penalty * 2)
    s = civic.satisfaction_base + civic.satisfaction_performance * p
    s += civic.satisfaction_disconfirmation * (p - 0.5)
    assert evaluation.satisfaction_of_records() == pytest.approx([s])
    assert residents.expectation[4] == pytest.approx(0.5 + civic.expectation_rate * (p - 0.5))
    assert residents.trust[4] == pytest.approx(0.4 + civic.trust_rate * (s - 0.4), rel=1e-6)


def test_firms_start_at_their_own_rest_point_and_organisations_at_the_residents():
    n = 20_000
    kind = np.r_[np.full(n, FIRM), np.full(n, ORGANISATION)]

    def table(civic: Civic, rng: np.random.Generator):
        return make_enterprise_table(
            rng, civic, np.zeros(2 * n, np.int16), np.full(2 * n, 0.5), kind
        )

    civic = Civic(enterprise_trust_initial=0.2, enterprise_expectation_initial=0.1)
    rng, rng_default = np.random.default_rng(0), np.random.default_rng(0)
    firms, default = table(civic, rng), table(Civic(), rng_default)
    firm, organisation = firms.kind == FIRM, firms.kind == ORGANISATION
    assert firms.trust[firm].mean() == pytest.approx(0.2, abs=0.005)
    assert firms.expectation[firm].mean() == pytest.approx(0.1, abs=0.005)
    k = civic.attitude_concentration  # exact Beta draws with the firms' own mean
    assert stats.kstest(firms.trust[firm], stats.beta(0.2 * k, 0.8 * k).cdf).pvalue > 1e-3
    assert firms.trust[organisation].mean() == pytest.approx(civic.trust_initial, abs=0.005)
    assert firms.expectation[organisation].mean() == pytest.approx(
        civic.expectation_initial, abs=0.005
    )
    assert (firms.satisfaction == firms.trust).all()
    # the firms' means leave the random stream alone: organisations and later draws are equal
    assert np.array_equal(firms.trust[organisation], default.trust[organisation])
    assert rng.random() == rng_default.random()


def test_privacy_incident_rate_and_trust_cost():
    scenario = Scenario(
        world=World(residents=2000, enterprises=3),
        civic=Civic(incident_probability=0.2, incident_publicity_loss=0.0),
        levers={"privacy_protection": 0.5},
    )
    residents, firms = _tables(scenario)
    before = residents.trust.copy()
    privacy = Privacy(scenario, residents, firms, None, np.random.default_rng(1))
    records = [_record(i, 0, 1.0, 1, retrievals=10) for i in range(2000)]
    privacy.step(case_table(records))
    incidents = privacy.incidents_of_records()
    assert incidents.sum() / 20_000 == pytest.approx(0.1, abs=0.01)  # p · (1 − protection)
    hit = incidents > 0
    assert np.all(residents.trust[hit] < before[hit])
    assert np.all(residents.trust[~hit] == before[~hit])


def test_publicised_incidents_cost_trust_in_the_victims_district_only():
    loss = 0.01
    scenario = Scenario(
        world=World(residents=600, enterprises=30, districts=3),
        civic=Civic(incident_probability=1.0, incident_publicity_loss=loss),
        levers={"privacy_protection": 0.0},
    )
    rng = np.random.default_rng(0)
    residents = make_population(rng, scenario.world, scenario.civic)
    residents.columns["district"] = np.repeat(np.arange(3), 200).astype(np.int16)
    firm_districts = np.repeat(np.arange(3), 10).astype(np.int16)
    firms = make_enterprise_table(rng, scenario.civic, firm_districts, np.full(30, 0.8, np.float32))
    before, firms_before = residents.trust.copy(), firms.trust.copy()
    privacy = Privacy(scenario, residents, firms, None, np.random.default_rng(1))
    # One case of resident 0 (district 0) with 4 retrievals: 4 incidents, all reported.
    record = _record(0, 0, 1.0, 1, retrievals=4)
    privacy.step(case_table([record]))
    bystanders = np.arange(1, 200)
    np.testing.assert_allclose(residents.trust[bystanders], before[bystanders] * (1 - loss) ** 4)
    np.testing.assert_allclose(firms.trust[:10], firms_before[:10] * (1 - loss) ** 4, rtol=1e-6)
    assert np.array_equal(residents.trust[200:], before[200:])
    assert np.array_equal(firms.trust[10:], firms_before[10:])


@given(
    load=st.lists(st.floats(0.0, 50.0), min_size=1, max_size=30),
    extra=st.integers(0, 200),
    policy=st.sampled_from(["proportional", "sqrt"]),
)
def test_allocation_keeps_the_budget_and_one_server_each(load, extra, policy):
    load = np.asarray(load)
    budget = len(load) + extra
    servers = allocate(load, budget, policy)
    assert servers.sum() == budget
    assert servers.min() >= 1


def test_sqrt_allocation_is_flatter_than_proportional():
    load = np.array([1.0, 4.0, 16.0])
    proportional = allocate(load, 40, "proportional")
    root = allocate(load, 40, "sqrt")
    assert root[0] > proportional[0] and root[2] < proportional[2]
    assert np.all(root >= np.floor(load))  # the square-root rule first covers every load


def test_gini_and_adjusted_gap():
    assert gini(np.ones(5)) == 0.0
    assert gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    # Within each case type the low-skill applicant waits one day longer; the raw gap is
    # negative only because the high-skill group files more of the long case type.
    values = np.array([2.0, 1.0, 11.0, 10.0, 10.0, 10.0])
    low = np.array([True, False, True, False, False, False])
    kind = np.array([0, 0, 1, 1, 1, 1])
    assert values[low].mean() - values[~low].mean() < 0
    assert adjusted_gap(values, low, kind) == pytest.approx(1.0)
    assert adjusted_gap(values, np.zeros(6, bool), kind) is None


def test_staff_changes_start_queued_jobs_and_keep_waits():
    scenario = Scenario(world=World(residents=3000, enterprises=100))
    model = GovernanceModel(scenario, rng=2)
    for _ in range(5):
        model.step()
    station = max(range(len(model.stations)), key=lambda s: model.stations[s].queue_length)
    queued = model.stations[station].queue_length
    busy = model.stations[station].busy
    model.journeys.set_staff(float(model.steps), station, model.stations[station].servers + 2)
    assert model.stations[station].queue_length == max(queued - 2, 0)
    assert model.stations[station].busy == busy + min(queued, 2)


def test_daily_series_and_views():
    model = GovernanceModel(Scenario(world=World(residents=2000, enterprises=100)), rng=3)
    for _ in range(6):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert {"participation_rate", "trust_mean"} <= set(frame.columns)
    assert len(frame) == 6
    view = model.resident(7)
    assert view.neighbours == sorted(view.neighbours)
    assert 7 in model.resident(view.neighbours[0]).neighbours
    assert 0.0 <= model.enterprises[0].trust <= 1.0


def test_model_code_stays_pure():
    forbidden = re.compile(r"^\s*(import random|from random )|np\.random\.\w+\(|\bprint\(", re.M)
    for path in MODEL_DIR.glob("*.py"):
        assert not forbidden.search(path.read_text()), path.name


def test_summary_survives_empty_populations():
    for residents, enterprises in ((0, 50), (500, 0), (0, 0)):
        scenario = Scenario().with_overrides(
            {
                "world.residents": residents,
                "world.enterprises": enterprises,
                "levers.capacity_policy": "sqrt",
                "levers.platform_openness": 3,
                "levers.coproduction": 0.3,
            }
        )
        model = GovernanceModel(scenario, rng=1)
        for _ in range(12):
            model.step()
        summary = summarise(model)
        assert (summary["trust_mean"] is None) == (residents == 0)
        assert summary["coproduction_share"] is not None


def test_office_handlers_come_out_of_the_back_offices():
    base = {"world.residents": 20_000, "world.enterprises": 200}
    scenario = Scenario().with_overrides(base)
    kept = Scenario().with_overrides({**base, "response_office.from_staff_budget": False})
    model, reference = GovernanceModel(scenario, rng=1), GovernanceModel(kept, rng=1)
    handlers = round(scenario.response_office.staff_per_10k_residents * 2)
    moved = reference.staffing.allocation - model.staffing.allocation
    assert model.office.servers == handlers == moved.sum() == model.office_transferred
    assert np.all(moved[~model.staffing.backoffice] == 0)
    assert model.staffing.allocation.min() >= 0
    assert [s.servers for s in model.stations] == model.staffing.allocation.tolist()


def test_coproducers_staff_counters_and_community_stations_only():
    scenario = Scenario().with_overrides(
        {
            "world.residents": 5000,
            "world.enterprises": 400,
            "levers.platform_openness": 3,
            "levers.coproduction": 1.0,
            "civic.coproduction_trust_threshold": 0.0,
            "civic.coproduction_efficacy_threshold": 0.0,
        }
    )
    model = GovernanceModel(scenario, rng=4)
    extra = 0
    for _ in range(5):  # extra servers are stochastically rounded every day
        model.step()
        extra = extra + model.staffing.extra
    firms = model.enterprise_table
    assert firms.coproducing.all()  # everyone passes a zero gate
    assert (firms.kind == 1).sum() == round(6.4 * 5000 / 10_000)  # social organisations
    community = {
        o.backoffice
        for o in model.layout.offices
        if o.function == "community" and o.district is not None
    }
    legal = [
        o.backoffice
        for o in model.layout.offices
        if o.backoffice is not None and o.backoffice not in community
    ]
    assert extra.sum() > 0
    assert extra[legal].sum() == 0
    assert extra[sorted(community)].sum() > 0
