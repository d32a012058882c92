"""The journey's route in the kernels (as ``model.journey.Journeys``): a case opens (channel,
district, documents the hub holds), goes to the front desk or runs its precedence graph, and each
ready step goes to its counter or back office; steps that end at once release their successors
from a stack (the kernels cannot recurse).
"""

from __future__ import annotations

import numba
import numpy as np

from govlab.model.kernel.access import (
    _distinct_at,
    _fetched_at,
    _has_bit,
    _log,
    _popcount,
    _set_bit,
    _uniform,
)
from govlab.model.kernel.heap import _free_job, _inherit_split, _new_job, _push
from govlab.model.kernel.intake import (
    _complete,
    _count_unfetched,
    _distance,
    _first_contact,
    _handoff,
    _mark_docs,
    _submitted,
)
from govlab.model.kernel.keyed import (
    K_AWAY,
    K_AWAY_DISTRICT,
    K_ONLINE,
    K_ROUTE,
    K_SHARED,
    in_round,
)
from govlab.model.kernel.layout import (
    ARRIVE,
    B_KIND,
    B_LOOP0,
    B_NLOOP,
    B_NSKIP,
    B_SKIP0,
    B_TARGET,
    C_APPLICANT,
    C_ARRIVAL,
    C_AWAY,
    C_DESK,
    C_DISTANCE,
    C_DISTRICT,
    C_HANDOFFS,
    C_HOME,
    C_KIND,
    C_LOOPS,
    C_NUMBER,
    C_ONLINE,
    C_PENDING,
    C_PLAN,
    C_RETRIEVALS,
    C_RULES,
    C_TRACE,
    C_TYPE,
    CHOICE,
    F_DESK_BIT,
    F_DISTRICTS,
    FIRST,
    FREE_CASES,
    J_AT_COUNTER,
    J_CASE,
    J_PRESENT,
    J_ROUND,
    J_STEP,
    LOOP,
    OPEN,
    OPENED,
    P_GOV0,
    P_KIND,
    P_MAX_LOOPS,
    P_NGOV,
    P_NSRC,
    P_NSTEPS,
    P_ONLINE,
    P_SRC0,
    P_STEP0,
    R_AWAY_SHARE,
    R_SKILL_THRESHOLD,
    RL_ANYWHERE,
    RL_CARRY,
    RL_ONLINE_COVERAGE,
    RL_SHARE,
    SKIPPED,
    ST_APP0,
    ST_BACKOFFICE_DAYS,
    ST_BRANCH0,
    ST_CASE0,
    ST_COUNTER_DAYS,
    ST_FUNCTION,
    ST_GOV0,
    ST_KEY,
    ST_NAPP,
    ST_NBRANCH,
    ST_NCASE,
    ST_NGOV,
    ST_NPRED,
    ST_NSKIP,
    ST_NSUCC,
    ST_SKIP0,
    ST_SUCC0,
    STEP_DONE,
    T_LOOP,
    T_OPEN,
    T_READY,
)
from govlab.model.records import RESIDENT


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
    delay = _first_contact(st, tb, job, st.case_i[case, C_DISTANCE], time)
    _push(st, time + delay, ARRIVE, tb.desk[st.case_i[case, C_DISTRICT]], job)


@numba.njit(cache=True, _nrt=False, inline="always")
def _enter_one(st, tb, time, case, step, first, parent, top):
    """Enter one ready step (as ``Journeys._enter_steps``), inheriting the split of job
    ``parent`` (none if -1); if it ends at once (skipped, or no work) it goes on the stack,
    whose new top is returned."""
    job = _new_job(st, case, step)
    if parent >= 0:
        _inherit_split(st, parent, job)
    if st.case_wait[case, step] & SKIPPED:
        done, at = True, time
    else:
        done, at = _enter_step(st, tb, time, job, first)
    if done:
        st.stack_i[top] = job
        st.stack_f[top] = at
        top += 1
    return top


@numba.njit(cache=True, _nrt=False, inline="always")
def _branch(st, tb, case, job, s):
    """The branch row step ``s``'s end takes by the case's number, or -1 to go on (as
    ``Journeys._branch``)."""
    key = in_round(tb.step_i[s, ST_KEY], st.job_i[job, J_ROUND])
    u = _uniform(st, tb, case, K_ROUTE, key, 0, 0)
    first = tb.step_i[s, ST_BRANCH0]
    for b in range(first, first + tb.step_i[s, ST_NBRANCH]):
        p = tb.branch_f[b]
        if u < p:
            cap = tb.plan_i[st.case_i[case, C_PLAN], P_MAX_LOOPS]
            if tb.branch_i[b, B_KIND] == LOOP and st.case_i[case, C_LOOPS] >= cap:
                return -1
            return b
        u -= p
    return -1


@numba.njit(cache=True, _nrt=False, inline="always")
def _skip(st, case, links, first, count):
    """Mark the steps ``links[first:first+count]`` skipped."""
    for k in range(first, first + count):
        st.case_wait[case, links[k]] |= SKIPPED


@numba.njit(cache=True, _nrt=False, inline="always")
def _loop_back(st, tb, time, case, job, b, top):
    """As ``Journeys._loop_back``: restart the loop's steps and enter its target."""
    st.case_i[case, C_LOOPS] += 1
    loop0, n = tb.branch_i[b, B_LOOP0], tb.branch_i[b, B_NLOOP]
    st.case_i[case, C_PENDING] += n
    for k in range(loop0, loop0 + n):
        member = tb.links[k]  # a step a choice skipped stays skipped
        st.case_wait[case, member] = tb.links[k + n] | (st.case_wait[case, member] & SKIPPED)
    st.case_i[case, C_HANDOFFS] += 1
    if st.case_i[case, C_TRACE] >= 0:
        _log(st, case, time, T_LOOP, -1)
    return _enter_one(st, tb, time, case, tb.branch_i[b, B_TARGET], False, job, top)


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
            st.case_wait[case, step] = 0
        st.case_i[case, C_PENDING] = steps
        src0 = tb.plan_i[plan, P_SRC0]
        for k in range(src0, src0 + tb.plan_i[plan, P_NSRC]):
            top = _enter_one(st, tb, time, case, tb.links[k], mode == FIRST, job, top)
        if job >= 0:
            _free_job(st, job)
    while top:
        top -= 1
        job, time = st.stack_i[top], st.stack_f[top]
        st.case_i[case, C_PENDING] -= 1
        step = st.job_i[job, J_STEP]
        s = step0 + step
        if tb.step_i[s, ST_NBRANCH] and not st.case_wait[case, step] & SKIPPED:
            b = _branch(st, tb, case, job, s)
            if b >= 0 and tb.branch_i[b, B_KIND] == LOOP:
                top = _loop_back(st, tb, time, case, job, b, top)
                _free_job(st, job)
                continue
            if b < 0:
                _skip(st, case, tb.links, tb.step_i[s, ST_SKIP0], tb.step_i[s, ST_NSKIP])
            else:
                _skip(st, case, tb.links, tb.branch_i[b, B_SKIP0], tb.branch_i[b, B_NSKIP])
                if tb.branch_i[b, B_KIND] == CHOICE:  # the chosen step runs
                    st.case_wait[case, tb.branch_i[b, B_TARGET]] &= ~SKIPPED
        if not st.case_i[case, C_PENDING]:
            _complete(st, tb, time, case, job)
            _free_job(st, job)
            continue
        first_link, n = tb.step_i[s, ST_SUCC0], tb.step_i[s, ST_NSUCC]
        released = False
        for k in range(first_link, first_link + n):
            following = tb.links[k]
            bit = np.int64(1) << tb.links[k + n]
            arrived = st.case_wait[case, following]
            if arrived & bit:  # ended before, in its round
                continue
            arrived |= bit
            st.case_wait[case, following] = arrived
            full = (np.int64(1) << tb.step_i[step0 + following, ST_NPRED]) - 1
            if arrived & ~SKIPPED == full:
                if not released and not arrived & SKIPPED:
                    # passing the file on to the released steps is one hand-off
                    st.case_i[case, C_HANDOFFS] += 1
                    released = True
                top = _enter_one(st, tb, time, case, following, False, job, top)
        _free_job(st, job)


@numba.njit(cache=True, _nrt=False, inline="always")
def _enter_step(st, tb, time, job, first):
    """Send a job to its step's counter or back office; return (True, time) if the step ended
    at once (then the caller calls ``_step_done``), else (False, time)."""
    case = st.job_i[job, J_CASE]
    s = tb.plan_i[st.case_i[case, C_PLAN], P_STEP0] + st.job_i[job, J_STEP]
    function = tb.step_i[s, ST_FUNCTION]
    counter = tb.counter_of[function, st.case_i[case, C_DISTRICT]]
    desk = st.case_i[case, C_DESK]
    if st.case_i[case, C_TRACE] >= 0:  # the step's inputs exist: it is ready
        where = -1
        if not desk and tb.step_f[s, ST_COUNTER_DAYS] > 0.0:
            where = counter
        elif tb.step_f[s, ST_BACKOFFICE_DAYS] > 0.0:
            where = counter + 1
        _log(st, case, time, T_READY, where)
    distance = _distance(st, tb, case, function)
    if first:
        delay = _first_contact(st, tb, job, distance, time)
    else:
        delay = _handoff(st, tb, job, distance, time)
    if not desk and tb.step_f[s, ST_COUNTER_DAYS] > 0.0:
        napp, ncase = tb.step_i[s, ST_NAPP], tb.step_i[s, ST_NCASE]
        _mark_docs(st, tb, case, tb.step_i[s, ST_APP0], napp)
        unfetched = _count_unfetched(
            st, tb, case, tb.step_i[s, ST_GOV0], tb.step_i[s, ST_NGOV], True
        )
        risky = napp + unfetched
        docs = risky
        carry = tb.rule_i[st.case_i[case, C_RULES], RL_CARRY]
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
def _open_case(st, tb, time, case_type, applicant):
    kind = tb.plan_i[case_type, P_KIND]  # row case_type: the type's plan under rule set 0
    if kind == RESIDENT:
        home, skill = tb.resident_district[applicant], tb.resident_skill[applicant]
    else:
        home, skill = tb.enterprise_district[applicant], tb.enterprise_skill[applicant]
    st.count[FREE_CASES] -= 1
    case = st.free_cases[st.count[FREE_CASES]]
    st.case_i[case, :] = 0
    st.case_f[case, :] = 0.0
    st.case_bits[case, :] = 0
    st.case_i[case, C_TYPE] = case_type
    st.case_i[case, C_KIND] = kind
    st.case_i[case, C_APPLICANT] = applicant
    st.case_i[case, C_HOME] = home
    st.case_i[case, C_TRACE] = -1
    st.case_f[case, C_ARRIVAL] = time
    st.count[OPEN] += 1
    st.count[OPENED] += 1
    st.case_i[case, C_NUMBER] = st.count[OPENED]
    rules = tb.rule_of[home]  # its home district's rule set now, kept to its end
    st.case_i[case, C_RULES] = rules
    plan = tb.rule_plan[rules, case_type]  # the type's plan under those rules
    st.case_i[case, C_PLAN] = plan
    online = False
    if tb.plan_i[plan, P_ONLINE] and (
        _uniform(st, tb, case, K_ONLINE, 0, 0, 0) < tb.rule_f[rules, RL_ONLINE_COVERAGE]
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
    district = location if tb.rule_i[rules, RL_ANYWHERE] else home
    st.case_i[case, C_DISTRICT] = district
    st.case_i[case, C_DISTANCE] = abs(district - location)
    share = tb.rule_f[rules, RL_SHARE]
    if share > 0.0:
        row = st.case_bits[case]
        gov0 = tb.plan_i[plan, P_GOV0]
        for k in range(gov0, gov0 + tb.plan_i[plan, P_NGOV]):
            doc = tb.docs[k]
            if _uniform(st, tb, case, K_SHARED, 0, doc, 0) < share:
                _set_bit(row, _fetched_at(tb), doc)
    if st.follow[case_type]:
        st.follow[case_type] = 0
        st.case_i[case, C_TRACE] = st.count[OPENED]
        _log(st, case, time, T_OPEN, -1)
    # the front desk is an office of the serving district: open now, or not for this case
    desk = tb.desk_open[district]
    st.case_i[case, C_DESK] = desk
    if desk:
        _enter_front_desk(st, tb, time, case)
    else:
        _proceed(st, tb, time, case, -1, FIRST)
