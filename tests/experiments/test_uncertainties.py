"""Uncertainties beside levers in experiment files (issue 14 §2)."""

from __future__ import annotations

import pytest

from govlab.experiments.designs import make_design
from govlab.experiments.plan import plan_runs
from govlab.experiments.spec import ExperimentError, load_experiment
from tests.experiments.batch_helpers import cli, sqlite_url, write_experiment

UNCERTAIN = """
[uncertainties]
method = "lhs"
n = 5
[uncertainties.parameters]
demand_scale = [0.5, 1.5]
staff_scale = [0.5, 1.0]
"civic.trust_initial" = [0.3, 0.7]
"""


def test_every_scenario_meets_every_world_with_shared_seeds(tmp_path):
    path = write_experiment(tmp_path, replications=2, extra=UNCERTAIN)
    experiment, scenarios = load_experiment(path)
    design = make_design(experiment)
    assert design.method == "lhs" and len(design.points) == 5
    runs = plan_runs(experiment, scenarios, design)
    assert len(runs) == 2 * 5 * 2
    for run in runs:  # replication r: one seed for every scenario and world
        assert run.seed == runs[run.replication * 10].seed
    silo = scenarios["silo"]
    for run in runs:
        point = design.points[run.point]
        for name, service in run.scenario.services.items():
            expected = silo.services[name].rate_per_year * point["demand_scale"]
            assert service.rate_per_year == pytest.approx(expected)
        tax = run.scenario.functions["tax"].backoffice_staff
        assert tax == max(1, round(silo.functions["tax"].backoffice_staff * point["staff_scale"]))
        assert run.scenario.civic.trust_initial == pytest.approx(point["civic.trust_initial"])
        assert run.scenario.levers == scenarios[run.label].levers  # levers held


def test_levers_can_be_crossed_with_uncertainties(tmp_path):
    extra = UNCERTAIN + '\n[sweep]\n"levers.data_sharing" = [0.0, 0.5, 1.0]\n'
    experiment, _scenarios = load_experiment(write_experiment(tmp_path, extra=extra))
    design = make_design(experiment)
    assert len(design.points) == 15
    assert {p["levers.data_sharing"] for p in design.points} == {0.0, 0.5, 1.0}
    assert len({p["demand_scale"] for p in design.points}) == 5


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[uncertainties]\nn = 4\nparameters = { warp = [0, 1] }", "not a dotted scenario path"),
        ("[uncertainties]\nn = 4\nparameters = { demand_scale = [0, 1] }", "within [0.1, 10.0]"),
        ('[uncertainties]\nn = 4\nparameters = { "world.teleports" = [0, 1] }', "teleports"),
        ('[uncertainties]\nn = 4\nparameters = { "civic.trust_initial" = [0.5, 2] }', "trust"),
        (
            '[uncertainties]\nmethod = "sobol"\nn = 6\nparameters = { demand_scale = [1, 2] }',
            "power",
        ),
        ("[uncertainties]\nn = 4\nparameters = { demand_scale = [2, 1] }", "below"),
        (
            '[sample]\nmethod = "lhs"\nn = 4\nparameters = { "levers.data_sharing" = [0, 1] }\n'
            "[uncertainties]\nn = 4\nparameters = { demand_scale = [1, 2] }",
            "one sampled design",
        ),
    ],
)
def test_bad_uncertainties_are_one_line_errors(tmp_path, extra, message):
    path = write_experiment(tmp_path, extra=extra)
    with pytest.raises(ExperimentError) as error:
        load_experiment(path)
    assert message in str(error.value) and "\n" not in str(error.value)
    assert str(path) in str(error.value)


def test_cli_refuses_a_bad_uncertainty_with_status_2_and_writes_nothing(
    tmp_path, monkeypatch, capsys
):
    path = write_experiment(
        tmp_path, extra="[uncertainties]\nn = 4\nparameters = { warp = [0, 1] }"
    )
    db = tmp_path / "store.db"
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--db", sqlite_url(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "warp" in err
    assert not db.exists()
