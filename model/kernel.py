"""The compiled service engine: journeys, event heap and stations as numba kernels on arrays.

This is ``model/journey.py`` + ``model/engine.py`` (the readable reference, kept for tests and
debugging) written over preallocated arrays, so that a day's events run without the interpreter.
It takes the same decisions in the same order and the same random numbers (each a function of the
case's number and what it decides, ``model.draws``; the functions are compiled here, inlined in the
kernels and called from Python by the reference), so for one seed both engines give the same case
records bit for bit
(``tests/model/test_compiled_engine.py``). ``model/compiled.py`` owns the arrays and calls these
kernels; this module only reads and writes them.

The state is two namedtuples of arrays: ``Tables`` (the compiled plans, the office layout, the
levers and the applicants' homes and skills; read only) and ``State`` (cases, jobs, stations, the
heap, completed-case records, the trace log; see the column constants).
Cases and jobs live in rows recycled through free stacks. Document and office sets are bit masks
(``case_bits``: fetched documents, distinct submitted documents, offices visited by function, the
front desk as bit ``n_functions``). A kernel never runs out of room mid-event: before each case
opening and each event it checks the margins and, if short, returns ``NEED_ROOM``; the caller grows
the arrays and calls again, and the kernel resumes where it stopped.

Compilation choices, each measured (``benchmarks/README.md``): ``_nrt=False`` (the kernels
allocate nothing; with reference counting, handing the two namedtuples to a helper cost 430 ns a
call), helpers inlined (``inline="always"``: half the time per event; the first compile takes
≈ 35 s and is cached per machine, ``cache=True``), and no recursion (numba's cache cannot load
mutually recursive functions: where the reference would recurse, both engines run a stack,
and the kernel returns what follows an event to its caller).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numba
import numpy as np

from model.records import RESIDENT

# Return codes.
DONE, NEED_ROOM = 0, 2

# Event kinds (as model.engine) and trace event codes.
ARRIVE, FINISH = 0, 1
TRACE_EVENTS = ("open", "trip", "arrive", "start", "finish", "return", "complete", "ready")
T_OPEN, T_TRIP, T_ARRIVE, T_START, T_FINISH, T_RETURN, T_COMPLETE, T_READY = range(8)

# count[]: scalar state.
(
    HEAP,  # events in the heap
    SEQ,  # events pushed so far (tie-break)
    FREE_JOBS,  # rows on the free-job stack
    FREE_CASES,  # rows on the free-case stack
    RECORDS,  # completed-case records written
    OPEN,  # cases open now
    OPENED,  # cases opened so far
    REFUSALS,  # refusals at the local office so far
    LOG,  # trace-log rows written
    NEW_DONE,  # cases of the pending input opened so far
    N_COUNTS,
) = range(11)

# case_i columns.
(
    C_PLAN,
    C_KIND,
    C_APPLICANT,
    C_HOME,
    C_DISTRICT,
    C_DISTANCE,
    C_ONLINE,
    C_AWAY,
    C_REFUSED,
    C_PENDING,  # steps not yet ended
    C_SUBMITTED,
    C_TRIPS,
    C_HANDOFFS,
    C_RETURNS,
    C_RETRIEVALS,
    C_TRACE,  # trace key (case number) or -1
    C_NUMBER,  # opening order 1, 2, ...: the key of the case's random numbers
    N_CASE_I,
) = range(18)
# case_wait[case, step]: predecessors of the step not yet ended.
# case_f columns: arrival, time of the last trace row, then the five-part split.
C_ARRIVAL, C_TRACE_TIME, C_SPLIT = 0, 1, 2
# job_i columns.
(
    J_CASE,
    J_STEP,  # index into the plan's steps, -1 at the front desk
    J_AT_COUNTER,
    J_PRESENT,
    J_DOCS,
    J_RISKY,
    J_STATION,  # station of its pending event, queue or server
    J_NEXT,  # next job in the station's FIFO
    J_WHERE,  # 0 in transit, 1 queued, 2 in service
    J_VISIT,  # counter visits before this one (returns for missing documents)
    N_JOB_I,
) = range(11)
IN_TRANSIT, QUEUED, IN_SERVICE = 0, 1, 2
# What follows a FINISH event for the job's case (and how ``_proceed`` starts): nothing, the
# job's step ended, the front desk ended (start the source steps), the case opened (the same).
STAY, STEP_DONE, FROM_DESK, FIRST = 0, 1, 2, 3
# job_f columns: enqueue time, then the split.
J_ENQUEUED, J_SPLIT = 0, 1
WAIT, SERVICE, HANDOFF, TRAVEL, REWORK = range(5)
# station_i / station_f columns (as model.engine.Station).
S_SERVERS, S_BUSY, S_IN_SYSTEM, S_ARRIVALS, S_DEPARTURES, S_HEAD, S_TAIL, S_QUEUED = range(8)
S_AREA_IN_SYSTEM, S_AREA_BUSY, S_LAST_TIME, S_TIME_IN_SYSTEM = range(4)
# record_i / record_f columns (model.journey.RECORD_FIELDS order: ints, then floats).
N_RECORD_I, N_RECORD_F = 15, 7
# plan_i / step_i columns (offsets into docs, and into links for sources and successors, which
# are step numbers within the plan).
P_ONLINE, P_KIND, P_STEP0, P_NSTEPS, P_SRC0, P_NSRC, P_GOV0, P_NGOV = range(8)
(
    ST_FUNCTION,
    ST_APP0,
    ST_NAPP,
    ST_GOV0,
    ST_NGOV,
    ST_CASE0,
    ST_NCASE,
    ST_SUCC0,
    ST_NSUCC,
    ST_NPRED,
    ST_KEY,  # draw step of the step's own numbers (routes.StepPlan.key)
    ST_PART0,  # offset into part_i / part_f: the catalogue steps it stands for
    ST_NPART,
    N_STEP_I,
) = range(14)
ST_COUNTER_DAYS, ST_BACKOFFICE_DAYS = range(2)
# part_i: the draw step of each part (routes.StepPlan.parts); part_f: its counter and back-office
# days (columns ST_COUNTER_DAYS, ST_BACKOFFICE_DAYS).
# real[] and flag[] parameters.
(
    R_ONLINE_COVERAGE,
    R_SKILL_THRESHOLD,
    R_AWAY_SHARE,
    R_REFUSAL,
    R_P_MISSING,
    R_TRIP_BASE,
    R_TRIP_PER_DISTRICT,
    R_CITY_DISTANCE,
    R_REWORK_DAYS,
    R_VISIT_GAP_DAYS,
    R_COURIER_DAYS,
    R_ELECTRONIC_DAYS,
    R_SIGMA,
    R_SHIFT,
    R_SHARE,
    N_REAL,
) = range(16)
(
    F_DISTRICTS,
    F_FRONT_DESK,
    F_CARRY,
    F_ANYWHERE,
    F_DISTRIBUTION,  # 0 exponential, 1 lognormal, 2 deterministic
    F_DESK_BIT,  # = number of functions
    F_DOC_WORDS,
    F_MARGIN_JOBS,  # jobs and heap slots one event can take
    F_MARGIN_LOG,
    F_MAX_STEPS,  # steps of the longest plan
    F_KEY,  # the key of the random numbers (model.draws.service_key)
    N_FLAG,
) = range(12)
DISTRIBUTIONS = ("exponential", "lognormal", "deterministic")

# -- case-keyed random numbers (the scheme is documented in model.draws) -------------------------
# Defined here, not in model.draws, because numba's cache of this module does not notice changes
# to functions it inlines from another file; model.draws and model.journey use these.
# Purposes (what a number decides).
(
    K_ONLINE,
    K_AWAY,
    K_AWAY_DISTRICT,
    K_SHARED,
    K_REFUSAL,
    K_MISSING,
    K_COUNTER,
    K_BACKOFFICE,
    K_HANDOFF,
    K_REWORK,
) = range(1, 11)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SECOND = np.uint64(0xD1B54A32D192ED03)  # offsets the second uniform of a normal
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53
_TAU = 2.0 * math.pi


@numba.njit(cache=True, _nrt=False, inline="always")
def _mix(z):
    """The SplitMix64 finaliser: a bijection of 64-bit words with full avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(cache=True, _nrt=False, inline="always")
def _bits(key, case, purpose, step, item, visit):
    word = (
        (np.uint64(purpose) << np.uint64(56))
        | (np.uint64(step) << np.uint64(36))
        | (np.uint64(item) << np.uint64(16))
        | np.uint64(visit)
    )
    h = _mix(np.uint64(key) ^ _mix(np.uint64(case) * _GOLDEN + _GOLDEN))
    return _mix(h ^ _mix(word + _GOLDEN))


@numba.njit(cache=True, _nrt=False, inline="always")
def _unit(bits):
    """53 random bits as a float on [0, 1)."""
    return float(bits >> _S11) * _TO_UNIT


@numba.njit(cache=True, _nrt=False, inline="always")
def uniform(key, case, purpose, step, item, visit):
    """U[0, 1) for ``(case, purpose, step, item, visit)`` under ``key``."""
    return _unit(_bits(key, case, purpose, step, item, visit))


@numba.njit(cache=True, _nrt=False, inline="always")
def exponential(key, case, purpose, step, item, visit):
    """Exp(1) by inverse CDF of the keyed uniform."""
    return -math.log1p(-_unit(_bits(key, case, purpose, step, item, visit)))


@numba.njit(cache=True, _nrt=False, inline="always")
def normal(key, case, purpose, step, item, visit):
    """N(0, 1) by Box–Muller from two uniforms derived from the key."""
    bits = _bits(key, case, purpose, step, item, visit)
    radius = math.sqrt(-2.0 * math.log1p(-_unit(bits)))  # 1 - u in (0, 1]: finite
    return radius * math.cos(_TAU * _unit(_mix(bits ^ _SECOND)))


@numba.njit(cache=True, _nrt=False, inline="always")
def service_factor(key, case, purpose, step, visit, distribution, sigma, shift):
    """A service time of mean 1: Exp(1) (``distribution`` 0), lognormal ``exp(sigma z + shift)``
    (1) or exactly 1 (2); multiply by the mean service time."""
    if distribution == 0:
        return exponential(key, case, purpose, step, 0, visit)
    if distribution == 1:
        return math.exp(sigma * normal(key, case, purpose, step, 0, visit) + shift)
    return 1.0


Tables = namedtuple(
    "Tables",
    "plan_i step_i step_f part_i part_f links docs counter_of city desk "
    "real flag resident_district resident_skill enterprise_district enterprise_skill",
)
State = namedtuple(
    "State",
    "count case_i case_f case_bits case_wait job_i job_f station_i station_f heap_t heap_i "
    "free_jobs free_cases record_i record_f log_i log_f follow "
    "scratch stack_i stack_f",
)


# -- small helpers ------------------------------------------------------------------------------
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
    """A service time of mean 1 for the case's step (+ 1) and visit."""
    number = st.case_i[case, C_NUMBER]
    return service_factor(
        tb.flag[F_KEY], number, purpose, step, visit,
        tb.flag[F_DISTRIBUTION], tb.real[R_SIGMA], tb.real[R_SHIFT],
    )  # fmt: skip


@numba.njit(cache=True, _nrt=False, inline="always")
def _parts_time(st, tb, case, s, column, purpose, visit):
    """The summed service times of step ``s``'s parts (the catalogue steps it stands for), each
    its mean (``part_f[:, column]``) times the case's number for its draw step."""
    total = 0.0
    for p in range(tb.step_i[s, ST_PART0], tb.step_i[s, ST_PART0] + tb.step_i[s, ST_NPART]):
        days = tb.part_f[p, column]
        if days > 0.0:
            total += days * _factor(st, tb, case, purpose, tb.part_i[p], visit)
    return total


@numba.njit(cache=True, _nrt=False, inline="always")
def _service_time(st, tb, job):
    """As ``Journeys._service_time``: the sum over the step's parts of mean × the case's number;
    at the front desk the sum of every step's counter times."""
    case = st.job_i[job, J_CASE]
    step = st.job_i[job, J_STEP]
    visit = st.job_i[job, J_VISIT]
    step0 = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0]
    if not st.job_i[job, J_AT_COUNTER]:
        return _parts_time(st, tb, case, step0 + step, ST_BACKOFFICE_DAYS, K_BACKOFFICE, 0)
    if step >= 0:
        return _parts_time(st, tb, case, step0 + step, ST_COUNTER_DAYS, K_COUNTER, visit)
    total = 0.0
    for s in range(step0, step0 + tb.plan_i[st.case_i[case, C_PLAN], P_NSTEPS]):
        total += _parts_time(st, tb, case, s, ST_COUNTER_DAYS, K_COUNTER, visit)
    return total


@numba.njit(cache=True, _nrt=False, inline="always")
def _has_bit(row, first_word, bit):
    word = row[first_word + (bit >> 6)]
    return ((word >> np.uint64(bit & 63)) & np.uint64(1)) != np.uint64(0)


@numba.njit(cache=True, _nrt=False, inline="always")
def _set_bit(row, first_word, bit):
    row[first_word + (bit >> 6)] |= np.uint64(1) << np.uint64(bit & 63)


@numba.njit(cache=True, _nrt=False, inline="always")
def _popcount(row, start, stop):
    total = 0
    for w in range(start, stop):
        word = row[w]
        while word:
            word &= word - np.uint64(1)
            total += 1
    return total


# Word offsets in a case_bits row: fetched documents, distinct documents, offices.
@numba.njit(cache=True, _nrt=False, inline="always")
def _fetched_at(tb):
    return 0


@numba.njit(cache=True, _nrt=False, inline="always")
def _distinct_at(tb):
    return tb.flag[F_DOC_WORDS]


@numba.njit(cache=True, _nrt=False, inline="always")
def _offices_at(tb):
    return 2 * tb.flag[F_DOC_WORDS]


@numba.njit(cache=True, _nrt=False, inline="always")
def _log(st, case, time, event, station):
    row = st.count[LOG]
    st.log_i[row, 0] = st.case_i[case, C_TRACE]
    st.log_i[row, 1] = event
    st.log_i[row, 2] = station
    st.log_f[row] = time
    st.count[LOG] = row + 1
    st.case_f[case, C_TRACE_TIME] = time


# -- heap ----------------------------------------------------------------------------------------
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


# -- stations (as model.engine.Station) ----------------------------------------------------------
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


# -- rows ------------------------------------------------------------------------------------------
@numba.njit(cache=True, _nrt=False, inline="always")
def _new_job(st, case, step):
    st.count[FREE_JOBS] -= 1
    job = st.free_jobs[st.count[FREE_JOBS]]
    st.job_i[job, :] = 0
    st.job_i[job, J_CASE] = case
    st.job_i[job, J_STEP] = step
    st.job_i[job, J_NEXT] = -1
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


# -- the journey (as model.journey.Journeys) ------------------------------------------------------
@numba.njit(cache=True, _nrt=False, inline="always")
def _distance(st, tb, case, function):
    """Districts to travel to the office of ``function`` serving the case."""
    if tb.city[function]:
        return tb.real[R_CITY_DISTANCE]
    return float(st.case_i[case, C_DISTANCE])


@numba.njit(cache=True, _nrt=False, inline="always")
def _trip(st, tb, job, distance):
    days = tb.real[R_TRIP_BASE] + tb.real[R_TRIP_PER_DISTRICT] * distance
    case = st.job_i[job, J_CASE]
    st.case_i[case, C_TRIPS] += 1
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, st.case_f[case, C_TRACE_TIME], T_TRIP, -1)
    st.job_f[job, J_SPLIT + TRAVEL] += days
    return days


@numba.njit(cache=True, _nrt=False, inline="always")
def _first_contact(st, tb, job, distance):
    case = st.job_i[job, J_CASE]
    if st.case_i[case, C_ONLINE]:
        return 0.0
    delay = 0.0
    if (
        st.case_i[case, C_AWAY]
        and not tb.flag[F_ANYWHERE]
        and _uniform(st, tb, case, K_REFUSAL, 0, 0, 0) < tb.real[R_REFUSAL]
    ):
        st.case_i[case, C_REFUSED] = 1
        st.count[REFUSALS] += 1
        delay += _trip(st, tb, job, 0.0)
    return delay + _trip(st, tb, job, distance)


@numba.njit(cache=True, _nrt=False, inline="always")
def _handoff(st, tb, job, distance):
    case = st.job_i[job, J_CASE]
    carry, desk = tb.flag[F_CARRY], tb.flag[F_FRONT_DESK]
    s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + st.job_i[job, J_STEP]
    step = tb.step_i[s, ST_KEY]  # the same number for a visit gap or a courier
    if carry and not desk and not st.case_i[case, C_ONLINE]:
        gap = tb.real[R_VISIT_GAP_DAYS] * _exponential(st, tb, case, K_HANDOFF, step, 0)
        st.job_f[job, J_SPLIT + HANDOFF] += gap
        return gap + _trip(st, tb, job, distance)
    if carry and desk:
        days = tb.real[R_COURIER_DAYS] * _exponential(st, tb, case, K_HANDOFF, step, 0)
    else:
        days = tb.real[R_ELECTRONIC_DAYS]
    st.job_f[job, J_SPLIT + HANDOFF] += days
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
def _enter_front_desk(st, tb, time, case):
    job = _new_job(st, case, -1)
    plan = st.case_i[case, C_PLAN]
    own = st.scratch[0]
    government = st.scratch[1]
    own[:] = 0
    government[:] = 0
    row = st.case_bits[case]
    step0 = tb.plan_i[plan, P_STEP0]
    for s in range(step0, step0 + tb.plan_i[plan, P_NSTEPS]):
        for k in range(tb.step_i[s, ST_APP0], tb.step_i[s, ST_APP0] + tb.step_i[s, ST_NAPP]):
            _set_bit(own, 0, tb.docs[k])
        for k in range(tb.step_i[s, ST_GOV0], tb.step_i[s, ST_GOV0] + tb.step_i[s, ST_NGOV]):
            doc = tb.docs[k]
            if _has_bit(row, _fetched_at(tb), doc):
                st.case_i[case, C_RETRIEVALS] += 1
            else:
                _set_bit(government, 0, doc)
    words = own.shape[0]
    for w in range(words):
        row[_distinct_at(tb) + w] |= own[w] | government[w]
    docs = _popcount(own, 0, words) + _popcount(government, 0, words)
    _submitted(st, tb, job, case, docs, docs, tb.flag[F_DESK_BIT])
    st.job_i[job, J_PRESENT] = 1 - st.case_i[case, C_ONLINE]
    delay = _first_contact(st, tb, job, st.case_i[case, C_DISTANCE])
    _push(st, time + delay, ARRIVE, tb.desk[st.case_i[case, C_DISTRICT]], job)


@numba.njit(cache=True, _nrt=False, inline="always")
def _enter_steps(st, tb, time, case, first_link, count, first, parent, top):
    """Enter the ready steps ``links[first_link:first_link+count]`` (as
    ``Journeys._enter_steps``), each inheriting the split of job ``parent`` (none if -1); those
    that end at once go on the stack, whose new top is returned."""
    for k in range(first_link, first_link + count):
        job = _new_job(st, case, tb.links[k])
        if parent >= 0:
            _inherit_split(st, parent, job)
        done, at = _enter_step(st, tb, time, job, first)
        if done:
            st.stack_i[top] = job
            st.stack_f[top] = at
            top += 1
    return top


@numba.njit(cache=True, _nrt=False, inline="always")
def _proceed(st, tb, time, case, job, mode):
    """Run the case's precedence graph on from an event (as ``Journeys._begin`` and
    ``Journeys._unwind``): ``FIRST`` (the case opened) or ``FROM_DESK`` (job = the front desk's)
    start the source steps; ``STEP_DONE``: the job's step ended. Ended steps release the steps
    waiting for them, from a stack where the reference would recurse."""
    plan = st.case_i[case, C_PLAN]
    step0 = tb.plan_i[plan, P_STEP0]
    top = 0
    if mode == STEP_DONE:
        st.stack_i[0] = job
        st.stack_f[0] = time
        top = 1
    else:
        steps = tb.plan_i[plan, P_NSTEPS]
        for step in range(steps):
            st.case_wait[case, step] = tb.step_i[step0 + step, ST_NPRED]
        st.case_i[case, C_PENDING] = steps
        top = _enter_steps(
            st, tb, time, case, tb.plan_i[plan, P_SRC0], tb.plan_i[plan, P_NSRC],
            mode == FIRST, job, top,
        )  # fmt: skip
        if job >= 0:
            _free_job(st, job)
    while top:
        top -= 1
        job, time = st.stack_i[top], st.stack_f[top]
        st.case_i[case, C_PENDING] -= 1
        if not st.case_i[case, C_PENDING]:
            _complete(st, tb, time, case, job)
            _free_job(st, job)
            continue
        s = step0 + st.job_i[job, J_STEP]
        first_link = tb.step_i[s, ST_SUCC0]
        released = False
        for k in range(first_link, first_link + tb.step_i[s, ST_NSUCC]):
            step = tb.links[k]
            st.case_wait[case, step] -= 1
            if st.case_wait[case, step] == 0:
                if not released:  # passing the file on to the released steps is one hand-off
                    st.case_i[case, C_HANDOFFS] += 1
                    released = True
                top = _enter_steps(st, tb, time, case, k, 1, False, job, top)
        _free_job(st, job)


@numba.njit(cache=True, _nrt=False, inline="always")
def _enter_step(st, tb, time, job, first):
    """Send a job to its step's counter or back office; return (True, time) if the step ended
    at once (then the caller calls ``_step_done``), else (False, time)."""
    case = st.job_i[job, J_CASE]
    s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + st.job_i[job, J_STEP]
    function = tb.step_i[s, ST_FUNCTION]
    counter = tb.counter_of[function, st.case_i[case, C_DISTRICT]]
    desk = tb.flag[F_FRONT_DESK]
    if st.case_i[case, C_TRACE] >= 0:  # the step's inputs exist: it is ready
        where = -1
        if not desk and tb.step_f[s, ST_COUNTER_DAYS] > 0.0:
            where = counter
        elif tb.step_f[s, ST_BACKOFFICE_DAYS] > 0.0:
            where = counter + 1
        _log(st, case, time, T_READY, where)
    distance = _distance(st, tb, case, function)
    delay = _first_contact(st, tb, job, distance) if first else _handoff(st, tb, job, distance)
    if not desk and tb.step_f[s, ST_COUNTER_DAYS] > 0.0:
        napp, ncase = tb.step_i[s, ST_NAPP], tb.step_i[s, ST_NCASE]
        _mark_docs(st, tb, case, tb.step_i[s, ST_APP0], napp)
        unfetched = _count_unfetched(
            st, tb, case, tb.step_i[s, ST_GOV0], tb.step_i[s, ST_NGOV], True
        )
        risky = napp + unfetched
        docs = risky
        carry = tb.flag[F_CARRY]
        if carry:
            _mark_docs(st, tb, case, tb.step_i[s, ST_CASE0], ncase)
            docs += ncase
        _submitted(st, tb, job, case, docs, risky, function)
        online = st.case_i[case, C_ONLINE]
        st.job_i[job, J_PRESENT] = 1 if (not online and (first or carry)) else 0
        _push(st, time + delay, ARRIVE, counter, job)
        return False, time + delay
    if not desk:  # no counter: the back office fetches what the hub holds
        _count_unfetched(st, tb, case, tb.step_i[s, ST_GOV0], tb.step_i[s, ST_NGOV], False)
    return _to_backoffice(st, tb, time + delay, job), time + delay


@numba.njit(cache=True, _nrt=False, inline="always")
def _to_backoffice(st, tb, time, job):
    """Queue the job at its back office; return True if the step has none (ended now)."""
    st.job_i[job, J_AT_COUNTER] = 0
    case = st.job_i[job, J_CASE]
    s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + st.job_i[job, J_STEP]
    days = tb.step_f[s, ST_BACKOFFICE_DAYS]
    if days > 0.0:
        function = tb.step_i[s, ST_FUNCTION]
        _push(st, time, ARRIVE, tb.counter_of[function, st.case_i[case, C_DISTRICT]] + 1, job)
        return False
    return True


@numba.njit(cache=True, _nrt=False, inline="always")
def _open_case(st, tb, time, plan, applicant):
    kind = tb.plan_i[plan, P_KIND]
    if kind == RESIDENT:
        home, skill = tb.resident_district[applicant], tb.resident_skill[applicant]
    else:
        home, skill = tb.enterprise_district[applicant], tb.enterprise_skill[applicant]
    st.count[FREE_CASES] -= 1
    case = st.free_cases[st.count[FREE_CASES]]
    st.case_i[case, :] = 0
    st.case_f[case, :] = 0.0
    st.case_bits[case, :] = 0
    st.case_i[case, C_PLAN] = plan
    st.case_i[case, C_KIND] = kind
    st.case_i[case, C_APPLICANT] = applicant
    st.case_i[case, C_HOME] = home
    st.case_i[case, C_TRACE] = -1
    st.case_f[case, C_ARRIVAL] = time
    st.count[OPEN] += 1
    st.count[OPENED] += 1
    st.case_i[case, C_NUMBER] = st.count[OPENED]
    online = False
    if tb.plan_i[plan, P_ONLINE] and (
        _uniform(st, tb, case, K_ONLINE, 0, 0, 0) < tb.real[R_ONLINE_COVERAGE]
    ):
        online = skill >= tb.real[R_SKILL_THRESHOLD]
    st.case_i[case, C_ONLINE] = online
    location = np.int64(home)
    away_share = tb.real[R_AWAY_SHARE]
    away = False
    if away_share > 0.0:
        away = _uniform(st, tb, case, K_AWAY, 0, 0, 0) < away_share
    st.case_i[case, C_AWAY] = away
    districts = tb.flag[F_DISTRICTS]
    if away:
        pick = int(_uniform(st, tb, case, K_AWAY_DISTRICT, 0, 0, 0) * (districts - 1))
        location = (home + 1 + pick) % districts
    district = location if tb.flag[F_ANYWHERE] else home
    st.case_i[case, C_DISTRICT] = district
    st.case_i[case, C_DISTANCE] = abs(district - location)
    share = tb.real[R_SHARE]
    if share > 0.0:
        row = st.case_bits[case]
        gov0 = tb.plan_i[plan, P_GOV0]
        for k in range(gov0, gov0 + tb.plan_i[plan, P_NGOV]):
            doc = tb.docs[k]
            if _uniform(st, tb, case, K_SHARED, 0, doc, 0) < share:
                _set_bit(row, _fetched_at(tb), doc)
    if st.follow[plan]:
        st.follow[plan] = 0
        st.case_i[case, C_TRACE] = st.count[OPENED]
        _log(st, case, time, T_OPEN, -1)
    if tb.flag[F_FRONT_DESK]:
        _enter_front_desk(st, tb, time, case)
    else:
        _proceed(st, tb, time, case, -1, FIRST)


@numba.njit(cache=True, _nrt=False, inline="always")
def _start(st, tb, time, station, job):
    duration = _service_time(st, tb, job)
    st.job_f[job, J_SPLIT + SERVICE] += duration
    st.job_i[job, J_WHERE] = IN_SERVICE
    case = st.job_i[job, J_CASE]
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, time, T_START, station)
    _push(st, time + duration, FINISH, station, job)


@numba.njit(cache=True, _nrt=False, inline="always")
def _arrive(st, tb, time, station, job):
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
    p_missing = tb.real[R_P_MISSING]
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
        key_step = tb.step_i[s, ST_KEY]
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
            key = tb.step_i[tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + step, ST_KEY]
        delay = tb.real[R_REWORK_DAYS] * _exponential(st, tb, case, K_REWORK, key, visit)
        st.job_i[job, J_VISIT] = visit + 1
        st.job_f[job, J_SPLIT + REWORK] += delay
        if st.job_i[job, J_PRESENT]:
            step = st.job_i[job, J_STEP]
            if step >= 0:
                s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + step
                delay += _trip(st, tb, job, _distance(st, tb, case, tb.step_i[s, ST_FUNCTION]))
            else:  # the front desk, in the case's district
                delay += _trip(st, tb, job, float(st.case_i[case, C_DISTANCE]))
        st.case_i[case, C_SUBMITTED] += st.job_i[job, J_DOCS]
        _push(st, time + delay, ARRIVE, station, job)
        return STAY
    if st.job_i[job, J_STEP] < 0:
        return FROM_DESK
    if _to_backoffice(st, tb, time, job):
        return STEP_DONE
    return STAY


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
    ri[row, 0] = ci[case, C_PLAN]
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
    st.record_f[row, 0] = st.case_f[case, C_ARRIVAL]
    st.record_f[row, 1] = time
    for part in range(5):
        st.record_f[row, 2 + part] = st.case_f[case, C_SPLIT + part]
    st.free_cases[st.count[FREE_CASES]] = case
    st.count[FREE_CASES] += 1


# -- entry points --------------------------------------------------------------------------------
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
    for plan in range(counts.shape[0]):
        applicants = tb.resident_district.shape[0]
        if tb.plan_i[plan, P_KIND]:
            applicants = tb.enterprise_district.shape[0]
        for i in range(max(first, st.count[NEW_DONE]), first + counts[plan]):
            status = _short(st, tb)
            if status:
                return status
            applicant = int(uniforms[total + i] * applicants)
            _open_case(st, tb, start + uniforms[i], plan, applicant)
            st.count[NEW_DONE] = i + 1
        first += counts[plan]
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
