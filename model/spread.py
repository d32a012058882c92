"""Neighbour spill-over of attitude changes over the sparse social network.

A change ``delta`` in the trust of a few residents passes ``weight · delta`` to each of their
neighbours. Only the rows of the changed residents are read (``adjacency[rows]``), so the cost is
O(changed × degree), not O(residents): the same result as ``adjacency @ full_delta``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def spill(
    adjacency: sp.csr_array | None,
    values: np.ndarray,
    rows: np.ndarray,
    delta: np.ndarray,
    weight: float,
) -> None:
    """Add ``weight · delta[i]`` to ``values`` of every neighbour of ``rows[i]``; clip to 0-1."""
    if adjacency is None or weight == 0.0 or len(rows) == 0:
        return
    indptr = adjacency.indptr
    counts = (indptr[rows + 1] - indptr[rows]).astype(np.int64)
    if counts.sum() == 0:
        return
    starts = np.repeat(indptr[rows].astype(np.int64), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    neighbours = adjacency.indices[starts + offsets]
    np.add.at(values, neighbours, np.repeat(weight * delta, counts).astype(values.dtype))
    # a neighbour listed twice gets the same clipped value twice (no np.unique: 20% of a day)
    values[neighbours] = np.clip(values[neighbours], 0.0, 1.0)
