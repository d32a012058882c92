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
