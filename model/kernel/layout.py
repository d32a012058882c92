"""The kernels' data layout: return codes, event kinds, trace codes and the column numbers of the
state and table arrays (``State``, ``Tables``). Plain integers, frozen into the kernels at compile
time; ``model.compiled`` builds the arrays with the same numbers.
"""

from __future__ import annotations

from collections import namedtuple

# Return codes.
DONE, NEED_ROOM = 0, 2

# Event kinds (as model.engine) and trace event codes.
ARRIVE, FINISH = 0, 1
TRACE_EVENTS = (
    "open", "trip", "arrive", "start", "finish", "return", "complete", "ready", "loop"
)  # fmt: skip
T_OPEN, T_TRIP, T_ARRIVE, T_START, T_FINISH, T_RETURN, T_COMPLETE, T_READY, T_LOOP = range(9)

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
    VISITS,  # visit rows written (when collecting them, F_VISITS)
    N_COUNTS,
) = range(12)

# case_i columns.
(
    C_PLAN,  # its plan: a row of plan_i (its type's plan under its rule set, rule_plan)
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
    C_LOOPS,  # loops back taken so far (scenarios.routing)
    C_RULES,  # its rule set (row of rule_f, rule_i), its home district's when it opened
    C_TYPE,  # its case type (routes.CasePlan.index)
    C_DESK,  # 1: it opened at its serving district's front desk (desk_open then), kept to its end
    N_CASE_I,
) = range(22)
# case_wait[case, step]: the bits of the step's predecessors that have ended in its round (bit j:
# its j-th predecessor, routes.CasePlan.slots), and SKIPPED if a branch skipped it.
SKIPPED = 1 << 62
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
    J_ROUND,  # loops back of its case before it (keyed.in_round)
    N_JOB_I,
) = range(12)
IN_TRANSIT, QUEUED, IN_SERVICE = 0, 1, 2
# What follows a FINISH event for the job's case (and how ``_proceed`` starts): nothing, the
# job's step ended, the front desk ended (start the source steps), the case opened (the same).
STAY, STEP_DONE, FROM_DESK, FIRST = 0, 1, 2, 3
# job_f columns: enqueue time, then the split, then when its current service began.
J_ENQUEUED, J_SPLIT = 0, 1
J_STARTED = J_SPLIT + 5
WAIT, SERVICE, HANDOFF, TRAVEL, REWORK = range(5)
# station_i / station_f columns (as model.engine.Station).
S_SERVERS, S_BUSY, S_IN_SYSTEM, S_ARRIVALS, S_DEPARTURES, S_HEAD, S_TAIL, S_QUEUED = range(8)
S_AREA_IN_SYSTEM, S_AREA_BUSY, S_LAST_TIME, S_TIME_IN_SYSTEM = range(4)
# record_i / record_f columns (model.journey.RECORD_FIELDS order: ints, then floats).
N_RECORD_I, N_RECORD_F = 16, 7
# plan_i / step_i columns (offsets into docs, and into links for sources and successors, which
# are step numbers within the plan; a step's successors are followed in links by their slots,
# its bit in each one's predecessors).
(P_ONLINE, P_KIND, P_STEP0, P_NSTEPS, P_SRC0, P_NSRC, P_GOV0, P_NGOV, P_MAX_LOOPS,
 N_PLAN_I) = range(10)  # fmt: skip
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
    ST_BRANCH0,  # offset into branch_i / branch_f: the step's branches (routes.BranchPlan)
    ST_NBRANCH,
    ST_SKIP0,  # offset into links: the steps skipped when the case goes on (StepPlan.skip_on)
    ST_NSKIP,
    N_STEP_I,
) = range(18)
# branch_i columns (offsets into links: the skipped steps; the loop's steps then, after them,
# each one's arrived bits) and branch_f (its probability).
B_KIND, B_TARGET, B_SKIP0, B_NSKIP, B_LOOP0, B_NLOOP, N_BRANCH_I = range(7)
CHOICE, LOOP, LEAVE = range(3)  # as model.routes
ST_COUNTER_DAYS, ST_BACKOFFICE_DAYS = range(2)
# part_i: the draw step of each part (routes.StepPlan.parts); part_f: its counter and back-office
# days (columns ST_COUNTER_DAYS, ST_BACKOFFICE_DAYS).
# real[] and flag[] parameters.
(
    R_SKILL_THRESHOLD,
    R_AWAY_SHARE,
    R_REFUSAL,
    R_TRIP_BASE,
    R_TRIP_PER_DISTRICT,
    R_CITY_DISTANCE,
    R_REWORK_DAYS,
    R_VISIT_GAP_DAYS,
    R_COURIER_DAYS,
    R_ELECTRONIC_DAYS,
    R_SIGMA,
    R_SHIFT,
    N_REAL,
) = range(13)
(
    F_DISTRICTS,
    F_DISTRIBUTION,  # 0 exponential, 1 lognormal, 2 deterministic
    F_DESK_BIT,  # = number of functions
    F_DOC_WORDS,
    F_MARGIN_JOBS,  # jobs and heap slots one event can take
    F_MARGIN_LOG,
    F_MAX_STEPS,  # steps of the longest plan
    F_KEY,  # the key of the random numbers (model.draws.service_key)
    F_VISITS,  # 1: write a row per visit (visit_i, visit_f; model.records.VISIT_FIELDS)
    N_FLAG,
) = range(10)
DISTRIBUTIONS = ("exponential", "lognormal", "deterministic")
# The rule sets a lever schedule switches between (model.schedule), one row each: rule_f columns
# (probabilities), rule_i columns (0/1) and rule_plan (the plan_i row of each case type under the
# set: the sets' distinct plans follow one another in plan_i, set 0's first, so row p of plan_i is
# type p's plan under set 0); rule_of[d] is the set of home district d now (the only table the
# caller changes between calls, with desk_open). The journeys read their case's set.
# desk_open[d] is 1 while district d's front desk is open: a case served in d opened then passes
# it (C_DESK), and a job arriving at a counter s with counter_district[s] = d is served at d's
# desk instead (-1: a station no desk replaces); the caller sets desk_open at a day's start.
RL_ONLINE_COVERAGE, RL_SHARE, RL_P_MISSING, N_RULE_F = range(4)
RL_CARRY, RL_ANYWHERE, N_RULE_I = range(3)

Tables = namedtuple(
    "Tables",
    "plan_i step_i step_f part_i part_f branch_i branch_f links docs counter_of city desk "
    "real flag resident_district resident_skill enterprise_district enterprise_skill "
    "rule_f rule_i rule_plan rule_of desk_open counter_district",
)
State = namedtuple(
    "State",
    "count case_i case_f case_bits case_wait job_i job_f station_i station_f heap_t heap_i "
    "free_jobs free_cases record_i record_f log_i log_f follow "
    "scratch stack_i stack_f visit_i visit_f",
)
