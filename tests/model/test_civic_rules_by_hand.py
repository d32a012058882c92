"""Every civic update rule on a three-person network, against numbers computed by hand.

Residents 0 – 1 – 2 on a path (1 is the neighbour of both others). The rules (their formulas are
in the modules' docstrings) are applied through the modules' public classes and functions, with
coefficients chosen here so that each term matters:

- evaluation (``model.evaluation``): performance, satisfaction, expectation and trust of the
  applicant of a completed case, and the trust spill-over to the neighbours — exactly
  w·ΔT into their trust, nothing into their expectation; enterprises do not spill;
- spill-over (``model.spread.spill``): weight × change, summed over changed neighbours, clipped;
- publication (transparency): the published district figure and the vicarious case of those
  without a recent case of their own;
- voice (``model.voice``): an answer, silence and community resolution move efficacy and trust;
  the threshold rule's cascade along the path.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from govlab.model.evaluation import Evaluation
from govlab.model.network import degrees
from govlab.model.population import Population
from govlab.model.spread import spill
from govlab.model.voice import Voice
from govlab.scenarios import apply_overrides, load_scenario

COEFFICIENTS = {  # a, b, c, α_E, α_T, D, π, w
    "satisfaction_base": 0.1,
    "satisfaction_performance": 0.6,
    "satisfaction_disconfirmation": 0.5,
    "expectation_rate": 0.3,
    "trust_rate": 0.2,
    "delay_reference_days": 10.0,
    "trip_penalty": 0.2,
    "spillover_weight": 0.25,
    "publication_weight": 0.5,
    "recent_case_days": 5.0,
}
PATH = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=np.float32))


def scenario(transparency: float = 0.0, **civic):
    overrides = {f"civic.{k}": v for k, v in {**COEFFICIENTS, **civic}.items()}
    return apply_overrides(
        load_scenario("silo"), {**overrides, "levers.transparency": transparency}
    )


def people(trust, expectation, district=(0, 0, 0), efficacy=(0.5, 0.5, 0.5)) -> Population:
    n = len(trust)
    f32 = lambda values: np.array(values, dtype=np.float32)  # noqa: E731
    return Population({
        "district": np.array(district, dtype=np.int16), "trust": f32(trust),
        "expectation": f32(expectation), "satisfaction": f32(trust), "efficacy": f32(efficacy),
        "last_case_day": np.full(n, -np.inf, dtype=np.float32),
        "participating": np.zeros(n, dtype=bool), "threshold": np.zeros(n, dtype=np.float32),
    })  # fmt: skip


def cases(applicants, delays, trips, kind=0, district=0) -> dict[str, np.ndarray]:
    n = len(applicants)
    return {
        "applicant": np.array(applicants), "applicant_kind": np.full(n, kind),
        "delay_days": np.array(delays, dtype=float), "trips": np.array(trips),
        "home_district": np.full(n, district), "completion_day": np.zeros(n),
    }  # fmt: skip


def nobody() -> Population:
    return people([], [], district=(), efficacy=())


def test_a_completed_case_moves_its_applicant_and_spills_trust_to_the_neighbours():
    residents = people(trust=[0.5, 0.6, 0.4], expectation=[0.7, 0.5, 0.6])
    evaluation = Evaluation(scenario(), residents, nobody(), PATH)
    evaluation.step(cases([1], delays=[3.0], trips=[3]), time=4.0)
    p = math.exp(-3.0 / 10.0 - 0.2 * 2)  # two trips beyond the first
    s = 0.1 + 0.6 * p + 0.5 * (p - 0.5)
    change = 0.2 * (s - 0.6)
    assert evaluation.case_satisfaction[-1] == pytest.approx([s])
    assert residents.satisfaction[1] == pytest.approx(s)
    assert residents.expectation.tolist() == pytest.approx([0.7, 0.5 + 0.3 * (p - 0.5), 0.6])
    assert residents.trust.tolist() == pytest.approx(
        [0.5 + 0.25 * change, 0.6 + change, 0.4 + 0.25 * change]
    )
    assert residents.last_case_day[1] == 4.0


def test_two_cases_of_one_applicant_on_one_day_use_the_mean():
    residents = people(trust=[0.5, 0.6, 0.4], expectation=[0.7, 0.5, 0.6])
    evaluation = Evaluation(scenario(spillover_weight=0.0), residents, nobody(), PATH)
    evaluation.step(cases([0, 0], delays=[0.0, 20.0], trips=[1, 1]), time=1.0)
    p = np.array([1.0, math.exp(-2.0)])
    s = np.clip(0.1 + 0.6 * p + 0.5 * (p - 0.7), 0, 1)  # both judged against E = 0.7
    assert evaluation.case_satisfaction[-1] == pytest.approx(s)
    assert residents.expectation[0] == pytest.approx(0.7 + 0.3 * (p.mean() - 0.7))
    assert residents.trust.tolist() == pytest.approx([0.5 + 0.2 * (s.mean() - 0.5), 0.6, 0.4])


def test_an_enterprise_case_does_not_spill_to_residents():
    residents = people(trust=[0.5, 0.6, 0.4], expectation=[0.7, 0.5, 0.6])
    firms = people(trust=[0.3], expectation=[0.9], district=(0,), efficacy=(0.5,))
    evaluation = Evaluation(scenario(), residents, firms, PATH)
    evaluation.step(cases([0], delays=[0.0], trips=[1], kind=1), time=1.0)
    s = 0.1 + 0.6 * 1.0 + 0.5 * (1.0 - 0.9)
    assert firms.trust[0] == pytest.approx(0.3 + 0.2 * (s - 0.3))
    assert residents.trust.tolist() == pytest.approx([0.5, 0.6, 0.4])


def test_spill_moves_each_neighbour_by_weight_times_the_summed_changes_clipped():
    values = np.array([0.5, 0.5, 0.5, 0.98], dtype=np.float32)
    star = sp.csr_array(np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]))
    spill(star, values, np.array([1, 2]), np.array([0.1, -0.04]), 0.5)
    assert values.tolist() == pytest.approx([0.5 + 0.05 - 0.02, 0.5, 0.5, 0.98])
    spill(star, values, np.array([0]), np.array([0.2]), 0.5)  # 0.98 + 0.1 is clipped to 1
    assert values.tolist() == pytest.approx([0.53, 0.6, 0.6, 1.0])


def test_publication_reaches_those_without_a_recent_case():
    """τ = 1, ρ = 0.5 (ω = 0.5): a case in district 0 on day 1 publishes its P; residents 0 and
    2 (no case of their own) take it as a vicarious case of weight ω; the applicant and
    district 1 (nothing published) do not. Day 2 (no case) they read it again; day 3 a case
    with P' moves the published figure by 0.1·(P' − P)."""
    residents = people(trust=[0.5, 0.6, 0.4, 0.5], expectation=[0.7, 0.5, 0.6, 0.2],
                       district=(0, 0, 0, 1), efficacy=(0.5,) * 4)  # fmt: skip
    evaluation = Evaluation(scenario(1.0, spillover_weight=0.0), residents, nobody(), None)
    trust = np.array([0.5, 0.6, 0.4, 0.5])
    expectation = np.array([0.7, 0.5, 0.6, 0.2])
    p = math.exp(-0.5)
    evaluation.step(cases([1], delays=[5.0], trips=[1]), time=1.0)
    s1 = 0.1 + 0.6 * p + 0.5 * (p - 0.5)
    trust[1] += 0.2 * (s1 - 0.6)
    expectation[1] += 0.3 * (p - 0.5)
    for time in (1.0, 2.0):
        if time == 2.0:
            evaluation.step(cases([], [], []), time=time)
        readers = [0, 2]
        s = 0.1 + 0.6 * p + 0.5 * (p - expectation[readers])
        expectation[readers] += 0.5 * 0.3 * (p - expectation[readers])
        trust[readers] += 0.5 * 0.2 * (s - trust[readers])
        assert evaluation.published[0] == pytest.approx(p)
        assert np.isnan(evaluation.published[1])
        assert residents.expectation.tolist() == pytest.approx(expectation.tolist(), rel=1e-5)
        assert residents.trust.tolist() == pytest.approx(trust.tolist(), rel=1e-5)
    evaluation.step(cases([3], delays=[0.0], trips=[1], district=0), time=3.0)
    assert evaluation.published[0] == pytest.approx(p + 0.1 * (1.0 - p))


class SettledOffice:
    """A response office whose settled requests the test sets."""

    def __init__(self, rows, kinds, answered) -> None:
        self.settled = (np.array(rows), np.array(kinds), np.array(answered))

    def settled_before(self, time):
        settled, self.settled = (
            self.settled,
            (np.zeros(0, int), np.zeros(0, int), np.zeros(0, bool)),
        )
        return settled


VOICE = {
    "efficacy_gain": 0.2,
    "efficacy_loss": 0.1,
    "response_trust_gain": 0.05,
    "silence_trust_loss": 0.08,
    "community_resolution": 1.0,
    "coproduction_min_openness": 2,
}


@pytest.mark.parametrize("openness", [0, 3])
def test_answers_and_silence_move_efficacy_and_trust(openness):
    """Row 0 answered, row 1 silent, row 2 answered twice the same day (one update per outcome),
    firm 0 silent. With openness 3 the community resolves every unanswered request (efficacy
    rises by half the gain, trust stays)."""
    residents = people([0.5, 0.6, 0.4], [0.5] * 3, efficacy=(0.3, 0.6, 0.9))
    firms = people([0.7], [0.5], district=(0,), efficacy=(0.2,))
    office = SettledOffice([0, 1, 2, 2, 0], [0, 0, 0, 0, 1], [True, False, True, True, False])
    plan = scenario(**VOICE)
    plan = apply_overrides(plan, {"levers.platform_openness": openness})
    voice = Voice(plan, residents, firms, PATH, degrees(PATH), np.random.default_rng(0), office)
    voice.settle(500.0)  # after the warm-up: community resolutions are counted
    eff, trust = [0.3 + 0.2 * 0.7, 0.6, 0.9 + 0.2 * 0.1], [0.5 + 0.05 * 0.5, 0.6, 0.4 + 0.05 * 0.6]
    if openness == 3:
        eff[1], firm = 0.6 + 0.1 * 0.4, (0.2 + 0.1 * 0.8, 0.7)
        assert voice.resolved_by_community == 2
    else:
        eff[1], trust[1], firm = 0.6 - 0.1 * 0.6, 0.6 - 0.08 * 0.6, (0.2 - 0.1 * 0.2, 0.7 * 0.92)
    assert residents.efficacy.tolist() == pytest.approx(eff)
    assert residents.trust.tolist() == pytest.approx(trust)
    assert (firms.efficacy[0], firms.trust[0]) == pytest.approx(firm)


def test_threshold_cascade_along_the_path():
    """Granovetter's rule (participates ⇔ share of participating neighbours ≥ θ) with θ = 0,
    0.5, 1: resident 0 joins in the first period, 1 in the second (half its neighbours), 2 in the
    third (all of its one neighbour)."""
    residents = people([0.5] * 3, [0.5] * 3)
    residents.threshold[:] = [0.0, 0.5, 1.0]
    plan = scenario(voice_rule="threshold", voice_every_days=5, adoption="reversible")
    voice = Voice(plan, residents, nobody(), PATH, degrees(PATH), np.random.default_rng(0),
                  SettledOffice([], [], []))  # fmt: skip
    seen = []
    for day in range(1, 16):
        voice.step(day, float(day - 1))
        seen.append(residents.participating.tolist())
    assert seen[0] == seen[4] == [True, False, False]
    assert seen[5] == seen[9] == [True, True, False]
    assert seen[10] == seen[14] == [True, True, True]


def test_spill_with_full_weight_reaches_a_single_neighbour():
    """Mutation gaps: weight 1 and a change with exactly one neighbour are not shortcuts."""
    values = np.array([0.2, 0.5, 0.9], dtype=np.float32)
    spill(PATH, values, np.array([0]), np.array([0.1]), 1.0)
    assert values.tolist() == pytest.approx([0.2, 0.6, 0.9])


def test_satisfaction_is_clipped_and_the_published_figure_is_the_days_mean():
    """Mutation gaps: S = a + b + c·(1 − E) = 1.2 for a perfect case against E = 0 is clipped
    to 1; two cases of a district on one day publish their mean performance."""
    residents = people(trust=[0.5, 0.6, 0.4], expectation=[0.0, 0.5, 0.6])
    evaluation = Evaluation(scenario(1.0, spillover_weight=0.0), residents, nobody(), PATH)
    assert len(evaluation.satisfaction_of_records()) == 0
    evaluation.step(cases([0, 1], delays=[0.0, 10.0], trips=[1, 1]), time=1.0)
    assert evaluation.case_satisfaction[-1][0] == 1.0
    assert evaluation.published[0] == pytest.approx((1.0 + math.exp(-1.0)) / 2)
