"""The bad inputs of issue 19 for the fault drill (``scripts/fault_drill.py``, section 1).

Nesting deeper than the TOML reader allows, wrong types (strict bools and counts), non-finite
numbers (scenario, experiment, ``[discover]``, uncertainties, optimisation file, ``--set``,
``discover --above``), overrides emptying a table, a ``--db`` that would keep nothing (empty, in
memory), a store whose data pages are damaged (compare, report, sensitivity, discover, batch).
Each must be one line and status 2 with nothing stored. ``early_interrupts`` sends Ctrl-C at a
random moment of a command's first 0.6 s and counts what the command says.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

DEEP = "[" * 5000 + "]" * 5000
TINY = 'set = { "world.residents" = 300, "world.enterprises" = 20, "world.warmup_days" = 1 }\n'
OBJECTIVES = '[objectives]\ndelay_mean_days = "min"\ncost_per_year = "min"\n'


def damaged_store(folder: Path, command: list[str], root: Path) -> tuple[Path, Path]:
    """A store with one finished experiment ``tiny`` and a copy with random data pages."""
    experiment = folder / "tiny.toml"
    experiment.write_text(f'name = "tiny"\nscenarios = ["silo", "seamless"]\nreplications = 2\n'
                          f"days = 3\nseed = 1\n{TINY}")  # fmt: skip
    good = folder / "good.db"
    subprocess.run([*command, "batch", str(experiment), "--db", f"sqlite:///{good}",
                    "--executor", "serial"], check=True, capture_output=True, cwd=root)  # fmt: skip
    data = bytearray(good.read_bytes())
    rng = random.Random(19)
    data[8192:] = bytes(rng.randrange(256) for _ in range(len(data) - 8192))
    damaged = folder / "damaged.db"
    damaged.write_bytes(bytes(data))
    return good, damaged


def bad_inputs(folder: Path, db: str, command: list[str], root: Path) -> list[list[str]]:
    """Commands (arguments of ``govlab``) that must each fail with one line and status 2."""
    scenarios = {
        "deep.toml": f"[levers]\nx = {DEEP}\n",
        "deep_dotted.toml": "[civic]\n" + ".".join(["a"] * 5000) + " = 1\n",
        "residents_true.toml": "[world]\nresidents = true\n",
        "residents_float.toml": "[world]\nresidents = 4.0e4\n",
        "front_desk_one.toml": "[levers]\nfront_desk = 1\n",
        "bundle_all_yes.toml": '[reengineering]\nbundle_all = "yes"\n',
        "share_text.toml": '[levers]\ntransparency = "0.5"\n',
        "nan.toml": "[levers]\ntransparency = nan\n",
        "inf.toml": "[civic]\nthreshold_mean = inf\n",
        "no_services.toml": "[services]\n",
    }
    head = 'scenarios = ["silo", "seamless"]\nreplications = 2\ndays = 3\n' + TINY
    experiments = {
        "exp_deep.toml": f"description = {DEEP}\n" + head,
        "exp_discover_nan.toml": head + '[discover]\noutcome = "delay_mean_days"\nabove = nan\n',
        "exp_uncertainty_inf.toml": head + "[uncertainties]\nn = 4\n"
        'parameters = { "world.rework_days" = [1, inf] }\n',
        "exp_reps_true.toml": head.replace("replications = 2", "replications = true"),
        "exp_days_float.toml": head.replace("days = 3", "days = 3.0"),
        "exp_set_empty.toml": head.replace(TINY, 'set = { "services" = {} }\n'),
    }
    searches = {
        "opt_nan.toml": '[choose]\nrelative_below = nan\n[levers]\n"levers.front_desk" = '
        "[false, true]\n",
        "opt_deep.toml": f'[levers]\n"levers.transparency" = {DEEP}\n',
    }
    for name, text in {**scenarios, **experiments}.items():
        (folder / name).write_text(text)
    for name, text in searches.items():
        (folder / name).write_text(f'base = "silo"\ndays = 3\n{text}{OBJECTIVES}')
    good, damaged = damaged_store(folder, command, root)
    tiny = str(folder / "tiny.toml")
    small = ["--days", "2", "--set", "world.residents=300", "--set", "world.enterprises=20"]
    commands = [["run", str(folder / name), *small] for name in scenarios]
    for name in experiments:
        commands += [["batch", str(folder / name), "--db", db],
                     ["compare", str(folder / name), "--db", db]]  # fmt: skip
    commands += [["optimise", str(folder / name), "--db", db] for name in searches]
    for assignment in ("services={}", "levers={}", "functions={}", "levers.front_desk=1",
                       "levers.transparency=nan", "world.residents=4e4", "world.residents=true",
                       f"levers.front_desk={DEEP}"):  # fmt: skip
        commands.append(["run", "silo", *small, "--set", assignment])
    for url in ("", " ", "sqlite://", "sqlite:///:memory:"):
        commands.append(["batch", tiny, "--db", url, "--executor", "serial"])
    damaged_url = f"sqlite:///{damaged}"
    commands += [
        ["compare", "tiny", "--db", damaged_url],
        ["sensitivity", "tiny", "--db", damaged_url],
        ["report", "tiny", "--db", damaged_url, "--out", str(folder / "damaged_report")],
        ["discover", "tiny", "--db", damaged_url, "--outcome", "delay_mean_days", "--above", "1",
         "--out", str(folder / "damaged_discover")],
        ["batch", tiny, "--db", damaged_url, "--executor", "serial"],
        ["discover", "tiny", "--db", f"sqlite:///{good}", "--outcome", "delay_mean_days",
         "--above", "nan", "--out", str(folder / "nan_discover")],
    ]  # fmt: skip
    return commands


def early_interrupts(tries: int, command: list[str], root: Path, rng: random.Random) -> Counter:
    """Ctrl-C at a random moment of the first 0.6 s of ``govlab run silo``; counted by outcome."""
    counts: Counter = Counter()
    for _ in range(tries):
        child = subprocess.Popen([*command, "run", "silo", "--days", "3"], cwd=root, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=300)
        if child.returncode == 130 and err == "govlab: interrupted\n":
            counts["Ctrl-C early: one line, status 130"] += 1
        elif child.returncode == -signal.SIGINT and not err:
            counts["Ctrl-C early: before Python's handler (status -2, no output)"] += 1
        elif "Traceback" in err:
            where = "interpreter start-up" if "<frozen" in err or "site" in err else "govlab"
            counts[f"Ctrl-C early: TRACEBACK in {where}"] += 1
            print("  EARLY SIGINT TRACEBACK:", err.strip().splitlines()[-3:])
        elif child.returncode == 0:
            counts["Ctrl-C early: came after the command ended"] += 1
        else:
            counts["Ctrl-C early: other"] += 1
            print("  EARLY SIGINT OTHER:", child.returncode, err.strip()[:300])
    return counts
