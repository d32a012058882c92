"""What a reform costs: the lever cost table, the staff budget and ``cost_per_year`` (issue 14 §1).

Each lever has a one-off (build) and a yearly (run) cost per unit above the default organisation
(``Levers()`` — the silo, which today's budget already pays for), in staff-equivalents and in yuan;
the defaults are data in ``scenarios/lever_costs.toml`` (all marked assumed there). A unit is 1 for
a switch, one level of platform openness, the whole 0 → 1 range of a share.

Staff are simulated, not only priced: the levers' yearly staff need comes out of the service
staff budget (``model.staff_budget`` withdraws the servers) unless the scenario raises the budget.
``staff_funded_share`` (default 1) is the share of the need paid by a raise of the budget: at 1
the service keeps its staff and the raise is charged; below 1 the unpaid staff are withdrawn
from the departments' servers (rounded to whole servers). ``cost_per_year`` charges

    yearly non-staff costs + raise × yuan_per_staff_year
    + (build yuan + build staff-years × yuan_per_staff_year) / amortisation_years

Cost is a property of the reform's design, a closed-form function of the levers: reported beside
the outcomes, never tested for significance (``COST_PROPERTIES``).
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from govlab.scenarios.fields import STRICT

LEVER_COSTS = Path(__file__).with_name("lever_costs.toml")

# Levers that are switches: the value that costs one unit.
SWITCHES: dict[str, Any] = {
    "front_desk": True,
    "approval": "parallel",
    "handoff": "electronic",
    "cross_district": "anywhere",
}
# Levers measured in levels or shares: cost per unit above the default.
GRADED = (
    "online_coverage",
    "sensing_quality",
    "transparency",
    "platform_openness",
    "coproduction",
    "privacy_protection",
    "data_sharing",
)
# Process re-engineering (``[reengineering]``): units from ``reengineering_units``.
REENGINEERING = ("bundling", "exemption", "time_limit")
# The response office (``[response_office]``, issue 12): one unit is one handler above the default
# office's (``office_units``). The default office's handlers are the silo's, paid by today's budget
# (moved from the back offices when ``from_staff_budget``); the extra handlers are a staff need
# like any lever's, funded by a raise or withdrawn from the departments.
PRICED = (*SWITCHES, "capacity_policy", *GRADED, *REENGINEERING, "response_office")

# Design properties of a run's summary (name -> unit and meaning): reported, never compared with
# p-values (DESIGN.md §2: a closed-form function of the levers is a parameter, not an outcome).
COST_PROPERTIES: dict[str, str] = {
    "cost_per_year": "yuan/year; yearly cost of the reform above the default organisation "
    "(running costs, staff-budget raise, build costs over the amortisation period)",
    "cost_build_yuan": "yuan; one-off build cost (purchase and staff time at the stated rate)",
    "staff_needed": "staff-equivalents; yearly staff the levers need",
    "staff_budget_raise": "staff-equivalents; raise of the staff budget the scenario pays for",
    "staff_withdrawn": "servers; staff the levers took from the departments (need above raise)",
}


class LeverCost(BaseModel):
    """The cost of one unit of one lever."""

    model_config = STRICT

    per: Literal["city", "district"] = Field("city", description="one unit per city or district")
    build_yuan: float = Field(0.0, ge=0.0, le=1e12, description="one-off purchase; yuan")
    build_staff_years: float = Field(
        0.0, ge=0.0, le=1e5, description="one-off staff time to set up; staff-years"
    )
    staff: float = Field(0.0, ge=0.0, le=1e5, description="yearly staff need; staff-equivalents")
    yuan_per_year: float = Field(0.0, ge=0.0, le=1e12, description="yearly running; yuan/year")
    source: str = Field("assumed", description="where the numbers come from, or 'assumed'")


@cache
def _default_table() -> dict[str, Any]:
    with LEVER_COSTS.open("rb") as handle:
        return tomllib.load(handle)


def _default_levers() -> dict[str, LeverCost]:
    return {name: LeverCost(**values) for name, values in _default_table().items()}


class Costs(BaseModel):
    """The cost side of a scenario: lever prices, the staff rate and the staff budget raise."""

    model_config = STRICT

    levers: dict[str, LeverCost] = Field(
        default_factory=_default_levers, description="cost per unit of each lever"
    )
    yuan_per_staff_year: float = Field(
        150_000.0,
        ge=0.0,
        le=1e8,
        description="cost of one staff-equivalent for a year, wages and on-costs (assumed); yuan",
    )
    amortisation_years: float = Field(
        5.0, gt=0.0, le=100.0, description="years over which build costs are spread; years"
    )
    staff_funded_share: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="share (0-1) of the levers' staff need paid by raising the staff budget; "
        "the rest is withdrawn from the departments' servers",
    )

    @model_validator(mode="after")
    def _known(self) -> Costs:
        unknown = sorted(set(self.levers) - set(PRICED))
        if unknown:
            raise ValueError(f"levers: no lever {unknown}; priced levers are {list(PRICED)}")
        return self


def lever_units(levers) -> dict[str, float]:
    """Units of each priced lever above the default organisation (0 at the silo defaults)."""
    defaults = type(levers).model_fields
    units = {name: float(getattr(levers, name) == on) for name, on in SWITCHES.items()}
    units["capacity_policy"] = float(levers.capacity_policy != "static")
    for name in GRADED:
        units[name] = max(float(getattr(levers, name)) - float(defaults[name].default), 0.0)
    return units


def reengineering_units(scenario) -> dict[str, float]:
    """Units of the re-engineering levers: services bundled, share of documents exempted, share
    cut from back-office times."""
    levers = scenario.reengineering
    bundled = len(scenario.services) if levers.bundle_all else len(set(levers.bundle_services))
    exempted = levers.exemption_share + len(set(levers.exempt_documents)) / max(
        len(scenario.documents), 1
    )
    return {
        "bundling": float(bundled),
        "exemption": min(exempted, 1.0),
        "time_limit": float(levers.backoffice_time_cut),
    }


def default_office_handlers(scenario) -> float:
    """Handlers of the default organisation's response office in this city; staff-equivalents."""
    per_10k = type(scenario.response_office).model_fields["staff_per_10k_residents"].default
    return per_10k * scenario.world.residents / 10_000


def office_units(scenario) -> float:
    """Handlers of the response office above the default office's (0 at or below it)."""
    handlers = scenario.response_office.staff_per_10k_residents * scenario.world.residents / 1e4
    return max(handlers - default_office_handlers(scenario), 0.0)


def time_limit_staff(scenario, extra_by_district: list[int] | None = None) -> float:
    """Extra back-office servers the committed time limit adds (every department, simulated):
    the scenario's own, or ``extra_by_district[d]`` in each department of district d and the
    largest in each city-level one (``model.staffing.Staffing.hire``)."""
    if extra_by_district is None:
        extra_by_district = [scenario.reengineering.extra_backoffice_staff] * (
            scenario.world.districts
        )
    city = sum(f.level == "city" for f in scenario.functions.values())
    per_district = len(scenario.functions) - city
    return float(per_district * sum(extra_by_district) + city * max(extra_by_district, default=0))


def priced_units(scenario) -> dict[str, float]:
    """Units of every priced lever of ``scenario`` (``PRICED``): the levers, re-engineering and
    the response office's extra handlers."""
    return {
        **lever_units(scenario.levers),
        **reengineering_units(scenario),
        "response_office": office_units(scenario),
    }


def itemised(scenario, units: dict[str, float] | None = None) -> dict[str, dict[str, float]]:
    """Per lever: units, build yuan, build staff-years, yearly staff and yearly yuan (of the
    ``units`` given, by default the scenario's own, ``priced_units``)."""
    costs: Costs = scenario.costs
    districts = scenario.world.districts
    rows: dict[str, dict[str, float]] = {}
    for name, amount in (units or priced_units(scenario)).items():
        price = costs.levers.get(name, LeverCost())
        scale = amount * (districts if price.per == "district" else 1)
        rows[name] = {
            "units": amount,
            "build_yuan": scale * price.build_yuan,
            "build_staff_years": scale * price.build_staff_years,
            "staff": scale * price.staff,
            "yuan_per_year": scale * price.yuan_per_year,
        }
    return rows


def staff_plan(scenario) -> tuple[float, float, int]:
    """The levers' staff need, the budget raise (both staff-equivalents) and the servers the
    departments lose (the need above the raise, rounded to whole servers). The need includes
    the servers a committed time limit adds to every department."""
    need = sum(row["staff"] for row in itemised(scenario).values()) + time_limit_staff(scenario)
    raised = need * scenario.costs.staff_funded_share
    return need, raised, max(math.floor(need - raised + 0.5), 0)


def _per_year(costs: Costs, rows, raised: float) -> tuple[float, float]:
    """The yearly cost (running, staff raise, build amortised) and the build cost of ``rows``."""
    rate = costs.yuan_per_staff_year
    build = sum(r["build_yuan"] + r["build_staff_years"] * rate for r in rows)
    running = sum(r["yuan_per_year"] for r in rows)
    return running + raised * rate + build / costs.amortisation_years, build


def cost_report(scenario) -> dict[str, float]:
    """The run summary's cost properties (``COST_PROPERTIES``) of a scenario."""
    need, raised, withdrawn = staff_plan(scenario)
    per_year, build = _per_year(scenario.costs, itemised(scenario).values(), raised)
    return {
        "cost_per_year": per_year,
        "cost_build_yuan": build,
        "staff_needed": need,
        "staff_budget_raise": raised,
        "staff_withdrawn": float(withdrawn),
    }


def cost_in_force(scenario, district_states: list) -> float:
    """The yearly cost while each district is under its own levers and re-engineering
    (``scenarios.schedule.InForce``; ``[[schedule]]``, ``[[trigger]]``; yuan/year): a lever
    priced per district counts the districts that have it, one priced for the city counts once
    when any district has it (a pilot builds the data hub). The staff a lever needs beyond the
    scenario's own levers is hired in full (a lever switched on mid-run takes no servers from the
    departments in the model)."""
    units = priced_units(scenario)
    by_district = [
        {
            **lever_units(state.levers),
            **reengineering_units(
                scenario.model_copy(update={"reengineering": state.reengineering})
            ),
        }
        for state in district_states
    ]
    for name in by_district[0]:
        values = [row[name] for row in by_district]
        price = scenario.costs.levers.get(name, LeverCost())
        units[name] = sum(values) / len(values) if price.per == "district" else max(values)
    rows = itemised(scenario, units)
    base_need, base_raised, _ = staff_plan(scenario)
    extra = [state.reengineering.extra_backoffice_staff for state in district_states]
    need = sum(row["staff"] for row in rows.values()) + time_limit_staff(scenario, extra)
    return _per_year(scenario.costs, rows.values(), base_raised + max(need - base_need, 0.0))[0]


def scaled_prices(costs: Costs, factor: float, only: str | None = None) -> Costs:
    """The cost table with yuan prices (not staff quantities) times ``factor``: every lever, or
    ``only`` one lever, or ``only = "staff_rate"`` the yuan per staff-year."""
    if only == "staff_rate":
        return costs.model_copy(update={"yuan_per_staff_year": costs.yuan_per_staff_year * factor})
    levers = {
        name: price.model_copy(
            update={
                "build_yuan": price.build_yuan * factor,
                "yuan_per_year": price.yuan_per_year * factor,
            }
        )
        if only in (None, name)
        else price
        for name, price in costs.levers.items()
    }
    update: dict[str, Any] = {"levers": levers}
    if only is None:
        update["yuan_per_staff_year"] = costs.yuan_per_staff_year * factor
    return costs.model_copy(update=update)
