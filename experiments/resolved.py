"""The resolved scenarios of a stored experiment, for its report (delay window, lever diff) and
its export (each run's levers), and whether its runs are stale.

The store keeps each run's scenario name, design point and digest, not the resolved scenario.
``resolved_scenarios`` re-reads the experiment's stored specification, resolves its scenarios
from the files as they are now (relative to the experiment file it was run from) and checks
each against the stored runs' digests: a note says when the files have changed since the runs.
``run_scenarios`` does the same run by run and keeps only the scenarios that reproduce a run's
digest exactly. ``govlab report`` shows those notes; ``govlab compare`` warns with
``stale_note``, from the same check (``_changed``), so both flag the same runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govlab.experiments.plan import digest_of, plan_runs
from govlab.experiments.spec import ExperimentError, parse_experiment, resolve_scenarios
from govlab.experiments.uncertainties import apply_point
from govlab.scenarios import Scenario, ScenarioError


def _changed(data) -> tuple[Any, dict, list[str]]:
    """The experiment parsed again, its runs at replication 0 by (label, point) as planned from
    the files as they are now, and the labels whose stored finished runs have other digests.

    Raises:
        ExperimentError, OSError: the specification or a scenario cannot be resolved again.
    """
    source = data.experiment.source or data.experiment.name
    experiment = parse_experiment(dict(data.spec), source)
    scenarios = resolve_scenarios(experiment, Path(source).parent, source)
    runs = plan_runs(experiment, scenarios, source=source)
    first = {(r.label, r.point): r for r in runs if r.replication == 0}
    stored = data.runs[data.runs["status"] == "done"]
    stored_digests = dict(zip(zip(stored["label"], stored["point"], strict=True),
                              stored["digest"], strict=True))  # fmt: skip
    changed = sorted(
        {label for (label, point), run in first.items()
         if (label, point) in stored_digests and stored_digests[(label, point)] != run.digest}
    )  # fmt: skip
    return experiment, first, changed


def resolved_scenarios(data) -> tuple[dict[str, dict[str, Any]] | None, list[str], bool]:
    """Each label's resolved scenario at design point 0 (JSON), notes on how it was found, and
    whether it matches the stored runs' digests.

    Args:
        data: a ``results.frames.ExperimentData``.
    """
    source = data.experiment.source or data.experiment.name
    try:
        experiment, first, changed = _changed(data)
    except (ExperimentError, OSError) as error:
        return None, [f"scenarios could not be resolved again: {error}"], False
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


def run_scenarios(data) -> tuple[dict[int, Scenario], list[str]]:
    """Each stored run's resolved scenario by run id, with notes on the runs left out.

    The scenarios are resolved again from the stored specification and the files as they are now,
    each run's design point applied; a run gets its scenario only if that reproduces the run's
    digest, computed with the run's own model version (so a later change of the code does not
    matter, an edited scenario file does).

    Args:
        data: a ``results.frames.ExperimentData``.
    """
    source = data.experiment.source or data.experiment.name
    try:
        experiment = parse_experiment(dict(data.spec), source)
        bases = resolve_scenarios(experiment, Path(source).parent, source)
    except (ExperimentError, OSError) as error:
        return {}, [f"the scenarios could not be resolved again: {error}"]
    found: dict[int, Scenario] = {}
    tried: dict[tuple, Scenario | None] = {}
    for run in data.runs.itertuples(index=False):
        params = run.params or {}
        key = (run.label, repr(sorted(params.items())), run.days, run.model_version, run.digest)
        if key not in tried:
            tried[key] = None
            if run.label in bases:
                try:
                    scenario = apply_point(bases[run.label], params, source)
                except ScenarioError:
                    continue
                if digest_of(scenario, run.days, run.model_version) == run.digest:
                    tried[key] = scenario
        if tried[key] is not None:
            found[run.id] = tried[key]
    missing = len(data.runs) - len(found)
    notes = []
    if missing:
        notes.append(
            f"{missing} of {len(data.runs)} run(s) could not be matched to their resolved scenario "
            f"(the scenario files under {source} changed since, or moved): their levers and "
            "warm-up are left empty"
        )
    return found, notes


def stale_note(data) -> str | None:
    """One line for ``govlab compare`` when the stored runs are not those the files would make
    now (exactly when ``resolved_scenarios`` says they do not match); None when they are."""
    source = data.experiment.source or data.experiment.name
    try:
        _, _, changed = _changed(data)
    except (ExperimentError, OSError) as error:
        return (
            f"the runs cannot be checked against the scenario files: scenarios could not be "
            f"resolved again: {error}"
        )
    if not changed:
        return None
    return (
        f"the digests of {', '.join(changed)} differ from those of the stored runs (the scenario "
        f"files or the model changed since): the numbers shown are those of the runs as stored; "
        f"`govlab batch {source} --set-aside` runs them again as the files are now"
    )
