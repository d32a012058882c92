"""The self-contained HTML report of a stored experiment (figures inlined as base64 PNG).

The page needs no network: no scripts, no fonts, no external style sheets. It holds the comparison
tables (mean and 95% CI per scenario, paired differences vs the baseline), the figures, the
sensitivity indices of a sampled experiment, the failures with their tracebacks, and the
provenance of every run. The PNG files are also written next to it for papers.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from results import figures, frames, stats
from results.sensitivity import SensitivityError, analyse
from results.store import Store

SERIES_FIRST = ("participation_rate", "trust_mean", "backlog", "delay_mean_days", "trips_per_case")
SMOOTH = {"delay_mean_days": 5, "trips_per_case": 5}
SAMPLED = ("sobol", "morris", "lhs")
MAX_BARS = 24  # more scenario × point groups than this: tables only

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.4;padding:0 1em}
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.85em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}
th{background:#f2f2f2} td.l,th.l{text-align:left}
img{max-width:100%;margin:0.5em 0} figure{margin:1em 0}
.muted{color:#666;font-size:0.9em} .bad{color:#a00} pre{font-size:0.75em;overflow-x:auto}
details{margin:0.3em 0}
"""


def fmt(value: Any, digits: int = 4) -> str:
    """A number for a table (— for missing)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return html.escape(str(value))


def ci_text(mean: Any, low: Any, high: Any) -> str:
    """``mean [low, high]``."""
    if low is None or high is None:
        return fmt(mean)
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def percent(value: Any, low: Any, high: Any) -> str:
    """A relative change with its interval, in percent."""
    if value is None:
        return "—"
    if low is None or high is None:
        return f"{100 * value:+.1f}%"
    return f"{100 * value:+.1f}% [{100 * low:+.1f}, {100 * high:+.1f}]"


def table_html(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """An HTML table; the first ``left`` columns are left-aligned."""

    def cells(values: list[str], tag: str) -> str:
        return "".join(
            f"<{tag}{' class=l' if i < left else ''}>{v}</{tag}>" for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    return f"<table><tr>{cells([html.escape(h) for h in header], 'th')}</tr>{body}</table>"


def comparison_html(rows: list[dict[str, Any]], metric: str) -> str:
    """The comparison table of one metric."""
    chosen = [r for r in rows if r["metric"] == metric]
    body = [
        [
            html.escape(r["scenario"]) + (f" #{r['point']}" if r["point"] else ""),
            str(r["n"]),
            ci_text(r["mean"], r["low"], r["high"]),
            ci_text(r.get("diff_mean"), r.get("diff_low"), r.get("diff_high"))
            if "diff_mean" in r
            else "baseline",
            percent(r.get("relative"), r.get("relative_low"), r.get("relative_high")),
            fmt(r.get("p_value"), 2),
        ]
        for r in chosen
    ]
    header = ["scenario", "n", "mean [95% CI]", "paired Δ vs baseline [95% CI]", "change", "p"]
    return f"<h3>{html.escape(metric)}</h3>" + table_html(header, body)


class Page:
    """Accumulates sections and figures of the report."""

    def __init__(self, out: Path) -> None:
        self.parts: list[str] = []
        self.out = out
        self.figures: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def figure(self, name: str, fig, caption: str) -> None:
        data = figures.png(fig)
        (self.out / "figures").mkdir(parents=True, exist_ok=True)
        (self.out / "figures" / f"{name}.png").write_bytes(data)
        encoded = base64.b64encode(data).decode()
        self.figures.append(name)
        self.add(
            f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{encoded}">'
            f"<figcaption class=muted>{html.escape(caption)}</figcaption></figure>"
        )


def _with_labels(frame: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(runs[["id", "label"]].rename(columns={"id": "run_id"}), on="run_id")


def build_report(
    store: Store, name: str, out: str | Path, metrics: list[str] | None = None
) -> Path:
    """Write ``out/index.html`` (and ``out/figures/*.png``) for experiment ``name``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = frames.load(store, name)
    spec, runs, labels = data.spec, data.runs, data.labels
    metrics = metrics or data.headline() or data.metric_names()[:6]
    rows = stats.compare(data.wide, metrics, data.baseline, order=labels)
    page = Page(out)
    done = int((runs["status"] == "done").sum())
    failed = int((runs["status"] == "failed").sum())
    page.add(f"<h1>{html.escape(name)}</h1><p>{html.escape(spec.get('description') or '')}</p>")
    facts = [
        ["scenarios", html.escape(", ".join(labels))],
        ["baseline", html.escape(data.baseline)],
        ["design", html.escape(data.experiment.design["method"])],
        ["design points", str(len(data.experiment.design["points"]))],
        ["replications", str(spec["replications"])],
        ["days per run", str(spec["days"])],
        ["root seed", str(spec["seed"])],
        ["runs stored", f"{len(runs)} ({done} done, {failed} failed)"],
        ["store", html.escape(store.safe_url)],
        ["code (git)", html.escape(", ".join(sorted({str(c) for c in runs["git_commit"]})))],
        [
            "model version",
            html.escape(", ".join(sorted({str(v) for v in runs["model_version"]}))),
        ],
    ]
    page.add(table_html(["", ""], facts))
    page.add(
        "<p class=muted>Means with 95% Student-t intervals over replications. Scenarios share "
        "seeds (common random numbers): differences are paired by seed; the relative change is "
        "the mean difference over the baseline mean.</p>"
    )
    design = data.experiment.design
    if design["method"] in SAMPLED:
        page.add("<h2>Design points</h2>")
        for label in labels:
            for metric in metrics:
                if metric in data.wide.columns:
                    page.figure(
                        f"points_{label}_{metric}",
                        figures.parameter_scatter(data.wide, design["points"], metric, label),
                        f"{metric} per design point ({label})",
                    )
    else:
        page.add("<h2>Comparison</h2>")
        for metric in metrics:
            page.add(comparison_html(rows, metric))
        if len({(r["scenario"], r["point"]) for r in rows}) <= MAX_BARS:
            page.add("<h2>Figures</h2>")
            for metric in metrics:
                page.figure(
                    f"bars_{metric}", figures.metric_bars(rows, metric), f"{metric} by scenario"
                )
                if any(r.get("relative") is not None and r["metric"] == metric for r in rows):
                    page.figure(
                        f"change_{metric}",
                        figures.difference_bars(rows, metric),
                        f"{metric}: paired change vs {data.baseline}",
                    )
    cases = store.cases(data.experiment.id)
    if len(cases):
        page.figure(
            "delay_distribution",
            figures.delay_distribution(_with_labels(cases, runs), labels),
            "Delay distribution of sampled completed cases, pooled over replications",
        )
    series = store.series(data.experiment.id)
    if len(series):
        series = _with_labels(series, runs)
        present = list(dict.fromkeys(series["name"]))
        for name_ in [n for n in SERIES_FIRST if n in present]:
            page.figure(
                f"series_{name_}",
                figures.series_band(series, labels, name_, SMOOTH.get(name_, 1)),
                f"{name_} over time",
            )
    _sensitivity(page, store, data, metrics)
    _failures(page, runs)
    _provenance(page, runs)
    document = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(name)}"
        f"</title><style>{STYLE}</style></head><body>{''.join(page.parts)}</body></html>"
    )
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path


def _sensitivity(page: Page, store: Store, data, metrics: list[str]) -> None:
    if data.experiment.design["method"] not in SAMPLED:
        return
    page.add("<h2>Sensitivity</h2>")
    try:
        rows, notes = analyse(data.experiment.design, data.wide, metrics, seed=data.spec["seed"])
    except SensitivityError as error:
        page.add(f"<p class=bad>{html.escape(str(error))}</p>")
        return
    for note in notes:
        page.add(f"<p class=muted>{html.escape(note)}</p>")
    keys = [k for k in ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma")]
    keys = [k for k in keys if any(k in r for r in rows)]
    body = [
        [html.escape(r["scenario"]), html.escape(r["metric"]), html.escape(r["parameter"])]
        + [fmt(r.get(k), 3) for k in keys]
        for r in rows
    ]
    page.add(table_html(["scenario", "metric", "parameter", *keys], body, left=3))
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        for metric in dict.fromkeys(r["metric"] for r in rows if r["scenario"] == scenario):
            page.figure(
                f"sensitivity_{scenario}_{metric}",
                figures.sensitivity_bars(rows, metric, scenario),
                f"Sensitivity of {metric} ({scenario})",
            )


def _failures(page: Page, runs: pd.DataFrame) -> None:
    failed = runs[runs["status"] == "failed"]
    if failed.empty:
        return
    page.add(f"<h2 class=bad>Failed runs ({len(failed)})</h2>")
    for _, run in failed.iterrows():
        page.add(
            f"<details><summary>{html.escape(run['run_key'])}: {html.escape(str(run['error']))}"
            f"</summary><pre>{html.escape(str(run['traceback'] or ''))}</pre></details>"
        )


def _provenance(page: Page, runs: pd.DataFrame) -> None:
    page.add("<h2>Provenance of every run</h2>")
    versions = {str(sorted(v.items())) for v in runs["versions"] if v}
    for text in sorted(versions):
        page.add(f"<p class=muted>packages: {html.escape(text)}</p>")
    header = ["run", "scenario", "params", "seed", "status", "digest", "started (UTC)", "s", "host"]
    body = [
        [
            html.escape(run["run_key"]),
            html.escape(str(run["scenario"])),
            html.escape(
                ", ".join(
                    f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in (run["params"] or {}).items()
                )
            ),
            str(run["seed"]),
            html.escape(run["status"]),
            html.escape(run["digest"][:12]),
            html.escape(pd.Timestamp(run["started_at"]).strftime("%Y-%m-%d %H:%M:%S")),
            f"{run['seconds']:.2f}",
            html.escape(str(run["host"])),
        ]
        for _, run in runs.iterrows()
    ]
    page.add(table_html(header, body, left=3))
