"""Tables, figures and the HTML report of a lever search (``govlab optimise``).

From a ``SearchResult``: the Pareto set (levers, objectives, cost), the chosen packages — Pareto
packages meeting the rule (e.g. delay at least halved against the base scenario on the same
worlds), cheapest first — with 95% intervals, the parallel-coordinates figure, the convergence
figure (hypervolume by generation) and the cost sensitivity: which package is cheapest when each
price moves by ±50%. Intervals: each replication's mean over the K worlds is one value (the
replications are independent; the worlds are shared), a Student-t interval over the R values.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from govlab.results.names import metric_name
from govlab.results.report import STYLE, Page, fmt, table_html
from govlab.results.stats import t_interval
from govlab.scenarios.costs import PRICED, cost_report, priced_units, scaled_prices


def paired_change(runs: pd.DataFrame, baseline: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per candidate and replication: the mean over worlds of ``(x − b) / b`` (same world, seed)."""
    base = baseline.set_index(["point", "replication"])[metric]
    joined = runs.join(base.rename("base"), on=["point", "replication"])
    joined["change"] = (joined[metric] - joined["base"]) / joined["base"]
    return joined.groupby(["label", "replication"])["change"].mean().reset_index()


def interval_of(runs: pd.DataFrame, label: str, metric: str) -> tuple[float, float, float]:
    """Mean and 95% interval of ``metric`` for a candidate (over replications' world means)."""
    per_rep = runs[runs["label"] == label].groupby("replication")[metric].mean()
    interval = t_interval(per_rep.to_numpy())
    return interval.mean, interval.low, interval.high


def tables(result, spec) -> dict[str, pd.DataFrame]:
    """The Pareto set, the chosen packages with intervals, and every evaluated candidate."""
    rule = spec.choose
    change = paired_change(result.runs, result.baseline, rule.metric)
    mean_change = change.groupby("label")["change"].mean()
    evaluated = result.evaluated.set_index("label")
    evaluated[f"change_{rule.metric}"] = mean_change
    evaluated["meets_rule"] = evaluated[f"change_{rule.metric}"] <= rule.relative_below
    evaluated["pareto"] = evaluated.index.isin(result.front)
    pareto = evaluated[evaluated["pareto"]].sort_values(rule.cost)
    chosen_labels = list(pareto[pareto["meets_rule"]].index[: rule.show])
    rows = []
    for label in chosen_labels:
        row: dict[str, Any] = {"label": label}
        row.update({name: evaluated.loc[label, name] for name in spec.levers})
        for metric in dict.fromkeys([*spec.objectives, rule.metric, rule.cost]):
            mean, low, high = interval_of(result.runs, label, metric)
            row.update({metric: mean, f"{metric}_low": low, f"{metric}_high": high})
        values = change[change["label"] == label]["change"].to_numpy()
        interval = t_interval(values)
        row.update(
            {
                f"change_{rule.metric}": interval.mean,
                "change_low": interval.low,
                "change_high": interval.high,
            }
        )
        rows.append(row)
    return {
        "evaluated": evaluated.reset_index(),
        "pareto": pareto.reset_index(),
        "chosen": pd.DataFrame(rows),
    }


def _plain(value: Any) -> Any:
    """A Python value for a lever (pandas hands back numpy scalars such as ``np.True_``, which the
    scenario's strict fields refuse)."""
    return value.item() if isinstance(value, np.generic) else value


def cost_sensitivity(result, spec, evaluator) -> pd.DataFrame:
    """The cheapest package meeting the rule when each yuan price (or the staff rate, or all
    prices) is ×0.5 and ×1.5; staff quantities are kept (they would change the runs)."""
    rule = spec.choose
    change = paired_change(result.runs, result.baseline, rule.metric)
    meets = change.groupby("label")["change"].mean() <= rule.relative_below
    labels = list(meets[meets].index)
    if not labels:
        return pd.DataFrame()
    evaluated = result.evaluated.set_index("label")
    scenarios = {
        label: evaluator.scenario({n: _plain(evaluated.loc[label, n]) for n in spec.levers}, 0)
        for label in labels
    }
    base_costs = next(iter(scenarios.values())).costs
    variations: list[tuple[str, float, str | None]] = [("as stated", 1.0, None)]
    for factor in (0.5, 1.5):
        variations.append((f"all prices ×{factor}", factor, None))
        variations.append((f"staff rate ×{factor}", factor, "staff_rate"))
        for lever in PRICED:
            price = base_costs.levers.get(lever)
            used = any(priced_units(s)[lever] > 0 for s in scenarios.values())
            if used and price is not None and (price.build_yuan or price.yuan_per_year):
                variations.append((f"{lever} ×{factor}", factor, lever))
    rows = []
    reference = None
    for name, factor, only in variations:
        costs = {
            label: cost_report(
                s.model_copy(update={"costs": scaled_prices(s.costs, factor, only)})
            )["cost_per_year"]
            for label, s in scenarios.items()
        }
        cheapest = min(costs, key=lambda k: (costs[k], k))
        reference = reference or cheapest
        rows.append(
            {
                "prices": name,
                "cheapest": cheapest,
                "cost_per_year": costs[cheapest],
                "changed": cheapest != reference,
            }
        )
    return pd.DataFrame(rows)


def parallel_figure(tables_: dict[str, pd.DataFrame], spec) -> Figure:
    """Parallel coordinates of the Pareto set over the objectives (each axis scaled to its range,
    better up); the chosen packages drawn thick with their 95% intervals."""
    pareto, chosen = tables_["pareto"], tables_["chosen"]
    metrics = list(spec.objectives)
    fig = Figure(figsize=(1.9 * len(metrics) + 1.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    values = pareto[metrics].to_numpy(dtype=float)
    low, high = values.min(axis=0), values.max(axis=0)
    span = np.where(high > low, high - low, 1.0)

    def scale(column: int, value: Any) -> float:
        u = (float(value) - low[column]) / span[column]
        return 1.0 - u if spec.objectives[metrics[column]] == "min" else u

    xs = np.arange(len(metrics))
    for row in values:
        ax.plot(xs, [scale(i, v) for i, v in enumerate(row)], color="#bbbbbb", lw=1)
    colours = ["#c44e52", "#4c72b0", "#55a868", "#8172b3", "#dd8452"]
    for k, row in enumerate(chosen.itertuples()):
        record = row._asdict()
        ys = [scale(i, record[m]) for i, m in enumerate(metrics)]
        colour = colours[k % len(colours)]
        cost = record.get(spec.choose.cost)
        money = (
            f", {float(cost) / 1e6:.3g} M"
            if cost is not None and "cost" in spec.choose.cost
            else ""
        )
        ax.plot(xs, ys, color=colour, lw=2.5, label=f"chosen {k + 1}: {row.label}{money}")
        for i, m in enumerate(metrics):
            lo, hi = record.get(f"{m}_low"), record.get(f"{m}_high")
            if lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi):
                a, b = (min(max(scale(i, v), -0.1), 1.1) for v in (lo, hi))
                ax.plot([xs[i] + 0.03 * (k + 1)] * 2, [a, b], color=colour, lw=1.5)
    labels = [
        f"{metric_name(m, 'en')}\n({'min' if spec.objectives[m] == 'min' else 'max'})\n"
        f"{fmt(low[i], 3)} – {fmt(high[i], 3)}"
        for i, m in enumerate(metrics)
    ]
    ax.set_xticks(xs, labels, fontsize=8)
    ax.set_yticks([0, 1], ["worst", "best"])
    ax.set_ylim(-0.15, 1.15)
    ax.set_xlim(-0.2, len(metrics) - 0.6)
    ax.set_title(f"Pareto set ({len(pareto)} packages), chosen with 95% intervals", fontsize=10)
    if len(chosen):
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    return fig


def convergence_figure(result) -> Figure:
    """Normalised hypervolume by generation: of the archive (the non-dominated set of everything
    evaluated so far; it can only rise, a plateau is convergence) and of the population's
    non-dominated members (NSGA-II's crowding may drop some)."""
    fig = Figure(figsize=(5.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    if result.archive_hypervolume:
        archive = result.archive_hypervolume
        ax.plot(range(len(archive)), archive, marker="o", color="#4c72b0", label="archive")
    ax.plot(
        range(len(result.hypervolume)), result.hypervolume, marker=".", color="#999999",
        ls="--", label="population's front",
    )  # fmt: skip
    ax.set_xlabel("generation")
    ax.set_ylabel("hypervolume (normalised objectives)")
    ax.set_title("Convergence of the search", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def cost_figure(tables_: dict[str, pd.DataFrame], spec) -> Figure:
    """Every evaluated package: cost against the rule's paired change, Pareto set highlighted."""
    evaluated = tables_["evaluated"]
    rule = spec.choose
    fig = Figure(figsize=(5.4, 3.8), layout="constrained")
    ax = fig.add_subplot()
    change = evaluated[f"change_{rule.metric}"] * 100
    cost = evaluated[rule.cost] / 1e6
    ax.scatter(cost, change, s=12, color="#bbbbbb", label="evaluated")
    pareto = evaluated["pareto"]
    ax.scatter(cost[pareto], change[pareto], s=22, color="#4c72b0", label="Pareto set")
    ax.axhline(rule.relative_below * 100, color="#c44e52", ls="--", lw=1, label="rule")
    chosen = tables_["chosen"]
    if len(chosen):
        picked = evaluated.set_index("label").loc[list(chosen["label"])]
        ax.scatter(
            picked[rule.cost] / 1e6, picked[f"change_{rule.metric}"] * 100, s=110,
            facecolors="none", edgecolors="#c44e52", linewidths=1.5, label="chosen",
        )  # fmt: skip
        for k, (x, y) in enumerate(
            zip(picked[rule.cost] / 1e6, picked[f"change_{rule.metric}"] * 100, strict=True)
        ):
            ax.annotate(str(k + 1), (x, y), xytext=(5, 5), textcoords="offset points", fontsize=8)
    ax.set_xlabel(f"{metric_name(rule.cost, 'en')} (million yuan)")
    ax.set_ylabel(f"paired change of {metric_name(rule.metric, 'en')} vs base (%)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def _cells(row: dict[str, Any], names: list[str]) -> list[str]:
    return [
        html.escape(str(row[n])) if isinstance(row[n], str | bool) else fmt(row[n], 4)
        for n in names
    ]


def _short(names: list[str]) -> list[str]:
    """Column headers without the ``levers.`` / ``costs.`` prefix."""
    return [html.escape(n.rsplit(".", 1)[-1]) for n in names]


def _wide(table: str) -> str:
    """A wide table in a horizontally scrolling box."""
    return f'<div style="overflow-x:auto">{table}</div>'


def optimisation_section(page: Page, result, spec, evaluator, made, sensitivity) -> None:
    """Add the search's section (facts, chosen packages with intervals, Pareto set, figures,
    cost sensitivity) to a report page."""
    page.add(f"<h2>Lever search: {html.escape(spec.name)}</h2>")
    page.add(f"<p>{html.escape(spec.description)}</p>")
    worlds = len(evaluator.worlds)
    facts = [
        ["base scenario", html.escape(spec.base)],
        ["worlds (K) × replications (R)", f"{worlds} × {spec.replications}"],
        ["days per run", str(spec.days)],
        ["population × generations", f"{spec.search.population} × {spec.search.generations + 1}"],
        ["distinct packages evaluated", str(len(result.evaluated))],
        [
            "runs simulated now / stored",
            f"{result.runs_done} / {len(result.runs) + len(result.baseline)}",
        ],
        ["wall time of this call", f"{result.seconds:.0f} s"],
        ["objectives", html.escape(", ".join(f"{k} ({v})" for k, v in spec.objectives.items()))],
    ]
    page.add(table_html(["", ""], facts))
    rule = spec.choose
    page.add(
        f"<h3>Chosen packages</h3><p class=muted>Pareto packages whose {html.escape(rule.metric)} "
        f"changes by at most {rule.relative_below:+.0%} against {html.escape(spec.base)} on the "
        "same worlds and seeds, cheapest first; 95% intervals over replications (each the mean "
        "over the K worlds). Cost is a property of the package (no interval).</p>"
    )
    chosen = made["chosen"]
    if len(chosen):
        names = ["label", *spec.levers]
        body = []
        for row in chosen.to_dict("records"):
            cells = _cells(row, names)
            for m in dict.fromkeys([*spec.objectives, rule.metric]):
                cells.append(
                    f"{fmt(row[m], 4)} [{fmt(row[f'{m}_low'], 3)}, {fmt(row[f'{m}_high'], 3)}]"
                )
            change = f"{row[f'change_{rule.metric}']:+.1%}"
            if np.isfinite(row["change_low"]):
                change += f" [{row['change_low']:+.1%}, {row['change_high']:+.1%}]"
            cells.append(change)
            body.append(cells)
        header = [*names, *dict.fromkeys([*spec.objectives, rule.metric]), "change"]
        page.add(_wide(table_html(_short(header), body, left=1)))
    else:
        page.add("<p class=bad>No Pareto package meets the rule.</p>")
    page.add("<h3>Pareto set</h3>")
    pareto = made["pareto"]
    columns = ["label", *spec.levers, *spec.objectives, f"change_{rule.metric}"]
    body = [_cells(r, columns) for r in pareto.to_dict("records")]
    page.add(_wide(table_html(_short(columns), body, left=1)))
    page.figure(
        "pareto_parallel", parallel_figure(made, spec), "Parallel coordinates of the Pareto set"
    )
    page.figure(
        "pareto_cost", cost_figure(made, spec), "Cost against the rule's change, every package"
    )
    archive = ", ".join(f"{v:.3f}" for v in result.archive_hypervolume)
    population = ", ".join(f"{v:.3f}" for v in result.hypervolume)
    page.figure(
        "convergence",
        convergence_figure(result),
        f"Hypervolume by generation, archive: {archive}; population's front: {population}",
    )
    page.add(
        "<h3>Cost sensitivity (±50%)</h3><p class=muted>Most prices are assumed "
        "(scenarios/lever_costs.toml). The cheapest package meeting the rule when one price (or "
        "all) is halved or raised by half; staff quantities stay (they are simulated).</p>"
    )
    if len(sensitivity):
        rows = [
            [
                html.escape(r["prices"]),
                html.escape(r["cheapest"]),
                fmt(r["cost_per_year"], 4),
                "yes" if r["changed"] else "no",
            ]
            for r in sensitivity.to_dict("records")
        ]
        page.add(
            table_html(["prices", "cheapest package", "cost per year (yuan)", "changed"], rows)
        )


def write_optimisation(result, spec, evaluator, out: str | Path) -> tuple[Path, dict]:
    """Write the tables (CSV), figures (PNG), ``summary.json`` and ``index.html`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    made = tables(result, spec)
    sensitivity = cost_sensitivity(result, spec, evaluator)
    for name, frame in {**made, "cost_sensitivity": sensitivity}.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    page = Page(out)
    page.add(f"<h1>{html.escape(spec.name)}: lever search</h1>")
    optimisation_section(page, result, spec, evaluator, made, sensitivity)
    chosen = made["chosen"]
    document = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(spec.name)}"
        f"</title><style>{STYLE}</style></head><body>{''.join(page.parts)}</body></html>"
    )
    (out / "index.html").write_text(document, encoding="utf-8")
    summary = {
        "front": result.front,
        "hypervolume": result.hypervolume,
        "archive_hypervolume": result.archive_hypervolume,
        "archive_size": [len(a) for a in result.archives],
        "chosen": json.loads(chosen.to_json(orient="records")),
        "cost_sensitivity_changes": int(sensitivity["changed"].sum()) if len(sensitivity) else 0,
        "seconds": result.seconds,
        "runs_done": result.runs_done,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return out / "index.html", summary
