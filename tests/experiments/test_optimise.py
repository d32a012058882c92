"""The lever search (issue 14 §5): a known Pareto front, resume, executors, bad specs."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import pandas as pd
import pytest

from govlab.experiments.evaluate import Evaluator, candidate_label
from govlab.experiments.executors import SerialExecutor
from govlab.experiments.optimise import _front_of, run_search
from govlab.experiments.optimise_spec import load_optimisation, parse_optimisation
from govlab.experiments.uncertainties import sample_points
from govlab.results.provenance import model_version
from govlab.results.store import Store
from tests.experiments.batch_helpers import cli, sqlite_url


@dataclass
class Analytic:
    """Stands in for the govlab evaluator: objectives are known functions of two levers.

    f1 = x, f2 = 1 − x + y (both minimised): the Pareto front is y = 0, every x (f1 + f2 = 1).
    """

    runs_done: int = 0

    def values(self, packages, metrics):
        rows = []
        for package in packages:
            x, y = package.get("x", 0.5), package.get("y", 0.5)  # {} is the base
            rows.append({"label": candidate_label(package), "point": 0, "replication": 0,
                         "f1": x, "f2": 1.0 - x + y})  # fmt: skip
        return pd.DataFrame(rows)


def analytic_spec(generations: int = 25, seed: int = 3):
    return parse_optimisation(
        {
            "name": "analytic",
            "levers": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
            "objectives": {"f1": "min", "f2": "min"},
            "search": {"population": 16, "generations": generations, "seed": seed},
            "choose": {"metric": "f2", "cost": "f1"},
        },
        "analytic",
    )


def test_the_search_finds_a_known_front():
    result = run_search(analytic_spec(), Analytic())
    front = result.evaluated.set_index("label").loc[result.front]
    assert len(front) >= 8
    assert (front["y"] <= 0.02).all()  # on the known front y = 0
    assert (front["f1"] + front["f2"] - 1.0).abs().max() <= 0.02
    assert front["x"].min() <= 0.1 and front["x"].max() >= 0.9  # it spans the front
    hv = result.hypervolume
    assert hv[-1] > hv[0] and hv[-1] >= 0.95 * max(hv)  # it converged, elitist


def test_the_archive_holds_the_front_so_far_and_its_hypervolume_never_falls():
    result = run_search(analytic_spec(), Analytic())
    archive = result.archive_hypervolume
    assert len(archive) == len(result.archives) == 26  # generation 0 and 25 more
    assert all(b >= a for a, b in itertools.pairwise(archive))
    assert archive[-1] > archive[0]
    evaluated = result.evaluated.set_index("label")
    front = {tuple(row) for row in evaluated.loc[result.front, ["f1", "f2"]].to_numpy()}
    assert {tuple(row) for row in result.archives[-1]} == front  # everything evaluated


def test_the_same_seed_gives_the_same_search():
    first = run_search(analytic_spec(5), Analytic())
    second = run_search(analytic_spec(5), Analytic())
    assert first.front == second.front and first.hypervolume == second.hypervolume
    other = run_search(analytic_spec(5, seed=4), Analytic())
    assert other.front != first.front


def test_front_of_marks_exactly_the_non_dominated_points():
    import numpy as np
    import platypus

    points = np.array([[1.0, 5.0], [2.0, 2.0], [3.0, 3.0], [5.0, 1.0], [2.0, 2.0]])
    mins = [platypus.Direction.MINIMIZE] * 2
    assert _front_of(points, mins).tolist() == [True, True, False, True, True]
    mixed = [platypus.Direction.MINIMIZE, platypus.Direction.MAXIMIZE]
    assert _front_of(points, mixed).tolist() == [True, False, False, False, False]


TINY = """
name = "tiny"
base = "silo"
days = 15
replications = 1
seed = 5
set = { "world.residents" = 1500, "world.enterprises" = 100, "world.warmup_days" = 3 }

[levers]
"levers.handoff" = ["applicant", "electronic"]
"levers.data_sharing" = [0.0, 1.0]

[objectives]
trips_per_case = "min"
cost_per_year = "min"

[uncertainties]
n = 2
parameters = { demand_scale = [0.8, 1.2] }

[search]
population = 4
generations = 2
seed = 2

[choose]
metric = "trips_per_case"
relative_below = -0.05
"""


def tiny_search(folder, url):
    path = folder / "tiny.toml"
    path.write_text(TINY)
    spec, base = load_optimisation(path)
    worlds = sample_points(spec.uncertainties, spec.seed)[0]
    with Store(url) as store:
        evaluator = Evaluator.for_experiment(
            store, SerialExecutor(), "optimise:tiny", spec.model_dump(mode="json"),
            spec.identity(), base, worlds, spec.days, spec.seed, spec.replications,
        )  # fmt: skip
        return run_search(spec, evaluator)


def test_resume_gives_the_same_front_and_reruns_only_what_is_missing(tmp_path):
    url = sqlite_url(tmp_path)
    first = tiny_search(tmp_path, url)
    assert first.runs_done > 0
    with Store(url) as store:
        stored = store.runs(store.experiment("optimise:tiny").id)
    assert set(stored["model_version"]) == {model_version()}  # provenance of every run
    again = tiny_search(tmp_path, url)
    assert again.runs_done == 0
    assert again.front == first.front and again.hypervolume == first.hypervolume
    # an interrupted search: the last runs written are lost
    with Store(url) as store:
        experiment = store.experiment("optimise:tiny")
        runs = store.runs(experiment.id).sort_values("id")
        lost = runs["run_key"].tail(5).tolist()
        from sqlalchemy import delete

        from govlab.results.store import MetricRow, RunRow

        with store.engine.begin() as connection:
            ids = runs["id"].tail(5).tolist()
            connection.execute(delete(MetricRow).where(MetricRow.run_id.in_(ids)))
            connection.execute(delete(RunRow).where(RunRow.id.in_(ids)))
    resumed = tiny_search(tmp_path, url)
    assert resumed.runs_done == len(lost)
    assert resumed.front == first.front
    pd.testing.assert_frame_equal(resumed.evaluated, first.evaluated)


def test_in_a_world_where_one_lever_dominates_the_front_holds_only_its_best_value(tmp_path):
    """Electronic hand-off saves the applicant's hand-off trips; a civic cost of taking part
    (voice) does not touch the service. On trips per case and the share of cases with at most
    one trip, the front must hold electronic hand-off only, with any value of the idle lever."""
    text = (
        TINY.replace('"levers.data_sharing" = [0.0, 1.0]', '"civic.cost_time" = [0.0, 1.0]')
        .replace('cost_per_year = "min"', 'share_at_most_one_trip = "max"')
        .replace('name = "tiny"', 'name = "dominant"')
    )
    path = tmp_path / "dominant.toml"
    path.write_text(text)
    spec, base = load_optimisation(path)
    worlds = sample_points(spec.uncertainties, spec.seed)[0]
    with Store(sqlite_url(tmp_path)) as store:
        evaluator = Evaluator.for_experiment(
            store, SerialExecutor(), "optimise:dominant", spec.model_dump(mode="json"),
            spec.identity(), base, worlds, spec.days, spec.seed, spec.replications,
        )  # fmt: skip
        result = run_search(spec, evaluator)
    evaluated = result.evaluated.set_index("label")
    assert set(evaluated["levers.handoff"]) == {"applicant", "electronic"}
    front = evaluated.loc[result.front]
    assert set(front["levers.handoff"]) == {"electronic"}
    electronic = evaluated[evaluated["levers.handoff"] == "electronic"]
    assert set(front.index) == set(electronic.index)  # ties: the idle lever changes nothing
    assert electronic["trips_per_case"].nunique() == 1


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_optimise_command_on_executors_matches_serial(tmp_path, monkeypatch, capsys, executor):
    serial = tiny_search(tmp_path, sqlite_url(tmp_path, "serial.db"))
    path = tmp_path / "tiny.toml"
    out = tmp_path / "out"
    code, _stdout, err = cli(
        monkeypatch, capsys, "optimise", str(path), "--executor", executor, "--workers", "2",
        "--db", sqlite_url(tmp_path, f"{executor}.db"), "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["front"] == serial.front
    assert summary["hypervolume"] == pytest.approx(serial.hypervolume)
    for name in ("pareto_parallel", "convergence", "pareto_cost"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000
    for name in ("pareto", "chosen", "evaluated", "cost_sensitivity"):
        assert (out / f"{name}.csv").exists()


def test_report_holds_the_search_section_with_its_figures(tmp_path, monkeypatch, capsys):
    url = sqlite_url(tmp_path)
    searched = tiny_search(tmp_path, url)
    path = tmp_path / "tiny.toml"
    for name, target in (("file", str(path)), ("stored", "optimise:tiny")):
        out = tmp_path / name
        code, _, err = cli(monkeypatch, capsys, "report", target, "--db", url, "--out", str(out))
        assert code == 0, err
        page = (out / "index.html").read_text()
        assert "<h2>Lever search: tiny</h2>" in page and "Provenance of every run" in page
        assert "runs simulated now / stored</td><td>0 / " in page  # replayed, nothing run
        hypervolume = ", ".join(f"{v:.3f}" for v in searched.archive_hypervolume)
        assert f"Hypervolume by generation, archive: {hypervolume};" in page
        for figure in ("pareto_parallel", "pareto_cost", "convergence"):
            assert (out / "figures" / f"{figure}.png").stat().st_size > 1000
            assert f'alt="{figure}"' in page
    # a search with runs missing from the store is not reported (and nothing is simulated)
    path.write_text(TINY.replace("generations = 2", "generations = 3"))
    code, _, err = cli(monkeypatch, capsys, "report", str(path), "--db", url, "--out",
                       str(tmp_path / "more"))  # fmt: skip
    assert code == 2 and "not finished in the store" in err and err.count("\n") == 1
    assert not (tmp_path / "more").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[search]", "[search]\nspeed = 3"), "search.speed: unknown key"),
        (
            ('"levers.data_sharing" = [0.0, 1.0]', '"levers.data_sharing" = [0.0, 2.0]'),
            "data_sharing",
        ),
        (('"levers.handoff"', '"levers.handof"'), "handof"),
        (('trips_per_case = "min"', 'trips = "min"'), "no metric 'trips'"),
        (('trips_per_case = "min"', 'trips_per_case = "least"'), "objectives"),
        (('base = "silo"', 'base = "atlantis"'), "atlantis"),
        (("population = 4", "population = 1"), "population"),
    ],
)
def test_bad_specs_are_one_line_errors_with_status_2(
    tmp_path, monkeypatch, capsys, change, message
):
    path = tmp_path / "bad.toml"
    old, new = change
    assert old in TINY
    path.write_text(TINY.replace(old, new, 1))
    db = tmp_path / "store.db"
    code, _, err = cli(monkeypatch, capsys, "optimise", str(path), "--db", sqlite_url(tmp_path))
    assert code == 2, err
    assert message in err and err.count("\n") == 1 and str(path) in err
    assert not db.exists()


def test_cost_sensitivity_reads_back_a_switch_lever(tmp_path):
    """A switch lever comes back from the search's table as a numpy bool; the cost sensitivity
    rebuilds each package's scenario from it (it crashed on ``np.True_`` before)."""
    from govlab.results.exploration_optimise import cost_sensitivity

    path = tmp_path / "switch.toml"
    path.write_text(
        TINY.replace(
            '"levers.data_sharing" = [0.0, 1.0]', '"levers.front_desk" = [false, true]'
        ).replace('name = "tiny"', 'name = "switch"')
    )
    spec, base = load_optimisation(path)
    worlds = sample_points(spec.uncertainties, spec.seed)[0]
    with Store(sqlite_url(tmp_path)) as store:
        evaluator = Evaluator.for_experiment(
            store, SerialExecutor(), "optimise:switch", spec.model_dump(mode="json"),
            spec.identity(), base, worlds, spec.days, spec.seed, spec.replications,
        )  # fmt: skip
        result = run_search(spec, evaluator)
        assert result.evaluated["levers.front_desk"].dtype == bool
        table = cost_sensitivity(result, spec, evaluator)
    assert len(table) and table["cost_per_year"].notna().all()
