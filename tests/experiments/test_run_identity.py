"""Run identity (issue 10 §3): runs of an edited scenario or of other model code never mix.

Each run's digest covers the resolved scenario, the days and the model version (a digest of the
code in model/, agents/ and scenarios/ without docstrings). A batch refuses to add runs beside
finished runs of another definition (or sets them aside on request); ``compare`` and ``report``
refuse to pool them.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from govlab.experiments.executors import SerialExecutor
from govlab.experiments.plan import digest_of, plan_runs
from govlab.experiments.runner import run_batch
from govlab.experiments.spec import load_experiment
from govlab.results import frames
from govlab.results.provenance import ROOT, model_version, source_version
from govlab.results.store import Store, StoreError
from tests.experiments.batch_helpers import cli, sqlite_url, write_experiment

SCENARIO = 'extends = "silo"\n[levers]\ndata_sharing = 0.2\n'


def copy_code(folder: Path) -> Path:
    for package in ("model", "agents", "scenarios"):
        shutil.copytree(ROOT / package, folder / package, ignore=shutil.ignore_patterns("__py*"))
    return folder


def test_model_version_follows_code_not_documentation(tmp_path):
    root = copy_code(tmp_path / "tree")
    before = source_version(root)
    assert before == model_version()  # the copy is this code
    path = root / "model" / "voice.py"
    text = path.read_text()
    # documentation, comments and formatting: the same version
    path.write_text(text.replace('"""Voice', '"""Voice, reworded:', 1) + "\n# a comment\n\n")
    assert source_version(root) == before
    # code: a new version
    path.write_text(text + "\nEXTRA_CONSTANT = 1\n")
    assert source_version(root) != before
    path.write_text(text.replace("1.0 - who.time", "0.9 - who.time", 1))
    assert source_version(root) != before


def experiment_with_own_scenario(tmp_path: Path, replications: int = 2) -> Path:
    (tmp_path / "mine.toml").write_text(SCENARIO)
    return write_experiment(
        tmp_path, name="edited", scenarios=("silo", "mine.toml"), replications=replications,
        days=12, cases=0, world={"world.residents": 2000, "world.enterprises": 100,
                                 "world.warmup_days": 2},
    )  # fmt: skip


def batch(path: Path, url: str, **options):
    experiment, scenarios = load_experiment(path)
    with Store(url) as store:
        return run_batch(experiment, scenarios, store, SerialExecutor(), source=path, **options)


def test_an_edited_scenario_is_refused_then_set_aside_never_pooled(tmp_path, monkeypatch, capsys):
    url = sqlite_url(tmp_path)
    path = experiment_with_own_scenario(tmp_path)
    assert batch(path, url).done == 4
    (tmp_path / "mine.toml").write_text(SCENARIO.replace("0.2", "0.3"))  # edit the scenario
    with pytest.raises(StoreError, match="2 finished run\\(s\\) of another definition"):
        batch(path, url)
    code, _, err = cli(monkeypatch, capsys, "batch", str(path), "--db", url, "--executor",
                       "serial")  # fmt: skip
    assert code == 2 and "another definition" in err and "--set-aside" in err
    assert "Traceback" not in err

    outcome = batch(path, url, set_aside=True)
    assert (outcome.skipped, outcome.done) == (2, 2)  # silo kept, the edited scenario rerun
    with Store(url) as store:
        names = store.experiment_names()
        aside = [n for n in names if n.startswith("edited@set-aside-")]
        assert len(aside) == 1
        data = frames.load(store, "edited")
        assert len(data.wide) == 4 and data.runs["digest"].nunique() == 2
        old = frames.load(store, aside[0])
        assert list(old.wide["label"]) == ["mine", "mine"]
        assert set(old.runs["digest"]).isdisjoint(data.runs["digest"])


def test_stored_runs_of_other_code_are_refused_and_never_pooled(tmp_path, monkeypatch, capsys):
    url = sqlite_url(tmp_path)
    path = experiment_with_own_scenario(tmp_path, replications=1)
    experiment, scenarios = load_experiment(path)
    runs = plan_runs(experiment, scenarios)
    # Two runs written as by an older version of the code: same scenario, another model version.
    from tests.results.test_store import result

    with Store(url) as store:
        eid = store.register(experiment.name, experiment.model_dump(mode="json"),
                             experiment.identity(), {"method": "grid", "points": [{}]})  # fmt: skip
        for spec in runs:
            old = dataclasses.replace(
                spec, digest=digest_of(spec.scenario, spec.days, "0ld"), model_version="0ld"
            )
            store.write_run(eid, old, result(), None)
    with pytest.raises(StoreError, match="model's code changed .*0ld, now " + model_version()):
        batch(path, url)
    # An interrupted rerun that wrote only one run of the new code: compare refuses to pool.
    with Store(url) as store:
        store.write_run(eid, runs[0], result(), None)
    code, _, err = cli(monkeypatch, capsys, "compare", "edited", "--db", url)
    assert code == 2 and "2 model versions" in err and "not pooled" in err
    code, _, err = cli(monkeypatch, capsys, "report", "edited", "--db", url, "--out",
                       str(tmp_path / "report"))  # fmt: skip
    assert code == 2 and "not pooled" in err
    assert not (tmp_path / "report").exists()


def test_a_store_written_before_model_versions_opens_and_stays_apart(tmp_path):
    url = sqlite_url(tmp_path)
    path = experiment_with_own_scenario(tmp_path, replications=1)
    assert batch(path, url).done == 2
    with Store(url) as store, store.engine.begin() as connection:  # as an older govlab wrote it
        from sqlalchemy import text

        connection.execute(text("ALTER TABLE runs DROP COLUMN model_version"))
        connection.execute(text("UPDATE runs SET digest = 'old'"))
    with Store(url) as store:  # the column is added back; the old runs have no version
        assert set(store.runs(store.experiment("edited").id)["model_version"]) == {None}
    with pytest.raises(StoreError, match="unrecorded"):
        batch(path, url)
