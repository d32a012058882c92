"""Serial, process and Dask executors give identical numbers for the same runs."""

from __future__ import annotations

import pytest

from govlab.experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor, chunks
from govlab.experiments.plan import plan_runs
from govlab.experiments.spec import load_experiment
from tests.experiments.batch_helpers import write_experiment


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    path = write_experiment(tmp_path_factory.mktemp("exec"), replications=3, days=25, cases=10)
    experiment, scenarios = load_experiment(path)
    return plan_runs(experiment, scenarios)


def numbers(executor, specs) -> dict[str, tuple]:
    try:
        results = dict(
            (spec.key, (r["status"], r["metrics"], r["series"], r["cases"]))
            for spec, r in executor.run(specs)
        )
    finally:
        executor.close()
    assert len(results) == len(specs)
    return results


@pytest.fixture(scope="module")
def reference(runs):
    result = numbers(SerialExecutor(), runs)
    assert all(status == "done" for status, *_ in result.values())
    return result


def test_chunks_group_several_runs_per_task(runs):
    many = runs * 20
    tasks = chunks(many, workers=2)
    assert sum(map(len, tasks)) == len(many)
    assert len(tasks) == 8  # about 4 tasks per worker
    assert len(chunks(runs * 1000, workers=2)[0]) == 16  # at most 16 runs per task
    assert [len(t) for t in chunks(runs, workers=1, size=4)][:1] == [4]


@pytest.mark.parametrize(("workers", "chunk_size"), [(1, None), (2, 1), (2, 4)])
def test_processes_match_serial(runs, reference, workers, chunk_size):
    assert numbers(ProcessExecutor(workers, chunk_size), runs) == reference


def test_dask_local_cluster_on_loopback_matches_serial(runs, reference):
    executor = DaskExecutor(address=None, workers=2, chunk_size=2)
    assert executor.cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert numbers(executor, runs) == reference


def test_dask_client_by_scheduler_address_matches_serial(runs, reference):
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
    ) as cluster:
        executor = DaskExecutor(address=cluster.scheduler_address, chunk_size=3)
        assert executor.cluster is None and executor.workers == 1
        assert numbers(executor, runs) == reference


class Trickle:
    """A feed (``experiments.feed.Feed``) handing out one run a take, and nothing on every other
    take that may return nothing (as when the runs left are claimed by other batches)."""

    poll = 0.05

    def __init__(self, specs) -> None:
        self.specs = list(specs)
        self.total = len(self.specs)
        self.takes = 0
        self.handed = 0

    @property
    def exhausted(self) -> bool:
        return not self.specs

    def limit(self, slots: int) -> int:
        return slots

    def take(self, size: int, wait: bool) -> list:
        self.takes += 1
        if not wait and self.takes % 2:
            return []
        chunk, self.specs = self.specs[:1], self.specs[1:]
        self.handed += len(chunk)
        return chunk


@pytest.mark.parametrize("kind", ["serial", "processes", "dask"])
def test_executors_pull_from_a_feed_only_what_their_slots_can_start(runs, reference, kind):
    """Runs are taken from a feed (the batch's claims) a task per free slot, never all at once,
    and a feed that has nothing to give just now is asked again: every run is done."""
    executor, slots = {
        "serial": lambda: (SerialExecutor(), 1),
        "processes": lambda: (ProcessExecutor(2), 2),
        "dask": lambda: (DaskExecutor(address=None, workers=2), 2),
    }[kind]()
    feed = Trickle(runs)
    results, most = {}, 0
    try:
        for spec, r in executor.run(feed):
            most = max(most, feed.handed - len(results))  # runs handed out and not yet back
            results[spec.key] = (r["status"], r["metrics"], r["series"], r["cases"])
    finally:
        executor.close()
    assert results == reference
    assert most == slots  # busy on every slot, claiming no more than that
