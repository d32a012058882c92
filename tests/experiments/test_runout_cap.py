"""A run whose run-out stopped at its cap with window cases open says so (issue 20 item 1): in
``govlab run`` (a warning), ``govlab compare`` (a ``capped`` column, ``runs_capped`` in JSON and a
warning naming the scenario) and the report (a warning paragraph); runs that drained do not."""

from __future__ import annotations

import json

from tests.cli_process import TINY, govlab, tiny_experiment
from tests.experiments.batch_helpers import run_serial

CAPPED = "the run-out stopped at its cap (world.runout_cap_days) with window cases still open"


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("govlab: warning:")]


def test_govlab_run_warns_when_the_cap_leaves_cases_open():
    small = [f"--set={key}={value}" for key, value in TINY.items()]
    capped = govlab("run", "silo", "--days", "8", *small, "--set=world.runout_cap_days=1", "--json")
    assert capped.returncode == 0, capped.stderr
    summary = json.loads(capped.stdout)
    assert summary["runout_open_cases"] > 0
    [line] = warnings(capped.stderr)
    assert CAPPED in line and f"silo: 1 of 1 run(s), up to {summary['runout_open_cases']}" in line
    drained = govlab("run", "silo", "--days", "8", *small, "--json")
    assert json.loads(drained.stdout)["runout_open_cases"] == 0
    assert warnings(drained.stderr) == []


def test_compare_and_report_flag_the_capped_scenario_only(tmp_path):
    (tmp_path / "capped.toml").write_text('extends = "silo"\n[world]\nrunout_cap_days = 1\n')
    path = tiny_experiment(tmp_path, "cap", scenarios='["silo", "capped"]', days=8)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    run_serial(path, url)
    rows = json.loads(govlab("compare", "cap", "--db", url, "--json").stdout)
    flags = {row["scenario"]: row["runs_capped"] for row in rows}
    assert flags["silo"] == 0 and flags["capped"] >= 1, flags
    shown = govlab("compare", str(path), "--db", url, "--metrics", "delay_mean_days")
    assert shown.returncode == 0, shown.stderr
    [line] = warnings(shown.stderr)
    assert CAPPED in line and f"capped: {flags['capped']} of 2 run(s)" in line
    assert "silo:" not in line
    lines = shown.stdout.splitlines()
    header = next(row for row in lines if "scenario" in row).split("┃")
    column = [cell.strip() for cell in header].index("capped runs")
    cells = {row.split("│")[1].strip(): row.split("│")[column].strip() for row in lines
             if row.startswith("│ silo") or row.startswith("│ capped")}  # fmt: skip
    assert cells == {"silo": "0", "capped": str(flags["capped"])}
    report = govlab("report", "cap", "--db", url, "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "report" / "index.html").read_text()
    assert "<p class=bad>The run-out stopped at its cap" in page
    assert f"capped: {flags['capped']} of 2" in page
