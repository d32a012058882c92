"""Helpers for the batch tests: small experiment files, in-process CLI calls, store snapshots."""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import psutil
import pytest

from govlab.experiments.executors import SerialExecutor
from govlab.experiments.runner import run_batch
from govlab.experiments.spec import load_experiment
from govlab.results.store import Store

SMALL_WORLD = {"world.residents": 4000, "world.enterprises": 300, "world.warmup_days": 5}


def toml_value(value) -> str:
    """A Python value as a TOML literal (enough for these tests)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def write_experiment(
    folder: Path,
    name: str = "small",
    scenarios=("silo", "seamless"),
    replications: int = 3,
    days: int = 30,
    extra: str = "",
    cases: int = 20,
    world: dict | None = None,
) -> Path:
    """Write a small-world experiment file (``world`` overrides SMALL_WORLD); return its path."""
    common = ", ".join(
        f'"{k}" = {toml_value(v)}' for k, v in {**SMALL_WORLD, **(world or {})}.items()
    )
    text = (
        f'name = "{name}"\n'
        f"scenarios = {toml_value(list(scenarios))}\n"
        f"replications = {replications}\ndays = {days}\nseed = 42\n"
        f"set = {{ {common} }}\n"
        f"keep = {{ cases = {cases} }}\n"
        f"{extra}"
    )
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def sqlite_url(folder: Path, name: str = "store.db") -> str:
    return f"sqlite:///{folder / name}"


def run_serial(path: Path, url: str, fresh: bool = False):
    """Run an experiment file serially into the store at ``url``; return the outcome."""
    experiment, scenarios = load_experiment(path)
    with Store(url) as store:
        return run_batch(experiment, scenarios, store, SerialExecutor(), source=path, fresh=fresh)


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def snapshot(url: str, name: str) -> dict[str, dict]:
    """Everything a run's numbers are, by run key (no timestamps, hosts or ids)."""
    with Store(url) as store:
        experiment = store.experiment(name)
        runs = store.runs(experiment.id)
        metrics = store.metrics(experiment.id)
        series = store.series(experiment.id)
        cases = store.cases(experiment.id)
    state = {}
    for _, run in runs.iterrows():
        rid = run["id"]
        state[run["run_key"]] = {
            "status": run["status"],
            "seed": int(run["seed"]),
            "digest": run["digest"],
            "metrics": {
                n: _plain(v)
                for n, v in metrics.loc[metrics.run_id == rid, ["name", "value"]].to_numpy()
            },
            "series": sorted(
                tuple(map(_plain, row))
                for row in series.loc[series.run_id == rid, ["name", "day", "value"]].to_numpy()
            ),
            "cases": [
                {k: _plain(v) for k, v in case.items()}
                for case in cases.loc[cases.run_id == rid].drop(columns="run_id").to_dict("records")
            ],
        }
    return state


def computed(trace: Path) -> Counter:
    """How many times each run was computed: the files ``GOVLAB_INJECT_TRACE`` left in ``trace``
    (``experiments.worker``), by run key."""
    return Counter(unquote(note.name.split("@")[0]) for note in trace.iterdir())


def traced(trace: Path, key: str) -> list[tuple[int, int]]:
    """``(pid, time_ns)`` of each computation of run ``key`` traced in ``trace``, in order."""
    notes = (note.name.split("@") for note in trace.iterdir())
    found = [(int(pid), int(ns)) for name, _, pid, ns in notes if unquote(name) == key]
    return sorted(found, key=lambda note: note[1])


def cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``govlab ARGS`` in process; return (status, stdout, stderr)."""
    from govlab.experiments.cli import main

    monkeypatch.setattr(sys, "argv", ["govlab", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else int(code)), out.out, out.err


def family(pid: int) -> set[int]:
    """Every descendant of process ``pid`` (empty once it is gone)."""
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def alive(pids: set[int]) -> set[int]:
    """The processes of ``pids`` still running (zombies count as gone)."""
    left = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.add(pid)
        except psutil.NoSuchProcess:
            pass
    return left
