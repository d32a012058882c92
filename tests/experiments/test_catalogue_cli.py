"""``govlab catalogue --from-log`` (issue 21 item 4): the shipped example log gives a draft that
loads as a scenario, with its fits and figure beside it; CSV and XES of one run give the same
draft; bad input is one line, status 2, nothing written.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from govlab.scenarios import load_scenario
from tests.cli_process import one_line_error
from tests.conftest import missing_part
from tests.experiments.batch_helpers import cli

EXAMPLES = Path(__file__).parents[2] / "examples"
EXAMPLE_LOG = EXAMPLES / "service_centre_log.csv"
EXAMPLE = EXAMPLES / "service_centre.toml"
APPLICANTS = ("--residents", "20000", "--enterprises", "1000")


def _catalogue(monkeypatch, capsys, *args):
    code, printed, err = cli(monkeypatch, capsys, "catalogue", *args)
    return type("Done", (), {"returncode": code, "stdout": printed, "stderr": err})()


def test_the_example_log_gives_a_draft_of_its_scenario(tmp_path, monkeypatch, capsys):
    out = tmp_path / "draft.toml"
    done = _catalogue(monkeypatch, capsys, "--from-log", str(EXAMPLE_LOG), "--out", str(out),
                      *APPLICANTS)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(out), str(tmp_path / "draft.fits.csv"),
                                   str(tmp_path / "draft.fits.png")]  # fmt: skip
    draft, original = load_scenario(out), load_scenario(EXAMPLE)
    assert sorted(draft.services) == sorted(original.services)
    for name, service in original.services.items():
        steps = draft.services[name].steps
        assert sorted(s.function for s in steps) == sorted(s.function for s in service.steps)
    assert draft.world.districts == original.world.districts
    fits = pd.read_csv(tmp_path / "draft.fits.csv")
    assert len(fits) == 2 * sum(len(s.steps) for s in original.services.values())
    assert (tmp_path / "draft.fits.png").read_bytes()[:4] == b"\x89PNG"
    extended = tmp_path / "extended.toml"
    done = _catalogue(monkeypatch, capsys, "--from-log", str(EXAMPLE_LOG), "--out",
                      str(extended), "--extends", "silo")  # fmt: skip
    assert done.returncode == 0, done.stderr
    with extended.open("rb") as handle:
        assert tomllib.load(handle)["extends"] == "silo"
    assert load_scenario(extended).levers.approval == "sequential"  # silo's levers


def test_csv_and_xes_of_one_run_give_the_same_draft(tmp_path, monkeypatch, capsys):
    try:
        from govlab.results.eventlog import load_pm4py

        load_pm4py()
    except ImportError:
        missing_part("pm4py is not installed (pip install 'govlab[logs]')")
    code, _, err = cli(monkeypatch, capsys, "log", str(EXAMPLE), "--days", "6", "--out",
                       str(tmp_path / "log"))  # fmt: skip
    assert code == 0, err
    drafts = []
    for name in ("visits.csv", "log.xes"):
        out = tmp_path / f"{Path(name).suffix[1:]}.toml"
        done = _catalogue(monkeypatch, capsys, "--from-log", str(tmp_path / "log" / name),
                          "--out", str(out))  # fmt: skip
        assert done.returncode == 0, done.stderr
        drafts.append(load_scenario(out).model_dump(exclude={"name"}))
    assert drafts[0] == drafts[1]


def test_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out" / "draft.toml"
    table = pd.read_csv(EXAMPLE_LOG, nrows=50)

    def bad(name: str, frame: pd.DataFrame) -> str:
        path = tmp_path / name
        frame.to_csv(path, index=False)
        return str(path)

    def catalogue(log: str, *more: str):
        return _catalogue(monkeypatch, capsys, "--from-log", log, "--out", str(out), *more)

    one_line_error(catalogue(str(tmp_path / "none.csv")), "--from-log", "no such file")
    (tmp_path / "log.json").write_text("{}")
    one_line_error(catalogue(str(tmp_path / "log.json")), "--from-log", ".csv or .xes")
    one_line_error(catalogue(bad("a.csv", table.drop(columns=["function"]))), "'function'",
                   "is missing")  # fmt: skip
    one_line_error(catalogue(bad("b.csv", table.assign(kind="lunch"))), "'kind'", "'lunch'",
                   "counter, back office")  # fmt: skip
    one_line_error(catalogue(bad("c.csv", table.assign(**{"time:timestamp": "soon"}))),
                   "'time:timestamp'", "not a timestamp")  # fmt: skip
    one_line_error(catalogue(bad("d.csv", table.assign(**{"case:applicant": "robot"}))),
                   "'case:applicant'", "resident, enterprise")  # fmt: skip
    one_line_error(catalogue(bad("e.csv", table.iloc[:0])), "no events")
    late = table.assign(**{"start_timestamp": table["time:timestamp"],
                           "time:timestamp": table["start_timestamp"]})  # fmt: skip
    late = late[late["start_timestamp"] != late["time:timestamp"]]
    one_line_error(catalogue(bad("f.csv", late)), "before")
    (tmp_path / "broken.xes").write_text("<log><trace>")
    one_line_error(catalogue(str(tmp_path / "broken.xes")), "--from-log", "cannot read it")
    one_line_error(_catalogue(monkeypatch, capsys, "--from-log", str(EXAMPLE_LOG), "--out",
                              str(tmp_path / "draft.txt")), "--out", ".toml")  # fmt: skip
    (tmp_path / "folder.toml").mkdir()
    one_line_error(_catalogue(monkeypatch, capsys, "--from-log", str(EXAMPLE_LOG), "--out",
                              str(tmp_path / "folder.toml")), "--out", "folder")  # fmt: skip
    assert not out.parent.exists()


@pytest.mark.parametrize("option", ["--days=0", "--hours-per-day=30", "--level=1.5"])
def test_out_of_range_options_are_one_line(tmp_path, monkeypatch, capsys, option):
    done = _catalogue(monkeypatch, capsys, "--from-log", str(EXAMPLE_LOG), "--out",
                      str(tmp_path / "d.toml"), option)  # fmt: skip
    one_line_error(done, option.split("=")[0])
    assert list(tmp_path.iterdir()) == []
