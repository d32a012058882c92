"""Lever schedules of a scenario (``[[schedule]]``): from a working day, in some districts, set
some levers (issue 23 item 1), validated.

An entry says: from day ``day`` (the working-day index of the run, 0 the first day; warm-up days
count), for the cases whose applicant lives in ``districts`` (all when omitted), these levers take
these values. Cases opened before then finish under the rules they opened with. Entries apply in
day order (file order within a day); a later entry overrides an earlier one where both set a lever.

Every lever can be scheduled (``SCHEDULABLE``), in three kinds. The levers a case reads from its own
rules and plan (``JOURNEY``: approval, data sharing, hand-off, cross-district service, online
coverage, transparency) are set per home district; transparency also sets the weight of each
district's published figures. The levers of a mechanism the whole city shares (``CITY_WIDE``: the
platform's openness, co-production, privacy protection, sensing quality, the capacity policy and
its period and lag) are set for the city: an entry setting one names no districts. The front desk
(``DESK``) can only be switched on: ``front_desk = true`` in a district opens that district's
desk, an office of the serving district (a case served there passes it iff it opened after, its
applicant's home whatever), and moves the counter staff of its district departments to it, one
server per counter staying until the cases opened before are done (``model.front_desks``);
switching it off mid-run is refused. Re-engineering is a section of its own, not a lever, and
is not scheduled.
``model.schedule`` turns the entries into the rule sets and case plans the engines follow; the
city-wide levers reach their mechanisms at the day's start (``GovernanceModel.step``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, create_model, model_validator

from govlab.scenarios.fields import Frozen
from govlab.scenarios.levers import Levers

JOURNEY = (
    "approval",
    "data_sharing",
    "handoff",
    "cross_district",
    "online_coverage",
    "transparency",
)
CITY_WIDE = (
    "platform_openness",
    "coproduction",
    "privacy_protection",
    "sensing_quality",
    "capacity_policy",
    "adjust_every_days",
    "adjust_lag_days",
)
DESK = ("front_desk",)  # switched on only: an open desk stays open
SCHEDULABLE = (*JOURNEY, *CITY_WIDE, *DESK)


class _Scheduled(Frozen):
    """What every set of scheduled levers can say about itself."""

    @model_validator(mode="before")
    @classmethod
    def _desk_only_opens(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in DESK:
                if data.get(name) is False:
                    raise ValueError(
                        f"{name}: a front desk opened stays open; allowed in a schedule: true "
                        "(switching it off mid-run is refused)"
                    )
        return data

    def given(self) -> dict[str, Any]:
        """The levers this entry sets, by name."""
        return {name: value for name, value in self if value is not None}

    def city_wide(self) -> list[str]:
        """The city-wide levers this entry sets (``CITY_WIDE``)."""
        return [name for name in self.given() if name in CITY_WIDE]


def _optional(name: str) -> tuple[Any, Any]:
    """The lever ``name`` of ``Levers`` (same type, bounds and description), omitted = None."""
    field = Levers.model_fields[name]
    kind = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
    return (kind | None, Field(None, description=field.description))


ScheduledLevers = create_model(
    "ScheduledLevers",
    __base__=_Scheduled,
    __doc__="The levers an entry sets (those omitted keep their value).",
    **{name: _optional(name) for name in SCHEDULABLE},
)


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
