"""``govlab robust`` end to end on tiny worlds (issue 23 §4): outputs, resume from the store, a
search's Pareto package, and bad input (one line, status 2, nothing written)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from govlab.results.store import Store
from tests.experiments.batch_helpers import cli, sqlite_url
from tests.experiments.test_optimise import tiny_search

TINY = """
name = "tiny_robust"
package = "parallel"
compare = ["front_desk"]
baseline = "silo"
days = 15
replications = 2
seed = 5
set = { "world.residents" = 1500, "world.enterprises" = 100, "world.warmup_days" = 3 }

[objectives]
delay_mean_days = "min"
trips_per_case = "min"

[uncertainties]
n = 3
parameters = { demand_scale = [0.6, 1.4] }

[[target]]
metric = "delay_mean_days"
relative_at_most = -0.3

[[target]]
metric = "days_delay_above_2"
at_most = 5

[[series_outcome]]
name = "days_delay_above_2"
statistic = "days_above"
window_days = 3
threshold = 2.0
"""


def robust(monkeypatch, capsys, folder, text, *extra):
    path = folder / "study.toml"
    path.write_text(text)
    return cli(monkeypatch, capsys, "robust", str(path), "--executor", "serial", "--db",
               sqlite_url(folder), "--out", str(folder / "out"), *extra)  # fmt: skip


def test_robust_writes_its_tables_and_a_second_call_reads_the_store(tmp_path, monkeypatch, capsys):
    code, out, err = robust(monkeypatch, capsys, tmp_path, TINY)
    assert code == 0, err
    assert "18 runs simulated, 0 read from the store" in err  # 3 packages × 3 worlds × 2
    folder = tmp_path / "out"
    per_world = pd.read_csv(folder / "per_world.csv")
    assert len(per_world) == 3
    assert {
        "regret_delay_mean_days",
        "meets_delay_mean_days_change_at_most_-0.3",
        "replications_meeting_days_delay_above_2_at_most_5",
    } <= set(per_world.columns)
    assert set(pd.read_csv(folder / "regret.csv")["label"]) == {"parallel", "front_desk", "silo"}
    for name in ("robust_regret", "robust_series", "robust_worlds_days_delay_above_2_at_most_5"):
        assert (folder / "figures" / f"{name}.png").stat().st_size > 0
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["package"] == "parallel" and summary["worlds"] == 3
    # the second call: every run is read back, none starts
    trace = tmp_path / "trace"
    trace.mkdir()
    monkeypatch.setenv("GOVLAB_INJECT_TRACE", str(trace))
    code, again, err = robust(monkeypatch, capsys, tmp_path, TINY)
    assert code == 0, err
    assert "0 runs simulated, 18 read from the store" in err
    assert list(trace.iterdir()) == []
    assert again == out
    # a run lost (an interrupted call) is the only one run again
    with Store(sqlite_url(tmp_path)) as store:
        experiment = store.experiment("robust:tiny_robust")
        runs = store.runs(experiment.id)
        from sqlalchemy import delete

        from govlab.results.store import MetricRow, RunRow, SeriesRow

        lost = int(runs["id"].iloc[0])
        with store.engine.begin() as connection:
            for table in (MetricRow, SeriesRow):
                connection.execute(delete(table).where(table.run_id == lost))
            connection.execute(delete(RunRow).where(RunRow.id == lost))
    code, resumed, err = robust(monkeypatch, capsys, tmp_path, TINY)
    assert "1 runs simulated, 17 read from the store" in err
    assert len(list(trace.iterdir())) == 1
    assert resumed == out


BAD = [
    (TINY.replace('package = "parallel"', 'package = "nope"'), "package: unknown scenario"),
    (TINY.replace('metric = "delay_mean_days"', 'metric = "delay_nope"'),
     "target.0.metric: no metric 'delay_nope'"),
    (TINY.replace("parameters = { demand_scale = [0.6, 1.4] }", "parameters = {}"),
     "uncertainties.parameters"),
    (TINY.replace("n = 3\n", "n = 0\n"), "uncertainties.n"),
    (TINY.split("[uncertainties]")[0] + "[[target]]\nmetric = 'trips_per_case'\nat_most = 1\n",
     "uncertainties: missing"),
    (TINY.replace('series = "delay_mean_days"', "").replace(
        'statistic = "days_above"', 'statistic = "days_above"\nseries = "nope"'),
     "series_outcome.0.series: no daily series 'nope'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "says"), BAD)
def test_bad_input_is_one_line_status_2_and_nothing_written(
    tmp_path, monkeypatch, capsys, text, says
):
    code, out, err = robust(monkeypatch, capsys, tmp_path, text)
    assert code == 2
    assert err.count("\n") == 1 and says in err and "study.toml" in err, err
    assert out == ""
    assert not (tmp_path / "store.db").exists()
    assert not (tmp_path / "out").exists()


SEARCH = """
name = "tiny_pareto"
optimisation = "tiny.toml"
package = "cheapest"
compare = "pareto"
replications = 1

[uncertainties]
n = 2
parameters = { demand_scale = [0.9, 1.1] }

[[target]]
metric = "trips_per_case"
relative_at_most = -0.05
"""


def test_a_search_package_and_an_unknown_label(tmp_path, monkeypatch, capsys):
    url = sqlite_url(tmp_path)
    search = tiny_search(tmp_path, url)  # writes tiny.toml and stores its search
    code, _out, err = robust(monkeypatch, capsys, tmp_path, SEARCH)
    assert code == 0, err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    evaluated = search.evaluated.set_index("label")
    package = summary["package"]
    assert package in search.front
    assert summary["levers"] == {k: evaluated.loc[package, k] for k in summary["levers"]}
    regret = pd.read_csv(tmp_path / "out" / "regret.csv")
    assert set(regret["label"]) == {*search.front, "silo"}
    # an unknown label: one line, status 2, no study stored and no output
    (tmp_path / "out").rename(tmp_path / "first")
    text = SEARCH.replace('package = "cheapest"', 'package = "c0000000000"')
    with Store(url) as store:
        store.delete("robust:tiny_pareto")
    code, _out, err = robust(monkeypatch, capsys, tmp_path, text)
    assert code == 2
    assert err.count("\n") == 1 and "package: 'c0000000000' is not a package" in err, err
    with Store(url) as store:
        assert "robust:tiny_pareto" not in store.experiment_names()
    assert not (tmp_path / "out").exists()
