"""Target 2: the service engine against SimPy on the same networks and the same arrivals count.

Networks (rates per hour, 8 working hours a day):
- an M/M/5 department, λ = 4, μ = 1 (ρ = 0.8): W_q from Erlang C;
- a tandem of 4 M/M/1 stations, λ = 2, μ = 3: mean sojourn 4 × 1/(μ − λ) = 4 h.

Ours is the model's service engine as ``GovernanceModel`` runs it: each day its demand (Poisson
arrivals, case opening) and its events (case journeys, event heap, stations), the model's build
excluded; the throughput of the whole ``GovernanceModel.step`` (with the civic steps and the
DataCollector, a fixed cost per day that dominates at 32 cases a day) is reported alongside. The
reference is the same network in SimPy, fed exactly as many arrivals as our run opened.
Throughput is completed cases per wall-clock second.

Three compiled prototypes are timed as well (report only): the model's engine design (event heap
+ c-server FIFO stations) as one numba event loop over all arrivals (``compiled.event_loop``);
the same loop driven day by day from the model's own generator, as it would run inside
``GovernanceModel`` (``compiled_day.DayEngine``); and the exact FIFO recursion
(``compiled.network``). The event loop, fed our engine's arrival times and logged service draws,
must reproduce its waits and completion times; the day engine, run from the same seed, must
produce the same records bit for bit (both do).
"""

from __future__ import annotations

import math
import statistics
import time

import compiled
import numpy as np
import simpy_ref
from common import HOURS, Result, alternate, textbook_scenario
from compiled_day import DayEngine

from model import GovernanceModel
from model.journey import RECORD_FIELDS

ARRIVAL = RECORD_FIELDS.index("arrival_day")
COMPLETION = RECORD_FIELDS.index("completion_day")
WAIT = RECORD_FIELDS.index("wait_days")


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of M/M/c (hours)."""
    a = lam / mu
    rho = a / c
    terms = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (terms + top)
    return p_wait / (c * mu - lam)


NETWORKS = {
    "M/M/5 ρ=0.8": {
        "per_hour": 4.0,
        "stations": [(5, 1.0)],
        "functions": {"desk": (5, 0)},
        "steps": [{"function": "desk", "counter_hours": 1.0}],
        "days": 2000,
        "theory": ("wait", erlang_c_wait(4.0, 1.0, 5)),
    },
    "tandem 4×M/M/1": {
        "per_hour": 2.0,
        "stations": [(1, 1.0 / 3.0)] * 4,
        "functions": {f"s{k}": (1, 0) for k in range(4)},
        "steps": [{"function": f"s{k}", "counter_hours": 1.0 / 3.0} for k in range(4)],
        "days": 2000,
        "theory": ("sojourn", 4.0),
    },
}


def run_ours(scenario, days: int, seed: int, whole_day: bool = False, keep: bool = False) -> dict:
    """The model's service engine for ``days`` days: each day its demand (Poisson arrivals,
    case opening) and its events (``journeys.advance_to``). With ``whole_day`` the full
    ``GovernanceModel.step`` runs instead (civic steps and the DataCollector as well).
    ``seconds`` is the time of the days alone (the model's build is not timed)."""
    model = GovernanceModel(scenario, rng=seed)
    journeys = model.journeys
    start = time.perf_counter()
    for day in range(days):
        if whole_day:
            model.step()
        else:
            model._demand(float(day))
            journeys.advance_to(float(day + 1))
    seconds = time.perf_counter() - start
    records = journeys.records
    warm = scenario.world.warmup_days
    kept = [r for r in records if r[ARRIVAL] >= warm]
    extra = {"records": records} if keep else {}
    return {
        **extra,
        "seconds": seconds,
        "cases": len(records),
        "arrivals": model.journeys.opened,
        "wait": HOURS * float(np.mean([r[WAIT] for r in kept])),
        "sojourn": HOURS * float(np.mean([r[COMPLETION] - r[ARRIVAL] for r in kept])),
    }


def run_reference(network, arrivals: int, spec: dict, seed: int, skip: int) -> dict:
    rng = np.random.default_rng(seed)
    waits, sojourns = network(rng, arrivals, spec["per_hour"], spec["stations"])
    return {
        "cases": arrivals,
        "wait": float(waits[skip:].mean()),
        "sojourn": float(sojourns[skip:].mean()),
    }


def same_as_engine(spec: dict, days: int, seed: int = 3) -> tuple[int, float]:
    """Run our engine while logging every Exp(1) service draw it consumes, then feed the same
    arrival times and draws to the compiled event loop; return the cases and the largest
    difference in wait or completion time (0.0: the compiled loop is the same engine)."""
    scenario = textbook_scenario(
        spec["functions"], {"v": {"per_hour": spec["per_hour"], "steps": spec["steps"]}}
    )
    model = GovernanceModel(scenario, rng=seed)
    journeys = model.journeys
    log: list[float] = []
    exponential = journeys.draws.exponential

    def sample(mean: float) -> float:
        draw = exponential()
        log.append(draw)
        return mean * draw

    journeys.sample = sample
    for day in range(days):
        model._demand(float(day))
        journeys.advance_to(float(day + 1))
    journeys.advance_to(math.inf)
    records = sorted(journeys.records, key=lambda r: r[ARRIVAL])
    arrival = np.array([r[ARRIVAL] for r in records])
    means = np.array([step["counter_hours"] / HOURS for step in spec["steps"]])
    servers = np.array([c for c, _ in spec["stations"]], dtype=np.int64)
    route = np.arange(len(spec["steps"]), dtype=np.int64)
    wait, done = compiled.event_loop(arrival, route, means, servers, np.array(log), 0.0)
    gap = max(
        np.abs(wait - np.array([r[WAIT] for r in records])).max(),
        np.abs(done - np.array([r[COMPLETION] for r in records])).max(),
    )
    return len(records), float(gap)


def run_day_engine(scenario, spec: dict, days: int, seed: int) -> dict:
    """The compiled day engine (``compiled_day.py``) driven day by day from the model's own
    generator: the model is built (same build draws), then its ``rng`` feeds the engine."""
    model = GovernanceModel(scenario, rng=seed)
    engine = DayEngine(
        model.rng,
        range(len(spec["steps"])),
        [step["counter_hours"] / HOURS for step in spec["steps"]],
        [c for c, _ in spec["stations"]],
        model.plans[0].rate_per_day,
        len(model.population.district),
    )
    start = time.perf_counter()
    for day in range(days):
        engine.day(float(day))
    return {"engine": engine, "seconds": time.perf_counter() - start}


def day_engine_result(engine: DayEngine, warm: int) -> dict:
    n = int(engine.ints[3])
    done = np.isfinite(engine.done[:n])
    order = np.argsort(engine.arrival[:n][done], kind="stable")
    arrival = engine.arrival[:n][done][order]
    wait = engine.wait[:n][done][order]
    completion = engine.done[:n][done][order]
    kept = arrival >= warm
    return {
        "cases": int(done.sum()),
        "arrival": arrival,
        "wait_days": wait,
        "completion": completion,
        "wait": HOURS * float(wait[kept].mean()),
        "sojourn": HOURS * float((completion - arrival)[kept].mean()),
    }


def bench(quick: bool) -> list[Result]:
    repeats = 5
    results = []
    for network in (compiled.network, compiled.event_network):  # compile once, untimed
        network(np.random.default_rng(0), 100, 1.0, [(2, 1.0), (1, 0.5)])
    for name, spec in NETWORKS.items():
        days = spec["days"] // (4 if quick else 1)
        scenario = textbook_scenario(
            spec["functions"], {"v": {"per_hour": spec["per_hour"], "steps": spec["steps"]}}
        )
        probe = run_ours(scenario, days, 1)
        arrivals = probe["arrivals"]
        skip = int(spec["per_hour"] * HOURS * scenario.world.warmup_days)
        loops: dict[str, list[float]] = {"ours": [], "whole": [], "day_engine": []}

        def loop(side: str, value: dict, loops=loops) -> dict:
            loops[side].append(value["seconds"])
            return value

        medians, times, values = alternate(
            {
                "ours": lambda sc=scenario, d=days: loop("ours", run_ours(sc, d, 1)),
                "whole": lambda sc=scenario, d=days: loop(
                    "whole", run_ours(sc, d, 1, whole_day=True)
                ),
                "simpy": lambda s=spec, n=arrivals, k=skip: run_reference(
                    simpy_ref.network, n, s, 1, k
                ),
                "compiled": lambda s=spec, n=arrivals, k=skip: run_reference(
                    compiled.network, n, s, 1, k
                ),
                "event_loop": lambda s=spec, n=arrivals, k=skip: run_reference(
                    compiled.event_network, n, s, 1, k
                ),
                "day_engine": lambda sc=scenario, s=spec, d=days: loop(
                    "day_engine", run_day_engine(sc, s, d, 1)
                ),
            },
            repeats,
        )
        for side, seconds in loops.items():  # the model-driven sides: their days alone
            medians[side] = statistics.median(seconds)
            times[f"{side}_days_only"] = seconds
        warm = scenario.world.warmup_days
        values["day_engine"] = day_engine_result(values["day_engine"]["engine"], warm)
        rate = {side: values[side]["cases"] / medians[side] for side in medians}
        records = sorted(
            run_ours(scenario, days, 1, keep=True)["records"], key=lambda r: r[ARRIVAL]
        )
        day = values["day_engine"]
        identical = (
            len(records) == day["cases"]
            and np.array_equal([r[ARRIVAL] for r in records], day["arrival"])
            and np.array_equal([r[WAIT] for r in records], day["wait_days"])
            and np.array_equal([r[COMPLETION] for r in records], day["completion"])
        )
        kind, expected = spec["theory"]
        tolerance = 0.15 if quick else 0.10
        errors = {
            side: values[side][kind] / expected - 1.0
            for side in ("ours", "simpy", "compiled", "event_loop", "day_engine")
        }
        agree = all(abs(error) <= tolerance for error in errors.values())
        details = {
            "arrivals": arrivals,
            "completed_ours": values["ours"]["cases"],
            f"theory_{kind}_hours": expected,
            **{f"{side}_{kind}_hours": values[side][kind] for side in values},
            "whole_step_cases_per_s": rate["whole"],
            "whole_step_vs_simpy": rate["whole"] / rate["simpy"],
            "tolerance": tolerance,
            "seconds": times,
        }
        cases, gap = same_as_engine(spec, 300)
        ratio = rate["ours"] / rate["simpy"]
        results.append(
            Result(
                name=f"service {name}: engine vs SimPy",
                ours=rate["ours"],
                reference=rate["simpy"],
                unit="cases/s",
                ratio=ratio,
                target=20.0,
                passed=(ratio >= 20.0) and agree,
                note=(
                    f"{kind} ours {values['ours'][kind]:.3f} h, SimPy "
                    f"{values['simpy'][kind]:.3f} h, theory {expected:.3f} h"
                    + f"; whole model step {rate['whole'] / rate['simpy']:.2f}× SimPy"
                    + ("" if agree else f" — MEANS DISAGREE beyond {tolerance:.0%}")
                ),
                details=details,
            )
        )
        for side, label, what in (
            (
                "day_engine",
                "numba day engine",
                "compiled_day: the event loop called once per day with demand and service "
                "draws from the model's own generator; records "
                + ("bit-identical to our engine's" if identical else "DIFFER from our engine's")
                + f"; {medians['day_engine'] / days * 1e6:.0f} µs per day",
            ),
            (
                "event_loop",
                "numba event loop",
                "compiled.event_loop: heap + c-server FIFO; fed our engine's arrivals and "
                f"draws it reproduces its {cases} waits and completions "
                + ("exactly" if gap == 0.0 else f"to within {gap:.2g} days"),
            ),
            ("compiled", "numba FIFO recursion", "compiled.network: Kiefer–Wolfowitz"),
        ):
            results.append(
                Result(
                    name=f"service {name}: {label} (prototype) vs SimPy",
                    ours=rate[side],
                    reference=rate["simpy"],
                    unit="cases/s",
                    ratio=rate[side] / rate["simpy"],
                    target=None,
                    note=f"potential, {what}; {kind} {values[side][kind]:.3f} h; "
                    f"{rate[side] / rate['ours']:.0f}× our engine",
                    details={
                        "vs_ours": rate[side] / rate["ours"],
                        "max_gap_vs_engine": gap,
                        "day_engine_identical": identical,
                    },
                )
            )
    return results
