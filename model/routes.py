"""Case plans: the service catalogue compiled into index form, once per model.

A plan lists a case type's steps with their documents sorted by who holds them, and its blocks:
under sequential approval every step is its own block; under parallel approval (并联) all steps
marked ``approval`` form one block that forks and joins, placed where the first of them stood.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.records import ENTERPRISE, RESIDENT
from scenarios import Scenario


@dataclass(frozen=True, slots=True)
class StepPlan:
    """One step: where, how long, and which documents by holder (as document indices)."""

    function: int
    counter_days: float
    backoffice_days: float
    applicant_docs: tuple[int, ...]
    government_docs: tuple[int, ...]
    case_docs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CasePlan:
    """A case type ready for the event loop."""

    index: int
    name: str
    applicant: str
    online: bool
    rate_per_day: float
    steps: tuple[StepPlan, ...]
    blocks: tuple[tuple[int, ...], ...]
    government_docs: tuple[int, ...]
    counter_days_total: float

    @property
    def kind(self) -> int:
        """Applicant kind: ``RESIDENT`` or ``ENTERPRISE`` (``model.records``)."""
        return RESIDENT if self.applicant == "resident" else ENTERPRISE


def _blocks(approval_flags: list[bool], parallel: bool) -> tuple[tuple[int, ...], ...]:
    if not parallel:
        return tuple((i,) for i in range(len(approval_flags)))
    blocks: list[tuple[int, ...]] = []
    forked = tuple(i for i, flag in enumerate(approval_flags) if flag)
    for i, flag in enumerate(approval_flags):
        if not flag:
            blocks.append((i,))
        elif i == forked[0]:
            blocks.append(forked)
    return tuple(blocks)


def compile_plans(scenario: Scenario) -> tuple[CasePlan, ...]:
    """Compile every case type of the scenario into a CasePlan."""
    functions = list(scenario.functions)
    documents = list(scenario.documents)
    hours = scenario.world.working_hours_per_day
    parallel = scenario.levers.approval == "parallel"
    plans = []
    for index, (name, service) in enumerate(scenario.services.items()):
        issued: set[str] = set()
        steps = []
        external: list[int] = []
        for step in service.steps:
            own, government, in_case = [], [], []
            for doc in step.requires:
                code = documents.index(doc)
                if doc in issued:
                    in_case.append(code)
                elif scenario.documents[doc].issuer == "applicant":
                    own.append(code)
                else:
                    government.append(code)
                    if code not in external:
                        external.append(code)
            steps.append(
                StepPlan(
                    functions.index(step.function),
                    step.counter_hours / hours,
                    step.backoffice_days,
                    tuple(own),
                    tuple(government),
                    tuple(in_case),
                )
            )
            issued.update(step.issues)
        plans.append(
            CasePlan(
                index,
                name,
                service.applicant,
                service.online,
                service.rate_per_year / scenario.world.working_days_per_year,
                tuple(steps),
                _blocks([s.approval for s in service.steps], parallel),
                tuple(external),
                sum(s.counter_days for s in steps),
            )
        )
    return tuple(plans)
