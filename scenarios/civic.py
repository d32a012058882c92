"""Civic behaviour (``[civic]``: coefficients, the social network, thresholds, the data-hub risk)
and the response office (``[response_office]``, 接诉即办 / 12345).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from govlab.scenarios.fields import Frozen, Share, Utility


class Civic(Frozen):
    """How residents and enterprises judge, speak and co-produce (DESIGN.md §2 steps 6-10).

    Behaviour coefficients, the social network's shape and the data-hub risk. Utility terms of the
    voice rule are in "utility" units on the same scale as the participation threshold.
    """

    # -- social network -------------------------------------------------------------------------
    network: Literal["watts_strogatz", "erdos_renyi", "barabasi_albert", "complete"] = Field(
        "watts_strogatz",
        description="shape of the residents' social network (complete only up to 5000 residents)",
    )
    network_degree: float = Field(
        10,
        ge=0,
        le=200,
        description="expected mean degree z, may be fractional (Watts–Strogatz: ring neighbours; "
        "Barabási–Albert: 2m with m = round(z / 2)); count",
    )
    network_rewiring: Share = Field(
        0.1, description="Watts–Strogatz rewiring probability p (0-1) per lattice edge"
    )
    # -- initial attitudes ----------------------------------------------------------------------
    trust_initial: Share = Field(0.5, description="mean initial trust in government; 0-1")
    expectation_initial: Share = Field(
        0.4,
        description="mean initial expected service performance (≈ the silo world's mean "
        "performance, 0.38: the status quo is what people expect); 0-1",
    )
    enterprise_trust_initial: Share = Field(
        0.32,
        description="mean initial trust of firms (social organisations, with no cases of their "
        "own, start at trust_initial): calibrated so that the silo world's firms are at rest, as "
        "trust_initial is for residents. Their cases (business registration, construction "
        "permits) perform far worse in silo (mean P ≈ 0.035) than residents' (≈ 0.37), so their "
        "rest point, between their own cases and the published figures, is lower (0.322 ± 0.002 "
        "over the last 1,000 of 4,000 days, 3 seeds: scripts/enterprise_rest.py); 0-1",
    )
    enterprise_expectation_initial: Share = Field(
        0.10,
        description="mean initial expected service performance of firms (their silo rest point, "
        "0.099, between their own cases' P ≈ 0.035 and the published district figures; "
        "scripts/enterprise_rest.py); 0-1",
    )
    efficacy_initial: Share = Field(0.4, description="mean initial political efficacy; 0-1")
    privacy_concern_initial: Share = Field(0.5, description="mean initial privacy concern; 0-1")
    attitude_concentration: float = Field(
        8.0, gt=0.0, le=1000.0, description="Beta concentration of initial attitudes; 1"
    )
    # -- evaluation (expectancy disconfirmation) --------------------------------------------
    delay_reference_days: float = Field(
        10.0, gt=0.0, le=1000.0, description="delay at which performance falls to 1/e; days"
    )
    trip_penalty: float = Field(
        0.1, ge=0.0, le=10.0, description="log-performance lost per trip beyond the first; 1/trip"
    )
    satisfaction_base: float = Field(
        0.27,
        ge=-1.0,
        le=1.0,
        description="a in S = a + b·P + c·(P − E) (calibrated so that the silo world is at rest: "
        "trust_initial ≈ a + b·(mean silo performance ≈ 0.38)); 0-1 scale",
    )
    satisfaction_performance: float = Field(
        0.6, ge=0.0, le=2.0, description="b in S = a + b·P + c·(P − E); 1"
    )
    satisfaction_disconfirmation: float = Field(
        0.4, ge=0.0, le=2.0, description="c in S = a + b·P + c·(P − E); 1"
    )
    expectation_rate: Share = Field(
        0.3, description="share (0-1) of the gap P − E closed by expectation per case"
    )
    trust_rate: Share = Field(
        0.3, description="share (0-1) of the gap S − T closed by trust per case"
    )
    spillover_weight: Share = Field(
        0.2, description="share (0-1) of a resident's trust change passed to each neighbour"
    )
    publication_weight: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="weight, per day at transparency 1, of the district's published performance "
        "taken as a vicarious case by residents and enterprises without a recent case of their "
        "own (assumed: at full transparency the published figures count like one own case in "
        "about 100 working days); 1/day",
    )
    recent_case_days: float = Field(
        250.0,
        ge=0.0,
        le=10_000.0,
        description="an own case completed within this many days makes published figures "
        "irrelevant to the applicant (assumed: one year); days",
    )
    waiting_weight: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="ω: weight, per day, of an open case whose performance so far is below the "
        "applicant's expectation, in units of one completed case's trust update (assumed: 50 "
        "days of waiting past expectation weigh like one case); 1/day",
    )
    patience_days: float = Field(
        90.0,
        gt=0.0,
        le=10_000.0,
        description="θ: an applicant gives up a case still open this many days after it "
        "arrived and judges it then (assumed: a quarter of a working year; the silo world's "
        "slowest case takes about 86 days); days",
    )
    # -- voice ------------------------------------------------------------------------------
    voice_every_days: int = Field(5, ge=1, le=1000, description="voice period; days")
    voice_rule: Literal["full", "threshold"] = Field(
        "full",
        description="full utility rule, or pure Granovetter thresholds (participate iff the "
        "participating share of neighbours ≥ own threshold; for validation)",
    )
    adoption: Literal["reversible", "progressive"] = Field(
        "reversible",
        description="reversible: everyone re-decides every period; progressive: a participant "
        "never leaves (irreversible adoption, as in cascade studies)",
    )
    seed_participants: int = Field(
        0,
        ge=0,
        le=50_000_000,
        description="residents participating from day 0 (the first rows "
        "of a random permutation; progressive adoption keeps them); count",
    )
    thresholds_file: str = Field(
        "",
        description="optional per-resident thresholds: a text file with one float per line (one "
        "line per resident, in row order; '#' comments), path relative to the working directory; "
        "the loader stores its content in ``threshold_values`` so the run's identity covers it",
    )
    threshold_values: tuple[float, ...] = Field(
        (),
        description="fixed per-resident thresholds (utility or share, as the rule reads them), "
        "one per resident; empty = drawn Normal(threshold_mean, threshold_sd)",
        strict=False,  # a TOML array is a list
    )
    threshold_mean: float = Field(
        0.15, ge=-5.0, le=5.0, description="mean participation threshold; utility"
    )
    threshold_sd: float = Field(
        0.25, ge=0.0, le=5.0, description="s.d. of participation thresholds (normal); utility"
    )
    weight_trust: float = Field(0.5, ge=0.0, le=5.0, description="utility per unit trust")
    weight_efficacy: float = Field(0.5, ge=0.0, le=5.0, description="utility per unit efficacy")
    weight_neighbours: float = Field(
        0.3, ge=0.0, le=5.0, description="utility per unit share of participating neighbours"
    )
    openness_cost: tuple[Utility, Utility, Utility, Utility] = Field(
        (0.5, 0.35, 0.2, 0.1),
        description="participation cost at platform openness 0, 1, 2, 3; utility",
        strict=False,  # a TOML array is a list
    )
    cost_digital: float = Field(
        0.3, ge=0.0, le=5.0, description="extra cost per unit missing digital skill; utility"
    )
    cost_time: float = Field(
        0.2, ge=0.0, le=5.0, description="extra cost per unit missing free time; utility"
    )
    cost_civic_skill: float = Field(
        0.2, ge=0.0, le=5.0, description="extra cost per unit missing civic skill; utility"
    )
    cost_privacy: float = Field(
        0.2, ge=0.0, le=5.0, description="extra cost per unit privacy concern; utility"
    )
    recruitment_probability: Share = Field(
        0.05,
        description="probability (0-1) per period that a resident is recruited, at openness 3 "
        "(scaled by openness/3)",
    )
    recruitment_boost: float = Field(
        0.2, ge=0.0, le=5.0, description="utility added for the period when recruited"
    )
    requests_per_participant_per_year: float = Field(
        2.0,
        ge=0.0,
        le=1000.0,
        description="requests a platform participant files a year, at uniform times (assumed: at "
        "30% participation about 0.6 requests per resident a year, the order of the Beijing "
        "12345 hotline's volume, roughly 0.3-0.8 requests per resident a year in 2019-2021); "
        "1/year",
    )
    complaint_satisfaction: Share = Field(
        0.3, description="satisfaction (0-1) below which an applicant may complain (assumed)"
    )
    complaint_probability: Share = Field(
        0.3,
        description="probability (0-1) that an applicant below complaint_satisfaction files a "
        "complaint with the response office when the case completes (assumed)",
    )
    take_up_propensity: Share = Field(
        0.32,
        description="discretionary rule: probability (0-1) that the office takes up a request "
        "without collective pressure (Chen, Pan & Xu 2016: about 1/3 of county governments "
        "answered an online request); a behavioural parameter, the same in every scenario",
    )
    pressure_gain: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="discretionary rule: take-up probability added at full participation in the "
        "requester's district (collective pressure raised responsiveness in Chen, Pan & Xu "
        "2016; size assumed); 0-1",
    )
    efficacy_gain: Share = Field(
        0.15, description="share (0-1) of the gap 1 − efficacy closed by a response"
    )
    efficacy_loss: Share = Field(
        0.2, description="share (0-1) of efficacy lost when a request meets silence (assumed)"
    )
    response_trust_gain: Share = Field(
        0.03, description="share (0-1) of the gap 1 − T closed by a response"
    )
    silence_trust_loss: Share = Field(
        0.02, description="share (0-1) of trust lost when a request meets silence"
    )
    community_resolution: Share = Field(
        0.3,
        description="probability (0-1) that the community resolves an unanswered request "
        "(self-governance; needs openness ≥ coproduction_min_openness)",
    )
    # -- co-production ------------------------------------------------------------------------
    coproduction_min_openness: int = Field(
        2, ge=0, le=3, description="platform openness needed for co-production; level"
    )
    coproduction_trust_threshold: Share = Field(
        0.55, description="trust (0-1) an enterprise or organisation needs to co-produce"
    )
    coproduction_efficacy_threshold: Share = Field(
        0.35, description="efficacy (0-1) an enterprise or organisation needs to co-produce"
    )
    enterprise_volunteer_servers: float = Field(
        0.05,
        ge=0.0,
        le=10.0,
        description="volunteer capacity a co-producing enterprise offers (assumed: one person "
        "one day in twenty); servers",
    )
    organisation_volunteer_servers: float = Field(
        0.5,
        ge=0.0,
        le=10.0,
        description="volunteer capacity a co-producing social organisation offers (assumed: one "
        "person half time); servers",
    )
    social_organisations_per_10k_residents: float = Field(
        6.4,
        ge=0.0,
        le=1000.0,
        description="social organisations, rows beside the enterprises (≈ 0.9 million "
        "registered in China for 1.41 billion people, Ministry of Civil Affairs statistical "
        "bulletin 2021); per 10^4 residents",
    )
    # -- needs sensing ------------------------------------------------------------------------
    sensing_noise: float = Field(
        0.5, ge=0.0, le=5.0, description="log-normal σ of sensed load at sensing quality 0; 1"
    )
    participation_feedback: Share = Field(
        0.5,
        description="share (0-1) of the remaining sensing noise removed at full participation",
    )
    # -- privacy ------------------------------------------------------------------------------
    incident_probability: Share = Field(
        0.05, description="probability (0-1) of an incident per data-hub retrieval, unprotected"
    )
    incident_trust_loss: Share = Field(
        0.3, description="share (0-1) of trust a victim of average concern loses per incident"
    )
    incident_spillover_weight: Share = Field(
        0.3, description="share (0-1) of a victim's trust loss passed to each neighbour"
    )
    incident_concern_gain: Share = Field(
        0.2, description="share (0-1) of the gap 1 − concern closed by an incident"
    )
    incident_publicity_loss: float = Field(
        0.0005,
        ge=0.0,
        le=0.1,
        description="share (0-1) of trust every resident and enterprise of the victim's district "
        "loses per incident, once it is reported in public; per incident",
    )

    @model_validator(mode="before")
    @classmethod
    def _read_thresholds_file(cls, data: Any) -> Any:
        """Read ``thresholds_file`` into ``threshold_values`` (so the run's identity covers the
        thresholds themselves, not only the file's name)."""
        if (
            isinstance(data, dict)
            and data.get("thresholds_file")
            and not data.get("threshold_values")
        ):
            data = {**data, "threshold_values": read_thresholds(data["thresholds_file"])}
        return data


def read_thresholds(path: str) -> tuple[float, ...]:
    """Per-resident thresholds from a text file: one float per line, '#' starts a comment."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    values = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            values.append(float(text))
        except ValueError:
            raise ValueError(f"{path}, line {number}: {text!r} is not a number") from None
    return tuple(values)


class ResponseOffice(Frozen):
    """The response office (接诉即办 / 12345): staff, handling time, deadline and rule."""

    rule: Literal["discretionary", "every_request"] = Field(
        "discretionary",
        description="discretionary: each request is taken up with the civic take-up propensity "
        "(raised by collective pressure); every_request (接诉即办): every request is queued",
    )
    staff_per_10k_residents: float = Field(
        1.0,
        ge=0.0,
        le=1000.0,
        description="handlers of the office (at least one); per 10^4 residents",
    )
    from_staff_budget: bool = Field(
        True,
        description="the default office's handlers (the schema default per 10^4 residents) are "
        "taken from the back offices at the start (one at a time from the most staffed, none "
        "below one): the staff budget is fixed; handlers above those are priced as a lever's "
        "staff need (scenarios/costs.py); bool",
    )
    handling_hours: float = Field(
        0.25,
        gt=0.0,
        le=1000.0,
        description="mean handler time per request (exponential; assumed: a 12345 handler "
        "dispatches a few dozen requests a day); hours",
    )
    deadline_days: float = Field(
        2.0,
        ge=0.0,
        le=1000.0,
        description="a request is answered if its handling starts within this time; days",
    )
