"""Replication seeds: common random numbers derived from one root seed.

Replication ``r`` of every scenario and design point runs from the same seed, the ``r``-th child of
``numpy.random.SeedSequence(root).spawn``. Child ``r`` does not depend on how many replications are
asked for, so raising the count later keeps the seeds already used. Seeds are 63-bit integers so
that they fit a signed 64-bit database column.
"""

from __future__ import annotations

import numpy as np


def replication_seeds(root: int, replications: int) -> list[int]:
    """The model seed of each replication ``0 .. replications - 1``."""
    children = np.random.SeedSequence(root).spawn(replications)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]
