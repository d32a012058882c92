"""The service catalogue's shape: department functions, documents, steps and case types (the
default catalogue is data, ``scenarios/service_catalogue.toml``), and the checks of a service's
step names and ``after`` links.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from govlab.scenarios.fields import Frozen
from govlab.scenarios.routing import Branch

SERVICE_CATALOGUE = Path(__file__).with_name("service_catalogue.toml")


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
    requires: tuple[str, ...] = Field((), description="documents the step requires", strict=False)
    issues: tuple[str, ...] = Field((), description="documents the step issues", strict=False)
    approval: bool = Field(
        True,
        description="an approval that may run in parallel with others; false = a barrier that "
        "waits for every earlier step and that every later step waits for",
    )
    after: tuple[str, ...] = Field(
        (),
        description="names of earlier steps of the same service this step waits for, beyond the "
        "documents it needs (parallel approval)",
        strict=False,  # a TOML array is a list
    )
    branches: tuple[Branch, ...] = Field(
        (),
        max_length=16,
        description="where a case may go when this step ends, each with its probability; the "
        "rest goes on (scenarios.routing)",
        strict=False,
    )


class CaseType(Frozen):
    """A service (one kind of case) with its route of steps."""

    applicant: Literal["resident", "enterprise"] = Field(description="who applies")
    rate_per_year: float = Field(
        ge=0.0, le=10_000.0, description="cases per applicant per year; 1/year"
    )
    online: bool = Field(True, description="the service can be offered online")
    steps: tuple[Step, ...] = Field(
        min_length=1, max_length=1000, description="the route, in order", strict=False
    )
    max_loops: int = Field(
        20, ge=0, le=1000, description="loops back (rework) one case may take; count"
    )


@cache
def _default_catalogue() -> dict[str, Any]:
    with SERVICE_CATALOGUE.open("rb") as handle:
        return tomllib.load(handle)


def catalogue_part(part: str):
    """A default factory: the part (functions, documents, services) of the default catalogue."""
    return lambda: _default_catalogue()[part]


def check_step_names(service_name: str, service: CaseType) -> None:
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
