"""``govlab log --experiment`` (issue 21 item 3): the event log of a run in the results store,
simulated again from its resolved scenario, seed and days, equals ``govlab log`` of the same
scenario, seed and days; a stored run not found is one line naming the option.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli_process import one_line_error
from tests.conftest import missing_part
from tests.experiments.batch_helpers import (
    SMALL_WORLD,
    cli,
    run_serial,
    sqlite_url,
    write_experiment,
)

DAYS = 12
WORLD = {**SMALL_WORLD, "world.residents": 12_000, "world.warmup_days": 2}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A stored experiment of two scenarios and two replications (small world, 12 days)."""
    try:
        from govlab.results.eventlog import load_pm4py

        load_pm4py()
    except ImportError:
        missing_part("pm4py is not installed (pip install 'govlab[logs]')")
    folder = tmp_path_factory.mktemp("stored")
    path = write_experiment(folder, "logged", ("silo", "seamless"), replications=2, days=DAYS,
                            world=WORLD)  # fmt: skip
    url = sqlite_url(folder)
    outcome = run_serial(path, url)
    assert not outcome.failed
    from govlab.results.store import Store

    with Store(url) as store:
        runs = store.runs(store.experiment("logged").id)
    return folder, path, url, runs


def _sets() -> list[str]:
    return [item for key, value in WORLD.items() for item in ("--set", f"{key}={value}")]


def test_a_stored_runs_log_equals_the_log_of_its_scenario_and_seed(stored, monkeypatch, capsys):
    folder, path, url, runs = stored
    run = runs[(runs["label"] == "seamless") & (runs["replication"] == 1)].iloc[0]
    seed = int(run["seed"])
    by_seed, by_replication, direct = (folder / n for n in ("by_seed", "by_rep", "direct"))
    code, _, err = cli(monkeypatch, capsys, "log", "seamless", "--experiment", str(path),
                       "--db", url, "--seed", str(seed), "--out", str(by_seed))  # fmt: skip
    assert code == 0, err
    code, _, err = cli(monkeypatch, capsys, "log", "seamless", "--experiment", "logged",
                       "--db", url, "--replication", "1", "--out", str(by_replication))  # fmt: skip
    assert code == 0, err
    code, _, err = cli(monkeypatch, capsys, "log", "seamless", "--days", str(DAYS), "--seed",
                       str(seed), *_sets(), "--out", str(direct))  # fmt: skip
    assert code == 0, err
    logs = [pd.read_csv(folder / name / "visits.csv") for name in ("by_seed", "by_rep", "direct")]
    assert len(logs[0]) > 200
    pd.testing.assert_frame_equal(logs[0], logs[2])
    pd.testing.assert_frame_equal(logs[1], logs[2])
    # another seed gives another log: the comparison can fail
    other = folder / "other"
    code, _, err = cli(monkeypatch, capsys, "log", "seamless", "--days", str(DAYS), "--seed",
                       str(seed + 1), *_sets(), "--out", str(other))  # fmt: skip
    assert code == 0, err
    assert not pd.read_csv(other / "visits.csv").equals(logs[2])


def test_a_stored_run_not_found_is_one_line(stored, monkeypatch, capsys):
    folder, _, url, _ = stored
    out = folder / "never"

    def log(*args):
        code, printed, err = cli(monkeypatch, capsys, "log", *args, "--out", str(out))
        return type("Done", (), {"returncode": code, "stdout": printed, "stderr": err})()

    stored_run = ("--experiment", "logged", "--db", url)
    one_line_error(log("smart", *stored_run, "--seed", "1"), "SCENARIO", "'smart'", "seamless")
    one_line_error(log("silo", *stored_run, "--seed", "1"), "--seed", "no finished run")
    one_line_error(log("silo", *stored_run, "--replication", "5"), "--replication")
    one_line_error(log("silo", *stored_run), "--seed or by --replication")
    one_line_error(log("silo", *stored_run, "--replication", "0", "--point", "3"), "--point")
    one_line_error(log("silo", *stored_run, "--replication", "0", "--days", "5"), "--days")
    one_line_error(log("silo", "--experiment", "nope", "--db", url, "--seed", "1"), "'nope'")
    one_line_error(log("silo", "--replication", "1"), "--replication", "only with --experiment")
    assert not out.exists()
