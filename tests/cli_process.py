"""Run the real ``govlab`` command (the console script) in a subprocess, and check its errors.

``govlab(*args)`` runs the installed entry point with ``GOVLAB_DB`` pointing at a file of the
test's own (``fallback``), so a command that wrongly falls back to the default store writes there,
where the test can see it, never into the repository's ``results/``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("govlab")  # the console entry point of this venv
COMMAND = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "govlab"]
TINY = {"world.residents": 300, "world.enterprises": 20, "world.warmup_days": 1}


def environment(fallback: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment of a govlab process: the default store at ``fallback`` if given."""
    env = {**os.environ, **extra}
    env.pop("GOVLAB_DB", None)
    if fallback is not None:
        env["GOVLAB_DB"] = f"sqlite:///{fallback}"
    return env


def govlab(
    *args: str, fallback: Path | None = None, timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """``govlab ARGS`` in a subprocess; (status, stdout, stderr) in the result."""
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=timeout,
                          env=environment(fallback), cwd=cwd)  # fmt: skip


def one_line_error(result: subprocess.CompletedProcess, *expected: str) -> None:
    """Status 2, nothing on stdout, exactly one line on stderr, holding every ``expected``."""
    err = result.stderr
    assert result.returncode == 2, (result.returncode, err[-2000:])
    assert result.stdout == "" and err.count("\n") == 1, err[-2000:]
    assert err.startswith("govlab: error: ") and "Traceback" not in err, err
    for text in expected:
        assert text in err, (text, err)


def stored(path: Path) -> int:
    """Experiments plus runs kept in the SQLite store at ``path`` (0 when there is no file)."""
    if not path.exists():
        return 0
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        return sum(
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("experiments", "runs")
            if table in tables
        )


def tiny_experiment(folder: Path, name: str = "tiny", extra: str = "", **fields) -> Path:
    """A small experiment file (two scenarios, tiny world) with ``extra`` TOML appended."""
    scenarios = fields.pop("scenarios", '["silo", "seamless"]')
    common = ", ".join(f'"{k}" = {v}' for k, v in TINY.items())
    lines = [f'name = "{name}"', f"scenarios = {scenarios}", "seed = 1",
             f"replications = {fields.pop('replications', 2)}", f"days = {fields.pop('days', 3)}",
             f"set = {{ {common} }}"]  # fmt: skip
    lines += [f"{key} = {value}" for key, value in fields.items()]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return path
