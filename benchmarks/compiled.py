"""A prototype of the compiled service path (numba), to measure what it could gain.

Not used by the model. Exact FIFO c-server recursion (Kiefer–Wolfowitz): each case, in arrival
order, takes the server that frees first; a station's departures, sorted, are the next station's
arrivals. All random numbers are drawn in blocks from one ``numpy.random.Generator`` and handed to
the kernel, as the model's ``Draws`` does, so a seed still fixes the run.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def _fifo(arrival: np.ndarray, service: np.ndarray, servers: int, wait: np.ndarray) -> np.ndarray:
    """Departure times of cases arriving at ``arrival`` (sorted) at a c-server FIFO station;
    adds each case's wait to ``wait``."""
    free = np.zeros(servers)
    departure = np.empty_like(arrival)
    for i in range(arrival.shape[0]):
        k = 0
        for j in range(1, servers):
            if free[j] < free[k]:
                k = j
        start = max(arrival[i], free[k])
        wait[i] += start - arrival[i]
        free[k] = start + service[i]
        departure[i] = free[k]
    return departure


def network(
    rng: np.random.Generator, arrivals: int, per_hour: float, stations: list[tuple[int, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """The same contract as ``simpy_ref.network``: waits and sojourns (hours) of every case."""
    start = np.cumsum(rng.exponential(1.0 / per_hour, arrivals))
    services = rng.standard_exponential((len(stations), arrivals))
    wait = np.zeros(arrivals)
    time = start
    order = np.arange(arrivals)
    for k, (servers, mean) in enumerate(stations):
        departure = _fifo(time, mean * services[k, order], servers, wait_view := np.zeros(arrivals))
        wait[order] += wait_view
        if k + 1 < len(stations) and servers > 1:
            resort = np.argsort(departure, kind="stable")
            order, time = order[resort], departure[resort]
        else:
            time = departure
    sojourn = np.empty(arrivals)
    sojourn[order] = time - start[order]
    return wait, sojourn


# -- a compiled event loop: the model's engine design (heap + c-server FIFO stations) in numba --
ARRIVE, FINISH = 0, 1


@numba.njit(cache=True, inline="always")
def _less(ht, hs, a, b):
    return ht[a] < ht[b] or (ht[a] == ht[b] and hs[a] < hs[b])


@numba.njit(cache=True)
def _push(ht, hs, hk, hj, size, time, seq, kind, job):
    i = size
    ht[i], hs[i], hk[i], hj[i] = time, seq, kind, job
    while i > 0:
        parent = (i - 1) >> 1
        if not _less(ht, hs, i, parent):
            break
        ht[i], ht[parent] = ht[parent], ht[i]
        hs[i], hs[parent] = hs[parent], hs[i]
        hk[i], hk[parent] = hk[parent], hk[i]
        hj[i], hj[parent] = hj[parent], hj[i]
        i = parent
    return size + 1


@numba.njit(cache=True)
def _pop(ht, hs, hk, hj, size):
    size -= 1
    ht[0], hs[0], hk[0], hj[0] = ht[size], hs[size], hk[size], hj[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and _less(ht, hs, left + 1, left):
            child = left + 1
        if not _less(ht, hs, child, i):
            break
        ht[i], ht[child] = ht[child], ht[i]
        hs[i], hs[child] = hs[child], hs[i]
        hk[i], hk[child] = hk[child], hk[i]
        hj[i], hj[child] = hj[child], hj[i]
        i = child
    return size


@numba.njit(cache=True)
def event_loop(arrival, route, means, servers, draws, handoff):
    """Cases arriving at ``arrival`` (sorted) visit the stations ``route`` in order (service mean
    ``means[k]`` at step k, ``servers[s]`` servers at station s); service times are ``means`` ×
    ``draws`` (pre-drawn Exp(1), consumed in event order as the model's ``Draws`` does); hand-off
    between stations takes ``handoff``. Returns each case's total wait and completion time."""
    n, steps = arrival.shape[0], route.shape[0]
    stations = servers.shape[0]
    busy = np.zeros(stations, np.int64)
    head = np.full(stations, -1, np.int64)
    tail = np.full(stations, -1, np.int64)
    following = np.full(n, -1, np.int64)
    step = np.zeros(n, np.int64)
    enqueued = np.zeros(n)
    wait = np.zeros(n)
    done = np.zeros(n)
    capacity = n + servers.sum() + 1
    ht, hs = np.empty(capacity), np.empty(capacity, np.int64)
    hk, hj = np.empty(capacity, np.int64), np.empty(capacity, np.int64)
    size, seq, used, nxt = 0, 0, 0, 0
    while True:
        if nxt < n and (size == 0 or arrival[nxt] < ht[0]):
            time, kind, job = arrival[nxt], ARRIVE, nxt
            nxt += 1
        elif size > 0:
            time, kind, job = ht[0], hk[0], hj[0]
            size = _pop(ht, hs, hk, hj, size)
        else:
            break
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
        if queued >= 0:  # the next in line starts on the freed server
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
            size = _push(ht, hs, hk, hj, size, time + handoff, seq, ARRIVE, job)
        else:
            done[job] = time
    return wait, done


def event_network(
    rng: np.random.Generator, arrivals: int, per_hour: float, stations: list[tuple[int, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """``network`` through the compiled event loop (stations in series, no hand-off time)."""
    start = np.cumsum(rng.exponential(1.0 / per_hour, arrivals))
    draws = rng.standard_exponential(arrivals * len(stations))
    route = np.arange(len(stations), dtype=np.int64)
    means = np.array([mean for _, mean in stations])
    servers = np.array([c for c, _ in stations], dtype=np.int64)
    wait, done = event_loop(start, route, means, servers, draws, 0.0)
    return wait, done - start
