"""A calibration in the report and the results tab (issue 22 item 6): the fit of every observed
figure with its interval, the posterior of each parameter, the predicted reform effects with
their intervals, and the observed "after" figures against the predicted ones with coverage.

Everything is read from the ``calibration`` record that ``govlab calibrate`` and ``govlab
predict`` put in the specification of the store's ensemble experiment
(``experiments.calibrate.calibration_record``), so the store alone is enough. Tables are HTML in
English or Chinese (``results.names``): metrics, parameters, scenarios and the figure ids read as
words, never as code names. ``calibration_section`` is the report's section; ``calibration_html``
and ``calibration_figures`` serve the results tab.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from govlab.results.names import metric_name, parameter_name, scenario_label, words

HEADLINE_PREDICTED = 8  # reform effects shown: the headline metrics present, up to this many
STATUSES = ("fits", "misses", "unreachable", "design")


def calibration_of(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The calibration record of a stored experiment's specification (None: not a calibration)."""
    record = spec.get("calibration")
    return record if isinstance(record, dict) and "fit" in record else None


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    return f"{float(value):.4g}"


def _interval(mid: Any, low: Any, high: Any) -> str:
    if low is None or high is None:
        return _num(mid)
    return f"{_num(mid)} [{_num(low)}, {_num(high)}]"


def _table(header: list[str], rows: list[list[str]], left: int = 2) -> str:
    from govlab.results.report import table_html

    return table_html(header, rows, left)


def _label(text: str) -> str:
    return html.escape(str(text).replace("_", " "))


def fit_html(record: dict[str, Any], lang: str = "en") -> str:
    """The fit table: every 'before' figure, observed and predicted, with its status."""
    t = words(lang)
    rows = [
        [
            _label(row["id"]),
            html.escape(metric_name(row["metric"], lang)),
            _interval(row["observed"], row["observed_low"], row["observed_high"]),
            _interval(row["predicted"], row["predicted_low"], row["predicted_high"]),
            html.escape(t(row["status"])),
        ]
        for row in record["fit"]
    ]
    counts = {status: sum(r["status"] == status for r in record["fit"]) for status in STATUSES}
    fitted = counts["fits"] + counts["misses"]
    summary = t(
        "{fits} of {fitted} fitted figures inside their predicted 90% interval; "
        "{unreachable} out of the model's reach (left out of the fit, shown here); "
        "{design} design properties (fixed by the catalogue, not fitted)."
    ).format(fitted=fitted, **counts)
    header = [t(w) for w in ("figure", "metric", "observed [90% interval]",
              "predicted [90% interval]", "status")]  # fmt: skip
    return (
        f"<h3>{t('Fit to the observed figures')}</h3>"
        + _table(header, rows)
        + f"<p class=muted>{html.escape(summary)} "
        + html.escape(
            t(
                "Predicted: the posterior ensemble's runs plus each figure's measurement error "
                "(what would be observed)."
            )
        )
        + "</p>"
    )


def posterior_html(record: dict[str, Any], lang: str = "en") -> str:
    """Each parameter's prior range and posterior median with its 90% interval."""
    t = words(lang)
    rows = [
        [
            html.escape(parameter_name(path, lang)),
            f"{_num(post['prior_low'])} – {_num(post['prior_high'])}",
            _interval(post["median"], post["p05"], post["p95"]),
        ]
        for path, post in record["posterior"].items()
    ]
    header = [t(w) for w in ("parameter", "prior (uniform)", "posterior median [90% interval]")]
    return f"<h3>{t('Posterior of the parameters')}</h3>" + _table(header, rows, left=1)


def _predicted_metrics(record: dict[str, Any]) -> list[str]:
    from govlab.results.frames import HEADLINE

    present = {row["metric"] for row in record.get("predicted") or []}
    after = [row["metric"] for row in record.get("versus") or []]
    chosen = [m for m in HEADLINE if m in present][:HEADLINE_PREDICTED]
    return list(dict.fromkeys([*chosen, *(m for m in after if m in present)]))


def predicted_html(record: dict[str, Any], lang: str = "en") -> str:
    """The predicted level and paired change of each reform (headline metrics and those with
    an observed 'after' figure), median and 90% interval over the posterior ensemble."""
    t = words(lang)
    if not record.get("predicted"):
        return f"<p class=muted>{html.escape(t('No reform predicted yet (govlab predict).'))}</p>"
    order = {metric: i for i, metric in enumerate(_predicted_metrics(record))}
    chosen = sorted(
        (row for row in record["predicted"] if row["metric"] in order),
        key=lambda row: (order[row["metric"]], str(row["reform"])),
    )
    rows = [
        [
            html.escape(scenario_label(row["scenario"], lang)),
            html.escape(metric_name(row["metric"], lang)),
            _interval(row["median"], row["low"], row["high"]),
            _interval(row["change_median"], row["change_low"], row["change_high"]),
        ]
        for row in chosen
    ]
    header = [t(w) for w in ("reform", "metric", "predicted [90% interval]",
              "change vs baseline [90% interval]")]  # fmt: skip
    return (
        f"<h3>{t('Predicted reform effects')}</h3>"
        + _table(header, rows)
        + "<p class=muted>"
        + html.escape(
            t(
                "Each posterior point runs the reform and the baseline with the same seeds: the "
                "change is paired."
            )
        )
        + "</p>"
    )


def versus_html(record: dict[str, Any], lang: str = "en") -> str:
    """Observed 'after' figures against the predicted 90% interval, with coverage."""
    t = words(lang)
    versus = record.get("versus")
    if versus is None:
        return ""
    if not versus:
        return f"<p class=muted>{html.escape(t('No observed after figure for these reforms.'))}</p>"
    said = {True: t("covered"), False: t("not covered"), None: t("design")}
    rows = [
        [
            _label(row["id"]),
            html.escape(scenario_label(row["scenario"], lang)),
            html.escape(metric_name(row["metric"], lang)),
            _interval(row["observed"], row["observed_low"], row["observed_high"]),
            _interval(row["predicted"], row["predicted_low"], row["predicted_high"]),
            html.escape(said[row.get("covered")]),
        ]
        for row in versus
    ]
    judged = [row["covered"] for row in versus if row.get("covered") is not None]
    coverage = t("{covered} of {judged} observed after figures inside the predicted 90% interval.")
    header = [t(w) for w in ("figure", "reform", "metric", "observed [90% interval]",
              "predicted [90% interval]", "coverage")]  # fmt: skip
    return (
        f"<h3>{t('Observed after the reform vs predicted (out of sample)')}</h3>"
        + _table(header, rows, left=3)
        + f"<p>{html.escape(coverage.format(covered=sum(judged), judged=len(judged)))}</p>"
    )


def calibration_html(record: dict[str, Any], lang: str = "en") -> str:
    """The whole calibration as HTML: how it was fitted, then the four tables."""
    t = words(lang)
    setup, abc = record["setup"], record.get("abc") or {}
    epsilons = abc.get("epsilons") or []
    intro = t(
        "Fitted by ABC-SMC to the before figures of {place}: {simulations} simulations in "
        "{generations} generations (final tolerance {eps} standard errors), then a posterior "
        "ensemble of {points} points with {replications} seeds each."
    ).format(
        place=_label(setup.get("place") or "—"),
        simulations=abc.get("simulations", "—"),
        generations=abc.get("generations", "—"),
        eps=_num(epsilons[-1]) if epsilons else "—",
        points=setup["points"],
        replications=setup["replications"],
    )
    return (
        f"<h2>{t('Calibration')}</h2><p>{intro}</p>"
        + fit_html(record, lang)
        + posterior_html(record, lang)
        + predicted_html(record, lang)
        + versus_html(record, lang)
    )


def calibration_figures(record: dict[str, Any], lang: str = "en") -> list[tuple[str, Figure, str]]:
    """``(name, figure, caption)``: posterior marginals, pairwise, fit, and out-of-sample."""
    from govlab.results.calibration_figures import (
        marginals_figure,
        pairwise_figure,
        predictive_figure,
    )

    t = words(lang)
    parameters = record["setup"]["parameters"]
    particles = np.asarray(record["particles"], dtype=float).reshape(-1, len(parameters))
    weights = np.asarray(record["weights"], dtype=float)
    out = [
        (
            "calibration_marginals",
            marginals_figure(particles, weights, parameters, lang),
            t("Posterior of each parameter (dotted: the prior)"),
        )
    ]
    pairs = pairwise_figure(particles, weights, parameters)
    if pairs is not None:
        out.append(("calibration_pairwise", pairs, t("Posterior, parameters in pairs")))
    out.append(
        (
            "calibration_fit",
            predictive_figure(record["fit"], "posterior predictive", lang),
            t("Observed figures (black) and the posterior predictive (colour)"),
        )
    )
    if record.get("versus"):
        out.append(
            (
                "calibration_after",
                predictive_figure(record["versus"], "predicted 'after' vs observed", lang),
                t("Observed after the reform (black) and predicted (colour)"),
            )
        )
    return out


def calibration_section(page, ctx) -> None:
    """The report's section (``results.report.SECTIONS``): nothing unless the experiment is a
    calibration's ensemble."""
    record = calibration_of(ctx.data.spec)
    if record is None:
        return
    page.add(calibration_html(record))
    for name, figure, caption in calibration_figures(record):
        page.figure(name, figure, caption)
