"""Compare, sensitivity and the self-contained HTML report on small stored experiments."""

from __future__ import annotations

import json
import re

import pytest
from scipy import stats as stats_

from govlab.results import figures, frames, stats
from govlab.results.metric_info import design_properties, info
from govlab.results.multiplicity import holm
from govlab.results.store import Store
from tests.experiments.batch_helpers import cli, run_serial, sqlite_url, write_experiment

SOBOL = (
    '[sample]\nmethod = "sobol"\nn = 4\n[sample.parameters]\n'
    '"levers.data_sharing" = [0.0, 1.0]\n"world.p_missing_document" = [0.02, 0.3]\n'
)
MORRIS = (
    '[sample]\nmethod = "morris"\nn = 3\n[sample.parameters]\n'
    '"levers.data_sharing" = [0.0, 1.0]\n"levers.platform_openness" = '
    "{ low = 0, high = 3, integer = true }\n"
)


@pytest.fixture(scope="module")
def ladder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ladder")
    path = write_experiment(folder, name="ladder", scenarios=["silo", "parallel", "smart"])
    url = sqlite_url(folder)
    assert run_serial(path, url).done == 9
    return path, url


def test_compare_json_and_table(ladder, monkeypatch, capsys):
    path, url = ladder
    code, out, _ = cli(monkeypatch, capsys, "compare", str(path), "--db", url, "--json",
                       "-m", "trips_per_case")  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert [r["scenario"] for r in rows] == ["silo", "parallel", "smart"]
    assert rows[0]["n"] == 3 and rows[2]["pairs"] == 3 and rows[2]["diff_mean"] < 0
    code, out, _ = cli(monkeypatch, capsys, "compare", str(path), "--db", url, "--json",
                       "-m", "trips_per_case", "-m", "share_at_most_one_trip")  # fmt: skip
    rows = json.loads(out)
    share = [r for r in rows if r["metric"] == "share_at_most_one_trip" and "diff_mean" in r]
    assert all(r["share"] and r["relative"] is None for r in share)
    assert all(r["diff_pp"] == pytest.approx(100 * r["diff_mean"]) for r in share)
    burden = share[0]["family_members"]  # every burden metric the runs report, not the 2 shown
    assert len(burden) > 5 and all(r["family"] == "burden" for r in share)
    assert all(r["family_size"] == 2 * len(burden) for r in share)  # 2 scenarios vs silo
    assert all(r["p_holm"] >= r["p_value"] for r in rows if "p_holm" in r)
    code, out, _ = cli(monkeypatch, capsys, "compare", "ladder", "--db", url, "--baseline", "smart")
    assert code == 0 and "paired by seed vs smart" in out
    assert "p Holm" in out and "Holm-adjusted within family" in out and " pp" in out
    assert "Holm-adjusted within each family of the metrics the runs report" in out


def _p_holm(monkeypatch, capsys, url, *metrics) -> dict:
    code, out, err = cli(monkeypatch, capsys, "compare", "ladder", "--db", url, "--json",
                         *(a for m in metrics for a in ("-m", m)))  # fmt: skip
    assert code == 0, err
    return {(r["scenario"], r["metric"]): r for r in json.loads(out) if "p_holm" in r}


def test_a_rows_holm_p_does_not_depend_on_the_metrics_shown(ladder, monkeypatch, capsys):
    _, url = ladder
    alone = _p_holm(monkeypatch, capsys, url, "trips_per_case")
    every = _p_holm(monkeypatch, capsys, url, "all")
    assert set(alone) == {("parallel", "trips_per_case"), ("smart", "trips_per_case")}
    for key, row in alone.items():
        assert row["p_holm"] == every[key]["p_holm"]
    # by hand: Holm over the paired t-tests of every burden metric the runs report (design
    # properties excepted) for both scenarios vs silo
    with Store(url) as store:
        data = frames.load(store, "ladder")
    fixed = set(design_properties())
    family = [m for m in data.metric_names() if info(m).family == "burden" and m not in fixed]
    assert row["family_members"] == [m for m in data.wide.columns if m in family]
    base = data.wide[data.wide["label"] == "silo"].set_index("seed")
    keys, p_values = [], []
    for metric in family:
        for label in ("parallel", "smart"):
            x = data.wide[data.wide["label"] == label].set_index("seed")[metric]
            d = (x - base[metric].loc[x.index]).dropna()
            if len(d) < 2:
                continue
            keys.append((label, metric))
            # every pair differing alike leaves no variance: 1 for no change, else 0
            flat = 1.0 if d.mean() == 0 else 0.0
            p_values.append(stats_.ttest_1samp(d, 0).pvalue if d.std() > 0 else flat)
    expected = dict(zip(keys, holm(p_values), strict=True))
    for key, row in alone.items():
        assert row["family_size"] == len(keys)
        assert row["p_holm"] == pytest.approx(expected[key], rel=1e-9)
    code, _, err = cli(monkeypatch, capsys, "compare", "nothing", "--db", url)
    assert code == 2 and "no experiment 'nothing'" in err and "ladder" in err


def test_report_is_self_contained_with_its_figures(ladder, tmp_path, monkeypatch, capsys):
    path, url = ladder
    code, _out, err = cli(monkeypatch, capsys, "report", str(path), "--db", url,
                         "--out", str(tmp_path / "report"))  # fmt: skip
    assert code == 0, err
    page = (tmp_path / "report" / "index.html").read_text()
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', page)
    assert "bars_delay_mean_days" in images and "change_trips_per_case" in images
    assert "delay_distribution" in images
    assert "series_backlog" in images
    assert len(images) == len(list((tmp_path / "report" / "figures").glob("*.png")))
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing fetched from a network
    assert "Provenance of every run" in page and "parallel/p0000/r0002" in page
    # the delay window (the small world's warm-up of 5 days, 30 days) and what it covers
    assert "[warm-up, days) = [5, 30)" in page
    # set by the experiment's `set`, so not credited to MSER-5
    assert "The warm-up was set by the experiment (world.warmup_days = 5), not the shipped" in page
    assert "chosen by MSER-5 (White" not in page
    assert "They match the digests of the stored runs" in page
    # the levers each scenario changes against silo, from the resolved scenarios
    levers = page[page.index("What each scenario changes") : page.index("<h2>Comparison")]
    assert "levers.approval</td><td>sequential</td><td>parallel" in levers
    assert "levers.platform_openness</td><td>0</td><td>3" in levers
    assert "world.residents" not in levers  # the common `set` changes every scenario alike
    # changes: shares in percentage points, others relative with Fieller; raw and Holm p
    assert "Δ (percentage points)" in page and " pp [" in page
    assert "relative change [95% Fieller CI]" in page and "p Holm" in page
    assert "Holm&#x27;s method within each metric family" in page or "Holm's method" in page
    # each table names its whole Holm family (every burden metric the runs report)
    family = "Holm-adjusted within the family <i>burden on the applicant</i> of 12 metrics"
    assert family in page
    assert "share served with no trip" in page[page.index(family) :]
    # every compared metric has a definition and a unit
    definitions = page[page.index("Metric definitions") :]
    for metric in ("delay_mean_days", "share_at_most_one_trip", "trips_per_case"):
        assert f"<td class=l>{metric}</td>" in definitions
    assert "working days" in definitions


def test_figures_are_importable_for_notebooks(ladder):
    _, url = ladder
    with Store(url) as store:
        data = frames.load(store, "ladder")
    rows = stats.compare(data.wide, ["delay_mean_days"], data.baseline, order=data.labels)
    fig = figures.metric_bars(rows, "delay_mean_days")
    assert len(fig.axes[0].patches) == 3
    assert figures.png(fig).startswith(b"\x89PNG")


def test_report_figures_are_200_dpi_with_an_svg_option(ladder, tmp_path, monkeypatch, capsys):
    """Issue 24 item 6: every report figure is written at >= 200 dpi (its pixels and the PNG's
    pHYs say so) and ``--svg`` writes each one as SVG too."""
    import io

    from PIL import Image

    path, url = ladder
    out = tmp_path / "report"
    code, _out, err = cli(monkeypatch, capsys, "report", str(path), "--db", url,
                          "--out", str(out), "--svg")  # fmt: skip
    assert code == 0, err
    pngs = sorted((out / "figures").glob("*.png"))
    svgs = sorted((out / "figures").glob("*.svg"))
    assert pngs and [p.stem for p in svgs] == [p.stem for p in pngs]
    for png_path in pngs:
        image = Image.open(io.BytesIO(png_path.read_bytes()))
        assert min(image.info["dpi"]) >= 199.5, (png_path.name, image.info["dpi"])
    bars = Image.open(io.BytesIO((out / "figures" / "bars_delay_mean_days.png").read_bytes()))
    assert bars.size[0] >= 800  # a 4-inch-or-wider figure at 200 dpi
    assert all(p.read_text().lstrip().startswith("<?xml") and "<svg" in p.read_text() for p in svgs)


@pytest.mark.parametrize(("design", "keys"), [(SOBOL, {"S1", "ST_conf"}), (MORRIS, {"mu_star"})])
def test_sensitivity_indices_with_confidence(tmp_path, monkeypatch, capsys, design, keys):
    path = write_experiment(tmp_path, name="sampled", scenarios=["silo"], replications=1,
                            days=25, extra=design, cases=0)  # fmt: skip
    url = sqlite_url(tmp_path)
    outcome = run_serial(path, url)
    assert outcome.failed == 0
    code, out, err = cli(monkeypatch, capsys, "sensitivity", str(path), "--db", url, "--json",
                         "-m", "trips_per_case")  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert {r["parameter"] for r in rows} == {
        "levers.data_sharing",
        "world.p_missing_document" if design is SOBOL else "levers.platform_openness",
    }
    assert keys <= set(rows[0])
    code, _, err = cli(monkeypatch, capsys, "report", "sampled", "--db", url,
                       "--out", str(tmp_path / "r"))  # fmt: skip
    assert code == 0, err
    assert "sensitivity_silo_" in (tmp_path / "r" / "index.html").read_text()


def test_sensitivity_of_an_unsampled_experiment_is_a_user_error(ladder, monkeypatch, capsys):
    _, url = ladder
    code, _, err = cli(monkeypatch, capsys, "sensitivity", "ladder", "--db", url)
    assert code == 2 and "needs a sample" in err


def test_time_series_and_bar_axes_do_not_go_below_zero(ladder):
    _, url = ladder
    with Store(url) as store:
        data = frames.load(store, "ladder")
        series = store.series(data.experiment.id)
    series = series.merge(data.runs[["id", "label"]].rename(columns={"id": "run_id"}), on="run_id")
    for name in ("backlog", "delay_mean_days", "participation_rate"):
        fig = figures.series_band(series, data.labels, name, warmup_days=5)
        assert fig.axes[0].get_ylim()[0] == 0.0
    rows = stats.compare(data.wide, ["trips_per_case"], data.baseline, order=data.labels)
    assert figures.metric_bars(rows, "trips_per_case").axes[0].get_ylim()[0] == 0.0


def test_share_changes_are_drawn_in_percentage_points(ladder):
    _, url = ladder
    with Store(url) as store:
        data = frames.load(store, "ladder")
    rows = stats.compare(data.wide, ["share_at_most_one_trip"], data.baseline, order=data.labels)
    fig = figures.difference_bars(rows, "share_at_most_one_trip")
    assert "percentage points" in fig.axes[0].get_xlabel()
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    expected = sorted(r["diff_pp"] for r in rows if "diff_pp" in r)
    assert widths == pytest.approx(expected)
