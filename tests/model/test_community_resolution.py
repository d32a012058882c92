"""Community resolution (issue 20 item 3): the community resolves requests the response office
does not handle in time, under both rules (``model.voice``).

Each request below comes from its own resident, so every resident's change of efficacy and
trust tells exactly which of the three outcomes their request met: answered in time, resolved by
the community, or silence. The office's own counter gives the requests handled in time; among
the others, the community's share must be the probability p_c within a binomial interval, and
every change must be the documented amount.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from govlab.model.population import make_enterprise_table, make_population
from govlab.model.response_office import ResponseOffice
from govlab.model.voice import Voice
from govlab.scenarios import Scenario
from tests.model.civic_runs import assert_direction, summaries

HOURS = 8.0
N = 3000


def _settle_requests(rule: str, openness: int, community: float, take_up: float, seed: int = 0):
    """``N`` requests, one per resident, over 100 days at an office of one handler; returns the
    scenario, the office, efficacy and trust before and after the requests are settled."""
    scenario = Scenario.model_validate(
        {
            "world": {"residents": N, "enterprises": 0},
            "levers": {"platform_openness": openness},
            "civic": {"community_resolution": community},
            # every_request: 30 requests a day against 26.7 handled (load 1.125: late ones pile up);
            # discretionary: a quick office, so that only the requests not taken up go unanswered
            "response_office": {
                "rule": rule,
                "handling_hours": 0.3 if rule == "every_request" else 0.01,
                "deadline_days": 1.5,
            },
        }
    )
    rng = np.random.default_rng(seed)
    residents = make_population(rng, scenario.world, scenario.civic)
    firms = make_enterprise_table(rng, scenario.civic, np.zeros(0, np.int16), np.zeros(0))
    office = ResponseOffice(scenario.response_office, 1, rng, HOURS)
    voice = Voice(scenario, residents, firms, None, None, rng, office)
    before = residents.efficacy.copy(), residents.trust.copy()
    arrival = np.sort(rng.random(N)) * 100.0
    office.submit(arrival, rng.permutation(N), np.zeros(N, np.int64), np.full(N, take_up))
    office.advance_to(1e9)
    voice.settle(1e9)
    return scenario, office, voice, before, (residents.efficacy, residents.trust)


def _outcomes(civic, before, after) -> dict[str, np.ndarray]:
    """Which documented update each resident's (efficacy, trust) change is (module docstring)."""
    (e0, t0), (e1, t1) = before, after
    gain, loss = civic.efficacy_gain, civic.efficacy_loss
    expected = {
        "answered": (e0 + gain * (1 - e0), t0 + civic.response_trust_gain * (1 - t0)),
        "community": (e0 + 0.5 * gain * (1 - e0), t0),
        "silence": (e0 - loss * e0, t0 - civic.silence_trust_loss * t0),
    }
    return {
        name: np.isclose(e1, e, rtol=1e-5, atol=1e-7) & np.isclose(t1, t, rtol=1e-5, atol=1e-7)
        for name, (e, t) in expected.items()
    }


@pytest.mark.parametrize(
    ("rule", "take_up"), [("every_request", 1.0), ("discretionary", 0.4)], ids=["late", "ignored"]
)
def test_the_community_resolves_its_share_of_the_requests_not_handled_in_time(rule, take_up):
    p = 0.3
    scenario, office, voice, before, after = _settle_requests(rule, 3, p, take_up)
    outcome = _outcomes(scenario.civic, before, after)
    # every resident met exactly one documented outcome, by the documented amounts
    assert (sum(outcome.values()) == 1).all()
    answered, community = int(outcome["answered"].sum()), int(outcome["community"].sum())
    assert answered == office.answered
    not_in_time = N - answered
    assert not_in_time > 1000  # the office leaves many requests unhandled in time
    assert community == voice.resolved_by_community
    # the community's share of them is p (exact binomial test, two-sided, 0.1% level)
    assert stats.binomtest(community, not_in_time, p).pvalue > 1e-3, (community, not_in_time)


def test_no_community_below_the_coproduction_level_or_at_probability_zero():
    for openness, p in ((1, 0.3), (3, 0.0)):
        scenario, office, voice, before, after = _settle_requests("every_request", openness, p, 1.0)
        outcome = _outcomes(scenario.civic, before, after)
        assert outcome["community"].sum() == voice.resolved_by_community == 0
        assert outcome["silence"].sum() == N - office.answered > 1000


def test_in_the_model_communities_resolve_late_requests_and_raise_efficacy():
    """The whole model, small smart world with an understaffed every-request office (no request
    is answered in time): the communities resolve p_c = 0.3 of the requests (up to the window's
    edge: resolutions are counted when settled, requests when they arrive), and efficacy and
    participation are higher than with ``community_resolution = 0`` (paired seeds)."""
    acting = summaries("smart_overloaded")
    off = summaries("smart_overloaded", (("civic.community_resolution", 0.0),))
    late = [s["community_resolution_share"] / (1.0 - s["response_rate"]) for s in acting]
    assert abs(np.mean(late) - 0.3) < 0.02, late
    assert all(s["community_resolution_share"] == 0.0 for s in off)
    assert_direction("efficacy_mean_final", off, acting, +1)
    assert_direction("participation_rate", off, acting, +1)
