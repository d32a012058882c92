"""Experiment files: their schema and loader (DESIGN.md §3, issue 4).

An experiment file (TOML) names scenarios (catalogue names or files, each with optional dotted
overrides), an optional grid ``sweep`` or ``sample`` (lhs | sobol | morris) over dotted parameters,
replications, days, a root seed and what to keep. The models are frozen, forbid unknown keys and
take strict types and finite numbers (``scenarios.fields.STRICT``); the file's nesting is bounded
(``scenarios.tomlfile``); every error is one line naming the file and the field
(``ExperimentError``, exit status 2).

This module owns the schema and the checks that need no simulation: scenarios load, overrides and
sweep values validate, sample bounds validate at both ends.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from govlab.experiments.discover_spec import Question
from govlab.experiments.uncertainties import Uncertainties, bounds, check_bounds
from govlab.scenarios import Scenario, ScenarioError, apply_overrides, load_scenario, tomlfile
from govlab.scenarios.errors import describe
from govlab.scenarios.fields import STRICT
from govlab.scenarios.loader import resolve

Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")]


class ExperimentError(ScenarioError):
    """A user's experiment input is wrong; the message is one line, fit to show as it is."""


class Frozen(BaseModel):
    """Base of the experiment models: immutable, unknown keys and wrong types are errors, numbers
    are finite (the scenario models' ``STRICT``)."""

    model_config = STRICT


class ScenarioEntry(Frozen):
    """One scenario of the experiment: a catalogue name or file, a label and overrides."""

    scenario: str = Field(min_length=1, description="catalogue name or scenario file")
    label: Name | None = Field(None, description="name in tables; default: the scenario's stem")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted.path = value overrides")

    @property
    def name(self) -> str:
        """The label, or the stem of the scenario name or file."""
        return self.label or Path(self.scenario).stem


class Range(Frozen):
    """Bounds of one sampled parameter (uniform on [low, high])."""

    low: float
    high: float
    integer: bool = Field(False, description="round sampled values to integers")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Sample(Frozen):
    """A global-sensitivity sample over parameter ranges (SALib)."""

    method: Literal["lhs", "sobol", "morris"] = Field(description="sampling design")
    n: int = Field(
        ge=2,
        le=1_000_000,
        description="lhs: points; sobol: base size N (power of 2; N·(D+2) points, "
        "N·(2D+2) with second order); morris: trajectories (N·(D+1) points)",
    )
    parameters: dict[str, Range] = Field(min_length=1, description="dotted.path = {low, high}")
    second_order: bool = Field(False, description="sobol: also second-order indices")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels (even)")
    seed: int | None = Field(None, ge=0, description="sampling seed; default: the root seed")

    @field_validator("parameters", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        """Accept ``path = [low, high]`` as well as ``path = {low = .., high = ..}``."""
        return bounds(value)

    @model_validator(mode="after")
    def _sizes(self) -> Sample:
        if self.method == "sobol" and self.n & (self.n - 1):
            raise ValueError(f"sample.n: sobol needs a power of 2 (got {self.n})")
        if self.method == "morris" and self.levels % 2:
            raise ValueError(f"sample.levels: morris needs an even number (got {self.levels})")
        return self


class Keep(Frozen):
    """What is stored per run besides its summary."""

    series: Literal["all"] | list[str] = Field(
        "all", description="daily model series to keep: 'all' or a list of names"
    )
    cases: int = Field(
        0, ge=0, le=1_000_000, description="completed cases to sample and store per run; count"
    )


class Experiment(Frozen):
    """A batch: scenarios × design points × replications, with common random numbers."""

    name: Name = Field(description="the experiment's name in the store")
    description: str = Field("", description="one line for listings")
    scenarios: list[ScenarioEntry] = Field(min_length=1, description="scenarios to compare")
    baseline: str | None = Field(None, description="label of the baseline; default: the first")
    set: dict[str, Any] = Field(
        default_factory=dict, description="dotted.path = value overrides for every scenario"
    )
    sweep: dict[str, list[Any]] = Field(
        default_factory=dict, description="grid sweep: dotted.path = [values]"
    )
    sample: Sample | None = Field(None, description="sampled design (lhs | sobol | morris)")
    uncertainties: Uncertainties | None = Field(
        None, description="uncertain parameters sampled and crossed with every scenario and sweep"
    )
    replications: int = Field(10, ge=1, le=100_000, description="replications per point; count")
    days: int = Field(
        400,
        ge=1,
        le=100_000,
        description="working days per run (default twice the 190-day warm-up); days",
    )
    seed: int = Field(20240601, ge=0, le=2**63 - 1, description="root seed of the replications")
    keep: Keep = Field(default_factory=Keep)
    discover: Question | None = Field(None, description="scenario-discovery question (report)")

    @field_validator("scenarios", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        """Accept ``"silo"`` as well as ``{scenario = "silo", ...}``."""
        if isinstance(value, list):
            return [{"scenario": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        labels = [entry.name for entry in self.scenarios]
        duplicated = sorted({label for label in labels if labels.count(label) > 1})
        if duplicated:
            raise ValueError(f"scenarios: duplicate label(s) {duplicated}; give each a label")
        if self.baseline is not None and self.baseline not in labels:
            raise ValueError(f"baseline: {self.baseline!r} is not one of {labels}")
        if self.sweep and self.sample is not None:
            raise ValueError("sweep and sample: use one design, not both")
        if self.discover is not None:
            for label in (self.discover.scenario, self.discover.relative_to):
                if label is not None and label not in labels:
                    raise ValueError(f"discover: {label!r} is not one of {labels}")
        if self.sample is not None and self.uncertainties is not None:
            raise ValueError("sample and uncertainties: use one sampled design, not both")
        for path, values in self.sweep.items():
            if not values:
                raise ValueError(f"sweep.{path}: needs at least one value")
        return self

    @property
    def labels(self) -> list[str]:
        """Scenario labels in file order."""
        return [entry.name for entry in self.scenarios]

    @property
    def baseline_label(self) -> str:
        """The baseline's label (the first scenario unless named)."""
        return self.baseline or self.labels[0]

    def identity(self) -> dict[str, Any]:
        """What fixes each run's numbers: the spec without description and replication count.

        Raising ``replications`` later extends a stored experiment instead of conflicting with it.
        """
        return self.model_dump(mode="json", exclude={"description", "replications", "discover"})


def read_toml(path: Path, kind: str = "experiment") -> dict[str, Any]:
    """The TOML file at ``path`` (an ``kind`` file), or one ``ExperimentError`` line."""
    try:
        with path.open("rb") as handle:
            return tomlfile.load(handle)
    except FileNotFoundError:
        raise ExperimentError(f"{path}: no such {kind} file") from None
    except IsADirectoryError:
        raise ExperimentError(f"{path}: is a directory, not an {kind} file") from None
    except tomlfile.NestingError as error:
        raise ExperimentError(f"{path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ExperimentError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ExperimentError(
            f"{path}: not UTF-8 text (byte {error.start}); TOML is UTF-8"
        ) from None
    except OSError as error:
        raise ExperimentError(f"{path}: cannot read it: {error.strerror}") from None


def _model_at(loc: list[Any]) -> type[BaseModel] | None:
    """The experiment model class that holds the field at ``loc`` (lists and dicts walked)."""
    current: Any = Experiment
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(str(part)) if isinstance(current, type) else None
        if info is None:
            return None
        current = next((c for c in _classes(info.annotation) if issubclass(c, BaseModel)), None)
    return current


def _classes(annotation: Any) -> list[type]:
    import typing

    found: list[type] = []
    if typing.get_args(annotation):
        for arg in typing.get_args(annotation):
            found += _classes(arg)
    elif isinstance(annotation, type):
        found.append(annotation)
    return found


def parse_experiment(data: dict[str, Any], source: str) -> Experiment:
    """Validate raw experiment data; errors name ``source`` and the field."""
    try:
        return Experiment.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "extra_forbidden":
            loc = list(first["loc"])
            owner = _model_at(loc[:-1])
            keys = ", ".join(owner.model_fields) if owner else ""
            path = ".".join(map(str, loc))
            raise ExperimentError(f"{source}: {path}: unknown key; allowed keys: {keys}") from None
        raise ExperimentError(str(describe(error, Experiment, source))) from None


def load_experiment(path: str | Path) -> tuple[Experiment, dict[str, Scenario]]:
    """Read and check an experiment file.

    Returns:
        The experiment and its scenarios by label, with the common and per-scenario overrides
        applied (design points are applied later, by ``experiments.plan``).
    """
    path = Path(path)
    data = read_toml(path)
    data.setdefault("name", path.stem)
    experiment = parse_experiment(data, str(path))
    return experiment, resolve_scenarios(experiment, path.parent, str(path))


def _checked(scenario: Scenario, overrides: dict[str, Any], source: str) -> Scenario:
    try:
        return apply_overrides(scenario, overrides, source=source) if overrides else scenario
    except ScenarioError as error:
        raise ExperimentError(str(error)) from None


def resolve_scenarios(experiment: Experiment, base_dir: Path, source: str) -> dict[str, Scenario]:
    """Load each scenario (relative to ``base_dir`` first) and check every override and bound."""
    scenarios: dict[str, Scenario] = {}
    for index, entry in enumerate(experiment.scenarios):
        try:
            loaded = load_scenario(resolve(entry.scenario, base_dir))
        except ScenarioError as error:
            raise ExperimentError(f"{source}: scenarios.{index}: {error}") from None
        loaded = _checked(loaded, experiment.set, f"{source}: set")
        loaded = _checked(loaded, entry.set, f"{source}: scenarios.{index}.set")
        scenarios[entry.name] = loaded
    first = next(iter(scenarios.values()))
    for path, values in experiment.sweep.items():
        for value in values:
            _checked(first, {path: value}, f"{source}: sweep")
    if experiment.sample is not None:
        for path, bounds in experiment.sample.parameters.items():
            for value in (bounds.low, bounds.high):
                value = round(value) if bounds.integer else value
                _checked(first, {path: value}, f"{source}: sample.parameters")
    if experiment.uncertainties is not None:
        try:
            check_bounds(experiment.uncertainties, first, source)
        except ScenarioError as error:
            raise ExperimentError(str(error)) from None
    return scenarios


def is_finite_number(value: Any) -> bool:
    """True for ints and finite floats (not bools): what counts as a metric value."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
