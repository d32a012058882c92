"""Design points of an experiment: none, a full grid, or a SALib sample (lhs | sobol | morris).

A design is a list of points, each a ``{"dotted.path": value}`` dict applied on top of every
scenario. Sampled designs keep the SALib ``problem`` and the raw sample matrix, which the
sensitivity analysis needs in the same order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from govlab.experiments.spec import Experiment, Sample


@dataclass(frozen=True)
class Design:
    """The points of an experiment's design.

    Attributes:
        method: ``single`` (no design), ``grid``, ``lhs``, ``sobol`` or ``morris``.
        points: one override dict per point, in design order.
        problem: the SALib problem (sampled designs only).
        matrix: the raw sample, one row per point (sampled designs only).
    """

    method: str
    points: list[dict[str, Any]]
    problem: dict[str, Any] | None = None
    matrix: np.ndarray | None = field(default=None, repr=False)


def grid(sweep: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the sweep's values; the last parameter varies fastest."""
    names = list(sweep)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*sweep.values())]


def problem_of(sample: Sample) -> dict[str, Any]:
    """The SALib problem dict of a sample."""
    return {
        "num_vars": len(sample.parameters),
        "names": list(sample.parameters),
        "bounds": [[bounds.low, bounds.high] for bounds in sample.parameters.values()],
    }


def sample_matrix(sample: Sample, seed: int) -> np.ndarray:
    """The raw sample matrix (points × parameters) drawn with SALib."""
    problem = problem_of(sample)
    seed = sample.seed if sample.seed is not None else seed
    if sample.method == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, sample.n, seed=seed)
    if sample.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, sample.n, calc_second_order=sample.second_order, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, sample.n, num_levels=sample.levels, seed=seed)


def make_design(experiment: Experiment) -> Design:
    """The design of ``experiment``: one empty point when it has neither sweep nor sample."""
    if experiment.uncertainties is not None:
        from govlab.experiments.uncertainties import crossed, sample_points

        points, matrix = sample_points(experiment.uncertainties, experiment.seed)
        if experiment.sweep:  # levers crossed with uncertainties: no SALib analysis of the grid
            return Design(
                "grid×" + experiment.uncertainties.method, crossed(grid(experiment.sweep), points)
            )
        problem = experiment.uncertainties.problem()
        return Design(experiment.uncertainties.method, points, problem, matrix)
    if experiment.sweep:
        return Design("grid", grid(experiment.sweep))
    sample = experiment.sample
    if sample is None:
        return Design("single", [{}])
    matrix = sample_matrix(sample, experiment.seed)
    ranges = list(sample.parameters.items())
    points = [
        {
            name: int(np.rint(value)) if bounds.integer else float(value)
            for (name, bounds), value in zip(ranges, row, strict=True)
        }
        for row in matrix
    ]
    return Design(sample.method, points, problem_of(sample), matrix)
