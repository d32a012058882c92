"""Scenario discovery (issue 14 §4): PRIM and CART find a known box; the command end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from govlab.experiments.discover import DiscoveryError, discover
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
