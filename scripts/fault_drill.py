"""The fault drill (issue 10): bad inputs, interruptions and concurrent batches, with counts.

Not part of ``make test``; anyone can rerun it (about 10-20 minutes on 2 busy cores)::

    .venv/bin/python scripts/fault_drill.py [--quick] [--postgres URL] [--seed N]

1. Bad inputs (>= 100): unknown, mistyped, out-of-range (every bounded scenario field, below and
   above), malformed, binary and non-UTF-8 files, bad ``--set``, bad URLs and paths, bad options;
   and those of issue 19 (``scripts/drill_bad_inputs.py``): deep nesting, wrong types, nan and
   inf, emptied tables, an empty or in-memory ``--db``, a damaged store. Each is a fresh ``govlab``
   process; counted: one-line errors with status 2, tracebacks, others, and anything stored (in
   the drill's store or the default store). Then Ctrl-C at random moments of a command's first
   0.6 s, counted by what the command said.
2. Interruptions: SIGKILL of the batch process, SIGKILL of its whole process group, SIGTERM and
   SIGINT, of serial, processes and Dask batches, each at a random moment (after a random number
   of stored runs), then the same command again (resume). Counted: runs lost or duplicated,
   processes left (descendants of the batch alive 10 s after it ended), resumed numbers
   identical to an uninterrupted batch or not.
3. Concurrent batches: 4 batches of one experiment at once on one fresh store (SQLite, and
   PostgreSQL with ``--postgres``): failures, runs stored more than once, numbers identical.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govlab.scenarios import load_scenario  # noqa: E402
from scripts.drill_bad_inputs import bad_inputs as issue_19_inputs  # noqa: E402
from scripts.drill_bad_inputs import early_interrupts  # noqa: E402
from tests.experiments.batch_helpers import (  # noqa: E402
    alive,
    family,
    snapshot,
    write_experiment,
)
from tests.scenarios.test_bounds import bounds, fields  # noqa: E402

PYTHON = sys.executable
SMALL = ["--set", "world.residents=2000", "--set", "world.enterprises=100", "--days", "3"]


def govlab(*args: str, timeout: float = 180, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "govlab", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kwargs)  # fmt: skip


# --- 1. bad inputs ----------------------------------------------------------------------------
def bad_inputs(folder: Path, rng: random.Random, quick: bool) -> list[list[str]]:
    """Commands that must each fail with one line and status 2."""
    db = f"sqlite:///{folder / 'bad.db'}"
    files = {
        "binary.toml": bytes(range(256)),
        "latin1.toml": b'name = "caf\xe9"\n',
        "malformed.toml": b"[levers\nfront_desk = \n",
        "unknown_key.toml": b"[levers]\nfront_dsk = true\n",
        "mistyped.toml": b'[world]\nresidents = "many"\n',
        "out_of_range.toml": b"[levers]\nplatform_openness = 7\n",
        "bad_extends.toml": b'extends = "nowhere"\n',
        "cycle_a.toml": b'extends = "cycle_b"\n',
        "cycle_b.toml": b'extends = "cycle_a"\n',
        "wrong_enum.toml": b'[levers]\napproval = "sideways"\n',
        "notes.txt": b"my notes\n",
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    experiments = {
        "exp_unknown_key.toml": 'scenarios = ["silo"]\nreplicatons = 2\n',
        "exp_bad_reps.toml": 'scenarios = ["silo"]\nreplications = 0\n',
        "exp_no_scenarios.toml": "replications = 2\n",
        "exp_unknown_scenario.toml": 'scenarios = ["nowhere"]\n',
        "exp_bad_sweep.toml": 'scenarios = ["silo"]\n[sweep]\n"levers.nothing" = [1, 2]\n',
        "exp_sweep_range.toml": 'scenarios = ["silo"]\n[sweep]\n"levers.data_sharing" = [2.0]\n',
        "exp_sobol_order.toml": 'scenarios = ["silo"]\n[sample]\nmethod = "sobol"\nn = 8\n'
        '[sample.parameters]\n"levers.data_sharing" = [0.9, 0.1]\n',
        "exp_sobol_n.toml": 'scenarios = ["silo"]\n[sample]\nmethod = "sobol"\nn = 6\n'
        '[sample.parameters]\n"levers.data_sharing" = [0.1, 0.9]\n',
        "exp_series.toml": 'scenarios = ["silo"]\ndays = 3\nkeep.series = ["nope"]\n',
        "exp_latin1.toml": None,
        "exp_bad_set.toml": 'scenarios = ["silo"]\nset = { "world.residents" = -5 }\n',
        "exp_uses_binary.toml": 'scenarios = ["binary"]\n',
    }
    for name, text in experiments.items():
        path = folder / name
        if text is None:
            path.write_bytes(b'name = "\xff\xfe"\n')
        else:
            path.write_text(text)
    commands: list[list[str]] = [
        ["run", "nowhere"], ["run", "silo", "--days", "0"], ["run", "silo", "--days", "x"],
        ["run", "silo", "--seed", "-1"], ["run", "silo", "--set", "levers.front_desk"],
        ["run", "silo", "--set", "nothing.here=1"], ["run", "silo", "--set", "levers=1"],
        ["run", "silo", "--set", "levers.data_sharing=[1,"],
        ["run", "silo", "--set", "levers.data_sharing=abc"],
        ["run", "silo", "--set", "world.residents=1e99"], ["run", "silo", "--bogus"],
        ["run", str(folder)], ["run", str(folder / "notes.txt")], ["nonexistent-command"],
        ["batch", str(folder / "missing.toml"), "--db", db],
        ["batch", str(folder), "--db", db],
        ["batch", str(folder / "exp_bad_reps.toml"), "--executor", "threads", "--db", db],
        ["batch", str(folder / "exp_bad_reps.toml"), "--workers", "0", "--db", db],
        ["compare", "nothing-stored", "--db", db],
        ["sensitivity", "nothing-stored", "--db", db],
        ["report", "nothing-stored", "--db", db, "--out", str(folder / "notes.txt" / "r")],
    ]  # fmt: skip
    for name in files:
        commands.append(["run", str(folder / name)])
    for name in experiments:
        commands.append(["batch", str(folder / name), "--db", db])
        if not quick:
            commands.append(["compare", str(folder / name), "--db", db])
    good = folder / "exp_series.toml"
    for url in (
        "nonsense", "sqlite:///" + str(folder / "notes.txt"),
        "sqlite:///" + str(folder / "notes.txt" / "below.db"), "sqlite:///" + str(folder),
        "nodialect://me:Pa55word@h/db", "postgresql+psycopg://me:Pa55@word@127.0.0.1:1/db",
        "postgresql+psycopg://me@127.0.0.1:1/db?password=Pa55word",
        "postgresql+psycopg://me:Pa55word@127.0.0.1:port/db",
    ):  # fmt: skip
        commands.append(["batch", str(good), "--db", url])
        commands.append(["compare", "x", "--db", url])
    for address in ("not an address", "tcp://127.0.0.1", "127.0.0.1:99999", "inproc://x",
                    "tcp://:8786"):  # fmt: skip
        commands.append(["batch", str(good), "--db", db, "--executor", "dask",
                         "--scheduler", address])  # fmt: skip
    commands.append(["batch", str(good), "--db", db, "--scheduler", "tcp://127.0.0.1:8786"])
    # every bounded scenario field, below its minimum and above its maximum
    out_of_range = []
    for info, paths in fields(load_scenario("silo")).values():
        if len(paths) != 1 or info.annotation not in (int, float):
            continue
        low, high = bounds(info)
        dotted = ".".join(map(str, paths[0]))
        if low is not None:
            out_of_range.append(["run", "silo", *SMALL, "--set", f"{dotted}={low - 1}"])
        if high is not None:
            out_of_range.append(["run", "silo", *SMALL, "--set", f"{dotted}={high * 2 + 1}"])
    rng.shuffle(out_of_range)
    commands += out_of_range[: 30 if quick else 80]
    commands += issue_19_inputs(folder, db, [PYTHON, "-m", "govlab"], ROOT)
    return commands


def kept(path: Path) -> int:
    """Experiments and runs in the SQLite store at ``path`` (0 when there is none)."""
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=5) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        return sum(connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                   for name in ("experiments", "runs") if name in tables)  # fmt: skip


def drill_bad_inputs(folder: Path, rng: random.Random, quick: bool) -> Counter:
    counts: Counter = Counter()
    fallback = folder / "default.db"  # where a bad --db falling back to the default would write
    os.environ["GOVLAB_DB"] = f"sqlite:///{fallback}"
    with socket_taken() as port:
        commands = [*bad_inputs(folder, rng, quick), ["ui", "--port", str(port)]]
        for command in commands:
            try:
                result = govlab(*command, timeout=90)
            except subprocess.TimeoutExpired:
                counts["hung (killed after 90 s)"] += 1
                print("  HUNG:", command)
                continue
            err = result.stderr
            secret = "Pa55" in err or "word@" in err.replace("***@", "")
            if "Traceback" in err:
                counts["tracebacks"] += 1
                print("  TRACEBACK:", command, err.strip().splitlines()[-1][:200])
            elif result.returncode == 2 and err.count("\n") == 1 and result.stdout == "":
                counts["one-line errors, status 2"] += 1
            else:
                counts["other (not one line with status 2)"] += 1
                print("  OTHER:", command, result.returncode, err.strip()[:300])
            if secret:
                counts["passwords shown"] += 1
                print("  PASSWORD SHOWN:", command, err.strip()[:300])
    counts["bad inputs tried"] = len(commands)
    counts["experiments or runs stored by bad inputs"] = kept(folder / "bad.db") + kept(fallback)
    script = Path(PYTHON).with_name("govlab")
    entry = [str(script)] if script.is_file() else [PYTHON, "-m", "govlab"]
    counts.update(early_interrupts(10 if quick else 30, entry, ROOT, rng))
    return counts


class socket_taken:
    def __enter__(self) -> int:
        import socket

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        return self.socket.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self.socket.close()


# --- 2. interruptions -------------------------------------------------------------------------
def stored(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM runs WHERE status='done'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def batch_command(path: Path, url: str, executor: str) -> list[str]:
    return [PYTHON, "-m", "govlab", "batch", str(path), "--db", url, "--executor", executor,
            "--workers", "2", "--chunk-size", "2"]  # fmt: skip


def interrupt_once(path: Path, url: str, db: Path, executor: str, how: str, total: int,
                   rng: random.Random) -> dict:  # fmt: skip
    after = rng.randint(1, max(1, total // 2))
    batch = subprocess.Popen(batch_command(path, url, executor), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)  # fmt: skip
    descendants: set[int] = set()
    deadline = time.monotonic() + 300
    while stored(db) < after and batch.poll() is None and time.monotonic() < deadline:
        descendants |= family(batch.pid)
        time.sleep(0.02)
    time.sleep(rng.uniform(0, 0.5))  # a random moment, maybe in the middle of a write
    descendants |= family(batch.pid)
    if batch.poll() is None:
        if how == "SIGKILL group":
            os.killpg(batch.pid, signal.SIGKILL)
        else:
            batch.send_signal({"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM,
                               "SIGINT": signal.SIGINT}[how])  # fmt: skip
    _, err = batch.communicate(timeout=120)
    deadline = time.monotonic() + 10
    while alive(descendants) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = alive(descendants)
    for pid in left:  # clean up after counting
        os.kill(pid, signal.SIGKILL)
    resume = subprocess.run(batch_command(path, url, executor), cwd=ROOT, capture_output=True,
                            text=True, timeout=900)  # fmt: skip
    return {"status": batch.returncode, "traceback": b"Traceback" in err,
            "left": len(left), "resume_status": resume.returncode,
            "resume_traceback": "Traceback" in resume.stderr}  # fmt: skip


def drill_interruptions(folder: Path, rng: random.Random, quick: bool) -> Counter:
    counts: Counter = Counter()
    world = {"world.residents": 3000, "world.enterprises": 150}
    path = write_experiment(folder, name="drill", replications=8, days=12, cases=5, world=world)
    total = 2 * 8
    reference_url = f"sqlite:///{folder / 'reference.db'}"
    subprocess.run(batch_command(path, reference_url, "serial"), cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    reference = snapshot(reference_url, "drill")
    executors = ("serial", "processes", "dask")
    signals = ("SIGKILL", "SIGKILL group", "SIGTERM", "SIGINT")
    plan = [(e, s) for e in executors for s in signals]
    if quick:
        plan = rng.sample(plan, 6)
    for index, (executor, how) in enumerate(plan):
        db = folder / f"int_{index}.db"
        url = f"sqlite:///{db}"
        result = interrupt_once(path, url, db, executor, how, total, rng)
        runs = snapshot(url, "drill")
        with sqlite3.connect(db) as connection:
            rows = connection.execute(
                "SELECT count(*), count(DISTINCT run_key) FROM runs"
            ).fetchone()
        lost = total - sum(r["status"] == "done" for r in runs.values())
        identical = runs == reference
        counts["interruptions"] += 1
        counts["runs lost"] += lost
        counts["runs duplicated"] += rows[0] - rows[1]
        counts["processes left"] += result["left"]
        counts["tracebacks"] += result["traceback"] + result["resume_traceback"]
        counts["resumed identical"] += identical
        counts["resumed NOT identical"] += not identical
        print(f"  {executor:9s} {how:13s} status {result['status']}, left {result['left']}, "
              f"resume {result['resume_status']}, lost {lost}, identical {identical}")  # fmt: skip
    return counts


# --- 3. concurrent batches --------------------------------------------------------------------
def drill_concurrent(folder: Path, postgres: str | None) -> Counter:
    counts: Counter = Counter()
    world = {"world.residents": 2000, "world.enterprises": 100}
    path = write_experiment(folder, name="together", replications=4, days=8, cases=0, world=world)
    reference_url = f"sqlite:///{folder / 'together_ref.db'}"
    subprocess.run(batch_command(path, reference_url, "serial"), cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    reference = snapshot(reference_url, "together")
    urls = [f"sqlite:///{folder / 'together.db'}"]
    schema = None
    if postgres:
        from sqlalchemy import create_engine, text

        schema = f"drill_{os.getpid()}"
        with create_engine(postgres).begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        urls.append(f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}")
    for url in urls:
        batches = [subprocess.Popen(batch_command(path, url, executor), cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                   for executor in ("serial", "processes", "serial", "dask")]  # fmt: skip
        for batch in batches:
            _, err = batch.communicate(timeout=900)
            counts["batches"] += 1
            counts["batches failed"] += batch.returncode != 0
            counts["tracebacks"] += b"Traceback" in err
        runs = snapshot(url, "together")
        counts["runs missing"] += 8 - len(runs)
        counts["stores identical to one batch"] += runs == reference
    if schema:
        with create_engine(postgres).begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer inputs and interruptions")
    parser.add_argument("--postgres", default=os.environ.get("GOVLAB_TEST_POSTGRES_URL"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", choices=("inputs", "interruptions", "concurrent"))
    options = parser.parse_args()
    rng = random.Random(options.seed)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="govlab-drill-") as tmp:
        folder = Path(tmp)
        sections = {
            "bad inputs": lambda: drill_bad_inputs(folder, rng, options.quick),
            "interruptions": lambda: drill_interruptions(folder, rng, options.quick),
            "concurrent batches": lambda: drill_concurrent(folder, options.postgres),
        }
        for title, drill in sections.items():
            if options.only and options.only not in title:
                continue
            print(f"== {title}", flush=True)
            counts = drill()
            for key, value in counts.items():
                print(f"  {key}: {value}", flush=True)
    print(f"drill finished in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
