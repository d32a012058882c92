"""The batch runner: plan an experiment, skip what the store already has, run the rest, record all.

Resume is the normal case: runs whose key is stored as ``done`` with the same digest and seed are
skipped; failed and missing ones run. A stored finished run whose digest differs (the scenario was
edited, or the model's code changed) is another definition: the batch is refused with a message,
unless ``set_aside`` moves those runs to an experiment of their own or ``fresh`` deletes them.
Every result is written (one transaction per run) as soon as it arrives, so a killed batch loses
only the runs in flight. A run that raises is stored as ``failed`` with its traceback and the
batch goes on, always (even the very first run). Progress (done / failed / remaining, ETA) is a
Rich bar on a terminal and a final summary line in every case.

Batches sharing a store share the work: each run is claimed in the store before it is sent to a
worker (``experiments.feed.ClaimFeed``), so that every run is computed once, and a batch ends
only when every run of its plan is stored (waiting for the runs other batches compute).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from govlab.experiments.defaults import DEFAULT_CLAIM_SECONDS
from govlab.experiments.designs import Design, make_design
from govlab.experiments.executors import Executor
from govlab.experiments.feed import ClaimFeed
from govlab.experiments.plan import RunSpec, plan_runs
from govlab.experiments.spec import Experiment, ExperimentError
from govlab.results.provenance import git_commit, model_version
from govlab.results.store import Store, StoreError


@dataclass
class BatchOutcome:
    """What a batch did."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    elsewhere: int = 0  # runs stored meanwhile by other batches sharing the store
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every run of the experiment is done."""
        return self.failed == 0

    def line(self) -> str:
        """One-line summary."""
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        others = f", {self.elsewhere} by other batches" if self.elsewhere else ""
        return (
            f"{self.total} runs: {self.skipped} already stored, {self.done} done, "
            f"{self.failed} failed{others} in {self.seconds:.1f} s ({rate:.1f} runs/s)"
        )


def design_record(design: Design, experiment: Experiment) -> dict:
    """The design as JSON for the store (points, SALib problem, options and raw matrix)."""
    sample = experiment.sample
    options = (
        None if sample is None else {"second_order": sample.second_order, "levels": sample.levels}
    )
    if experiment.uncertainties is not None:  # uncertainties: Sobol first order only
        options = {"second_order": False, "levels": 4, "uncertainties": True}
    return {
        "method": design.method,
        "options": options,
        "points": design.points,
        "problem": design.problem,
        "matrix": None if design.matrix is None else design.matrix.tolist(),
    }


def preflight(runs: list[RunSpec]) -> None:
    """Build a model and step one day, so that a wrong ``keep.series`` fails early.

    Tries the first run of each scenario until one builds: a model that fails to build is not a
    mistake in the experiment file; its runs fail when they run, are recorded as failed, and the
    batch goes on.
    """
    if not runs or runs[0].series is None:
        return
    from govlab.model import GovernanceModel

    firsts = {run.label: run for run in reversed(runs)}.values()
    for spec in reversed(list(firsts)):
        try:
            model = GovernanceModel(spec.scenario, rng=spec.seed)
            model.step()
        except Exception:  # the run itself will fail and be recorded with its traceback
            continue
        columns = list(model.datacollector.get_model_vars_dataframe().columns)
        missing = [name for name in spec.series or () if name not in columns]
        if missing:
            raise ExperimentError(
                f"keep.series: the model has no series {missing}; it has {columns}"
            )
        return


def check_definitions(
    store: Store,
    name: str,
    experiment_id: int,
    runs: list[RunSpec],
    set_aside: bool,
    console: Console,
) -> None:
    """Refuse to add runs beside finished runs of another definition, or set those aside."""
    stale = store.conflicts(experiment_id, {run.key: run.digest for run in runs})
    if not stale:
        return
    versions = sorted({version or "unrecorded" for version in stale.values()})
    current = model_version()
    cause = (
        f"the model's code changed (stored model version {', '.join(versions)}, now {current})"
        if any(version != current for version in stale.values())
        else "a scenario or parameter was edited since"
    )
    if not set_aside:
        raise StoreError(
            f"experiment {name!r} in {store.safe_url} holds {len(stale)} finished run(s) of "
            f"another definition: {cause}; pass --set-aside to keep them apart and rerun, "
            "or --fresh to delete them"
        )
    aside = store.set_aside(name, sorted(stale))
    console.print(
        f"{name}: {len(stale)} run(s) of another definition set aside as {aside!r} ({cause})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def progress_bar(console: Console) -> Progress:
    """The batch progress bar: runs done / failed / remaining and an ETA."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "done {task.fields[done]} · failed {task.fields[failed]} · left {task.fields[left]}"
        ),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,
    )


def run_batch(
    experiment: Experiment,
    scenarios: dict,
    store: Store,
    executor: Executor,
    *,
    source: str | Path | None = None,
    fresh: bool = False,
    set_aside: bool = False,
    console: Console | None = None,
    on_start: Callable[[], None] | None = None,
    claim_seconds: float = DEFAULT_CLAIM_SECONDS,
) -> BatchOutcome:
    """Run every missing or failed run of ``experiment`` and store each result.

    Each run is claimed for ``claim_seconds`` (renewed while it runs) before it is computed;
    runs that other batches claimed are left to them (and waited for), see ``ClaimFeed``.

    Raises:
        ExperimentError: a design point or the kept series do not fit the scenarios.
        results.store.StoreError: the name is stored with a different specification, or holds
            finished runs of another definition (unless ``set_aside`` or ``fresh``).
    """
    console = console or Console(stderr=True)
    design = make_design(experiment)
    runs = plan_runs(experiment, scenarios, design, str(source or experiment.name))
    preflight(runs)
    experiment_id = store.register(
        experiment.name,
        experiment.model_dump(mode="json"),
        experiment.identity(),
        design_record(design, experiment),
        str(source) if source else None,
        fresh=fresh,
    )
    check_definitions(store, experiment.name, experiment_id, runs, set_aside, console)
    finished = store.finished(experiment_id)
    todo = [run for run in runs if finished.get(run.key) != (run.digest, run.seed)]
    outcome = BatchOutcome(total=len(runs), skipped=len(runs) - len(todo))
    if on_start is not None:  # every check passed: the caller's banner comes after any error
        on_start()
    if not todo:
        return outcome
    commit = git_commit()
    start = time.perf_counter()
    with progress_bar(console) as progress:
        task = progress.add_task(
            experiment.name,
            total=len(runs),
            completed=outcome.skipped,
            done=0,
            failed=0,
            left=len(todo),
        )

        def notify(message: str) -> None:
            progress.console.print(
                f"{experiment.name}: {message}", markup=False, highlight=False, soft_wrap=True
            )

        with ClaimFeed(store, experiment_id, todo, claim_seconds, notify) as feed:
            for spec, result in executor.run(feed):
                store.write_run(experiment_id, spec, result, commit, owner=feed.owner)
                if result["status"] == "done":
                    outcome.done += 1
                else:
                    outcome.failed += 1
                    outcome.failures.append((spec.key, result["error"]))
                outcome.elsewhere = feed.elsewhere
                progress.update(
                    task,
                    completed=outcome.skipped + outcome.done + outcome.failed + outcome.elsewhere,
                    done=outcome.done,
                    failed=outcome.failed,
                    left=len(todo) - outcome.done - outcome.failed - outcome.elsewhere,
                )
            outcome.elsewhere = feed.elsewhere
    outcome.seconds = time.perf_counter() - start
    return outcome
