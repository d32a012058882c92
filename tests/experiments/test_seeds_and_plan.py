"""Replication seeds (SeedSequence.spawn) and common random numbers across scenarios and points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from govlab.experiments.designs import make_design
from govlab.experiments.plan import plan_runs
from govlab.experiments.seeds import replication_seeds
from govlab.experiments.spec import load_experiment
from govlab.experiments.worker import execute
from govlab.results import stats
from tests.experiments.batch_helpers import write_experiment


def test_seeds_come_from_seedsequence_spawn_and_are_stable():
    seeds = replication_seeds(123, 5)
    children = np.random.SeedSequence(123).spawn(5)
    expected = [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]
    assert seeds == expected
    assert len(set(seeds)) == 5
    assert all(0 <= s < 2**63 for s in seeds)
    assert replication_seeds(123, 8)[:5] == seeds  # more replications keep the earlier seeds
    assert replication_seeds(124, 5) != seeds


def test_every_scenario_and_point_of_a_replication_shares_its_seed(tmp_path):
    sweep = '[sweep]\n"levers.data_sharing" = [0.0, 1.0]\n'
    path = write_experiment(tmp_path, replications=4, extra=sweep)
    experiment, scenarios = load_experiment(path)
    runs = plan_runs(experiment, scenarios)
    assert len(runs) == 2 * 2 * 4
    assert len({r.key for r in runs}) == len(runs)
    seeds = replication_seeds(experiment.seed, 4)
    for run in runs:
        assert run.seed == seeds[run.replication]
    # replication-major order: the first 4 runs are replication 0 of every scenario and point
    assert {r.replication for r in runs[:4]} == {0}
    # digests tell scenarios and points apart, but not replications
    assert len({r.digest for r in runs}) == 4


def test_crn_pairs_identical_scenarios_exactly(tmp_path):
    """Two labels for the same scenario: every paired difference is exactly zero."""
    path = tmp_path / "twins.toml"
    path.write_text(
        'name = "twins"\nreplications = 3\ndays = 20\n'
        'set = { "world.residents" = 5000, "world.enterprises" = 300, "world.warmup_days" = 5 }\n'
        '[[scenarios]]\nscenario = "silo"\n'
        '[[scenarios]]\nscenario = "silo"\nlabel = "again"\n'
    )
    experiment, scenarios = load_experiment(path)
    assert experiment.labels == ["silo", "again"]
    runs = plan_runs(experiment, scenarios, make_design(experiment))
    results = {run.key: execute(run) for run in runs}
    wide = pd.DataFrame(
        [
            {"label": r.label, "point": r.point, "seed": r.seed, **results[r.key]["metrics"]}
            for r in runs
        ]
    )
    rows = stats.compare(wide, ["delay_mean_days", "trips_per_case"], "silo")
    paired_rows = [r for r in rows if r["scenario"] == "again"]
    assert paired_rows
    assert all(r["diff_mean"] == 0.0 and r["pairs"] == r["n"] >= 2 for r in paired_rows)
