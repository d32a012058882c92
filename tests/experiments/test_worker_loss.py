"""Losing a worker process affects only the runs it was running (issue 10, item 5), and no
process of a killed or terminated batch survives it (item 6)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from govlab.experiments.executors import MAX_LOSSES, ProcessExecutor, SerialExecutor
from govlab.experiments.plan import plan_runs
from govlab.experiments.spec import load_experiment
from govlab.experiments.worker import INJECT_KILL, INJECT_KILL_ONCE
from tests.experiments.batch_helpers import alive, family, snapshot, sqlite_url, write_experiment
from tests.experiments.test_batch import stored_runs

TINY = {"world.residents": 2000, "world.enterprises": 100, "world.warmup_days": 2}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loss")
    path = write_experiment(folder, replications=6, days=6, cases=0, world=TINY)
    experiment, scenarios = load_experiment(path)
    return plan_runs(experiment, scenarios)


def outcome(executor, specs) -> dict[str, tuple]:
    try:
        return {
            spec.key: (r["status"], r["error"], r["metrics"]) for spec, r in executor.run(specs)
        }
    finally:
        executor.close()


@pytest.fixture(scope="module")
def reference(runs):
    return outcome(SerialExecutor(), runs)


def test_a_worker_killed_once_costs_nothing(runs, reference, monkeypatch, tmp_path):
    monkeypatch.setenv(INJECT_KILL, "silo/p0000/r0001")
    monkeypatch.setenv(INJECT_KILL_ONCE, str(tmp_path))
    executor = ProcessExecutor(workers=2, chunk_size=3)
    assert outcome(executor, runs) == reference  # every run done, numbers unchanged
    assert executor.restarts == 1


def test_a_run_that_always_kills_its_worker_fails_alone(runs, reference, monkeypatch):
    killer = "seamless/p0000/r0002"
    monkeypatch.setenv(INJECT_KILL, killer)
    executor = ProcessExecutor(workers=2, chunk_size=3)
    result = outcome(executor, runs)
    assert set(result) == set(reference) and executor.restarts == MAX_LOSSES
    status, error, _ = result.pop(killer)
    assert status == "failed" and f"died {MAX_LOSSES} times" in error
    assert result == {k: v for k, v in reference.items() if k != killer}


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_no_process_outlives_a_killed_batch(how, tmp_path):
    path = write_experiment(tmp_path, name="k", replications=40, days=15, cases=0, world=TINY)
    # stderr goes to a file, not a pipe: reading a pipe to its end would also wait for every
    # descendant that inherited it, and the descendants are checked separately below.
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        batch = subprocess.Popen(
            [sys.executable, "-m", "govlab", "batch", str(path), "--executor", "processes",
             "--workers", "2", "--chunk-size", "2", "--db", sqlite_url(tmp_path)],
            stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
        )  # fmt: skip
    descendants: set[int] = set()
    try:
        deadline = time.monotonic() + 300
        while stored_runs(tmp_path / "store.db") < 2 and batch.poll() is None:
            assert time.monotonic() < deadline, "the batch never stored a run"
            descendants |= family(batch.pid)
            time.sleep(0.05)
        descendants |= family(batch.pid)
        assert len(descendants) >= 3  # the forkserver and two workers (and a resource tracker)
        os.kill(batch.pid, how)
        batch.wait(timeout=60)
        err = log.read_bytes()
        deadline = time.monotonic() + 10
        while alive(descendants) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(descendants), [psutil.Process(p).cmdline() for p in alive(descendants)]
    finally:
        for pid in alive(descendants | {batch.pid}):
            os.kill(pid, signal.SIGKILL)
    if how == signal.SIGTERM:  # shut down like Ctrl-C: status 128 + 15, only whole runs kept
        assert batch.returncode == 143 and b"Traceback" not in err, err.decode()
        runs = snapshot(sqlite_url(tmp_path), "k")
        assert runs and all(r["status"] == "done" and r["metrics"] for r in runs.values())
