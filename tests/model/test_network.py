"""The social network: the NumPy Watts–Strogatz matches networkx's; neighbour effects are exact."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from govlab.model.network import degrees, make_network, neighbour_share, watts_strogatz
from govlab.model.spread import spill
from govlab.scenarios import Civic


def _stats(graph: nx.Graph) -> tuple[float, float, float]:
    adjacency = nx.to_scipy_sparse_array(graph, format="csr")
    hops = shortest_path(adjacency, unweighted=True, directed=False)
    finite = np.isfinite(hops) & (hops > 0)
    mean_degree = 2 * graph.number_of_edges() / graph.number_of_nodes()
    return mean_degree, nx.average_clustering(graph), float(hops[finite].mean())


@pytest.mark.parametrize(("k", "p"), [(10, 0.1), (6, 0.3)])
def test_numpy_watts_strogatz_matches_networkx_statistics(k, p):
    n = 600
    ours, theirs = [], []
    for seed in range(3):
        adjacency = watts_strogatz(np.random.default_rng(seed), n, k, p)
        ours.append(_stats(nx.from_scipy_sparse_array(adjacency)))
        theirs.append(_stats(nx.watts_strogatz_graph(n, k, p, seed=seed)))
    ours_mean, theirs_mean = np.mean(ours, axis=0), np.mean(theirs, axis=0)
    assert ours_mean[0] == pytest.approx(theirs_mean[0], rel=0.01)  # mean degree
    assert ours_mean[1] == pytest.approx(theirs_mean[1], rel=0.08)  # clustering
    assert ours_mean[2] == pytest.approx(theirs_mean[2], rel=0.08)  # mean path length
    # Watts–Strogatz clustering ≈ C(0)·(1 − p)^3 with C(0) = 3(k − 2) / (4(k − 1)).
    expected = 3 * (k - 2) / (4 * (k - 1)) * (1 - p) ** 3
    assert ours_mean[1] == pytest.approx(expected, rel=0.1)


@pytest.mark.parametrize("shape", ["watts_strogatz", "erdos_renyi", "barabasi_albert", "complete"])
def test_adjacency_is_symmetric_simple_and_compact(shape):
    adjacency = make_network(np.random.default_rng(3), Civic(network=shape), 300)
    assert isinstance(adjacency, sp.csr_array)
    assert (adjacency != adjacency.T).nnz == 0
    assert adjacency.diagonal().sum() == 0
    assert set(np.unique(adjacency.data)) == {1.0}
    assert adjacency.indices.dtype == np.int32
    assert 4 <= degrees(adjacency).mean() <= 299


def test_neighbour_share_and_spill_equal_dense_products():
    rng = np.random.default_rng(5)
    adjacency = watts_strogatz(rng, 200, 8, 0.2)
    dense = adjacency.toarray()
    flags = rng.random(200) < 0.3
    degree = degrees(adjacency)
    expected = dense @ flags / dense.sum(axis=1)
    np.testing.assert_allclose(neighbour_share(adjacency, degree, flags), expected, rtol=1e-6)
    values = np.full(200, 0.5, dtype=np.float32)
    rows = np.array([3, 17, 150])
    delta = np.array([0.1, -0.2, 0.05])
    full = np.zeros(200)
    full[rows] = delta
    spill(adjacency, values, rows, delta, 0.3)
    np.testing.assert_allclose(values, np.clip(0.5 + 0.3 * dense @ full, 0, 1), atol=1e-6)


@pytest.mark.parametrize("z", [1.5, 2.5, 5.0, 7.25])
def test_fractional_mean_degree_is_the_expected_degree(z):
    """Issue 20 item 6: a fractional mean degree z (threshold cascades need z = 1.5). The mean
    degree of 40,000 nodes lies within 4 standard errors of z for Watts–Strogatz (the next ring
    edge with chance z/2 − ⌊z/2⌋; sd of the mean 2·sqrt(f(1 − f)/n)) and Erdős–Rényi
    (sd sqrt(2z/n)); without rewiring every Watts–Strogatz degree is ⌊z/2⌋·2 + 0, 1 or 2."""
    n = 40_000
    half = int(z // 2)
    f = z / 2 - half
    lattice = watts_strogatz(np.random.default_rng(3), n, z, 0.0)
    degrees = np.diff(lattice.indptr)
    assert set(np.unique(degrees)) <= {2 * half, 2 * half + 1, 2 * half + 2}
    for p in (0.0, 0.1):
        ws = watts_strogatz(np.random.default_rng(4), n, z, p)
        sd = 2 * np.sqrt(f * (1 - f) / n)
        assert abs(ws.nnz / n - z) <= 4 * sd + 2e-3, (p, ws.nnz / n)  # 2e-3: merged duplicates
    civic = Civic(network="erdos_renyi", network_degree=z)
    er = make_network(np.random.default_rng(5), civic, n)
    assert abs(er.nnz / n - z) <= 4 * np.sqrt(2 * z / n), er.nnz / n


@pytest.mark.parametrize("shape", ["watts_strogatz", "erdos_renyi", "barabasi_albert", "complete"])
@pytest.mark.parametrize("z", [5.4e-61, 1e-17, 0.0])
@pytest.mark.parametrize("n", [2, 50])
def test_a_vanishing_mean_degree_builds_a_network(shape, z, n):
    """A mean degree the schema allows but so small that 1 - p == 1 in floating point (found by
    the bounds test: networkx's G(n, p) divided by log(1 - p) = 0) builds a valid network: the
    sparse ones have no edge, Barabási–Albert keeps its minimum m = 1, complete is complete."""
    civic = Civic(network=shape, network_degree=z)
    adjacency = make_network(np.random.default_rng(1), civic, n)
    expected = {"complete": n * (n - 1), "barabasi_albert": 2 * (n - 1)}.get(shape, 0)
    assert adjacency.nnz == expected
