"""A model that fails to build never aborts a batch, even in its first run (issue 10, item 7)."""

from __future__ import annotations

import pytest

from govlab import model
from govlab.experiments import single
from govlab.experiments.spec import ExperimentError
from tests.experiments.batch_helpers import cli, run_serial, sqlite_url, write_experiment


class Broken(model.GovernanceModel):
    """The silo scenario fails to build (as a model with an impossible parameter would)."""

    def __init__(self, scenario, *args, **kwargs) -> None:
        if scenario.name == "silo":
            raise ValueError("cannot build silo")
        super().__init__(scenario, *args, **kwargs)


@pytest.fixture
def broken_silo(monkeypatch):
    monkeypatch.setattr(model, "GovernanceModel", Broken)
    monkeypatch.setattr(single, "GovernanceModel", Broken)


def test_a_crashing_first_run_is_recorded_and_the_batch_goes_on(
    broken_silo, tmp_path, monkeypatch, capsys
):
    extra = 'keep.series = ["backlog"]\n'
    path = write_experiment(tmp_path, replications=2, days=6, cases=0, extra=extra)
    path.write_text(path.read_text().replace("keep = { cases = 0 }\n", ""))
    db = sqlite_url(tmp_path)
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--db", db, "--executor", "serial")
    assert code == 1 and "Traceback" not in err
    assert "4 runs: 0 already stored, 2 done, 2 failed" in err
    assert "failed silo/p0000/r0000: ValueError: cannot build silo" in err


def test_a_wrong_series_name_is_still_refused_before_any_run(broken_silo, tmp_path):
    path = write_experiment(tmp_path, replications=1, days=6, cases=0)
    path.write_text(path.read_text().replace("keep = { cases = 0 }", 'keep.series = ["nope"]'))
    with pytest.raises(ExperimentError, match="no series"):
        run_serial(path, sqlite_url(tmp_path))
