"""Case plans: the service catalogue compiled into index form, once per model.

A plan lists a case type's steps with their documents sorted by who holds them, and its
**precedence graph**: the steps each step waits for. A step needs every document it requires
that an earlier step of the same case issues; a step with ``approval = false`` is a barrier (it
waits for every earlier step, and every later step waits for it); ``after`` names further
predecessors. Under parallel approval (并联) a case runs this graph: a step starts as soon as all
its predecessors have ended, so without congestion a case takes its critical path. Under
sequential approval (串联) each step waits for the one written before it.

Bundling (``[reengineering]``, 一件事一次办) merges the steps of one function in a case into one
step (one counter contact, one back-office task) wherever the merge leaves the graph without a
cycle; the merged graph orders the steps (written order breaks ties). A merged step keeps its
members' times as ``parts``: its counter and back-office service times are the sums of the
members' own case-keyed draws (as the front desk's time is the sum of the steps' counter draws),
not one draw at the summed mean. The other
re-engineering levers change the catalogue before it gets here (``model.reengineering``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx

from govlab.model.records import ENTERPRISE, RESIDENT
from govlab.scenarios import CaseType, Scenario
from govlab.scenarios.routing import EXIT, MAX_PREDECESSORS, dependency_edges, loop_steps

__all__ = ["BranchPlan", "CasePlan", "StepPlan", "compile_plans", "dependency_edges"]

# Branch kinds (scenarios.routing): a choice ahead, a loop back, the case leaving.
CHOICE, LOOP, LEAVE = range(3)


@dataclass(frozen=True, slots=True)
class BranchPlan:
    """One branch of a step's end, in plan step numbers.

    ``p`` is the probability the case takes it (a return for correction already scaled by
    transparency); ``skip`` the steps it skips (a choice: the step's other targets ahead; leaving:
    every step waiting for this one). A loop does ``loop`` again (in plan order; the first is the
    target), each restarting with ``arrived`` = its predecessors outside the loop as bits of its
    ``CasePlan.predecessors`` (they stay done)."""

    kind: int
    p: float
    target: int
    skip: tuple[int, ...] = ()
    loop: tuple[int, ...] = ()
    arrived: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class StepPlan:
    """One step: where, how long, which documents by holder (as document indices), and the
    catalogue steps it stands for (more than one when bundled).

    ``parts`` holds, per member, ``(draw step, counter days, back-office days)``: the draw step
    (catalogue index + 1) keys the member's random service times (``model.draws``), so a bundled
    step takes the sum of the draws its members would take unbundled. ``key`` (the first
    member's draw step) keys the step's other numbers (missing papers, hand-off, rework)."""

    function: int
    counter_days: float
    backoffice_days: float
    applicant_docs: tuple[int, ...]
    government_docs: tuple[int, ...]
    case_docs: tuple[int, ...]
    members: tuple[int, ...] = ()
    parts: tuple[tuple[int, float, float], ...] = ()
    branches: tuple[BranchPlan, ...] = ()
    skip_on: tuple[int, ...] = ()  # skipped when the case goes on: every choice target ahead

    @property
    def key(self) -> int:
        """The draw step of the step's own numbers: its first member's catalogue index + 1."""
        return self.members[0] + 1


@dataclass(frozen=True, slots=True)
class CasePlan:
    """A case type ready for the event loop.

    ``predecessors[i]`` are the steps step i waits for (the precedence graph under the
    scenario's approval lever, transitively reduced); ``successors[i]`` (the steps waiting for
    step i) and ``sources`` (the steps waiting for none) are the same graph read forward, in
    order; ``slots[i][j]`` is step i's bit in the predecessors of ``successors[i][j]`` (a step
    is ready when all its predecessors' bits have arrived). ``materials`` counts the distinct
    documents the case requires from outside itself (applicant papers and government documents).
    ``max_loops``: loops back one case may take.
    """

    index: int
    name: str
    applicant: str
    online: bool
    rate_per_day: float
    steps: tuple[StepPlan, ...]
    predecessors: tuple[tuple[int, ...], ...]
    government_docs: tuple[int, ...]
    counter_days_total: float
    materials: int
    successors: tuple[tuple[int, ...], ...]
    sources: tuple[int, ...]
    slots: tuple[tuple[int, ...], ...] = ()
    max_loops: int = 0

    @property
    def kind(self) -> int:
        """Applicant kind: ``RESIDENT`` or ``ENTERPRISE`` (``model.records``)."""
        return RESIDENT if self.applicant == "resident" else ENTERPRISE

    def procedures(self, front_desk: bool) -> int:
        """Counter contacts plus back-office tasks of one case without returns (the front desk
        is one contact for all steps)."""
        counters = 1 if front_desk else sum(s.counter_days > 0.0 for s in self.steps)
        return counters + sum(s.backoffice_days > 0.0 for s in self.steps)


def _contracted(n: int, edges: list[tuple[int, int]], group_of: list[int]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(set(group_of)))
    graph.add_edges_from((group_of[a], group_of[b]) for a, b in edges if group_of[a] != group_of[b])
    return graph


def routed_steps(service: CaseType) -> set[int]:
    """The catalogue steps with branches or named by one (bundling leaves them alone)."""
    names = {step.name: i for i, step in enumerate(service.steps) if step.name}
    routed = {i for i, step in enumerate(service.steps) if step.branches}
    routed.update(names[b.to] for step in service.steps for b in step.branches if b.to != EXIT)
    return routed


def bundle_groups(service: CaseType, edges: list[tuple[int, int]]) -> list[int]:
    """Bundling: each catalogue step's group (the first step of the group), merging a step into
    the earliest group of its function that keeps the graph acyclic. Steps with branches, and
    their targets, stay alone."""
    n = len(service.steps)
    group_of = list(range(n))
    routed = routed_steps(service)
    for j in range(n):
        if j in routed:
            continue
        for g in sorted(set(group_of[:j])):
            if g in routed or service.steps[g].function != service.steps[j].function:
                continue
            trial = [g if x == j else x for x in group_of]
            if nx.is_directed_acyclic_graph(_contracted(n, edges, trial)):
                group_of = trial
                break
    return group_of


def compile_plans(scenario: Scenario) -> tuple[CasePlan, ...]:
    """Compile every case type of the scenario into a CasePlan."""
    parallel = scenario.levers.approval == "parallel"
    bundled = scenario.reengineering
    plans = []
    for index, (name, service) in enumerate(scenario.services.items()):
        edges = dependency_edges(service)
        n = len(service.steps)
        group_of = (
            bundle_groups(service, edges)
            if bundled.bundle_all or name in bundled.bundle_services
            else list(range(n))
        )
        graph = _contracted(n, edges, group_of)
        order = list(nx.lexicographical_topological_sort(graph))  # ties: written order
        groups = [tuple(i for i in range(n) if group_of[i] == g) for g in order]
        steps = _step_plans(scenario, service, groups)
        if parallel:
            reduced = nx.transitive_reduction(graph)
            position = {g: k for k, g in enumerate(order)}
            predecessors = tuple(
                tuple(sorted(position[p] for p in reduced.predecessors(g))) for g in order
            )
        else:
            predecessors = tuple(() if k == 0 else (k - 1,) for k in range(len(order)))
        if max(map(len, predecessors), default=0) > MAX_PREDECESSORS:  # bundling merged many
            raise ValueError(
                f"services.{name}: a bundled step waits for more than {MAX_PREDECESSORS} others"
            )
        steps = _with_branches(scenario, service, groups, steps, predecessors)
        external = dict.fromkeys(d for s in steps for d in (*s.applicant_docs, *s.government_docs))
        government = tuple(dict.fromkeys(d for s in steps for d in s.government_docs))
        plans.append(
            CasePlan(
                index,
                name,
                service.applicant,
                service.online,
                service.rate_per_year / scenario.world.working_days_per_year,
                steps,
                predecessors,
                government,
                sum(s.counter_days for s in steps),
                len(external),
                tuple(
                    tuple(k for k, before in enumerate(predecessors) if i in before)
                    for i in range(len(steps))
                ),
                tuple(k for k, before in enumerate(predecessors) if not before),
                tuple(
                    tuple(
                        predecessors[k].index(i)
                        for k, before in enumerate(predecessors)
                        if i in before
                    )
                    for i in range(len(steps))
                ),
                service.max_loops,
            )
        )
    return tuple(plans)


def _with_branches(
    scenario: Scenario,
    service: CaseType,
    groups: list[tuple[int, ...]],
    steps: tuple[StepPlan, ...],
    predecessors: tuple[tuple[int, ...], ...],
) -> tuple[StepPlan, ...]:
    """The steps with their branches in plan numbers (``BranchPlan``)."""
    if not any(step.branches for step in service.steps):
        return steps
    position = {i: k for k, members in enumerate(groups) for i in members}
    names = {step.name: position[i] for i, step in enumerate(service.steps) if step.name}
    graph = nx.DiGraph((p, k) for k, before in enumerate(predecessors) for p in before)
    graph.add_nodes_from(range(len(steps)))
    world, levers = scenario.world, scenario.levers
    prevented = 1.0 - world.transparency_effect * levers.transparency
    planned = list(steps)
    for i, catalogue_step in enumerate(service.steps):
        if not catalogue_step.branches:
            continue
        k = position[i]
        ahead = tuple(
            names[b.to]
            for b in catalogue_step.branches
            if b.to != EXIT and names[b.to] != k and names[b.to] not in nx.ancestors(graph, k)
        )
        branches = []
        for branch in catalogue_step.branches:
            p = branch.p * (prevented if branch.correction else 1.0)
            if branch.to == EXIT:
                branches.append(BranchPlan(LEAVE, p, -1, tuple(sorted(nx.descendants(graph, k)))))
                continue
            target = names[branch.to]
            if target in ahead:
                skip = tuple(t for t in ahead if t != target)
                branches.append(BranchPlan(CHOICE, p, target, skip))
                continue
            loop = tuple(loop_steps(graph, target, k))
            arrived = tuple(
                sum(1 << j for j, p in enumerate(predecessors[m]) if p not in loop) for m in loop
            )
            branches.append(BranchPlan(LOOP, p, target, (), loop, arrived))
        planned[k] = replace(steps[k], branches=tuple(branches), skip_on=ahead)
    return tuple(planned)


def _step_plans(
    scenario: Scenario, service: CaseType, groups: list[tuple[int, ...]]
) -> tuple[StepPlan, ...]:
    """One StepPlan per group of catalogue steps: summed times; the documents the members need,
    except those a member issues for another (in written order: a document is issued in the case
    if an earlier step issues it)."""
    functions = list(scenario.functions)
    documents = list(scenario.documents)
    hours = scenario.world.working_hours_per_day
    issuer: dict[str, int] = {}
    in_case: list[dict[str, int]] = []  # per step: in-case document -> the step issuing it
    for i, step in enumerate(service.steps):
        in_case.append({doc: issuer[doc] for doc in step.requires if doc in issuer})
        issuer.update(dict.fromkeys(step.issues, i))
    plans = []
    for members in groups:
        own: dict[int, None] = {}
        government: dict[int, None] = {}
        case: dict[int, None] = {}
        for i in members:
            for doc in service.steps[i].requires:
                code = documents.index(doc)
                if doc in in_case[i]:
                    if in_case[i][doc] not in members:
                        case[code] = None
                elif scenario.documents[doc].issuer == "applicant":
                    own[code] = None
                else:
                    government[code] = None
        first = service.steps[members[0]]
        plans.append(
            StepPlan(
                functions.index(first.function),
                sum(service.steps[i].counter_hours for i in members) / hours,
                sum(service.steps[i].backoffice_days for i in members),
                tuple(own),
                tuple(government),
                tuple(case),
                members,
                tuple(
                    (
                        i + 1,
                        service.steps[i].counter_hours / hours,
                        service.steps[i].backoffice_days,
                    )
                    for i in members
                ),
            )
        )
    return tuple(plans)
