"""Issue 22: the budget of the shipped calibration example — wall time and simulations of
``govlab calibrate`` and ``govlab predict`` on ``scenarios/observed/china.toml`` (Shanghai), run as
the README runs them (the real console script, processes executor, 2 workers), into a fresh
folder and store. Prints the wall time of each command, the simulations (prior screen, ABC-SMC,
posterior ensemble, reform runs) and the load of the machine before and after.

    python benchmarks/bench_calibrate.py [--quick]

``--quick`` (indicative only) shrinks the ABC budget to 20 particles × 2 generations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOVLAB = str(Path(sys.executable).with_name("govlab"))
DATA = str(ROOT / "scenarios" / "observed" / "china.toml")
PARAMS = [
    "--param",
    "world.p_missing_document=0.0:0.4",
    "--param",
    "world.visit_gap_days=0.2:5",
    "--param",
    "service_time_scale=0.2:2",
]


def timed(arguments: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([GOVLAB, *arguments], check=True)
    return time.perf_counter() - start


def main() -> None:
    quick = "--quick" in sys.argv
    budget = ["--population", "20", "--generations", "2"] if quick else []
    with tempfile.TemporaryDirectory() as folder:
        out, db = Path(folder) / "shanghai", f"sqlite:///{folder}/store.db"
        load_before = os.getloadavg()[0]
        run_on = ["--workers", "2", "--db", db]
        fit_seconds = timed(
            ["calibrate", DATA, "--place", "Shanghai", *PARAMS, *budget, "--out", str(out), *run_on]
        )
        reform = "shanghai_business_environment_2018=reengineered"
        predict_seconds = timed(["predict", str(out), "--reform", reform, *run_on])
        summary = json.loads((out / "calibration.json").read_text())
    setup, abc = summary["setup"], summary["abc"]
    population = setup["budget"]["population"]
    print(
        f"calibrate: {fit_seconds:.0f} s wall; ABC {abc['simulations']} simulations in "
        f"{abc['generations']} generations (population {population}), "
        f"screen {abc['screen_simulations']}, ensemble {summary['ensemble_runs']} runs"
    )
    print(f"predict: {predict_seconds:.0f} s wall; {summary['ensemble_runs']} reform runs")
    print(f"load average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
