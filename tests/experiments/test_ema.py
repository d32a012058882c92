"""govlab as an EMA Workbench model (issue 14 §3): EMA's evaluator and govlab's give one answer."""

from __future__ import annotations

import warnings

import numpy as np

from experiments.ema import GovlabEvaluator, govlab_model
from experiments.executors import SerialExecutor
from results.store import Store
from tests.experiments.batch_helpers import sqlite_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import SequentialEvaluator, perform_experiments
    from ema_workbench.em_framework.points import Sample

SMALL = {"world.residents": 1500, "world.enterprises": 100, "world.warmup_days": 3}


def model():
    return govlab_model(
        "silo",
        levers={"levers.data_sharing": (0.0, 1.0), "levers.handoff": ["applicant", "electronic"]},
        uncertainties={"demand_scale": (0.8, 1.2), "world.p_missing_document": (0.0, 0.2)},
        outcomes={"trips_per_case": "min", "cost_per_year": "min", "trust_mean": "max"},
        days=12,
        replications=2,
        overrides=SMALL,
    )


def experiments():
    scenarios = [
        Sample(**{"demand_scale": 0.9, "world__p_missing_document": 0.05}),
        Sample(**{"demand_scale": 1.1, "world__p_missing_document": 0.15}),
    ]
    policies = [
        Sample(**{"levers__data_sharing": 0.0, "levers__handoff": "applicant"}),
        Sample(**{"levers__data_sharing": 0.8, "levers__handoff": "electronic"}),
    ]
    return scenarios, policies


def test_ema_and_govlab_evaluators_agree_and_govlab_resumes(tmp_path):
    scenarios, policies = experiments()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA logs and pandas notices
        _, ema = perform_experiments(
            model(), scenarios, policies, evaluator=SequentialEvaluator(model())
        )
        with Store(sqlite_url(tmp_path)) as store:
            first = GovlabEvaluator(model(), store, SerialExecutor(), "demo")
            with first:
                table, ours = first.perform_experiments(scenarios, policies)
            again = GovlabEvaluator(model(), store, SerialExecutor(), "demo")
            with again:
                _, resumed = again.perform_experiments(scenarios, policies)
    assert first.evaluator.runs_done == 4 * 2  # 2 worlds × 2 packages × 2 replications
    assert again.evaluator.runs_done == 0
    for name in ("trips_per_case", "cost_per_year", "trust_mean"):
        np.testing.assert_allclose(ours[name], ema[name], rtol=1e-9)
        np.testing.assert_array_equal(resumed[name], ours[name])
    electronic = (table["levers__handoff"] == "electronic").to_numpy()
    assert (ours["cost_per_year"][electronic] > 0).all()
    assert (ours["cost_per_year"][~electronic] == 0).all()
