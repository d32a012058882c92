"""Voice's participation, take-up, requests and complaints by hand (issue 20 item 4: the
surviving mutants of ``model.voice`` in scripts/mutate.py's run).

Three residents on a path and two firms in two districts; the utility rule's every term, the
recruitment share openness/3 and its boost, the discretionary take-up with collective pressure,
requests only from participants at uniform times in the period, complaints only below the
satisfaction threshold and counted after the warm-up.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from govlab.model.network import degrees
from govlab.model.voice import Voice, participation_utility, platform_terms
from govlab.scenarios import apply_overrides
from tests.model.test_civic_rules_by_hand import PATH, people, scenario

UTILITY = {  # w_T, w_E, w_N, c_dig, c_time, c_civic, c_priv, costs by openness
    "weight_trust": 0.5,
    "weight_efficacy": 0.4,
    "weight_neighbours": 0.3,
    "cost_digital": 0.2,
    "cost_time": 0.15,
    "cost_civic_skill": 0.1,
    "cost_privacy": 0.05,
    "openness_cost": [0.6, 0.4, 0.25, 0.1],
    "voice_rule": "full",
    "adoption": "reversible",
    "voice_every_days": 5,
    "recruitment_probability": 0.0,
}


class Office:
    """A response office that keeps what is submitted."""

    def __init__(self) -> None:
        self.submitted: list[tuple[np.ndarray, ...]] = []

    def submit(self, arrival, row, kind, take_up) -> None:
        self.submitted.append((np.asarray(arrival), np.asarray(row), np.asarray(kind), take_up))


def with_resources(table, skill, time, civic, privacy):
    f32 = lambda values: np.array(values, dtype=np.float32)  # noqa: E731
    table.columns.update(digital_skill=f32(skill), time=f32(time), civic_skill=f32(civic),
                         privacy_concern=f32(privacy))  # fmt: skip
    return table


def residents_and_firms():
    residents = with_resources(
        people([0.8, 0.5, 0.2], [0.5] * 3, efficacy=(0.7, 0.4, 0.1)),
        skill=[0.9, 0.5, 0.1],
        time=[0.8, 0.6, 0.3],
        civic=[0.7, 0.5, 0.2],
        privacy=[0.1, 0.4, 0.9],
    )
    firms = with_resources(
        people([0.6, 0.3], [0.5] * 2, district=(0, 1), efficacy=(0.5, 0.2)),
        skill=[0.8, 0.8],
        time=[0.5, 0.5],
        civic=[0.6, 0.6],
        privacy=[0.2, 0.2],
    )
    return residents, firms


def hand_utility(t, e, share, skill, time, civic, privacy, cost):
    return (0.5 * t + 0.4 * e + 0.3 * share - cost - 0.2 * (1 - skill) - 0.15 * (1 - time)
            - 0.1 * (1 - civic) - 0.05 * privacy)  # fmt: skip


@pytest.mark.parametrize("openness", [0, 1, 2, 3])
def test_each_term_of_the_utility_and_the_openness_cost(openness):
    """U of resident 1 (neighbours 0 and 2, one participating) by hand; participation is decided
    at U ≥ θ, so a threshold 1e-4 below U joins and 1e-4 above does not."""
    residents, firms = residents_and_firms()
    residents.participating[:] = [True, False, False]
    share = 0.5
    cost = UTILITY["openness_cost"][openness]
    expected = hand_utility(0.5, 0.4, share, 0.5, 0.6, 0.5, 0.4, cost)
    plan = apply_overrides(scenario(**UTILITY), {"levers.platform_openness": openness})
    assert platform_terms(plan.civic, openness)[0] == cost
    computed = participation_utility(plan.civic, cost, share, residents)[1]
    assert computed == pytest.approx(expected, abs=1e-6)
    for offset, joins in ((-1e-4, True), (1e-4, False)):
        residents.participating[:] = [True, False, False]
        residents.threshold[:] = [-9.0, expected + offset, 9.0]  # 0 stays in, 2 stays out
        voice = Voice(plan, residents, firms, PATH, degrees(PATH), np.random.default_rng(0),
                      Office())  # fmt: skip
        voice.step(1, 0.0)
        assert residents.participating.tolist() == [True, joins, False]


def test_firms_look_at_their_districts_share_and_recruitment_is_openness_over_three():
    """Firms' neighbours are their district's rows (the share read before they decide): firm 0's
    district has 1 of 1 participating, firm 1's none. Recruitment: the probability is
    recruitment_probability · openness / 3, and a recruit gets the boost."""
    plan = scenario(**{**UTILITY, "recruitment_probability": 0.6, "recruitment_boost": 0.25})
    for openness in (0, 1, 2, 3):
        assert platform_terms(plan.civic, openness)[1] == pytest.approx(0.6 * openness / 3)
    residents, firms = residents_and_firms()
    firms.participating[:] = [True, False]
    firms.threshold[:] = [
        hand_utility(0.6, 0.5, 1.0, 0.8, 0.5, 0.6, 0.2, 0.6) - 1e-4,  # joins with share 1
        hand_utility(0.3, 0.2, 0.0, 0.8, 0.5, 0.6, 0.2, 0.6) - 1e-4,  # joins with share 0
    ]
    residents.threshold[:] = 9.0
    voice = Voice(plan, residents, firms, PATH, degrees(PATH), np.random.default_rng(0), Office())
    voice.step(1, 0.0)
    assert firms.participating.tolist() == [True, True]
    firms.participating[:] = [False, False]  # now firm 0's district share is 0: it leaves
    voice.step(6, 5.0)
    assert firms.participating.tolist() == [False, True]
    # recruitment at openness 3 with probability 1: a utility 0.2 short of θ joins (boost 0.25)
    plan = apply_overrides(
        scenario(**{**UTILITY, "recruitment_probability": 1.0, "recruitment_boost": 0.25}),
        {"levers.platform_openness": 3},
    )
    residents, firms = residents_and_firms()
    utility = participation_utility(plan.civic, 0.1, np.zeros(3), residents)
    residents.threshold[:] = utility + np.array([0.2, 0.3, -0.1])
    voice = Voice(plan, residents, firms, PATH, degrees(PATH), np.random.default_rng(0), Office())
    voice.step(1, 0.0)
    assert residents.participating.tolist() == [True, False, True]


def test_discretionary_take_up_is_propensity_plus_pressure_of_the_district():
    """A complaint's take-up probability is clip(propensity + g · participating share of the
    applicant's district); every-request queues all (probability 1); only satisfaction below the
    threshold complains (probability 1 here); complaints are counted from the warm-up on."""
    residents, firms = residents_and_firms()
    residents.columns["district"] = np.array([0, 0, 1], dtype=np.int16)
    residents.participating[:] = [True, False, True]  # district 0: 1/2, district 1: 1/1
    civic = {"take_up_propensity": 0.3, "pressure_gain": 0.4, "complaint_probability": 1.0,
             "complaint_satisfaction": 0.5}  # fmt: skip
    for rule, expected in (("discretionary", [0.5, 0.7, 0.3]), ("every_request", [1, 1, 1])):
        plan = apply_overrides(
            scenario(**civic),
            {"response_office.rule": rule, "world.warmup_days": 10, "world.districts": 2},
        )
        office = Office()
        voice = Voice(plan, residents, firms, PATH, degrees(PATH), np.random.default_rng(0), office)
        cases = {
            "completion_day": np.array([9.5, 10.0, 11.0, 12.0]),
            "applicant_kind": np.array([0, 0, 0, 1]),
            "applicant": np.array([1, 2, 0, 1]),
        }
        voice.complain(cases, np.array([0.2, 0.49, 0.5, 0.1]))  # the third is not unhappy
        [(arrival, rows, kinds, take_up)] = office.submitted
        assert arrival.tolist() == [9.5, 10.0, 12.0] and rows.tolist() == [1, 2, 1]
        assert kinds.tolist() == [0, 0, 1]
        # firm 1 is in district 1 where no firm participates: propensity alone
        assert take_up.tolist() == pytest.approx(expected)
        assert voice.complaints == 2  # 10.0 and 12.0 are after the warm-up; 9.5 is not


def test_requests_come_from_participants_at_uniform_times_in_the_period():
    """Each participant files Poisson(r · K / working days) requests in a period of K days, at
    uniform times in [start, start + K); non-participants file none."""
    n = 20_000
    plan = scenario(requests_per_participant_per_year=25.0, voice_every_days=10)
    plan = apply_overrides(plan, {"world.working_days_per_year": 250})
    residents = with_resources(
        people([0.5] * n, [0.5] * n, district=(0,) * n, efficacy=(0.5,) * n),
        skill=[1.0] * n,
        time=[1.0] * n,
        civic=[1.0] * n,
        privacy=[0.0] * n,
    )
    residents.threshold[:] = np.where(np.arange(n) % 4 == 0, -9.0, 9.0)  # a quarter participates
    empty = people([], [], district=(), efficacy=())
    office = Office()
    alone = sp.csr_array((n, n), dtype=np.float32)
    voice = Voice(plan, residents, empty, alone, degrees(alone), np.random.default_rng(3), office)
    voice.step(11, 10.0)  # day 11 starts the second period (K = 10)
    [(arrival, rows, kinds, _)] = office.submitted
    assert set(np.unique(rows % 4).tolist()) == {0} and (kinds == 0).all()
    mean = (n // 4) * 25.0 * 10 / 250
    low, high = stats.poisson.ppf([0.0005, 0.9995], mean)
    assert low <= len(rows) <= high, (len(rows), mean)
    assert arrival.min() >= 10.0 and arrival.max() < 20.0
    assert stats.kstest((arrival - 10.0) / 10.0, "uniform").pvalue > 0.001


@pytest.mark.parametrize("adoption", ["reversible", "progressive"])
def test_progressive_adoption_keeps_participants_and_reversible_lets_them_go(adoption):
    """Resident 0 participates but its utility is now below its threshold: progressive adoption
    keeps it (joining is irreversible), reversible drops it; resident 1 joins in both."""
    residents, firms = residents_and_firms()
    residents.participating[:] = [True, False, False]
    residents.threshold[:] = [9.0, -9.0, 9.0]
    plan = scenario(**{**UTILITY, "adoption": adoption})
    voice = Voice(plan, residents, firms, PATH, degrees(PATH), np.random.default_rng(0), Office())
    voice.step(1, 0.0)
    assert residents.participating.tolist() == [adoption == "progressive", True, False]


def test_a_single_settled_request_moves_its_requester():
    """One answered request (no batch of several) still raises its requester's efficacy."""
    from tests.model.test_civic_rules_by_hand import SettledOffice

    residents, firms = residents_and_firms()
    plan = scenario(efficacy_gain=0.2)
    office = SettledOffice([1], [0], [True])
    voice = Voice(plan, residents, firms, PATH, degrees(PATH), np.random.default_rng(0), office)
    voice.settle(500.0)
    assert residents.efficacy.tolist() == pytest.approx([0.7, 0.4 + 0.2 * 0.6, 0.1])
