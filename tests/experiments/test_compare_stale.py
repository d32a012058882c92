"""``govlab compare`` flags runs made from other scenario files exactly as ``govlab report`` does
(issue 19, item 4): the same check (``experiments.resolved``), a warning line naming the changed
scenario, the numbers still shown as stored.
"""

from __future__ import annotations

import json

from govlab.experiments.resolved import resolved_scenarios
from govlab.results import frames
from govlab.results.store import Store
from tests.cli_process import govlab, tiny_experiment
from tests.experiments.batch_helpers import run_serial


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("govlab: warning:")]


def report_flag(url: str) -> bool:
    """Whether ``govlab report`` would say the scenarios match the runs."""
    with Store(url) as store:
        return resolved_scenarios(frames.load(store, "edited"))[2]


def test_compare_flags_runs_of_an_edited_scenario_as_report_does(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('extends = "silo"\n[levers]\ntransparency = 0.2\n')
    path = tiny_experiment(tmp_path, "edited", scenarios='["silo", "mine"]')
    url = f"sqlite:///{tmp_path / 'store.db'}"
    run_serial(path, url)
    compare = ["compare", str(path), "--db", url, "--metrics", "trips_per_case"]
    before = govlab(*compare)
    assert before.returncode == 0 and warnings(before.stderr) == [], before.stderr
    assert report_flag(url) is True

    mine.write_text('extends = "silo"\n[levers]\ntransparency = 0.3\n')  # edited after the runs
    after = govlab(*compare)
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout  # the stored numbers, still shown
    [line] = warnings(after.stderr)
    assert "edited: the digests of mine differ from those of the stored runs" in line
    assert report_flag(url) is False  # report's flag: the same verdict
    stored_name = govlab("compare", "edited", "--db", url, "--json")  # by name, from the store
    assert len(warnings(stored_name.stderr)) == 1 and json.loads(stored_name.stdout)

    mine.write_text('extends = "silo"\n[levers]\ntransparency = 0.2\n')  # back as it was
    again = govlab(*compare)
    assert warnings(again.stderr) == [] and report_flag(url) is True
