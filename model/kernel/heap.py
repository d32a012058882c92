"""The kernels' event heap (ordered by time, then sequence, as ``model.engine.EventHeap``), the
stations' FIFO queues and time integrals (as ``model.engine.Station``) and the job rows recycled
through a free stack.
"""

from __future__ import annotations

import numba

from govlab.model.kernel.layout import (
    C_LOOPS,
    FREE_JOBS,
    HEAP,
    J_CASE,
    J_NEXT,
    J_ROUND,
    J_SPLIT,
    J_STATION,
    J_STEP,
    S_AREA_BUSY,
    S_AREA_IN_SYSTEM,
    S_BUSY,
    S_HEAD,
    S_IN_SYSTEM,
    S_LAST_TIME,
    S_QUEUED,
    S_TAIL,
    SEQ,
)


@numba.njit(cache=True, _nrt=False, inline="always")
def _move(heap_t, heap_i, source, target):
    heap_t[target] = heap_t[source]
    heap_i[target, 0] = heap_i[source, 0]
    heap_i[target, 1] = heap_i[source, 1]


@numba.njit(cache=True, _nrt=False, inline="always")
def _push(st, time, kind, station, job):
    """Push an event ordered by (time, sequence), as model.engine.EventHeap does."""
    st.count[SEQ] += 1
    seq = st.count[SEQ]
    st.job_i[job, J_STATION] = station
    heap_t, heap_i = st.heap_t, st.heap_i
    i = st.count[HEAP]
    st.count[HEAP] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        if heap_t[parent] < time or (heap_t[parent] == time and heap_i[parent, 0] < seq):
            break
        _move(heap_t, heap_i, parent, i)
        i = parent
    heap_t[i] = time
    heap_i[i, 0] = seq
    heap_i[i, 1] = 2 * job + kind


@numba.njit(cache=True, _nrt=False, inline="always")
def _pop(st):
    """Remove the first event; return (time, kind, job)."""
    heap_t, heap_i = st.heap_t, st.heap_i
    time, payload = heap_t[0], heap_i[0, 1]
    size = st.count[HEAP] - 1
    st.count[HEAP] = size
    last_t, last_seq, last_payload = heap_t[size], heap_i[size, 0], heap_i[size, 1]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        other = child + 1
        if other < size and (
            heap_t[other] < heap_t[child]
            or (heap_t[other] == heap_t[child] and heap_i[other, 0] < heap_i[child, 0])
        ):
            child = other
        if last_t < heap_t[child] or (last_t == heap_t[child] and last_seq < heap_i[child, 0]):
            break
        _move(heap_t, heap_i, child, i)
        i = child
    heap_t[i] = last_t
    heap_i[i, 0] = last_seq
    heap_i[i, 1] = last_payload
    return time, payload & 1, payload >> 1


@numba.njit(cache=True, _nrt=False, inline="always")
def _advance(st, station, time):
    elapsed = time - st.station_f[station, S_LAST_TIME]
    if elapsed > 0.0:
        st.station_f[station, S_AREA_IN_SYSTEM] += st.station_i[station, S_IN_SYSTEM] * elapsed
        st.station_f[station, S_AREA_BUSY] += st.station_i[station, S_BUSY] * elapsed
        st.station_f[station, S_LAST_TIME] = time


@numba.njit(cache=True, _nrt=False, inline="always")
def _dequeue(st, station):
    job = st.station_i[station, S_HEAD]
    st.station_i[station, S_HEAD] = st.job_i[job, J_NEXT]
    if st.job_i[job, J_NEXT] < 0:
        st.station_i[station, S_TAIL] = -1
    st.job_i[job, J_NEXT] = -1
    st.station_i[station, S_QUEUED] -= 1
    return job


@numba.njit(cache=True, _nrt=False, inline="always")
def _new_job(st, case, step):
    st.count[FREE_JOBS] -= 1
    job = st.free_jobs[st.count[FREE_JOBS]]
    st.job_i[job, :] = 0
    st.job_i[job, J_CASE] = case
    st.job_i[job, J_STEP] = step
    st.job_i[job, J_NEXT] = -1
    st.job_i[job, J_ROUND] = st.case_i[case, C_LOOPS]
    st.job_f[job, :] = 0.0
    return job


@numba.njit(cache=True, _nrt=False, inline="always")
def _free_job(st, job):
    st.free_jobs[st.count[FREE_JOBS]] = job
    st.count[FREE_JOBS] += 1


@numba.njit(cache=True, _nrt=False, inline="always")
def _inherit_split(st, source, job):
    """The job starts with the split of the path that led to it (the job ``source``)."""
    for part in range(5):
        st.job_f[job, J_SPLIT + part] = st.job_f[source, J_SPLIT + part]
