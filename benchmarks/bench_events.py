"""Why the engine keeps its own event heap: ``model.engine.EventHeap`` against Mesa 3.5's
``Model.schedule_event`` + ``run_until`` on the same events (push N events at sorted random times,
then handle them in time order). Reported, no target: it records the choice of issue 2.
"""

from __future__ import annotations

import mesa
import numpy as np
from common import Result, alternate

from govlab.model.engine import ARRIVE, EventHeap


class _Counter:
    def __init__(self) -> None:
        self.handled = 0

    def hit(self) -> None:
        self.handled += 1


def _ours(times: list[float]) -> int:
    heap, counter = EventHeap(), _Counter()
    for time in times:
        heap.push(time, ARRIVE, 0, None)
    while len(heap):
        heap.pop()
        counter.hit()
    return counter.handled


def _mesa(times: list[float]) -> int:
    model, counter = mesa.Model(rng=0), _Counter()
    for time in times:
        model.schedule_event(counter.hit, at=time)
    model.run_until(times[-1] + 1.0)
    return counter.handled


def bench(quick: bool) -> list[Result]:
    events = 50_000 if quick else 200_000
    times = np.sort(np.random.default_rng(0).random(events) * 100.0).tolist()
    medians, _, handled = alternate(
        {"ours": lambda: _ours(times), "mesa": lambda: _mesa(times)}, repeats=5
    )
    assert handled["ours"] == handled["mesa"] == events
    ours, reference = events / medians["ours"], events / medians["mesa"]
    return [
        Result(
            "events: EventHeap vs Mesa schedule_event",
            ours,
            reference,
            "events/s",
            ours / reference,
            None,
            note=f"{events} events pushed at sorted random times, then handled in order",
        )
    ]
