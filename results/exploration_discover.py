"""Figures, tables and the HTML report section of a scenario discovery (``govlab discover``).

``write_discovery(discovery, out)`` writes ``out/discover.json``, the peeling trajectory, the PRIM
box limits and the CART boxes and limits as CSV, the figures as PNG, and ``out/index.html`` (a
page holding the section);
``discovery_section(page, discovery)`` adds the same section to any report ``Page``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from govlab.results.report import STYLE, Page, fmt, table_html


def tradeoff_figure(discovery) -> Figure:
    """PRIM's peeling trajectory: density against coverage, coloured by restricted dimensions,
    the chosen box circled."""
    trajectory = discovery.trajectory
    fig = Figure(figsize=(5.2, 4.0), layout="constrained")
    ax = fig.add_subplot()
    dims = trajectory["res_dim"].astype(int)
    scatter = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=dims, cmap="viridis", s=28, zorder=3
    )
    chosen = trajectory.iloc[discovery.chosen]
    ax.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=160,
        facecolors="none",
        edgecolors="#c44e52",
        linewidths=2,
        zorder=4,
        label=f"chosen box #{discovery.chosen}",
    )
    ax.plot(trajectory["coverage"], trajectory["density"], color="#bbbbbb", lw=1, zorder=2)
    fig.colorbar(scatter, ax=ax, label="restricted dimensions", ticks=sorted(set(dims)))
    ax.set_xlabel("coverage (share of the points of interest inside the box)")
    ax.set_ylabel("density (share of the box's points of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title("PRIM peeling trajectory", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def bounds_label(ax, y: float, low: float, high: float, text: str, size: int = 8) -> None:
    """Write a box's bounds beside its bar (right of it, else left of it, else inside)."""
    if high <= 0.62:
        ax.text(high + 0.015, y, text, ha="left", va="center", fontsize=size)
    elif low >= 0.38:
        ax.text(low - 0.015, y, text, ha="right", va="center", fontsize=size)
    else:
        ax.text((low + high) / 2, y, text, ha="center", va="center", fontsize=size, color="white")


def box_figure(discovery) -> Figure:
    """The chosen box's restricted dimensions within their sampled ranges (normalised to 0-1)."""
    limits = discovery.limits
    fig = Figure(figsize=(5.6, 0.6 * max(len(limits), 2) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    if limits.empty:
        ax.text(0.5, 0.5, "no restricted dimension: the box is the whole sample", ha="center")
        ax.set_axis_off()
        return fig
    for i, row in enumerate(limits.itertuples()):
        span = float(row.range_high) - float(row.range_low) or 1.0
        low = (float(row.box_low) - float(row.range_low)) / span
        high = (float(row.box_high) - float(row.range_low)) / span
        ax.barh(i, 1.0, color="#eeeeee", edgecolor="#999999")
        ax.barh(i, high - low, left=low, color="#4c72b0")
        bounds_label(ax, i, low, high, f"{float(row.box_low):.3g} – {float(row.box_high):.3g}")
    ax.set_yticks(range(len(limits)), [str(u) for u in limits["uncertainty"]])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(limits) - 0.2)
    ax.invert_yaxis()
    ax.set_xlabel("position in the sampled range (0 = low, 1 = high)")
    box = discovery.box
    ax.set_title(
        f"box #{discovery.chosen}: coverage {box['coverage']:.2f}, density {box['density']:.2f}",
        fontsize=10,
    )
    return fig


def scores_figure(discovery) -> Figure:
    """Extra-trees feature scores of the outcome of interest."""
    scores = discovery.scores
    fig = Figure(figsize=(5.2, 0.45 * len(scores) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(range(len(scores)), scores.to_numpy(), color="#55a868")
    ax.set_yticks(range(len(scores)), [str(i) for i in scores.index])
    ax.invert_yaxis()
    ax.set_xlabel("feature score (extra trees; sums to 1)")
    ax.set_title("Which uncertainties matter", fontsize=10)
    return fig


def scatter_figure(discovery) -> Figure:
    """The points on the two highest-scoring uncertainties, of interest or not, with the box."""
    names = [str(n) for n in discovery.scores.index[:2]]
    x = discovery.x
    fig = Figure(figsize=(5.2, 4.2), layout="constrained")
    ax = fig.add_subplot()
    if len(names) < 2:
        ax.text(0.5, 0.5, "one uncertainty only", ha="center")
        return fig
    a = pd.to_numeric(x[names[0]], errors="coerce")
    b = pd.to_numeric(x[names[1]], errors="coerce")
    y = discovery.y
    ax.scatter(a[~y], b[~y], s=14, color="#bbbbbb", label="other points")
    ax.scatter(a[y], b[y], s=18, color="#c44e52", label="points of interest")
    limits = discovery.limits.set_index("uncertainty")
    lo = [
        limits.loc[n, "box_low"] if n in limits.index else v.min()
        for n, v in zip(names, (a, b), strict=True)
    ]
    hi = [
        limits.loc[n, "box_high"] if n in limits.index else v.max()
        for n, v in zip(names, (a, b), strict=True)
    ]
    ax.add_patch(
        Rectangle((lo[0], lo[1]), hi[0] - lo[0], hi[1] - lo[1], fill=False, ec="#4c72b0", lw=2)
    )
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.legend(fontsize=8, loc="best")
    ax.set_title("points and the chosen box (its other limits not shown)", fontsize=10)
    return fig


def cart_figure(discovery) -> Figure:
    """CART's boxes of interest: each box's restricted dimensions within their sampled ranges
    (normalised to 0-1), one panel row per box, with its coverage and density."""
    cart = discovery.cart
    boxes, limits = cart.boxes, cart.limits
    rows = max(len(limits), 1) + len(boxes)
    fig = Figure(figsize=(5.8, 0.42 * rows + 1.3), layout="constrained")
    ax = fig.add_subplot()
    if limits.empty:
        ax.text(
            0.5, 0.5, "CART found no leaf that concentrates the points of interest", ha="center"
        )
        ax.set_axis_off()
        return fig
    colours = ["#4c72b0", "#dd8452", "#55a868", "#8172b3", "#c44e52", "#937860"]
    labels, y = [], 0
    for k, box in enumerate(boxes.itertuples()):
        colour = colours[k % len(colours)]
        ax.text(
            0.0, y, f"CART box {box.box}: coverage {box.coverage:.2f}, density {box.density:.2f}, "
            f"mass {box.mass:.2f}", ha="left", va="center", fontsize=8, color=colour,
            fontweight="bold",
        )  # fmt: skip
        y += 1
        for row in limits[limits["box"] == box.box].itertuples():
            labels.append((y, f"{row.uncertainty}"))
            if isinstance(row.box_low, str):
                ax.barh(y, 1.0, color=colour, alpha=0.35)
                ax.text(0.5, y, str(row.box_low), ha="center", va="center", fontsize=7)
            else:
                span = float(row.range_high) - float(row.range_low) or 1.0
                low = (float(row.box_low) - float(row.range_low)) / span
                high = (float(row.box_high) - float(row.range_low)) / span
                ax.barh(y, 1.0, color="#eeeeee", edgecolor="#999999")
                ax.barh(y, high - low, left=low, color=colour)
                text = f"{float(row.box_low):.3g} – {float(row.box_high):.3g}"
                bounds_label(ax, y, low, high, text, size=7)
            y += 1
    ax.set_yticks([p for p, _ in labels], [t for _, t in labels], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(y - 0.4, -0.7)
    ax.set_xlabel("position in the sampled range (0 = low, 1 = high)")
    ax.set_title("CART leaves that concentrate the points of interest", fontsize=10)
    return fig


def tree_figure(discovery) -> Figure:
    """The top three levels of CART's tree (scikit-learn's ``plot_tree``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from sklearn.tree import plot_tree

    cart = discovery.cart
    fig = Figure(figsize=(9.0, 4.6), layout="constrained")
    FigureCanvasAgg(fig)  # plot_tree measures its text with the canvas's renderer
    ax = fig.add_subplot()
    plot_tree(
        cart.tree, ax=ax, max_depth=3, feature_names=cart.features,
        class_names=["other", "of interest"], filled=True, impurity=False, proportion=False,
        fontsize=7, rounded=True,
    )  # fmt: skip
    ax.set_title("CART tree (first three levels; leaf counts: other, of interest)", fontsize=10)
    return fig


FIGURES = (
    ("prim_tradeoff", tradeoff_figure, "PRIM peeling trade-off: coverage against density"),
    ("prim_box", box_figure, "Restricted dimensions of the chosen box"),
    ("feature_scores", scores_figure, "Feature scores (extra trees) of the outcome of interest"),
    ("prim_scatter", scatter_figure, "Points of interest on the two leading uncertainties"),
    ("cart_boxes", cart_figure, "CART: the leaves of interest as boxes"),
    ("cart_tree", tree_figure, "CART: the classification tree"),
)


def summary(discovery) -> dict[str, Any]:
    """The discovery as JSON-ready data."""
    return {
        "question": discovery.question,
        "points": len(discovery.y),
        "of_interest": int(discovery.y.sum()),
        "chosen_box": discovery.chosen,
        **discovery.box,
        "limits": json.loads(discovery.limits.to_json(orient="records")),
        "max_qp": discovery.max_qp,
        "dropped": json.loads(discovery.dropped.to_json(orient="records")),
        "warnings": list(discovery.warnings),
        "feature_scores": {str(k): float(v) for k, v in discovery.scores.items()},
        "cart_boxes": json.loads(discovery.cart.boxes.to_json(orient="records")),
        "cart_limits": json.loads(discovery.cart.limits.to_json(orient="records")),
    }


def cart_html(discovery) -> str:
    """CART's boxes of interest and their restricted dimensions as two tables."""
    cart = discovery.cart
    boxes = [
        [str(r.box), fmt(r.coverage, 3), fmt(r.density, 3), fmt(r.mass, 3), str(int(r.res_dim))]
        for r in cart.boxes.itertuples()
    ]
    limits = [
        [str(r.box), html.escape(str(r.uncertainty)), *(_bound(v) for v in r[2:6])]
        for r in cart.limits.itertuples(index=False)
    ]
    return (
        "<h3>CART</h3><p class=muted>A classification tree (EMA Workbench's CART on "
        "scikit-learn, leaves of at least the PRIM mass, seeded); each leaf whose density is above "
        f"the sample's share of points of interest ({discovery.y.mean():.3f}) is a box, highest "
        "coverage first.</p>"
        + table_html(["CART box", "coverage", "density", "mass", "restricted dimensions"], boxes)
        + table_html(
            ["CART box", "uncertainty", "box low", "box high", "range low", "range high"], limits
        )
    )


def _bound(value) -> str:
    return html.escape(value) if isinstance(value, str) else fmt(float(value), 4)


def discovery_section(page: Page, discovery, title: str = "Scenario discovery") -> None:
    """Add the discovery's section (question, box, limits, scores, figures) to a report page."""
    box = discovery.box
    page.add(f"<h2>{html.escape(title)}</h2><p>{html.escape(discovery.question)}</p>")
    for warning in discovery.warnings:
        page.add(f"<p class=bad>Warning: {html.escape(warning)}</p>")
    page.add(
        "<h3>PRIM</h3><p class=muted>PRIM (EMA Workbench) peels boxes over the uncertain "
        "parameters. Coverage: "
        "share of all points of interest inside the box; density: share of the box's points that "
        "are of interest; qp: quasi-p-value of each restriction. The chosen box has the highest "
        "coverage among boxes of the stated density (else it is the densest box); restrictions "
        f"with a quasi-p-value above {discovery.max_qp:g} are then dropped, the weakest first, "
        "testing the rest again each time (listed below the box). Feature scores: extra "
        "trees.</p>"
    )
    page.add(
        table_html(
            ["box", "coverage", "density", "mass", "restricted dimensions"],
            [
                [
                    str(discovery.chosen),
                    fmt(box["coverage"], 3),
                    fmt(box["density"], 3),
                    fmt(box["mass"], 3),
                    str(int(box["res_dim"])),
                ]
            ],
        )
    )
    rows = [
        [
            html.escape(str(r.uncertainty)),
            fmt(r.box_low, 4),
            fmt(r.box_high, 4),
            fmt(r.range_low, 4),
            fmt(r.range_high, 4),
            fmt(r.qp, 2),
        ]
        for r in discovery.limits.itertuples()
    ]
    header = ["uncertainty", "box low", "box high", "range low", "range high", "qp"]
    page.add(table_html(header, rows))
    if len(discovery.dropped):
        dropped = [
            [html.escape(str(r.uncertainty)), fmt(r.box_low, 4), fmt(r.box_high, 4),
             fmt(r.range_low, 4), fmt(r.range_high, 4), fmt(r.qp, 2)]
            for r in discovery.dropped.itertuples()
        ]  # fmt: skip
        page.add(
            f"<p>Restrictions dropped from PRIM's box (quasi-p-value above "
            f"{discovery.max_qp:g}, weakest first; qp when dropped):</p>"
        )
        page.add(table_html(header, dropped))
    page.add(cart_html(discovery))
    score_rows = [[html.escape(str(k)), fmt(float(v), 3)] for k, v in discovery.scores.items()]
    page.add(table_html(["uncertainty", "feature score"], score_rows))
    for name, make, caption in FIGURES:
        page.figure(name, make(discovery), caption)


def write_discovery(discovery, out: str | Path, title: str) -> Path:
    """Write the discovery's JSON, CSV tables, figures and ``index.html`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "discover.json").write_text(json.dumps(summary(discovery), indent=1, default=float))
    discovery.trajectory.to_csv(out / "prim_trajectory.csv", index=False)
    discovery.limits.to_csv(out / "prim_box.csv", index=False)
    discovery.cart.boxes.to_csv(out / "cart_boxes.csv", index=False)
    discovery.cart.limits.to_csv(out / "cart_limits.csv", index=False)
    page = Page(out)
    page.add(f"<h1>{html.escape(title)}</h1>")
    discovery_section(page, discovery)
    document = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}"
        f"</title><style>{STYLE}</style></head><body>{''.join(page.parts)}</body></html>"
    )
    path = out / "index.html"
    path.write_text(document, encoding="utf-8")
    return path
