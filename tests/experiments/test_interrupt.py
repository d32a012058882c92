"""Ctrl-C (SIGINT) on the real ``govlab`` command (issue 19, item 3): one line and status 130
from the first moment (Python still importing the command line) to the end; a batch says how many
finished runs it kept and how to resume, and the same command then finishes the rest.

The moment is found by what the process does, not by the clock: with ``PYTHONVERBOSE`` the child
reports each import on stderr, and the signal is sent once a given module is being imported.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.cli_process import COMMAND, environment, govlab, tiny_experiment


def interactive() -> None:
    """In the child before Python starts: SIGINT as in a terminal. A runner started in the
    background of a script (``bash .ci/run &``) ignores SIGINT, its children inherit that, and
    Python would then ignore Ctrl-C too (as govlab does, on purpose, in a background job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted_while_importing(module: str, *args: str) -> tuple[int, list[str]]:
    """Start ``govlab ARGS``, send SIGINT once ``module`` is imported; return the status and what
    govlab said on stderr (the interpreter's verbose trace left out; no traceback in it)."""
    child = subprocess.Popen([*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=environment(PYTHONVERBOSE="1"),
                             preexec_fn=interactive)  # fmt: skip
    assert child.stderr is not None
    seen: list[str] = []
    for line in child.stderr:
        seen.append(line)
        if re.match(rf"import '{re.escape(module)}'", line):
            child.send_signal(signal.SIGINT)
            break
    rest = child.communicate(timeout=300)[1]
    lines = "".join(seen) + (rest or "")
    assert "Traceback" not in lines and "KeyboardInterrupt" not in lines, lines[-3000:]
    return child.returncode, [x for x in lines.splitlines() if x.startswith("govlab")]


def test_ctrl_c_while_the_command_line_is_imported_is_one_line_and_130():
    status, said = interrupted_while_importing("typer", "run", "silo", "--days", "3")
    assert (status, said) == (130, ["govlab: interrupted"])


def test_ctrl_c_while_a_run_simulates_is_one_line_and_130():
    status, said = interrupted_while_importing(
        "govlab.experiments.single", "run", "silo", "--days", "100000", "--json"
    )
    assert status == 130 and said == ["govlab: interrupted"], said


def finished(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=30) as connection:
            query = "SELECT count(*) FROM runs WHERE status = 'done'"
            return connection.execute(query).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_ctrl_c_on_a_batch_says_what_is_kept_and_the_same_command_resumes(tmp_path):
    path = tiny_experiment(tmp_path, "long", replications=40, days=20)
    db = tmp_path / "store.db"
    command = ["batch", str(path), "--db", f"sqlite:///{db}", "--executor", "serial"]
    child = subprocess.Popen([*COMMAND, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=environment(), preexec_fn=interactive)  # fmt: skip
    while finished(db) < 2 and child.poll() is None:
        time.sleep(0.05)  # polling what is stored, not timing anything
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 130, err
    assert "Traceback" not in err and out == ""
    last = err.strip().splitlines()[-1]
    kept = re.fullmatch(
        rf"govlab: long: interrupted; (\d+) finished run\(s\) are kept in sqlite:///{db}; run the "
        r"same command again to resume \(finished runs are not run again\)",
        last,
    )
    assert kept, err
    assert int(kept.group(1)) == finished(db) >= 2
    again = govlab(*command)
    assert again.returncode == 0, again.stderr
    assert f"80 runs: {kept.group(1)} already stored" in again.stderr
    assert finished(db) == 80
