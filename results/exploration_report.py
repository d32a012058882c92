"""The HTML report (``govlab report``) of a stored lever search (``govlab optimise``, issue 14).

A search is stored as one exploration experiment (``optimise:<name>``) whose runs are candidates ×
worlds × replications, not scenarios of an experiment file, so the report's scenario comparison
does not apply. Its report holds a header (store, runs, code and model versions), the search's
section (``results.exploration_optimise.optimisation_section``: chosen packages with intervals,
Pareto set, parallel coordinates, cost figure, hypervolume by generation, cost sensitivity), the
failed runs and the provenance of every run, as the experiment report does.
"""

from __future__ import annotations

import html
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from govlab.results import frames
from govlab.results.exploration_optimise import cost_sensitivity, optimisation_section, tables
from govlab.results.report import STYLE, Page, _failures, _provenance, table_html
from govlab.results.store import Store


def _header(page: Page, store: Store, data: frames.ExperimentData) -> None:
    runs = data.runs
    done = int((runs["status"] == "done").sum())
    failed = int((runs["status"] == "failed").sum())
    started = pd.to_datetime(runs["started_at"])
    ended = started + pd.to_timedelta(runs["seconds"].astype(float), unit="s")
    page.add(f"<h1>{html.escape(data.experiment.name)}</h1>")
    page.add(f"<p>{html.escape(data.spec.get('description') or '')}</p>")
    facts = [
        ["runs stored", f"{len(runs)} ({done} done, {failed} failed)"],
        ["runs' time, summed", f"{float(runs['seconds'].sum()):.0f} s"],
        [
            "first run started – last run ended (UTC)",
            f"{started.min():%Y-%m-%d %H:%M:%S} – {ended.max():%Y-%m-%d %H:%M:%S}",
        ],
        ["store", html.escape(store.safe_url)],
        ["code (git)", html.escape(", ".join(sorted({str(c) for c in runs["git_commit"]})))],
        [
            "model version",
            html.escape(", ".join(sorted({str(v) for v in runs["model_version"]}))),
        ],
    ]
    page.add(table_html(["", ""], facts))


def optimisation_report(store: Store, result, spec, evaluator, out: str | Path) -> Path:
    """Write ``out/index.html`` (and ``out/figures/*.png``) for the stored search of ``spec``.

    Raises:
        StoreError: the search's finished runs mix model versions or definitions.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = frames.load(store, f"optimise:{spec.name}", metrics=[])
    page = Page(out)
    _header(page, store, data)
    made = tables(result, spec)
    optimisation_section(
        page, result, spec, evaluator, made, cost_sensitivity(result, spec, evaluator)
    )
    context = SimpleNamespace(data=data)
    _failures(page, context)
    _provenance(page, context)
    document = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>"
        f"{html.escape(data.experiment.name)}</title><style>{STYLE}</style></head><body>"
        f"{''.join(page.parts)}</body></html>"
    )
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path
