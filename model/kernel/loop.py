"""The kernels called from Python (``model.compiled``): ``run`` opens a day's cases and handles the
events before the day's end; ``set_servers`` changes staffing; ``advance_all`` and
``time_inside`` read the stations. Each checks the array margins first and returns ``NEED_ROOM``
(resumable) when the caller must grow them.
"""

from __future__ import annotations

import numba

from govlab.model.kernel.heap import _advance, _dequeue, _pop
from govlab.model.kernel.layout import (
    ARRIVE,
    DONE,
    F_MARGIN_JOBS,
    F_MARGIN_LOG,
    F_VISITS,
    FREE_CASES,
    FREE_JOBS,
    HEAP,
    IN_TRANSIT,
    J_CASE,
    J_ENQUEUED,
    J_SPLIT,
    J_STATION,
    J_WHERE,
    LOG,
    NEED_ROOM,
    NEW_DONE,
    P_KIND,
    RECORDS,
    S_BUSY,
    S_QUEUED,
    S_SERVERS,
    STAY,
    VISITS,
    WAIT,
)
from govlab.model.kernel.routing import _open_case, _proceed
from govlab.model.kernel.service import _arrive, _finish, _start


@numba.njit(cache=True, _nrt=False, inline="always")
def _short(st, tb):
    """Which margins are short before the next opening or event (0 if none)."""
    status = DONE
    jobs = tb.flag[F_MARGIN_JOBS]
    if (
        st.count[FREE_JOBS] < jobs
        or st.count[FREE_CASES] < 1
        or st.heap_t.shape[0] - st.count[HEAP] < jobs
        or st.record_i.shape[0] - st.count[RECORDS] < 1
        or st.log_f.shape[0] - st.count[LOG] < tb.flag[F_MARGIN_LOG]
        or (tb.flag[F_VISITS] and st.visit_f.shape[0] - st.count[VISITS] < tb.flag[F_MARGIN_LOG])
    ):
        status |= NEED_ROOM
    return status


@numba.njit(cache=True, _nrt=False)
def run(st, tb, counts, uniforms, start, end):
    """Open the day's new cases (from ``count[NEW_DONE]`` on), then handle every event before
    ``end`` in (time, sequence) order. Returns DONE, or the margins that ran short.

    ``counts[p]`` cases of type p open, type by type; with n = sum(counts), case i opens at
    ``start + uniforms[i]`` for applicant ``int(uniforms[n + i] * applicants of its kind)``."""
    total = uniforms.shape[0] // 2
    first = 0
    for case_type in range(counts.shape[0]):
        applicants = tb.resident_district.shape[0]
        if tb.plan_i[case_type, P_KIND]:
            applicants = tb.enterprise_district.shape[0]
        for i in range(max(first, st.count[NEW_DONE]), first + counts[case_type]):
            status = _short(st, tb)
            if status:
                return status
            applicant = int(uniforms[total + i] * applicants)
            _open_case(st, tb, start + uniforms[i], case_type, applicant)
            st.count[NEW_DONE] = i + 1
        first += counts[case_type]
    while st.count[HEAP] and st.heap_t[0] < end:
        status = _short(st, tb)
        if status:
            return status
        time, kind, job = _pop(st)
        station = st.job_i[job, J_STATION]
        if kind == ARRIVE:
            _arrive(st, tb, time, station, job)
            continue
        case = st.job_i[job, J_CASE]
        then = _finish(st, tb, time, station, job)
        if then != STAY:
            _proceed(st, tb, time, case, job, then)
    st.count[NEW_DONE] = 0  # done: the next call opens the next day's cases
    return DONE


@numba.njit(cache=True, _nrt=False)
def set_servers(st, tb, time, stations, servers):
    """Set the servers of ``stations`` at ``time``; queued jobs taken by freed servers start.
    Resumable: calling again after a short margin repeats no work."""
    for k in range(stations.shape[0]):
        station = stations[k]
        _advance(st, station, time)
        st.station_i[station, S_SERVERS] = servers[k]
        while st.station_i[station, S_QUEUED] and (
            st.station_i[station, S_BUSY] < st.station_i[station, S_SERVERS]
        ):
            status = _short(st, tb)
            if status:
                return status
            st.station_i[station, S_BUSY] += 1
            job = _dequeue(st, station)
            st.job_f[job, J_SPLIT + WAIT] += time - st.job_f[job, J_ENQUEUED]
            _start(st, tb, time, station, job)
    return DONE


@numba.njit(cache=True, _nrt=False)
def advance_all(st, time):
    """Integrate every station's counters up to ``time``."""
    for station in range(st.station_i.shape[0]):
        _advance(st, station, time)


@numba.njit(cache=True, _nrt=False)
def time_inside(st, now, inside, free):
    """Add to ``inside`` (per station) the summed time so far of the jobs waiting or in service
    there at ``now``; ``free`` is scratch, one flag per job row."""
    for k in range(st.count[FREE_JOBS]):
        free[st.free_jobs[k]] = True
    for job in range(st.job_i.shape[0]):
        if not free[job] and st.job_i[job, J_WHERE] != IN_TRANSIT:
            inside[st.job_i[job, J_STATION]] += now - st.job_f[job, J_ENQUEUED]
