"""Every command in the README's shell blocks runs as written (issue 19, item 9).

``govlab`` lines are checked against the command line itself: the subcommand exists, every
``--option`` is one of its options, every file named exists; the quick ones are run as written
(``scenarios``, ``--version``, ``run`` with its own options, whose delay window must hold cases).
``make`` targets exist in the Makefile, ``pip install 'govlab[x]'`` extras in pyproject.toml, and
the benchmark's options in its ``--help``.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import typer

from govlab.experiments.cli import app

ROOT = Path(__file__).resolve().parents[1]
GOVLAB = Path(sys.executable).with_name("govlab")


def shell_lines() -> list[str]:
    """The README's shell command lines, comments and ``[optional]`` brackets removed."""
    text = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line:
                lines.append(re.sub(r"\[(--[^\]]*)\]", r"\1", line))
    return lines


def govlab_lines() -> list[list[str]]:
    return [shlex.split(line)[1:] for line in shell_lines() if line.startswith(".venv/bin/govlab")]


def test_the_readme_has_the_commands_this_test_reads():
    assert len(govlab_lines()) >= 20


@pytest.mark.parametrize("words", govlab_lines(), ids=" ".join)
def test_every_govlab_command_and_option_exists(words):
    group = typer.main.get_command(app)
    command = group.commands.get(words[0])
    assert command is not None, f"govlab has no command {words[0]!r}"
    options = {name for param in command.params for name in param.opts}
    for before, word in itertools.pairwise(words):
        if word.startswith("--"):
            assert word.split("=")[0] in options, f"govlab {words[0]} has no option {word}"
        elif word.endswith(".toml") and before != "--out":  # a file to read, not one written
            assert (ROOT / word.rpartition("=")[2]).is_file(), word  # name=file.toml: the file


def test_make_targets_extras_and_benchmark_options_exist():
    makefile = (ROOT / "Makefile").read_text()
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = extras["optional-dependencies"]
    bench_help = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    checked = 0
    for line in shell_lines():
        words = shlex.split(line)
        if words[0] == "make":
            assert re.search(rf"^{words[1]}:", makefile, flags=re.M), line
        elif words[:2] == ["pip", "install"]:
            wanted = re.search(r"\[([\w,]+)\]", words[-1]).group(1).split(",")
            assert set(wanted) <= set(extras), line
        elif "benchmarks/run.py" in line:
            assert all(w in bench_help for w in words if w.startswith("--")), line
        else:
            continue
        checked += 1
    assert checked >= 7


def _govlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(GOVLAB), *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_the_quick_commands_run_as_written():
    """``scenarios``, ``--version`` and every ``run`` line of the README, as written: status 0,
    and a ``--json`` run's delay window holds completed cases (the README once showed a run
    shorter than the warm-up, with none)."""
    shown = _govlab("--version")
    assert shown.returncode == 0 and shown.stdout.startswith("govlab ")
    listed = _govlab("scenarios")
    assert listed.returncode == 0 and "silo" in listed.stdout
    runs = [words for words in govlab_lines() if words[0] == "run"]
    assert len(runs) >= 3
    for words in runs:
        done = _govlab(*words)
        assert done.returncode == 0, (words, done.stderr[-2000:])
        assert "note:" not in done.stderr, (words, done.stderr)  # no window shorter than warm-up
        if "--json" in words:
            assert json.loads(done.stdout)["cases_completed"] > 0
