"""The world of a scenario (``[world]``): sizes, arrivals, travel, paperwork, service times and the
delay window (warm-up and run-out).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from govlab.scenarios.fields import Frozen, Share


class World(Frozen):
    """The city the scenario runs in: sizes, travel, paperwork and service-time shape."""

    districts: int = Field(6, ge=1, le=64, description="number of districts (块); count")
    residents: int = Field(40_000, ge=0, le=50_000_000, description="residents; count")
    enterprises: int = Field(2_000, ge=0, le=5_000_000, description="enterprises; count")
    working_hours_per_day: float = Field(
        8.0, gt=0.0, le=24.0, description="service hours in one working day (one step); hours"
    )
    working_days_per_year: float = Field(
        250.0, ge=1.0, le=366.0, description="working days in a year, to turn yearly rates daily"
    )
    travel_base_hours: float = Field(
        1.0, ge=0.0, le=48.0, description="time of one trip to an office in one's district; hours"
    )
    travel_per_district_hours: float = Field(
        0.75, ge=0.0, le=48.0, description="extra trip time per district of distance; hours"
    )
    city_centre_distance: float = Field(
        1.0,
        ge=0.0,
        le=64.0,
        description="distance of city-level offices from any district; districts",
    )
    away_from_home_share: Share = Field(
        0.15,
        description="probability (0-1) that a case's applicant lives away from their home "
        "(registration) district",
    )
    refusal_probability: Share = Field(
        0.3,
        description="probability (0-1) that a home-only office refuses an away case at the "
        "local office, sending the applicant home",
    )
    p_missing_document: Share = Field(
        0.1, description="probability (0-1) that one carried document is missing or wrong"
    )
    transparency_effect: Share = Field(
        0.8, description="share (0-1) of missing documents prevented at transparency 1"
    )
    rework_days: float = Field(
        1.0, ge=0.0, le=100.0, description="mean time to obtain a missing document; days"
    )
    visit_gap_days: float = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="mean time before an applicant carrying a file makes the next visit; days",
    )
    courier_days: float = Field(
        0.5, ge=0.0, le=100.0, description="mean paper hand-off between back offices; days"
    )
    electronic_handoff_hours: float = Field(
        0.1, ge=0.0, le=100.0, description="electronic hand-off between departments; hours"
    )
    digital_skill_threshold: Share = Field(
        0.4, description="digital skill (0-1) needed to use an online service"
    )
    enterprise_digital_skill: Share = Field(
        0.8, description="mean digital skill (0-1) of enterprises"
    )
    service_time_distribution: Literal["exponential", "lognormal", "deterministic"] = Field(
        "lognormal", description="shape of counter and back-office service times"
    )
    service_time_cv: float = Field(
        0.8, gt=0.0, le=10.0, description="coefficient of variation of lognormal service times"
    )
    warmup_days: int = Field(
        190,
        ge=0,
        le=10_000,
        description="start of the delay window: cases arriving before this day are left out of "
        "metrics; days. Chosen by MSER-5 (White 1997) on the mean delay by arrival day of 20 "
        "pilot runs of 800 days per ladder scenario (`govlab warmup`), the largest truncation "
        "over the ladder rounded up to 10 days (README, 'The delay window'); run at least twice "
        "as many days",
    )
    runout_cap_days: int = Field(
        500,
        ge=0,
        le=100_000,
        description="after the last day the service keeps running (arrivals included, civic "
        "state frozen) until every case that arrived before it is complete, for at most this "
        "many working days; cases still open then are reported (runout_open_cases)",
    )
    district_concentration: float = Field(
        0.0,
        ge=0.0,
        le=4.0,
        description="uneven district sizes: residents and enterprises of district d are in "
        "proportion to (d + 1)^-c (0 = equal districts); Zipf exponent",
    )
