"""Reading an experiment back from the store as pandas tables for statistics, figures and reports.

``load(store, name)`` gives the experiment row, every run with its provenance, and ``wide``: one
row per finished run (label, point, replication, seed) with one column per metric. The headline
metrics are the run summary's top-level numbers, the service ones first.

Runs of different definitions are never pooled: ``load`` refuses an experiment whose finished runs
of one scenario and design point have different digests, or whose finished runs come from
different model versions (``check_one_definition``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from govlab.results.store import ExperimentRow, Store, StoreError

# Shown first, in this order, when present; every other top-level metric follows alphabetically.
HEADLINE = (
    "delay_mean_days",
    "delay_p90_days",
    "trips_per_case",
    "share_at_most_one_trip",
    "documents_resubmitted_per_case",
    "handoffs_per_case",
    "business_registration_days_mean",
    "utilisation_mean",
    "participation_rate",
    "trust_mean",
    "satisfaction_mean",
    "response_rate",
)
RUN_COLUMNS = ["run_id", "run_key", "label", "point", "replication", "seed"]


@dataclass
class ExperimentData:
    """One stored experiment, read back."""

    experiment: ExperimentRow
    runs: pd.DataFrame
    wide: pd.DataFrame

    @property
    def labels(self) -> list[str]:
        """Scenario labels in the experiment file's order."""
        return [entry.get("label") or _stem(entry["scenario"]) for entry in self.spec["scenarios"]]

    @property
    def spec(self) -> dict:
        """The experiment specification as stored."""
        return self.experiment.spec

    @property
    def baseline(self) -> str:
        """The baseline label."""
        return self.spec.get("baseline") or self.labels[0]

    def metric_names(self, top_level: bool = True) -> list[str]:
        """Metrics present in the finished runs (top-level ones by default), headline first."""
        names = [c for c in self.wide.columns if c not in RUN_COLUMNS]
        if top_level:
            names = [n for n in names if "." not in n]
        first = [n for n in HEADLINE if n in names]
        return first + sorted(n for n in names if n not in first)

    def headline(self) -> list[str]:
        """The headline metrics present."""
        return [n for n in HEADLINE if n in self.wide.columns]


def _stem(text: str) -> str:
    return text.rsplit("/", 1)[-1].removesuffix(".toml")


def check_one_definition(name: str, runs: pd.DataFrame) -> None:
    """Raise ``StoreError`` if the finished runs mix definitions (see the module docstring)."""
    done = runs[runs["status"] == "done"]
    if done.empty:
        return
    advice = f"rerun its batch with --set-aside (or --fresh) so that {name!r} holds one definition"
    versions = sorted({str(v) if v is not None else "unrecorded" for v in done["model_version"]})
    if len(versions) > 1:
        raise StoreError(
            f"experiment {name!r} holds finished runs of {len(versions)} model versions "
            f"({', '.join(versions)}); they are not pooled: {advice}"
        )
    counts = done.groupby(["label", "point"])["digest"].nunique()
    mixed = counts[counts > 1]
    if len(mixed):
        groups = ", ".join(f"{label} #{point}" for label, point in mixed.index[:5])
        raise StoreError(
            f"experiment {name!r} holds finished runs of different definitions for {groups} "
            f"(a scenario or parameter was edited between batches); they are not pooled: {advice}"
        )


def load(store: Store, name: str, metrics: list[str] | None = None) -> ExperimentData:
    """Read experiment ``name``.

    Raises:
        StoreError: no such experiment, or its finished runs mix definitions.
    """
    experiment = store.experiment(name)
    runs = store.runs(experiment.id)
    check_one_definition(name, runs)
    long = store.metrics(experiment.id, metrics)
    done = runs[runs["status"] == "done"].rename(columns={"id": "run_id"})[RUN_COLUMNS]
    if len(long):
        pivot = long.pivot(index="run_id", columns="name", values="value")
        pivot.columns.name = None
        wide = done.merge(pivot, left_on="run_id", right_index=True, how="left")
    else:
        wide = done.copy()
    wide = wide.sort_values(["replication", "label", "point"]).reset_index(drop=True)
    return ExperimentData(experiment, runs, wide)
