"""Tables, figures and the HTML page of ``govlab robust`` (issue 23 §4).

``write_robust`` writes into one folder: ``per_world.csv`` (the package in each world: the
uncertainties, its objectives, their regret, each target's outcome and verdict),
``outcomes.csv`` (every package's means per world), ``regret.csv`` (per package: mean and
maximum regret, share of worlds where it is best), ``satisficing.csv`` (per package and target:
worlds meeting, share, Clopper–Pearson 95% interval), ``summary.json``, the figures (PNG,
200 dpi), ``index.html``, and per target with misses a ``discover_<target>/`` folder holding its
PRIM and CART discovery (``results.exploration_discover``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

from govlab.results.exploration_discover import discovery_section, write_discovery
from govlab.results.exploration_discover import summary as discovery_summary
from govlab.results.report import STYLE, Page, fmt, table_html
from govlab.results.robust_figures import regret_figure, series_figure, worlds_figure


def per_world_table(
    result, worlds: list[dict[str, Any]], package: str, objectives, targets
) -> pd.DataFrame:
    """The package's per-world table: the world's uncertainties, its objectives (means over
    replications), their regret, and each target's outcome, verdict and share of replications
    meeting it on their own."""
    table = pd.DataFrame(worlds)
    table.index.name = "world"
    means = result.means.xs(package, level="label")
    regrets = result.regrets.xs(package, level="label")
    for metric in objectives:
        table[metric] = means[metric]
        table[f"regret_{metric}"] = regrets[metric]
    for target in targets:
        outcome = result.outcomes[target.label]
        table[f"{target.label}"] = outcome["outcome"]
        table[f"meets_{target.label}"] = outcome["meets"]
        table[f"replications_meeting_{target.label}"] = outcome["replications_meeting"]
    return table


def share_text(share) -> str:
    """``0.73 [0.54, 0.88] (22 of 30)``."""
    low, high = share.interval
    return f"{share.share:.2f} [{low:.2f}, {high:.2f}] ({share.met} of {share.worlds})"


def threshold_of(target) -> float:
    """The target's bound."""
    for value in (target.relative_at_most, target.at_most, target.at_least):
        if value is not None:
            return float(value)
    raise ValueError("a target has one bound")


def satisficing_frame(result) -> pd.DataFrame:
    """One row per (target, label): met, worlds, share and its 95% interval."""
    rows = []
    for target, shares in result.shares.items():
        for label, share in shares.items():
            low, high = share.interval
            rows.append(
                {
                    "target": target,
                    "label": label,
                    "met": share.met,
                    "worlds": share.worlds,
                    "share": share.share,
                    "low": low,
                    "high": high,
                }
            )
    return pd.DataFrame(rows)


def _leading_uncertainty(found, worlds: list[dict[str, Any]]) -> str:
    if not isinstance(found, str) and len(found.scores):
        return str(found.scores.index[0])
    return next(iter(worlds[0]))


def write_robust(result, study, out: str | Path) -> tuple[Path, dict[str, Any]]:
    """Write the study's tables, figures, discoveries and page into ``out``.

    Args:
        study: ``experiments.robust_cli.Study`` (spec, packages, worlds, ensemble, units).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    packages, spec, worlds = study.packages, study.spec, study.worlds
    objectives = packages.objectives
    table = per_world_table(result, worlds, packages.package, objectives, spec.target)
    table.to_csv(out / "per_world.csv")
    result.means.reset_index().to_csv(out / "outcomes.csv", index=False)
    result.summary.reset_index().to_csv(out / "regret.csv", index=False)
    shares = satisficing_frame(result)
    shares.to_csv(out / "satisficing.csv", index=False)
    page = Page(out)
    page.add(f"<h1>{html.escape(spec.name)}: robustness of {html.escape(packages.package)}</h1>")
    page.add(f"<p>{html.escape(spec.description)}</p>")
    facts = [
        ["package", html.escape(packages.package)],
        ["levers", html.escape(json.dumps(packages.levers[packages.package]))],
        [
            "compared with",
            html.escape(", ".join(k for k in packages.scenarios if k != packages.package)),
        ],
        ["worlds × replications", f"{len(worlds)} × {spec.replications} (paired seeds)"],
        ["days per run (warm-up)", f"{packages.days} ({packages.warmup_days})"],
        [
            "runs simulated now / read from the store",
            f"{study.ensemble.runs_done} / {study.ensemble.runs_read}",
        ],
        *([["note", html.escape(n)] for n in packages.notes]),
    ]
    page.add(table_html(["", ""], facts))
    page.add(
        "<h2>Regret and satisficing</h2><p class=muted>Regret: the gap to the best package "
        "compared in the same world (mean over replications), in the objective's unit; "
        "satisficing share: worlds where the package meets the target, Clopper–Pearson 95% "
        "interval.</p>"
    )
    header = ["package"]
    for metric in objectives:
        header += [f"{metric} mean regret", f"{metric} max regret"]
    header += [f"meets {t.label}" for t in spec.target]
    body = []
    for label in result.summary.index:
        row = [html.escape(str(label)) + (" (package)" if label == packages.package else "")]
        for metric in objectives:
            row += [
                fmt(result.summary.loc[label, f"{metric}_mean_regret"], 4),
                fmt(result.summary.loc[label, f"{metric}_max_regret"], 4),
            ]
        row += [share_text(result.shares[t.label][label]) for t in spec.target]
        body.append(row)
    page.add(f'<div style="overflow-x:auto">{table_html(header, body)}</div>')
    page.figure(
        "robust_regret",
        regret_figure(
            result.summary, list(objectives), packages.package, packages.baseline, study.units
        ),
        "Mean and maximum regret over the worlds",
    )
    page.add("<h2>The package in each world</h2>")
    columns = list(table.columns)
    rows = [
        [str(i), *(fmt(v, 4) if not isinstance(v, bool) else str(v) for v in r)]
        for i, r in zip(table.index, table.itertuples(index=False), strict=True)
    ]
    page.add(f'<div style="overflow-x:auto">{table_html(["world", *columns], rows)}</div>')
    summary: dict[str, Any] = {
        "package": packages.package,
        "levers": packages.levers[packages.package],
        "baseline": packages.baseline,
        "worlds": len(worlds),
        "replications": spec.replications,
        "runs_done": study.ensemble.runs_done,
        "runs_read": study.ensemble.runs_read,
        "regret": json.loads(result.summary.loc[[packages.package]].to_json(orient="records"))[0],
        "targets": {},
    }
    for target in spec.target:
        found = result.discoveries[target.label]
        uncertainty = _leading_uncertainty(found, worlds)
        page.figure(
            f"robust_worlds_{target.label}",
            worlds_figure(
                table,
                target,
                threshold_of(target),
                uncertainty,
                study.uncertainty_labels[uncertainty],
                study.units,
            ),
            f"{target.words}: the package's outcome in each world",
        )
        entry: dict[str, Any] = {
            "rule": target.words,
            **vars_of(result.shares[target.label][packages.package]),
        }
        if isinstance(found, str):
            page.add(
                f"<h2>Where it misses: {html.escape(target.words)}</h2>"
                f"<p class=muted>{html.escape(found)}</p>"
            )
            entry["discovery"] = found
        else:
            folder = out / f"discover_{target.label}"
            section = Page(folder)  # its figures go to the target's folder
            discovery_section(section, found, f"Where it misses: {target.words}")
            page.parts.extend(section.parts)
            write_discovery(
                found, folder, f"{spec.name}: where {packages.package} misses {target.words}"
            )
            entry["discovery"] = discovery_summary(found)
        summary["targets"][target.label] = entry
    thresholds = [
        s.threshold
        for s in spec.series_outcome
        if s.statistic == "days_above" and s.series == "delay_mean_days" and s.threshold is not None
    ]
    rival = _best_rival(result, packages, next(iter(objectives)))
    shown = [label for label in (packages.package, rival, packages.baseline) if label]
    window = next((s.window_days for s in spec.series_outcome if s.series == "delay_mean_days"), 10)
    page.figure(
        "robust_series",
        series_figure(
            study.ensemble.delay_series("delay_mean_days"),
            shown,
            packages.package,
            packages.baseline,
            packages.warmup_days,
            thresholds,
            window,
        ),
        "Daily mean delay over time: package, least-regret rival, baseline",
    )
    (out / "summary.json").write_text(json.dumps(summary, indent=1, default=float))
    document = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(spec.name)}"
        f"</title><style>{STYLE}</style></head><body>{''.join(page.parts)}</body></html>"
    )
    (out / "index.html").write_text(document, encoding="utf-8")
    return out / "index.html", summary


def vars_of(share) -> dict[str, Any]:
    """A share as JSON-ready numbers."""
    low, high = share.interval
    return {
        "met": share.met,
        "worlds": share.worlds,
        "share": share.share,
        "low": low,
        "high": high,
    }


def _best_rival(result, packages, metric: str) -> str | None:
    others = [
        label
        for label in result.summary.index
        if label not in (packages.package, packages.baseline)
    ]
    if not others:
        return None
    return str(result.summary.loc[others, f"{metric}_mean_regret"].idxmin())
