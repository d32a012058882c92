"""The self-contained HTML report of a stored experiment (figures inlined as base64 PNG).

The page needs no network: no scripts, no fonts, no external style sheets. It is a list of
sections (``SECTIONS``, each ``f(page, context)``; more in ``results.report_sections``): the
experiment, a calibration's fit, posterior and predictions (``results.calibration_report``, for
a calibration's ensemble), the delay window, the levers each scenario changes against the
baseline, the comparison tables (mean and 95% CI per scenario, paired differences vs the baseline in
percentage points or relative with Fieller intervals, raw and Holm-adjusted p-values), drift
diagnostics, figures, the sensitivity indices of a sampled experiment, the metric definitions
and units, the failures with their tracebacks, and the provenance of every run. The PNG files
are also written next to it for papers.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from govlab.results import figures, frames, stats
from govlab.results.names import family_name, metric_name, scenario_label, unit_name, words
from govlab.results.sensitivity import NOISE_NOTE, SensitivityError, analyse, index_text
from govlab.results.store import Store

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


def change_text(row: dict[str, Any], lang: str = "en") -> str:
    """The paired change: percentage points for a share, else the relative change in percent
    with its Fieller interval ("unbounded" when the baseline mean is not clearly away from 0)."""
    t = words(lang)
    if row.get("share"):
        low, high = row.get("diff_pp_low"), row.get("diff_pp_high")
        if row.get("diff_pp") is None:
            return "—"
        if low is None or high is None:
            return f"{row['diff_pp']:+.3g} {t('pp')}"
        return f"{row['diff_pp']:+.3g} {t('pp')} [{low:+.3g}, {high:+.3g}]"
    if row.get("relative") is not None and row.get("relative_low") is None:
        return f"{100 * row['relative']:+.1f}% [{t('unbounded')}]"
    return percent(row.get("relative"), row.get("relative_low"), row.get("relative_high"))


def comparison_html(rows: list[dict[str, Any]], metric: str, lang: str = "en") -> str:
    """The comparison table of one metric (unit in the heading; raw and Holm p-values).
    ``lang="zh"``: headers, scenario and metric names in Chinese (``results.names``)."""
    t = words(lang)
    chosen = [r for r in rows if r["metric"] == metric]
    first = chosen[0] if chosen else {}
    fixed = bool(first.get("design_property"))
    body = [
        [
            html.escape(scenario_label(r["scenario"], lang))
            + (f" #{r['point']}" if r["point"] else ""),
            str(r["n"]),
            ci_text(r["mean"], r["low"], r["high"]),
            ci_text(r.get("diff_mean"), r.get("diff_low"), r.get("diff_high"))
            if "diff_mean" in r
            else t("baseline"),
            change_text(r, lang) if "diff_mean" in r else "",
            (t("fixed") if fixed and "diff_mean" in r else fmt(r.get("p_value"), 2)),
            fmt(r.get("p_holm"), 2),
        ]
        for r in chosen
    ]
    change = "Δ (percentage points)" if first.get("share") else "relative change [95% Fieller CI]"
    header = [t(word) for word in ("scenario", "n", "mean [95% CI]",
              "paired Δ vs baseline [95% CI]", change, "p", "p Holm")]  # fmt: skip
    note = ""
    if fixed:
        note = f"<p class=muted>{t('A design property (fixed by the levers): not tested.')}</p>"
    elif tested := next((r for r in chosen if r.get("family_size")), None):
        members = tested.get("family_members") or [metric]
        text = t(
            "p: paired t-test; p Holm: Holm-adjusted within the family <i>{family}</i> of "
            "{m} metrics the runs report ({n} comparisons), whichever are shown: {members}."
        )
        text = text.format(
            family=html.escape(family_name(tested["family"], lang)),
            m=len(members),
            n=tested["family_size"],
            members=html.escape(", ".join(metric_name(m, lang) for m in members)),
        )
        note = f"<p class=muted>{text}</p>"
    unit = html.escape(unit_name(metric, lang))
    return (
        f"<h3>{html.escape(metric_name(metric, lang))} <span class=muted>[{unit}]</span></h3>"
        + table_html(header, body)
        + note
    )


class Page:
    """Accumulates sections and figures of the report."""

    def __init__(self, out: Path, svg: bool = False) -> None:
        self.parts: list[str] = []
        self.out = out
        self.svg = svg  # also write figures/<name>.svg
        self.figures: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def figure(self, name: str, fig, caption: str) -> None:
        data = figures.png(fig)
        (self.out / "figures").mkdir(parents=True, exist_ok=True)
        (self.out / "figures" / f"{name}.png").write_bytes(data)
        if self.svg:
            (self.out / "figures" / f"{name}.svg").write_bytes(figures.svg(fig))
        encoded = base64.b64encode(data).decode()
        self.figures.append(name)
        self.add(
            f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{encoded}">'
            f"<figcaption class=muted>{html.escape(caption)}</figcaption></figure>"
        )


def _with_labels(frame: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(runs[["id", "label"]].rename(columns={"id": "run_id"}), on="run_id")


@dataclass
class Context:
    """What every report section may read."""

    store: Store
    data: frames.ExperimentData
    metrics: list[str]
    rows: list[dict[str, Any]]
    scenarios: dict[str, dict[str, Any]] | None = None  # resolved scenario per label (JSON)
    notes: list[str] = field(default_factory=list)  # e.g. how the scenarios were resolved
    scenarios_match: bool = True  # the resolved scenarios are those the runs were made with

    @property
    def warmup_days(self) -> int | None:
        """The delay window's start, if the same in every scenario."""
        values = {s.get("world", {}).get("warmup_days") for s in (self.scenarios or {}).values()}
        return values.pop() if len(values) == 1 else None


Section = Callable[[Page, Context], None]


def build_report(
    store: Store,
    name: str,
    out: str | Path,
    metrics: list[str] | None = None,
    scenarios: dict[str, dict[str, Any]] | None = None,
    notes: list[str] | None = None,
    sections: list[Section] | None = None,
    scenarios_match: bool = True,
    svg: bool = False,
) -> Path:
    """Write ``out/index.html`` (and ``out/figures/*.png`` at ``figures.REPORT_DPI``, with
    ``svg`` also ``*.svg``) for experiment ``name``.

    Args:
        store: the results store.
        name: the stored experiment.
        out: output folder.
        metrics: metrics to compare (default: the headline ones present).
        scenarios: each label's resolved scenario (``model_dump(mode="json")``), for the delay
            window and the lever diff; without it those sections say they are unavailable.
        notes: remarks on how ``scenarios`` were obtained.
        scenarios_match: False when ``scenarios`` differ from those the runs were made with.
        sections: the sections in order (default ``SECTIONS``); each is ``f(page, context)``.
        svg: also write each figure as SVG beside its PNG.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = frames.load(store, name)
    metrics = metrics or data.headline() or data.metric_names()[:6]
    rows = stats.compare(data.wide, metrics, data.baseline, order=data.labels)
    context = Context(store, data, metrics, rows, scenarios, list(notes or []), scenarios_match)
    page = Page(out, svg)
    for section in SECTIONS if sections is None else sections:
        section(page, context)
    document = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(name)}"
        f"</title><style>{STYLE}</style></head><body>{''.join(page.parts)}</body></html>"
    )
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path


def _header(page: Page, ctx: Context) -> None:
    data, store = ctx.data, ctx.store
    spec, runs, labels = data.spec, data.runs, data.labels
    done = int((runs["status"] == "done").sum())
    failed = int((runs["status"] == "failed").sum())
    page.add(f"<h1>{html.escape(data.experiment.name)}</h1>")
    page.add(f"<p>{html.escape(spec.get('description') or '')}</p>")
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


def _comparison(page: Page, ctx: Context) -> None:
    data, rows, metrics = ctx.data, ctx.rows, ctx.metrics
    design = data.experiment.design
    if design["method"] in SAMPLED:
        page.add("<h2>Design points</h2>")
        for label in data.labels:
            for metric in metrics:
                if metric in data.wide.columns:
                    page.figure(
                        f"points_{label}_{metric}",
                        figures.parameter_scatter(data.wide, design["points"], metric, label),
                        f"{metric} per design point ({label})",
                    )
        return
    page.add("<h2>Comparison</h2>")
    page.add(
        "<p class=muted>Means with 95% Student-t intervals over replications. Scenarios share "
        "seeds (common random numbers): differences are paired by seed. Shares (proportions in "
        "[0, 1]) change in percentage points; other metrics also relatively, as the ratio of the "
        "paired means minus one with a Fieller 95% interval, which carries the baseline mean's "
        "own uncertainty. p-values are paired t-tests, shown raw and adjusted for multiplicity "
        "with Holm's method within each metric family (the families are in the metric "
        "definitions below). A family is every metric of it that the runs report, shown here "
        "or not, so an adjusted p-value does not depend on which metrics the report shows. "
        "Design properties — fixed by the levers — are not tested.</p>"
    )
    for metric in metrics:
        page.add(comparison_html(rows, metric))
    if len({(r["scenario"], r["point"]) for r in rows}) > MAX_BARS:
        return
    page.add("<h2>Figures</h2>")
    for metric in metrics:
        page.figure(f"bars_{metric}", figures.metric_bars(rows, metric), f"{metric} by scenario")
        chosen = [r for r in rows if r["metric"] == metric and "diff_mean" in r]
        if any(r.get("relative") is not None or r.get("diff_pp") is not None for r in chosen):
            what = "percentage points" if chosen[0].get("share") else "relative change"
            page.figure(
                f"change_{metric}",
                figures.difference_bars(rows, metric),
                f"{metric}: paired change vs {data.baseline} ({what})",
            )


def _distributions(page: Page, ctx: Context) -> None:
    cases = ctx.store.cases(ctx.data.experiment.id)
    if len(cases):
        page.figure(
            "delay_distribution",
            figures.delay_distribution(_with_labels(cases, ctx.data.runs), ctx.data.labels),
            "Delay distribution of sampled completed cases, pooled over replications",
        )


def _series(page: Page, ctx: Context) -> None:
    series = ctx.store.series(ctx.data.experiment.id)
    if not len(series):
        return
    series = _with_labels(series, ctx.data.runs)
    present = list(dict.fromkeys(series["name"]))
    for name_ in [n for n in SERIES_FIRST if n in present]:
        page.figure(
            f"series_{name_}",
            figures.series_band(
                series, ctx.data.labels, name_, SMOOTH.get(name_, 1), ctx.warmup_days
            ),
            f"{metric_name(name_, 'en')} over time (shaded: the warm-up before the delay window)",
        )


def _sensitivity(page: Page, ctx: Context) -> None:
    data, metrics = ctx.data, ctx.metrics
    if data.experiment.design["method"] not in SAMPLED:
        return
    page.add("<h2>Sensitivity</h2>")
    try:
        rows, notes = analyse(data.experiment.design, data.wide, metrics, seed=data.spec["seed"])
    except SensitivityError as error:
        page.add(f"<p class=bad>{html.escape(str(error))}</p>")
        return
    if data.experiment.design["method"] == "sobol":
        page.add(f"<p>{html.escape(NOISE_NOTE)}</p>")
    for note in notes:
        page.add(f"<p class=muted>{html.escape(note)}</p>")
    keys = ["S1", "S1_conf", "ST", "ST_conf", "ST_noise_floor", "noise_share"]
    keys += ["mu_star", "mu_star_conf", "sigma"]
    keys = [k for k in keys if any(k in r for r in rows)]
    body = [
        [html.escape(r["scenario"]), html.escape(r["metric"]), html.escape(r["parameter"])]
        + [index_text(r, k) if k in ("S1", "ST") else fmt(r.get(k), 3) for k in keys]
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


def _failures(page: Page, ctx: Context) -> None:
    runs = ctx.data.runs
    failed = runs[runs["status"] == "failed"]
    if failed.empty:
        return
    page.add(f"<h2 class=bad>Failed runs ({len(failed)})</h2>")
    for _, run in failed.iterrows():
        page.add(
            f"<details><summary>{html.escape(run['run_key'])}: {html.escape(str(run['error']))}"
            f"</summary><pre>{html.escape(str(run['traceback'] or ''))}</pre></details>"
        )


def _provenance(page: Page, ctx: Context) -> None:
    runs = ctx.data.runs
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


from govlab.results import report_sections as _more  # noqa: E402  (sections that need Page and fmt)
from govlab.results.calibration_report import calibration_section  # noqa: E402

# The report's sections in order; another module may insert its own (``f(page, context)``).
SECTIONS: list[Section] = [
    _header,
    calibration_section,  # only for a calibration's ensemble (issue 22)
    _more.delay_window,
    _more.scenario_levers,
    _comparison,
    _more.design_table,
    _more.drift,
    _distributions,
    _series,
    _sensitivity,
    _more.metric_definitions,
    _failures,
    _provenance,
]
