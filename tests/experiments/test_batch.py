"""The batch runner: resume after SIGKILL, failure recording, skipping, conflicts, extension."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from govlab.experiments.worker import INJECT_FAILURE
from govlab.results.store import Store, StoreError
from tests.experiments.batch_helpers import cli, run_serial, snapshot, sqlite_url, write_experiment


def stored_runs(path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_resume_after_sigkill_equals_an_uninterrupted_batch(tmp_path):
    world = {"world.residents": 8000, "world.enterprises": 400}
    path = write_experiment(tmp_path, name="killed", replications=15, days=40, world=world)
    killed_db = tmp_path / "killed.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "govlab", "batch", str(path), "--executor", "serial",
         "--db", sqlite_url(tmp_path, "killed.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while stored_runs(killed_db) < 4 and process.poll() is None:
            assert time.monotonic() < deadline, "the batch never stored a run"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        _, err = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL, err.decode()
    partial = snapshot(sqlite_url(tmp_path, "killed.db"), "killed")
    total = 2 * 15
    assert 4 <= len(partial) < total
    for run in partial.values():  # only whole runs: each has its metrics and all its series
        assert run["status"] == "done" and run["metrics"]
        assert len(run["series"]) == 40 * len({name for name, *_ in run["series"]})

    outcome = run_serial(path, sqlite_url(tmp_path, "killed.db"))
    assert outcome.skipped == len(partial) and outcome.done == total - len(partial)
    assert outcome.failed == 0
    run_serial(path, sqlite_url(tmp_path, "straight.db"))
    resumed = snapshot(sqlite_url(tmp_path, "killed.db"), "killed")
    straight = snapshot(sqlite_url(tmp_path, "straight.db"), "killed")
    assert len(resumed) == total
    assert resumed == straight


def test_a_failing_run_is_recorded_and_retried(tmp_path, monkeypatch, capsys):
    path = write_experiment(tmp_path, name="flaky", replications=3)
    db = sqlite_url(tmp_path)
    monkeypatch.setenv(INJECT_FAILURE, "seamless/*/r0001")
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--db", db, "--executor", "serial")
    assert code == 1
    assert "6 runs: 0 already stored, 5 done, 1 failed" in err
    assert "failed seamless/p0000/r0001: InjectedFailure" in err
    with Store(db) as store:
        runs = store.runs(store.experiment("flaky").id)
    failed = runs[runs.status == "failed"].iloc[0]
    assert failed.run_key == "seamless/p0000/r0001"
    assert "InjectedFailure" in failed.error and "Traceback" in failed.traceback
    assert failed.seed == runs[runs.run_key == "silo/p0000/r0001"].iloc[0].seed

    monkeypatch.delenv(INJECT_FAILURE)
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--db", db, "--executor", "serial")
    assert code == 0, err
    assert "6 runs: 5 already stored, 1 done, 0 failed" in err
    run_serial(path, sqlite_url(tmp_path, "clean.db"))
    assert snapshot(db, "flaky") == snapshot(sqlite_url(tmp_path, "clean.db"), "flaky")


def test_rerun_skips_extends_and_refuses_a_changed_spec(tmp_path, monkeypatch, capsys):
    path = write_experiment(tmp_path, name="grow", replications=2)
    db = sqlite_url(tmp_path)
    assert run_serial(path, db).done == 4
    again = run_serial(path, db)
    assert (again.skipped, again.done) == (4, 0)
    path.write_text(path.read_text().replace("replications = 2", "replications = 3"))
    more = run_serial(path, db)
    assert (more.skipped, more.done) == (4, 2)
    path.write_text(path.read_text().replace("days = 30", "days = 31"))
    with pytest.raises(StoreError, match="different specification"):
        run_serial(path, db)
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--db", db, "--executor", "serial")
    assert code == 2 and "--fresh" in err
    fresh = run_serial(path, db, fresh=True)
    assert (fresh.skipped, fresh.done) == (0, 6)
