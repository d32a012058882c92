"""Reading a case's row in the kernels: its keyed random numbers (the case's number and the key
from the tables), its bit sets (fetched documents, distinct documents, offices) and the trace log.
"""

from __future__ import annotations

import numba
import numpy as np

from govlab.model.kernel.keyed import exponential, service_factor, uniform
from govlab.model.kernel.layout import (
    C_DISTRICT,
    C_NUMBER,
    C_ONLINE,
    C_RULES,
    C_TRACE,
    C_TRACE_TIME,
    C_TYPE,
    F_DISTRIBUTION,
    F_DOC_WORDS,
    F_KEY,
    LOG,
    R_SHIFT,
    R_SIGMA,
    VISITS,
)


@numba.njit(cache=True, _nrt=False, inline="always")
def _uniform(st, tb, case, purpose, step, item, visit):
    """The case's uniform for ``purpose`` (``model.draws``; ``step`` is the step index + 1)."""
    number = st.case_i[case, C_NUMBER]
    return uniform(tb.flag[F_KEY], number, purpose, step, item, visit)


@numba.njit(cache=True, _nrt=False, inline="always")
def _exponential(st, tb, case, purpose, step, visit):
    number = st.case_i[case, C_NUMBER]
    return exponential(tb.flag[F_KEY], number, purpose, step, 0, visit)


@numba.njit(cache=True, _nrt=False, inline="always")
def _factor(st, tb, case, purpose, step, visit):
    """A service time of mean 1 for the case's draw step (``StepPlan.parts``) and visit."""
    number = st.case_i[case, C_NUMBER]
    return service_factor(
        tb.flag[F_KEY], number, purpose, step, visit,
        tb.flag[F_DISTRIBUTION], tb.real[R_SIGMA], tb.real[R_SHIFT],
    )  # fmt: skip


@numba.njit(cache=True, _nrt=False)
def _has_bit(row, first_word, bit):
    word = row[first_word + (bit >> 6)]
    return ((word >> np.uint64(bit & 63)) & np.uint64(1)) != np.uint64(0)


@numba.njit(cache=True, _nrt=False)
def _set_bit(row, first_word, bit):
    row[first_word + (bit >> 6)] |= np.uint64(1) << np.uint64(bit & 63)


@numba.njit(cache=True, _nrt=False)
def _popcount(row, start, stop):
    total = 0
    for w in range(start, stop):
        word = row[w]
        while word:
            word &= word - np.uint64(1)
            total += 1
    return total


# Word offsets in a case_bits row: fetched documents, distinct documents, offices.


@numba.njit(cache=True, _nrt=False)
def _fetched_at(tb):
    return 0


@numba.njit(cache=True, _nrt=False)
def _distinct_at(tb):
    return tb.flag[F_DOC_WORDS]


@numba.njit(cache=True, _nrt=False)
def _offices_at(tb):
    return 2 * tb.flag[F_DOC_WORDS]


@numba.njit(cache=True, _nrt=False)
def _log(st, case, time, event, station):
    row = st.count[LOG]
    st.log_i[row, 0] = st.case_i[case, C_TRACE]
    st.log_i[row, 1] = event
    st.log_i[row, 2] = station
    st.log_f[row] = time
    st.count[LOG] = row + 1
    st.case_f[case, C_TRACE_TIME] = time


@numba.njit(cache=True, _nrt=False, inline="always")
def _visit(st, case, step, activity, station, arrival, start, end):
    """Write a visit row (``model.records.VISIT_FIELDS``; the caller checks ``F_VISITS``)."""
    row = st.count[VISITS]
    vi = st.visit_i
    vi[row, 0] = st.case_i[case, C_NUMBER]
    vi[row, 1] = st.case_i[case, C_TYPE]
    vi[row, 2] = step
    vi[row, 3] = activity
    vi[row, 4] = station
    vi[row, 5] = st.case_i[case, C_ONLINE]
    vi[row, 6] = st.case_i[case, C_DISTRICT]
    vi[row, 7] = st.case_i[case, C_RULES]
    st.visit_f[row, 0] = arrival
    st.visit_f[row, 1] = start
    st.visit_f[row, 2] = end
    st.count[VISITS] = row + 1
