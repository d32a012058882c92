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
import multiprocessing.forkserver
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


# Modules the forkserver imports once, before forking any worker: the run code with numpy, numba,
# pandas and the model. A worker forked from it starts with them loaded instead of importing
# them itself (~1 s per worker; the numba kernels still load from their cache on a worker's first
# run). "__main__" is multiprocessing's default preload.
FORKSERVER_PRELOAD = ("__main__", "experiments.worker", "experiments.single")


def forkserver_context(*extra: str) -> multiprocessing.context.ForkServerContext:
    """The forkserver start method, the server preloading ``FORKSERVER_PRELOAD`` and ``extra``.

    One server serves every pool of this process (process executors and local Dask clusters
    alike); it starts on first use, and a preload asked for after that has no effect: the
    workers then import what the server lacks themselves.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*FORKSERVER_PRELOAD, *extra])
    return context


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
        context = forkserver_context()
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


# Dask settings for the workers of a local cluster (read when the cluster starts them):
# - Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in every worker. Setting any glibc malloc
#   threshold turns off glibc's dynamic mmap threshold, so every array of 128 KiB or more is a
#   fresh mmap/munmap: a run then takes ~11x the page faults (518k against 46k for 4 runs),
#   ~6x the system time and ~2.4x the time (0.46 s against 0.19 s per 250-day run, the same in
#   a plain process given that variable). None leaves the variable out (the worker inherits
#   ours).
# - The worker's statistical profiler (a thread taking the GIL every 10 ms, for the dashboard's
#   profile page) made a run's wall time about twice its CPU time when the cores are busy
#   (0.52-0.59 s wall for 0.25-0.29 s CPU; off: 0.19-0.21 s for both).
# - Workers start by forkserver (the process executor's server, which has the run code and
#   Dask loaded) rather than Dask's default spawn: a spawned worker imports everything itself,
#   and on close runs the full interpreter shutdown (0.6-1.3 s to close the cluster after real
#   runs; 0.03 s forked). Forked workers take the server's environment, as the process
#   executor's do, so Dask's one-thread OpenMP/BLAS variables apply only if set in ours (the
#   model does no dense linear algebra; the numbers are the same either way).
LOCAL_WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
    "distributed.worker.multiprocessing-method": "forkserver",
}


class DaskExecutor:
    """A Dask distributed cluster: ``Client(address)``, or a local cluster on loopback.

    A local cluster's workers are forked from the process executor's forkserver, with the
    settings of ``LOCAL_WORKER_CONFIG`` (a run then costs what it costs in a process-executor
    worker). Remote workers need govlab installed (same version) to unpickle the run specs.
    """

    def __init__(
        self, address: str | None = None, workers: int | None = None, chunk_size: int | None = None
    ) -> None:
        import dask
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if address:
            self.client = Client(address)
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        else:
            self.workers = workers or default_workers()
            # Start the forkserver with our preload now: Dask would otherwise start it with its
            # own list (Dask's packages but not the run code).
            forkserver_context("distributed")
            multiprocessing.forkserver.ensure_running()
            with dask.config.set(LOCAL_WORKER_CONFIG):
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
