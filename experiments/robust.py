"""Robustness of a package over an uncertainty ensemble (issue 23 §4): regret, satisficing, where
it fails.

From the stored runs (one row per package, world and replication; ``experiments.robust_runs``):

- **per-world outcomes**: each package's mean of every objective over the replications of a
  world (replications share seeds across packages, so the packages meet the same luck);
- **regret** (Savage; EMA Workbench's convention): in each world and per objective, how far a
  package is from the best package *compared* in that world — ``x − min`` for a minimised
  objective, ``max − x`` for a maximised one — in the objective's unit, and as a share of the
  best's magnitude; summarised by its mean and maximum over the worlds (minimax regret);
- **satisficing share**: the share of worlds where a package meets a ``[[target]]`` rule (its
  outcome averaged over replications — the paired relative change against the baseline at the
  same world and seed, or the metric itself), with a Clopper–Pearson 95% interval that treats the
  worlds as a random sample of the ensemble's distribution;
- **discovery** of where the package misses each target: PRIM and CART boxes and feature scores
  (``experiments.discover``) over the worlds, the points of interest being its misses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy import stats

from govlab.experiments.discover import Discovery, DiscoveryError, discover, outcome_by_point
from govlab.experiments.robust_spec import Target


def world_means(wide: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Mean of each metric over the replications, one row per (label, point)."""
    return wide.groupby(["label", "point"])[metrics].mean()


def regret(means: pd.DataFrame, objectives: dict[str, str]) -> pd.DataFrame:
    """Per (label, point) and objective: the regret against the best label at that point, in the
    objective's unit (columns named as the objectives) and as a share of the best's magnitude
    (``<objective>_share``; NaN where the best is 0)."""
    out = pd.DataFrame(index=means.index)
    for metric, direction in objectives.items():
        values = means[metric]
        by_point = values.groupby(level="point")
        best = by_point.transform("min" if direction == "min" else "max")
        gap = values - best if direction == "min" else best - values
        out[metric] = gap
        out[f"{metric}_share"] = gap / best.abs().where(best != 0)
    return out


def regret_summary(regrets: pd.DataFrame, objectives: dict[str, str]) -> pd.DataFrame:
    """Per label: mean and maximum regret over the worlds of each objective, and the share of
    worlds where the label is the best (regret 0 on that objective)."""
    rows = {}
    for label, part in regrets.groupby(level="label"):
        row: dict[str, float] = {}
        for metric in objectives:
            row[f"{metric}_mean_regret"] = float(part[metric].mean())
            row[f"{metric}_max_regret"] = float(part[metric].max())
            row[f"{metric}_best_share"] = float((part[metric] <= 0).mean())
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("label")


def target_outcome(wide: pd.DataFrame, target: Target, label: str, baseline: str) -> pd.Series:
    """The target's outcome of ``label`` per point: the mean over replications of the paired
    relative change against ``baseline`` (relative rule) or of the metric."""
    relative = baseline if target.relative_at_most is not None else None
    return outcome_by_point(wide, target.metric, label, relative)


def meets(outcome: pd.Series, target: Target) -> pd.Series:
    """True where the outcome meets the rule (bounds included)."""
    if target.relative_at_most is not None:
        return outcome <= target.relative_at_most
    if target.at_most is not None:
        return outcome <= target.at_most
    return outcome >= target.at_least


@dataclass(frozen=True)
class Share:
    """A satisficing share: worlds meeting of worlds judged, with a Clopper–Pearson interval."""

    met: int
    worlds: int

    @property
    def share(self) -> float:
        return self.met / self.worlds if self.worlds else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        """The exact (Clopper–Pearson) 95% interval."""
        if not self.worlds:
            return float("nan"), float("nan")
        found = stats.binomtest(self.met, self.worlds).proportion_ci(0.95, method="exact")
        return float(found.low), float(found.high)


def satisficing(wide: pd.DataFrame, target: Target, labels: list[str], baseline: str) -> dict:
    """The satisficing share of each label (the baseline's own relative change is 0)."""
    shares = {}
    for label in labels:
        met = meets(target_outcome(wide, target, label, baseline), target)
        shares[label] = Share(int(met.sum()), int(met.size))
    return shares


def replications_meeting(wide: pd.DataFrame, target: Target, label: str, baseline: str):
    """Per point: the share of the label's replications that meet the rule on their own."""
    x = wide[wide["label"] == label].set_index(["point", "seed"])[target.metric].astype(float)
    if target.relative_at_most is not None:
        b = wide[wide["label"] == baseline].set_index(["point", "seed"])[target.metric]
        x = (x - b) / b.where(b != 0)
    return meets(x.dropna(), target).groupby(level="point").mean()


def miss_threshold(target: Target) -> dict[str, float]:
    """The discovery's threshold: the points of interest are the misses."""
    if target.relative_at_most is not None:
        return {"above": target.relative_at_most}
    if target.at_most is not None:
        return {"above": target.at_most}
    assert target.at_least is not None
    return {"below": target.at_least}


def failures(
    wide: pd.DataFrame,
    worlds: list[dict[str, Any]],
    target: Target,
    package: str,
    baseline: str,
    seed: int,
) -> Discovery | str:
    """PRIM and CART boxes of the worlds where ``package`` misses ``target`` (or, as one line,
    why there are none: no miss, nothing but misses, too few worlds)."""
    relative = baseline if target.relative_at_most is not None else None
    try:
        return discover(
            wide,
            {"points": worlds},
            target.metric,
            package,
            relative_to=relative,
            seed=seed % 2**32,
            **miss_threshold(target),
        )
    except DiscoveryError as error:
        return str(error)


@dataclass
class Robust:
    """Everything ``govlab robust`` reports.

    Attributes:
        wide: one row per run (label, point, replication, seed, metrics, series outcomes).
        means: per (label, point) means; regrets: per (label, point) regret of each objective.
        summary: per label mean / max regret and best share.
        shares: per target name, per label: its ``Share``.
        outcomes: per target name: the package's outcome and whether it meets, per point.
        discoveries: per target name: the ``Discovery`` of the misses, or why there is none.
    """

    wide: pd.DataFrame
    means: pd.DataFrame
    regrets: pd.DataFrame
    summary: pd.DataFrame
    shares: dict[str, dict[str, Share]]
    outcomes: dict[str, pd.DataFrame]
    discoveries: dict[str, Discovery | str] = field(default_factory=dict)


def analyse(
    wide: pd.DataFrame,
    worlds: list[dict[str, Any]],
    objectives: dict[str, str],
    targets: list[Target],
    package: str,
    baseline: str,
    seed: int,
) -> Robust:
    """Regret, satisficing and the discovery of the misses of ``package`` on the stored runs."""
    metrics = list(dict.fromkeys([*objectives, *(t.metric for t in targets)]))
    means = world_means(wide, metrics)
    regrets = regret(means[list(objectives)], objectives)
    labels = list(dict.fromkeys(wide["label"]))
    shares, outcomes, found = {}, {}, {}
    for target in targets:
        shares[target.label] = satisficing(wide, target, labels, baseline)
        outcome = target_outcome(wide, target, package, baseline)
        outcomes[target.label] = pd.DataFrame(
            {
                "outcome": outcome,
                "meets": meets(outcome, target),
                "replications_meeting": replications_meeting(wide, target, package, baseline),
            }
        )
        found[target.label] = failures(wide, worlds, target, package, baseline, seed)
    summary = regret_summary(regrets, objectives)
    return Robust(wide, means, regrets, summary, shares, outcomes, found)
