"""The optimisation file of ``govlab optimise`` (issue 14 §5): its schema and loader.

An optimisation file (TOML) names a base scenario, the levers to search over (a range, or a list
of choices), the objectives (metric = "min" | "max"), the uncertain worlds every candidate meets
(``[uncertainties]``: K sampled points), R replications, the search (population, generations,
seed) and an optional rule for the packages to choose (e.g. delay at most half the base
scenario's on the same worlds). Unknown keys and bad values are one-line errors naming the file
and the field (exit status 2).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from govlab.experiments.spec import ExperimentError, read_toml
from govlab.experiments.uncertainties import Uncertainties, apply_point, check_bounds
from govlab.scenarios import Scenario, ScenarioError, apply_overrides, load_scenario
from govlab.scenarios.errors import describe
from govlab.scenarios.fields import STRICT
from govlab.scenarios.loader import resolve

Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")]


class Frozen(BaseModel):
    """Base of the optimisation models: immutable, unknown keys and wrong types are errors,
    numbers are finite (the scenario models' ``STRICT``)."""

    model_config = STRICT


class LeverRange(Frozen):
    """A searched lever: a range [low, high] (integer or real) or a list of choices."""

    low: float | None = None
    high: float | None = None
    integer: bool = Field(False, description="integer values in [low, high]")
    choices: list[bool | int | float | str] | None = Field(None, description="allowed values")

    @model_validator(mode="after")
    def _one_form(self) -> LeverRange:
        if self.choices is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give choices or low/high, not both")
            if len(self.choices) < 2:
                raise ValueError("choices: needs at least two values")
        elif self.low is None or self.high is None or not self.low < self.high:
            raise ValueError("needs low < high, or a list of choices")
        return self

    def decode(self, u: float) -> Any:
        """The lever value at position ``u`` in [0, 1] of this range."""
        u = min(max(u, 0.0), 1.0)
        if self.choices is not None:
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        assert self.low is not None and self.high is not None
        if self.integer:
            span = int(self.high) - int(self.low) + 1
            return int(self.low) + min(int(u * span), span - 1)
        return round(self.low + u * (self.high - self.low), 4)

    def ends(self) -> list[Any]:
        """The extreme values (to validate before searching)."""
        return list(self.choices) if self.choices is not None else [self.decode(0), self.decode(1)]


class Search(Frozen):
    """The evolutionary search (platypus NSGA-II over levers encoded in [0, 1])."""

    algorithm: Literal["nsga2"] = Field("nsga2", description="platypus algorithm")
    population: int = Field(12, ge=4, le=1000, description="candidates per generation; count")
    generations: int = Field(8, ge=1, le=10_000, description="generations after the first; count")
    seed: int = Field(1, ge=0, le=2**32 - 1, description="seed of the search's random choices")


class Choose(Frozen):
    """Which Pareto packages to single out: those meeting the rule, cheapest first."""

    metric: str = Field("delay_mean_days", description="metric of the rule")
    relative_below: float = Field(
        -0.5,
        ge=-1.0,
        le=10.0,
        description="paired change of the metric against the base scenario on the same worlds "
        "must be at most this (e.g. -0.5: at least halved); fraction",
    )
    cost: str = Field("cost_per_year", description="the cost metric to rank by")
    show: int = Field(3, ge=1, le=20, description="packages to show with CIs; count")


class Optimisation(Frozen):
    """A many-objective search over levers on shared uncertain worlds."""

    name: Name = Field(description="the exploration's name in the store")
    description: str = Field("", description="one line for listings")
    base: str = Field("silo", min_length=1, description="scenario the levers are set on")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted.path = value overrides")
    levers: dict[str, LeverRange] = Field(min_length=1, description="dotted.path = range/choices")
    objectives: dict[str, Literal["min", "max"]] = Field(
        min_length=2, description="metric = min | max"
    )
    uncertainties: Uncertainties | None = Field(None, description="the K shared worlds")
    replications: int = Field(2, ge=1, le=1000, description="R replications per world; count")
    days: int = Field(150, ge=1, le=100_000, description="working days per run; days")
    seed: int = Field(20240601, ge=0, le=2**63 - 1, description="root seed of the replications")
    search: Search = Field(default_factory=Search)
    choose: Choose = Field(default_factory=Choose)

    @field_validator("levers", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``path = [low, high]`` (two numbers) is a range; any other list is the choices."""
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if isinstance(item, list):
                numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in item)
                item = (
                    {"low": item[0], "high": item[1]}
                    if numbers and len(item) == 2
                    else {"choices": item}
                )
            out[key] = item
        return out

    def identity(self) -> dict[str, Any]:
        """What fixes each run's numbers (the search settings and the rule do not)."""
        return self.model_dump(
            mode="json", include={"base", "set", "uncertainties", "days", "seed", "replications"}
        )


def parse_optimisation(data: dict[str, Any], source: str) -> Optimisation:
    """Validate raw data; errors name ``source`` and the field."""
    try:
        return Optimisation.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            raise ExperimentError(f"{source}: {where}: unknown key") from None
        raise ExperimentError(str(describe(error, Optimisation, source))) from None


def load_optimisation(path: str | Path) -> tuple[Optimisation, Scenario]:
    """Read and check an optimisation file; returns it and its base scenario (``set`` applied).

    Every lever's extreme values and every uncertainty's bounds are applied once, so a bad path
    or value fails here, before any run.
    """
    path = Path(path)
    data = read_toml(path, "optimisation")
    data.setdefault("name", path.stem)
    spec = parse_optimisation(data, str(path))
    source = str(path)
    try:
        base = load_scenario(resolve(spec.base, path.parent))
    except ScenarioError as error:
        raise ExperimentError(f"{source}: base: {error}") from None
    try:
        base = apply_overrides(base, spec.set, source=f"{source}: set") if spec.set else base
        for lever, bounds in spec.levers.items():
            for value in bounds.ends():
                apply_point(base, {lever: value}, f"{source}: levers")
        if spec.uncertainties is not None:
            check_bounds(spec.uncertainties, base, source)
    except ScenarioError as error:
        raise ExperimentError(str(error)) from None
    known = known_metrics()
    for where, name in [
        *(("objectives", n) for n in spec.objectives),
        ("choose.metric", spec.choose.metric),
        ("choose.cost", spec.choose.cost),
    ]:
        if name not in known:
            raise ExperimentError(
                f"{source}: {where}: no metric {name!r}; metrics: {', '.join(sorted(known))}"
            )
    if not math.isfinite(spec.choose.relative_below):
        raise ExperimentError(f"{source}: choose.relative_below: not finite")
    return spec, base


@cache
def known_metrics() -> frozenset[str]:
    """The top-level numeric metrics a run reports (from a one-day run of a tiny world)."""
    from govlab.experiments.single import run_simulation
    from govlab.experiments.worker import flatten

    tiny = Scenario().with_overrides(
        {"world.residents": 200, "world.enterprises": 20, "world.warmup_days": 0}
    )
    summary, _ = run_simulation(tiny, 1, 1)
    return frozenset(name for name in flatten(summary) if "." not in name)
