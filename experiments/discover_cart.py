"""CART beside PRIM in scenario discovery (issue 14 §4): the tree's leaves as boxes.

EMA Workbench's ``ema_workbench.analysis.cart.CART`` turns a classification tree (scikit-learn's
``DecisionTreeClassifier``, leaves of at least ``mass_min`` of the points) into boxes, one per
leaf, with coverage (share of all points of interest inside the leaf), density (share of the
leaf's points that are of interest), mass and the number of restricted dimensions. EMA builds the
tree unseeded; here the same tree is built with a ``random_state`` (scikit-learn permutes the
features when it looks for a split, which decides ties), so a discovery is reproducible.

The boxes reported are the leaves *of interest*: density above the share of points of interest in
the whole sample (the leaf concentrates the cases), highest coverage first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class CartBoxes:
    """The leaves of a CART tree as scenario-discovery boxes.

    Attributes:
        boxes: one row per leaf of interest: box (leaf number), coverage, density, mass, res_dim.
        limits: one row per restricted dimension of those leaves: box, uncertainty, box_low,
            box_high (categories: the kept set as text), range_low, range_high.
        leaves: every leaf's statistics (box, coverage, density, mass, res_dim).
        tree: the fitted ``DecisionTreeClassifier``; features: its input columns.
    """

    boxes: pd.DataFrame
    limits: pd.DataFrame
    leaves: pd.DataFrame
    tree: Any
    features: list[str]


def cart_boxes(x: pd.DataFrame, y: np.ndarray, mass_min: float = 0.05, seed: int = 0) -> CartBoxes:
    """CART on the points ``x`` with the binary outcome ``y``; its leaves of interest as boxes."""
    with warnings.catch_warnings():  # "ipyparallel not installed": EMA's optional extra
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart
        from ema_workbench.analysis.scenario_discovery_util import _make_box
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(y).astype(int)
    found = cart.CART(x, y, mass_min=mass_min)
    found.clf = DecisionTreeClassifier(
        min_samples_leaf=max(int(mass_min * len(x)), 1), random_state=seed
    )
    found.clf.fit(found._x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas notices inside EMA
        boxes, stats = found.boxes, found.stats
    initial = _make_box(x)
    base_rate = float(y.mean())
    leaves, limits = [], []
    for number, (box, stat) in enumerate(zip(boxes, stats, strict=True)):
        leaves.append(
            {
                "box": number,
                "coverage": float(stat["coverage"]),
                "density": float(stat["density"]),
                "mass": float(stat["mass"]),
                "res_dim": int(stat["res dim"]),
            }
        )
        for name in x.columns:
            low, high = box.loc[0, name], box.loc[1, name]
            if isinstance(low, set):
                if low == initial.loc[0, name]:
                    continue
                low = high = ", ".join(sorted(map(str, low)))
                range_low = range_high = ", ".join(sorted(map(str, initial.loc[0, name])))
            else:
                if low == initial.loc[0, name] and high == initial.loc[1, name]:
                    continue
                low, high = float(low), float(high)
                range_low, range_high = float(initial.loc[0, name]), float(initial.loc[1, name])
            limits.append(
                {
                    "box": number,
                    "uncertainty": name,
                    "box_low": low,
                    "box_high": high,
                    "range_low": range_low,
                    "range_high": range_high,
                }
            )
    leaf_frame = pd.DataFrame(leaves, columns=["box", "coverage", "density", "mass", "res_dim"])
    chosen = leaf_frame[(leaf_frame["density"] > base_rate) & (leaf_frame["coverage"] > 0)]
    chosen = chosen.sort_values(["coverage", "density"], ascending=False).reset_index(drop=True)
    columns = ["box", "uncertainty", "box_low", "box_high", "range_low", "range_high"]
    limit_frame = pd.DataFrame(limits, columns=columns)
    limit_frame = limit_frame[limit_frame["box"].isin(chosen["box"])]
    order = {box: k for k, box in enumerate(chosen["box"])}
    limit_frame = limit_frame.sort_values("box", key=lambda s: s.map(order), kind="stable")
    return CartBoxes(
        chosen, limit_frame.reset_index(drop=True), leaf_frame, found.clf, list(found.feature_names)
    )
