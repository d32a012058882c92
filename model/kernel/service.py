"""Service at a station in the kernels: a job's service time (the sum of its step's parts, each its
own keyed draw; at the front desk every step's counter parts), arrival at a queue, start, finish,
and what follows a counter visit (a return for missing documents, the back office, the next
steps).
"""

from __future__ import annotations

import numba

from govlab.model.kernel.access import (
    _exponential,
    _factor,
    _fetched_at,
    _has_bit,
    _log,
    _set_bit,
    _uniform,
    _visit,
)
from govlab.model.kernel.heap import _advance, _dequeue, _push
from govlab.model.kernel.intake import _distance, _trip
from govlab.model.kernel.keyed import K_BACKOFFICE, K_COUNTER, K_MISSING, K_REWORK, in_round
from govlab.model.kernel.layout import (
    ARRIVE,
    C_DISTANCE,
    C_PLAN,
    C_RETURNS,
    C_RULES,
    C_SUBMITTED,
    C_TRACE,
    F_VISITS,
    FINISH,
    FROM_DESK,
    IN_SERVICE,
    IN_TRANSIT,
    J_AT_COUNTER,
    J_CASE,
    J_DOCS,
    J_ENQUEUED,
    J_NEXT,
    J_PRESENT,
    J_RISKY,
    J_ROUND,
    J_SPLIT,
    J_STARTED,
    J_STATION,
    J_STEP,
    J_VISIT,
    J_WHERE,
    P_NSTEPS,
    P_STEP0,
    QUEUED,
    R_REWORK_DAYS,
    REWORK,
    RL_P_MISSING,
    S_ARRIVALS,
    S_BUSY,
    S_DEPARTURES,
    S_HEAD,
    S_IN_SYSTEM,
    S_QUEUED,
    S_SERVERS,
    S_TAIL,
    S_TIME_IN_SYSTEM,
    SERVICE,
    ST_APP0,
    ST_BACKOFFICE_DAYS,
    ST_COUNTER_DAYS,
    ST_FUNCTION,
    ST_GOV0,
    ST_KEY,
    ST_NAPP,
    ST_NGOV,
    ST_NPART,
    ST_PART0,
    STAY,
    STEP_DONE,
    T_ARRIVE,
    T_FINISH,
    T_RETURN,
    T_START,
    WAIT,
)
from govlab.model.kernel.routing import _to_backoffice
from govlab.model.records import A_BACKOFFICE, A_COUNTER, A_REWORK


@numba.njit(cache=True, _nrt=False, inline="always")
def _parts_time(st, tb, case, s, column, purpose, visit, again):
    """The summed service times of step ``s``'s parts (the catalogue steps it stands for), each
    its mean (``part_f[:, column]``) times the case's number for its draw step (in round
    ``again``: ``in_round``)."""
    total = 0.0
    for p in range(tb.step_i[s, ST_PART0], tb.step_i[s, ST_PART0] + tb.step_i[s, ST_NPART]):
        days = tb.part_f[p, column]
        if days > 0.0:
            total += days * _factor(st, tb, case, purpose, in_round(tb.part_i[p], again), visit)
    return total


@numba.njit(cache=True, _nrt=False, inline="always")
def _service_time(st, tb, job):
    """As ``Journeys._service_time``: the sum over the step's parts of mean × the case's number;
    at the front desk the sum of every step's counter times."""
    case = st.job_i[job, J_CASE]
    step = st.job_i[job, J_STEP]
    visit = st.job_i[job, J_VISIT]
    again = st.job_i[job, J_ROUND]
    step0 = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0]
    if not st.job_i[job, J_AT_COUNTER]:
        return _parts_time(st, tb, case, step0 + step, ST_BACKOFFICE_DAYS, K_BACKOFFICE, 0, again)
    if step >= 0:
        return _parts_time(st, tb, case, step0 + step, ST_COUNTER_DAYS, K_COUNTER, visit, again)
    total = 0.0
    for s in range(step0, step0 + tb.plan_i[st.case_i[case, C_PLAN], P_NSTEPS]):
        total += _parts_time(st, tb, case, s, ST_COUNTER_DAYS, K_COUNTER, visit, again)
    return total


@numba.njit(cache=True, _nrt=False, inline="always")
def _start(st, tb, time, station, job):
    duration = _service_time(st, tb, job)
    st.job_f[job, J_SPLIT + SERVICE] += duration
    st.job_f[job, J_STARTED] = time
    st.job_i[job, J_WHERE] = IN_SERVICE
    case = st.job_i[job, J_CASE]
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, time, T_START, station)
    _push(st, time + duration, FINISH, station, job)


@numba.njit(cache=True, _nrt=False, inline="always")
def _arrive(st, tb, time, station, job):
    district = tb.counter_district[station]
    if district >= 0 and tb.desk_open[district]:  # the district's desk replaces its counters
        station = tb.desk[district]
        st.job_i[job, J_STATION] = station
    st.job_f[job, J_ENQUEUED] = time
    case = st.job_i[job, J_CASE]
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, time, T_ARRIVE, station)
    _advance(st, station, time)
    st.station_i[station, S_ARRIVALS] += 1
    st.station_i[station, S_IN_SYSTEM] += 1
    if st.station_i[station, S_BUSY] < st.station_i[station, S_SERVERS]:
        st.station_i[station, S_BUSY] += 1
        _start(st, tb, time, station, job)
        return
    st.job_i[job, J_WHERE] = QUEUED
    tail = st.station_i[station, S_TAIL]
    if tail >= 0:
        st.job_i[tail, J_NEXT] = job
    else:
        st.station_i[station, S_HEAD] = job
    st.station_i[station, S_TAIL] = job
    st.station_i[station, S_QUEUED] += 1


@numba.njit(cache=True, _nrt=False, inline="always")
def _finish(st, tb, time, station, job):
    """FINISH event; returns what the caller does next with the job's case (STAY: nothing,
    STEP_DONE or FROM_DESK: run the case's graph on, which the caller does with ``_proceed``
    so that the kernel has few call sites of it)."""
    _advance(st, station, time)
    st.station_i[station, S_DEPARTURES] += 1
    st.station_i[station, S_IN_SYSTEM] -= 1
    st.station_f[station, S_TIME_IN_SYSTEM] += time - st.job_f[job, J_ENQUEUED]
    if tb.flag[F_VISITS]:
        activity = A_COUNTER if st.job_i[job, J_AT_COUNTER] else A_BACKOFFICE
        _visit(st, st.job_i[job, J_CASE], st.job_i[job, J_STEP], activity, station,
               st.job_f[job, J_ENQUEUED], st.job_f[job, J_STARTED], time)  # fmt: skip
    st.job_i[job, J_WHERE] = IN_TRANSIT
    following = -1
    if st.station_i[station, S_QUEUED] and (
        st.station_i[station, S_BUSY] <= st.station_i[station, S_SERVERS]
    ):
        following = _dequeue(st, station)
    else:
        st.station_i[station, S_BUSY] -= 1
    case = st.job_i[job, J_CASE]
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, time, T_FINISH, station)
    if following >= 0:
        st.job_f[following, J_SPLIT + WAIT] += time - st.job_f[following, J_ENQUEUED]
        _start(st, tb, time, station, following)
    if st.job_i[job, J_AT_COUNTER]:
        return _after_counter(st, tb, time, station, job)
    return STEP_DONE


@numba.njit(cache=True, _nrt=False, inline="always")
def _missing(st, tb, job, case, visit):
    """Whether a document at risk is missing at this counter visit, each decided by its own
    number (as ``Journeys._after_counter``): at a step, its own and unfetched government
    documents; at the front desk, every such document of the case, keyed by the first step that
    needs it."""
    p_missing = tb.rule_f[st.case_i[case, C_RULES], RL_P_MISSING]
    row = st.case_bits[case]
    plan = st.case_i[case, C_PLAN]
    step0 = tb.plan_i[plan, P_STEP0]
    step = st.job_i[job, J_STEP]
    first, stop = step0 + step, step0 + step + 1
    desk = step < 0
    if desk:
        first, stop = step0, step0 + tb.plan_i[plan, P_NSTEPS]
        st.scratch[0][:] = 0
        st.scratch[1][:] = 0
    for s in range(first, stop):
        key_step = in_round(tb.step_i[s, ST_KEY], st.job_i[job, J_ROUND])
        for k in range(tb.step_i[s, ST_APP0], tb.step_i[s, ST_APP0] + tb.step_i[s, ST_NAPP]):
            doc = tb.docs[k]
            if desk:
                if _has_bit(st.scratch[0], 0, doc):
                    continue
                _set_bit(st.scratch[0], 0, doc)
            if _uniform(st, tb, case, K_MISSING, key_step, doc, visit) < p_missing:
                return True
        for k in range(tb.step_i[s, ST_GOV0], tb.step_i[s, ST_GOV0] + tb.step_i[s, ST_NGOV]):
            doc = tb.docs[k]
            if _has_bit(row, _fetched_at(tb), doc):
                continue
            if desk:
                if _has_bit(st.scratch[1], 0, doc):
                    continue
                _set_bit(st.scratch[1], 0, doc)
            if _uniform(st, tb, case, K_MISSING, key_step, doc, visit) < p_missing:
                return True
    return False


@numba.njit(cache=True, _nrt=False, inline="always")
def _after_counter(st, tb, time, station, job):
    """After a counter visit: a return for missing documents, the desk's hand-over, or the
    back office; returns as ``_finish``."""
    case = st.job_i[job, J_CASE]
    visit = st.job_i[job, J_VISIT]
    if st.job_i[job, J_RISKY] and _missing(st, tb, job, case, visit):
        st.case_i[case, C_RETURNS] += 1
        if st.case_i[case, C_TRACE] >= 0:
            _log(st, case, time, T_RETURN, station)
        step = st.job_i[job, J_STEP]
        key = 0  # the front desk
        if step >= 0:
            s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + step
            key = in_round(tb.step_i[s, ST_KEY], st.job_i[job, J_ROUND])
        delay = tb.real[R_REWORK_DAYS] * _exponential(st, tb, case, K_REWORK, key, visit)
        st.job_i[job, J_VISIT] = visit + 1
        st.job_f[job, J_SPLIT + REWORK] += delay
        if tb.flag[F_VISITS]:
            _visit(st, case, st.job_i[job, J_STEP], A_REWORK, -1, time, time, time + delay)
        if st.job_i[job, J_PRESENT]:
            step = st.job_i[job, J_STEP]
            distance = float(st.case_i[case, C_DISTANCE])  # the front desk, in its district
            if step >= 0:
                s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + step
                distance = _distance(st, tb, case, tb.step_i[s, ST_FUNCTION])
            delay += _trip(st, tb, job, distance, time + delay)
        st.case_i[case, C_SUBMITTED] += st.job_i[job, J_DOCS]
        _push(st, time + delay, ARRIVE, station, job)
        return STAY
    if st.job_i[job, J_STEP] < 0:
        return FROM_DESK
    if _to_backoffice(st, tb, time, job):
        return STEP_DONE
    return STAY
