"""Network views, drawn by the browser (ECharts graph series, bundled offline like the live charts):
the department network (data-sharing links, queues) and a resident-network sample, with titles and
names in the page's language.

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
from typing import Any

import numpy as np

from govlab.viz import i18n
from govlab.viz.charts import function_colour
from govlab.viz.i18n import function_label
from govlab.viz.live_charts import FONT

SAMPLE_SIZE = 300
QUEUE_AREA = 6.0  # marker area (points²) per queued case
BASE_AREA = 30.0
PARTICIPANT = "#e67e22"
OTHERS = "#bbbbbb"  # residents not taking part


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


def _plane(title: str, series: list[dict[str, Any]], extent: float = 1.6) -> dict[str, Any]:
    """An ECharts option drawing ``series`` on a hidden square plane [-extent, extent]²."""
    axis = {"type": "value", "min": -extent, "max": extent, "show": False}
    return {
        "animation": False,
        "textStyle": {"fontFamily": FONT},
        "title": {
            "text": title,
            "left": "center",
            "textStyle": {"fontSize": 12, "fontWeight": "normal", "fontFamily": FONT},
        },
        "tooltip": {"trigger": "item"},
        "grid": {"left": "6%", "right": "6%", "top": 30, "bottom": 6},
        "xAxis": axis,
        "yAxis": axis,
        "series": series,
    }


def _legend(option: dict[str, Any], entries: list[tuple[str, str]], rows: int = 1) -> None:
    """A legend of coloured dots under the plane, one per (name, colour): each entry is a
    series without data, so the legend says what every colour means and draws nothing else."""
    for name, colour in entries:
        option["series"].append(
            {"type": "scatter", "name": name, "data": [], "itemStyle": {"color": colour}}
        )
    option["legend"] = {
        "data": [name for name, _ in entries],
        "bottom": 0,
        "selectedMode": False,
        "icon": "circle",
        "itemWidth": 10,
        "itemHeight": 10,
        "itemGap": 8,
        "textStyle": {"fontSize": 11, "fontFamily": FONT},
    }
    option["grid"]["bottom"] = 6 + 20 * rows


def _segments(xy, pairs, colour: str, opacity: float, width: float) -> dict[str, Any]:
    """A ``lines`` series joining the given index pairs of positions ``xy``."""
    return {
        "type": "lines",
        "coordinateSystem": "cartesian2d",
        "silent": True,
        "lineStyle": {"color": colour, "opacity": round(opacity, 3), "width": width},
        "data": [
            {"coords": [[round(xy[i][0], 4), round(xy[i][1], 4)],
                        [round(xy[j][0], 4), round(xy[j][1], 4)]]}
            for i, j in pairs
        ],
    }  # fmt: skip


def department_option(model, lang: str = "en", queue_top: float = 50.0) -> dict[str, Any]:
    """The ECharts option of one model's department network, drawn by the browser: nodes at
    their fixed places, node size = today's queue, faded when unstaffed; data-sharing links with
    opacity = the share; district names; a translated title."""
    t = i18n.translator(lang)
    departments = model.departments
    keys = tuple(_department_key(d) for d in departments)
    districts = model.config.world.districts
    positions = department_positions(keys, districts)
    xy = [positions[key] for key in keys]
    share = model.config.levers.data_sharing
    nodes: list[dict[str, Any]] = []
    total = 0
    for department, key, (x, y) in zip(departments, keys, xy, strict=True):
        queue = int(department.queue_length)
        total += queue
        area = BASE_AREA + QUEUE_AREA * min(queue, 4 * queue_top)
        where = t("city") if key[1] is None else t("district {n}").format(n=key[1])
        nodes.append(
            {
                "name": f"{function_label(key[0], lang)} · {where}",
                "value": [round(x, 4), round(y, 4), queue],
                "symbolSize": round(math.sqrt(area) * 1.2, 1),
                "itemStyle": {
                    "color": function_colour(key[0]),
                    "opacity": 0.85 if department.staff > 0 else 0.2,
                },
            }
        )
    labels = []
    for district in range(districts if districts > 1 else 0):
        angle = 2 * math.pi * district / districts + math.pi / 2
        labels.append(
            {
                "name": t("district {n}").format(n=district),
                "value": [round(1.42 * math.cos(angle), 4), round(1.42 * math.sin(angle), 4)],
            }
        )
    edges = department_edges(model) if share > 0 else []
    sharing = (
        t("data sharing {share}%").format(share=f"{100 * share:.0f}")
        if share > 0
        else t("no data sharing")
    )
    title = t("departments — node size = queue (total {total}), {links}").format(
        total=total, links=sharing
    )
    series = [
        _segments(xy, edges, "#2e86c1", 0.15 + 0.5 * share, 0.8),
        {
            "type": "scatter",
            "data": nodes,
            "tooltip": {"formatter": "{b}"},
            "emphasis": {"disabled": True},
        },
        {
            "type": "scatter",
            "data": labels,
            "symbolSize": 0,
            "silent": True,
            "label": {"show": True, "formatter": "{b}", "color": "#555555", "fontSize": 11},
        },
    ]
    option = _plane(title, series)
    functions = sorted({key[0] for key in keys})
    entries = [(function_label(f, lang), function_colour(f)) for f in functions]
    _legend(option, entries, rows=2)
    return option


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
    """Spring-layout positions of the sampled subgraph (computed once per model by the caller);
    any seed a run may have (stored runs carry 63-bit seeds: networkx's own seeding takes
    32 bits, so it gets the seed modulo 2^32)."""
    import networkx as nx

    sub = adjacency[nodes][:, nodes]
    graph = nx.from_scipy_sparse_array(sub)
    layout = nx.spring_layout(graph, seed=seed % 2**32, iterations=50)
    return np.array([layout[i] for i in range(len(nodes))])


def resident_network(model):
    """The model's resident adjacency (CSR) and participation array, or None if not modelled."""
    network = getattr(model, "network", None)
    if network is None or not hasattr(network, "indptr"):
        return None
    participating = model.population.columns.get("participating")
    return network, participating


def residents_option(model, nodes: np.ndarray, xy: np.ndarray, lang: str = "en") -> dict[str, Any]:
    """The ECharts option of the sampled residents: participants orange, others grey, their
    links; a translated title (positions from ``sample_layout``, computed once per model)."""
    t = i18n.translator(lang)
    network, participating = resident_network(model)
    sub = network[nodes][:, nodes].tocoo()
    keep = sub.row < sub.col
    active = (
        np.zeros(len(nodes), bool) if participating is None else participating[nodes].astype(bool)
    )
    points = xy.tolist()
    data = [
        {
            "value": [round(x, 4), round(y, 4)],
            "itemStyle": {"color": PARTICIPANT if on else OTHERS},
        }
        for (x, y), on in zip(points, active, strict=True)
    ]
    pairs = list(zip(sub.row[keep].tolist(), sub.col[keep].tolist(), strict=True))
    title = t("resident network sample — {n} residents, {k} participating").format(
        n=len(nodes), k=int(active.sum())
    )
    extent = 1.05 * max(1e-9, float(np.abs(xy).max())) if len(xy) else 1.0
    series = [
        _segments(points, pairs, "#999999", 0.3, 0.5),
        {"type": "scatter", "data": data, "symbolSize": 5, "silent": True},
    ]
    option = _plane(title, series, extent)
    option.pop("tooltip")
    _legend(option, [(t("participating"), PARTICIPANT), (t("not participating"), OTHERS)])
    return option
