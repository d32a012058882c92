"""Observed figures as data: the file format of the target statistics a calibration meets.

A file of observed figures (TOML, UTF-8) holds ``[[figure]]`` entries, each one number read in a
cited source, and optionally ``[[unmatched]]`` entries: figures read in a source that no metric of
the lab measures (kept with the reason, never fitted). A figure states

- ``id``: a unique name (letters, digits, ``_``);
- ``metric``: one of the lab's run metrics (``results.metric_info.METRICS``), with ``case_type``
  (a case type of the service catalogue) for a metric measured per case type — the figure then
  names the run metric ``by_case_type.<case_type>.<metric>``;
- ``published_value`` and ``published_unit``: the number as the source prints it; the value in
  the metric's unit is derived (``value``): calendar days are turned into working days by
  250/365 (the lab's working days a year over calendar days), percent into a share;
- ``uncertainty``: ``rule = "interval"`` (``low`` and ``high``, published units, read as a 90%
  interval), ``rule = "se"`` (``se``, published units) or ``rule = "rounded"`` (an official,
  rough figure such as "about 9 days": a 90% interval of ± ``relative`` × value, default 20%,
  and never narrower than ± half a unit of the last printed digit, ``resolution``). Every rule
  gives a 90% interval and a standard error (half-width / 1.645) in the metric's unit;
- ``period`` (``before`` | ``after``) of a named ``reform``, the ``place`` and ``year``;
- ``source``: ``title``, ``issuer``, ``year``, ``url`` and, for a figure read in a report that
  quotes the original, ``via`` (the original's title).

Errors are one line naming the file, the field path and what is allowed (``ScenarioError``).
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from govlab.scenarios import tomlfile
from govlab.scenarios.errors import ScenarioError, describe
from govlab.scenarios.fields import Frozen

Z90 = 1.6448536269514722  # the standard normal's 95th percentile: a 90% interval is ± Z90 · se
WORKING_PER_CALENDAR_DAY = 250.0 / 365.0  # World.working_days_per_year over calendar days

# Run metrics measured per case type (``by_case_type.<type>.<metric>``; model.metrics).
PER_CASE_TYPE = (
    "cases_completed",
    "delay_mean_days",
    "delay_p50_days",
    "delay_p90_days",
    "delay_p99_days",
    "wait_days_mean",
    "service_days_mean",
    "handoff_days_mean",
    "travel_days_mean",
    "rework_days_mean",
    "trips_per_case",
    "share_at_most_one_trip",
    "share_zero_trips",
    "documents_submitted_per_case",
    "documents_resubmitted_per_case",
    "handoffs_per_case",
    "offices_per_case",
    "returns_per_case",
    "hub_retrievals_per_case",
    "online_share",
    "refused_share",
    "procedures_per_case",
    "materials_per_case",
)

Unit = Literal[
    "working days", "calendar days", "share", "percent", "count", "per case",
    "per resident per year",
]  # fmt: skip
_FACTOR = {
    "working days": 1.0,
    "calendar days": WORKING_PER_CALENDAR_DAY,
    "share": 1.0,
    "percent": 0.01,
    "count": 1.0,
    "per case": 1.0,
    "per resident per year": 1.0,
}
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def lab_metrics() -> tuple[str, ...]:
    """The names a figure's ``metric`` may take (the lab's run metrics)."""
    from govlab.results.metric_info import METRICS

    return tuple(METRICS)


def case_types() -> tuple[str, ...]:
    """The case types of the shipped service catalogue."""
    from govlab.scenarios.services import catalogue_part

    return tuple(catalogue_part("services")())


class Source(Frozen):
    """Where a figure was read."""

    title: str = Field(..., min_length=1, description="title of the document or page")
    issuer: str = Field(..., min_length=1, description="who published it")
    year: int = Field(..., ge=1900, le=2100, description="year of publication")
    url: str = Field(..., pattern=r"^https?://", description="link to the document")
    via: str = Field("", description="the original the document quotes, when second-hand")


class Uncertainty(Frozen):
    """How far the true value may be from the published one (see the module docstring)."""

    rule: Literal["interval", "se", "rounded"] = Field(..., description="how it is stated")
    low: float | None = Field(None, description="90% interval, low end; published units")
    high: float | None = Field(None, description="90% interval, high end; published units")
    se: float | None = Field(None, gt=0.0, description="standard error; published units")
    relative: float = Field(
        0.2, gt=0.0, le=1.0, description="rounded: half-width of the 90% interval / value"
    )
    resolution: float = Field(
        1.0, gt=0.0, description="rounded: the unit of the last printed digit; published units"
    )

    @model_validator(mode="after")
    def _complete(self) -> Uncertainty:
        if self.rule == "interval" and (self.low is None or self.high is None):
            raise ValueError("uncertainty: rule 'interval' needs low and high")
        if self.rule == "interval" and not self.low < self.high:  # type: ignore[operator]
            raise ValueError("uncertainty: low must be below high")
        if self.rule == "se" and self.se is None:
            raise ValueError("uncertainty: rule 'se' needs se")
        return self

    def half_width(self, published: float) -> float:
        """Half-width of the 90% interval in published units (interval: the wider side)."""
        if self.rule == "interval":
            assert self.low is not None and self.high is not None
            return max(published - self.low, self.high - published, 0.0)
        if self.rule == "se":
            assert self.se is not None
            return Z90 * self.se
        return max(self.relative * abs(published), self.resolution / 2.0)


class Figure(Frozen):
    """One observed number, its uncertainty, period, place and source."""

    id: str = Field(..., description="unique name: a letter, then letters, digits or _")
    metric: str = Field(..., description="a run metric of the lab (results.metric_info)")
    case_type: str | None = Field(None, description="case type, for a per-case-type metric")
    published_value: float = Field(..., description="the number as printed; published units")
    published_unit: Unit = Field(..., description="the unit the source prints")
    as_published: str = Field(..., min_length=1, description="the figure in the source's words")
    uncertainty: Uncertainty
    period: Literal["before", "after"] = Field(..., description="before or after the reform")
    reform: str = Field(..., min_length=1, description="the named reform the period refers to")
    place: str = Field(..., min_length=1, description="city or province")
    year: int = Field(..., ge=1900, le=2100, description="year the figure describes")
    source: Source
    note: str = Field("", description="how the source's measure differs from the lab's metric")

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id: {value!r} must be a letter then letters, digits or _")
        return value

    @model_validator(mode="after")
    def _known_metric(self) -> Figure:
        if not math.isfinite(self.published_value):
            raise ValueError(f"figure {self.id}: published_value must be a finite number")
        if self.case_type is None:
            allowed = lab_metrics()
            if self.metric not in allowed:
                raise ValueError(
                    f"metric: {self.metric!r} is not a lab metric; allowed: {', '.join(allowed)}"
                )
            return self
        if self.case_type not in case_types():
            raise ValueError(
                f"case_type: {self.case_type!r} is not a case type; allowed: "
                f"{', '.join(case_types())}"
            )
        if self.metric not in PER_CASE_TYPE:
            raise ValueError(
                f"metric: {self.metric!r} is not measured per case type; allowed with "
                f"case_type: {', '.join(PER_CASE_TYPE)}"
            )
        return self

    @property
    def run_metric(self) -> str:
        """The name of the metric in a run's flattened summary."""
        if self.case_type is None:
            return self.metric
        return f"by_case_type.{self.case_type}.{self.metric}"

    @property
    def value(self) -> float:
        """The figure in the metric's unit."""
        return self.published_value * _FACTOR[self.published_unit]

    @property
    def interval(self) -> tuple[float, float]:
        """The 90% interval in the metric's unit."""
        half = self.uncertainty.half_width(self.published_value) * _FACTOR[self.published_unit]
        if self.uncertainty.rule == "interval":
            factor = _FACTOR[self.published_unit]
            assert self.uncertainty.low is not None and self.uncertainty.high is not None
            return self.uncertainty.low * factor, self.uncertainty.high * factor
        return self.value - half, self.value + half

    @property
    def se(self) -> float:
        """Standard error in the metric's unit (90% half-width / 1.645)."""
        low, high = self.interval
        return max(high - self.value, self.value - low) / Z90


class Unmatched(Frozen):
    """A figure read in a source that no lab metric measures: kept, never fitted."""

    id: str = Field(..., description="unique name")
    as_published: str = Field(..., min_length=1, description="the figure in the source's words")
    place: str = Field(..., min_length=1, description="city or province")
    year: int = Field(..., ge=1900, le=2100, description="year the figure describes")
    why_unmatched: str = Field(..., min_length=1, description="why no lab metric measures it")
    source: Source


class ObservedFile(Frozen):
    """A file of observed figures."""

    title: str = Field(..., min_length=1, description="what the data set is")
    synthetic: bool = Field(False, description="true for made-up example figures (labelled)")
    figure: tuple[Figure, ...] = Field(..., min_length=1, strict=False, description="the figures")
    unmatched: tuple[Unmatched, ...] = Field(
        (), strict=False, description="figures no lab metric measures"
    )

    @model_validator(mode="after")
    def _unique(self) -> ObservedFile:
        seen: set[str] = set()
        for item in (*self.figure, *self.unmatched):
            if item.id in seen:
                raise ValueError(f"figure: id {item.id!r} appears twice; ids must be unique")
            seen.add(item.id)
        return self

    def select(
        self, place: str | None = None, period: str | None = None, ids: list[str] | None = None
    ) -> list[Figure]:
        """The figures of ``place`` and ``period`` (all when None), or exactly ``ids``."""
        if ids:
            known = {figure.id: figure for figure in self.figure}
            missing = [name for name in ids if name not in known]
            if missing:
                raise ScenarioError(
                    f"--target: {missing[0]!r} is not a figure id; allowed: {', '.join(known)}"
                )
            return [known[name] for name in ids]
        return [
            figure
            for figure in self.figure
            if (place is None or figure.place == place)
            and (period is None or figure.period == period)
        ]


def load_observed(path: str | Path) -> ObservedFile:
    """Read and validate a file of observed figures.

    Raises:
        ScenarioError: one line naming the file, the field and what is allowed.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomlfile.load(handle)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file of observed figures") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, not a file of observed figures") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{path}: not valid TOML: {str(error).splitlines()[0]}") from None
    try:
        return ObservedFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        owner = {"figure": Figure, "unmatched": Unmatched}.get(loc[0]) if loc else None
        if first["type"] == "extra_forbidden" and owner is not None and len(loc) == 3:
            keys = ", ".join(owner.model_fields)
            raise ScenarioError(
                f"{path}: {'.'.join(loc)}: unknown key; allowed keys: {keys}"
            ) from None
        raise describe(error, ObservedFile, str(path)) from None
