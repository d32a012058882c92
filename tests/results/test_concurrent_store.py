"""Several processes share one store at once (issue 10, item 8): opening a fresh store, creating
its schema, registering one experiment and writing the same runs race without an error, and every
run is stored exactly once. SQLite always; PostgreSQL when GOVLAB_TEST_POSTGRES_URL is set (each
test in a schema of its own, so the schema really is created concurrently)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text

from govlab.results.store import Store
from tests.conftest import missing_part
from tests.experiments.batch_helpers import run_serial, snapshot, sqlite_url, write_experiment
from tests.results.racer import RUNS, open_and_write

POSTGRES = os.environ.get("GOVLAB_TEST_POSTGRES_URL")
OPENERS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """The URL of an empty store: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    if not POSTGRES:
        missing_part("PostgreSQL store tests need GOVLAB_TEST_POSTGRES_URL (set by .ci/run)")
    schema = f"concurrent_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES else "?"
    yield f"{POSTGRES}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


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


def test_four_concurrent_batches_store_each_run_once(fresh_url, tmp_path):
    """Four `govlab batch` processes of one experiment on one fresh store: all succeed, each run
    is stored once, and the numbers equal a single serial batch's."""
    path = write_experiment(tmp_path, name="shared", replications=3, days=10, cases=5)
    command = [sys.executable, "-m", "govlab", "batch", str(path), "--db", fresh_url]
    batches = [
        subprocess.Popen([*command, "--executor", executor], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for executor in ("serial", "serial", "processes", "serial")
    ]  # fmt: skip
    outputs = [batch.communicate(timeout=600) for batch in batches]
    for batch, (_, err) in zip(batches, outputs, strict=True):
        assert batch.returncode == 0, err
        assert "Traceback" not in err
    shared = snapshot(fresh_url, "shared")
    assert len(shared) == 6 and all(run["status"] == "done" for run in shared.values())
    reference = sqlite_url(tmp_path, "reference.db")
    run_serial(path, reference)
    assert shared == snapshot(reference, "shared")
