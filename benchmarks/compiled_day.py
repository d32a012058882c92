"""Prototype: the compiled event loop driven day by day from the model's own generator.

What a compiled engine inside ``GovernanceModel`` would look like for the textbook worlds of the
service benchmark (one case type, a route of counters, electronic instant hand-off, exponential
service): each day Python draws the demand exactly as ``GovernanceModel._demand`` does
(``rng.poisson``, ``rng.integers``, ``rng.random``), then one numba call handles the day's events.
Service times come from blocks of ``rng.standard_exponential(4096)`` consumed in event order; when
a block runs out the kernel returns and Python draws the next one, just as ``model.draws.Draws``
refills lazily. With the same seed the generator is therefore consumed in the same order as by
the Python engine, and the waits and completion times come out bit-for-bit the same
(``bench_service`` checks it). State lives in arrays that persist between calls.

With ``fused=True`` the whole day is one numba call: the demand is drawn inside the kernel from
the model's ``numpy.random.Generator`` (numba shares its bit generator, and its ``poisson``,
``integers``, ``random`` and ``standard_exponential`` give NumPy's numbers bit for bit here), and
the kernel refills the block of service draws itself, at the same moment as ``Draws`` would.
"""

from __future__ import annotations

import numba
import numpy as np
from compiled import ARRIVE, FINISH, _pop, _push

BLOCK = 4096
SIZE, SEQ, USED, CASES, NEXT, TODAY = range(6)  # slots of the integer state vector


@numba.njit(cache=True)
def _events(ints, ht, hs, hk, hj, busy, head, tail, servers, route, means, following, step,
            enqueued, wait, done, draws, end, rng, day_time, day_seq, day_job):  # fmt: skip
    """Handle every event before ``end``. Without ``rng`` (None) it returns 1 when the block of
    draws runs out (Python refills it and calls again); with the model's generator it refills
    the block itself at the same moment. Returns 0 when the day is done.

    Today's new cases wait in ``day_*`` (sorted by time, with the sequence numbers they got when
    opened) and are merged with the heap by (time, sequence): the same order as if they had been
    pushed, without making the heap as large as a day's demand."""
    size, seq, used = ints[SIZE], ints[SEQ], ints[USED]
    nxt, today = ints[NEXT], ints[TODAY]
    steps = route.shape[0]
    status = 0
    while True:
        fresh = nxt < today and (
            size == 0 or day_time[nxt] < ht[0] or (day_time[nxt] == ht[0] and day_seq[nxt] < hs[0])
        )
        if fresh:
            if day_time[nxt] >= end:
                break
        elif size == 0 or ht[0] >= end:
            break
        if used == draws.shape[0]:
            if rng is None:
                status = 1
                break
            draws[:] = rng.standard_exponential(draws.shape[0])
            used = 0
        if fresh:
            time, kind, job = day_time[nxt], ARRIVE, day_job[nxt]
            nxt += 1
        else:
            time, kind, job = ht[0], hk[0], hj[0]
            size = _pop(ht, hs, hk, hj, size)
        k = step[job]
        station = route[k]
        if kind == ARRIVE:
            enqueued[job] = time
            if busy[station] < servers[station]:
                busy[station] += 1
                seq += 1
                size = _push(ht, hs, hk, hj, size, time + means[k] * draws[used], seq, FINISH, job)
                used += 1
            else:
                if tail[station] >= 0:
                    following[tail[station]] = job
                else:
                    head[station] = job
                tail[station] = job
            continue
        queued = head[station]
        if queued >= 0:
            head[station] = following[queued]
            if head[station] < 0:
                tail[station] = -1
            following[queued] = -1
            wait[queued] += time - enqueued[queued]
            seq += 1
            finish = time + means[step[queued]] * draws[used]
            size = _push(ht, hs, hk, hj, size, finish, seq, FINISH, queued)
            used += 1
        else:
            busy[station] -= 1
        step[job] = k + 1
        if k + 1 < steps:
            seq += 1
            size = _push(ht, hs, hk, hj, size, time, seq, ARRIVE, job)
        else:
            done[job] = time
    ints[SIZE], ints[SEQ], ints[USED], ints[NEXT] = size, seq, used, nxt
    return status


@numba.njit(cache=True)
def _open(ints, arrival, times, day_time, day_seq, day_job):
    """Open today's cases in order (case number and sequence number each), sorted by time into
    the ``day_*`` arrays that ``_events`` merges with the heap."""
    seq, cases = ints[SEQ], ints[CASES]
    order = np.argsort(times, kind="mergesort")
    for rank in range(times.shape[0]):
        i = order[rank]
        day_time[rank] = times[i]
        day_seq[rank] = seq + 1 + i
        day_job[rank] = cases + i
        arrival[cases + i] = times[i]
    ints[SEQ], ints[CASES] = seq + times.shape[0], cases + times.shape[0]
    ints[NEXT], ints[TODAY] = 0, times.shape[0]


@numba.njit(cache=True)
def _day(ints, ht, hs, hk, hj, busy, head, tail, servers, route, means, following, step,
         enqueued, wait, done, draws, arrival, times, end, day_time, day_seq, day_job):  # fmt: skip
    """Open today's cases (times drawn by Python), then the events (draw blocks from Python)."""
    if times.shape[0]:
        _open(ints, arrival, times, day_time, day_seq, day_job)
    return _events(ints, ht, hs, hk, hj, busy, head, tail, servers, route, means, following,
                   step, enqueued, wait, done, draws, end, None, day_time, day_seq,
                   day_job)  # fmt: skip


@numba.njit(cache=True)
def _day_fused(rng, rate, homes, start, ints, ht, hs, hk, hj, busy, head, tail, servers, route,
               means, following, step, enqueued, wait, done, draws, arrival, day_time, day_seq,
               day_job):  # fmt: skip
    """The whole day in one call: the demand drawn from the model's generator exactly as
    ``GovernanceModel._demand`` draws it, then the events, refilling the draws in place."""
    count = rng.poisson(rate)
    if ints[CASES] + count > arrival.shape[0] or count > day_time.shape[0]:
        raise ValueError("capacity margin exceeded")
    rng.integers(0, homes, size=count)  # the applicants (drawn for the stream order)
    times = start + rng.random(count)
    _open(ints, arrival, times, day_time, day_seq, day_job)
    if draws.shape[0] == 0:
        return 2  # first block: Python allocates it (the kernel then refills in place)
    return _events(ints, ht, hs, hk, hj, busy, head, tail, servers, route, means, following,
                   step, enqueued, wait, done, draws, start + 1.0, rng, day_time, day_seq,
                   day_job)  # fmt: skip


class DayEngine:
    """The state of the compiled service engine for one textbook world (times in days)."""

    def __init__(
        self, rng: np.random.Generator, route, means, servers, rate_per_day, homes, fused=False
    ):
        self.rng = rng
        self.fused = fused
        self.route = np.asarray(route, dtype=np.int64)
        self.means = np.asarray(means, dtype=np.float64)
        self.servers = np.asarray(servers, dtype=np.int64)
        self.rate = rate_per_day * homes
        self.homes = homes
        self.margin = int(self.rate + 15.0 * self.rate**0.5 + 20)
        stations = len(self.servers)
        self.busy = np.zeros(stations, np.int64)
        self.head = np.full(stations, -1, np.int64)
        self.tail = np.full(stations, -1, np.int64)
        self.ints = np.zeros(6, np.int64)
        self.draws = np.empty(0)  # no block until the first draw is needed (lazy, as Draws)
        self._grow_heap(1024)
        self._grow_cases(1024)

    def _grow_heap(self, capacity: int) -> None:
        old = getattr(self, "ht", None)
        size = int(self.ints[SIZE])
        new = (np.empty(capacity), *(np.empty(capacity, np.int64) for _ in range(3)))
        if old is not None:
            for array, fresh in zip((self.ht, self.hs, self.hk, self.hj), new, strict=True):
                fresh[:size] = array[:size]
        self.ht, self.hs, self.hk, self.hj = new

    def _grow_cases(self, capacity: int) -> None:
        cases = int(self.ints[CASES])
        fresh = {
            "following": np.full(capacity, -1, np.int64),
            "step": np.zeros(capacity, np.int64),
            "enqueued": np.zeros(capacity),
            "wait": np.zeros(capacity),
            "done": np.full(capacity, np.nan),
            "arrival": np.zeros(capacity),
            "day_time": np.zeros(capacity),
            "day_seq": np.zeros(capacity, np.int64),
            "day_job": np.zeros(capacity, np.int64),
        }
        for name, array in fresh.items():
            if hasattr(self, name):
                array[:cases] = getattr(self, name)[:cases]
            setattr(self, name, array)

    def day(self, start: float) -> None:
        """One day: the demand (drawn as ``GovernanceModel._demand`` draws it), then events."""
        if self.fused:
            self._fused_day(start)
            return
        rng = self.rng
        count = rng.poisson(self.rate)
        rng.integers(self.homes, size=count)  # the applicants (unused here, drawn for the order)
        times = start + rng.random(count)
        self._ensure(count)
        while self._call(times, start + 1.0):
            self.draws = rng.standard_exponential(BLOCK)
            self.ints[USED] = 0
            times = times[:0]

    def _ensure(self, count: int) -> None:
        cases = int(self.ints[CASES])
        if cases + count > len(self.step):
            self._grow_cases(2 * (cases + count))
        if cases + count + 1 > len(self.ht):  # at most one pending event per case
            self._grow_heap(2 * (cases + count + 1))

    def _call(self, times: np.ndarray, end: float) -> int:
        return _day(
            self.ints, self.ht, self.hs, self.hk, self.hj, self.busy, self.head, self.tail,
            self.servers, self.route, self.means, self.following, self.step, self.enqueued,
            self.wait, self.done, self.draws, self.arrival, times, end, self.day_time,
            self.day_seq, self.day_job,
        )  # fmt: skip

    def _fused_day(self, start: float) -> None:
        self._ensure(self.margin)  # room for any plausible day's demand (Poisson tail)
        status = self._fused(start)
        if status == 2:  # the first draw of the run: allocate the block lazily, as Draws does
            self.draws = self.rng.standard_exponential(BLOCK)
            self.ints[USED] = 0
            status = _events(
                self.ints, self.ht, self.hs, self.hk, self.hj, self.busy, self.head, self.tail,
                self.servers, self.route, self.means, self.following, self.step, self.enqueued,
                self.wait, self.done, self.draws, start + 1.0, self.rng, self.day_time,
                self.day_seq, self.day_job,
            )  # fmt: skip

    def _fused(self, start: float) -> int:
        return _day_fused(
            self.rng, self.rate, self.homes, start, self.ints, self.ht, self.hs, self.hk,
            self.hj, self.busy, self.head, self.tail, self.servers, self.route, self.means,
            self.following, self.step, self.enqueued, self.wait, self.done, self.draws,
            self.arrival, self.day_time, self.day_seq, self.day_job,
        )  # fmt: skip
