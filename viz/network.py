"""Network views: the department network (data-sharing links, queues) and a resident-network sample.

Department network: one node per department, grouped by district (a ring of functions per district,
districts on a circle, city-level departments in the middle); an edge joins a department that issues
a document to a department whose step requires it (drawn when ``levers.data_sharing > 0``, with
opacity = the share); node area grows with the queue. Positions depend only on the layout's shape
and are computed once (``functools.cache``).

Resident network: a snowball sample of a few hundred residents from the model's sparse adjacency
(``model.network``), laid out once per model, participants coloured.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from viz.charts import DPI, function_colour

SAMPLE_SIZE = 300
QUEUE_AREA = 6.0  # marker area (points²) per queued case
BASE_AREA = 30.0


def _department_key(department) -> tuple[str, int | None]:
    return department.function, department.district


@cache
def department_positions(
    keys: tuple[tuple[str, int | None], ...], districts: int
) -> dict[tuple[str, int | None], tuple[float, float]]:
    """Fixed positions: districts on a circle of radius 1, functions on a small ring in each."""
    functions = sorted({f for f, d in keys if d is not None})
    city = sorted(f for f, d in keys if d is None)
    positions: dict[tuple[str, int | None], tuple[float, float]] = {}
    ring = 0.28 if districts > 1 else 0.6
    for district in range(districts):
        angle = 2 * math.pi * district / districts + math.pi / 2
        cx, cy = (math.cos(angle), math.sin(angle)) if districts > 1 else (0.0, 0.0)
        for index, function in enumerate(functions):
            theta = 2 * math.pi * index / len(functions) + angle
            positions[(function, district)] = (
                cx + ring * math.cos(theta),
                cy + ring * math.sin(theta),
            )
    for index, function in enumerate(city):
        theta = 2 * math.pi * index / max(len(city), 1)
        radius = 0.12 if len(city) > 1 else 0.0
        positions[(function, None)] = (radius * math.cos(theta), radius * math.sin(theta))
    return positions


def sharing_links(scenario) -> set[tuple[str, str]]:
    """(issuer, user) function pairs: a document one department could fetch from another."""
    links = set()
    for service in scenario.services.values():
        for step in service.steps:
            for document in step.requires:
                issuer = scenario.documents[document].issuer
                if issuer not in ("applicant", step.function):
                    links.add((issuer, step.function))
    return links


def department_edges(model) -> list[tuple[int, int]]:
    """Department pairs (indices into ``model.departments``) joined by a data-sharing link."""
    links = sharing_links(model.config)
    by_function: dict[str, list[int]] = {}
    for index, department in enumerate(model.departments):
        by_function.setdefault(department.function, []).append(index)
    departments = model.departments
    edges = []
    for issuer, user in sorted(links):
        for i in by_function.get(issuer, []):
            for j in by_function.get(user, []):
                a, b = departments[i].district, departments[j].district
                if a is None or b is None or a == b:
                    edges.append((i, j))
    return edges


class DepartmentsDrawing:
    """The department network of one model as a figure kept across frames: the links, node
    positions, colours and district labels are set once; a frame updates node sizes and opacity
    and the title. Held by the model's ``Pane`` (one per browser session); draw under the pair's
    lock."""

    def __init__(self, model) -> None:
        departments = model.departments
        keys = tuple(_department_key(d) for d in departments)
        positions = department_positions(keys, model.config.world.districts)
        xy = np.array([positions[k] for k in keys])
        self.figure = figure = Figure(figsize=(6.4, 4.6), dpi=DPI)
        figure.set_layout_engine(None)
        ax = figure.add_axes((0, 0, 1, 0.92))
        self.share = share = model.config.levers.data_sharing
        if share > 0:
            segments = [(xy[i], xy[j]) for i, j in department_edges(model)]
            ax.add_collection(
                LineCollection(segments, colors="#2e86c1", alpha=0.15 + 0.5 * share, lw=0.8)
            )
        self.nodes = ax.scatter(
            xy[:, 0], xy[:, 1], c=[function_colour(d.function) for d in departments], lw=0
        )
        for district in range(model.config.world.districts):
            angle = 2 * math.pi * district / model.config.world.districts + math.pi / 2
            ax.text(
                1.42 * math.cos(angle),
                1.42 * math.sin(angle),
                f"district {district}",
                ha="center",
                va="center",
                fontsize=8,
                color="#555555",
            )
        ax.set(xlim=(-1.75, 1.75), ylim=(-1.6, 1.6), aspect="equal")
        ax.set_autoscale_on(False)
        ax.axis("off")
        self.title = figure.suptitle("", fontsize=9)

    def update(self, model, queue_top: float) -> Figure:
        """Today's queues (node size) and staffing (opacity)."""
        departments = model.departments
        queues = np.array([d.queue_length for d in departments], dtype=float)
        staffed = np.array([d.staff > 0 for d in departments])
        self.nodes.set_sizes(BASE_AREA + QUEUE_AREA * np.minimum(queues, 4 * queue_top))
        self.nodes.set_alpha(np.where(staffed, 0.85, 0.2))
        share = self.share
        links = "data sharing %.0f%%" % (100 * share) if share > 0 else "no data sharing"
        self.title.set_text(f"departments — node size = queue (total {int(queues.sum())}), {links}")
        return self.figure


def draw_departments(model, queue_top: float = 50.0, drawings: dict | None = None) -> Figure:
    """The department network of one model: nodes by district × function, queues as node size.

    With ``drawings`` (a pane's ``Pane.drawings``) the figure is kept there and updated in place
    on the next call (render it before then, under the pair's lock); without, a new figure.
    """
    key = ("departments", id(model))
    drawing = drawings.get(key) if drawings is not None else None
    if drawing is None or drawing.share != model.config.levers.data_sharing:
        drawing = DepartmentsDrawing(model)
        if drawings is not None:
            drawings[key] = drawing
    return drawing.update(model, queue_top)


def sample_nodes(adjacency, size: int = SAMPLE_SIZE, seed: int = 0) -> np.ndarray:
    """A snowball sample of about ``size`` nodes of a sparse adjacency (breadth first from random
    starts), so that the sample keeps local structure."""
    n = adjacency.shape[0]
    rng = np.random.default_rng(seed)
    indptr, indices = adjacency.indptr, adjacency.indices
    chosen: dict[int, None] = {}
    while len(chosen) < min(size, n):
        frontier = [int(rng.integers(n))]
        while frontier and len(chosen) < size:
            node = frontier.pop(0)
            if node in chosen:
                continue
            chosen[node] = None
            frontier.extend(int(k) for k in indices[indptr[node] : indptr[node + 1]])
    return np.fromiter(chosen, dtype=np.int64)


def sample_layout(adjacency, nodes: np.ndarray, seed: int = 0) -> np.ndarray:
    """Spring-layout positions of the sampled subgraph (computed once per model by the caller)."""
    import networkx as nx

    sub = adjacency[nodes][:, nodes]
    graph = nx.from_scipy_sparse_array(sub)
    layout = nx.spring_layout(graph, seed=seed, iterations=50)
    return np.array([layout[i] for i in range(len(nodes))])


def resident_network(model):
    """The model's resident adjacency (CSR) and participation array, or None if not modelled."""
    network = getattr(model, "network", None)
    if network is None or not hasattr(network, "indptr"):
        return None
    participating = model.population.columns.get("participating")
    return network, participating


def draw_residents(model, nodes: np.ndarray, xy: np.ndarray) -> Figure:
    """The sampled residents: participants coloured, others grey."""
    network, participating = resident_network(model)
    figure = Figure(figsize=(6.4, 4.6), dpi=DPI)
    ax = figure.add_axes((0, 0, 1, 0.92))
    sub = network[nodes][:, nodes].tocoo()
    keep = sub.row < sub.col
    segments = np.stack([xy[sub.row[keep]], xy[sub.col[keep]]], axis=1)
    ax.add_collection(LineCollection(segments, colors="#999999", alpha=0.3, lw=0.5))
    active = (
        np.zeros(len(nodes), bool) if participating is None else participating[nodes].astype(bool)
    )
    ax.scatter(xy[:, 0], xy[:, 1], s=14, c=np.where(active, "#e67e22", "#bbbbbb"), lw=0)
    ax.axis("off")
    figure.suptitle(
        f"resident network sample — {len(nodes)} residents, "
        f"{int(active.sum())} participating (orange)",
        fontsize=9,
    )
    return figure
