"""The results page against a real (tiny) stored experiment: listing, tables, opening a run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from govlab.viz.pair import Pair, PaneSpec
from govlab.viz.results_page import ResultsPage, load_experiment, partner

EXPERIMENT = """
name = "tiny"
description = "two scenarios, two replications, a few days"
scenarios = ["silo", "smart"]
baseline = "silo"
replications = 2
days = 15
seed = 7
"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("store")
    spec = folder / "tiny.toml"
    spec.write_text(EXPERIMENT)
    url = f"sqlite:///{folder / 'results.db'}"
    govlab = Path(sys.executable).with_name("govlab")
    subprocess.run(
        [str(govlab), "batch", str(spec), "--db", url, "--executor", "serial"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return url


def test_stored_experiment_is_listed_compared_and_opened(stored, monkeypatch):
    monkeypatch.setenv("GOVLAB_DB", stored)
    view = load_experiment("tiny")
    assert {run.label for run in view.runs} == {"silo", "smart"}
    assert "<h3>mean delay <span class=muted>[working days]</span></h3>" in view.tables_html
    assert "delay_mean_days" not in view.tables_html
    assert {run.days for run in view.runs} == {15}  # each opens at its last day
    smart = next(run for run in view.runs if run.label == "smart")
    base = partner(smart, view)
    assert base is not None and base.label == "silo" and base.seed == smart.seed

    opened = []
    _, rc = solara.render(
        ResultsPage(lambda run, baseline: opened.append((run, baseline))), handle_error=False
    )
    rc.find(v.Select, label="experiment").assert_single()
    (button,) = [w for w in rc.find(v.Btn).widgets if "Open in the live panes" in w.children]
    button.click()
    run, baseline = opened[0]
    assert run.seed == baseline.seed
    assert baseline.label == "silo"
    rc.close()
    pair = Pair(PaneSpec("silo"), PaneSpec("silo"))
    pair.load(
        PaneSpec(baseline.scenario, baseline.overrides),
        PaneSpec(run.scenario, run.overrides),
        run.seed,
    )
    assert pair.seed == run.seed and pair.day == 0


def test_a_run_of_another_model_version_is_said_so_in_one_line():
    from govlab.viz.results_page import StoredRun, version_note

    run = StoredRun("k", "smart", "smart", {}, 1, 0, 0, model_version="a" * 40)
    assert version_note(run, "a" * 40) == ""
    line = version_note(run, "b" * 40)
    assert "aaaaaaaaaaaa" in line and "bbbbbbbbbbbb" in line and "\n" not in line
    assert "模型" in version_note(run, "b" * 40, "zh")
    unrecorded = StoredRun("k", "smart", "smart", {}, 1, 0, 0, model_version=None)
    assert "not recorded" in version_note(unrecorded, "b" * 40)


def test_a_stored_runs_changes_read_as_lever_names_in_either_language():
    from govlab.viz.i18n import translator
    from govlab.viz.results_page import overrides_text

    changes = {"levers.front_desk": True, "world.residents": 5000, "levers.data_sharing": 0.5}
    assert overrides_text(changes, "en") == "front desk: on, residents: 5000, data sharing: 0.5"
    assert overrides_text(changes, "zh") == "综合窗口: 开, residents: 5000, 数据共享: 0.5"
    assert translator("zh")("{name}: could not be read: {problem}") == "{name}：无法读取：{problem}"
