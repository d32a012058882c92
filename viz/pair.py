"""The live state of one browser session: two governments run side by side on the same seed.

``Pane`` owns one ``GovernanceModel`` and the short daily history the charts draw (delay mean and
p90 over a rolling window of completed cases, trips per case, backlog by department function,
participation and trust when the model reports them). ``Pair`` steps both panes together, rebuilds
the right pane when a lever changes (replayed to the current day, so the panes stay aligned),
arms the journey of one case in both, and measures the time spent stepping. No Solara here: the
components in ``viz.app`` hold a ``Pair`` per session.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from govlab.model import GovernanceModel
from govlab.scenarios import Scenario, load_scenario

WINDOW_DAYS = 10  # delay and trips are over the cases completed in the last WINDOW_DAYS days
CIVIC_SERIES = ("participation_rate", "trust_mean")
MAX_REPLAY_DAYS = 5_000


Reform = tuple[int, str, Any]  # (working day from whose start, override key, value)


@dataclass
class PaneSpec:
    """What a pane runs: a shipped scenario (or file) name, dotted-path overrides from day 0 and
    the reforms made from a later day (``reforms``: a lever changed "from today" in the lever
    panel, in the order made)."""

    scenario: str
    overrides: dict[str, Any] = field(default_factory=dict)
    reforms: tuple[Reform, ...] = ()

    def build(self) -> Scenario:
        """The validated scenario the model runs: the overrides, and each reform as a
        ``[[schedule]]`` entry of its day (a replay from day 0 reaches the same state as the
        model reformed on that day: ``GovernanceModel.reform``)."""
        loaded = load_scenario(self.scenario)
        built = loaded.with_overrides(self.overrides) if self.overrides else loaded
        if not self.reforms:
            return built
        entries = [entry.model_dump(mode="json") for entry in built.schedule]
        entries += [
            {"day": day, "levers": {key.removeprefix("levers."): value}}
            for day, key, value in self.reforms
        ]
        return built.with_overrides({"schedule": entries})

    def changes(self) -> dict[str, Any]:
        """The lever changes in force at the end: the overrides, then each reform's value."""
        return {**self.overrides, **{key: value for _, key, value in self.reforms}}

    def shown(self) -> Scenario:
        """The scenario as the lever panel shows it: every change in force, as overrides."""
        loaded = load_scenario(self.scenario)
        changes = self.changes()
        return loaded.with_overrides(changes) if changes else loaded


class Pane:
    """One government: its model and the daily series the charts show."""

    def __init__(self, spec: PaneSpec, seed: int) -> None:
        self.spec = spec
        self.scenario = spec.build()
        self.shown_scenario = spec.shown() if spec.reforms else self.scenario  # the lever panel's
        self.model = GovernanceModel(self.scenario, rng=seed, collect=False)  # civic_series
        self.functions = sorted({d.function for d in self.model.departments})
        self._function_index = np.array(
            [self.functions.index(d.function) for d in self.model.departments]
        )
        self._recent: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=WINDOW_DAYS)
        self._seen = 0
        self.days: list[int] = []
        self.delay_mean: list[float] = []
        self.delay_p90: list[float] = []
        self.trips: list[float] = []
        self.backlog: list[np.ndarray] = []  # per day: cases in queue or service by function
        self.backlog_peak = 0.0  # the largest daily total so far (the chart's y-limit covers it)
        self.followed: int | None = None  # case type index whose journey is armed
        self._trace_mark = 0
        self.drawings: dict[Any, Any] = {}  # persistent figures of this pane (viz.charts, ...)

    @property
    def day(self) -> int:
        """Working days simulated."""
        return self.model.steps

    def step(self) -> None:
        """Advance one working day and append today's point of every series."""
        model = self.model
        model.step()
        records = model.journeys.records
        new = records.table(self._seen)
        self._seen = len(records)
        delay, trips = new["delay_days"], new["trips"].astype(float)
        self._recent.append((delay, trips))
        delays = np.concatenate([d for d, _ in self._recent])
        tripss = np.concatenate([t for _, t in self._recent])
        self.days.append(model.steps)
        self.delay_mean.append(float(delays.mean()) if len(delays) else math.nan)
        self.delay_p90.append(float(np.percentile(delays, 90)) if len(delays) else math.nan)
        self.trips.append(float(tripss.mean()) if len(tripss) else math.nan)
        in_system = np.array([d.in_system for d in model.departments], dtype=float)
        self.backlog.append(np.bincount(self._function_index, in_system, len(self.functions)))
        self.backlog_peak = max(self.backlog_peak, float(in_system.sum()))

    def civic(self, name: str) -> list[float] | None:
        """A daily civic series (``participation_rate``, ``trust_mean``) if the model has it."""
        series = self.model.civic_series.get(name)
        if series is None:
            return None
        return [math.nan if v is None else float(v) for v in series[-len(self.days) :]]

    def follow(self, case_type: int) -> None:
        """Record the journey of the next case of ``case_type`` opened from now on."""
        self.followed = case_type
        self._trace_mark = self.model.journeys.opened
        self.model.journeys.trace_next(case_type)

    def trace(self) -> list[tuple[float, str, int]] | None:
        """The followed case's events so far (None until that case has opened)."""
        if self.followed is None:
            return None
        newer = [k for k in self.model.journeys.traces if k > self._trace_mark]
        return self.model.journeys.traces[min(newer)] if newer else None


class Pair:
    """Two panes on one seed, stepped together; thread-safe for a play loop and button clicks."""

    def __init__(self, left: PaneSpec, right: PaneSpec, seed: int = 1, follow: int = 0) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self.step_seconds = 0.0  # last measured time of one day of both panes
        self.draw_seconds: dict[str, float] = {}  # last time to draw each view; seconds
        self.follow_type = follow
        self.left = Pane(left, seed)
        self.right = Pane(right, seed)
        self.left.follow(follow)
        self.right.follow(follow)
        self.kept: dict[str, Pane] = {}  # per side, the pane a rebuild replaced (``rebuild``)

    @property
    def day(self) -> int:
        """The current working day (both panes are on it)."""
        return self.left.day

    @property
    def panes(self) -> tuple[Pane, Pane]:
        return self.left, self.right

    def step(self, days: int = 1) -> None:
        """Advance both governments ``days`` working days."""
        with self.lock:
            start = time.perf_counter()
            for _ in range(days):
                self.left.step()
                self.right.step()
            self.step_seconds = (time.perf_counter() - start) / max(days, 1)

    def reset(self, seed: int | None = None) -> None:
        """Rebuild both panes at day 0 (optionally on a new seed)."""
        with self.lock:
            self.kept = {}
            if seed is not None:
                self.seed = seed
            self.left = Pane(self.left.spec, self.seed)
            self.right = Pane(self.right.spec, self.seed)
            self.left.follow(self.follow_type)
            self.right.follow(self.follow_type)

    def load(self, left: PaneSpec, right: PaneSpec, seed: int) -> None:
        """Start over at day 0 with new specs and seed (a stored run opened from the results)."""
        with self.lock:
            panes = Pane(left, seed), Pane(right, seed)  # validate both before replacing
            self.seed, self.kept = seed, {}
            self.left, self.right = panes
            self.left.follow(self.follow_type)
            self.right.follow(self.follow_type)

    def rebuild(self, side: str, spec: PaneSpec) -> None:
        """Replace one pane (``"left"``/``"right"``) by one running ``spec`` from day 0, replayed
        to the current day. The pane replaced is kept: a change undone (a lever switched back)
        takes it up again, stepped on to today — the same state as a replay from day 0 on the
        same seed, without the replay."""
        with self.lock:
            kept = self.kept.get(side)
            if kept is not None and kept.spec == spec and kept.day <= self.day:
                pane = kept
            else:  # validates first: a bad spec leaves the pair unchanged
                pane = Pane(spec, self.seed)
            for _ in range(min(self.day, MAX_REPLAY_DAYS) - pane.day):
                pane.step()
            pane.follow(self.follow_type)
            self.kept[side] = getattr(self, side)
            setattr(self, side, pane)

    def reform(self, side: str, spec: PaneSpec, levers: dict[str, Any]) -> None:
        """Reform pane ``side`` from today: its model takes ``levers`` from the next day's start
        (``GovernanceModel.reform``; no replay) and its spec becomes ``spec``, whose last reform
        they are (a link replays it to the same state)."""
        with self.lock:
            pane = getattr(self, side)
            scenario, shown = spec.build(), spec.shown()  # validates first
            pane.model.reform(levers)
            pane.spec, pane.scenario, pane.shown_scenario = spec, scenario, shown
            self.kept.pop(side, None)  # the pane kept for an undo is no longer today's twin

    def follow(self, case_type: int) -> None:
        """Follow the next case of ``case_type`` in both governments."""
        with self.lock:
            self.follow_type = case_type
            self.left.follow(case_type)
            self.right.follow(case_type)
