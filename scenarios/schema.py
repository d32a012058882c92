"""The scenario schema: every lever, world parameter and service definition, validated.

A scenario is frozen data. Each field has a type, a range, a unit in its description and a default,
so that a scenario file only states what differs from the default world (DESIGN.md §2, §5).
The sections are models of their own modules (``levers``, ``world``, ``civic``, ``services``,
``costs``, ``reengineering``; re-exported here); this module assembles them into ``Scenario`` and
checks what spans sections (references between them, the load a run can hold).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from govlab.scenarios.civic import Civic, ResponseOffice, read_thresholds
from govlab.scenarios.costs import Costs
from govlab.scenarios.fields import Frozen, Share, Utility
from govlab.scenarios.levers import Levers
from govlab.scenarios.reengineering import Reengineering, check_reengineering
from govlab.scenarios.routing import check_branches
from govlab.scenarios.schedule import ScheduleEntry, check_schedule
from govlab.scenarios.services import (
    SERVICE_CATALOGUE,
    CaseType,
    Document,
    Function,
    Step,
    catalogue_part,
    check_step_names,
)
from govlab.scenarios.triggers import Trigger, check_triggers
from govlab.scenarios.world import World

__all__ = [
    "MAX_ARRIVALS_PER_DAY",
    "SERVICE_CATALOGUE",
    "CaseType",
    "Civic",
    "Document",
    "Frozen",
    "Function",
    "Levers",
    "ResponseOffice",
    "Scenario",
    "Share",
    "Step",
    "Utility",
    "World",
    "read_thresholds",
]

# Expected service cases per working day beyond which a run cannot fit in memory in reasonable
# time (each case is a record); 10^7 residents at realistic rates make ~10^4.
MAX_ARRIVALS_PER_DAY = 1_000_000


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
        default_factory=catalogue_part("functions"),
        min_length=1,
        description="department functions by name",
    )
    documents: dict[str, Document] = Field(
        default_factory=catalogue_part("documents"), description="documents by name"
    )
    services: dict[str, CaseType] = Field(
        default_factory=catalogue_part("services"), min_length=1, description="case types by name"
    )
    reengineering: Reengineering = Field(
        default_factory=Reengineering, description="process re-engineering of the catalogue"
    )
    schedule: tuple[ScheduleEntry, ...] = Field(
        (),
        description="lever changes from a day, in some districts ([[schedule]], "
        "scenarios/schedule.py)",
        strict=False,  # a TOML array of tables is a list
    )
    trigger: tuple[Trigger, ...] = Field(
        (),
        description="adaptive policies: lever changes when a monitored metric crosses a threshold "
        "([[trigger]], scenarios/triggers.py)",
        strict=False,
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
            check_step_names(name, service)
            check_branches(name, service)
        check_reengineering(self)
        check_schedule(self)
        check_triggers(self)
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
        from govlab.scenarios.overrides import apply_overrides

        return apply_overrides(self, overrides)
