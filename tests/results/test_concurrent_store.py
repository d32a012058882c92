"""Several processes share one store at once (issue 10, item 8): opening a fresh store, creating
its schema, registering one experiment and writing the same runs race without an error, and every
run is stored exactly once. SQLite always; PostgreSQL when GOVLAB_TEST_POSTGRES_URL is set (each
test in a schema of its own, so the schema really is created concurrently: ``fresh_url``)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from collections import Counter

from govlab.experiments.worker import INJECT_TRACE
from govlab.results.store import Store
from tests.experiments.batch_helpers import (
    computed,
    run_serial,
    snapshot,
    sqlite_url,
    write_experiment,
)
from tests.results.racer import RUNS, open_and_write

OPENERS = 8


def test_processes_opening_and_writing_a_fresh_store_at_once(fresh_url):
    context = multiprocessing.get_context("forkserver")
    with context.Manager() as manager, context.Pool(OPENERS) as pool:
        barrier = manager.Barrier(OPENERS)
        written = pool.starmap(open_and_write, [(fresh_url, barrier)] * OPENERS)
    with Store(fresh_url) as store:
        runs = store.runs(store.experiment("race").id)
        assert store.experiment_names() == ["race"]
        assert sorted(runs["run_key"]) == sorted(set(runs["run_key"])) and len(runs) == RUNS
        assert len(store.metrics(store.experiment("race").id)) == 2 * RUNS
    assert sum(written) == RUNS  # each run stored by exactly one process, the others dropped theirs


def test_four_concurrent_batches_compute_and_store_each_run_once(fresh_url, tmp_path):
    """Four `govlab batch` processes of one experiment on one fresh store: all succeed, each run
    is computed once (claims) and stored once, and the numbers equal a single serial batch's."""
    path = write_experiment(tmp_path, name="shared", replications=4, days=10, cases=5)
    trace = tmp_path / "trace"
    trace.mkdir()
    command = [sys.executable, "-m", "govlab", "batch", str(path), "--db", fresh_url]
    batches = [
        subprocess.Popen([*command, "--executor", executor], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         env={**os.environ, INJECT_TRACE: str(trace)})
        for executor in ("serial", "serial", "processes", "serial")
    ]  # fmt: skip
    outputs = [batch.communicate(timeout=600) for batch in batches]
    for batch, (_, err) in zip(batches, outputs, strict=True):
        assert batch.returncode == 0, err
        assert "Traceback" not in err
    shared = snapshot(fresh_url, "shared")
    assert len(shared) == 8 and all(run["status"] == "done" for run in shared.values())
    assert computed(trace) == Counter(dict.fromkeys(shared, 1))  # 8 computations, not up to 32
    reference = sqlite_url(tmp_path, "reference.db")
    run_serial(path, reference)
    assert shared == snapshot(reference, "shared")
