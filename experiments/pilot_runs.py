"""The runs of a pilot evaluation (``govlab pilot``, issue 23 item 2): the pilot read from a
scenario's ``[[schedule]]``, its three arms, run and resumed through govlab's executors and store.

The pilot is the schedule's first day: every entry of that day names its districts (not all of
them) and sets the same levers (the reform). The pilot phase ends at the schedule's next day
(the roll-out), or at the run's end. The arms, paired by seed (replication ``r`` of every arm runs
from the same seed, ``experiments.seeds``):

- ``pilot``: the scenario with the entries of the pilot day only (what an evaluator watches
  before the roll-out);
- ``everywhere``: the reform in every district from the pilot day;
- ``nowhere``: no schedule.

They are one stored experiment ``pilot:<name>`` (labels as above, baseline ``nowhere``, so
``govlab compare pilot:<name>`` reads it too), keyed and digested like every batch's runs, so a
killed evaluation resumes and a finished one is read back without simulating. Each run keeps its
cases by home district and arrival day (``experiments.pilot_series``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from govlab.experiments.executors import Executor
from govlab.experiments.pilot_series import OUTCOMES, daily_arrays
from govlab.experiments.plan import Prepared, digest_of, replicate
from govlab.experiments.seeds import replication_seeds
from govlab.experiments.spec import ExperimentError
from govlab.results.pilot import ARMS, Panel, Windows
from govlab.results.provenance import git_commit
from govlab.results.store import Store
from govlab.scenarios import Scenario
from govlab.scenarios.schedule import entry_data


class PilotError(ExperimentError):
    """A pilot evaluation cannot be set up or finished; the message is one line."""


@dataclass(frozen=True)
class Pilot:
    """The pilot a schedule states: from ``day``, in ``districts``, set ``levers`` (and the
    re-engineering options under ``"reengineering"``: ``ScheduleEntry.update``); its phase ends
    at ``ends`` (the schedule's next day, or None)."""

    day: int
    districts: tuple[int, ...]
    levers: dict[str, Any]
    ends: int | None


def pilot_of(scenario: Scenario, source: str) -> Pilot:
    """The pilot of ``scenario.schedule`` (see the module docstring), or one ``PilotError``."""
    if scenario.trigger:
        raise PilotError(
            f"{source}: trigger: a pilot evaluation takes levers changed by [[schedule]] only, "
            "not by triggers (scenarios/triggers.py)"
        )
    entries = sorted(enumerate(scenario.schedule), key=lambda pair: pair[1].day)
    if not entries:
        raise PilotError(
            f"{source}: schedule: the scenario has no [[schedule]] entry; a pilot needs one "
            "naming its districts, e.g. day = 250, districts = [0], levers = {...}"
        )
    districts_total = scenario.world.districts
    day = entries[0][1].day
    first = [(index, entry) for index, entry in entries if entry.day == day]
    named: set[int] = set()
    for index, entry in first:
        if not entry.districts:
            raise PilotError(
                f"{source}: schedule.{index}.districts: the first entry (day {day}) applies to "
                "every district, so there is no pilot to evaluate; name the pilot's districts"
            )
        if entry.update() != first[0][1].update():
            raise PilotError(
                f"{source}: schedule.{index}.levers: the entries of the pilot day {day} set "
                "different levers or re-engineering; a pilot evaluates one reform"
            )
        named.update(entry.districts)
    if len(named) == districts_total:
        raise PilotError(
            f"{source}: schedule: the entries of day {day} cover every district (0 .. "
            f"{districts_total - 1}), so there is no district left to compare the pilot with"
        )
    later = [entry.day for _, entry in entries if entry.day > day]
    return Pilot(day, tuple(sorted(named)), first[0][1].update(), min(later, default=None))


def arms(scenario: Scenario, pilot: Pilot) -> dict[str, Scenario]:
    """The three arms' scenarios (``ARMS`` order)."""
    base = scenario.model_dump(mode="json")
    schedules = {
        "pilot": [entry_data(pilot.day, pilot.districts, pilot.levers)],
        "everywhere": [entry_data(pilot.day, (), pilot.levers)],
        "nowhere": [],
    }
    return {arm: Scenario.model_validate({**base, "schedule": schedules[arm]}) for arm in ARMS}


def check_days(pilot: Pilot, days: int, length: int, pre_days: int | None) -> Windows:
    """The analysis windows for a run of ``days`` days, or one ``PilotError`` naming the option."""
    if pilot.ends is not None and days > pilot.ends:
        raise PilotError(
            f"--days: {days} runs past day {pilot.ends}, when the schedule changes levers again "
            f"(the roll-out) and the pilot phase ends; use --days {pilot.ends} or fewer"
        )
    if pilot.day >= days:
        raise PilotError(
            f"--days: the pilot starts on day {pilot.day} (schedule), beyond a run of {days} "
            f"days; use --days above {pilot.day}"
        )
    post = (days - pilot.day) // length
    pre = min(pilot.day, days - pilot.day if pre_days is None else pre_days) // length
    if post < 1 or pre < 1:
        raise PilotError(
            f"--window-days: {length} leaves {pre} whole window(s) before the pilot day "
            f"{pilot.day} and {post} from it to day {days}; at least one of each is needed"
        )
    return Windows(pilot.day, length, pre, post)


def run_arms(
    store: Store,
    name: str,
    scenarios: dict[str, Scenario],
    days: int,
    seed: int,
    replications: int,
    executor: Executor,
    fresh: bool = False,
    source: str | None = None,
    on_start=None,
) -> tuple[int, int]:
    """Run (or resume) every arm × replication into experiment ``name``; return its id and the
    number of runs simulated now.

    Raises:
        results.store.StoreError: ``name`` is stored with another identity (unless ``fresh``).
        PilotError: runs failed (the ones that finished are kept; run again to retry).
    """
    seeds = replication_seeds(seed, replications)
    prepared: list[Prepared] = [
        (arm, 0, {}, scenario, digest_of(scenario, days)) for arm, scenario in scenarios.items()
    ]
    runs = [replace(run, home_series=True) for run in replicate(prepared, seeds, days, (), 0)]
    spec = {  # read like an experiment file's by `govlab compare` and the results page
        "kind": "pilot",
        "name": name,
        "scenarios": [{"scenario": s.name, "label": arm} for arm, s in scenarios.items()],
        "baseline": "nowhere",
        "days": days,
        "replications": replications,
        "seed": seed,
    }
    identity = {
        "kind": "pilot",
        "arms": {arm: s.model_dump(mode="json") for arm, s in scenarios.items()},
        "days": days,
        "seed": seed,
    }
    design = {"method": "pilot", "points": [{}], "options": None, "problem": None, "matrix": None}
    experiment_id = store.register(name, spec, identity, design, source, fresh=fresh)
    finished = store.finished(experiment_id)
    todo = [run for run in runs if finished.get(run.key) != (run.digest, run.seed)]
    if on_start is not None:
        on_start(len(runs), len(todo))
    failures = []
    if todo:
        commit = git_commit()
        for run, result in executor.run(todo):
            store.write_run(experiment_id, run, result, commit)
            if result["status"] != "done":
                failures.append(f"{run.key}: {result['error']}")
    if failures:
        raise PilotError(
            f"{len(failures)} run(s) failed, first {failures[0]}; run the same command again "
            "to retry them (finished runs are kept)"
        )
    return experiment_id, len(todo)


def read_panels(
    store: Store,
    experiment_id: int,
    scenarios: dict[str, Scenario],
    days: int,
    replications: int,
) -> tuple[dict[str, list[dict[str, Panel]]], int]:
    """Each outcome's panels by replication (a dict of arm → ``Panel``), from the store; and the
    count of runs whose run-out left window cases open (their delays are understated)."""
    districts = next(iter(scenarios.values())).world.districts
    runs = store.runs(experiment_id)
    digests = {arm: digest_of(scenario, days) for arm, scenario in scenarios.items()}
    runs = runs[(runs["status"] == "done") & (runs["replication"] < replications)]
    current = [
        digests.get(label) == d for label, d in zip(runs["label"], runs["digest"], strict=True)
    ]
    runs = runs[current]
    long = store.series(experiment_id, run_ids=[int(i) for i in runs["id"]])
    capped = store.metrics(experiment_id, ["runout_open_cases"])
    capped = capped[capped["run_id"].isin(runs["id"]) & (capped["value"].fillna(0) > 0)]
    by_run = dict(tuple(long.groupby("run_id")))
    panels: dict[str, list[dict[str, Panel]]] = {name: [] for name in OUTCOMES}
    for replication in range(replications):
        mine = runs[runs["replication"] == replication]
        if sorted(mine["label"]) != sorted(ARMS):
            raise PilotError(f"replication {replication}: not every arm is stored; run again")
        arrays = {
            label: daily_arrays(by_run[int(run_id)], districts, days)
            for label, run_id in zip(mine["label"], mine["id"], strict=True)
        }
        for name in OUTCOMES:
            panels[name].append(
                {arm: Panel(arrays[arm]["cases"], arrays[arm][name]) for arm in ARMS}
            )
    return panels, len(capped)


def cases_per_window(panel: Panel, windows) -> float:
    """Mean cases per district and window (how much each window mean rests on)."""
    spans = windows.bounds()
    return float(np.mean([panel.cases[:, a:b].sum(axis=1) for a, b in spans]))
