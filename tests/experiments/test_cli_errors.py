"""User mistakes are one line naming the file or option, status 2, before any other output
(issue 10, item 10). In process (the `cli` helper) to stay quick."""

from __future__ import annotations

import socket

import pytest

from govlab.results.store import Store
from tests.experiments.batch_helpers import cli, run_serial, sqlite_url, write_experiment

NOT_UTF8 = b'name = "caf\xe9"\n'


def one_line_error(result: tuple[int, str, str], *expected: str) -> None:
    code, out, err = result
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith("govlab: error: ") and "Traceback" not in err
    for text in expected:
        assert text in err, err


@pytest.fixture
def good(tmp_path):
    return write_experiment(tmp_path, name="good", replications=1, days=4, cases=0)


def test_files_that_are_not_utf8(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(NOT_UTF8)
    db = sqlite_url(tmp_path)
    for command in (["run", str(bad)], ["batch", str(bad), "--db", db],
                    ["compare", str(bad), "--db", db]):  # fmt: skip
        one_line_error(cli(monkeypatch, capsys, *command), str(bad), "not UTF-8")
    experiment = tmp_path / "uses_it.toml"
    experiment.write_text('scenarios = ["latin1"]\nreplications = 1\ndays = 3\n')
    one_line_error(
        cli(monkeypatch, capsys, "batch", str(experiment), "--db", db), str(bad), "not UTF-8"
    )


def test_db_paths_that_cannot_be_a_store(good, tmp_path, monkeypatch, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("my notes\n")
    for url, expected in (
        (f"sqlite:///{text}", "is not a SQLite database"),
        (f"sqlite:///{text}/store.db", "is a file, not a folder"),
        (f"sqlite:///{tmp_path}", "is a folder"),
        ("nonsense", "not a database URL"),
    ):
        for command in ("batch", "compare"):
            one_line_error(cli(monkeypatch, capsys, command, str(good), "--db", url),
                           "--db", expected)  # fmt: skip
    assert text.read_text() == "my notes\n"  # untouched


@pytest.mark.parametrize("address", ["not an address", "tcp://127.0.0.1", "127.0.0.1:99999",
                                     "inproc://x", "tcp://:8786", "tcp://a b:8786"])  # fmt: skip
def test_scheduler_addresses(good, tmp_path, address, monkeypatch, capsys):
    result = cli(monkeypatch, capsys, "batch", str(good), "--db", sqlite_url(tmp_path),
                 "--executor", "dask", "--scheduler", address)  # fmt: skip
    one_line_error(result, "--scheduler", repr(address))


def test_ui_on_a_taken_port(monkeypatch, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_line_error(cli(monkeypatch, capsys, "ui", "--port", str(port)), "--port", str(port))
    one_line_error(cli(monkeypatch, capsys, "ui", "--host", "no such host"), "--host")


@pytest.mark.parametrize("value", ["0", "-3", "eight", "2.5"])
def test_ui_with_a_bad_session_cap(monkeypatch, capsys, value):
    monkeypatch.setenv("GOVLAB_UI_MAX_SESSIONS", value)
    result = cli(monkeypatch, capsys, "ui", "--port", "0")
    one_line_error(result, "GOVLAB_UI_MAX_SESSIONS", repr(value), "1 or more")


def test_sobol_bounds_name_the_field(tmp_path, monkeypatch, capsys):
    sample = '[sample]\nmethod = "sobol"\nn = 8\n[sample.parameters]\n'
    path = write_experiment(tmp_path, extra=sample + '"levers.data_sharing" = [0.9, 0.1]\n')
    result = cli(monkeypatch, capsys, "batch", str(path), "--db", sqlite_url(tmp_path))
    one_line_error(result, "sample.parameters.levers.data_sharing: low (0.9) must be below high")


def test_errors_found_while_preparing_come_before_the_banner(good, tmp_path, monkeypatch, capsys):
    db = sqlite_url(tmp_path)
    wrong_series = write_experiment(tmp_path, name="series", replications=1, days=4, cases=0)
    wrong_series.write_text(wrong_series.read_text().replace("keep = { cases = 0 }",
                                                             'keep.series = ["nope"]'))  # fmt: skip
    one_line_error(cli(monkeypatch, capsys, "batch", str(wrong_series), "--db", db), "keep.series")
    run_serial(good, db)
    good.write_text(good.read_text().replace("days = 4", "days = 5"))
    one_line_error(cli(monkeypatch, capsys, "batch", str(good), "--db", db), "--fresh")
    with Store(db) as store:
        assert store.experiment_names() == ["good"]
