"""The server's browser sessions as a whole: how many run at once, and a closed one's memory.

``SEATS`` counts the open sessions of this server process. ``GOVLAB_UI_MAX_SESSIONS`` (default
``DEFAULT_MAX_SESSIONS``) bounds them: a visitor beyond it gets a page saying so (``viz.app``) and
no models are built for them. A session's seat is given back when its browser's session ends
(closed tab, or a browser gone for ``SOLARA_KERNEL_CULL_TIMEOUT``).

``release`` ends a session: its seat is given back at once; then, in a background thread, once
Solara has closed the session's kernel, the session drops its models (``Session.drop_models``),
Python collects the cycles of the closed render tree, and ``malloc_trim(0)`` (glibc) hands the
freed heap back to the operating system. Measured (issue 19): after 20 sessions one after another
nothing of theirs was left alive, yet the server's RSS stayed ~70 MB above its level after the
first session, because glibc keeps freed memory in its arenas; the trim brings it back. Each
release prints one line to the server's log (``RELEASED``: open sessions, RSS before and after).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
import threading
from pathlib import Path
from typing import Any

from govlab.viz.session import Session

MAX_SESSIONS_VARIABLE = "GOVLAB_UI_MAX_SESSIONS"
# Each open session holds two models (~15-20 MB of RSS at day 0, more as days pass) and, while
# playing, up to a core; 8 trainees fit a small 2-4 core machine with room to spare
DEFAULT_MAX_SESSIONS = 8
KERNEL_CLOSE_WAIT_SECONDS = 30.0  # release waits at most this long for Solara to close the kernel
RELEASED = "govlab ui: session closed"  # the start of the log line of each release


def max_sessions(environ: dict[str, str] | None = None) -> int:
    """The cap on concurrent sessions from ``GOVLAB_UI_MAX_SESSIONS`` (a whole number ≥ 1),
    else the default; ``ValueError`` with a one-line message for any other value."""
    text = (os.environ if environ is None else environ).get(MAX_SESSIONS_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_SESSIONS
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ValueError(
            f"{MAX_SESSIONS_VARIABLE}: a whole number of sessions, 1 or more (got {text!r})"
        )
    return limit


class Seats:
    """Open sessions of this process, at most ``max_sessions()`` at a time (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.taken = 0

    def take(self) -> bool:
        """A seat for a new session, if one is free."""
        with self._lock:
            if self.taken >= max_sessions():
                return False
            self.taken += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.taken = max(self.taken - 1, 0)


SEATS = Seats()
_collect_lock = threading.Lock()  # one collection and trim at a time


def trim_heap() -> bool:
    """Return the allocator's free memory to the operating system (glibc's ``malloc_trim``);
    False where there is no such call (another C library)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)
    return True


def resident_mb() -> float | None:
    """This process's resident memory (``VmRSS``) in MB; None where ``/proc`` has no such line."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def _current_kernel() -> Any:
    """Solara's kernel context of the calling code (None outside a server's kernel)."""
    try:
        from solara.server import kernel_context
    except ImportError:
        return None
    return kernel_context.get_current_context() if kernel_context.has_current_context() else None


def release(session: Session) -> threading.Thread | None:
    """End ``session``: stop it and give back its seat now; drop its models, collect and trim in
    the background once its kernel is closed (the returned thread; None if it was ended before)."""
    if not session.close():
        return None
    SEATS.give_back()
    kernel = _current_kernel()
    closed = getattr(kernel, "closed_event", None)
    del kernel  # the thread keeps only the event, not the kernel

    def free() -> None:
        if closed is not None:
            closed.wait(KERNEL_CLOSE_WAIT_SECONDS)
        session.drop_models()
        with _collect_lock:
            before = resident_mb()
            gc.collect()
            trim_heap()
            after = resident_mb()
        if before is not None and after is not None:
            memory = f"RSS {before:.0f} MB → {after:.0f} MB"
            print(f"{RELEASED}, {SEATS.taken} open: {memory}", file=sys.stderr, flush=True)

    thread = threading.Thread(target=free, name="govlab-session-release", daemon=True)
    thread.current_context = None  # type: ignore[attr-defined]  # not inside the closing kernel
    thread.start()
    return thread
