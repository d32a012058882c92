"""Experiment files: shipped ones load; bad ones give one line naming file and field, exit 2."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from govlab.experiments.designs import make_design
from govlab.experiments.spec import Experiment, ExperimentError, load_experiment
from govlab.scenarios import apply_overrides, load_scenario
from govlab.scenarios.loader import resolve
from tests.experiments.batch_helpers import cli, write_experiment

SHIPPED = Path(__file__).resolve().parents[2] / "experiments"


def test_the_shipped_experiments_load_with_their_designs():
    main, scenarios = load_experiment(SHIPPED / "silo_vs_seamless.toml")
    assert list(scenarios) == [
        "silo",
        "front_desk",
        "data_sharing",
        "parallel",
        "seamless",
        "smart",
    ]
    assert main.replications == 30 and main.baseline_label == "silo"
    sweep, _ = load_experiment(SHIPPED / "sweep_sharing.toml")
    assert len(make_design(sweep).points) == 3 * 3 * 2
    sobol, _ = load_experiment(SHIPPED / "sobol_levers.toml")
    design = make_design(sobol)
    assert design.method == "sobol" and len(design.points) == 32 * (4 + 2)
    assert design.matrix.shape == (192, 4)


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.toml")), ids=lambda p: p.stem)
def test_each_shipped_experiment_keeps_a_delay_window_as_long_as_its_warm_up(path):
    """Every scenario a shipped experiment, search or exploration runs (its ``scenarios`` or
    ``base``, with its ``set``) runs at least twice its warm-up: the delay window
    [warm-up, days) is no shorter than the warm-up (README, 'The delay window')."""
    spec = tomllib.loads(path.read_text())
    names = [s if isinstance(s, str) else s["scenario"] for s in spec.get("scenarios", [])]
    names += [spec["base"]] if "base" in spec else []
    if "package" in spec:  # a robustness file: its baseline and rivals, or its search's base
        compare = spec.get("compare")
        names += [spec["baseline"]] if "baseline" in spec else []
        names += [spec["package"]] if "optimisation" not in spec else []
        names += compare if isinstance(compare, list) and "optimisation" not in spec else []
        if "optimisation" in spec:
            search = tomllib.loads((path.parent / spec["optimisation"]).read_text())
            names.append(search["base"])
            spec = {"set": search.get("set", {}), "days": search.get("days"), **spec}
    days = spec.get("days", Experiment.model_fields["days"].default)
    assert names
    for name in names:
        scenario = apply_overrides(load_scenario(resolve(name, path.parent)), spec.get("set", {}))
        warmup = scenario.world.warmup_days
        assert days - warmup >= warmup, f"{path.name} {name}: {days} days"


GOOD = 'name = "bad"\nscenarios = ["silo"]\n'
BAD = [
    ("unknown top-level key", GOOD + "replicatoins = 3\n", "replicatoins: unknown key"),
    ("zero replications", GOOD + "replications = 0\n", "replications:"),
    ("unknown scenario", 'name = "bad"\nscenarios = ["nowhere"]\n', "scenarios.0"),
    (
        "unknown key in a scenario entry",
        'name = "bad"\n[[scenarios]]\nscenario = "silo"\nlable = "x"\n',
        "scenarios.0.lable: unknown key; allowed keys: scenario, label, set",
    ),
    ("bad override path", GOOD + 'set = { "levers.nope" = 1 }\n', "levers.nope"),
    ("bad override value", GOOD + 'set = { "levers.data_sharing" = 2.0 }\n', "data_sharing"),
    ("bad sweep value", GOOD + '[sweep]\n"levers.approval" = ["sideways"]\n', "approval"),
    (
        "sweep and sample",
        GOOD + '[sweep]\n"levers.data_sharing" = [0.0]\n[sample]\nmethod = "lhs"\nn = 4\n'
        '[sample.parameters]\n"levers.transparency" = [0, 1]\n',
        "sweep and sample",
    ),
    (
        "sobol size",
        GOOD + '[sample]\nmethod = "sobol"\nn = 10\n[sample.parameters]\n"levers.transparency" = '
        "[0, 1]\n",
        "power of 2",
    ),
    (
        "sample bound out of range",
        GOOD + '[sample]\nmethod = "lhs"\nn = 4\n[sample.parameters]\n"levers.transparency" = '
        "[0, 3]\n",
        "transparency",
    ),
    ("baseline not a label", GOOD + 'baseline = "smart"\n', "baseline"),
    ("duplicate labels", 'name = "bad"\nscenarios = ["silo", "silo"]\n', "duplicate"),
    ("not TOML", "name = \n", "not valid TOML"),
    ("unknown kept series", GOOD + 'days = 2\nkeep = { series = ["nope"] }\n', "keep.series"),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[case for case, *_ in BAD])
def test_bad_experiment_files_exit_2_with_one_line(
    tmp_path, monkeypatch, capsys, case, text, expected
):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    code, _out, err = cli(
        monkeypatch, capsys, "batch", str(path), "--db", db, "--executor", "serial"
    )
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("bad:")]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("govlab: error: ")
    assert expected in lines[0]
    if case != "unknown kept series":  # caught before anything is stored
        assert str(path) in lines[0]


def test_missing_file_and_bad_options(tmp_path, monkeypatch, capsys):
    code, _, err = cli(monkeypatch, capsys, "batch", str(tmp_path / "none.toml"))
    assert code == 2 and "no such experiment file" in err
    path = write_experiment(tmp_path)
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--executor", "gpu")
    assert code == 2 and "--executor" in err
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--db", "nonsense")
    assert code == 2 and len(err.strip().splitlines()) == 1
    with pytest.raises(ExperimentError, match="no such experiment file"):
        load_experiment(tmp_path / "none.toml")


def test_database_passwords_are_never_printed(tmp_path, monkeypatch, capsys):
    path = write_experiment(tmp_path)
    url = "postgresql+psycopg://someone:s3cret@127.0.0.1:1/nowhere"
    code, out, err = cli(monkeypatch, capsys, "compare", str(path), "--db", url)
    assert code == 2
    assert "s3cret" not in out + err and "***" in err
