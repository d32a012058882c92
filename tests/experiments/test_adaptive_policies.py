"""Adaptive policies explored and optimised like static levers (issue 23 item 3): a trigger's
threshold is a decision variable of ``optimise`` and an uncertain parameter of an experiment
(``discover``), by its path ``trigger.0.above``.

In each world and seed, a higher threshold fires later or never (the runs are equal until the
first firing), so the cost of the hub averaged over the window can only fall as the threshold
rises, and the mean delay can only rise — in each world, hence in the mean over the worlds the
search reports: its table must show exactly that order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govlab.experiments.evaluate import Evaluator
from govlab.experiments.executors import SerialExecutor
from govlab.experiments.optimise import run_search
from govlab.experiments.optimise_spec import load_optimisation
from govlab.experiments.spec import ExperimentError, load_experiment
from govlab.experiments.uncertainties import sample_points
from govlab.results.store import Store
from tests.experiments.batch_helpers import sqlite_url

ROOT = Path(__file__).resolve().parents[2]
SEARCH = f"""
name = "threshold"
base = "{ROOT / "examples" / "adaptive_hub.toml"}"
days = 90
replications = 1
seed = 5
[set]
"world.residents" = 4000
"world.enterprises" = 200
"world.warmup_days" = 20
"trigger.0.from_day" = 20
"trigger.0.review_days" = 5
"trigger.0.window_days" = 10
"trigger.0.for_days" = 2

[levers]
"trigger.0.above" = [0.0, 6.0, 7.0, 8.0, 9.0, 10.0, 100.0]

[objectives]
delay_mean_days = "min"
cost_per_year = "min"

[uncertainties]
n = 2
parameters = {{ demand_scale = [0.9, 1.1] }}

[search]
population = 8
generations = 2
seed = 1
"""


def test_the_threshold_is_a_decision_variable_and_its_cost_falls_as_it_rises(tmp_path):
    path = tmp_path / "threshold.toml"
    path.write_text(SEARCH)
    spec, base = load_optimisation(path)
    worlds = sample_points(spec.uncertainties, spec.seed)[0]
    with Store(sqlite_url(tmp_path)) as store:
        evaluator = Evaluator.for_experiment(
            store, SerialExecutor(), "optimise:threshold", spec.model_dump(mode="json"),
            spec.identity(), base, worlds, spec.days, spec.seed, spec.replications,
        )  # fmt: skip
        result = run_search(spec, evaluator)
    table = result.evaluated.sort_values("trigger.0.above")
    assert table["trigger.0.above"].nunique() >= 4
    assert table["cost_per_year"].is_monotonic_decreasing
    assert table["delay_mean_days"].is_monotonic_increasing
    never = table[table["trigger.0.above"] == 100.0]
    if len(never):  # a threshold no delay reaches never fires: nothing spent
        assert never["cost_per_year"].iloc[0] == 0.0
    assert table["cost_per_year"].iloc[0] > 0.0  # threshold 0 fires at the first review


def test_a_threshold_is_an_uncertain_parameter_of_an_experiment(tmp_path):
    path = tmp_path / "explore.toml"
    path.write_text(f"""
name = "explore"
scenarios = ["{ROOT / "examples" / "adaptive_hub.toml"}"]
days = 60
[uncertainties]
n = 3
parameters = {{ "trigger.0.above" = [5.0, 12.0] }}
""")
    spec, _ = load_experiment(path)
    points = sample_points(spec.uncertainties, spec.seed)[0]
    assert all(5.0 <= point["trigger.0.above"] <= 12.0 for point in points)
    # every scenario of the experiment must have the trigger the path names
    path.write_text(path.read_text().replace("scenarios = [", 'scenarios = ["silo", '))
    with pytest.raises(ExperimentError, match=r"trigger\.0: index out of range"):
        load_experiment(path)
