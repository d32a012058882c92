"""A route's shape: the precedence edges of a service's steps and its probabilistic branches.

A step may end in **branches** (``[[services.X.steps]] branches = [{to = ..., p = ...}]``): when
it ends, its case draws one number (keyed by the case, ``model.draws``) and takes branch ``to``
with probability ``p``; with the rest it goes on as the precedence graph says. ``to`` is

- a later step that waits for this one (directly or through others): a **choice**; the chosen
  step runs and the other steps this step's branches name ahead are skipped (they end at once,
  without work, and the steps after them still run); going on skips them all; a skipped step
  stays skipped until this step chooses again (after a loop back through it);
- this step or an earlier one it waits for: a **loop** (rework, 退回补正): the steps from that
  target up to this one (the target, this step, and the steps between them in the graph) are done
  again in order, with fresh service times; at most ``max_loops`` loops per case (a loop beyond
  the cap is not taken: the case goes on);
- ``"exit"``: the case leaves; every step waiting for this one is skipped.

A branch with ``correction = true`` is a return for correction: an open government prevents it as
it prevents a missing document (its probability times ``1 - world.transparency_effect ·
levers.transparency``). Two loops whose steps overlap must lie on one path (one loop's last step
waits for the other's), so that a loop never restarts a step in progress.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
from pydantic import Field

from govlab.scenarios.fields import Frozen

if TYPE_CHECKING:
    from govlab.scenarios.services import CaseType

EXIT = "exit"
MAX_PREDECESSORS = 62  # a step's predecessors are bits of one 64-bit word (model.kernel)


class Branch(Frozen):
    """One outcome of a step's end, drawn with the case's own number."""

    to: str = Field(max_length=64, description="a step name of the service, or 'exit'")
    p: float = Field(gt=0.0, le=1.0, description="probability of this branch; 0-1")
    correction: bool = Field(
        False, description="a return for correction, prevented by transparency like a missing paper"
    )


def dependency_edges(service: CaseType) -> list[tuple[int, int]]:
    """The precedence graph of a service's catalogue steps as edges ``(before, after)``: in-case
    documents (from the last earlier step issuing each), barriers and ``after`` names."""
    steps = service.steps
    names = {step.name: i for i, step in enumerate(steps) if step.name}
    edges: set[tuple[int, int]] = set()
    issuer: dict[str, int] = {}
    for i, step in enumerate(steps):
        edges.update((issuer[doc], i) for doc in step.requires if doc in issuer)
        edges.update((names[name], i) for name in step.after)
        for j in range(i):
            if not step.approval or not steps[j].approval:
                edges.add((j, i))
        issuer.update(dict.fromkeys(step.issues, i))
    return sorted(edges)


def loop_steps(graph: nx.DiGraph, target: int, end: int) -> list[int]:
    """The steps a loop from ``end`` back to ``target`` does again: the target, the end, and the
    steps between them in ``graph`` (descendants of the target that are ancestors of the end)."""
    between = nx.descendants(graph, target) & nx.ancestors(graph, end)
    return sorted({target, end, *between})


def check_branches(service_name: str, service: CaseType) -> None:
    """Branch targets exist and lie where their kind needs them, probabilities sum to at most 1,
    overlapping loops lie on one path, and no step waits for more than ``MAX_PREDECESSORS``
    others (one-line errors naming the field)."""
    names = {step.name: i for i, step in enumerate(service.steps) if step.name}
    graph = nx.DiGraph(dependency_edges(service))
    graph.add_nodes_from(range(len(service.steps)))
    waits = max(dict(nx.transitive_reduction(graph).in_degree()).values(), default=0)
    if waits > MAX_PREDECESSORS:  # the most any approval or bundling leaves (the parallel graph)
        raise ValueError(
            f"services.{service_name}.steps: a step waits for {waits} others under parallel "
            f"approval; at most {MAX_PREDECESSORS}"
        )
    loops: list[tuple[int, set[int]]] = []
    for i, step in enumerate(service.steps):
        where = f"services.{service_name}.steps.{i}.branches"
        total = sum(branch.p for branch in step.branches)
        if total > 1.0 + 1e-12:
            raise ValueError(f"{where}: probabilities sum to {total:g}; at most 1")
        for k, branch in enumerate(step.branches):
            if branch.to == EXIT:
                continue
            if branch.to not in names:
                allowed = sorted({*names, EXIT})
                raise ValueError(f"{where}.{k}.to: {branch.to!r} is not one of {allowed}")
            target = names[branch.to]
            if target == i or target in nx.ancestors(graph, i):
                loops.append((i, set(loop_steps(graph, target, i))))
            elif target not in nx.descendants(graph, i):
                raise ValueError(
                    f"{where}.{k}.to: {branch.to!r} neither waits for this step (a choice ahead) "
                    "nor is waited for by it (a loop back); give it `after` or a document"
                )
    for a, (end_a, steps_a) in enumerate(loops):
        for end_b, steps_b in loops[a + 1 :]:
            on_one_path = (
                end_a == end_b
                or end_a in nx.ancestors(graph, end_b)
                or end_b in nx.ancestors(graph, end_a)
            )
            if steps_a & steps_b and not on_one_path:
                raise ValueError(
                    f"services.{service_name}.steps.{end_b}.branches: its loop shares steps with "
                    f"the loop of step {end_a}, which runs beside it; loops that overlap must "
                    "lie on one path"
                )
