"""The continuous-time engine: one event heap and multi-server FIFO stations.

This is the small interface the rest of the model relies on, kept apart so that it can be
replaced by a compiled loop without touching the journeys: ``EventHeap.push``/``pop`` and
``Station.arrive``/``finish``/``set_servers``. Time is in working days.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterator
from typing import Any

# Event kinds.
ARRIVE = 0  # a job reaches a station (payload: station index, job)
FINISH = 1  # a server at a station ends a job (payload: station index, job)


class EventHeap:
    """Events ordered by time, ties broken by insertion order (so runs are reproducible)."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, int, Any]] = []
        self._seq = 0

    def push(self, time: float, kind: int, station: int, job: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, kind, station, job))

    def next_time(self) -> float:
        return self._heap[0][0] if self._heap else float("inf")

    def pop(self) -> tuple[float, int, int, int, Any]:
        return heapq.heappop(self._heap)

    def __len__(self) -> int:
        return len(self._heap)

    def pending(self) -> Iterator[tuple[float, int, int, Any]]:
        """The events not yet handled, as ``(time, kind, station, job)``, in no order."""
        return ((time, kind, station, job) for time, _, kind, station, job in self._heap)


class Station:
    """A c-server FIFO queue with time-integrated statistics (for utilisation and Little's law).

    Attributes:
        servers: staff serving now; count.
        busy: servers serving now; count.
        in_system: jobs waiting or in service; count.
        area_in_system: integral of ``in_system`` over time; job-days.
        area_busy: integral of ``busy`` over time; server-days.
        arrivals, departures: jobs that arrived / left; counts.
        time_in_system: total time the departed jobs spent here; job-days.
    """

    __slots__ = (
        "area_busy",
        "area_in_system",
        "arrivals",
        "busy",
        "departures",
        "in_system",
        "last_time",
        "queue",
        "servers",
        "time_in_system",
    )

    def __init__(self, servers: int) -> None:
        self.servers = servers
        self.busy = 0
        self.queue: deque[Any] = deque()
        self.in_system = 0
        self.area_in_system = 0.0
        self.area_busy = 0.0
        self.last_time = 0.0
        self.arrivals = 0
        self.departures = 0
        self.time_in_system = 0.0

    @property
    def queue_length(self) -> int:
        """Jobs waiting, not yet in service; count."""
        return len(self.queue)

    def advance(self, time: float) -> None:
        """Integrate the counters up to ``time``."""
        elapsed = time - self.last_time
        if elapsed > 0.0:
            self.area_in_system += self.in_system * elapsed
            self.area_busy += self.busy * elapsed
            self.last_time = time

    def arrive(self, time: float, job: Any) -> bool:
        """Add a job; return True if a server takes it at once, False if it queues."""
        self.advance(time)
        self.arrivals += 1
        self.in_system += 1
        if self.busy < self.servers:
            self.busy += 1
            return True
        self.queue.append(job)
        return False

    def finish(self, time: float, sojourn: float) -> Any:
        """A job of ``sojourn`` days leaves; return the next queued job to start, or None."""
        self.advance(time)
        self.departures += 1
        self.in_system -= 1
        self.time_in_system += sojourn
        if self.queue and self.busy <= self.servers:
            return self.queue.popleft()
        self.busy -= 1
        return None

    def set_servers(self, time: float, servers: int) -> list[Any]:
        """Change the staff; return the queued jobs that newly free servers start now."""
        self.advance(time)
        self.servers = servers
        started = []
        while self.queue and self.busy < self.servers:
            self.busy += 1
            started.append(self.queue.popleft())
        return started
