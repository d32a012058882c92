"""Lever monotonicity with paired 95% CIs (common random numbers over seeds).

Less privacy protection → less trust (through the incidents it lets happen); under uneven
demand, proportional and square-root staff allocation beat the static plan on mean delay.
(Tests that asserted a lever's own echo — responsiveness → response rate, protection →
incidents per retrieval — are gone with the closed forms they tested; transparency is tested
in test_civic_outcomes.py, where it reveals service rather than adding trust.)
"""

from __future__ import annotations

import numpy as np

from tests.model.civic_runs import assert_direction, summaries


def test_less_privacy_protection_means_less_trust():
    protected = summaries("seamless", (("levers.privacy_protection", 1.0),))
    half = summaries("seamless", (("levers.privacy_protection", 0.5),))
    unprotected = summaries("seamless", (("levers.privacy_protection", 0.0),))
    for weaker, stronger in ((protected, half), (half, unprotected)):
        assert_direction("trust_mean_final", weaker, stronger, -1)
        assert_direction("privacy_trust_lost_per_resident", weaker, stronger, +1)


UNEVEN = (  # a bigger city, so that the crowded district's offices are congested
    ("world.residents", 20_000),
    ("world.enterprises", 1_000),
    ("world.district_concentration", 1.0),
    ("levers.adjust_every_days", 10),
    ("levers.adjust_lag_days", 5),
)


def test_reallocation_beats_static_staffing_under_uneven_demand():
    static = summaries("parallel", (*UNEVEN, ("levers.capacity_policy", "static")))
    for policy in ("proportional", "sqrt"):
        moved = summaries("parallel", (*UNEVEN, ("levers.capacity_policy", policy)))
        assert_direction("delay_mean_days", static, moved, -1)
        assert_direction("wait_days_mean", static, moved, -1)
        assert all(s["reallocations"] > 0 for s in moved)
    assert all(s["reallocations"] == 0 for s in static)


def test_digitally_excluded_make_more_trips_in_the_smart_city():
    gaps = np.array([s["trips_gap_digital"] for s in summaries("smart")])
    assert gaps.mean() - 2.3 * gaps.std(ddof=1) / np.sqrt(len(gaps)) > 0.0
