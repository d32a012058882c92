"""Bad experiment, optimisation and ``--db`` input through the real ``govlab`` command (issue 19,
item 3): nesting too deep, wrong types, non-finite numbers, an in-memory or empty ``--db``, a
store whose data pages are damaged. Each is one line naming the file (or option) and the field,
status 2, and nothing is stored (the ``--db`` file and the default store stay empty).
"""

from __future__ import annotations

import random

import pytest

from govlab.results.engine import SQLITE_MAGIC
from tests.cli_process import govlab, one_line_error, stored, tiny_experiment
from tests.experiments.batch_helpers import run_serial

DEEP = "[" * 5000 + "]" * 5000

BAD_EXPERIMENTS = {
    "deep_description": (f"description = {DEEP}\n", ["line 7 (description)", "more than 20 deep"]),
    "deep_sweep": (f'[sweep]\n"levers.data_sharing" = {DEEP}\n',
                   ['(sweep."levers.data_sharing")', "nested more than"]),
    "discover_nan": ('[discover]\noutcome = "delay_mean_days"\nabove = nan\n',
                     ["discover.above", "finite"]),
    "discover_inf": ('[discover]\noutcome = "delay_mean_days"\nbelow = -inf\n',
                     ["discover.below", "finite"]),
    "uncertainty_inf": ('[uncertainties]\nn = 4\nparameters = { "world.rework_days" = [1, inf] }\n',
                        ["uncertainties.parameters.world.rework_days.high", "finite"]),
    "sample_nan": ('[sample]\nmethod = "lhs"\nn = 4\n'
                   'parameters = { "levers.data_sharing" = [nan, 0.5] }\n',
                   ["sample.parameters.levers.data_sharing.low", "finite"]),
    "override_nan": ('[[scenarios]]\nscenario = "silo"\nlabel = "odd"\n'
                     'set = { "levers.transparency" = nan }\n',
                     ["levers.transparency", "finite"]),
    "override_empties_services": ('[[scenarios]]\nscenario = "silo"\nlabel = "odd"\n'
                                  "set = { services = {} }\n", ["services: refusing"]),
}  # fmt: skip


@pytest.mark.parametrize("name", BAD_EXPERIMENTS)
def test_bad_experiment_file_is_one_line_and_stores_nothing(tmp_path, name):
    extra, expected = BAD_EXPERIMENTS[name]
    scenarios = '["silo"]' if "[[scenarios]]" in extra else '["silo", "seamless"]'
    path = tiny_experiment(tmp_path, name, extra, scenarios=scenarios)
    if "[[scenarios]]" in extra:  # the table array adds to the scenarios given inline: move them
        path.write_text(path.read_text().replace('scenarios = ["silo"]\n', ""))
    db, fallback = tmp_path / "store.db", tmp_path / "default.db"
    for command in ("batch", "compare"):
        result = govlab(command, str(path), "--db", f"sqlite:///{db}", fallback=fallback)
        one_line_error(result, str(path), *expected)
    assert not db.exists() and not fallback.exists()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("replications", "true", "replications: Input should be a valid integer"),
     ("days", "4.0e2", "days: Input should be a valid integer"),
     ("seed", '"7"', "seed: Input should be a valid integer")],
)  # fmt: skip
def test_wrong_types_in_an_experiment_file(tmp_path, field, value, expected):
    path = tiny_experiment(tmp_path)
    path.write_text(path.read_text().replace(f"\n{field} = ", f"\n{field} = {value}\n#"))
    one_line_error(govlab("batch", str(path), "--db", f"sqlite:///{tmp_path / 's.db'}"),
                   str(path), expected)  # fmt: skip
    assert stored(tmp_path / "s.db") == 0


@pytest.mark.parametrize(
    ("extra", "expected"),
    [("[choose]\nrelative_below = nan\n", "choose.relative_below"),
     ('[levers]\n"levers.transparency" = [0.1, inf]\n', "levers.levers.transparency.high"),
     (f'[levers]\n"levers.transparency" = {DEEP}\n', "nested more than")],
)  # fmt: skip
def test_bad_optimisation_file(tmp_path, extra, expected):
    levers = "" if "[levers]" in extra else '[levers]\n"levers.front_desk" = [false, true]\n'
    path = tmp_path / "search.toml"
    path.write_text(f'base = "silo"\ndays = 3\n{extra}{levers}'
                    '[objectives]\ndelay_mean_days = "min"\ncost_per_year = "min"\n')  # fmt: skip
    db = tmp_path / "s.db"
    one_line_error(govlab("optimise", str(path), "--db", f"sqlite:///{db}"), str(path), expected)
    assert not db.exists()


@pytest.mark.parametrize(
    "url",
    ["", "  ", "sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?cache=shared&uri=true"],
)
def test_a_db_that_would_keep_nothing_is_refused(tmp_path, url):
    path = tiny_experiment(tmp_path)
    fallback = tmp_path / "default.db"
    result = govlab("batch", str(path), "--db", url, "--executor", "serial", fallback=fallback)
    one_line_error(result, "--db: ", "empty" if not url.strip() else "in memory")
    assert not fallback.exists()  # an empty --db did not fall back to the default store


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A real store with one finished experiment, its data pages overwritten with random bytes
    (the header and first page, where the schema is, left whole)."""
    folder = tmp_path_factory.mktemp("damaged")
    path = tiny_experiment(folder)
    good = folder / "good.db"
    run_serial(path, f"sqlite:///{good}")
    data = bytearray(good.read_bytes())
    assert data.startswith(SQLITE_MAGIC) and len(data) > 3 * 4096
    rng = random.Random(19)
    data[2 * 4096 :] = bytes(rng.randrange(256) for _ in range(len(data) - 2 * 4096))
    bad = folder / "bad.db"
    bad.write_bytes(bytes(data))
    return bad


@pytest.mark.parametrize(
    "command",
    [["compare", "tiny"], ["report", "tiny"], ["sensitivity", "tiny"],
     ["discover", "tiny", "--outcome", "delay_mean_days", "--above", "1"], ["batch", "TINY"]],
)  # fmt: skip
def test_a_damaged_store_is_one_line_naming_db(damaged, tmp_path, command):
    command = [str(damaged.parent / "tiny.toml") if c == "TINY" else c for c in command]
    if command[0] in ("report", "discover"):
        command += ["--out", str(tmp_path / "out")]
    before = damaged.read_bytes()
    result = govlab(*command, "--db", f"sqlite:///{damaged}")
    one_line_error(result, "--db: the store", str(damaged), "malformed")
    assert not (tmp_path / "out").exists()
    assert damaged.read_bytes() == before


def test_discover_options_that_are_not_finite(damaged, tmp_path):
    good = f"sqlite:///{damaged.with_name('good.db')}"
    for option in ("--above", "--below"):
        result = govlab("discover", "tiny", "--outcome", "delay_mean_days", option, "nan",
                        "--db", good, "--out", str(tmp_path / "d"))  # fmt: skip
        one_line_error(result, f"{option}: Input should be a finite number")
