"""``govlab export``: a tiny real batch written as CSV and Parquet through the command line, read
back with pandas and checked against the store; bad input is one line, status 2, nothing written;
an interrupted export leaves no folder (and an earlier export whole)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pandas as pd
import pytest
from sqlalchemy import update

from govlab.experiments.plan import digest_of, plan_runs
from govlab.experiments.spec import load_experiment
from govlab.experiments.worker import INJECT_FAILURE
from govlab.results import export as export_module
from govlab.results import frames
from govlab.results.provenance import redact
from govlab.results.store import Store
from govlab.results.tables import RunRow
from govlab.scenarios import load_scenario
from govlab.scenarios.levers import Levers
from tests.conftest import missing_part
from tests.experiments.batch_helpers import SMALL_WORLD, cli, run_serial, toml_value

POSTGRES = os.environ.get("GOVLAB_TEST_POSTGRES_URL")
DAYS = 12
SERIES = ["arrivals", "backlog", "trust_mean"]
CASES = 4
SHARING = [0.0, 0.5]
FAILED = "seamless/p0001/r0001"


def experiment_file(folder, name: str, series: list[str], cases: int, sweep: bool = True):
    common = {**SMALL_WORLD, "world.warmup_days": 3}
    text = (
        f'name = "{name}"\nscenarios = ["silo", "seamless"]\nreplications = 2\n'
        f"days = {DAYS}\nseed = 7\n"
        f"set = {{ {', '.join(f'"{k}" = {toml_value(v)}' for k, v in common.items())} }}\n"
        f"[keep]\nseries = {toml_value(series)}\ncases = {cases}\n"
    )
    if sweep:
        text += f'[sweep]\n"levers.data_sharing" = {toml_value(SHARING)}\n'
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stored(request, tmp_path_factory):
    """A stored batch: 2 scenarios × 2 sweep points × 2 replications, one run failed."""
    folder = tmp_path_factory.mktemp("stored")
    if request.param == "sqlite":
        url, name = f"sqlite:///{folder / 'store.db'}", "tiny"
    else:
        if not POSTGRES:
            missing_part("PostgreSQL export tests need GOVLAB_TEST_POSTGRES_URL (set by .ci/run)")
        url, name = POSTGRES, f"tiny_{uuid.uuid4().hex[:8]}"
    path = experiment_file(folder, name, SERIES, CASES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(INJECT_FAILURE, FAILED)
        outcome = run_serial(path, url)
    assert (outcome.done, outcome.failed) == (7, 1)
    yield path, url, name
    if request.param == "postgresql":
        with Store(url) as store:
            store.delete(name)


def read(folder, kind: str, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(folder / f"{kind}.csv")
    return pd.read_parquet(folder / f"{kind}.parquet")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_matches_the_store(stored, fmt, tmp_path, monkeypatch, capsys):
    path, url, name = stored
    out = tmp_path / "exports" / "tiny"
    monkeypatch.setattr(export_module, "CHUNK_ROWS", 8)  # series one run a time, cases two
    chunks: list[str] = []
    write = export_module.TableFile.write

    def counted(self, frame):
        chunks.append(self.path.stem)
        write(self, frame)

    monkeypatch.setattr(export_module.TableFile, "write", counted)
    code, printed, err = cli(
        monkeypatch, capsys, "export", str(path), "--format", fmt, "--out", str(out), "--db", url
    )
    assert code == 0, err
    assert printed.strip() == str(out)
    assert [chunks.count(kind) for kind in ("runs", "series", "cases")] == [1, 7, 4]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["manifest.json", f"runs.{fmt}", f"series.{fmt}", f"cases.{fmt}"]
    )
    assert [p.name for p in out.parent.iterdir()] == ["tiny"]  # no temporary folder left
    with Store(url) as store:
        data = frames.load(store, name)
        series = store.series(data.experiment.id)
        cases = store.cases(data.experiment.id)
    runs = data.runs.set_index("id")

    exported = read(out, "runs", fmt).set_index("run_id")
    assert len(exported) == len(runs) == 8
    assert sorted(exported.index) == sorted(runs.index)
    for column in ("run_key", "label", "point", "replication", "seed", "status", "digest", "days"):
        assert exported[column].tolist() == runs.loc[exported.index, column].tolist(), column
    assert exported.loc[exported.run_key == FAILED, "status"].tolist() == ["failed"]

    metrics = [c for c in data.wide.columns if c not in frames.RUN_COLUMNS]
    assert len(metrics) > 100
    expected = data.wide.set_index("run_id")[metrics]
    pd.testing.assert_frame_equal(exported.loc[expected.index, metrics], expected, check_exact=True)
    assert exported.loc[exported.status == "failed", metrics].isna().all(axis=None)

    assert {f"levers.{k}" for k in Levers.model_fields} <= set(exported.columns)
    for run_id, row in exported.iterrows():
        point = runs.loc[run_id, "params"]["levers.data_sharing"]
        assert row["design.levers.data_sharing"] == point == SHARING[row["point"]]
        assert row["levers.data_sharing"] == point
        shipped = load_scenario(row["label"]).levers
        assert row["levers.front_desk"] == shipped.front_desk
        assert row["levers.approval"] == shipped.approval
        assert row["warmup_days"] == 3
    assert set(exported.groupby("label")["levers.front_desk"].first()) == {True, False}

    daily = read(out, "series", fmt)
    assert list(daily.columns) == ["run_id", "series", "day", "value"]
    assert len(daily) == 7 * DAYS * len(SERIES) == len(series)
    assert (daily.groupby("run_id").size() == DAYS * len(SERIES)).all()
    assert sorted(daily["series"].unique()) == sorted(SERIES)
    stored_series = series.rename(columns={"name": "series"})[list(daily.columns)]
    pd.testing.assert_frame_equal(
        daily.sort_values(["run_id", "series", "day"]).reset_index(drop=True),
        stored_series.sort_values(["run_id", "series", "day"]).reset_index(drop=True),
        check_exact=True,
        check_dtype=False,
    )

    sampled = read(out, "cases", fmt)
    assert 0 < len(sampled) == len(cases) <= 7 * CASES
    pd.testing.assert_frame_equal(
        sampled.sort_values(["run_id", "row"]).reset_index(drop=True),
        cases[list(sampled.columns)].sort_values(["run_id", "row"]).reset_index(drop=True),
        check_exact=True,
        check_dtype=False,
    )

    text = (out / "manifest.json").read_text()
    manifest = json.loads(text)
    assert manifest["store"] == redact(url)
    assert manifest["format"] == fmt and manifest["experiment"]["name"] == name
    assert manifest["delay_window"]["warmup_days"] == {"silo": [3], "seamless": [3]}
    files = manifest["files"]
    assert {k: v["rows"] for k, v in files.items()} == {
        f"runs.{fmt}": 8,
        f"series.{fmt}": len(series),
        f"cases.{fmt}": len(cases),
    }
    columns = files[f"runs.{fmt}"]["columns"]
    assert set(columns) == set(exported.columns) | {"run_id"}
    assert columns["delay_mean_days"]["unit"] == "working days"
    assert files[f"series.{fmt}"]["series_units"]["trust_mean"] == "score 0–1"
    for written in out.iterdir():  # the password never reaches a file
        assert ":govlab@" not in written.read_bytes().decode("utf-8", "replace")


def test_nothing_kept_writes_only_the_runs(tmp_path, monkeypatch, capsys):
    path = experiment_file(tmp_path, "bare", [], 0, sweep=False)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    run_serial(path, url)
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(monkeypatch, capsys, "export", "bare", "--format", "csv", "--db", url)
    assert code == 0, err
    out = tmp_path / "results" / "exports" / "bare"  # the default --out
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "runs.csv"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["not_written"]) == {"series", "cases"}
    assert len(read(out, "runs", "csv")) == 4


def test_levers_of_an_edited_scenario_file_are_left_empty(tmp_path, monkeypatch, capsys):
    (tmp_path / "mine.toml").write_text('extends = "silo"\n[levers]\ntransparency = 0.3\n')
    path = experiment_file(tmp_path, "edited", [], 0, sweep=False)
    path.write_text(path.read_text().replace('["silo", "seamless"]', '["silo", "mine.toml"]'))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    run_serial(path, url)
    (tmp_path / "mine.toml").write_text('extends = "silo"\n[levers]\ntransparency = 0.9\n')
    out = tmp_path / "out"
    code, _, err = cli(monkeypatch, capsys, "export", str(path), "--format", "csv",
                       "--out", str(out), "--db", url)  # fmt: skip
    assert code == 0, err
    assert "2 of 4 run(s) could not be matched" in err
    runs = read(out, "runs", "csv").set_index("label")
    assert runs.loc["silo", "levers.transparency"].tolist() == [0.1, 0.1]
    assert runs.loc["mine", "levers.transparency"].isna().all()  # not today's 0.9
    assert runs.loc["mine", "delay_mean_days"].notna().all()
    notes = json.loads((out / "manifest.json").read_text())["notes"]
    assert len(notes) == 1 and "could not be matched" in notes[0]


def test_levers_of_runs_made_by_other_model_code_are_exported(tmp_path, monkeypatch, capsys):
    path = experiment_file(tmp_path, "older", [], 0, sweep=False)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    run_serial(path, url)
    experiment, scenarios = load_experiment(path)
    with Store(url) as store, store.engine.begin() as connection:  # as older code stored them
        for spec in plan_runs(experiment, scenarios):
            connection.execute(
                update(RunRow)
                .where(RunRow.run_key == spec.key)
                .values(model_version="0ld", digest=digest_of(spec.scenario, spec.days, "0ld"))
            )
    out = tmp_path / "out"
    code, _, err = cli(monkeypatch, capsys, "export", "older", "--format", "csv",
                       "--out", str(out), "--db", url)  # fmt: skip
    assert code == 0, err
    runs = read(out, "runs", "csv")
    assert runs["model_version"].tolist() == ["0ld"] * 4
    assert runs["levers.front_desk"].tolist() == [True, True, False, False]  # seamless, silo


def one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert err.startswith("govlab: error: ") and err.strip().count("\n") == 0, err
    for word in words:
        assert word in err, err


def test_bad_input_is_one_line_and_writes_nothing(stored, tmp_path, monkeypatch, capsys):
    _, url, name = stored
    out = tmp_path / "a" / "b"

    def export(*args: str) -> tuple[int, str]:
        code, _, err = cli(monkeypatch, capsys, "export", *args, "--db", url)
        return code, err

    one_line_error(*export("nosuch", "--format", "csv", "--out", str(out)), "no experiment")
    one_line_error(*export(name, "--format", "xlsx", "--out", str(out)), "--format", "parquet")
    one_line_error(*export(name, "--out", str(out)), "--format")
    one_line_error(*export(str(tmp_path / "missing.toml"), "--format", "csv", "--out", str(out)))
    assert list(tmp_path.iterdir()) == []  # not even the parent folders

    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    one_line_error(*export(name, "--format", "csv", "--out", str(blocker / "x")), "--out")
    one_line_error(*export(name, "--format", "csv", "--out", str(blocker)), "--out", "not a folder")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    one_line_error(*export(name, "--format", "csv", "--out", str(mine)), "not a govlab export")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if the extra were not installed
    one_line_error(*export(name, "--format", "parquet", "--out", str(out)), "govlab[parquet]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "mine"]
    assert blocker.read_text() == "a file"


def test_an_interrupted_export_leaves_the_earlier_one_whole(stored, tmp_path, monkeypatch, capsys):
    _, url, name = stored
    out = tmp_path / "export"
    args = ("export", name, "--out", str(out), "--db", url, "--format")
    assert cli(monkeypatch, capsys, *args, "csv")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write = export_module.TableFile.write

    def interrupted(self, frame):
        if self.path.name.startswith("series"):
            raise KeyboardInterrupt
        write(self, frame)

    monkeypatch.setattr(export_module.TableFile, "write", interrupted)
    assert cli(monkeypatch, capsys, *args, "parquet")[0] == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no partial folder beside it

    monkeypatch.setattr(export_module.TableFile, "write", write)
    assert cli(monkeypatch, capsys, *args, "parquet")[0] == 0  # an earlier export is replaced
    assert sorted(p.name for p in out.iterdir()) == [
        "cases.parquet", "manifest.json", "runs.parquet", "series.parquet"
    ]  # fmt: skip


def test_help_lists_export_without_loading_pandas(monkeypatch, capsys):
    code, printed, _ = cli(monkeypatch, capsys, "--help")
    assert code == 0 and "export" in printed
    probe = (
        "import sys; import govlab.experiments.cli; "
        "print(sorted({'pandas', 'sqlalchemy', 'pyarrow'} & set(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr
