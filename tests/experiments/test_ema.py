"""govlab as an EMA Workbench model (issue 14 §3): EMA's evaluator and govlab's give one answer."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from govlab.experiments.ema import GovlabEvaluator, govlab_model
from govlab.experiments.executors import SerialExecutor
from govlab.results.store import Store
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


def real_model():
    """Real levers only: EMA 3.0's ``optimize`` cannot decode categorical levers (platypus
    ``Subset`` values make a ragged array in ``process_jobs``)."""
    return govlab_model(
        "silo",
        levers={"levers.data_sharing": (0.0, 1.0), "levers.online_coverage": (0.1, 1.0)},
        uncertainties={"demand_scale": (0.8, 1.2)},
        outcomes={"trips_per_case": "min", "cost_per_year": "min", "trust_mean": "max"},
        days=12,
        replications=2,
        overrides=SMALL,
    )


def test_emas_own_optimize_runs_through_govlabs_evaluator_and_store(tmp_path):
    from platypus import EpsNSGAII

    from govlab.experiments.evaluate import candidate_label
    from govlab.scenarios.costs import cost_report

    # the world the levers are searched in (without a reference, EMA 3.0 draws the uncertainties
    # afresh, unseeded, for every generation)
    world = Sample(demand_scale=1.1)

    def search(store, folder):
        evaluator = GovlabEvaluator(real_model(), store, SerialExecutor(), "moea")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EMA's progress bar and logging
            with evaluator:
                archive, convergence = evaluator.optimize(
                    algorithm=EpsNSGAII, nfe=24, searchover="levers", rng=11, reference=world,
                    epsilons=[0.05, 1e5, 0.01], population_size=8,
                    directory=str(folder), filename="archive.tar.gz",
                )  # fmt: skip
        return evaluator, archive, convergence

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with Store(sqlite_url(tmp_path)) as store:
        first, archive, convergence = search(store, tmp_path / "a")
        experiment = store.experiment("ema:moea")
        runs = store.runs(experiment.id)
        again, archive_again, _ = search(store, tmp_path / "b")
        values = store.metrics(experiment.id, ["trips_per_case", "cost_per_year", "trust_mean"])
    candidates = runs["label"].nunique()
    assert len(runs) == 2 * candidates == first.evaluator.runs_done  # R = 2 runs a candidate
    assert (runs["status"] == "done").all() and candidates >= 16
    assert again.evaluator.runs_done == 0  # the same seed replays the search from the store
    pd.testing.assert_frame_equal(archive_again, archive)
    assert convergence["nfe"].iloc[-1] >= 24 and len(archive) >= 1
    # each archive row is the mean of the stored runs of its package, and the model's own value
    wide = values.pivot(index="run_id", columns="name", values="value")
    wide = wide.join(runs.set_index("id")["label"])
    model = real_model()
    for row in archive.to_dict("records"):
        package = {"levers.data_sharing": row["levers__data_sharing"],
                   "levers.online_coverage": row["levers__online_coverage"]}  # fmt: skip
        stored = wide[wide["label"] == candidate_label({"demand_scale": 1.1, **package})]
        assert len(stored) == 2
        for name in ("trips_per_case", "trust_mean", "cost_per_year"):
            assert row[name] == stored[name].mean()
        direct = model.function(
            demand_scale=1.1,
            levers__data_sharing=package["levers.data_sharing"],
            levers__online_coverage=package["levers.online_coverage"],
        )
        np.testing.assert_allclose([row[k] for k in direct], list(direct.values()), rtol=1e-12)
        scenario = model.govlab["base"].with_overrides(package)
        assert row["cost_per_year"] == pytest.approx(
            cost_report(scenario)["cost_per_year"], rel=1e-9
        )
