"""``govlab log`` (issue 21 item 3): a run's visits as CSV, XES and OCEL 2.0 that pm4py reads back,
whose directly-follows graph over counter and back-office events is each case type's route.
"""

from __future__ import annotations

import itertools
import sys
import warnings

import pandas as pd
import pytest

from govlab.model import GovernanceModel
from govlab.scenarios import apply_overrides, load_scenario
from tests.cli_process import one_line_error
from tests.conftest import missing_part
from tests.experiments.batch_helpers import cli

DAYS = 40
NO_RETURNS = "world.p_missing_document=0"  # fixed routes: no return to a counter


@pytest.fixture(scope="module")
def pm4py():
    try:
        from govlab.results.eventlog import load_pm4py

        return load_pm4py()
    except ImportError:
        missing_part("pm4py is not installed (pip install 'govlab[logs]')")


@pytest.fixture(scope="module")
def written(pm4py, tmp_path_factory):
    """``govlab log silo`` once, in process; the folder and what it printed."""
    out = tmp_path_factory.mktemp("log") / "silo"
    monkeypatch = pytest.MonkeyPatch()
    capsys = _Capture()
    code, printed, err = cli(monkeypatch, capsys, "log", "silo", "--days", str(DAYS),
                             "--set", NO_RETURNS, "--out", str(out))  # fmt: skip
    monkeypatch.undo()
    assert code == 0, err
    return out, printed, err


class _Capture:
    """A module-scoped stand-in for pytest's ``capsys`` (the CLI prints to the real streams)."""

    def readouterr(self):
        return type("Out", (), {"out": "", "err": ""})()


def _silo_plans():
    scenario = apply_overrides(load_scenario("silo"), {"world.p_missing_document": 0.0})
    return GovernanceModel(scenario, rng=1, collect=False).plans


def _route(plan, functions) -> list[str]:
    """A chain's counter and back-office activities in route order (results.eventlog names)."""
    from govlab.results.eventlog import activity_name

    names = []
    for k, step in enumerate(plan.steps):
        if step.counter_days > 0.0:
            names.append(activity_name(plan, k, 0, functions))
        if step.backoffice_days > 0.0:
            names.append(activity_name(plan, k, 1, functions))
    return names


def test_pm4py_reads_every_file_back_with_the_same_events(pm4py, written):
    out, _, _ = written
    table = pd.read_csv(out / "visits.csv")
    assert len(table) > 5000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pm4py's advice on optional faster readers
        log = pm4py.read_xes(str(out / "log.xes"))
        ocel = pm4py.read_ocel2_json(str(out / "log.ocel.json"))
    assert len(log) == len(table)
    assert sorted(log["concept:name"]) == sorted(table["concept:name"])
    assert log["case:concept:name"].nunique() == table["case"].nunique()
    assert len(ocel.events) == len(table)
    kinds = ocel.objects.groupby("ocel:type")["ocel:oid"].nunique().to_dict()
    assert set(kinds) == {"case", "department", "document"}
    assert kinds["case"] == table["case"].nunique()
    assert kinds["department"] == table["department"].nunique()
    relations = ocel.relations
    per_event = relations[relations["ocel:type"] == "case"].groupby("ocel:eid").size()
    assert len(per_event) == len(table) and (per_event == 1).all()  # each event: its one case
    documented = relations[relations["ocel:type"] == "document"]["ocel:activity"]
    assert documented.str.endswith(": counter").all()  # documents go with counter visits


def test_the_discovered_directly_follows_graph_is_each_case_types_route(pm4py, written):
    out, _, _ = written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(out / "log.xes"))
    log = log[log["kind"].isin(["counter", "back office"])]
    plans = _silo_plans()
    functions = tuple(load_scenario("silo").functions)
    assert len(log["case:case_type"].unique()) == len(plans)
    for plan in plans:
        mine = log[log["case:case_type"] == plan.name]
        cases = mine["case:concept:name"].nunique()
        route = _route(plan, functions)
        dfg, start, end = pm4py.discover_dfg(mine)
        expected = {(a, b): cases for a, b in itertools.pairwise(route)}
        assert dfg == expected, plan.name
        assert start == {route[0]: cases} and end == {route[-1]: cases}, plan.name


def test_log_refuses_bad_input_in_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"

    def log(*args):
        code, printed, err = cli(monkeypatch, capsys, "log", *args)
        return type("Done", (), {"returncode": code, "stdout": printed, "stderr": err})()

    one_line_error(log("atlantis", "--out", str(out)), "unknown scenario")
    one_line_error(log("silo", "--set", "world.nope=1", "--out", str(out)), "world.nope")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    one_line_error(log("silo", "--out", str(blocker)), "--out", "not a folder")
    monkeypatch.setitem(sys.modules, "pm4py", None)  # as if the extra were not installed
    one_line_error(log("silo", "--days", "2", "--out", str(out)), "govlab[logs]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]
