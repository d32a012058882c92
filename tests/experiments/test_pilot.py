"""``govlab pilot`` (issue 23 item 2): the evaluator's difference-in-differences, the true
city-wide effect and the decomposition of the bias between them.

(a) the estimator against a hand computation on a constructed panel; (b) the true effect against
the everywhere − nowhere difference of the same seeds simulated here, outside the command; (c) in
a world where the reform cannot reach the other districts the spill-over is exactly 0, and a
reform that changes nothing has a DiD whose interval holds 0; (d) bad input is one line, status 2,
nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govlab.experiments.seeds import replication_seeds
from govlab.experiments.single import run_simulation
from govlab.results.pilot import ARMS, SIGNS, TERMS, Panel, Windows, did, seed_estimates
from govlab.scenarios import Scenario, apply_overrides, load_scenario
from tests.experiments.batch_helpers import cli

ROOT = Path(__file__).resolve().parents[2]
STAGED = str(ROOT / "examples" / "staged_rollout.toml")
SMALL = {"world.residents": 12_000, "world.enterprises": 600, "world.warmup_days": 0}
DAYS, PILOT_DAY, WINDOW, SEED = 100, 50, 25, 11
REFORM = {"data_sharing": 1.0, "handoff": "electronic"}
SETS = [f"--set={path}={value}" for path, value in SMALL.items()]


# (a) ------------------------------------------------------------------------------------------
def constructed(values: np.ndarray) -> Panel:
    """A panel whose window means are ``values[d, k]``: each 2-day window holds 1 case on its
    first day (mean Y + 3) and 3 on its second (mean Y − 1), so only the case-weighted mean of
    the window is Y (a plain mean of the days would be Y + 1)."""
    districts, windows = values.shape
    cases = np.tile([1.0, 3.0], (districts, windows))
    means = np.repeat(values, 2, axis=1) + np.tile([3.0, -1.0], (districts, windows))
    return Panel(cases, cases * means)


def test_did_and_event_study_equal_a_hand_computation():
    y = np.array([[10, 12, 7, 8], [20, 21, 22, 23], [30, 31, 30, 33]], dtype=float)
    windows = Windows(pilot_day=4, length=2, pre=2, post=2)
    per_district, city = constructed(y).by_window(windows)
    assert np.allclose(per_district, y) and np.allclose(city, y.mean(axis=0))
    # controls' mean: pre 25, 26; post 26, 28; gaps: -15, -14 | -19, -20
    estimate, event = did(per_district, (0,), windows)
    assert estimate == pytest.approx(-19.5 - -14.5)
    assert event == pytest.approx([-1.0, 0.0, -5.0, -6.0])
    estimate, _ = did(per_district, (0, 2), windows)  # two pilot districts, one control
    # pilot districts' mean: pre 20, 21.5; post 18.5, 20.5; the control: 20, 21 | 22, 23
    assert estimate == pytest.approx((19.5 - 22.5) - (20.75 - 20.5))


def test_true_effect_and_bias_terms_by_hand_and_the_terms_sum_to_the_bias():
    windows = Windows(pilot_day=4, length=2, pre=2, post=2)
    nowhere = np.array([[10, 10, 10, 12], [20, 20, 20, 20], [30, 30, 30, 30]], dtype=float)
    pilot = nowhere + np.array([[0, 0, -4, -6], [0, 0, -1, -1], [0, 0, 0, 0]])
    everywhere = nowhere + np.array([[0, 0, -3, -5], [0, 0, -2, -2], [0, 0, -2, -4]])
    panels = {"pilot": constructed(pilot), "everywhere": constructed(everywhere),
              "nowhere": constructed(nowhere)}  # fmt: skip
    got = seed_estimates(panels, (0,), windows)
    # true: city means change by (-3-2-2)/3 and (-5-2-4)/3 in the post windows
    assert got["true"] == pytest.approx((-7 / 3 + -11 / 3) / 2)
    # gaps of the pilot run: pre -15, -15; post 10-4-25+0.5 = -18.5, 12-6-25+0.5 = -18.5
    assert got["did"] == pytest.approx(-3.5)
    assert got["spillover"] == pytest.approx(-0.5)  # district 1 gains 1, district 2 nothing
    assert got["pilot_alone"] == pytest.approx(-1.0)  # -4 vs -3, -6 vs -5
    assert got["unrepresentative"] == pytest.approx(-4.0 - got["true"])
    assert got["trends"] == pytest.approx(1.0) and got["pre_difference"] == 0
    rng = np.random.default_rng(3)
    for _ in range(20):  # any panels: the terms add up to the bias exactly
        random = {arm: Panel(rng.integers(1, 4, (5, 12)).astype(float),
                             rng.normal(10, 5, (5, 12))) for arm in ARMS}  # fmt: skip
        got = seed_estimates(random, (1, 3), Windows(6, 3, 2, 2))
        total = sum(SIGNS[term] * got[term] for term in TERMS)
        assert total == pytest.approx(got["bias"], abs=1e-9)


# (b), (c): the command on a small world -----------------------------------------------------
def scenario_file(folder: Path, levers: dict, world: dict | None = None) -> Path:
    """A silo scenario piloting ``levers`` in district 0 from PILOT_DAY."""
    text = ", ".join(f"{k} = {json.dumps(v)}" for k, v in levers.items())
    lines = ['extends = "silo"', 'description = "a pilot"', "[world]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in (world or {}).items()]
    lines += ["[[schedule]]", f"day = {PILOT_DAY}", "districts = [0]", f"levers = {{ {text} }}"]
    path = folder / "piloted.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def evaluate(monkeypatch, capsys, folder: Path, scenario: Path, *extra: str, seeds: int = 3):
    """``govlab pilot`` serially into a store of ``folder``; the per-seed estimates (delay)."""
    code, out, err = cli(
        monkeypatch, capsys, "pilot", str(scenario), *SETS, "--days", str(DAYS),
        "--window-days", str(WINDOW), "--replications", str(seeds), "--seed", str(SEED),
        "--executor", "serial", "--db", f"sqlite:///{folder / 'store.db'}",
        "--out", str(folder / "out"), *extra,
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(folder / "out" / "estimates.csv")
    summary = json.loads((folder / "out" / "pilot.json").read_text())
    return table[table["outcome"] == "delay_days"].reset_index(drop=True), summary, out


def window_means(scenario: Scenario, seed: int) -> np.ndarray:
    """Mean delay of all cases, and of district 0's applicants' (by home district), arriving in
    each post window, from the records themselves: ``[2, window]``."""
    _, model = run_simulation(scenario, seed, DAYS)
    table = model.journeys.records.table()
    arrival, home = table["arrival_day"], table["home_district"]
    means = []
    for start in range(PILOT_DAY, DAYS, WINDOW):
        inside = (arrival >= start) & (arrival < start + WINDOW)
        means.append([table["delay_days"][inside].mean(),
                      table["delay_days"][inside & (home == 0)].mean()])  # fmt: skip
    return np.array(means).T


def test_the_true_effect_is_the_everywhere_minus_nowhere_difference_of_the_same_seeds(
    tmp_path, monkeypatch, capsys
):
    reform = {**REFORM, "cross_district": "anywhere"}  # away applicants served where they are
    scenario = scenario_file(tmp_path, reform)
    shared = "--set=levers.capacity_policy=proportional"  # one staff budget follows demand
    table, summary, out = evaluate(monkeypatch, capsys, tmp_path, scenario, shared, seeds=2)
    assert summary["windows"] == {"length_days": 25, "pre": 2, "post": 2, "start_day": 0,
                                  "end_day": 100}  # fmt: skip
    assert "DiD, pilot vs other districts" in out and "spillover" in out
    from PIL import Image

    with Image.open(tmp_path / "out" / "event_study.png") as figure:
        assert figure.info["dpi"][0] >= 199.5 and figure.width >= 1200
    base = apply_overrides(
        load_scenario("silo"), {**SMALL, "levers.capacity_policy": "proportional"}
    )
    reformed = base.model_dump(mode="json")
    reformed["schedule"] = [{"day": PILOT_DAY, "levers": reform}]
    everywhere = Scenario.model_validate(reformed)
    for replication, seed in enumerate(replication_seeds(SEED, 2)):
        city, own = (window_means(everywhere, seed) - window_means(base, seed)).mean(axis=1)
        assert table["true"][replication] == pytest.approx(city, rel=1e-9)
        assert city < -0.5  # the hub and e-hand-off shorten the delay
        assert table["own_effect_everywhere"][replication] == pytest.approx(own, rel=1e-9)
    # the staff budget is shared: staff follow the pilot's changed demand, and the other
    # districts' delays move with them
    assert (table["spillover"] != 0).all()
    # a second call reads the stored runs back: nothing simulated, the same numbers
    again, summary, _ = evaluate(monkeypatch, capsys, tmp_path, scenario, shared, seeds=2)
    assert summary["runs_simulated"] == 0 and again.equals(table)


def test_no_spillover_where_the_reform_cannot_reach_other_districts(tmp_path, monkeypatch, capsys):
    """No away applicants, no city-level office, static staff: the other districts' cases meet
    the same offices whatever district 0 does, so the spill-over (and the pilot district's
    difference from the everywhere run) is 0 in every seed, while the pilot is seen to work."""
    world = {"away_from_home_share": 0.0}
    scenario = scenario_file(tmp_path, REFORM, world)
    table, summary, _ = evaluate(
        monkeypatch, capsys, tmp_path, scenario, "--set=functions.planning.level=district"
    )
    assert (table["spillover"] == 0).all() and (table["pilot_alone"] == 0).all()
    spill = summary["outcomes"]["delay_days"]["spillover"]
    assert spill["low"] <= 0 <= spill["high"]
    outcomes = summary["outcomes"]  # the pilot works (its DiD on delay is noisy in 3 seeds)
    assert outcomes["delay_days"]["true"]["high"] < 0 and outcomes["trips"]["did"]["high"] < 0


def test_a_reform_that_changes_nothing_has_a_did_of_zero_within_its_interval(
    tmp_path, monkeypatch, capsys
):
    scenario = scenario_file(tmp_path, {"data_sharing": 0.0})  # silo's own value
    table, summary, _ = evaluate(monkeypatch, capsys, tmp_path, scenario, seeds=4)
    assert (table["true"] == 0).all() and (table["spillover"] == 0).all()
    assert table["did"].abs().max() > 0  # districts differ by chance...
    did_interval = summary["outcomes"]["delay_days"]["did"]
    assert did_interval["low"] <= 0 <= did_interval["high"]  # ...not by the "reform"
    assert np.allclose(table["bias"], table["trends"])  # all of it is the placebo's


# (d) ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([STAGED, "--set", "schedule.0.districts=[9]"], ["schedule.0.districts", "0 .. 5"]),
        ([STAGED, "--days", "200"], ["--days", "pilot starts on day 250"]),
        ([STAGED, "--days", "450"], ["--days", "day 350", "roll-out"]),
        (["silo"], ["silo", "schedule", "no [[schedule]]"]),
        ([STAGED, "--set", "schedule.0.districts=[]"], ["schedule.0.districts", "every district"]),
        ([STAGED, "--window-days", "200"], ["--window-days", "at least one of each"]),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, args, expected):
    db, out = tmp_path / "store.db", tmp_path / "out"
    code, stdout, err = cli(monkeypatch, capsys, "pilot", *args, "--db", f"sqlite:///{db}",
                            "--out", str(out))  # fmt: skip
    assert code == 2 and stdout == "" and err.count("\n") == 1, err
    assert err.startswith("govlab: error: ") and "Traceback" not in err
    for text in expected:
        assert text in err, (text, err)
    assert not db.exists() and not out.exists()


def test_the_shipped_examples_pilot_in_district_0_until_the_roll_out():
    from govlab.experiments.pilot_runs import arms, pilot_of

    for name in ("pilot_shared_staff", "staged_rollout"):
        scenario = load_scenario(ROOT / "examples" / f"{name}.toml")
        pilot = pilot_of(scenario, name)
        assert (pilot.day, pilot.districts, pilot.ends) == (250, (0,), 350)
        runs = arms(scenario, pilot)
        assert [len(runs[arm].schedule) for arm in ARMS] == [1, 1, 0]
        assert runs["everywhere"].schedule[0].districts == ()
