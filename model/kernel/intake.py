"""What a case's journey costs the applicant, in the kernels (as ``model.journey.Journeys``): trips
(with a refusal's detour at the local office), hand-offs between offices (visit gaps, courier,
electronic), the documents handed in and fetched from the hub, and the case's record when its
last step ends.
"""

from __future__ import annotations

import numba

from govlab.model.kernel.access import (
    _distinct_at,
    _exponential,
    _fetched_at,
    _has_bit,
    _log,
    _offices_at,
    _popcount,
    _set_bit,
    _uniform,
    _visit,
)
from govlab.model.kernel.keyed import K_HANDOFF, K_REFUSAL, in_round
from govlab.model.kernel.layout import (
    C_APPLICANT,
    C_ARRIVAL,
    C_AWAY,
    C_DESK,
    C_DISTANCE,
    C_DISTRICT,
    C_HANDOFFS,
    C_HOME,
    C_KIND,
    C_ONLINE,
    C_PLAN,
    C_REFUSED,
    C_RETRIEVALS,
    C_RETURNS,
    C_RULES,
    C_SPLIT,
    C_SUBMITTED,
    C_TRACE,
    C_TRACE_TIME,
    C_TRIPS,
    C_TYPE,
    F_VISITS,
    FREE_CASES,
    HANDOFF,
    J_AT_COUNTER,
    J_CASE,
    J_DOCS,
    J_RISKY,
    J_ROUND,
    J_SPLIT,
    J_STEP,
    OPEN,
    P_STEP0,
    R_CITY_DISTANCE,
    R_COURIER_DAYS,
    R_ELECTRONIC_DAYS,
    R_REFUSAL,
    R_TRIP_BASE,
    R_TRIP_PER_DISTRICT,
    R_VISIT_GAP_DAYS,
    RECORDS,
    REFUSALS,
    RL_ANYWHERE,
    RL_CARRY,
    ST_KEY,
    T_COMPLETE,
    T_TRIP,
    TRAVEL,
)
from govlab.model.records import A_HANDOFF, A_TRAVEL


@numba.njit(cache=True, _nrt=False, inline="always")
def _distance(st, tb, case, function):
    """Districts to travel to the office of ``function`` serving the case."""
    if tb.city[function]:
        return tb.real[R_CITY_DISTANCE]
    return float(st.case_i[case, C_DISTANCE])


@numba.njit(cache=True, _nrt=False, inline="always")
def _trip(st, tb, job, distance, start):
    """A trip of the applicant starting at ``start``; returns its days."""
    days = tb.real[R_TRIP_BASE] + tb.real[R_TRIP_PER_DISTRICT] * distance
    case = st.job_i[job, J_CASE]
    if tb.flag[F_VISITS]:
        _visit(st, case, st.job_i[job, J_STEP], A_TRAVEL, -1, start, start, start + days)
    st.case_i[case, C_TRIPS] += 1
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, st.case_f[case, C_TRACE_TIME], T_TRIP, -1)
    st.job_f[job, J_SPLIT + TRAVEL] += days
    return days


@numba.njit(cache=True, _nrt=False, inline="always")
def _first_contact(st, tb, job, distance, time):
    case = st.job_i[job, J_CASE]
    if st.case_i[case, C_ONLINE]:
        return 0.0
    delay = 0.0
    if (
        st.case_i[case, C_AWAY]
        and not tb.rule_i[st.case_i[case, C_RULES], RL_ANYWHERE]
        and _uniform(st, tb, case, K_REFUSAL, 0, 0, 0) < tb.real[R_REFUSAL]
    ):
        st.case_i[case, C_REFUSED] = 1
        st.count[REFUSALS] += 1
        delay += _trip(st, tb, job, 0.0, time)
    return delay + _trip(st, tb, job, distance, time + delay)


@numba.njit(cache=True, _nrt=False, inline="always")
def _handoff(st, tb, job, distance, time):
    case = st.job_i[job, J_CASE]
    carry, desk = tb.rule_i[st.case_i[case, C_RULES], RL_CARRY], st.case_i[case, C_DESK]
    s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + st.job_i[job, J_STEP]
    # the same number for a visit gap or a courier (fresh when the step is done again)
    step = in_round(tb.step_i[s, ST_KEY], st.job_i[job, J_ROUND])
    if carry and not desk and not st.case_i[case, C_ONLINE]:
        gap = tb.real[R_VISIT_GAP_DAYS] * _exponential(st, tb, case, K_HANDOFF, step, 0)
        st.job_f[job, J_SPLIT + HANDOFF] += gap
        if tb.flag[F_VISITS]:
            _visit(st, case, st.job_i[job, J_STEP], A_HANDOFF, -1, time, time, time + gap)
        return gap + _trip(st, tb, job, distance, time + gap)
    if carry and desk:
        days = tb.real[R_COURIER_DAYS] * _exponential(st, tb, case, K_HANDOFF, step, 0)
    else:
        days = tb.real[R_ELECTRONIC_DAYS]
    st.job_f[job, J_SPLIT + HANDOFF] += days
    if tb.flag[F_VISITS]:
        _visit(st, case, st.job_i[job, J_STEP], A_HANDOFF, -1, time, time, time + days)
    return days


@numba.njit(cache=True, _nrt=False, inline="always")
def _count_unfetched(st, tb, case, first, count, collect):
    """Count the documents ``docs[first:first+count]`` the hub does not hold (retrievals for the
    others); with ``collect``, also mark them in the case's distinct set."""
    row = st.case_bits[case]
    unfetched = 0
    for k in range(first, first + count):
        doc = tb.docs[k]
        if _has_bit(row, _fetched_at(tb), doc):
            st.case_i[case, C_RETRIEVALS] += 1
        else:
            unfetched += 1
            if collect:
                _set_bit(row, _distinct_at(tb), doc)
    return unfetched


@numba.njit(cache=True, _nrt=False, inline="always")
def _mark_docs(st, tb, case, first, count):
    row = st.case_bits[case]
    for k in range(first, first + count):
        _set_bit(row, _distinct_at(tb), tb.docs[k])


@numba.njit(cache=True, _nrt=False, inline="always")
def _submitted(st, tb, job, case, docs, risky, office_bit):
    st.case_i[case, C_SUBMITTED] += docs
    _set_bit(st.case_bits[case], _offices_at(tb), office_bit)
    st.job_i[job, J_DOCS] = docs
    st.job_i[job, J_RISKY] = risky
    st.job_i[job, J_AT_COUNTER] = 1


@numba.njit(cache=True, _nrt=False, inline="always")
def _complete(st, tb, time, case, job):
    """The case's last step (``job``) ended: its path's split is the case's."""
    for part in range(5):
        st.case_f[case, C_SPLIT + part] = st.job_f[job, J_SPLIT + part]
    st.count[OPEN] -= 1
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, time, T_COMPLETE, -1)
    row = st.count[RECORDS]
    st.count[RECORDS] = row + 1
    ci, ri = st.case_i, st.record_i
    ri[row, 0] = ci[case, C_TYPE]
    ri[row, 1] = ci[case, C_KIND]
    ri[row, 2] = ci[case, C_APPLICANT]
    ri[row, 3] = ci[case, C_HOME]
    ri[row, 4] = ci[case, C_DISTRICT]
    ri[row, 5] = ci[case, C_ONLINE]
    ri[row, 6] = ci[case, C_AWAY]
    ri[row, 7] = ci[case, C_REFUSED]
    ri[row, 8] = ci[case, C_TRIPS]
    ri[row, 9] = ci[case, C_HANDOFFS]
    ri[row, 10] = ci[case, C_SUBMITTED]
    bits = st.case_bits[case]
    distinct = _popcount(bits, _distinct_at(tb), _offices_at(tb))
    ri[row, 11] = ci[case, C_SUBMITTED] - distinct
    ri[row, 12] = _popcount(bits, _offices_at(tb), bits.shape[0])
    ri[row, 13] = ci[case, C_RETURNS]
    ri[row, 14] = ci[case, C_RETRIEVALS]
    ri[row, 15] = ci[case, C_RULES]
    st.record_f[row, 0] = st.case_f[case, C_ARRIVAL]
    st.record_f[row, 1] = time
    for part in range(5):
        st.record_f[row, 2 + part] = st.case_f[case, C_SPLIT + part]
    st.free_cases[st.count[FREE_CASES]] = case
    st.count[FREE_CASES] += 1
