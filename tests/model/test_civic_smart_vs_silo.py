"""Smart (S5) vs silo (S0) on every civic metric, and the trust cost of unprotected data sharing.

Each check asserts the 95% t-interval of the paired difference over common seeds lies on the
side the mechanisms imply.
"""

from __future__ import annotations

import pytest

from tests.model.civic_runs import assert_direction, summaries

# metric -> +1 if smart should be higher than silo, -1 if lower
SMART_OVER_SILO = {
    "participation_rate": +1,  # open platform: lower cost, recruitment, responses
    "participation_rate_final": +1,
    "trust_mean": +1,  # better service, transparency, responses
    "trust_mean_final": +1,
    "satisfaction_mean": +1,  # shorter delays, fewer trips
    "response_rate": +1,  # every-request office with capacity vs discretionary take-up
    "efficacy_mean_final": +1,  # answers received
    "coproduction_share": +1,  # open platform enlists trusting, efficacious co-producers
    "enterprise_participation_rate_final": +1,
    "enterprise_trust_mean_final": +1,
}


@pytest.mark.parametrize(("metric", "sign"), SMART_OVER_SILO.items())
def test_smart_beats_silo_on_civic_metrics(metric, sign):
    assert_direction(metric, summaries("silo"), summaries("smart"), sign)


@pytest.mark.parametrize(
    ("metric", "sign"),
    [
        ("privacy_trust_lost_per_resident", +1),
        ("trust_mean", -1),
        ("trust_mean_final", -1),
        ("enterprise_trust_mean_final", -1),
    ],
)
def test_smart_without_privacy_protection_pays_in_trust(metric, sign):
    unprotected = summaries("smart", (("levers.privacy_protection", 0.0),))
    assert_direction(metric, summaries("smart"), unprotected, sign)


def test_civic_outputs_are_reported():
    summary = summaries("smart")[0]
    for key in (
        "participation_rate",
        "participation_rate_final",
        "trust_mean",
        "trust_mean_final",
        "satisfaction_mean",
        "response_rate",
        "coproduction_share",
        "privacy_incidents_per_10k_residents_per_year",
        "privacy_trust_lost_per_resident",
        "trust_drift_per_100_days",
        "participation_drift_per_100_days",
        "delay_gap_digital",
        "delay_gini_districts",
    ):
        assert isinstance(summary[key], float), key
    assert 0.0 <= summary["delay_gini_districts"] <= 1.0
    assert set(summary["residents_by_group"]["by_skill_group"]) == {"low", "high"}
    assert len(summary["cases_by_district"]) == 6
