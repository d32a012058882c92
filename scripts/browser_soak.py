"""Run the browser suite several times in a row, idle or beside CPU-bound competitors (issue 18).

    .venv/bin/python scripts/browser_soak.py --runs 5
    .venv/bin/python scripts/browser_soak.py --runs 3 --competitors 2
    .venv/bin/python scripts/browser_soak.py --runs 5 --file tests/viz/test_room.py -k one_day

Each run is a fresh ``pytest tests/viz/test_browser.py`` (its own servers and browsers); the
competitors are started by the suite itself (``GOVLAB_BROWSER_COMPETITORS``). Prints one line per
run (passed, failed, seconds) and the failures' names, and keeps a failed run's pytest output in a
file it names; exit status 1 if any run failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--competitors", type=int, default=0)
    parser.add_argument("-k", default="", help="pytest -k expression (default: every test)")
    parser.add_argument(
        "--file",
        action="append",
        help="a browser test file (default: tests/viz/test_browser.py); may be repeated",
    )
    args = parser.parse_args()
    env = {**os.environ, "GOVLAB_BROWSER_COMPETITORS": str(args.competitors), "CI": "true"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += (args.file or ["tests/viz/test_browser.py"]) + (["-k", args.k] if args.k else [])
    bad = 0
    for run in range(1, args.runs + 1):
        start = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - start
        counts = dict(
            (word, int(n)) for n, word in re.findall(r"(\d+) (passed|failed|error)", done.stdout)
        )
        failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", done.stdout, flags=re.M)
        bad += done.returncode != 0
        kept = ""
        if done.returncode != 0:  # the failures' tracebacks, to find their cause
            with tempfile.NamedTemporaryFile(
                "w", prefix=f"browser_soak_run{run}_", suffix=".log", delete=False
            ) as log:
                log.write(done.stdout + done.stderr)
            kept = f"  (output: {log.name})"
        print(
            f"run {run}/{args.runs} ({args.competitors} competitors): "
            f"{counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed, "
            f"{counts.get('error', 0)} errors, {seconds:.0f} s"
            + (f"  {failed}" if failed else "")
            + kept,
            flush=True,
        )
    print(f"{args.runs - bad} of {args.runs} runs passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
