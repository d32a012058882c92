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
"""

from __future__ import annotations

import numba
import numpy as np
from compiled import ARRIVE, FINISH, _pop, _push

BLOCK = 4096
SIZE, SEQ, USED, CASES = range(4)  # slots of the integer state vector


@numba.njit(cache=True)
def _day(ints, ht, hs, hk, hj, busy, head, tail, servers, route, means, following, step,
         enqueued, wait, done, draws, arrivals, end):  # fmt: skip
    """Open today's cases (ARRIVE at their times, in opening order), then handle every event
    before ``end``. Returns 1 when a new block of draws is needed (call again), else 0."""
    size, seq, used, cases = ints[SIZE], ints[SEQ], ints[USED], ints[CASES]
    for i in range(arrivals.shape[0]):
        seq += 1
        size = _push(ht, hs, hk, hj, size, arrivals[i], seq, ARRIVE, cases)
        cases += 1
    steps = route.shape[0]
    status = 0
    while size > 0 and ht[0] < end:
        if used == draws.shape[0]:
            status = 1
            break
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
    ints[SIZE], ints[SEQ], ints[USED], ints[CASES] = size, seq, used, cases
    return status


class DayEngine:
    """The state of the compiled service engine for one textbook world (times in days)."""

    def __init__(self, rng: np.random.Generator, route, means, servers, rate_per_day, homes):
        self.rng = rng
        self.route = np.asarray(route, dtype=np.int64)
        self.means = np.asarray(means, dtype=np.float64)
        self.servers = np.asarray(servers, dtype=np.int64)
        self.rate = rate_per_day * homes
        self.homes = homes
        stations = len(self.servers)
        self.busy = np.zeros(stations, np.int64)
        self.head = np.full(stations, -1, np.int64)
        self.tail = np.full(stations, -1, np.int64)
        self.ints = np.zeros(4, np.int64)
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
        }
        for name, array in fresh.items():
            if hasattr(self, name):
                array[:cases] = getattr(self, name)[:cases]
            setattr(self, name, array)

    def day(self, start: float) -> None:
        """One day: the demand (drawn as ``GovernanceModel._demand`` draws it), then events."""
        rng = self.rng
        count = rng.poisson(self.rate)
        rng.integers(self.homes, size=count)  # the applicants (unused here, drawn for the order)
        times = start + rng.random(count)
        cases = int(self.ints[CASES])
        if cases + count > len(self.step):
            self._grow_cases(2 * (cases + count))
        if cases + count + 1 > len(self.ht):  # at most one pending event per case
            self._grow_heap(2 * (cases + count + 1))
        self.arrival[cases : cases + count] = times
        arrivals = times
        while self._call(arrivals, start + 1.0):
            self.draws = rng.standard_exponential(BLOCK)
            self.ints[USED] = 0
            arrivals = times[:0]

    def _call(self, arrivals: np.ndarray, end: float) -> int:
        return _day(
            self.ints, self.ht, self.hs, self.hk, self.hj, self.busy, self.head, self.tail,
            self.servers, self.route, self.means, self.following, self.step, self.enqueued,
            self.wait, self.done, self.draws, arrivals, end,
        )  # fmt: skip
