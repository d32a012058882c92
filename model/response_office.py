"""The response office (接诉即办 / 12345 hotline): requests and complaints as cases with capacity.

Requests (from platform participants) and complaints (from applicants dissatisfied with a case)
arrive at one city office with ``c`` handlers, a handling-time distribution and a deadline. The
office is an exact multi-server FIFO queue, computed by the Kiefer–Wolfowitz recursion: requests
are taken in arrival order and the n-th starts at

    start_n = max(arrival_n, earliest time a handler is free),

that handler then being busy until ``start_n + handling_n``. Arrivals may be submitted ahead of
time (a voice period's requests are spread over its days); ``advance_to(t)`` handles, in arrival
order, every buffered arrival before ``t``, so the result is the same as a continuous-time event
simulation. Hotline volumes are small (hundreds a day), so a plain loop over a heap of handler
free times is enough; the office is kept apart from the compiled service kernel on purpose.

Rules:
- ``discretionary``: each request is taken into the queue with the take-up propensity
  p = clip(take_up_propensity + pressure_gain · participating share of the requester's district)
  (Chen, Pan & Xu 2016); the others are ignored (silence at the deadline);
- ``every_request`` (接诉即办): every request is queued.

A request is *answered* when handling starts within the deadline; it is settled (answered or
known to be unanswered) at ``min(start, arrival + deadline)``. ``settled_before(t)`` hands the
settled requests to the voice module, which applies their effect on efficacy and trust.
"""

from __future__ import annotations

import heapq

import numpy as np

from govlab.scenarios import ResponseOffice as OfficeConfig


def office_staff(config: OfficeConfig, residents: int) -> tuple[int, float]:
    """Handlers of the office and the speed factor of each: ``staff_per_10k_residents`` scaled
    to the city is x handlers; the office has c = max(1, round(x)) handlers, each working at
    x / c of the nominal speed, so that its capacity is exactly x handlers' (a small city's
    office of 0.3 handlers is one handler at 30% speed)."""
    exact = config.staff_per_10k_residents * residents / 10_000
    servers = max(1, round(exact))
    return servers, (exact / servers if exact > 0 else 1.0)


class ResponseOffice:
    """One multi-server FIFO office, fed with requests at known arrival times (days).

    Attributes:
        servers: handlers; count.
        submitted, queued, answered: request counters (arrivals from ``count_from`` days on).
        busy_days: handling time taken on so far; handler-days.
    """

    def __init__(
        self,
        config: OfficeConfig,
        servers: int,
        rng: np.random.Generator,
        hours_per_day: float,
        count_from: float = 0.0,
        speed: float = 1.0,
    ) -> None:
        self.config = config
        self.servers = servers
        self.rng = rng
        self.handling_days = config.handling_hours / hours_per_day / max(speed, 1e-9)
        self.deadline = config.deadline_days
        self.count_from = count_from
        self._free = [0.0] * servers  # heap of the times each handler is next free; days
        self._buffer: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._settled: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.submitted = self.queued = self.answered = 0
        self.handled_all = self.answered_all = 0  # every request so far, warm-up included
        self.busy_days = 0.0

    def submit(
        self, arrival: np.ndarray, row: np.ndarray, kind: np.ndarray, take_up: np.ndarray
    ) -> None:
        """Buffer requests arriving at ``arrival`` (days) from applicant ``row`` of ``kind``;
        ``take_up`` is each request's probability of being queued (1 under every-request)."""
        if len(arrival) == 0:
            return
        # One uniform per request whatever the rule, so that paired runs stay paired.
        queued = self.rng.random(len(arrival)) < take_up
        self._buffer.append((np.asarray(arrival, float), np.asarray(row), np.asarray(kind), queued))

    def advance_to(self, time: float) -> None:
        """Handle, in arrival order, every buffered request arriving before ``time``."""
        if not self._buffer:
            return
        parts = zip(*self._buffer, strict=True)
        arrival, row, kind, queued = (np.concatenate(part) for part in parts)
        order = np.argsort(arrival, kind="stable")
        arrival, row, kind, queued = arrival[order], row[order], kind[order], queued[order]
        now = arrival < time
        later = ~now
        self._buffer = [(arrival[later], row[later], kind[later], queued[later])]
        if later.all():
            return
        arrival, row, kind, queued = arrival[now], row[now], kind[now], queued[now]
        start = np.full(len(arrival), np.inf)
        handling = self.rng.exponential(self.handling_days, size=int(queued.sum()))
        free = self._free
        for k, i in enumerate(np.flatnonzero(queued)):
            begin = max(arrival[i], free[0])
            heapq.heapreplace(free, begin + handling[k])
            start[i] = begin
        answered = start - arrival <= self.deadline
        settled = np.where(answered, start, arrival + self.deadline)
        self._settled.append((settled, row, kind, answered))
        self.handled_all += len(arrival)
        self.answered_all += int(answered.sum())
        counted = arrival >= self.count_from
        self.submitted += int(counted.sum())
        self.queued += int((counted & queued).sum())
        self.answered += int((counted & answered).sum())
        self.busy_days += float(handling.sum())

    def backlog_days(self, time: float) -> float:
        """Mean time, over handlers, until each is free of the work already taken on; days."""
        return float(np.mean([max(free - time, 0.0) for free in self._free]))

    def settled_before(self, time: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, kinds and answered flags of the requests settled before ``time`` (removed)."""
        if not self._settled:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=bool)
        parts = zip(*self._settled, strict=True)
        settled, row, kind, answered = (np.concatenate(part) for part in parts)
        due = settled < time
        rest = ~due
        self._settled = [(settled[rest], row[rest], kind[rest], answered[rest])]
        return row[due].astype(np.int64), kind[due].astype(np.int64), answered[due]

    @property
    def response_rate(self) -> float | None:
        """Answered share of the counted requests (None before any)."""
        return self.answered / self.submitted if self.submitted else None
