"""The resolved scenarios of a stored experiment, for its report (delay window, lever diff).

The store keeps each run's scenario name, design point and digest, not the resolved scenario.
``resolved_scenarios`` re-reads the experiment's stored specification, resolves its scenarios
from the files as they are now (relative to the experiment file it was run from) and checks
each against the stored runs' digests: a note says when the files have changed since the runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govlab.experiments.plan import plan_runs
from govlab.experiments.spec import ExperimentError, parse_experiment, resolve_scenarios


def resolved_scenarios(data) -> tuple[dict[str, dict[str, Any]] | None, list[str], bool]:
    """Each label's resolved scenario at design point 0 (JSON), notes on how it was found, and
    whether it matches the stored runs' digests.

    Args:
        data: a ``results.frames.ExperimentData``.
    """
    source = data.experiment.source or data.experiment.name
    spec = dict(data.spec)
    try:
        experiment = parse_experiment(spec, source)
        scenarios = resolve_scenarios(experiment, Path(source).parent, source)
        runs = plan_runs(experiment, scenarios, source=source)
    except (ExperimentError, OSError) as error:
        return None, [f"scenarios could not be resolved again: {error}"], False
    first = {(r.label, r.point): r for r in runs if r.replication == 0}
    stored = data.runs[data.runs["status"] == "done"]
    stored_digests = dict(zip(zip(stored["label"], stored["point"], strict=True),
                              stored["digest"], strict=True))  # fmt: skip
    changed = sorted(
        {label for (label, point), run in first.items()
         if (label, point) in stored_digests and stored_digests[(label, point)] != run.digest}
    )  # fmt: skip
    notes = [f"Scenarios resolved from {source} and the scenario files as they are now."]
    if changed:
        notes.append(
            f"Warning: the digests of {', '.join(changed)} differ from those of the runs (the "
            "scenario files or the model changed since): the lever table and the warm-up shown "
            "may not be those the runs used."
        )
    else:
        notes.append("They match the digests of the stored runs.")
    resolved = {
        label: first[(label, 0)].scenario.model_dump(mode="json")
        for label in experiment.labels
        if (label, 0) in first
    }
    return resolved, notes, not changed
