"""The process re-engineering section of a scenario (``[reengineering]``): its levers, validated.

Re-engineering (再造流程: 减环节、减材料、减时限) acts on the service catalogue only, never on the
metrics; ``model.reengineering`` applies it to the catalogue and ``model.routes`` bundles steps.
Kept apart from ``scenarios.schema`` so that it stays one concept.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from govlab.scenarios.fields import STRICT


class Reengineering(BaseModel):
    """Process re-engineering levers (减环节、减材料、减时限), acting on the service catalogue.

    Bundling (一件事一次办, 多证合一) merges the steps of one function in one case into one counter
    contact and one back-office task (their times add up) wherever the merge leaves the case's
    precedence graph without a cycle. Exemption (免证办) drops documents an applicant brings from
    outside the case from every requirement (documents issued inside the case keep their
    dependencies). A committed time limit cuts every back-office time by a share and needs extra
    back-office staff in every department, from the staff budget.
    """

    model_config = STRICT

    bundle_all: bool = Field(False, description="bundle same-function steps in every service")
    bundle_services: tuple[str, ...] = Field(
        (),
        description="services whose same-function steps are bundled (besides bundle_all)",
        strict=False,  # a TOML array is a list
    )
    exemption_share: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="share (0-1) of the government-issued document types exempted, the ones most "
        "often required across the catalogue first (rounded to whole documents)",
    )
    exempt_documents: tuple[str, ...] = Field(
        (),
        description="documents exempted by name (besides exemption_share)",
        strict=False,  # a TOML array is a list
    )
    backoffice_time_cut: float = Field(
        0.0,
        ge=0.0,
        le=0.9,
        description="committed time limit: share (0-0.9) cut from every back-office time",
    )
    extra_backoffice_staff: int = Field(
        0,
        ge=0,
        le=1000,
        description="back-office servers added to every department to meet the committed time "
        "limit (needed when backoffice_time_cut > 0); count per department",
    )

    @model_validator(mode="after")
    def _time_limit_is_staffed(self) -> Reengineering:
        if self.backoffice_time_cut > 0.0 and self.extra_backoffice_staff < 1:
            raise ValueError(
                "reengineering.extra_backoffice_staff: a backoffice_time_cut needs at least 1 "
                "extra back-office server per department"
            )
        return self


def check_reengineering(scenario) -> None:
    """Re-engineering names existing services and documents."""
    levers = scenario.reengineering
    for name in levers.bundle_services:
        if name not in scenario.services:
            raise ValueError(
                f"reengineering.bundle_services: {name!r} is not one of {sorted(scenario.services)}"
            )
    for name in levers.exempt_documents:
        if name not in scenario.documents:
            raise ValueError(
                f"reengineering.exempt_documents: {name!r} is not one of "
                f"{sorted(scenario.documents)}"
            )
