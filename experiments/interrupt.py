"""Ctrl-C (SIGINT) from the first moment of a ``govlab`` command: one line, status 130.

Until a command starts running (Python importing Typer, Rich and the command modules, then
parsing the arguments: about 0.3 s) nothing has been written, so ``arm`` installs a handler that
prints one line and exits at once with status 130. The entry point (``govlab.__main__``) arms it
before its first import of anything but the standard library. ``disarm`` gives SIGINT back to
Python's ``KeyboardInterrupt`` when the command starts (``experiments.cli``), so that a batch can
shut its workers down and say what it kept. This module imports nothing but the standard library.
"""

from __future__ import annotations

import os
import signal

INTERRUPTED = 130  # 128 + SIGINT, the shell's status for a command ended by Ctrl-C
MESSAGE = b"govlab: interrupted\n"


def _exit_at_once(_signum, _frame) -> None:
    os.write(2, MESSAGE)
    os._exit(INTERRUPTED)


def arm() -> None:
    """Make SIGINT print one line and exit 130 at once (unless SIGINT is ignored, as for a
    background job of a script)."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _exit_at_once)


def disarm() -> None:
    """Give SIGINT back to Python's ``KeyboardInterrupt`` (if ``arm`` took it)."""
    if signal.getsignal(signal.SIGINT) is _exit_at_once:
        signal.signal(signal.SIGINT, signal.default_int_handler)
