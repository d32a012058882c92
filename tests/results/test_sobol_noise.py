"""Sobol indices carry simulation noise: no index is reported where noise would explain it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample

from govlab.results import sobol_noise
from govlab.results.figures import sensitivity_bars
from govlab.results.sensitivity import analyse

PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "dummy"], "bounds": [[0.0, 1.0]] * 3}


def _experiment(signal, noise_sd: float, replications: int, n: int = 128, seed: int = 0):
    """A Saltelli design and its 'runs': y = signal(x) + noise, noise shared by a seed's points
    in part (common random numbers) and independent in part."""
    matrix = sobol_sample.sample(PROBLEM, n, calc_second_order=False, seed=seed)
    rng = np.random.default_rng(seed + 1)
    rows = []
    for r in range(replications):
        common = rng.normal(0, noise_sd)  # the seed's luck, the same at every point
        own = rng.normal(0, noise_sd, size=len(matrix))
        for p, x in enumerate(matrix):
            rows.append(
                {"label": "s", "point": p, "replication": r, "y": signal(x) + common + own[p]}
            )
    design = {
        "method": "sobol",
        "problem": PROBLEM,
        "matrix": matrix.tolist(),
        "options": {"second_order": False},
    }
    return design, pd.DataFrame(rows)


def _reported(rows, key):
    return {r["parameter"] for r in rows if r[key] is not None}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pure_noise_gets_no_index(seed):
    design, wide = _experiment(lambda x: 0.0, 1.0, replications=4, seed=seed)
    rows, notes = analyse(design, wide, ["y"], seed=seed)
    # SALib alone calls the total index of every input of pure noise about 1, clearly non-zero
    assert all(r["ST_estimate"] > 0.5 and r["ST_estimate"] - r["ST_conf_design"] > 0 for r in rows)
    assert _reported(rows, "ST") == set() and _reported(rows, "S1") == set()
    assert rows[0]["noise_share"] == pytest.approx(1.0, abs=0.25)
    assert "noise is" in notes[0]


def test_a_real_effect_clears_the_noise_and_a_dummy_does_not():
    design, wide = _experiment(lambda x: 4 * x[0] + 1.5 * x[1], 0.3, replications=4)
    rows, _ = analyse(design, wide, ["y"])
    by = {r["parameter"]: r for r in rows}
    # linear model: S1 = ST = a_i^2 / sum a^2 -> x1 0.877, x2 0.123
    assert by["x1"]["S1"] == pytest.approx(0.877, abs=0.1)
    assert by["x1"]["ST"] is not None and by["x2"]["ST"] is not None
    assert by["dummy"]["S1"] is None and by["dummy"]["ST"] is None
    assert 0 < by["x1"]["noise_share"] < 0.1


def test_noise_floor_matches_the_index_of_pure_noise():
    # the floor estimated from replication residuals of a signal + noise output equals the ST
    # that the noise alone (scaled by the output's variance) gets, within sampling error
    _, wide = _experiment(lambda x: 2 * x[0], 0.5, replications=6, n=256)
    runs = wide.pivot(index="replication", columns="point", values="y").to_numpy()
    terms = sobol_noise.noise_terms(runs, 3)
    mean = runs.mean(axis=0)
    var_total = np.var(np.r_[mean[0::5], mean[4::5]])
    expected = (1.0 * 0.25 / 6) / var_total  # own-noise variance of the mean, twice, halved
    assert terms.st_floor == pytest.approx([expected] * 3, rel=0.35)


def test_one_replication_says_noise_is_not_assessed():
    design, wide = _experiment(lambda x: x[0], 0.1, replications=1)
    rows, notes = analyse(design, wide, ["y"])
    assert all(r["noise_checked"] is False for r in rows)
    assert any("simulation noise is not in the intervals" in n for n in notes)
    title = sensitivity_bars(rows, "y").axes[0].get_title()
    assert "simulation noise not assessed" in title and "hollow" not in title


def test_the_figure_marks_what_noise_could_explain_when_noise_was_checked():
    design, wide = _experiment(lambda x: 2 * x[0], 0.5, replications=4)
    rows, _ = analyse(design, wide, ["y"])
    assert "hollow: within noise" in sensitivity_bars(rows, "y").axes[0].get_title()


def test_noise_terms_do_not_depend_on_the_output_level():
    # Saltelli's first-order estimator is not shift-invariant: without standardising the runs,
    # noise times a large mean would swamp the S1 half-width
    _, wide = _experiment(lambda x: 2 * x[0], 0.5, replications=4)
    runs = wide.pivot(index="replication", columns="point", values="y").to_numpy()
    low, high = sobol_noise.noise_terms(runs, 3), sobol_noise.noise_terms(runs + 1000.0, 3)
    assert high.s1_half == pytest.approx(low.s1_half, rel=1e-6)
    assert high.st_floor == pytest.approx(low.st_floor, rel=1e-6)
