"""Scenario discovery on a stored experiment (issue 14 §4): PRIM and CART boxes, feature scores.

The experiment's design points are the uncertain worlds (``[uncertainties]``, or any sample or
sweep). The outcome at a point is a metric of one scenario averaged over its replications, or its
paired change against a baseline scenario at the same point — ``mean_r (x_r − b_r) / b_r`` over
the replications r that share a seed. A point is *of interest* when that outcome is below (or
above) a threshold. EMA Workbench's PRIM (``ema_workbench.analysis.prim``) peels boxes over the
uncertainties; CART's leaves (``experiments.discover_cart``) give a second set of boxes;
extra-trees feature scores (``feature_scoring``) rank the uncertainties.

PRIM's chosen box keeps only restrictions it can support: while a restriction's quasi-p-value
(Bryant & Lempert 2010, a one-sided binomial test of the box's density against the box without
that restriction) is above ``max_qp``, the weakest is dropped (EMA's ``drop_restriction``) and
the others are tested again; the dropped ones are reported, and a box left with none is the whole
sample, said in a warning. With fewer than ``MIN_OF_INTEREST`` points of interest, or fewer than
the box's minimum mass (``mass_min`` of the points, so that no box can be wholly of interest),
the discovery warns that its box rests on too few points.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from govlab.experiments.discover_cart import CartBoxes, cart_boxes
from govlab.experiments.spec import ExperimentError

MIN_OF_INTEREST = 10  # fewer points of interest: coverage moves in steps of over 10 %

LIMITS = ["uncertainty", "box_low", "box_high", "range_low", "range_high", "qp"]


class DiscoveryError(ExperimentError):
    """The discovery cannot be made (unknown scenario or metric, no case of interest); one line."""


@dataclass
class Discovery:
    """The result of one scenario discovery.

    Attributes:
        question: the outcome and its threshold in words.
        x: the uncertainty points (one row per design point).
        outcome: the outcome per point; y: True where the point is of interest.
        trajectory: PRIM's peeling trajectory (coverage, density, mass, res_dim per box).
        chosen: index of the chosen box in the trajectory.
        limits: the chosen box's restricted dimensions: min, max, full-range min and max, qp.
        scores: feature scores of each uncertainty (extra trees), highest first.
        prim: the EMA PRIM box object (for its figures).
        cart: CART's leaves of interest as boxes (``experiments.discover_cart``).
        max_qp: the largest quasi-p-value a restriction of the chosen box may have.
        dropped: restrictions dropped from PRIM's box, weakest first (their bounds and the
            quasi-p-value at which each was dropped).
        warnings: one line each: too few points of interest, no restriction kept.
    """

    question: str
    x: pd.DataFrame
    outcome: pd.Series
    y: np.ndarray
    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame
    scores: pd.Series
    prim: Any
    cart: CartBoxes
    max_qp: float = 0.05
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LIMITS))
    warnings: list[str] = field(default_factory=list)

    @property
    def box(self) -> dict[str, float]:
        """Coverage, density, mass and restricted dimensions of the chosen box."""
        row = self.trajectory.iloc[self.chosen]
        return {k: float(row[k]) for k in ("coverage", "density", "mass", "res_dim")}


def outcome_by_point(
    wide: pd.DataFrame,
    metric: str,
    scenario: str,
    relative_to: str | None = None,
) -> pd.Series:
    """Per design point: mean of ``metric`` for ``scenario`` over its replications, or the mean
    paired relative change against ``relative_to`` (same point and seed)."""
    labels = set(wide["label"])
    for label, option in ((scenario, "--scenario"), (relative_to, "--relative-to")):
        if label is not None and label not in labels:
            raise DiscoveryError(f"{option}: {label!r} is not one of {sorted(labels)}")
    if metric not in wide.columns:
        known = ", ".join(c for c in wide.columns if "." not in c and c not in _RUN)
        raise DiscoveryError(f"--outcome: no metric {metric!r}; known: {known}")
    x = wide[wide["label"] == scenario].set_index(["point", "seed"])[metric].astype(float)
    if relative_to is None:
        return x.groupby(level="point").mean()
    b = wide[wide["label"] == relative_to].set_index(["point", "seed"])[metric].astype(float)
    joined = pd.concat({"x": x, "b": b}, axis=1).dropna()
    change = (joined["x"] - joined["b"]) / joined["b"].where(joined["b"] != 0)
    return change.groupby(level="point").mean().dropna()


_RUN = {"run_id", "run_key", "label", "point", "replication", "seed"}


def uncertainty_frame(design: dict[str, Any], points: pd.Index) -> pd.DataFrame:
    """The design points' parameter values (numbers; categories as strings), one row a point."""
    rows = [design["points"][int(p)] for p in points]
    frame = pd.DataFrame(rows, index=points)
    if frame.shape[1] == 0:
        raise DiscoveryError(
            "the experiment has no uncertainty points (no uncertainties, sample "
            "or sweep): nothing to discover over"
        )
    for column in frame.columns:
        if frame[column].dtype == bool or frame[column].dtype == object:
            frame[column] = frame[column].astype(str).astype("category")
    return frame.reset_index(drop=True)


def choose_box(trajectory: pd.DataFrame, min_density: float) -> int:
    """The box with the highest coverage among those at least ``min_density`` dense (the densest
    box if none is)."""
    dense = trajectory[trajectory["density"] >= min_density]
    if dense.empty:
        return int(trajectory["density"].to_numpy().argmax())
    return int(dense.sort_values(["coverage", "density"], ascending=False).index[0])


def discover(
    wide: pd.DataFrame,
    design: dict[str, Any],
    metric: str,
    scenario: str,
    *,
    relative_to: str | None = None,
    below: float | None = None,
    above: float | None = None,
    min_density: float = 0.8,
    max_qp: float = 0.05,
    mass_min: float = 0.05,
    seed: int = 0,
) -> Discovery:
    """PRIM, CART and feature scores for the points where the outcome is below / above a threshold.

    The chosen box is the most covering one of at least ``min_density`` (else the densest);
    then its restrictions whose quasi-p-value exceeds ``max_qp`` are dropped one at a time, the
    weakest first, testing the rest again each time (EMA's ``drop_restriction``; each resulting
    box is appended to the trajectory): ``Discovery.dropped`` lists them.
    """
    with warnings.catch_warnings():  # "ipyparallel not installed": EMA's optional extra
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring, prim

    if (below is None) == (above is None):
        raise DiscoveryError("give exactly one of --below and --above")
    outcome = outcome_by_point(wide, metric, scenario, relative_to)
    if len(outcome) < 10:
        raise DiscoveryError(f"only {len(outcome)} design points with finished runs; need ≥ 10")
    x = uncertainty_frame(design, outcome.index)
    values = outcome.to_numpy(dtype=float)
    y = values < below if below is not None else values > above
    what = f"change of {metric} of {scenario} vs {relative_to}" if relative_to else metric
    sign = f"< {below:g}" if below is not None else f"> {above:g}"
    question = f"{what} {sign} (points of interest: {int(y.sum())} of {len(y)})"
    if not y.any() or y.all():
        raise DiscoveryError(f"{question}: PRIM needs both kinds of points")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's logging and pandas notices
        found = prim.Prim(x, y.astype(int), mass_min=mass_min)
        box = found.find_box()
        trajectory = box.peeling_trajectory.copy()
        chosen = choose_box(trajectory, min_density)
        box.select(chosen)
        chosen, limits, dropped = drop_weak(box, x, chosen, max_qp)
        trajectory = box.peeling_trajectory.copy()
        scores = _scores(feature_scoring, x, y, seed)
    tree = cart_boxes(x, y, mass_min=mass_min, seed=seed)
    cautions = [few_points(int(y.sum()), len(y), mass_min)]
    if len(dropped) and limits.empty:
        cautions.append(
            f"no restriction of PRIM's box has a quasi-p-value ≤ {max_qp:g} (dropped: "
            + ", ".join(f"{r.uncertainty} qp {qp_text(r.qp)}" for r in dropped.itertuples())
            + "): the box is the whole sample"
        )
    return Discovery(
        question, x, outcome.reset_index(drop=True), y, trajectory, chosen, limits, scores, box,
        tree, max_qp, dropped, [c for c in cautions if c],
    )  # fmt: skip


def few_points(of_interest: int, points: int, mass_min: float) -> str:
    """A one-line warning when the points of interest are too few for PRIM ("" when not): fewer
    than ``MIN_OF_INTEREST``, or fewer than a box's minimum mass (``mass_min`` of the points)."""
    if of_interest >= MIN_OF_INTEREST and of_interest >= mass_min * points:
        return ""
    return (
        f"only {of_interest} point(s) of interest of {points}, fewer than {MIN_OF_INTEREST} or "
        f"than a box's minimum mass ({mass_min:.0%} of the points): PRIM's box, coverage and "
        "quasi-p-values rest on too few points; sample more points or choose another threshold"
    )


def drop_weak(box, x: pd.DataFrame, chosen: int, max_qp: float):
    """Drop the chosen box's restrictions whose quasi-p-value exceeds ``max_qp`` (or is
    unknown), the weakest first, until every one left has at most ``max_qp``.

    Returns:
        ``(chosen, limits, dropped)``: the final box's index in the trajectory, its limits, and
        the dropped restrictions (their bounds and quasi-p-value when dropped).
    """
    limits = _limits(box, x, chosen)
    dropped = []
    for _ in range(len(limits)):
        qp = pd.to_numeric(limits["qp"], errors="coerce").fillna(np.inf)
        if not (qp > max_qp).any():
            break
        worst = limits.loc[qp.idxmax()]
        dropped.append(worst)
        box.drop_restriction(worst["uncertainty"], chosen)
        chosen = len(box.peeling_trajectory) - 1
        box.select(chosen)
        limits = _limits(box, x, chosen)
    return chosen, limits, pd.DataFrame(dropped, columns=LIMITS).reset_index(drop=True)


def qp_text(value) -> str:
    """A quasi-p-value for a table or a line (— when unknown)."""
    return "—" if value is None or value != value else f"{float(value):.2g}"


def _limits(box, x: pd.DataFrame, chosen: int) -> pd.DataFrame:
    """Restricted dimensions of the box: its bounds, the full range and the quasi-p-value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, table = box.inspect(chosen, style="data")[0]
    rows = []
    for name in table.index:
        low, high = table.loc[name].iloc[0], table.loc[name].iloc[1]
        qp = table.loc[name].iloc[2:]
        qp = [float(v) for v in qp if isinstance(v, int | float) and np.isfinite(v)]
        rows.append(
            {
                "uncertainty": name,
                "box_low": low,
                "box_high": high,
                "range_low": x[name].min(),
                "range_high": x[name].max(),
                "qp": max(qp) if qp else None,
            }
        )
    return pd.DataFrame(rows, columns=LIMITS)


def _scores(feature_scoring, x: pd.DataFrame, y: np.ndarray, seed: int) -> pd.Series:
    """Extra-trees feature scores of the binary outcome (seeded), highest first."""
    encoded = x.copy()
    for column in encoded.columns:
        if isinstance(encoded[column].dtype, pd.CategoricalDtype):
            encoded[column] = encoded[column].cat.codes
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    scores, _ = feature_scoring.get_ex_feature_scores(
        encoded,
        y.astype(int),
        mode=RuleInductionType.CLASSIFICATION,
        max_features=max(1, round(encoded.shape[1] / 3)),
        random_state=seed,
    )
    series = scores.iloc[:, 0] if isinstance(scores, pd.DataFrame) else scores
    return series.sort_values(ascending=False)
