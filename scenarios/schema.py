"""The scenario schema: every lever, world parameter and service definition, validated.

A scenario is frozen data. Each field has a type, a range, a unit in its description and a default,
so that a scenario file only states what differs from the default world (DESIGN.md §2, §5).
The default service catalogue (functions, documents, case types) is data in
``scenarios/service_catalogue.toml``; this module only states its shape.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scenarios.costs import Costs
from scenarios.reengineering import Reengineering, check_reengineering

SERVICE_CATALOGUE = Path(__file__).with_name("service_catalogue.toml")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Utility = Annotated[float, Field(ge=-5.0, le=5.0)]


# Expected service cases per working day beyond which a run cannot fit in memory in reasonable
# time (each case is a record); 10^7 residents at realistic rates make ~10^4.
MAX_ARRIVALS_PER_DAY = 1_000_000


class Frozen(BaseModel):
    """Base of every scenario model: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class Levers(Frozen):
    """How government is organised: the reform levers of DESIGN.md §2."""

    front_desk: bool = Field(
        False, description="one pooled intake desk per district for all functions (一窗受理); bool"
    )
    approval: Literal["sequential", "parallel"] = Field(
        "sequential",
        description="steps one after another in written order (串联), or each as soon as the "
        "steps it waits for have ended: the case's precedence graph (并联)",
    )
    data_sharing: Share = Field(
        0.0,
        description="probability (0-1) that a document issued by a department is fetched from the "
        "data hub instead of carried by the applicant",
    )
    handoff: Literal["applicant", "electronic"] = Field(
        "applicant", description="who moves the file between departments"
    )
    cross_district: Literal["home_only", "anywhere"] = Field(
        "home_only", description="where a resident away from home may be served (跨域通办)"
    )
    online_coverage: Share = Field(
        0.1, description="probability (0-1) that an online-capable case is offered online"
    )
    capacity_policy: Literal["static", "proportional", "sqrt"] = Field(
        "static", description="how the staff budget follows sensed demand"
    )
    adjust_every_days: int = Field(20, ge=1, le=1000, description="sensing period; days")
    adjust_lag_days: int = Field(
        20, ge=0, le=1000, description="delay before a reallocation takes effect; days"
    )
    transparency: Share = Field(
        0.1, description="0-1; one-time complete notice of requirements (一次告知) and open data"
    )
    platform_openness: int = Field(
        0, ge=0, le=3, description="participation platform: 0 closed .. 3 open; level"
    )
    coproduction: Share = Field(
        0.0,
        description="0-1; share of the volunteer capacity offered by co-producing enterprises and "
        "social organisations that the platform enlists (at counters and community stations)",
    )
    privacy_protection: Share = Field(
        0.5, description="0-1; share of data-hub incident risk removed by protection"
    )
    sensing_quality: Share = Field(
        0.5, description="0-1; data-fusion quality of demand sensing (1 = noiseless)"
    )


class World(Frozen):
    """The city the scenario runs in: sizes, travel, paperwork and service-time shape."""

    districts: int = Field(6, ge=1, le=64, description="number of districts (块); count")
    residents: int = Field(40_000, ge=0, le=10_000_000, description="residents; count")
    enterprises: int = Field(2_000, ge=0, le=1_000_000, description="enterprises; count")
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
    network_degree: int = Field(
        10, ge=0, le=200, description="mean degree (Watts–Strogatz: ring neighbours k); count"
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
        le=10_000_000,
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


class Function(Frozen):
    """A department function (条): one department per district, or one city-level department."""

    level: Literal["district", "city"] = Field("district", description="where it sits")
    counter_staff: int = Field(2, ge=0, le=10_000, description="intake counter servers; count")
    backoffice_staff: int = Field(3, ge=0, le=10_000, description="approval servers; count")


class Document(Frozen):
    """A document an applicant may have to present."""

    issuer: str = Field(
        "applicant", description="function that issues it, or 'applicant' for own papers"
    )


class Step(Frozen):
    """One procedure of a case at one department function."""

    function: str = Field(description="department function that handles this step")
    counter_hours: float = Field(
        0.5, ge=0.0, le=1000.0, description="mean intake time at the counter; hours"
    )
    backoffice_days: float = Field(
        1.0, ge=0.0, le=1000.0, description="mean back-office processing time; days"
    )
    name: str = Field(
        "", max_length=64, description="optional label, unique in its service, for ``after``"
    )
    requires: tuple[str, ...] = Field((), description="documents the step requires")
    issues: tuple[str, ...] = Field((), description="documents the step issues")
    approval: bool = Field(
        True,
        description="an approval that may run in parallel with others; false = a barrier that "
        "waits for every earlier step and that every later step waits for",
    )
    after: tuple[str, ...] = Field(
        (),
        description="names of earlier steps of the same service this step waits for, beyond the "
        "documents it needs (parallel approval)",
    )


class CaseType(Frozen):
    """A service (one kind of case) with its route of steps."""

    applicant: Literal["resident", "enterprise"] = Field(description="who applies")
    rate_per_year: float = Field(
        ge=0.0, le=10_000.0, description="cases per applicant per year; 1/year"
    )
    online: bool = Field(True, description="the service can be offered online")
    steps: tuple[Step, ...] = Field(min_length=1, description="the route, in order")


@cache
def _default_catalogue() -> dict[str, Any]:
    with SERVICE_CATALOGUE.open("rb") as handle:
        return tomllib.load(handle)


def _catalogue_part(part: str):
    return lambda: _default_catalogue()[part]


class Scenario(Frozen):
    """A complete, validated scenario: levers, world and service catalogue."""

    name: str = Field("custom", description="short name")
    description: str = Field("", description="one line for listings")
    levers: Levers = Field(default_factory=Levers, description="the reform levers")
    world: World = Field(default_factory=World, description="sizes, travel, paperwork, times")
    civic: Civic = Field(default_factory=Civic, description="civic behaviour coefficients")
    response_office: ResponseOffice = Field(
        default_factory=ResponseOffice, description="the response office (接诉即办 / 12345)"
    )
    costs: Costs = Field(
        default_factory=Costs, description="lever costs and staff budget (scenarios/costs.py)"
    )
    functions: dict[str, Function] = Field(
        default_factory=_catalogue_part("functions"), description="department functions by name"
    )
    documents: dict[str, Document] = Field(
        default_factory=_catalogue_part("documents"), description="documents by name"
    )
    services: dict[str, CaseType] = Field(
        default_factory=_catalogue_part("services"), description="case types by name"
    )
    reengineering: Reengineering = Field(
        default_factory=Reengineering, description="process re-engineering of the catalogue"
    )

    @model_validator(mode="after")
    def _references_exist(self) -> Scenario:
        if self.civic.network == "complete" and self.world.residents > 5000:
            raise ValueError("civic.network: a complete network needs world.residents <= 5000")
        values = self.civic.threshold_values
        if values and len(values) != self.world.residents:
            raise ValueError(
                f"civic.threshold_values: {len(values)} thresholds for "
                f"{self.world.residents} residents (one per resident needed)"
            )
        issuers = {"applicant", *self.functions}
        for name, document in self.documents.items():
            if document.issuer not in issuers:
                raise ValueError(
                    f"documents.{name}.issuer: {document.issuer!r} is not one of {sorted(issuers)}"
                )
        for name, service in self.services.items():
            for index, step in enumerate(service.steps):
                where = f"services.{name}.steps.{index}"
                if step.function not in self.functions:
                    allowed = sorted(self.functions)
                    raise ValueError(f"{where}.function: {step.function!r} is not one of {allowed}")
                for document in (*step.requires, *step.issues):
                    if document not in self.documents:
                        raise ValueError(f"{where}: unknown document {document!r}")
            _check_step_names(name, service)
        check_reengineering(self)
        return self

    @model_validator(mode="after")
    def _load_is_feasible(self) -> Scenario:
        applicants = {"resident": self.world.residents, "enterprise": self.world.enterprises}
        per_day = (
            sum(
                service.rate_per_year * applicants[service.applicant]
                for service in self.services.values()
            )
            / self.world.working_days_per_year
        )
        if per_day > MAX_ARRIVALS_PER_DAY:
            raise ValueError(
                f"services: {per_day:,.0f} cases expected per working day (rate_per_year × "
                f"applicants / world.working_days_per_year); at most {MAX_ARRIVALS_PER_DAY:,}"
            )
        return self

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """Return a validated copy with ``{"dotted.path": value}`` overrides applied."""
        from scenarios.overrides import apply_overrides

        return apply_overrides(self, overrides)


def _check_step_names(service_name: str, service: CaseType) -> None:
    """Step names are unique in a service; ``after`` names an earlier step."""
    earlier: set[str] = set()
    for index, step in enumerate(service.steps):
        where = f"services.{service_name}.steps.{index}"
        for name in step.after:
            if name not in earlier:
                raise ValueError(
                    f"{where}.after: {name!r} is not one of the earlier steps {sorted(earlier)}"
                )
        if step.name:
            if step.name in earlier:
                raise ValueError(f"{where}.name: {step.name!r} names two steps")
            earlier.add(step.name)
