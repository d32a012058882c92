"""The reference service networks written in SimPy (the idiomatic discrete-event library).

Times are in hours. Arrivals are Poisson, service exponential, FIFO with ``simpy.Resource``.
Each function returns the waits in queue (per case, summed over stations) and the sojourn times
of the cases that completed.
"""

from __future__ import annotations

import numpy as np
import simpy


def network(
    rng: np.random.Generator,
    arrivals: int,
    per_hour: float,
    stations: list[tuple[int, float]],
) -> tuple[np.ndarray, np.ndarray]:
    """``arrivals`` cases through ``stations`` in series (``(servers, mean service hours)``)."""
    env = simpy.Environment()
    resources = [simpy.Resource(env, capacity=servers) for servers, _ in stations]
    means = [mean for _, mean in stations]
    gaps = rng.exponential(1.0 / per_hour, arrivals).tolist()
    services = rng.exponential(1.0, (arrivals, len(stations))).tolist()
    waits = [0.0] * arrivals
    sojourns = [0.0] * arrivals

    def case(index: int):
        start = env.now
        waited = 0.0
        for k, resource in enumerate(resources):
            with resource.request() as request:
                queued = env.now
                yield request
                waited += env.now - queued
                yield env.timeout(means[k] * services[index][k])
        waits[index] = waited
        sojourns[index] = env.now - start

    def source():
        for index in range(arrivals):
            yield env.timeout(gaps[index])
            env.process(case(index))

    env.process(source())
    env.run()
    return np.asarray(waits), np.asarray(sojourns)
