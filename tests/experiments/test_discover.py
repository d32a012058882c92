"""Scenario discovery (issue 14 §4): PRIM and CART find a known box; the command end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from govlab.experiments.discover import DiscoveryError, discover, few_points, outcome_by_point
from govlab.results import frames
from govlab.results.store import Store
from tests.experiments.batch_helpers import cli, run_serial, sqlite_url, write_experiment


def synthetic(n: int = 500, seed: int = 3) -> tuple[pd.DataFrame, dict]:
    """A reform that cuts the outcome by 50% except in the box a > 0.6, b < 0.3 (by 10% there);
    c does nothing. Two replications per point, paired with a baseline of 10."""
    rng = np.random.default_rng(seed)
    points = [{"a": float(a), "b": float(b), "c": float(c)} for a, b, c in rng.random((n, 3))]
    rows = []
    for i, p in enumerate(points):
        inside = p["a"] > 0.6 and p["b"] < 0.3
        for r in range(2):
            noise = rng.normal(0.0, 0.05)
            rows.append({"label": "reform", "point": i, "seed": r, "replication": r,
                         "m": (9.0 if inside else 5.0) + noise})  # fmt: skip
            rows.append({"label": "base", "point": i, "seed": r, "replication": r, "m": 10.0})
    return pd.DataFrame(rows), {"points": points}


def test_prim_finds_the_known_box():
    wide, design = synthetic()
    found = discover(wide, design, "m", "reform", relative_to="base", above=-0.3)
    limits = found.limits.set_index("uncertainty")
    assert set(limits.index) == {"a", "b"}  # c is not restricted
    assert limits.loc["a", "box_low"] == pytest.approx(0.6, abs=0.03)
    assert limits.loc["b", "box_high"] == pytest.approx(0.3, abs=0.03)
    assert found.box["coverage"] >= 0.95 and found.box["density"] >= 0.95
    inside = (found.x["a"] > 0.6) & (found.x["b"] < 0.3)
    assert found.y.sum() == inside.sum()  # the outcome is the paired change, as defined
    assert found.scores.index[-1] == "c"
    assert found.warnings == [] and (found.limits["qp"] <= 0.05).all()  # 60 of 500: enough


def test_cart_finds_the_known_box():
    wide, design = synthetic()
    found = discover(wide, design, "m", "reform", relative_to="base", above=-0.3)
    boxes, limits = found.cart.boxes, found.cart.limits
    best = boxes.iloc[0]
    assert best["coverage"] == 1.0 and best["density"] == 1.0  # the box, exactly its points
    assert best["res_dim"] == 2
    bounds = limits[limits["box"] == best["box"]].set_index("uncertainty")
    assert set(bounds.index) == {"a", "b"}  # c is not restricted
    assert bounds.loc["a", "box_low"] == pytest.approx(0.6, abs=0.03)
    assert bounds.loc["a", "box_high"] == bounds.loc["a", "range_high"]
    assert bounds.loc["b", "box_high"] == pytest.approx(0.3, abs=0.03)
    assert bounds.loc["b", "box_low"] == bounds.loc["b", "range_low"]
    assert len(boxes) == 1  # no other leaf concentrates the points of interest
    inside = (found.x["a"] > 0.6) & (found.x["b"] < 0.3)
    assert best["mass"] == pytest.approx(inside.mean())
    # the same seed, the same tree
    again = discover(wide, design, "m", "reform", relative_to="base", above=-0.3)
    pd.testing.assert_frame_equal(again.cart.limits, limits)


def test_discovery_needs_both_kinds_of_points_and_one_threshold():
    wide, design = synthetic(60)
    with pytest.raises(DiscoveryError, match="both kinds"):
        discover(wide, design, "m", "reform", relative_to="base", below=-0.99)
    with pytest.raises(DiscoveryError, match="exactly one"):
        discover(wide, design, "m", "reform", relative_to="base", below=1, above=2)
    with pytest.raises(DiscoveryError, match="no metric"):
        discover(wide, design, "x", "reform", relative_to="base", below=1)


def _single(n: int, seed: int, above: float | None = None, noise: int = 0):
    """``n`` points over a, b (and ``noise`` more uniform dimensions); the outcome is a plus
    noise, without a baseline; the points of interest are those above ``above`` (default: only
    the largest)."""
    rng = np.random.default_rng(seed)
    names = ["a", "b", "c", "d"][: 2 + noise]
    points = [dict(zip(names, map(float, row), strict=True)) for row in rng.random((n, len(names)))]
    m = [p["a"] + (0.15 * rng.normal() if noise else 0.0) for p in points]
    wide = pd.DataFrame(
        [{"label": "x", "point": i, "seed": 0, "replication": 0, "m": v} for i, v in enumerate(m)]
    )
    return discover(
        wide, {"points": points}, "m", "x", above=sorted(m)[-2] if above is None else above
    )


def test_a_restriction_above_max_qp_is_dropped_even_if_it_is_the_only_one():
    # 1 point of interest of 16: PRIM boxes it by a, but no box of 1 point can have a quasi-p
    # below 1/16 = 0.0625 > 0.05, so the restriction goes and the box is the whole sample
    found = _single(16, 0)
    assert int(found.y.sum()) == 1
    assert found.limits.empty and found.box["res_dim"] == 0 and found.box["coverage"] == 1.0
    assert list(found.dropped["uncertainty"]) == ["a"]
    assert found.dropped["qp"].iloc[0] == pytest.approx(1 / 16)
    assert any("no restriction of PRIM's box has a quasi-p-value ≤ 0.05" in w
               for w in found.warnings)  # fmt: skip


def test_weak_restrictions_are_dropped_one_at_a_time_and_the_strong_one_kept():
    found = _single(60, 0, above=0.7, noise=2)  # a matters; b, c, d are noise
    assert list(found.limits["uncertainty"]) == ["a"] and found.limits["qp"].iloc[0] < 0.01
    assert set(found.dropped["uncertainty"]) == {"b", "c", "d"}
    assert (found.dropped["qp"] > 0.05).all()
    assert found.warnings == []  # 15 points of interest of 60


def test_too_few_points_of_interest_warn():
    assert "only 1 point(s) of interest of 16" in _single(16, 0).warnings[0]
    assert few_points(9, 20, 0.05) and few_points(15, 400, 0.05)  # < 10; < 5% of the points
    assert few_points(10, 200, 0.05) == "" and few_points(25, 400, 0.05) == ""


UNCERTAIN = """
[uncertainties]
n = 30
parameters = { demand_scale = [0.5, 2.0], "world.away_from_home_share" = [0.0, 0.4] }
"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("discover")
    path = write_experiment(folder, name="sd", replications=1, days=20, extra=UNCERTAIN, cases=0)
    run_serial(path, sqlite_url(folder))
    return folder, path


def test_discover_command_writes_table_figures_and_report(stored, monkeypatch, capsys):
    folder, path = stored
    out = folder / "out"
    code, stdout, err = cli(
        monkeypatch, capsys, "discover", str(path), "--outcome", "delay_mean_days",
        "--relative-to", "silo", "--above", "-0.5", "--db", sqlite_url(folder), "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "coverage" in stdout and "feature scores" in stdout
    summary = json.loads((out / "discover.json").read_text())
    assert summary["points"] == 30 and 0 < summary["of_interest"] < 30
    assert "CART boxes" in stdout
    assert summary["cart_boxes"] and summary["cart_boxes"][0]["density"] > 0
    names = ("prim_tradeoff", "prim_box", "feature_scores", "prim_scatter", "cart_boxes")
    for name in (*names, "cart_tree"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000
    page = (out / "index.html").read_text()
    assert "Scenario discovery" in page and "<h3>CART</h3>" in page
    assert (out / "cart_limits.csv").read_text().startswith("box,uncertainty,box_low")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "nope", "--relative-to", "silo", "--below", "0"], "no metric 'nope'"),
        (["--outcome", "delay_mean_days", "--relative-to", "town", "--below", "0"], "town"),
        (["--outcome", "delay_mean_days", "--below", "0"], "--scenario"),
        (["--outcome", "delay_mean_days", "--relative-to", "silo"], "exactly one"),
    ],
)
def test_discover_bad_input_is_one_line_and_status_2(stored, monkeypatch, capsys, args, message):
    folder, path = stored
    code, _, err = cli(
        monkeypatch, capsys, "discover", str(path), *args, "--db", sqlite_url(folder),
        "--out", str(folder / "bad"),
    )  # fmt: skip
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (folder / "bad").exists()


QUESTION = '\n[discover]\noutcome = "delay_mean_days"\nrelative_to = "silo"\nabove = -0.5\n'


def test_the_files_question_drives_discover_and_the_report(stored, monkeypatch, capsys):
    folder, _ = stored
    # the same experiment with a [discover] table: the question is not part of its identity, so
    # the stored runs serve it
    path = write_experiment(
        folder, name="sd", replications=1, days=20, extra=UNCERTAIN + QUESTION, cases=0
    )
    url = sqlite_url(folder)
    assert run_serial(path, url).skipped == 60
    code, stdout, err = cli(monkeypatch, capsys, "discover", str(path), "--db", url,
                            "--out", str(folder / "q"))  # fmt: skip
    assert code == 0, err
    assert "change of delay_mean_days of seamless vs silo > -0.5" in stdout
    code, _, err = cli(monkeypatch, capsys, "report", str(path), "--db", url,
                       "--out", str(folder / "report"))  # fmt: skip
    assert code == 0, err
    page = (folder / "report" / "index.html").read_text()
    assert "<h2>Scenario discovery</h2>" in page and "prim_tradeoff" in page


def test_discover_warns_of_few_points_of_interest_on_stderr_and_in_its_output(
    stored, monkeypatch, capsys
):
    folder, path = stored
    url = sqlite_url(folder)
    with Store(url) as store:
        data = frames.load(store, "sd")
    change = outcome_by_point(data.wide, "delay_mean_days", "seamless", "silo")
    above = sorted(change)[-2]  # only the largest change is of interest
    out = folder / "few"
    code, stdout, err = cli(
        monkeypatch, capsys, "discover", str(path), "--outcome", "delay_mean_days",
        "--relative-to", "silo", "--above", repr(above), "--db", url, "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "points of interest: 1 of 30" in stdout
    assert "govlab: warning: only 1 point(s) of interest of 30" in err
    assert len([line for line in err.splitlines() if "only 1 point" in line]) == 1
    summary = json.loads((out / "discover.json").read_text())
    assert summary["warnings"][0].startswith("only 1 point(s) of interest of 30")
    assert all(r["qp"] <= summary["max_qp"] for r in summary["limits"])
    assert all(r["qp"] > summary["max_qp"] for r in summary["dropped"])
    assert (
        "<p class=bad>Warning: only 1 point(s) of interest of 30"
        in (out / "index.html").read_text()
    )
