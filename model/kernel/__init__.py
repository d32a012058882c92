"""The compiled service engine: journeys, event heap and stations as numba kernels on arrays.

This is ``model/journey.py`` + ``model/engine.py`` (the readable reference, kept for tests and
debugging) written over preallocated arrays, so that a day's events run without the interpreter.
It takes the same decisions in the same order and the same random numbers (each a function of the
case's number and what it decides, ``model.draws``; the functions are compiled here, inlined in the
kernels and called from Python by the reference), so for one seed both engines give the same case
records bit for bit (``tests/model/test_compiled_engine.py``). ``model/compiled.py`` owns the
arrays and calls these kernels; the kernels only read and write them.

The state is two namedtuples of arrays: ``Tables`` (the compiled plans, the office layout, the
levers and the applicants' homes and skills; read only) and ``State`` (cases, jobs, stations, the
heap, completed-case records, the trace log, the visit rows when ``F_VISITS`` is set; see the
column constants in ``layout``).
Cases and jobs live in rows recycled through free stacks. Document and office sets are bit masks
(``case_bits``: fetched documents, distinct submitted documents, offices visited by function, the
front desk as bit ``n_functions``). A kernel never runs out of room mid-event: before each case
opening and each event it checks the margins and, if short, returns ``NEED_ROOM``; the caller grows
the arrays and calls again, and the kernel resumes where it stopped.

Modules, each depending only on those before it: ``layout`` (constants and the two namedtuples),
``keyed`` (case-keyed random numbers), ``access`` (a case's numbers, bit sets and trace),
``heap`` (event heap, station queues, job rows), ``intake`` (trips, hand-offs, documents, the
record), ``routing`` (the journey through the precedence graph), ``service`` (service at a
station), ``loop`` (the entry points). ``cache`` makes numba's
cache see an edit in any of them (the kernels inline each other's functions and constants).

Compilation choices, each measured (``benchmarks/README.md``): ``_nrt=False`` (the kernels
allocate nothing; with reference counting, handing the two namedtuples to a helper cost 430 ns a
call), helpers inlined (``inline="always"``: half the time per event; the first compile takes
≈ 35 s and is cached per machine, ``cache=True``), and no recursion (numba's cache cannot load
mutually recursive functions: where the reference would recurse, both engines run a stack,
and the kernel returns what follows an event to its caller).
"""

from __future__ import annotations

from govlab.model.kernel import cache

cache.register()  # before any kernel is decorated

from govlab.model.kernel.keyed import (  # noqa: E402
    K_AWAY,
    K_AWAY_DISTRICT,
    K_BACKOFFICE,
    K_COUNTER,
    K_HANDOFF,
    K_MISSING,
    K_ONLINE,
    K_REFUSAL,
    K_REWORK,
    K_ROUTE,
    K_SHARED,
    exponential,
    in_round,
    normal,
    service_factor,
    uniform,
)
from govlab.model.kernel.layout import DISTRIBUTIONS, TRACE_EVENTS, State, Tables  # noqa: E402
from govlab.model.kernel.loop import advance_all, run, set_servers, time_inside  # noqa: E402

__all__ = [
    "DISTRIBUTIONS",
    "K_AWAY",
    "K_AWAY_DISTRICT",
    "K_BACKOFFICE",
    "K_COUNTER",
    "K_HANDOFF",
    "K_MISSING",
    "K_ONLINE",
    "K_REFUSAL",
    "K_REWORK",
    "K_ROUTE",
    "K_SHARED",
    "TRACE_EVENTS",
    "State",
    "Tables",
    "advance_all",
    "exponential",
    "in_round",
    "normal",
    "run",
    "service_factor",
    "set_servers",
    "time_inside",
    "uniform",
]
