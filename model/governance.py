"""GovernanceModel: the Mesa model — its build and its day (``step``).

One step is one working day. Inside the day, service events run in continuous time on one event
heap: the journeys of cases through offices are ``model.journey`` (the readable reference, on
``model.engine``), run by the compiled ``model.kernel`` through ``model.compiled`` (the default;
the same numbers). All randomness comes from ``self.rng`` (``GovernanceModel(scenario,
rng=seed)``).
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np

from govlab.agents import Department, Enterprise, Resident
from govlab.model.compiled import CompiledJourneys
from govlab.model.coproduction import Coproduction
from govlab.model.draws import service_key
from govlab.model.evaluation import Evaluation
from govlab.model.front_desks import FrontDesks
from govlab.model.journey import Applicants, Journeys
from govlab.model.metrics import case_table, daily_summary, firm_trust_mean
from govlab.model.network import degrees, make_network
from govlab.model.offices import build_layout
from govlab.model.population import (
    FIRM,
    ORGANISATION,
    draw_districts,
    make_enterprise_table,
    make_population,
)
from govlab.model.privacy import Privacy
from govlab.model.records import ENTERPRISE, RESIDENT
from govlab.model.reengineering import reengineered
from govlab.model.response_office import ResponseOffice, office_staff
from govlab.model.routes import compile_plans
from govlab.model.runout import EndState, run_out
from govlab.model.schedule import LeversInForce, rule_set, rule_timeline
from govlab.model.sensing import Sensing
from govlab.model.staff_budget import funded_layout
from govlab.model.staffing import Staffing
from govlab.model.triggers import Signposts
from govlab.model.voice import Voice
from govlab.model.waiting import Waiting
from govlab.scenarios import Scenario
from govlab.scenarios.costs import default_office_handlers
from govlab.scenarios.schedule import ScheduleEntry, check_districts, check_in_force, set_in_force


def mean_utilisation(model: GovernanceModel) -> float:
    """Mean utilisation over the staffed departments during the last day (nan if none)."""
    staffed = [d.utilisation for d in model.departments if d.staff]
    return float(np.mean(staffed)) if staffed else math.nan


class GovernanceModel(mesa.Model):
    """Departments, enterprises and residents under one scenario's way of organising government.

    Args:
        scenario: a validated scenario (``scenarios.load_scenario``).
        rng: seed or generator for every random draw of this model.
        engine: the service engine: ``"compiled"`` (``model.compiled``, numba) or ``"python"``
            (``model.journey``, the readable reference); both give the same numbers.
        collect: keep the DataCollector's daily model and department series (a batch run reads
            them); False skips them — about a third of a day's time — for a caller that reads
            only ``civic_series`` and the records (the trainer page). The numbers are the same.
        collect_visits: keep a row per counter visit, back-office task, hand-off, trip and rework
            period in ``journeys.visits`` (``model.records.VISIT_FIELDS``; ``govlab log``). Off
            (the default) it costs nothing; on, the numbers are the same.

    Attributes:
        config: the scenario this model runs.
        catalogue: the scenario with its service catalogue re-engineered (``[reengineering]``,
            ``model.reengineering``): the offices and case plans are built from it.
        population: the resident table (arrays); ``resident(row)`` gives a Mesa view of one row.
        network: the residents' social network, a symmetric ``scipy.sparse`` CSR adjacency.
        enterprise_table: the enterprises' attributes and attitudes as arrays (row =
            ``Enterprise.row``), followed by the social organisations' rows (``kind``).
        office: the response office (接诉即办 / 12345), ``model.response_office``.
        departments: Department agents, in station order.
        journeys: the service process; ``journeys.records`` holds completed cases.
        datacollector: daily model series and department series.
    """

    def __init__(
        self,
        scenario: Scenario,
        rng: int | np.random.Generator | None = None,
        engine: str = "compiled",
        collect: bool = True,
        collect_visits: bool = False,
    ) -> None:
        super().__init__(rng=rng)
        self.collecting = collect
        self.config = scenario
        self.catalogue = reengineered(scenario)
        world = scenario.world
        # levers that need staff beyond the budget raise take it from the departments
        self.layout = funded_layout(scenario, build_layout(self.catalogue))
        self.plans = compile_plans(self.catalogue)
        self.population = make_population(self.rng, world, scenario.civic)
        self._resident_views: dict[int, Resident] = {}
        self._recorded = 0
        self._make_enterprises(world)
        self.network = make_network(self.rng, scenario.civic, world.residents)
        self.degree = degrees(self.network)
        self.journeys = self._make_journeys(self.catalogue, engine)
        if collect_visits:
            self.journeys.collect_visits()
        self.stations = self.journeys.stations
        self.departments = [
            Department(self, office, self.stations) for office in self.layout.offices
        ]
        self._rate_of_plan = [  # expected cases per day
            plan.rate_per_day * len(self.applicants.of(plan.kind)[0]) for plan in self.plans
        ]
        self._kind_of_plan = np.array([plan.kind for plan in self.plans], dtype=np.int8)
        self._applicants_of_kind = np.array(
            [len(self.applicants.of(kind)[0]) for kind in (RESIDENT, ENTERPRISE)]
        )
        self._make_civic(scenario)
        self.arrivals_today = 0
        self.today = daily_summary(case_table([]))
        self.participation_today = 0.0
        self.trust_today = float(self.population.trust.mean()) if world.residents else 0.0
        self.civic_series: dict[str, list[float]] = {"participation_rate": [], "trust_mean": []}
        self.civic_series["enterprise_trust_mean"] = []  # firms only (model.metrics)
        self.at_end: EndState | None = None  # set by ``run_out``
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "arrivals": "arrivals_today",
                "completions": lambda m: m.today["completions"],
                "delay_mean_days": lambda m: m.today["delay_mean_days"],
                "trips_per_case": lambda m: m.today["trips_per_case"],
                "backlog": lambda m: m.journeys.open_cases,
                "utilisation_mean": mean_utilisation,
                "participation_rate": "participation_today",
                "trust_mean": "trust_today",
                "enterprise_trust_mean": lambda m: m.civic_series["enterprise_trust_mean"][-1],
            },
            agenttype_reporters={
                Department: {
                    "function": "function",
                    "district": "district",
                    "staff": "staff",
                    "queue_length": "queue_length",
                    "in_system": "in_system",
                    "utilisation": "utilisation",
                }
            },
        )

    def _make_journeys(self, scenario: Scenario, engine: str) -> Journeys | CompiledJourneys:
        self.applicants = Applicants(
            self.population.district,
            self.population.digital_skill,
            self.enterprise_district,
            self.enterprise_skill,
        )
        key = service_key(self.rng)  # the key of every case's random numbers (model.draws)
        staff = self.layout.staff()
        # the lever schedule ([[schedule]]): its rule sets, switched at the start of a day (step)
        self.timeline = rule_timeline(self.config)
        self.levers_in_force = LeversInForce(self.timeline, scenario.world.districts)
        # adaptive policies ([[trigger]]): monitored at each day's end, fired at a day's start
        self.signposts = Signposts(scenario.trigger, scenario.world.districts)
        self._reforms: list[tuple[tuple[int, ...], dict[str, Any]]] = []  # asked by reform()
        engines = {"compiled": CompiledJourneys, "python": Journeys}
        if engine in engines:
            return engines[engine](
                scenario, self.layout, self.plans, self.applicants, key, staff,
                self.timeline.rule_sets,
            )  # fmt: skip
        raise ValueError(f"engine must be 'compiled' or 'python', not {engine!r}")

    def _make_civic(self, scenario: Scenario) -> None:
        """The mechanisms of DESIGN.md §2 steps 6-10, sharing the tables and the network."""
        residents, firms = self.population, self.enterprise_table
        # One child stream per mechanism, spawned from the model's generator: a lever that
        # changes how many draws one mechanism makes leaves the others' draws unchanged, so
        # paired comparisons (common random numbers) stay tight.
        voice_rng, coproduction_rng, sensing_rng, privacy_rng, office_rng = self.rng.spawn(5)
        self.staffing = Staffing(self.layout, self.journeys)
        self.evaluation = Evaluation(scenario, residents, firms, self.network)
        self.waiting = Waiting(scenario.civic, self.evaluation)
        world = scenario.world
        servers, speed = office_staff(scenario.response_office, world.residents)
        if scenario.response_office.from_staff_budget and world.residents:
            # The default office's handlers come from the back offices (a fixed budget); those
            # above it are a lever's staff need (scenarios.costs), already withdrawn from the
            # layout unless the scenario raised the budget (model.staff_budget).
            handlers = scenario.response_office.staff_per_10k_residents * world.residents / 1e4
            whole = round(min(handlers, default_office_handlers(scenario)))
            self.office_transferred = self.staffing.transfer_to_office(whole)
        else:
            self.office_transferred = 0
        self.office = ResponseOffice(
            scenario.response_office,
            servers,
            office_rng,
            world.working_hours_per_day,
            count_from=float(world.warmup_days),
            speed=speed,
        )
        self.voice = Voice(
            scenario, residents, firms, self.network, self.degree, voice_rng, self.office
        )
        self.coproduction = Coproduction(
            scenario, firms, self.staffing, self.layout, coproduction_rng
        )
        self.sensing = Sensing(scenario, self.stations, self.staffing, residents, sensing_rng)
        self.front_desks = FrontDesks(
            self.layout, scenario.levers.front_desk, self.journeys, self.staffing, self.sensing,
            self.coproduction,
        )  # fmt: skip
        self.privacy = Privacy(
            scenario, residents, firms, self.network, privacy_rng, float(world.warmup_days)
        )

    def _make_enterprises(self, world) -> None:
        """Enterprises (applicants for enterprise services, and Mesa agents), then the social
        organisations as further rows of the same attitude table (``kind``)."""
        n = world.enterprises
        organisations = round(
            self.config.civic.social_organisations_per_10k_residents * world.residents / 10_000
        )
        district = draw_districts(self.rng, world, n + organisations)
        spread = 4.0
        mean = world.enterprise_digital_skill
        if 0.0 < mean < 1.0:
            skill = self.rng.beta(mean * spread, (1 - mean) * spread, size=n + organisations)
        else:  # a Beta with mean 0 or 1 is a point mass there (numpy refuses shape 0)
            skill = np.full(n + organisations, mean)
        skill = skill.astype(np.float32)
        self.enterprise_district = district[:n].astype(np.int16)
        self.enterprise_skill = skill[:n]
        kind = np.r_[np.full(n, FIRM), np.full(organisations, ORGANISATION)]
        self.enterprise_table = make_enterprise_table(
            self.rng, self.config.civic, district.astype(np.int16), skill, kind
        )
        self.enterprises = [
            Enterprise(self, i, int(district[i]), float(skill[i])) for i in range(n)
        ]

    def resident(self, row: int) -> Resident:
        """The Mesa view of resident ``row`` (made and registered on first use)."""
        view = self._resident_views.get(row)
        if view is None:
            view = self._resident_views[row] = Resident(self, row)
        return view

    @property
    def day(self) -> int:
        """Days completed so far."""
        return self.steps

    def step(self) -> None:
        """One working day, in this order (DESIGN.md §2):

        0. schedule — the levers a ``[[schedule]]`` entry sets from this day (working-day index
           ``steps - 1``), then those of the ``[[trigger]]`` policies whose signposts held up to
           yesterday on a review day (``model.triggers``), apply to the cases opened from now on
           in their districts (``model.schedule``; cases already open finish under the rules
           they opened with) and, for the city-wide levers, to the platform, co-production,
           privacy and sensing from today;
        1. demand — Poisson arrivals per applicant and case type, at uniform times in the day;
        2-5. intake, routing, cross-district handling and service — the day's events in continuous
           time (``model.journey``); departments close the day (utilisation);
        6. evaluation — applicants of the day's completed cases update satisfaction, expectation
           and trust (spilling to neighbours); each district's performance is published and
           reaches those without a recent case (``model.evaluation``); applicants still waiting
           past their expectation feel it, and cases past patience are given up and judged
           (``model.waiting``);
        7. voice — dissatisfied applicants complain; at the start of each voice period,
           participation decisions and the period's requests; the response office handles the
           day's arrivals (``model.response_office``) and the settled requests (answer or
           silence) move efficacy and trust (``model.voice``);
        8. co-production — trusting, efficacious enterprises and social organisations add
           servers at counters and community stations (``model.coproduction``);
        9. needs sensing — every K days, estimate load and plan a reallocation of the staff
           budget; apply the plans whose lag is over (``model.sensing``);
        10. privacy — the day's data-hub retrievals risk incidents that cost trust
            (``model.privacy``);
        11. collect — the daily series (service, participation, trust), and the signposts the
            triggers watch.
        Staff changes of steps 8-9 take effect at the end of the day.
        """
        if self.at_end is not None:
            raise RuntimeError("the model has run out (run_out): it takes no more days")
        start = float(self.steps - 1)
        end = start + 1.0
        self._levers_of_the_day(self.steps - 1)
        self.arrivals_today = self.demand(start)
        self.journeys.advance_to(end)
        self.journeys.close_day(end)
        for department in self.departments:
            department.close_day()
        records = self.journeys.records
        cases = records.table(self._recorded)
        self._recorded = len(records)
        given_up = self.waiting.completed(cases)
        self.evaluation.step(cases, end, given_up)
        # a case given up was complained about (or not) when it was given up
        judged_now = np.where(np.isnan(given_up), self.evaluation.case_satisfaction[-1], np.nan)
        self.voice.complain(cases, judged_now)
        self.voice.complain(*self.waiting.step(end))
        self.voice.step(self.steps, start)
        self.office.advance_to(end)
        self.voice.settle(end)
        self.coproduction.step(end)
        self.sensing.step(self.steps, end)
        self.privacy.step(cases, end)
        self._collect(cases)
        if self.signposts.triggers:
            office = self.office
            self.signposts.observe(
                cases["home_district"], cases["delay_days"], office.handled_all, office.answered_all
            )

    def reform(
        self,
        levers: dict[str, Any],
        districts: tuple[int, ...] = (),
        reengineering: dict[str, Any] | None = None,
    ) -> None:
        """Set these schedulable levers and ``reengineering`` options from the next day's start,
        in the home ``districts`` (all when empty), as a ``[[schedule]]`` entry for that day
        would (the trainer's "reform from today"); validated like one (``ScheduleEntry``: a
        ``ValueError`` names the levers allowed, or the rule the options would break)."""
        entry = ScheduleEntry.model_validate(
            {"day": self.steps, "districts": districts, "levers": levers,
             "reengineering": reengineering or {}}
        )  # fmt: skip
        check_districts(self.config.model_copy(update={"schedule": (entry,)}), "schedule")
        change = (entry.districts, entry.update())
        # what tomorrow's start would bring (its schedule entries, the reforms asked, this one)
        then = list(self.levers_in_force.levers)
        for earlier in (*self.timeline.entries.get(self.steps, ()), *self._reforms, change):
            set_in_force(then, *earlier)
        check_in_force(self.config, then)
        self._reforms.append(change)

    def _levers_of_the_day(self, day: int) -> None:
        """Step 0: the schedule's entries of ``day``, the triggers fired and the reforms asked
        since yesterday; the engines follow each district's rule set, the city-wide mechanisms
        the city's levers; a district whose levers now say ``front_desk`` opens its desk
        (``model.front_desks``)."""
        fired = [*self.signposts.fire(day), *self._reforms]
        self._reforms = []
        change = self.levers_in_force.start_day(day, fired)
        # a district's front desk opens with its levers; its counters' staff move (front_desks)
        self.front_desks.start_day(day, [s.levers.front_desk for s in self.levers_in_force.levers])
        if change is None:
            return
        for state in self.levers_in_force.states[len(self.journeys.rule_sets) :]:  # unplanned
            self.journeys.add_rule_set(rule_set(self.config, state))
        self.journeys.use_rules(change)
        in_force = self.levers_in_force.levers
        city = in_force[0].levers  # the city-wide levers are every district's
        for mechanism in (self.voice, self.coproduction, self.privacy, self.sensing):
            mechanism.use_levers(city)
        self.evaluation.use_levers([state.levers for state in in_force])
        own = self.config.reengineering.extra_backoffice_staff
        extra = [state.reengineering.extra_backoffice_staff - own for state in in_force]
        if any(extra) or self.staffing.hired.any():
            self.staffing.hire(np.array(extra, dtype=np.int64), float(day))

    def _collect(self, cases: dict[str, np.ndarray]) -> None:
        self.today = daily_summary(cases)
        residents = self.population
        if residents.size:
            self.participation_today = float(residents.participating.mean())
            self.trust_today = float(residents.trust.mean())
        self.civic_series["participation_rate"].append(self.participation_today)
        self.civic_series["trust_mean"].append(self.trust_today)
        self.civic_series["enterprise_trust_mean"].append(firm_trust_mean(self.enterprise_table))
        if self.collecting:
            self.datacollector.collect(self)

    def demand(self, start: float) -> int:
        """Open the new cases of the day from ``start`` (DESIGN.md §2 step 1): Poisson arrivals per
        case type, each from a uniformly drawn applicant of its kind, at a uniform time in the
        day; return how many."""
        poisson = self.rng.poisson  # one scalar call per type: 8x cheaper than the array call
        counts = [poisson(rate) for rate in self._rate_of_plan]
        total = sum(counts)
        uniforms = self.rng.random(2 * total)
        counts = np.array(counts, dtype=np.int64)
        self.journeys.open_many(start, counts, uniforms)
        # the engines' applicant rule (``Journeys.open_many``), for the waiting ledger
        kind = np.repeat(self._kind_of_plan, counts)
        applicant = (uniforms[total:] * self._applicants_of_kind[kind]).astype(np.int64)
        self.waiting.open(kind, applicant, start + uniforms[:total])
        return total

    def run_out(self) -> EndState:
        """End the run: follow the cases that arrived before now to completion (no censoring;
        ``model.runout.run_out``). Returns ``at_end``."""
        if self.at_end is None:
            self.at_end = run_out(self)
        return self.at_end
