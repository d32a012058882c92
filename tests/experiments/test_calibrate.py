"""``govlab calibrate`` and ``govlab predict`` end to end on a tiny world: outputs, statuses,
resume from the store and pyabc's history, paired seeds of a reform, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyabc
import pytest

from govlab.experiments.abc_fit import AbcBudget, Parameter
from govlab.experiments.calibrate import Setup, calibrate
from govlab.experiments.executors import SerialExecutor
from govlab.experiments.predict import predict
from govlab.results import frames
from govlab.results.store import Store
from govlab.scenarios import ScenarioError
from govlab.scenarios.observed import load_observed
from tests.cli_process import govlab, one_line_error, stored

SOURCE = (
    'source = { title = "synthetic", issuer = "govlab tests", year = 2026, '
    'url = "https://example.org/s" }'
)


def figure(id_: str, metric: str, value: float, period: str, case_type: str | None = None) -> str:
    case = f'case_type = "{case_type}"\n' if case_type else ""
    return (
        f'[[figure]]\nid = "{id_}"\nmetric = "{metric}"\n{case}published_value = {value}\n'
        f'published_unit = "per case"\nas_published = "synthetic"\n'
        f'uncertainty = {{ rule = "rounded", relative = 0.1, resolution = 0.01 }}\n'
        f'period = "{period}"\nreform = "desk"\nplace = "Testville"\nyear = 2026\n{SOURCE}\n'
    )


@pytest.fixture
def observed_file(tmp_path: Path) -> Path:
    path = tmp_path / "observed.toml"
    path.write_text(
        'title = "synthetic test figures"\nsynthetic = true\n'
        + figure("returns", "returns_per_case", 0.5, "before")
        + figure("trips", "trips_per_case", 4.0, "before")
        + figure("never", "trips_per_case", 400.0, "before", "business_registration")
        + figure("procedures", "procedures_per_case", 7.0, "before", "business_registration")
        + figure("trips_after", "trips_per_case", 3.0, "after"),
        encoding="utf-8",
    )
    return path


def setup_for(observed: Path) -> Setup:
    return Setup(
        name="tiny",
        observed=str(observed),
        scenario="silo",
        place="Testville",
        parameters=[Parameter("world.p_missing_document", 0.02, 0.4)],
        scale=100,
        warmup_days=20,
        budget=AbcBudget(population=10, generations=2, days=60),
        screen=6,
        points=3,
        replications=2,
        seed=5,
    )


def test_calibrate_then_predict_resume_and_pair(tmp_path, observed_file):
    observed = load_observed(observed_file)
    setup = setup_for(observed_file)
    out = tmp_path / "out"
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        summary = calibrate(setup, observed, store, SerialExecutor(), out)
        status = {row["id"]: row["status"] for row in summary["fit"]}
        assert status["never"] == "unreachable" and status["procedures"] == "design"
        assert status["returns"] in {"fits", "misses"} and status["trips"] in {"fits", "misses"}
        assert len(summary["fit"]) == 4  # every 'before' figure, none dropped
        for name in ("calibration.json", "posterior.csv", "posterior_points.csv", "fit.csv"):
            assert (out / name).is_file()
        assert (out / "marginals.png").is_file() and (out / "predictive.png").is_file()
        ensemble = store.experiment("calibrate:tiny:ensemble")
        assert len(store.runs(ensemble.id)) == setup.points * setup.replications
        simulations = summary["abc"]["simulations"]
        abc_runs = store.runs(store.experiment("calibrate:tiny:abc").id)  # ABC ran via the store
        assert summary["abc"]["computed"] == len(abc_runs) >= simulations
        again = calibrate(setup, observed, store, SerialExecutor(), out)  # resumes: all done
        assert again["abc"]["simulations"] == simulations
        assert again["posterior"] == summary["posterior"]
        history = pyabc.History(f"sqlite:///{out / 'pyabc.db'}")
        assert len(history.all_runs()) == 1 and history.max_t == 1  # resumed, not restarted
        other = Setup(**{**setup.__dict__, "seed": 6})
        with pytest.raises(ScenarioError, match="holds another calibration"):
            calibrate(other, observed, store, SerialExecutor(), out)
        table, versus = predict(out, {"desk": "front_desk"}, observed, store, SerialExecutor())
        runs = store.runs(ensemble.id)
        data = frames.load(store, "calibrate:tiny:ensemble")  # read like any stored experiment
        assert data.labels == ["baseline", "desk"] and data.baseline == "baseline"
    assert len(runs) == 2 * setup.points * setup.replications  # baseline reused, not rerun
    seeds = runs.pivot_table(index=["point", "replication"], columns="label", values="seed")
    assert (seeds["baseline"] == seeds["desk"]).all()  # paired: the same luck
    assert list(versus["id"]) == ["trips_after"]
    trips = table[(table["metric"] == "trips_per_case")].iloc[0]
    assert trips["change_high"] < 0  # one window: fewer trips at every posterior point and seed
    assert json.loads((out / "calibration.json").read_text())["provenance"]["model_version"]
    db = f"sqlite:///{tmp_path / 'store.db'}"
    report = govlab("report", str(out), "--out", str(tmp_path / "report"), "--db", db)
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "report" / "index.html").read_text()
    assert "<h2>Calibration</h2>" in page and "trips after" in page  # from the store's record
    covered = "1 of 1" if bool(versus["covered"].iloc[0]) else "0 of 1"
    assert f"{covered} observed after figures inside the predicted 90% interval" in page
    assert (tmp_path / "report" / "figures" / "calibration_after.png").is_file()


def test_cli_errors_are_one_line_and_write_nothing(tmp_path, observed_file):
    out = tmp_path / "never"
    cases = [
        (
            [str(tmp_path / "missing.toml"), "--param", "world.p_missing_document=0:0.3"],
            "no such file",
        ),
        ([str(observed_file)], "--param: declare at least one parameter"),
        (
            [str(observed_file), "--param", "world.p_missing_document"],
            "expected dotted.path=low:high",
        ),
        (
            [str(observed_file), "--param", "world.nothing=0:1"],
            "world.nothing: not a scenario field",
        ),
        ([str(observed_file), "--param", "world.p_missing_document=0:1.5"], "p_missing_document"),
        ([str(observed_file), "--param", "world.p_missing_document=0.3:0.1"], "low must be below"),
        (
            [str(observed_file), "--param", "world.p_missing_document=0:0.3", "--scenario", "nope"],
            "nope",
        ),
    ]
    db = tmp_path / "s.db"
    for arguments, expected in cases:
        result = govlab("calibrate", *arguments, "--out", str(out), "--db", f"sqlite:///{db}")
        one_line_error(result, expected)
        assert not out.exists() and stored(db) == 0
    one_line_error(
        govlab("predict", str(out), "--reform", "desk=front_desk"), "no calibration.json"
    )


def test_without_pyabc_the_one_line_names_the_extra(tmp_path, observed_file):
    code = (
        "import sys; sys.modules['pyabc'] = None\n"
        "from govlab.experiments.cli import main\n"
        f"sys.argv = ['govlab', 'calibrate', {str(observed_file)!r}, '--param',"
        f" 'world.p_missing_document=0:0.3', '--out', {str(tmp_path / 'out')!r},"
        f" '--db', 'sqlite:///{tmp_path}/s.db']\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    one_line_error(result, "part of the 'calibrate' extra: pip install 'govlab[calibrate]'")
    assert not (tmp_path / "out").exists() and not (tmp_path / "s.db").exists()
