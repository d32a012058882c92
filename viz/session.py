"""One browser session's state and the only way to change it: the single source of truth.

A ``Session`` owns the session's ``Pair`` of models and the trainer's settings (speed, stop day).
Every control asks the session for a change (``set_lever``, ``pick``, ``reset``, ``load``,
``step``); while playing, changes wait in a queue and the play loop applies them *between*
frames, so nothing changes the models while a frame is being drawn. After each change the
session publishes a frozen ``Shown`` snapshot; the page renders every control from that snapshot
and from nothing else, so a control always shows the state of the model it drives. Once the
browser reports the frames it has drawn (``browser_drawn``, from ``viz.frame``), the play loop
publishes a frame only after the one before is drawn: the server keeps the browser's pace.

A link's day is replayed by the same loop (``replay_to``): ``REPLAY_CHUNK_DAYS`` a frame, as fast
as the page draws them (no pacing by the speed), pausable. When the browser's session ends the
page calls ``close`` (the loop stops at once) and ``viz.sessions`` later ``drop_models``.

Bad input (a seed out of range, an unknown scenario) raises ``InputError`` naming the field, never a
traceback on the page. No Solara here: ``viz.app`` wires a session to the page.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from govlab.scenarios import Scenario, ScenarioError, shipped_scenarios
from govlab.scenarios.schedule import DESK, SCHEDULABLE
from govlab.viz.pair import MAX_REPLAY_DAYS, Pair, PaneSpec

MAX_SEED = 2**63 - 1  # stored runs carry 63-bit seeds (experiments.seeds); numpy takes any
SPEEDS_DAYS_PER_SECOND = (1, 2, 5, 10, 20, 50)
DEFAULT_SPEED = 10  # working days per second of wall time while playing
MAX_CATCH_UP_SECONDS = 0.5  # a slow frame never makes the next one jump more than this much time
FRAME_PAUSE_SECONDS = 0.02  # between frames, so that clicks get through
RENDER_WAIT_SECONDS = 5.0  # the play loop waits at most this long for the page to draw a frame
# a link's replay steps this many days a frame: ~0.3-0.45 s of stepping (12-18 ms a day for the
# default pair on a loaded 2-core machine), so the counter climbs and Pause acts within a frame
REPLAY_CHUNK_DAYS = 25


CONTROL_SECTIONS = ("levers", "response_office")  # the scenario sections the lever panel edits


def override_key(path: str) -> str:
    """The dotted override of a control: ``front_desk`` is ``levers.front_desk``, a response
    office field is named with its section (``response_office.rule``)."""
    return path if path.split(".")[0] in CONTROL_SECTIONS[1:] else f"levers.{path}"


def control_value(scenario: Scenario, path: str) -> Any:
    """The value a scenario gives the control ``path``."""
    section, name = override_key(path).split(".", 1)
    return getattr(getattr(scenario, section), name)


class InputError(ValueError):
    """A user input the session refuses; ``field`` names the control, the text says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Shown:
    """What every control shows, taken from the models after a change (compare by value)."""

    left: str
    right: str
    overrides: tuple[tuple[str, Any], ...]  # the right pane's lever changes, sorted
    seed: int
    day: int
    frame: int  # counts every published change: the charts redraw when it moves
    playing: bool
    speed: int
    stop_at: int | None
    replaying: bool = False  # a link's day is being replayed (stop_at is that day)
    replay_kind: str = "link"  # what is replayed: a "link" or a stored "run" (its last day)
    pending: tuple[tuple[str, Any], ...] = ()  # lever changes asked for, not yet run (playing)
    reforms: tuple[tuple[int, str, Any], ...] = ()  # the right pane's changes from a later day

    def controls(self) -> Shown:
        """What the page's bars show (equal from frame to frame while playing: only the views
        that show the day re-render per frame)."""
        return dataclasses.replace(self, day=0, frame=0)

    def choices(self) -> Shown:
        """Only what the pickers and the lever panel show (equal from frame to frame, so those
        controls are not re-rendered while playing)."""
        return dataclasses.replace(
            self,
            day=0,
            frame=0,
            playing=False,
            speed=0,
            stop_at=None,
            replaying=False,
            replay_kind="link",
        )

    @property
    def lever_changes(self) -> dict[str, Any]:
        """The right pane's lever changes in force by lever name (``levers.`` prefix removed):
        those from day 0, then those made from a later day."""
        changes = {**dict(self.overrides), **{key: value for _, key, value in self.reforms}}
        return {key.removeprefix("levers."): value for key, value in changes.items()}


def parse_seed(text: Any) -> int:
    """A seed from a field's value: a whole number in [0, MAX_SEED], else ``InputError``."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise InputError("seed", f"seed: a whole number from 0 to {MAX_SEED}") from None
    if not 0 <= seed <= MAX_SEED:
        raise InputError("seed", f"seed: a whole number from 0 to {MAX_SEED} (got {seed})")
    return seed


def parse_day(text: Any, field_name: str = "day") -> int:
    """A working day from a field's value: a whole number in [0, MAX_REPLAY_DAYS]."""
    try:
        day = int(str(text).strip())
    except ValueError:
        raise InputError(field_name, f"{field_name}: a whole number of working days") from None
    if not 0 <= day <= MAX_REPLAY_DAYS:
        raise InputError(field_name, f"{field_name}: from 0 to {MAX_REPLAY_DAYS} working days")
    return day


@dataclass
class Session:
    """A browser session's pair of governments, its settings and its queue of changes."""

    pair: Pair  # None once the session is closed and its models dropped (``drop_models``)
    speed: int = DEFAULT_SPEED
    stop_at: int | None = None  # play pauses when this day is reached
    playing: bool = False
    replaying: bool = False  # playing to stop_at in chunks, unpaced (a link's day)
    replay_kind: str = "link"  # "link" or "run": a stored run opened at its last day
    # lever values asked for while playing, by control: the play loop applies the last one
    pending_levers: dict[str, Any] = field(default_factory=dict)
    frame: int = 0
    closed: threading.Event = field(default_factory=threading.Event)
    pending: list[Callable[[], None]] = field(default_factory=list)
    listeners: list[Callable[[Shown], None]] = field(default_factory=list)
    publish_lock: threading.RLock = field(default_factory=threading.RLock)
    rendered_frame: int = 0  # the page sets it when it renders a snapshot (see ``wait_rendered``)
    render_lock: Any = None  # the page's render lock (reacton's), held while the page renders
    drawn_frame: int = 0  # the last frame the browser reported drawn (``viz.frame``)
    browser_paced: bool = False  # a browser reports its frames drawn: the loop waits for them

    @classmethod
    def start(
        cls, left: str, right: str, seed: int, overrides: dict | None = None, reforms: tuple = ()
    ) -> Session:
        """A new session at day 0 (the right pane's ``reforms`` take effect on their days)."""
        return cls(Pair(PaneSpec(left), PaneSpec(right, dict(overrides or {}), reforms), seed))

    # ---- what the controls show ------------------------------------------------------------
    def shown(self) -> Shown:
        """The snapshot every control renders from."""
        pair = self.pair
        return Shown(
            left=pair.left.spec.scenario,
            right=pair.right.spec.scenario,
            overrides=tuple(sorted(pair.right.spec.overrides.items())),
            seed=pair.seed,
            day=pair.day,
            frame=self.frame,
            playing=self.playing,
            speed=self.speed,
            stop_at=self.stop_at,
            replaying=self.replaying,
            replay_kind=self.replay_kind,
            pending=tuple(sorted(self.pending_levers.items())),
            reforms=pair.right.spec.reforms,
        )

    def publish(self) -> None:
        """Tell the page (one publisher at a time, so renders never overlap); nothing once
        the session is closed."""
        with self.publish_lock:
            if self.closed.is_set():
                return
            self.frame += 1
            snapshot = self.shown()
            for listener in list(self.listeners):
                listener(snapshot)

    # ---- changes ---------------------------------------------------------------------------
    def change(self, command: Callable[[], None]) -> None:
        """Apply ``command`` now, or between frames while playing; then publish."""
        if self.playing:
            with self.pair.lock:
                self.pending.append(command)
            return
        with self.pair.lock:
            command()
        self.publish()

    def apply_pending(self) -> None:
        """Run the queued changes (the play loop calls this between frames)."""
        with self.pair.lock:
            commands, self.pending = self.pending, []
            for command in commands:
                command()

    def set_lever(self, name: str, value: Any) -> None:
        """Change one lever (or response office setting, ``response_office.<field>``) of the
        right pane (a value equal to the current one is no change; one equal to the scenario's
        own value removes the change). While playing the change is *pending* until the play loop
        runs it between frames: the snapshot says so (``Shown.pending``), and further changes of
        the same control before then replace it (one rebuild, with the last value)."""
        if self.playing:
            with self.pair.lock:
                queued = name in self.pending_levers
                self.pending_levers[name] = value
                if not queued:
                    self.pending.append(
                        lambda: self._run_lever(name, self.pending_levers.pop(name))
                    )
            self.publish()  # the control shows the value it waits for ("applying…")
            return
        self.change(lambda: self._run_lever(name, value))

    def _run_lever(self, name: str, value: Any) -> None:
        """Set control ``name`` of the right pane to ``value`` (under the pair's lock). After day
        0 a lever a schedule can set is a reform from today (the model goes on, the lever takes
        effect from the next day: ``Pair.reform``; the front desk only when switched on); any
        other change rebuilds the pane with it from day 0, replayed to today (its reforms of
        other levers kept)."""
        pane = self.pair.right
        if control_value(pane.shown_scenario, name) == value:
            return
        key = override_key(name)
        lever = key.removeprefix("levers.")
        spec = pane.spec
        reform = lever in SCHEDULABLE and (lever not in DESK or value is True)  # opens only
        if self.pair.day > 0 and key.startswith("levers.") and reform:
            reforms = (*spec.reforms, (self.pair.day, key, value))
            self.pair.reform(
                "right", PaneSpec(spec.scenario, spec.overrides, reforms), {lever: value}
            )
            return
        overrides = {k: v for k, v in spec.overrides.items() if k != key}
        base = PaneSpec(spec.scenario).build()
        if control_value(base, name) != value:
            overrides[key] = value
        reforms = tuple(reform for reform in spec.reforms if reform[1] != key)
        self.pair.rebuild("right", PaneSpec(spec.scenario, overrides, reforms))

    def clear_levers(self) -> None:
        """Back to the right scenario's own levers."""
        self.change(lambda: self.pair.rebuild("right", PaneSpec(self.pair.right.spec.scenario)))

    def pick(self, side: str, name: str) -> None:
        """Run scenario ``name`` in pane ``side`` (the right pane's lever changes are cleared)."""
        if name not in shipped_scenarios():
            raise InputError(f"{side} government", f"unknown scenario {name!r}")

        def command() -> None:
            pane = getattr(self.pair, side)
            if pane.spec.scenario == name and not pane.spec.overrides:
                return
            self.pair.rebuild(side, PaneSpec(name))

        self.change(command)

    def reset(self, seed_text: Any = None) -> None:
        """Both panes back to day 0, on a new seed if given (validated first)."""
        seed = None if seed_text is None else parse_seed(seed_text)
        self.playing = False
        self.end_replay()
        self.change(lambda: self.pair.reset(seed))

    def load(self, left: PaneSpec, right: PaneSpec, seed: int) -> None:
        """Open a comparison (a stored run, a link): day 0, paused; validated before replacing."""
        seed = parse_seed(seed)
        self.playing = False
        self.end_replay()
        try:
            with self.pair.lock:
                self.pair.load(left, right, seed)
        except ScenarioError as error:
            raise InputError("scenario", str(error)) from None
        self.publish()

    def follow(self, case_type: int) -> None:
        """Follow the next case of this type in both panes (the journey view)."""
        self.change(lambda: self.pair.follow(case_type))

    def step(self, days: int = 1) -> None:
        """Advance both panes ``days`` working days (queued while playing)."""
        self.change(lambda: self.pair.step(days))

    def run_to(self, day_text: Any) -> None:
        """Play on until working day N (validated), then pause."""
        day = parse_day(day_text, "run to day")
        if day <= self.pair.day:
            raise InputError("run to day", f"run to day: after today (day {self.pair.day})")
        self.stop_at, self.playing, self.replaying = day, True, False
        self.publish()

    def replay_to(self, day: int, kind: str = "link") -> None:
        """Step on to working day ``day`` (a link's, validated by ``viz.links``, or a stored
        run's last day: ``kind`` "run") in the play loop, ``REPLAY_CHUNK_DAYS`` a frame with no
        pacing; Pause pauses it, Play resumes it; "run to day", "pause at day", Reset or opening
        a run end it."""
        day = min(day, MAX_REPLAY_DAYS)
        if day <= self.pair.day:
            return
        self.stop_at, self.playing, self.replaying = day, True, True
        self.replay_kind = kind
        self.publish()

    def end_replay(self) -> None:
        """Forget a link's replay (and its stop day): Reset or another comparison ends it."""
        if self.replaying:
            self.stop_at, self.replaying = None, False

    def set_stop(self, day_text: Any) -> None:
        """Pause when this working day is reached, now or when played later ("" clears it);
        it does not start playing (``run_to`` does)."""
        day = None
        if str(day_text).strip() not in ("", "None"):
            day = parse_day(day_text, "pause at day")
            if day <= self.pair.day:
                raise InputError("pause at day", f"pause at day: after today (day {self.pair.day})")
        self.stop_at, self.replaying = day, False
        self.publish()

    def set_speed(self, speed: int) -> None:
        """Working days per second while playing."""
        if speed not in SPEEDS_DAYS_PER_SECOND:
            raise InputError("speed", f"speed: one of {SPEEDS_DAYS_PER_SECOND} days/s")
        self.speed = speed
        self.publish()

    def set_playing(self, playing: bool) -> None:
        """Play or pause; pausing applies the changes still queued."""
        self.playing = playing
        if not playing:
            self.apply_pending()
        self.publish()

    def wait_rendered(self, timeout_seconds: float = RENDER_WAIT_SECONDS) -> None:
        """Wait until the page has rendered the last published frame, and the browser drawn it.

        A publish from the play loop renders in the loop's thread, unless the page is already
        rendering in another thread (a click): then the state is handed to that render, and a loop
        that published again at once would change the state during every one of its passes
        ("Too many renders"). So the loop publishes a new frame only once the last one is drawn
        and no render is in progress (the page's render lock is free).
        """
        deadline = time.monotonic() + timeout_seconds
        while self.listeners and self.rendered_frame < self.frame and not self.closed.is_set():
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
        lock = self.render_lock  # and until no render (e.g. a click's) is in progress
        if lock is not None and lock.acquire(timeout=max(deadline - time.monotonic(), 0.1)):
            lock.release()
        # and until the browser has drawn it (the server keeps the pace the browser draws at)
        while self.browser_paced and self.drawn_frame < self.frame and not self.closed.is_set():
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)

    def browser_drawn(self, frame: int) -> None:
        """The browser reports frame ``frame`` drawn (``viz.frame``): from now on the play loop
        steps only once the browser has drawn the last frame (or ``RENDER_WAIT_SECONDS``)."""
        self.drawn_frame = max(self.drawn_frame, frame)
        self.browser_paced = True

    # ---- the play loop ---------------------------------------------------------------------
    def days_this_frame(self, elapsed_seconds: float, carry: float) -> tuple[int, float]:
        """Days to step for ``elapsed_seconds`` of wall time at the set speed (and the carried
        fraction), never past the stop day; a replay steps ``REPLAY_CHUNK_DAYS``, unpaced."""
        if self.replaying:
            days = REPLAY_CHUNK_DAYS
        else:
            carry += self.speed * min(elapsed_seconds, MAX_CATCH_UP_SECONDS)
            days, carry = int(carry), carry - int(carry)
        if self.stop_at is not None:
            days = min(days, max(self.stop_at - self.pair.day, 0))
        return days, carry

    def play(self) -> None:
        """Step and publish frames until paused, stopped at a day, or the session closes.

        Changes asked for meanwhile are applied at the start of the next frame, under the
        pair's lock, before stepping; the frame is published (drawn) after the lock is released.
        Whether to step is decided under that lock too: a pause or reset asked for while the frame
        waited for the page holds (no day is stepped after the page shows it).
        """
        last, carry = time.monotonic(), 1.0  # the first frame steps at once
        while self.playing and not self.closed.is_set():
            self.wait_rendered()
            pair = self.pair
            if pair is None:
                break
            with pair.lock:
                if self.closed.is_set():
                    break
                commands, self.pending = self.pending, []
                for command in commands:
                    command()
                now = time.monotonic()
                days, carry = self.days_this_frame(now - last, carry)
                last = now
                if days and self.playing:  # a pause or reset clicked during this frame's wait
                    self.pair.step(days)
                if self.stop_at is not None and self.pair.day >= self.stop_at:
                    self.playing, self.stop_at, self.replaying = False, None, False
            if days or commands or not self.playing:
                self.publish()
            time.sleep(FRAME_PAUSE_SECONDS)

    # ---- the end of the session ------------------------------------------------------------
    def close(self) -> bool:
        """The browser's session is gone: the play loop stops and nothing is published any more.
        Takes no lock (the page calls it while its render context closes); True the first time."""
        first = not self.closed.is_set()
        self.playing = self.replaying = False
        self.closed.set()
        return first

    def drop_models(self) -> None:
        """Let go of the pair, the queued changes and the page's listeners (after ``close``, once
        the play loop's frame in progress, if any, is done): nothing kept by this session keeps
        its models alive."""
        with self.publish_lock:
            pair = self.pair
            if pair is None:
                return
            with pair.lock:
                self.pair = None
                self.pending = []
                self.listeners = []
