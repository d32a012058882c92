"""Where executors take their runs from: a plain list, or the runs a batch claimed in the store.

Executors pull runs from a *feed* a task at a time (``take``), keeping at most ``limit`` tasks in
flight. ``ListFeed`` hands out a list (everything may be queued at once, as before claims).
``ClaimFeed`` is the batch runner's: it claims each task's runs in the store just before the task
is sent (``results.claims``), so that several batches sharing a store compute every run once:

- a task is claimed only when a worker is free for it (``limit`` = the executor's slots), so the
  batches that run at the same time split the plan between them;
- runs found stored ``done`` meanwhile by another batch are skipped (``elsewhere``);
- a thread renews the batch's claims every third of ``seconds`` while its runs are in progress;
  a batch that dies (SIGKILL) stops renewing: a batch of the same machine takes its runs at once
  (its process is gone), one of another machine once its claims expire, ``seconds`` after the
  last renewal;
- when every remaining run is held by other batches, ``take(wait=True)`` polls the store every
  ``poll`` seconds (a quarter of ``seconds``, at most ``MAX_POLL_S``) until one of them is stored
  (skipped) or its claim expires (taken). It returns nothing only when every run of the plan is
  stored, so the batch exits once the plan is complete. The wait lasts as long as the other
  batches' runs do, and at most one poll (same machine) or the dead batch's ``seconds`` plus one
  poll (another machine) beyond the death of a batch;
- a failed run releases its claim like a finished one: another batch still running takes it and
  tries again (as resuming would).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from govlab.experiments.defaults import DEFAULT_CLAIM_SECONDS
from govlab.experiments.plan import RunSpec
from govlab.results import claims

MAX_POLL_S = 1.0


class Feed(Protocol):
    """Runs to execute, handed out a task at a time."""

    total: int  # runs in all (sizes the tasks)
    poll: float | None  # after ``take`` gave nothing, ask again this much later (None: never)

    @property
    def exhausted(self) -> bool: ...

    def limit(self, slots: int) -> int: ...

    def take(self, size: int, wait: bool) -> list[RunSpec]: ...


class ListFeed:
    """The runs of a list, in order."""

    poll = None

    def __init__(self, specs: list[RunSpec]) -> None:
        self.specs = specs
        self.total = len(specs)
        self.next = 0

    @property
    def exhausted(self) -> bool:
        """True once every run was handed out."""
        return self.next >= self.total

    def limit(self, slots: int) -> int:
        """Every task may be queued at once."""
        return sys.maxsize

    def take(self, size: int, wait: bool) -> list[RunSpec]:
        """The next ``size`` runs (empty at the end)."""
        chunk = self.specs[self.next : self.next + size]
        self.next += len(chunk)
        return chunk


def as_feed(specs: list[RunSpec] | Feed) -> Feed:
    """A feed of ``specs`` (a list), or ``specs`` itself."""
    return ListFeed(specs) if isinstance(specs, list) else specs


class ClaimFeed:
    """The runs of a batch, each claimed in the store before it is handed out.

    Use as a context manager: entering starts the renewing thread; leaving stops it and
    releases the claims left (runs handed out but not stored: an interrupted batch).

    Args:
        store: the results store the batch writes to.
        experiment_id: the experiment's id in the store.
        runs: the runs to do, in order.
        seconds: how long a claim lasts without renewal.
        notify: called with a one-line message when the batch starts waiting for others.
    """

    def __init__(
        self,
        store,
        experiment_id: int,
        runs: list[RunSpec],
        seconds: float = DEFAULT_CLAIM_SECONDS,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.experiment_id = experiment_id
        self.remaining = {run.key: run for run in runs}
        self.total = len(runs)
        self.seconds = seconds
        self.poll = min(MAX_POLL_S, seconds / 4)
        self.owner = claims.owner_id()
        self.elsewhere = 0  # runs found stored by other batches
        self.notify = notify
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    @property
    def exhausted(self) -> bool:
        """True once every run was handed out or found stored."""
        return not self.remaining

    def limit(self, slots: int) -> int:
        """Claim only what can start now: one task per slot."""
        return slots

    def take(self, size: int, wait: bool) -> list[RunSpec]:
        """Claim up to ``size`` remaining runs; with ``wait``, poll until one can be claimed or
        every run is stored (then the result is empty)."""
        announced = False
        while self.remaining:
            identities = [(run.key, run.digest, run.seed) for run in self.remaining.values()]
            found = claims.claim(
                self.store, self.experiment_id, identities, self.owner, self.seconds, size
            )
            for key in found.stored:
                del self.remaining[key]
                self.elsewhere += 1
            taken = [self.remaining.pop(key) for key in found.taken]
            if taken or not wait or not self.remaining:
                return taken
            if not announced and self.notify is not None:
                self.notify(
                    f"waiting for {len(self.remaining)} run(s) that other batches are computing "
                    f"(polling every {self.poll:g} s; a dead batch's runs are taken over when its "
                    "claims expire)"
                )
            announced = True
            time.sleep(self.poll)
        return []

    def _renew(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                claims.renew(self.store, self.experiment_id, self.owner, self.seconds)
            except SQLAlchemyError:  # a missed renewal only risks another batch doing a run too
                continue

    def __enter__(self) -> ClaimFeed:
        self._renewer = threading.Thread(target=self._renew, name="govlab-claims", daemon=True)
        self._renewer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        with contextlib.suppress(SQLAlchemyError):  # store gone: the claims expire by themselves
            claims.release(self.store, self.experiment_id, self.owner)
