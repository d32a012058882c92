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
import numba
import numpy as np
import scipy.sparse as sp

from govlab.model.fused import flagged_neighbours, recount_flagged_neighbours
from govlab.scenarios import Civic

DRAW_CHUNK = 1 << 20  # rewiring draws per call: no float64 column of all edges at once


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
    rewire = np.empty(len(source), dtype=bool)
    for first in range(0, len(source), DRAW_CHUNK):  # the same numbers as one rng.random call
        last = min(first + DRAW_CHUNK, len(source))
        rewire[first:last] = rng.random(last - first) < p
    count = int(rewire.sum())
    # A new far end uniform over the other n - 1 nodes (never the node itself).
    target[rewire] = (source[rewire] + 1 + rng.integers(n - 1, size=count)) % n
    del rewire
    return _symmetric(n, source, target)


def _symmetric(n: int, source: np.ndarray, target: np.ndarray) -> sp.csr_array:
    """The canonical CSR adjacency (sorted rows, duplicate edges merged, data 1.0) of the
    undirected edges ``source[k]``–``target[k]``, built in place by ``_fill_rows`` and
    ``_sort_merge_rows``: the same arrays as ``scipy.sparse``'s COO → CSR with
    ``sum_duplicates``, which held three copies of the edges at once (the run's peak memory)."""
    indptr = _row_pointers(source, target, n)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    _fill_rows(source, target, indptr, indices)
    indices = indices[: _sort_merge_rows(indptr, indices)]  # a view: duplicates are rare
    data = np.ones(len(indices), dtype=np.float32)
    adjacency = sp.csr_array((data, indices, indptr.astype(np.int32)), shape=(n, n), copy=False)
    adjacency.has_sorted_indices = True
    adjacency.has_canonical_format = True
    return adjacency


@numba.njit(cache=True, nogil=True)
def _row_pointers(source, target, n):
    """Where each node's row starts, for both ends of every edge (n + 1 values, int64)."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    for k in range(source.shape[0]):
        indptr[source[k] + 1] += 1
        indptr[target[k] + 1] += 1
    for row in range(n):
        indptr[row + 1] += indptr[row]
    return indptr


@numba.njit(cache=True, nogil=True)
def _fill_rows(source, target, indptr, indices):
    """Each edge's two ends into the rows of ``indices`` given by ``indptr`` (unsorted)."""
    position = indptr[:-1].copy()
    for k in range(source.shape[0]):
        u, v = source[k], target[k]
        indices[position[u]] = v
        position[u] += 1
        indices[position[v]] = u
        position[v] += 1


@numba.njit(cache=True, nogil=True)
def _sort_merge_rows(indptr, indices):
    """Sort each row's column indices, drop repeated ones, close the gaps (``indptr`` follows);
    return how many indices are kept."""
    kept = 0
    start = indptr[0]
    for row in range(indptr.shape[0] - 1):
        stop = indptr[row + 1]
        for k in range(start + 1, stop):  # insertion sort: rows hold ~10 entries
            value = indices[k]
            j = k - 1
            while j >= start and indices[j] > value:
                indices[j + 1] = indices[j]
                j -= 1
            indices[j + 1] = value
        first = kept
        for k in range(start, stop):
            if kept == first or indices[kept - 1] != indices[k]:
                indices[kept] = indices[k]
                kept += 1
        indptr[row] = first
        start = stop
    indptr[indptr.shape[0] - 1] = kept
    return kept


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
    """Share of each node's neighbours with ``flags`` set (0 for isolated nodes); float32.

    The adjacency is unweighted (``make_network``), so ``adjacency @ flags`` is a count of the
    flagged neighbours: for boolean flags it is taken from the column indices alone (one pass,
    ``model.fused.flagged_neighbours``: the same float32 values, with no float copy of the
    flags)."""
    if flags.dtype == np.bool_:
        counts = np.empty(len(degree), dtype=np.float32)
        flagged_neighbours(adjacency.indptr, adjacency.indices, flags, counts)
    else:
        counts = adjacency @ flags.astype(np.float32)
    return np.divide(counts, degree, out=np.zeros_like(degree), where=degree > 0)


class NeighbourShare:
    """``neighbour_share`` of boolean flags that change little from one call to the next (the
    participants of successive voice periods): the flagged-neighbour counts are kept and only
    the nodes whose flag changed since the last call are passed on to their neighbours
    (``model.fused.recount_flagged_neighbours``), so a call costs a pass over the flags, not over
    the edges. Whole counts in float32, so the shares are those of ``neighbour_share``, bit for
    bit. Holds 5 bytes per node (the counts and the flags they count)."""

    def __init__(self, adjacency: sp.csr_array, degree: np.ndarray) -> None:
        self.adjacency = adjacency
        self.degree = degree
        n = len(degree)
        self.counts = np.zeros(n, dtype=np.float32)  # of the flags in ``counted``
        self.counted = np.zeros(n, dtype=bool)

    def __call__(self, flags: np.ndarray) -> np.ndarray:
        """Share of each node's neighbours with ``flags`` (bool) set; float32."""
        adjacency, degree = self.adjacency, self.degree
        recount_flagged_neighbours(
            adjacency.indptr, adjacency.indices, flags, self.counted, self.counts
        )
        return np.divide(self.counts, degree, out=np.zeros_like(degree), where=degree > 0)
