"""The results page: stored experiments, their comparison table and figures, and a bridge that opens
any stored run (scenario, overrides, seed) in the live panes.

Reads the results store (``results.store.Store`` at ``$GOVLAB_DB`` or ``results/govlab.db``) when it
exists. Until something is stored — or while the ``results`` package lacks a piece — the page says
that no results are stored instead of failing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import solara

NO_RESULTS = "No results are stored yet. Run a batch (`govlab batch ...`) and come back."
MAX_FIGURES = 4


@dataclass(frozen=True)
class StoredRun:
    """What the live panes need to replay a stored run."""

    key: str
    label: str
    scenario: str
    overrides: dict
    seed: int
    point: int
    replication: int
    model_version: str | None = None  # of the code that stored it (None: not recorded)
    days: int = 0  # working days the run was stored at: the live panes open it there


def open_store():
    """The results store, or None if there is none (never creates an empty SQLite file)."""
    try:
        from govlab.results.store import Store, default_url
    except ImportError:
        return None
    url = default_url()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return None
    return Store(url)


def experiment_names() -> list[str]:
    """Names of the stored experiments ([] when there is no store)."""
    store = open_store()
    if store is None:
        return []
    with store:
        return store.experiment_names()


def safe_names() -> tuple[list[str], str]:
    """``experiment_names()`` and an error text: a locked or migrating store must not break
    the page."""
    try:
        return experiment_names(), ""
    except Exception as error:
        return [], str(error)


@dataclass
class ExperimentView:
    """Everything the page shows for one experiment."""

    facts: list[tuple[str, str]]
    tables_html: str
    figures: list[tuple[str, bytes]]
    runs: list[StoredRun]
    baseline: str


def load_experiment(name: str, lang: str = "en") -> ExperimentView:
    """Read one experiment: comparison rows, headline figures and its finished runs; tables,
    figures and scenario names in ``lang`` (``results.names``). A calibration's ensemble also
    shows its fit, posterior and predictions (``results.calibration_report``)."""
    from govlab.results import figures, frames, stats
    from govlab.results.calibration_report import (
        calibration_figures,
        calibration_html,
        calibration_of,
    )
    from govlab.results.names import scenario_label
    from govlab.results.report import comparison_html

    store = open_store()
    if store is None:
        raise LookupError(NO_RESULTS)
    with store:
        data = frames.load(store, name)
        metrics = data.headline() or data.metric_names()[:4]
        rows = stats.compare(data.wide, metrics, data.baseline)
        runs_frame = data.runs
    order = {label: rank for rank, label in enumerate(ladder_order(data.labels))}
    rows = sorted(rows, key=lambda row: (order.get(row["scenario"], len(order)), row["point"]))
    done = runs_frame[runs_frame["status"] == "done"]
    runs = [
        StoredRun(
            key=str(row["run_key"]),
            label=str(row["label"]),
            scenario=str(row["scenario"]),
            overrides=dict(row["params"] or {}),
            seed=int(row["seed"]),
            point=int(row["point"]),
            replication=int(row["replication"]),
            model_version=_version(row.get("model_version")),
            days=int(data.spec.get("days", 0) or 0),
        )
        for _, row in done.iterrows()
    ]
    spec = data.spec
    facts = [
        ("scenarios", ", ".join(scenario_label(s, lang) for s in ladder_order(data.labels))),
        ("baseline", scenario_label(data.baseline, lang)),
        ("replications", str(spec.get("replications", "?"))),
        ("days per run", str(spec.get("days", "?"))),
        ("runs stored / done", f"{len(runs_frame)} / {len(done)}"),
    ]
    pictures = []
    tables = ""
    record = calibration_of(spec)
    if record is not None:  # a calibration's ensemble: its fit, posterior and predictions first
        tables = calibration_html(record, lang)
        for picture, figure, _ in calibration_figures(record, lang):
            pictures.append((picture, figures.png(figure)))
    for metric in metrics[:MAX_FIGURES]:
        pictures.append((metric, figures.png(figures.metric_bars(rows, metric, lang=lang))))
    tables += "".join(comparison_html(rows, metric, lang) for metric in metrics)
    return ExperimentView(facts, tables, pictures, runs, data.baseline)


def _version(value) -> str | None:
    return None if value is None or value != value else str(value)  # NaN: not recorded


def version_note(run: StoredRun, current: str, lang: str = "en") -> str:
    """One line when the stored run's model version is not the current code's ("" when it is):
    the live panes replay it with today's code, so its numbers may differ from the store's."""
    from govlab.viz.i18n import translator

    if run.model_version == current:
        return ""
    t = translator(lang)
    stored = run.model_version[:12] if run.model_version else t("not recorded")
    return t(
        "This run was stored by another model version ({stored}; now {current}): the panes "
        "replay it with the current code, so the numbers may differ from the store's."
    ).format(stored=stored, current=current[:12])


def ladder_order(labels) -> list[str]:
    """Scenario labels in the ladder's order (silo → smart), others after in their own order."""
    from govlab.scenarios import shipped_scenarios

    ladder = shipped_scenarios()
    rank = {name: i for i, name in enumerate(ladder)}
    return sorted(labels, key=lambda label: (rank.get(label, len(ladder)), str(label)))


def run_label(run: StoredRun, lang: str = "en") -> str:
    """A readable name for a stored run: scenario, design point, replication, seed."""
    from govlab.viz.i18n import scenario_name, translator

    t = translator(lang)
    point = " · " + t("point {n}").format(n=run.point) if run.point else ""
    rep = t("rep {n}").format(n=run.replication)
    return f"{scenario_name(run.scenario, lang)}{point} · {rep} · {t('seed')} {run.seed}"


def partner(run: StoredRun, view: ExperimentView) -> StoredRun | None:
    """The baseline run with the same design point and replication (the paired comparison)."""
    for other in view.runs:
        if (other.label, other.point, other.replication) == (
            view.baseline,
            run.point,
            run.replication,
        ):
            return other
    return None


@solara.component
def ResultsPage(on_open: Callable[[StoredRun, StoredRun | None], None], lang: str = "en") -> None:
    """List stored experiments; show one; open a run in the live panes."""
    from govlab.viz.i18n import translator

    t = translator(lang)
    refresh = solara.use_reactive(0)
    names, problem = solara.use_memo(safe_names, [refresh.value])
    if problem:
        solara.Warning(t("the results store could not be read: {problem}").format(problem=problem))
    chosen = solara.use_reactive(None)
    with solara.Row(style={"align-items": "center"}):
        solara.HTML(tag="h2", unsafe_innerHTML=t("Stored experiments"))
        solara.Button(
            t("Refresh"),
            icon_name="mdi-refresh",
            text=True,
            on_click=lambda: refresh.set(refresh.value + 1),
        )
    if not names:
        solara.Info(t(NO_RESULTS), classes=["govlab-no-results"])
        return
    name = chosen.value if chosen.value in names else names[-1]
    solara.v.Select(  # an experiment's file name in words (its value stays the name)
        label=t("experiment"),
        items=[{"text": n.replace("_", " "), "value": n} for n in names],
        v_model=name,
        on_v_model=chosen.set,
        class_="govlab-experiment",
    )

    ExperimentPanel(name, refresh.value, on_open, lang)


@solara.component
def ExperimentPanel(
    name: str,
    refresh: int,
    on_open: Callable[[StoredRun, StoredRun | None], None],
    lang: str = "en",
) -> None:
    """One stored experiment: facts, the stored runs (openable), comparison tables, figures."""
    from govlab.results.names import scenario_label
    from govlab.viz.i18n import translator

    t = translator(lang)
    run_key = solara.use_reactive(None)

    def load():
        try:
            return load_experiment(name, lang)
        except Exception as error:
            return str(error)

    view = solara.use_memo(load, [name, refresh, lang])
    if isinstance(view, str):
        solara.Warning(t("{name}: could not be read: {problem}").format(name=name, problem=view))
        return
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(t(k))}</th><td>{html.escape(v)}</td></tr>"
        for k, v in view.facts
    )
    solara.HTML(tag="table", unsafe_innerHTML=rows)
    if view.runs:
        keys = [run.key for run in view.runs]
        key = run_key.value if run_key.value in keys else keys[0]
        run = view.runs[keys.index(key)]
        with solara.Row(style={"align-items": "center"}):
            solara.v.Select(
                label=t("stored run"),
                items=[{"text": run_label(r, lang), "value": r.key} for r in view.runs],
                v_model=key,
                on_v_model=run_key.set,
                style_="min-width: 380px",
                class_="govlab-stored-run",
            )
            solara.Button(
                t("Open in the live panes"),
                icon_name="mdi-open-in-app",
                color="primary",
                classes=["govlab-open-run"],
                on_click=lambda: on_open(run, partner(run, view)),
            )
        solara.Text(
            t(
                "{label}: scenario {scenario}, changes {overrides}, seed {seed} — opens beside "
                "its baseline run with the same seed"
            ).format(
                label=scenario_label(run.label, lang),
                scenario=scenario_label(run.scenario, lang),
                overrides=overrides_text(run.overrides, lang) or t("none"),
                seed=run.seed,
            )
        )
    solara.HTML(tag="div", unsafe_innerHTML=view.tables_html, classes=["govlab-comparison"])
    with solara.Row(style={"flex-wrap": "wrap"}):
        for metric, data in view.figures:
            solara.Image(data, width="480px", classes=[f"govlab-figure-{metric}"])


def overrides_text(overrides: dict, lang: str) -> str:
    """A stored run's parameter changes in words: levers and response office settings by their
    readable names, values as the lever panel shows them ("front desk: on")."""
    from govlab.results.names import parameter_name
    from govlab.viz.i18n import LEVERS, choice_label, lever_label

    parts = []
    for key, value in overrides.items():
        name = key.removeprefix("levers.")
        label = lever_label(name, lang) if name in LEVERS else parameter_name(key)
        shown = f"{value:g}" if isinstance(value, float) else choice_label(value, lang)
        parts.append(f"{label}: {shown}")
    return ", ".join(parts)
