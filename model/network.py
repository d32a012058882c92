"""The residents' social network: generated once, held as a ``scipy.sparse`` CSR adjacency.

Neighbour effects in a daily step are sparse mat-vec products (``adjacency @ x``), never loops
over ``networkx`` nodes (DESIGN.md §6). Shapes (``civic.network``):

- ``watts_strogatz`` (default): ring lattice of mean degree z, each lattice edge rewired with
  probability p. Generated directly with NumPy (for an even whole z the same construction as
  ``networkx``'s ``watts_strogatz_graph``: edge (u, u + j) for j = 1..z/2, its far end moved to a
  uniform node with probability p; self-loops are redrawn, the rare duplicate edges merged). A
  fractional z (threshold cascades need e.g. z = 1.5) adds, for each node u, the next ring edge
  (u, u + ⌊z/2⌋ + 1) with probability z/2 − ⌊z/2⌋, so the expected degree is z. ``networkx`` took
  13.7 s and 1.3 GB peak RSS for 10^6 nodes (k = 10) here; this takes about 1 s and ~84 bytes
  per node, and matches networkx's degree, clustering and path-length statistics
  (tests/model/test_network.py).
- ``erdos_renyi``, ``barabasi_albert``: generated with ``networkx`` (seeded from the model's
  generator) and converted once; meant for up to ~10^5 residents.
- ``complete``: everyone knows everyone (validation of the threshold rule; small N only).

The adjacency is symmetric, unweighted (data 1.0, float32), without self-loops, int32 indices.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from govlab.scenarios import Civic


def watts_strogatz(rng: np.random.Generator, n: int, z: float, p: float) -> sp.csr_array:
    """A Watts–Strogatz small world on ``n`` nodes (expected mean degree ``z``, rewiring ``p``)."""
    half = min(int(z // 2), (n - 1) // 2)
    extra = z / 2 - half if half < (n - 1) // 2 else 0.0  # the next ring's edge, with this chance
    if n < 3 or (half < 1 and extra <= 0):
        return sp.csr_array((n, n), dtype=np.float32)
    source = np.tile(np.arange(n, dtype=np.int32), half)
    target = (source + np.repeat(np.arange(1, half + 1, dtype=np.int32), n)) % n
    if extra > 0:  # drawn only for a fractional z: a whole even z keeps the classic stream
        chosen = np.flatnonzero(rng.random(n) < extra).astype(np.int32)
        source = np.concatenate([source, chosen])
        target = np.concatenate([target, (chosen + half + 1) % n])
    rewire = rng.random(len(source)) < p
    count = int(rewire.sum())
    # A new far end uniform over the other n - 1 nodes (never the node itself).
    target[rewire] = (source[rewire] + 1 + rng.integers(n - 1, size=count)) % n
    return _symmetric(n, source, target)


def _symmetric(n: int, source: np.ndarray, target: np.ndarray) -> sp.csr_array:
    rows = np.concatenate([source, target])
    cols = np.concatenate([target, source])
    data = np.ones(len(rows), dtype=np.float32)
    adjacency = sp.csr_array((data, (rows, cols)), shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0  # merge duplicate edges
    adjacency.indices = adjacency.indices.astype(np.int32, copy=False)
    adjacency.indptr = adjacency.indptr.astype(np.int32, copy=False)
    return adjacency


def from_networkx(graph: nx.Graph, n: int) -> sp.csr_array:
    """Convert a networkx graph on nodes 0..n-1 to the symmetric CSR adjacency, once."""
    edges = np.asarray(list(graph.edges()), dtype=np.int32).reshape(-1, 2)
    keep = edges[:, 0] != edges[:, 1]
    return _symmetric(n, edges[keep, 0], edges[keep, 1])


def make_network(rng: np.random.Generator, civic: Civic, n: int) -> sp.csr_array:
    """The social network of ``n`` residents in the scenario's shape."""
    k = civic.network_degree
    if civic.network == "watts_strogatz":
        return watts_strogatz(rng, n, k, civic.network_rewiring)
    if civic.network == "complete":
        dense = np.ones((n, n), dtype=np.float32) - np.eye(n, dtype=np.float32)
        return sp.csr_array(dense)
    seed = int(rng.integers(2**32))
    if civic.network == "erdos_renyi":
        p = min(k / max(n - 1, 1), 1.0)
        # networkx divides by log(1 - p), which is 0 for p below ~1.1e-16: such a graph has fewer
        # than n²·6e-17 expected edges (6e-5 for a million residents), so it is drawn empty.
        tiny = p > 0 and 1.0 - p == 1.0
        graph = nx.empty_graph(n) if tiny else nx.fast_gnp_random_graph(n, p, seed=seed)
    else:
        graph = (
            nx.barabasi_albert_graph(n, max(1, min(round(k / 2), n - 1)), seed=seed)
            if n > 1
            else (nx.empty_graph(n))
        )
    return from_networkx(graph, n)


def degrees(adjacency: sp.csr_array) -> np.ndarray:
    """Degree of every node; float32."""
    return np.diff(adjacency.indptr).astype(np.float32)


def neighbour_share(adjacency: sp.csr_array, degree: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Share of each node's neighbours with ``flags`` set (0 for isolated nodes); float32."""
    counts = adjacency @ flags.astype(np.float32)
    return np.divide(counts, degree, out=np.zeros_like(degree), where=degree > 0)
