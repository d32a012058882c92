"""`compare` says when the baseline or a scenario has no finished runs (issue 10, item 4)."""

from __future__ import annotations

import json

from govlab.experiments.worker import INJECT_FAILURE
from tests.experiments.batch_helpers import cli, sqlite_url, write_experiment


def test_missing_baseline_and_missing_scenarios_are_errors(tmp_path, monkeypatch, capsys):
    path = write_experiment(tmp_path, scenarios=("silo", "front_desk", "seamless"),
                            replications=2, days=6, cases=0)  # fmt: skip
    db = sqlite_url(tmp_path)
    monkeypatch.setenv(INJECT_FAILURE, "silo/*,front_desk/*")
    code, _, _ = cli(monkeypatch, capsys, "batch", str(path), "--db", db, "--executor", "serial")
    assert code == 1
    for args in ([], ["--baseline", "silo"], ["--baseline", "front_desk", "--json"]):
        code, out, err = cli(monkeypatch, capsys, "compare", str(path), "--db", db, *args)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert "has no finished runs" in err and "2 failed" in err
    code, out, err = cli(monkeypatch, capsys, "compare", str(path), "--db", db,
                         "--baseline", "seamless", "--json")  # fmt: skip
    assert code == 1 and {row["scenario"] for row in json.loads(out)} == {"seamless"}
    assert "no finished runs of ['silo', 'front_desk']" in err
