"""Fused passes over the population columns: the daily whole-population updates as one loop each.

At city scale (10^7 residents and more) a day's civic arrays are memory-bound: each NumPy
expression over a column reads and writes the whole column, and the published-figure update of
``model.evaluation`` was about fifteen such passes (and as many temporary columns). Here each
update is one compiled loop (numba, cached on disk) that takes, row by row, exactly the float32
operations NumPy performs, in the same order and with the same roundings, so the numbers are the
same bit for bit (``tests/model/test_fused.py`` compares each loop with the NumPy expression it
replaces):

- a Python float in a NumPy float32 expression is rounded to float32 first (NEP 50), so the
  callers pass ``np.float32(coefficient)``;
- numba keeps float32 arithmetic in float32 when both operands are float32, and, without
  fast-math, neither reassociates nor fuses a multiply-add;
- ``np.clip(x, 0, 1)`` is ``min(max(x, 0), 1)`` for numbers (the columns hold no nan).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def read_published(
    district, last_case_day, expectation, trust, weight_of, published, now, recent,
    base, performance, disconfirmation, expectation_rate, trust_rate,
):  # fmt: skip
    """The vicarious case of ``Evaluation._read_published``, row by row (all float32):

    w = weight_of[district] (0 if now − last_case_day ≤ recent); p = published[district]
    s = clip(base + performance·p + disconfirmation·(p − E), 0, 1)
    E += (p − E)·w·expectation_rate;  T += (s − T)·w·trust_rate
    """
    zero, one = np.float32(0.0), np.float32(1.0)
    for i in range(district.shape[0]):
        d = district[i]
        w = weight_of[d]
        if now - last_case_day[i] <= recent:
            w = zero
        p = published[d]
        e = expectation[i]
        s = base + performance * p + disconfirmation * (p - e)
        s = min(max(s, zero), one)
        expectation[i] = e + (p - e) * w * expectation_rate
        t = trust[i]
        trust[i] = t + (s - t) * w * trust_rate


@numba.njit(cache=True, nogil=True)
def flagged_neighbours(indptr, indices, flags, out):
    """``out[i]`` = how many of node i's neighbours have ``flags`` set: ``adjacency @ flags`` for
    an adjacency whose entries are all 1 (exact in float32 below 2^24 neighbours), reading the
    column indices only."""
    for i in range(indptr.shape[0] - 1):
        count = 0
        for k in range(indptr[i], indptr[i + 1]):
            count += flags[indices[k]]
        out[i] = count


@numba.njit(cache=True, nogil=True)
def flagged_per_group(group, flags, groups):
    """How many rows of each group have ``flags`` set (``np.bincount(group, flags)``, as int64)."""
    counts = np.zeros(groups, dtype=np.int64)
    for i in range(group.shape[0]):
        if flags[i]:
            counts[group[i]] += 1
    return counts


@numba.njit(cache=True, nogil=True)
def recount_flagged_neighbours(indptr, indices, flags, counted, counts):
    """Bring ``counts`` (flagged neighbours per node, as ``flagged_neighbours`` gives them for
    ``counted``) up to date with ``flags``: each node whose flag changed adds ±1 to its
    neighbours' counts (whole numbers in float32: exact), and ``counted`` becomes ``flags``.
    Returns how many flags changed. One pass over the flags plus the changed nodes' rows."""
    changed = 0
    for i in range(flags.shape[0]):
        if flags[i] != counted[i]:
            step = np.float32(1.0) if flags[i] else np.float32(-1.0)
            for k in range(indptr[i], indptr[i + 1]):
                counts[indices[k]] += step
            counted[i] = flags[i]
            changed += 1
    return changed


@numba.njit(cache=True, nogil=True)
def participation_utility(
    trust, efficacy, share, digital_skill, time, civic_skill, privacy_concern,
    weight_trust, weight_efficacy, weight_neighbours, cost_open,
    cost_digital, cost_time, cost_civic_skill, cost_privacy,
):  # fmt: skip
    """``model.voice.participation_utility`` over float32 columns, row by row (float32
    coefficients), in its order of operations; a new float32 column."""
    one = np.float32(1.0)
    utility = np.empty(trust.shape[0], dtype=np.float32)
    for i in range(trust.shape[0]):
        u = weight_trust * trust[i] + weight_efficacy * efficacy[i]
        u = u + weight_neighbours * share[i]
        u = u - cost_open
        u = u - cost_digital * (one - digital_skill[i])
        u = u - cost_time * (one - time[i])
        u = u - cost_civic_skill * (one - civic_skill[i])
        utility[i] = u - cost_privacy * privacy_concern[i]
    return utility
