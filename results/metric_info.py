"""What each run metric means: definition, unit, family and kind, as data (for tables and reports).

``METRICS`` describes the top-level numbers of a run summary (``model.metrics.summarise``). The
*kind* decides how a change is reported: a ``share`` (a proportion in [0, 1]) changes in
percentage points; a ``level`` (non-negative) and a ``signed`` quantity change absolutely and
relatively. The *family* is the group within which p-values are adjusted for multiplicity
(Holm). Metrics not listed here are described by ``info(name)`` from their name (a ``share`` if
the name says share or rate, otherwise a level in the family ``other``), so a metric added to
the model is still reported, just with a plainer definition.

Design properties — metrics fixed by the levers and the case mix (procedures and materials per
case, cost per year, incidents when arrivals do not depend on the scenario) — are reported
without p-values; their list lives with the model (``model.metrics.DESIGN_PROPERTIES``) and is
read by ``design_properties()``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["share", "level", "signed"]


@dataclass(frozen=True)
class MetricInfo:
    """One metric's meaning."""

    definition: str
    unit: str
    family: str
    kind: Kind = "level"

    @property
    def nonnegative(self) -> bool:
        """True when the quantity cannot be below zero (axes start at 0)."""
        return self.kind != "signed"


W = "cases arriving in the delay window"  # the population of every per-case metric


def _m(definition: str, unit: str, family: str, kind: Kind = "level") -> MetricInfo:
    return MetricInfo(definition, unit, family, kind)


METRICS: dict[str, MetricInfo] = {
    # delay (per case, from arrival to completion)
    "delay_mean_days": _m(f"mean time from arrival to completion, {W}", "working days", "delay"),
    "delay_p50_days": _m(f"median delay, {W}", "working days", "delay"),
    "delay_p90_days": _m(f"90th percentile of delay, {W}", "working days", "delay"),
    "delay_p99_days": _m(f"99th percentile of delay, {W}", "working days", "delay"),
    "wait_days_mean": _m(f"mean time queued at counters and offices, {W}", "working days", "delay"),
    "service_days_mean": _m(f"mean time in service, {W}", "working days", "delay"),
    "handoff_days_mean": _m(f"mean time in hand-offs, {W}", "working days", "delay"),
    "travel_days_mean": _m(f"mean travel time, {W}", "working days", "delay"),
    "rework_days_mean": _m(f"mean time lost to returns for papers, {W}", "working days", "delay"),
    "business_registration_days_mean": _m(
        f"mean delay of business registrations, {W}", "working days", "delay"
    ),
    # burden
    "trips_per_case": _m(f"physical visits per case, {W}", "trips per case", "burden"),
    "share_at_most_one_trip": _m(f"share of cases with ≤ 1 trip, {W}", "share", "burden", "share"),
    "share_zero_trips": _m(f"share of cases with no trip, {W}", "share", "burden", "share"),
    "documents_submitted_per_case": _m(f"documents handed in per case, {W}", "per case", "burden"),
    "documents_resubmitted_per_case": _m(
        f"documents handed in again (missing or wrong) per case, {W}", "per case", "burden"
    ),
    "handoffs_per_case": _m(f"hand-offs between departments per case, {W}", "per case", "burden"),
    "offices_per_case": _m(f"distinct offices touched per case, {W}", "per case", "burden"),
    "returns_per_case": _m(f"return trips for missing papers per case, {W}", "per case", "burden"),
    "hub_retrievals_per_case": _m(
        f"documents fetched from the data hub per case, {W}", "per case", "burden"
    ),
    "online_share": _m(f"share of cases filed online, {W}", "share", "burden", "share"),
    "refused_share": _m(
        f"share of cases refused (cross-district, home only), {W}", "share", "burden", "share"
    ),
    "refusals": _m("cases refused over the run", "count", "burden"),
    # capacity
    "utilisation_mean": _m(
        "busy staff time / staff time, departments", "share", "capacity", "share"
    ),
    "cases_completed": _m(f"{W} that completed", "count", "capacity"),
    "cases_opened": _m("cases opened over the run", "count", "capacity"),
    "cases_open_at_end": _m("cases still open when the run stops", "count", "capacity"),
    "abandoned_cases": _m(
        f"{W} given up by their applicant (after civic.patience_days)",
        "count",
        "capacity",
    ),
    "abandonment_share": _m(
        f"share of the {W} given up by their applicant by the last day",
        "share",
        "capacity",
        "share",
    ),
    "reallocations": _m("staff reallocations by needs sensing", "count", "capacity"),
    # civic
    "participation_rate": _m(
        "share of residents participating, mean over days after the warm-up",
        "share",
        "civic",
        "share",
    ),
    "participation_rate_final": _m(
        "share of residents participating, last day", "share", "civic", "share"
    ),
    "trust_mean": _m("mean resident trust, mean over days after the warm-up", "score 0–1", "civic"),
    "trust_mean_final": _m("mean resident trust, last day", "score 0–1", "civic"),
    "trust_sd_final": _m("standard deviation of resident trust, last day", "score 0–1", "civic"),
    "satisfaction_mean": _m(f"mean satisfaction with the case, {W}", "score 0–1", "civic"),
    "participation_drift_per_100_days": _m(
        "slope of the participation rate over the run's last quarter (diagnostic)",
        "share per 100 days",
        "diagnostic",
        "signed",
    ),
    "trust_drift_per_100_days": _m(
        "slope of mean resident trust over the run's last quarter (diagnostic)",
        "score per 100 days",
        "diagnostic",
        "signed",
    ),
    "efficacy_mean_final": _m("mean resident political efficacy, last day", "score 0–1", "civic"),
    "requests": _m(
        "requests and complaints reaching the response office after the warm-up", "count", "civic"
    ),
    "requests_per_resident_per_year": _m(
        "requests and complaints at the response office per resident a year",
        "per resident-year",
        "civic",
    ),
    "complaints": _m(
        "complaints of dissatisfied applicants after the warm-up (part of requests)",
        "count",
        "civic",
    ),
    "response_rate": _m(
        "share of requests whose handling started within the deadline (response office)",
        "share",
        "civic",
        "share",
    ),
    "office_backlog_days_final": _m(
        "work the response office has taken on beyond the last day, mean over handlers",
        "working days",
        "civic",
    ),
    "community_resolution_share": _m(
        "share of requests resolved by communities", "share", "civic", "share"
    ),
    "coproduction_share": _m("co-produced staff-days / staff-days", "share", "civic", "share"),
    "coproducer_share": _m(
        "share of enterprises and social organisations co-producing, mean over days",
        "share",
        "civic",
        "share",
    ),
    "enterprise_participation_rate_final": _m(
        "share of enterprises participating, last day", "share", "civic", "share"
    ),
    "enterprise_trust_mean": _m(
        "mean trust of the firms, mean over days after the warm-up", "score 0–1", "civic"
    ),
    "enterprise_trust_mean_final": _m("mean enterprise trust, last day", "score 0–1", "civic"),
    "enterprise_trust_drift_per_100_days": _m(
        "slope of the firms' mean trust over the run's last quarter (diagnostic)",
        "score per 100 days",
        "diagnostic",
        "signed",
    ),
    # equity
    "delay_gap_digital": _m(
        "mean delay, low minus high digital skill, within case type",
        "working days",
        "equity",
        "signed",
    ),
    "delay_gap_digital_raw": _m(
        "mean delay, low minus high digital skill (case mix included)",
        "working days",
        "equity",
        "signed",
    ),
    "delay_gap_districts": _m(
        "largest minus smallest district mean delay", "working days", "equity"
    ),
    "delay_gini_districts": _m("Gini of district mean delays", "Gini 0–1", "equity"),
    "trips_gap_digital": _m(
        "trips per case, low minus high digital skill, within case type",
        "trips",
        "equity",
        "signed",
    ),
    "trips_gini_districts": _m("Gini of district mean trips", "Gini 0–1", "equity"),
    # design (properties of the scenario, not tested: model.metrics.DESIGN_PROPERTIES)
    "procedures_per_case": _m(
        "counter contacts + back-office tasks of a case's route, mean over window cases",
        "procedures per case",
        "design",
    ),
    "materials_per_case": _m(
        "distinct documents a case requires from outside itself, mean over window cases",
        "documents per case",
        "design",
    ),
    "staff_total": _m("initial servers of all counters, back offices and desks", "count", "design"),
    # the reform's cost (scenarios/costs.py; prices assumed, scenarios/lever_costs.toml)
    "cost_per_year": _m(
        "yearly cost above the silo: running costs, staff-budget raise, build over 5 years",
        "yuan/year",
        "design",
    ),
    "cost_build_yuan": _m("one-off build cost, staff time at the stated rate", "yuan", "design"),
    "staff_needed": _m("yearly staff the levers need", "staff-equivalents", "design"),
    "staff_budget_raise": _m("raise of the staff budget paid for", "staff-equivalents", "design"),
    "staff_withdrawn": _m("servers the levers took from the departments", "servers", "design"),
    "district_days_switched_share": _m(
        "share of the delay window's district-days under levers a schedule or a trigger changed",
        "share",
        "design",
        "share",
    ),
    # risk
    "privacy_incidents": _m(f"privacy incidents of {W}", "count", "risk"),
    "privacy_incidents_per_10k_residents_per_year": _m(
        "privacy incidents after the warm-up per 10^4 residents a year",
        "per 10^4 resident-years",
        "risk",
    ),
    "privacy_trust_lost_per_resident": _m(
        "residents' trust lost to privacy incidents (victims, neighbours, publicity) after the "
        "warm-up, per resident",
        "score 0–1",
        "risk",
    ),
    "privacy_incidents_per_10k_cases": _m(
        f"privacy incidents per 10^4 {W}", "per 10^4 cases", "risk"
    ),
}

SHARE_WORDS = ("share", "rate", "utilisation")


def info(name: str) -> MetricInfo:
    """The metric's meaning: from ``METRICS``, else guessed from its name (family ``other``)."""
    if name in METRICS:
        return METRICS[name]
    base = name.rsplit(".", 1)[-1]
    if base in METRICS:
        known = METRICS[base]
        return MetricInfo(f"{known.definition} ({name})", known.unit, known.family, known.kind)
    if any(word in base for word in SHARE_WORDS):
        return MetricInfo(name.replace("_", " "), "share", "other", "share")
    unit = "working days" if base.endswith("_days") or "_days_" in base else "—"
    kind: Kind = "signed" if "gap" in base or "drift" in base or "slope" in base else "level"
    return MetricInfo(name.replace("_", " "), unit, "other", kind)


def is_share(name: str, values=None) -> bool:
    """A proportion in [0, 1]: its changes are in percentage points. With ``values``, they must
    also all lie in [0, 1] (a 'rate' that is not a proportion is not a share)."""
    if info(name).kind != "share":
        return False
    if values is None:
        return True
    import numpy as np

    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    return bool(((data >= 0) & (data <= 1)).all())


def design_properties() -> tuple[str, ...]:
    """Metrics that are properties of the reform's design, never tested for significance
    (``model.metrics.DESIGN_PROPERTIES`` when the model defines it, else none)."""
    try:
        module = importlib.import_module("govlab.model.metrics")
    except ImportError:  # pragma: no cover - the model is always installed with results
        return ()
    return tuple(getattr(module, "DESIGN_PROPERTIES", ()))
