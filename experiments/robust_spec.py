"""The robustness file of ``govlab robust`` (issue 23 §4): its schema and loader.

A robustness file names the *package* to test — a row of a lever search's stored Pareto set
(``optimisation = "file.toml"`` and ``package = "cheapest"`` or a Pareto label ``c…``), or a
scenario — the packages it is compared with (the rest of the Pareto set, the Pareto packages
meeting the search's rule, or listed labels / scenarios; the baseline is always added), the
uncertainty ensemble (``[uncertainties]``: the worlds), replications (paired seeds), the
objectives on which regret is measured, the ``[[target]]`` rules that decide whether the package
is satisficing in a world (each also the question of its scenario discovery), and optional
``[[series_outcome]]`` outcomes derived from a daily series (``experiments.series_outcomes``),
usable as objectives, targets and discovery outcomes like any end value.

Unknown keys and bad values are one-line errors naming the file and the field (exit status 2);
everything is checked before the store is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from govlab.experiments.series_outcomes import SeriesOutcome
from govlab.experiments.spec import ExperimentError, read_toml
from govlab.experiments.uncertainties import Uncertainties
from govlab.scenarios.errors import describe
from govlab.scenarios.fields import STRICT

Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")]
DELAY_SERIES = "delay_mean_days"  # always kept: the daily mean delay of the cases completed


class Frozen(BaseModel):
    """Immutable, unknown keys and wrong types are errors, numbers finite."""

    model_config = STRICT


class Target(Frozen):
    """Where the package *meets* its target in a world (its outcome averaged over replications).

    Exactly one rule: ``relative_at_most`` (the paired relative change of ``metric`` against the
    baseline at the same world and seed, averaged over replications, is at most this: −0.45 is
    "cuts it by at least 45%"), ``at_most`` or ``at_least`` (the metric's mean itself)."""

    name: Name | None = Field(None, description="the target's name; default: metric and rule")
    metric: str = Field(min_length=1, description="an end metric or a series outcome's name")
    relative_at_most: float | None = Field(
        None, ge=-1.0, le=100.0, description="paired change vs the baseline at most; fraction"
    )
    at_most: float | None = Field(None, description="metric at most this; metric's unit")
    at_least: float | None = Field(None, description="metric at least this; metric's unit")

    @model_validator(mode="after")
    def _one_rule(self) -> Target:
        rules = [self.relative_at_most, self.at_most, self.at_least]
        if sum(r is not None for r in rules) != 1:
            raise ValueError("give exactly one of relative_at_most, at_most, at_least")
        return self

    @property
    def label(self) -> str:
        """The target's name (given, or made of its metric and rule)."""
        if self.name:
            return self.name
        if self.relative_at_most is not None:
            return f"{self.metric}_change_at_most_{self.relative_at_most:g}"
        if self.at_most is not None:
            return f"{self.metric}_at_most_{self.at_most:g}"
        return f"{self.metric}_at_least_{self.at_least:g}"

    @property
    def words(self) -> str:
        """The rule in words."""
        if self.relative_at_most is not None:
            return f"{self.metric} change vs baseline ≤ {self.relative_at_most:+.0%}"
        if self.at_most is not None:
            return f"{self.metric} ≤ {self.at_most:g}"
        return f"{self.metric} ≥ {self.at_least:g}"


class Robustness(Frozen):
    """A package's robustness over an uncertainty ensemble."""

    name: Name = Field(description="the robustness study's name in the store (robust:<name>)")
    description: str = Field("", description="one line for listings")
    optimisation: str | None = Field(
        None,
        min_length=1,
        description="lever-search file whose stored Pareto set holds the package",
    )
    package: str = Field(
        min_length=1,
        description="'cheapest' (cheapest Pareto package meeting the search's rule), a Pareto "
        "label c…, or (without optimisation) a scenario name or file",
    )
    compare: Literal["pareto", "meeting"] | list[str] = Field(
        "pareto",
        description="'pareto' (the rest of the Pareto set), 'meeting' (the Pareto packages "
        "meeting the search's rule), or a list of Pareto labels / scenarios",
    )
    baseline: str | None = Field(
        None,
        min_length=1,
        description="scenario of the relative targets; default: the search's base",
    )
    set: dict[str, Any] = Field(
        default_factory=dict, description="dotted.path = value overrides (scenarios only)"
    )
    uncertainties: Uncertainties = Field(description="the ensemble of worlds")
    replications: int = Field(2, ge=1, le=1000, description="paired replications per world; count")
    days: int | None = Field(None, ge=1, le=100_000, description="days per run; default search's")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="root seed; default search's")
    objectives: dict[str, Literal["min", "max"]] = Field(
        default_factory=dict, description="metric = min | max; default: the search's objectives"
    )
    target: list[Target] = Field(min_length=1, description="[[target]] rules; the first leads")
    series_outcome: list[SeriesOutcome] = Field(
        default_factory=list, description="[[series_outcome]] outcomes of a daily series"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Robustness:
        if self.optimisation is None:
            if self.baseline is None:
                raise ValueError("baseline: needed when the package is a scenario")
            if self.compare in ("pareto", "meeting"):
                raise ValueError("compare: list the scenarios (no optimisation is named)")
            if not self.objectives:
                raise ValueError("objectives: needed when the package is a scenario")
        elif self.set:
            raise ValueError("set: the packages are defined on the search's base and set")
        names = [s.name for s in self.series_outcome]
        if len(set(names)) != len(names):
            raise ValueError("series_outcome: names must differ")
        labels = [t.label for t in self.target]
        if len(set(labels)) != len(labels):
            raise ValueError("target: names must differ")
        return self

    def series(self) -> tuple[str, ...]:
        """The daily series the runs keep: the delay and every series outcome's."""
        return tuple(dict.fromkeys([DELAY_SERIES, *(s.series for s in self.series_outcome)]))


def parse_robustness(data: dict[str, Any], source: str) -> Robustness:
    """Validate raw data; errors name ``source`` and the field."""
    try:
        return Robustness.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            raise ExperimentError(f"{source}: {where}: unknown key") from None
        if first["type"] == "missing":
            raise ExperimentError(f"{source}: {where}: missing (required)") from None
        raise ExperimentError(str(describe(error, Robustness, source))) from None


def read_robustness(path: str | Path) -> Robustness:
    """Read and validate the file (its name defaults to the file's stem)."""
    path = Path(path)
    data = read_toml(path, "robustness")
    data.setdefault("name", path.stem)
    return parse_robustness(data, str(path))
