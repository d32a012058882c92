"""Executors: where runs execute — in process, in local processes, or on a Dask cluster.

Every executor takes the runs to do and yields their results as tasks finish (any order); the
batch runner writes them to the store in the main process. Processes and Dask send several runs
per task (``chunk_size``) so that start-up and transfer costs do not dominate small runs
(DESIGN.md §6). A task that dies (a killed worker) yields failed results for its runs. Numbers do
not depend on the executor: each run is seeded by its own spec.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from typing import Protocol

from experiments.plan import RunSpec
from experiments.worker import RunResult, execute, execute_chunk

EXECUTORS = ("serial", "processes", "dask")


class Executor(Protocol):
    """Runs specs and yields ``(spec, result)`` pairs as they finish."""

    def run(self, specs: list[RunSpec]) -> Iterator[tuple[RunSpec, RunResult]]: ...

    def close(self) -> None: ...


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def chunks(specs: list[RunSpec], workers: int, size: int | None = None) -> list[list[RunSpec]]:
    """Split specs into tasks: about 4 tasks per worker, at most 16 runs per task."""
    if size is None:
        size = max(1, min(16, math.ceil(len(specs) / (4 * max(workers, 1)))))
    return [specs[i : i + size] for i in range(0, len(specs), size)]


def lost(spec: RunSpec, error: BaseException) -> RunResult:
    """The result of a run whose task died before returning."""
    now = datetime.now(UTC)
    return {
        "key": spec.key,
        "status": "failed",
        "error": f"task lost: {type(error).__name__}: {error}",
        "traceback": None,
        "summary": None,
        "metrics": {},
        "series": {},
        "cases": [],
        "host": "?",
        "pid": 0,
        "versions": {},
        "started_at": now,
        "finished_at": now,
    }


class SerialExecutor:
    """Runs in this process, one after another (debugging, tiny batches)."""

    workers = 1

    def run(self, specs: list[RunSpec]) -> Iterator[tuple[RunSpec, RunResult]]:
        for spec in specs:
            yield spec, execute(spec)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A pool of local worker processes (forkserver start), several runs per task."""

    def __init__(self, workers: int | None = None, chunk_size: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.chunk_size = chunk_size
        context = multiprocessing.get_context("forkserver")
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def run(self, specs: list[RunSpec]) -> Iterator[tuple[RunSpec, RunResult]]:
        pending = {
            self.pool.submit(execute_chunk, chunk): chunk
            for chunk in chunks(specs, self.workers, self.chunk_size)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = pending.pop(future)
                try:
                    results = future.result()
                except Exception as error:  # the worker died (killed, out of memory)
                    results = [lost(spec, error) for spec in chunk]
                yield from zip(chunk, results, strict=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster: ``Client(address)``, or a local cluster on loopback.

    Remote workers need govlab installed (same version) to unpickle the run specs.
    """

    def __init__(
        self, address: str | None = None, workers: int | None = None, chunk_size: int | None = None
    ) -> None:
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if address:
            self.client = Client(address)
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        else:
            self.workers = workers or default_workers()
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # a free port: never clash on 8787
            )
            self.client = Client(self.cluster)
        self.chunk_size = chunk_size

    def run(self, specs: list[RunSpec]) -> Iterator[tuple[RunSpec, RunResult]]:
        from dask.distributed import as_completed

        futures = {}
        for chunk in chunks(specs, self.workers, self.chunk_size):
            future = self.client.submit(execute_chunk, chunk, pure=False)
            futures[future] = chunk
        for future in as_completed(futures):
            chunk = futures.pop(future)
            try:
                results = future.result()
            except Exception as error:  # the worker died or the task was lost
                results = [lost(spec, error) for spec in chunk]
            yield from zip(chunk, results, strict=True)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(
    kind: str,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
) -> Executor:
    """The executor called ``kind`` (serial | processes | dask)."""
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers, chunk_size)
    if kind == "dask":
        return DaskExecutor(scheduler, workers, chunk_size)
    raise ValueError(f"unknown executor {kind!r}; allowed: {' | '.join(EXECUTORS)}")
