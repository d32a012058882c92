"""Service and civic metrics computed from completed-case records and model state (no I/O).

``case_table`` gives the completed-case records as columns; ``summarise`` gives the run's
service metrics (DESIGN.md §2 "Metrics"), overall, by case type and by channel, then the civic
metrics (participation, trust, satisfaction, responses, co-production, privacy) and equity
(``model.equity``). Means over days and cases leave out the warm-up.

``DESIGN_PROPERTIES`` names the metrics that describe a scenario's design rather than an outcome
of the simulation (like the official "steps −41%" of a reform): they are reported, overall and by
case type, but must not be tested for significance (a difference between two designs is known,
not estimated).

The delay window is the cases that arrive in ``[warmup_days, days)``. After
``GovernanceModel.run_out`` each of them has been followed to completion, so the service metrics
are not censored; the civic metrics, equity, utilisation and the engine's counters are those at
the end of the last day (``model.at_end``), the run-out only completing delays.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import numpy as np

from govlab.model.equity import equity_metrics, resident_groups
from govlab.model.population import FIRM
from govlab.model.records import CaseRecords
from govlab.scenarios.costs import COST_PROPERTIES, cost_in_force, cost_report

PERCENTILES = (50, 90, 99)

# Design properties (see the module docstring): report, never test.
#  procedures_per_case — counter contacts (one per step with counter time; one at the front desk)
#      plus back-office tasks (one per step with back-office time) of the case's plan, after
#      bundling; mean over the cases;
#  materials_per_case — distinct documents the case requires from outside itself (applicant
#      papers and government documents, fetched from the hub or not), after exemption; mean;
#  staff_total — initial servers of all counters, back offices and desks; count.
# Civic quantities fixed by the levers and the case mix alone (arrivals do not depend on the
# scenario); every other civic metric moves with service performance
# (tests/model/test_civic_outcomes.py):
#  privacy_incidents_per_10k_cases — retrievals per case × p·(1 − protection);
#  privacy_incidents_per_10k_residents_per_year — the same, times the case rate; privacy_incidents
#      — their count;
#  privacy_trust_lost_per_resident — those incidents × the trust cost per incident;
#  reallocations — days / adjust_every_days when sensing is on.
#  cost_per_year, cost_build_yuan, staff_needed, staff_budget_raise, staff_withdrawn — what the
#      reform costs (scenarios.costs.COST_PROPERTIES, issue 14); with a schedule or triggers,
#      cost_per_year is averaged over the delay window's days under the levers then in force
#      (an outcome when triggers decide it; the others are the scenario's own levers');
#  district_days_switched_share — share of the window's district-days under levers a schedule or
#      a trigger changed (0 without them).
DESIGN_PROPERTIES = (
    "procedures_per_case",
    "materials_per_case",
    "staff_total",
    "privacy_incidents_per_10k_cases",
    "privacy_incidents_per_10k_residents_per_year",
    "privacy_incidents",
    "privacy_trust_lost_per_resident",
    "reallocations",
    *COST_PROPERTIES,
    "district_days_switched_share",
)
DRIFT_WINDOW = 0.25  # the drift diagnostic fits the last quarter of the run


def case_table(records: CaseRecords | Iterable[tuple]) -> dict[str, np.ndarray]:
    """Completed cases as columns, one array per field of ``RECORD_FIELDS`` plus ``delay_days``
    (from an engine's ``records``, or from tuples in ``RECORD_FIELDS`` order)."""
    if not isinstance(records, CaseRecords):
        records = CaseRecords.from_rows(records)
    return records.table()


def _mean(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if len(values) else None


def daily_summary(table: dict[str, np.ndarray]) -> dict[str, float | int | None]:
    """Completions, mean delay and trips of one day's completed cases (a ``case_table``)."""
    n = len(table["delay_days"])
    if not n:
        return {"completions": 0, "delay_mean_days": math.nan, "trips_per_case": math.nan}
    return {
        "completions": n,
        "delay_mean_days": float(table["delay_days"].mean()),
        "trips_per_case": float(table["trips"].mean()),
    }


def service_metrics(table: dict[str, np.ndarray]) -> dict[str, Any]:
    """Delay percentiles and the burden of the given cases (all arrays of equal length)."""
    delay = table["delay_days"]
    n = len(delay)
    result: dict[str, Any] = {"cases_completed": n}
    result["delay_mean_days"] = _mean(delay)
    for p in PERCENTILES:
        result[f"delay_p{p}_days"] = float(np.percentile(delay, p)) if n else None
    for part in ("wait", "service", "handoff", "travel", "rework"):
        result[f"{part}_days_mean"] = _mean(table[f"{part}_days"])
    trips = table["trips"]
    result["trips_per_case"] = _mean(trips)
    result["share_at_most_one_trip"] = _mean(trips <= 1)
    result["share_zero_trips"] = _mean(trips == 0)
    result["documents_submitted_per_case"] = _mean(table["documents_submitted"])
    result["documents_resubmitted_per_case"] = _mean(table["documents_resubmitted"])
    result["handoffs_per_case"] = _mean(table["handoffs"])
    result["offices_per_case"] = _mean(table["offices"])
    result["returns_per_case"] = _mean(table["returns"])
    result["hub_retrievals_per_case"] = _mean(table["hub_retrievals"])
    result["online_share"] = _mean(table["online"])
    result["refused_share"] = _mean(table["refused"])
    return result


def _subset(table: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {name: column[mask] for name, column in table.items()}


def summarise(model) -> dict[str, Any]:
    """The run's service metrics over the delay window (cases arriving in ``[warmup_days, days)``,
    complete after ``run_out``), by case type and channel, then the civic metrics at ``days``."""
    table = case_table(model.journeys.records)
    end = _end_state(model)
    arrival = table["arrival_day"]
    window = (arrival >= model.config.world.warmup_days) & (arrival < end["window_end_day"])
    kept = _subset(table, window)
    summary = service_metrics(kept)
    names = [plan.name for plan in model.plans]
    by_type = {
        name: service_metrics(_subset(kept, kept["case_type"] == index))
        for index, name in enumerate(names)
    }
    summary["business_registration_days_mean"] = by_type.get("business_registration", {}).get(
        "delay_mean_days"
    )
    summary.update(design_properties(model, kept, by_type))
    summary["by_case_type"] = by_type
    summary["by_channel"] = {
        "online": service_metrics(_subset(kept, kept["online"].astype(bool))),
        "in_person": service_metrics(_subset(kept, ~kept["online"].astype(bool))),
    }
    departments = [d for d in model.departments if d.staff]
    index = {id(station): i for i, station in enumerate(model.stations)}
    area_busy = end["area_busy"]
    busy = sum(area_busy[index[id(s)]] for d in departments for s in d.stations)
    staff_days = sum(d.staff for d in departments) * max(model.steps, 1)
    summary["utilisation_mean"] = busy / staff_days if staff_days else None
    summary["cases_opened"] = end["opened"]
    summary["cases_open_at_end"] = end["open_cases"]
    summary["refusals"] = end["refusals"]
    summary["runout_days"] = end["runout_days"]
    summary["runout_open_cases"] = end["runout_open_cases"]
    abandoned, opened = model.waiting.abandoned_between(
        model.config.world.warmup_days, end["window_end_day"]
    )
    summary["abandoned_cases"] = abandoned
    summary["abandonment_share"] = _ratio(abandoned, opened)
    summary.update(civic_metrics(model, table, end["records"], window))
    summary["reallocations"] = end["reallocations"]
    summary.update(cost_report(model.config))  # what the reform costs (design properties)
    summary.update(levers_in_force(model, end["window_end_day"]))
    return summary


def levers_in_force(model, window_end_day: float) -> dict[str, float]:
    """When levers changed during the run (``[[schedule]]``, ``[[trigger]]``, ``reform``): the
    yearly cost averaged over the delay window's days under the levers then in force
    (``cost_in_force``), and the share of its district-days under levers other than the
    scenario's own (levers and re-engineering)."""
    scenario = model.config
    spells = model.levers_in_force.spells(scenario.world.warmup_days, window_end_day)
    days = sum(length for _, length in spells)
    if len(model.levers_in_force.history) == 1 or not days:  # the levers never changed
        return {"district_days_switched_share": 0.0}
    cost = sum(cost_in_force(scenario, list(levers)) * length for levers, length in spells)
    own = model.levers_in_force.timeline.levers[0]
    switched = sum(
        sum(district != own for district in levers) * length for levers, length in spells
    )
    return {
        "cost_per_year": cost / days,
        "district_days_switched_share": switched / (days * scenario.world.districts),
    }


def design_properties(model, kept: dict[str, np.ndarray], by_type: dict[str, dict]) -> dict:
    """The ``DESIGN_PROPERTIES`` of the run (overall); by case type into ``by_type``."""
    # by rule set, then type (a rule set's desk: its home district's lever, the serving one's
    # under cross-district service)
    states = model.levers_in_force.states
    plans = [(rules.plans, state.levers.front_desk)
             for rules, state in zip(model.journeys.rule_sets, states, strict=True)]  # fmt: skip
    tables = {
        "procedures_per_case": np.array(
            [[p.procedures(desk) for p in ps] for ps, desk in plans], float
        ),
        "materials_per_case": np.array([[p.materials for p in ps] for ps, _ in plans], float),
    }
    types = kept["case_type"]
    per_case = {name: table[kept["rule_set"], types] for name, table in tables.items()}
    for plan in model.plans:  # a type's mean over its cases (its plan's when none is kept)
        of_type = types == plan.index
        for name, table in tables.items():
            values = per_case[name][of_type]
            by_type[plan.name][name] = _mean(values) if len(values) else float(table[0, plan.index])
    return {
        **{name: _mean(values) for name, values in per_case.items()},
        "staff_total": int(sum(model.layout.staff())),
    }


def _end_state(model) -> dict[str, Any]:
    """The state at the end of the last day: ``model.at_end`` after a run-out, else now."""
    if model.at_end is not None:
        return asdict(model.at_end)
    journeys = model.journeys
    return {
        "window_end_day": float(model.steps),
        "records": len(journeys.records),
        "opened": journeys.opened,
        "open_cases": journeys.open_cases,
        "refusals": journeys.refusals,
        "area_busy": [station.area_busy for station in model.stations],
        "reallocations": model.sensing.reallocations,
        "runout_days": 0,
        "runout_open_cases": None,  # no run-out: delays of open cases are censored
    }


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> float | None:
    return scale * numerator / denominator if denominator else None


def drift_per_100_days(series: np.ndarray) -> float | None:
    """Least-squares slope of a daily series over its last quarter; change per 100 days."""
    tail = np.asarray(series[-max(int(len(series) * DRIFT_WINDOW), 0) :], dtype=float)
    if len(tail) < 3:
        return None
    return 100.0 * float(np.polyfit(np.arange(len(tail)), tail, 1)[0])


def firm_trust_mean(rows) -> float:
    """Mean trust of the firms among the enterprise table's rows (social organisations left out,
    as in ``enterprise_trust_mean_final``); nan without firms."""
    firm = rows.kind == FIRM
    return float(rows.trust[firm].mean()) if firm.any() else math.nan


def civic_metrics(
    model, table: dict[str, np.ndarray], at_end: int, window: np.ndarray
) -> dict[str, Any]:
    """Participation, trust, satisfaction, responses, co-production, privacy and equity.

    ``table`` holds every completed case, the first ``at_end`` of them completed by the last day:
    the civic metrics read those (arriving after the warm-up); equity compares the delays and
    trips of the delay window (``window``, a mask over ``table``), each case's satisfaction
    counting if it completed by the last day.
    """
    world = model.config.world
    warmup = world.warmup_days
    satisfaction_all = np.full(len(window), np.nan)
    satisfaction_all[:at_end] = model.evaluation.satisfaction_of_records()
    window_table = {name: column[window] for name, column in table.items()}
    table = {name: column[:at_end] for name, column in table.items()}
    kept = table["arrival_day"] >= warmup
    series = model.civic_series
    empty = model.population.size == 0  # no residents: no resident series to report
    participation = np.asarray([] if empty else series["participation_rate"])
    trust = np.asarray([] if empty else series["trust_mean"])
    after = slice(min(warmup, max(len(participation) - 1, 0)), None)
    rows = model.enterprise_table
    firm = rows.kind == FIRM
    firm_trust = np.asarray(series["enterprise_trust_mean"] if firm.any() else [])
    firm_after = slice(min(warmup, max(len(firm_trust) - 1, 0)), None)
    satisfaction = model.evaluation.satisfaction_of_records()
    incidents = model.privacy.incidents_of_records()
    voice, office, staffing, residents = model.voice, model.office, model.staffing, model.population
    years = max(model.steps - warmup, 0) / world.working_days_per_year
    resident_years = residents.size * years
    result: dict[str, Any] = {
        "participation_rate": _mean(participation[after]),
        "participation_rate_final": float(participation[-1]) if len(participation) else None,
        "participation_drift_per_100_days": drift_per_100_days(participation),
        "trust_mean": _mean(trust[after]),
        "trust_mean_final": float(trust[-1]) if len(trust) else None,
        "trust_drift_per_100_days": drift_per_100_days(trust),
        "trust_sd_final": float(np.std(residents.trust)) if residents.size else None,
        "efficacy_mean_final": _mean(residents.efficacy),
        "satisfaction_mean": _mean(satisfaction[kept]),
        "requests": office.submitted,
        "requests_per_resident_per_year": _ratio(office.submitted, resident_years),
        "complaints": voice.complaints,
        "response_rate": office.response_rate,
        "office_backlog_days_final": office.backlog_days(float(model.steps)),
        "community_resolution_share": _ratio(voice.resolved_by_community, office.submitted),
        "coproduction_share": _ratio(staffing.extra_days, staffing.staff_days),
        "coproducer_share": _ratio(
            model.coproduction.coproducer_days, rows.size * max(model.steps, 1)
        ),
        "enterprise_participation_rate_final": _mean(rows.participating[firm]),
        "enterprise_trust_mean": _mean(firm_trust[firm_after]),
        "enterprise_trust_mean_final": _mean(rows.trust[firm]),
        "enterprise_trust_drift_per_100_days": drift_per_100_days(firm_trust),
        "privacy_incidents": int(incidents[kept].sum()),
        "privacy_incidents_per_10k_residents_per_year": _ratio(
            model.privacy.incidents, resident_years, 1e4
        ),
        "privacy_incidents_per_10k_cases": _ratio(float(incidents[kept].sum()), kept.sum(), 1e4),
        "privacy_trust_lost_per_resident": _ratio(
            model.privacy.resident_trust_lost, residents.size
        ),
        "reallocations": model.sensing.reallocations,
    }
    threshold = world.digital_skill_threshold
    skill = _applicant_skill(window_table, residents.digital_skill, model.enterprise_skill)
    result.update(
        equity_metrics(
            window_table["delay_days"],
            window_table["trips"],
            satisfaction_all[window],
            window_table["home_district"],
            skill < threshold,
            window_table["case_type"],
            world.districts,
        )
    )
    result["residents_by_group"] = resident_groups(
        residents.district,
        residents.digital_skill < threshold,
        residents.trust,
        residents.participating,
        model.config.world.districts,
    )
    return result


def _applicant_skill(
    table: dict[str, np.ndarray], resident_skill: np.ndarray, enterprise_skill: np.ndarray
) -> np.ndarray:
    """Digital skill of each case's applicant (resident or enterprise)."""
    skill = np.zeros(len(table["applicant"]), dtype=np.float32)
    rows = table["applicant"].astype(np.int64)
    for kind, column in ((0, resident_skill), (1, enterprise_skill)):
        mask = table["applicant_kind"] == kind
        skill[mask] = column[rows[mask]]
    return skill
