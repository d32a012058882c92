"""Executors: where runs execute — in process, in local processes, or on a Dask cluster.

Every executor takes the runs to do (a list, or a feed it pulls tasks from as slots free up:
``experiments.feed``, where the batch runner claims each task's runs in the store) and yields
their results as tasks finish (any order); the batch runner writes them to the store in the main
process. Processes and Dask send several runs per task (``chunk_size``) so that start-up and
transfer costs do not dominate small runs (DESIGN.md §6). Numbers do not depend on the executor:
each run is seeded by its own spec.

Losing a worker (killed, out of memory) affects only the runs it was running: the process pool is
restarted, the runs of the broken tasks that had not started go back to the queue, and the ones in
flight are retried alone, one at a time, so that a run that kills its worker is found out; after
``MAX_LOSSES`` lost workers it is recorded as failed (as Dask's ``allowed-failures`` does). Workers
exit when the batch process dies (``experiments.orphans``).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from govlab.experiments.defaults import EXECUTORS
from govlab.experiments.feed import Feed, as_feed
from govlab.experiments.orphans import watch_parent
from govlab.experiments.plan import RunSpec
from govlab.experiments.worker import INJECT_PREFIX, RunResult, execute, execute_chunk

# A run whose worker process dies this many times (each time retried alone) is recorded failed.
MAX_LOSSES = 3


class Executor(Protocol):
    """Runs specs and yields ``(spec, result)`` pairs as they finish."""

    def run(self, specs: list[RunSpec] | Feed) -> Iterator[tuple[RunSpec, RunResult]]: ...

    def close(self, abort: bool = False) -> None: ...


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def task_size(runs: int, workers: int, size: int | None = None) -> int:
    """Runs per task: ``size`` if given, else about 4 tasks per worker, at most 16 runs."""
    if size is None:
        size = max(1, min(16, math.ceil(runs / (4 * max(workers, 1)))))
    return size


def chunks(specs: list[RunSpec], workers: int, size: int | None = None) -> list[list[RunSpec]]:
    """Split specs into tasks of ``task_size`` runs."""
    size = task_size(len(specs), workers, size)
    return [specs[i : i + size] for i in range(0, len(specs), size)]


# Modules the forkserver imports once, before forking any worker: the run code with numpy, numba,
# pandas and the model. A worker forked from it starts with them loaded instead of importing
# them itself (~1 s per worker; the numba kernels still load from their cache on a worker's first
# run). "__main__" is multiprocessing's default preload.
FORKSERVER_PRELOAD = ("__main__", "govlab.experiments.worker", "govlab.experiments.single")


def forkserver_context(*extra: str) -> multiprocessing.context.ForkServerContext:
    """The forkserver start method, the server preloading ``FORKSERVER_PRELOAD`` and ``extra``.

    One server serves every pool of this process (process executors and local Dask clusters
    alike); it starts on first use, and a preload asked for after that has no effect: the
    workers then import what the server lacks themselves.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*FORKSERVER_PRELOAD, *extra])
    return context


def lost(spec: RunSpec, error: BaseException | str) -> RunResult:
    """The result of a run whose task died before returning."""
    now = datetime.now(UTC)
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return {
        "key": spec.key,
        "status": "failed",
        "error": f"task lost: {text}",
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

    def run(self, specs: list[RunSpec] | Feed) -> Iterator[tuple[RunSpec, RunResult]]:
        feed = as_feed(specs)
        while chunk := feed.take(1, wait=True):
            for spec in chunk:
                yield spec, execute(spec)

    def close(self, abort: bool = False) -> None:
        pass


# The folder where each pool worker notes the key of the run it is running (one file per worker
# process, removed when the run ends): after a worker dies, the keys left are the runs in flight.
_in_flight: Path | None = None


def _injections() -> dict[str, str]:
    """The fault-injection variables of this process (tests): workers forked from a forkserver
    started earlier would otherwise see the server's environment, not ours."""
    return {k: v for k, v in os.environ.items() if k.startswith(INJECT_PREFIX)}


def _start_worker(batch_pid: int, folder: str, injections: dict[str, str]) -> None:
    """Pool initializer: exit with the batch; note runs in flight in ``folder``."""
    global _in_flight
    watch_parent(batch_pid)
    _in_flight = Path(folder)
    for name in [k for k in os.environ if k.startswith(INJECT_PREFIX)]:
        del os.environ[name]
    os.environ.update(injections)


def execute_noted(specs: list[RunSpec]) -> list[RunResult]:
    """``execute_chunk`` noting each run in flight in the pool's folder (see ``_start_worker``)."""
    note = None if _in_flight is None else _in_flight / str(os.getpid())
    results = []
    for spec in specs:
        if note is not None:
            note.write_text(spec.key)
        results.append(execute(spec))
    if note is not None:
        note.unlink(missing_ok=True)
    return results


class ProcessExecutor:
    """A pool of local worker processes (forkserver start), several runs per task."""

    def __init__(self, workers: int | None = None, chunk_size: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.chunk_size = chunk_size
        self.context = forkserver_context()
        self.folder = Path(tempfile.mkdtemp(prefix="govlab-in-flight-"))
        self.restarts = 0
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self.context,
            initializer=_start_worker,
            initargs=(os.getpid(), str(self.folder), _injections()),
        )

    def _in_flight(self) -> set[str]:
        keys = set()
        for note in self.folder.iterdir():
            with contextlib.suppress(OSError):  # removed meanwhile
                keys.add(note.read_text())
            note.unlink(missing_ok=True)
        return keys

    def _restart(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.restarts += 1
        self.pool = self._new_pool()

    def _submit(self, pending: dict, chunk: list[RunSpec]) -> bool:
        """Send one task; False if the pool is broken (a worker died) and tasks are pending,
        which will report it. A pool that broke with nothing pending is restarted here."""
        try:
            pending[self.pool.submit(execute_noted, chunk)] = chunk
        except BrokenProcessPool:
            if pending:
                return False
            self._restart()
            pending[self.pool.submit(execute_noted, chunk)] = chunk
        return True

    def _fill(self, pending: dict, queue: deque, alone: deque, feed: Feed, size: int) -> bool:
        """Submit tasks while slots are free; True if the feed had nothing to give just now."""
        if alone:  # runs in flight when a worker died go one at a time, with nothing beside
            if not pending:
                self._submit(pending, [alone.popleft()])
            return False
        while len(pending) < feed.limit(self.workers):
            chunk = queue.popleft() if queue else feed.take(size, wait=not pending)
            if not chunk:
                return not feed.exhausted
            if not self._submit(pending, chunk):
                queue.appendleft(chunk)
                return False
        return False

    def run(self, specs: list[RunSpec] | Feed) -> Iterator[tuple[RunSpec, RunResult]]:
        feed = as_feed(specs)
        size = task_size(feed.total, self.workers, self.chunk_size)
        queue: deque[list[RunSpec]] = deque()  # runs of broken tasks that had not started
        alone: deque[RunSpec] = deque()  # runs in flight when a worker died: retried one by one
        losses: Counter[str] = Counter()
        pending: dict = {}
        broken: list[list[RunSpec]] = []
        while True:
            hungry = False if broken else self._fill(pending, queue, alone, feed, size)
            if pending:
                done, _ = wait(
                    pending, timeout=feed.poll if hungry else None, return_when=FIRST_COMPLETED
                )
                for future in done:
                    chunk = pending.pop(future)
                    try:
                        results = future.result()
                    except BrokenProcessPool:  # a worker died: every unfinished task lands here
                        broken.append(chunk)
                        continue
                    except Exception as error:  # the task itself could not be sent or returned
                        results = [lost(spec, error) for spec in chunk]
                    yield from zip(chunk, results, strict=True)
                continue
            if not broken:
                return
            in_flight = self._in_flight()
            self._restart()
            if not any(spec.key in in_flight for chunk in broken for spec in chunk):
                in_flight = {spec.key for chunk in broken for spec in chunk}  # blame them all
            for chunk in broken:
                waiting = [spec for spec in chunk if spec.key not in in_flight]
                if waiting:
                    queue.append(waiting)
                for spec in (spec for spec in chunk if spec.key in in_flight):
                    losses[spec.key] += 1
                    if losses[spec.key] >= MAX_LOSSES:
                        yield spec, lost(spec, f"its worker process died {MAX_LOSSES} times "
                                         "running it (killed, or out of memory)")  # fmt: skip
                    else:
                        alone.append(spec)
            broken = []

    def close(self, abort: bool = False) -> None:
        """Shut the pool down; ``abort`` (an interrupted batch) ends the running workers too."""
        if abort:
            processes = list((self.pool._processes or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=5)
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.folder, ignore_errors=True)


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
            workers = self.client.scheduler_info().get("workers", {})
            self.workers = max(1, len(workers))
            self.slots = max(1, sum(w.get("nthreads", 1) for w in workers.values()))
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
            self.slots = self.workers  # one thread per worker
        self.chunk_size = chunk_size

    def run(self, specs: list[RunSpec] | Feed) -> Iterator[tuple[RunSpec, RunResult]]:
        from dask.distributed import wait as wait_any

        feed = as_feed(specs)
        size = task_size(feed.total, self.workers, self.chunk_size)
        pending: dict = {}
        while True:
            hungry = False
            while len(pending) < feed.limit(self.slots):
                chunk = feed.take(size, wait=not pending)
                if not chunk:
                    hungry = not feed.exhausted
                    break
                pending[self.client.submit(execute_chunk, chunk, pure=False)] = chunk
            if not pending:
                return
            try:
                done = wait_any(
                    list(pending),
                    timeout=feed.poll if hungry else None,
                    return_when="FIRST_COMPLETED",
                ).done
            except TimeoutError:  # time to ask the feed again
                continue
            except Exception:  # a task was cancelled: reported by its result() below
                done = {future for future in pending if future.status != "pending"}
            for future in done:
                chunk = pending.pop(future)
                try:
                    results = future.result()
                except Exception as error:  # the worker died or the task was lost
                    results = [lost(spec, error) for spec in chunk]
                yield from zip(chunk, results, strict=True)

    def close(self, abort: bool = False) -> None:
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
