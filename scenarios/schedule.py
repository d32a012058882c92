"""Lever schedules of a scenario (``[[schedule]]``): from a working day, in some districts, set
some levers (issue 23 item 1), validated.

An entry says: from day ``day`` (the working-day index of the run, 0 the first day; warm-up days
count), for the cases whose applicant lives in ``districts`` (all when omitted), these levers take
these values. Cases opened before then finish under the rules they opened with. Entries apply in
day order (file order within a day); a later entry overrides an earlier one where both set a lever.

Two kinds of levers can be scheduled (``SCHEDULABLE``). The levers a case reads from its own
rules (``JOURNEY``: data sharing, hand-off, cross-district service, online coverage) are set per
home district. The levers of a mechanism the whole city shares (``CITY_WIDE``: the platform's
openness, co-production, privacy protection, sensing quality) are set for the city: an entry
setting one names no districts. The others change the offices or the case plans (front desk,
approval, re-engineering) or several mechanisms at once (transparency: papers, corrections and
publication; the capacity policy and its period), and are refused with the list.
``model.schedule`` turns the entries into the rule sets the engines follow; the city-wide levers
reach their mechanisms at the day's start (``GovernanceModel.step``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from govlab.scenarios.fields import Frozen, Share
from govlab.scenarios.levers import Levers

JOURNEY = ("data_sharing", "handoff", "cross_district", "online_coverage")
CITY_WIDE = ("platform_openness", "coproduction", "privacy_protection", "sensing_quality")
SCHEDULABLE = (*JOURNEY, *CITY_WIDE)


class ScheduledLevers(Frozen):
    """The levers an entry sets (those omitted keep their value)."""

    data_sharing: Share | None = Field(
        None, description=Levers.model_fields["data_sharing"].description
    )
    handoff: Literal["applicant", "electronic"] | None = Field(
        None, description=Levers.model_fields["handoff"].description
    )
    cross_district: Literal["home_only", "anywhere"] | None = Field(
        None, description=Levers.model_fields["cross_district"].description
    )
    online_coverage: Share | None = Field(
        None, description=Levers.model_fields["online_coverage"].description
    )
    platform_openness: int | None = Field(
        None, ge=0, le=3, description=Levers.model_fields["platform_openness"].description
    )
    coproduction: Share | None = Field(
        None, description=Levers.model_fields["coproduction"].description
    )
    privacy_protection: Share | None = Field(
        None, description=Levers.model_fields["privacy_protection"].description
    )
    sensing_quality: Share | None = Field(
        None, description=Levers.model_fields["sensing_quality"].description
    )

    @model_validator(mode="before")
    @classmethod
    def _only_schedulable(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in data:
                if name in Levers.model_fields and name not in SCHEDULABLE:
                    raise ValueError(
                        f"{name}: cannot be scheduled (it changes offices, plans or a city-wide "
                        f"mechanism); levers that can be scheduled: {', '.join(SCHEDULABLE)}"
                    )
        return data

    def given(self) -> dict[str, Any]:
        """The levers this entry sets, by name."""
        return {name: value for name, value in self if value is not None}

    def city_wide(self) -> list[str]:
        """The city-wide levers this entry sets (``CITY_WIDE``)."""
        return [name for name in self.given() if name in CITY_WIDE]


class ScheduleEntry(Frozen):
    """From working day ``day``, in ``districts`` (all if empty), set ``levers``."""

    day: int = Field(ge=0, le=100_000, description="first working day it applies (0 = first)")
    districts: tuple[int, ...] = Field(
        (),
        description="home districts of the cases it applies to (0-based); all when omitted",
        strict=False,  # a TOML array is a list
    )
    levers: ScheduledLevers = Field(description="the levers set from that day")

    @model_validator(mode="after")
    def _sets_something(self) -> ScheduleEntry:
        if not self.levers.given():
            raise ValueError(f"levers: an entry must set at least one of: {', '.join(SCHEDULABLE)}")
        city = self.levers.city_wide()
        if city and self.districts:
            raise ValueError(
                f"districts: {', '.join(city)} acts on the whole city; an entry setting it names "
                "no districts"
            )
        return self


def check_districts(scenario, field: str) -> None:
    """The districts the entries of ``field`` (``schedule`` or ``trigger``) name exist, each
    named once."""
    districts = scenario.world.districts
    for index, entry in enumerate(getattr(scenario, field)):
        for district in entry.districts:
            if not 0 <= district < districts:
                raise ValueError(
                    f"{field}.{index}.districts: {district} is not a district; allowed: 0 .. "
                    f"{districts - 1} (world.districts = {districts})"
                )
        if len(set(entry.districts)) != len(entry.districts):
            raise ValueError(f"{field}.{index}.districts: a district is named twice")


def check_schedule(scenario) -> None:
    """Districts named by schedule entries exist."""
    check_districts(scenario, "schedule")
