"""Uncertainties beside levers (issue 14 §2): named uncertain world and civic parameters.

An experiment file may have an ``[uncertainties]`` table: a Latin hypercube or Sobol sample over
ranges of uncertain parameters — any dotted scenario path (``world.away_from_home_share``,
``civic.trust_initial``, ``civic.incident_probability`` ...) or one of the named ones of
``DERIVED``, which act on the scenario's data (demand growth scales every service's rate, the
staff budget scales every department's staff). The scenarios are the policies: every scenario
runs at every uncertainty point (EMA Workbench's policies × scenarios, full factorial), with the
levers held as the scenarios set them, or crossed with a ``sweep`` over levers. Replication ``r``
of every (scenario, point) shares one seed, so comparisons at a point are paired.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from govlab.scenarios import Scenario, ScenarioError, apply_overrides
from govlab.scenarios.fields import STRICT


class Bounds(BaseModel):
    """Range of one uncertain parameter (uniform on [low, high])."""

    model_config = STRICT

    low: float
    high: float
    integer: bool = Field(False, description="round sampled values to integers")

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


def _scale_demand(data: dict[str, Any], factor: float) -> None:
    for service in data["services"].values():
        service["rate_per_year"] = service["rate_per_year"] * factor


def _scale_staff(data: dict[str, Any], factor: float) -> None:
    for function in data["functions"].values():
        for key in ("counter_staff", "backoffice_staff"):
            if function[key] > 0:
                function[key] = max(1, round(function[key] * factor))


# Named uncertainties that act on several fields at once: name -> (meaning, transform of the
# scenario data, allowed range).
DERIVED = {
    "demand_scale": (
        "demand growth: every service's rate_per_year times this factor; 1",
        _scale_demand,
        (0.1, 10.0),
    ),
    "staff_scale": (
        "staff budget: every department's counter and back-office staff times this factor "
        "(rounded, at least 1 where staffed); 1",
        _scale_staff,
        (0.1, 10.0),
    ),
}


def bounds(value: Any) -> Any:
    """A table of parameter ranges with ``[low, high]`` pairs read as ``{low, high}`` (sample
    parameters and uncertainties)."""
    if isinstance(value, dict):
        return {
            k: {"low": v[0], "high": v[1]} if isinstance(v, list) and len(v) == 2 else v
            for k, v in value.items()
        }
    return value


class Uncertainties(BaseModel):
    """A sample of uncertain parameters, crossed with every scenario (and sweep point)."""

    model_config = STRICT

    method: Literal["lhs", "sobol"] = Field("lhs", description="sampling design (SALib)")
    n: int = Field(
        ge=2, le=100_000, description="lhs: points; sobol: base size N (power of 2; N·(D+2) points)"
    )
    parameters: dict[str, Bounds] = Field(
        min_length=1, description=f"dotted.path or one of {list(DERIVED)} = [low, high]"
    )
    seed: int | None = Field(None, ge=0, description="sampling seed; default: the root seed")

    @field_validator("parameters", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        """Accept ``path = [low, high]`` as well as ``path = {low = .., high = ..}``."""
        return bounds(value)

    @model_validator(mode="after")
    def _sizes(self) -> Uncertainties:
        if self.method == "sobol" and self.n & (self.n - 1):
            raise ValueError(f"n: sobol needs a power of 2 (got {self.n})")
        for name, limits in self.parameters.items():
            if "." not in name and name not in DERIVED:
                raise ValueError(
                    f"parameters.{name}: not a dotted scenario path nor one of {list(DERIVED)}"
                )
            if name in DERIVED:
                low, high = DERIVED[name][2]
                if not (low <= limits.low and limits.high <= high):
                    raise ValueError(f"parameters.{name}: range must lie within [{low}, {high}]")
        return self

    def problem(self) -> dict[str, Any]:
        """The SALib problem of the sample."""
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [[b.low, b.high] for b in self.parameters.values()],
        }


def apply_point(scenario: Scenario, point: dict[str, Any], source: str) -> Scenario:
    """``scenario`` at a design point: named uncertainties first, then dotted overrides."""
    derived = {k: v for k, v in point.items() if k in DERIVED}
    dotted = {k: v for k, v in point.items() if k not in DERIVED}
    if derived:
        data = scenario.model_dump(mode="json")
        for name, value in derived.items():
            DERIVED[name][1](data, float(value))
        try:
            scenario = Scenario.model_validate(data)
        except ValueError as error:
            raise ScenarioError(f"{source}: {name}: {error}".splitlines()[0]) from None
    return apply_overrides(scenario, dotted, source=source) if dotted else scenario


def sample_points(uncertainties: Uncertainties, seed: int) -> tuple[list[dict[str, Any]], Any]:
    """The uncertainty points (one dict each) and the raw SALib matrix."""
    import numpy as np

    problem = uncertainties.problem()
    seed = uncertainties.seed if uncertainties.seed is not None else seed
    if uncertainties.method == "lhs":
        from SALib.sample import latin

        matrix = latin.sample(problem, uncertainties.n, seed=seed)
    else:
        from SALib.sample import sobol

        matrix = sobol.sample(problem, uncertainties.n, calc_second_order=False, seed=seed)
    items = list(uncertainties.parameters.items())
    points = [
        {
            name: int(np.rint(value)) if bounds.integer else float(value)
            for (name, bounds), value in zip(items, row, strict=True)
        }
        for row in matrix
    ]
    return points, matrix


def crossed(grid_points: list[dict[str, Any]], points: list[dict[str, Any]]) -> list[dict]:
    """Every lever point with every uncertainty point (levers outer, uncertainties inner)."""
    return [{**a, **b} for a, b in itertools.product(grid_points or [{}], points)]


def check_bounds(uncertainties: Uncertainties, scenario: Scenario, source: str) -> None:
    """Apply each range's ends to ``scenario`` so a bad path or value fails before any run."""
    for name, bounds in uncertainties.parameters.items():
        for value in (bounds.low, bounds.high):
            value = round(value) if bounds.integer else value
            if not math.isfinite(value):
                raise ScenarioError(f"{source}: uncertainties.parameters.{name}: not finite")
            apply_point(scenario, {name: value}, f"{source}: uncertainties.parameters")
