"""Worker processes never outlive the batch that started them (issue 10, item 6).

A pool worker runs ``watch_parent(batch_pid)`` when it starts: a parent-death signal
(``prctl(PR_SET_PDEATHSIG, SIGKILL)``, Linux, through ctypes) kills it when the process that forked
it dies (the forkserver), and a daemon thread waits on a pidfd of the batch process itself (polling
``os.kill(pid, 0)`` where pidfds are missing) and ends the worker the moment the batch is gone,
however it died (SIGKILL included). Once the workers are gone, multiprocessing's forkserver and
resource tracker see their last client leave and exit on their own. ``on_sigterm`` makes SIGTERM
interrupt a batch the way Ctrl-C (SIGINT) does, so that it shuts its pool down.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import threading
import time
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
POLL_S = 0.5  # the polling period where pidfd_open is missing
ORPHAN_EXIT = 70  # the exit status of a worker that found its batch gone


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwinds like Ctrl-C (pools shut down, the open transaction rolls back)."""


terminated = threading.Event()  # set once SIGTERM arrived (the CLI then exits with 128 + 15)


def _raise_terminated(_signum, _frame) -> None:
    terminated.set()
    raise Terminated("SIGTERM")


def on_sigterm() -> Callable | int | None:
    """Make SIGTERM raise ``Terminated`` in the main thread; returns the previous handler."""
    return signal.signal(signal.SIGTERM, _raise_terminated)


def _parent_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` when our parent dies; False where prctl is unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return False


def _wait_for_exit(pid: int) -> None:
    try:
        descriptor = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (old kernel) or the batch is already gone
        descriptor = None
    if descriptor is not None:
        select.select([descriptor], [], [])
    else:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:  # pragma: no cover - alive, owned by another user
                pass
            time.sleep(POLL_S)
    os._exit(ORPHAN_EXIT)


def watch_parent(batch_pid: int) -> None:
    """Arm this (worker) process to exit when ``batch_pid`` or its own parent dies."""
    _parent_death_signal()
    if batch_pid != os.getpid():
        threading.Thread(
            target=_wait_for_exit, args=(batch_pid,), name="govlab-orphan-watch", daemon=True
        ).start()
