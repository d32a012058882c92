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
applicant's home whatever; the counter contacts of the cases opened before are served there
from then), and moves the counter staff of its district departments to it, each counter's once
it is empty (``model.front_desks``); switching it off mid-run is refused.

An entry may also set re-engineering options (``[schedule.reengineering]``, the fields of
``[reengineering]``; those omitted keep their value) for its districts: the cases opened there from
that day follow the catalogue bundled, exempted and time-limited as the options say, and a time
limit's extra back-office servers are hired in those districts' departments (and the city's) from
that day. ``InForce`` is what a district is under (levers and re-engineering);
``scheduled_states`` walks the entries in day order and names the entry whose options break a rule
of ``[reengineering]``.
``model.schedule`` turns the entries into the rule sets and case plans the engines follow; the
city-wide levers reach their mechanisms at the day's start (``GovernanceModel.step``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Annotated, Any

from pydantic import Field, ValidationError, create_model, model_validator

from govlab.scenarios.fields import Frozen
from govlab.scenarios.levers import Levers
from govlab.scenarios.reengineering import Reengineering, check_reengineering

Change = tuple[tuple[int, ...], dict[str, Any]]  # (home districts, or () for all; what is set)

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


def _optional(section: type, name: str) -> tuple[Any, Any]:
    """The field ``name`` of ``section`` (same type, bounds and description), omitted = None."""
    field = section.model_fields[name]
    kind = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
    return (kind | None, Field(None, description=field.description))


ScheduledLevers = create_model(
    "ScheduledLevers",
    __base__=_Scheduled,
    __doc__="The levers an entry sets (those omitted keep their value).",
    **{name: _optional(Levers, name) for name in SCHEDULABLE},
)
ScheduledReengineering = create_model(
    "ScheduledReengineering",
    __base__=_Scheduled,
    __doc__="The re-engineering options an entry sets (those omitted keep their value).",
    **{name: _optional(Reengineering, name) for name in Reengineering.model_fields},
)
REENGINEERING = "reengineering"  # the key of the options in an entry's update (``InForce``)


@dataclass(frozen=True, slots=True)
class InForce:
    """What a district is under: its levers and its re-engineering of the catalogue."""

    levers: Levers
    reengineering: Reengineering

    @classmethod
    def of(cls, scenario) -> InForce:
        """The scenario's own levers and re-engineering."""
        return cls(scenario.levers, scenario.reengineering)

    def updated(self, update: dict[str, Any]) -> InForce:
        """With the levers of ``update`` set and its ``REENGINEERING`` options; a ``ValueError``
        when the options together break a rule (a time limit without its staff)."""
        levers = {name: value for name, value in update.items() if name != REENGINEERING}
        options = update.get(REENGINEERING)
        reengineering = self.reengineering
        if options:
            try:
                reengineering = Reengineering.model_validate(
                    {**reengineering.model_dump(), **options}
                )
            except ValidationError as error:  # one line: the rule it breaks
                raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None
        return InForce(self.levers.model_copy(update=levers), reengineering)


class ScheduleEntry(Frozen):
    """From working day ``day``, in ``districts`` (all if empty), set ``levers`` and
    ``reengineering`` options."""

    day: int = Field(ge=0, le=100_000, description="first working day it applies (0 = first)")
    districts: tuple[int, ...] = Field(
        (),
        description="home districts of the cases it applies to (0-based); all when omitted",
        strict=False,  # a TOML array is a list
    )
    levers: ScheduledLevers = Field(
        default_factory=ScheduledLevers, description="the levers set from that day"
    )
    reengineering: ScheduledReengineering = Field(
        default_factory=ScheduledReengineering,
        description="the re-engineering options set from that day (``[reengineering]``)",
    )

    @model_validator(mode="after")
    def _sets_something(self) -> ScheduleEntry:
        if not self.update():
            raise ValueError(
                f"levers: an entry must set at least one of: {', '.join(SCHEDULABLE)}, or a "
                f"reengineering option ({', '.join(Reengineering.model_fields)})"
            )
        city = self.levers.city_wide()
        if city and self.districts:
            raise ValueError(
                f"districts: {', '.join(city)} acts on the whole city; an entry setting it names "
                "no districts"
            )
        return self

    def update(self) -> dict[str, Any]:
        """What the entry sets (``what_is_set``)."""
        return what_is_set(self.levers, self.reengineering)


def what_is_set(levers: _Scheduled, reengineering: _Scheduled) -> dict[str, Any]:
    """The levers set by name and the re-engineering options set under ``REENGINEERING`` (the
    update ``InForce.updated`` takes)."""
    update = levers.given()
    options = reengineering.given()
    return {**update, REENGINEERING: options} if options else update


def entry_data(day: int, districts: tuple[int, ...], update: dict[str, Any]) -> dict[str, Any]:
    """The fields of a ``ScheduleEntry`` that sets ``update`` (``ScheduleEntry.update``)."""
    levers = {name: value for name, value in update.items() if name != REENGINEERING}
    data = {"day": day, "districts": list(districts), "levers": levers}
    return {**data, REENGINEERING: update[REENGINEERING]} if REENGINEERING in update else data


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
    """Districts named by schedule entries exist; the re-engineering each district reaches
    keeps the rules of ``[reengineering]`` and names existing services and documents."""
    check_districts(scenario, "schedule")
    scheduled_states(scenario)


def scheduled_states(scenario) -> tuple[list[InForce], dict[int, list[Change]]]:
    """What the schedule puts districts under, the scenario's own first (entries in day order,
    file order within a day; a later entry overrides an earlier one where both set something),
    and its changes by day; a ``ValueError`` naming the entry that breaks a rule."""
    entries: dict[int, list[Change]] = {}
    schedule = sorted(enumerate(scenario.schedule), key=lambda pair: pair[1].day)  # stable
    states = [InForce.of(scenario)]
    current = states * scenario.world.districts
    for day, group in groupby(schedule, key=lambda pair: pair[1].day):
        for index, entry in group:
            change = (entry.districts, entry.update())
            entries.setdefault(day, []).append(change)
            try:
                set_in_force(current, *change)
                check_in_force(scenario, current)
            except ValueError as error:
                raise ValueError(f"schedule.{index}.reengineering: {error}") from None
        # what districts are under at that day's start
        states += [state for state in dict.fromkeys(current) if state not in states]
    return states, entries


def check_in_force(scenario, states: list[InForce]) -> None:
    """The re-engineering of each of ``states`` names existing services and documents."""
    for state in dict.fromkeys(states):
        check_reengineering(scenario.model_copy(update={REENGINEERING: state.reengineering}))


def set_in_force(states: list[InForce], districts: tuple[int, ...], update: dict[str, Any]) -> None:
    """Set ``update`` in the ``states`` of ``districts`` (every district when empty), in place."""
    for district in districts or range(len(states)):
        states[district] = states[district].updated(update)
