"""Target 2: the service engine against SimPy on the same networks and the same arrivals count.

Networks (rates per hour, 8 working hours a day):
- an M/M/5 department, λ = 4, μ = 1 (ρ = 0.8): W_q from Erlang C;
- a tandem of 4 M/M/1 stations, λ = 2, μ = 3: mean sojourn 4 × 1/(μ − λ) = 4 h.

Ours is the model's service engine as ``GovernanceModel`` runs it: each day its demand (Poisson
arrivals per case type, drawn in ``GovernanceModel._demand``) and its events (``advance_to``:
case opening, journeys, event heap, stations in the compiled kernel ``model.kernel``), the model's
build excluded. The reference is the same network in SimPy, fed exactly as many arrivals as our
run opened. Throughput is completed cases per wall-clock second. Reported alongside: the readable
Python engine (``engine="python"``, the reference path the tests compare the kernel with) and the
whole ``GovernanceModel.step`` (with the civic steps and the DataCollector, a fixed cost per day
that dominates at 32 cases a day).
"""

from __future__ import annotations

import itertools
import math
import statistics
import time

import numpy as np
import simpy_ref
from common import HOURS, Result, alternate, textbook_scenario

from govlab.model import GovernanceModel


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
    # The same queues in busier offices (shorter service, same ρ): more cases per model day, so
    # the fixed cost of a day (demand draw, kernel call) weighs less. Reported, not targets.
    "M/M/5 ρ=0.8, 12-min service": {
        "per_hour": 20.0,
        "stations": [(5, 0.2)],
        "functions": {"desk": (5, 0)},
        "steps": [{"function": "desk", "counter_hours": 0.2}],
        "days": 400,
        "theory": ("wait", erlang_c_wait(20.0, 5.0, 5)),
        "report": True,
    },
    "tandem 4×M/M/1, 4-min service": {  # λ = 10, μ = 15: sojourn 4 / (μ − λ) = 0.8 h
        "per_hour": 10.0,
        "stations": [(1, 1.0 / 15.0)] * 4,
        "functions": {f"s{k}": (1, 0) for k in range(4)},
        "steps": [{"function": f"s{k}", "counter_hours": 1.0 / 15.0} for k in range(4)],
        "days": 400,
        "theory": ("sojourn", 4.0 / 5.0),
        "report": True,
    },
}


def run_ours(
    scenario,
    days: int,
    seed: int,
    engine: str = "compiled",
    whole_day: bool = False,
    visits: bool = False,
) -> dict:
    """The model's service engine for ``days`` days: each day its demand and its events. With
    ``whole_day`` the full ``GovernanceModel.step`` runs instead; with ``visits`` the engine keeps
    its per-visit rows (``collect_visits``). ``seconds`` is the time of the days alone (the
    model's build is not timed)."""
    model = GovernanceModel(scenario, rng=seed, engine=engine, collect_visits=visits)
    journeys = model.journeys
    start = time.perf_counter()
    for day in range(days):
        if whole_day:
            model.step()
        else:
            model.demand(float(day))
            journeys.advance_to(float(day + 1))
    seconds = time.perf_counter() - start
    table = journeys.records.table()
    kept = table["arrival_day"] >= scenario.world.warmup_days
    return {
        "seconds": seconds,
        "cases": len(journeys.records),
        "arrivals": journeys.opened,
        "wait": HOURS * float(table["wait_days"][kept].mean()),
        "sojourn": HOURS * float(table["delay_days"][kept].mean()),
        "rows": journeys.records.rows(),
    }


def run_reference(network, arrivals: int, spec: dict, seed: int, skip: int) -> dict:
    rng = np.random.default_rng(seed)
    waits, sojourns = network(rng, arrivals, spec["per_hour"], spec["stations"])
    return {
        "cases": arrivals,
        "wait": float(waits[skip:].mean()),
        "sojourn": float(sojourns[skip:].mean()),
    }


def bench(quick: bool) -> list[Result]:
    repeats = 5
    results = []
    for name, spec in NETWORKS.items():
        days = spec["days"] // (4 if quick else 1)
        scenario = textbook_scenario(
            spec["functions"], {"v": {"per_hour": spec["per_hour"], "steps": spec["steps"]}}
        )
        # Repetition r runs seed r on every side (SimPy fed as many arrivals as our run of that
        # seed opened); the queue estimates are averaged over the seeds, the times are medians.
        seeds = list(range(1, repeats + 1))
        arrivals = {seed: run_ours(scenario, days, seed)["arrivals"] for seed in seeds}  # untimed
        skip = int(spec["per_hour"] * HOURS * scenario.world.warmup_days)
        loops: dict[str, list[float]] = {"ours": [], "python": [], "whole": [], "visits": []}
        estimates: dict[str, list[float]] = {"ours": [], "simpy": []}
        sides = ("ours", "python", "whole", "visits", "simpy")
        next_seed = {side: itertools.cycle(seeds) for side in sides}

        def loop(side: str, value: dict, loops=loops, estimates=estimates, kind=spec["theory"][0]):
            if side in loops:
                loops[side].append(value["seconds"])
            if side in estimates:
                estimates[side].append(value[kind])
            return value

        def ours(side, engine="compiled", whole=False, sc=scenario, d=days, seeds=next_seed):
            visits = side == "visits"
            return loop(side, run_ours(sc, d, next(seeds[side]), engine, whole, visits))

        def simpy(s=spec, k=skip, seeds=next_seed, counts=arrivals):
            seed = next(seeds["simpy"])
            return loop("simpy", run_reference(simpy_ref.network, counts[seed], s, seed, k))

        medians, times, values = alternate(
            {
                "ours": lambda: ours("ours"),
                "python": lambda: ours("python", engine="python"),
                "whole": lambda: ours("whole", whole=True),
                "visits": lambda: ours("visits"),
                "simpy": simpy,
            },
            repeats,
        )
        for side, seconds in loops.items():  # the model-driven sides: their days alone
            medians[side] = statistics.median(seconds)
            times[f"{side}_days_only"] = seconds
        rate = {
            side: statistics.mean(arrivals.values()) / medians[side] for side in medians
        }  # cases per second (completed ≈ opened; the same count on every side)
        identical = values["ours"]["rows"] == values["python"]["rows"]
        kind, expected = spec["theory"]
        tolerance = 0.15 if quick else 0.10
        estimate = {side: statistics.mean(values) for side, values in estimates.items()}
        errors = {side: estimate[side] / expected - 1.0 for side in estimate}
        agree = all(abs(error) <= tolerance for error in errors.values()) and identical
        per_day = {side: medians[side] / days * 1e6 for side in ("ours", "python", "whole")}
        details = {
            "arrivals_by_seed": arrivals,
            "cases_per_day": statistics.mean(arrivals.values()) / days,
            f"theory_{kind}_hours": expected,
            **{f"{side}_{kind}_hours_by_seed": estimates[side] for side in estimates},
            "records_identical_to_python_engine": identical,
            "microseconds_per_day": per_day,
            "python_engine_cases_per_s": rate["python"],
            "whole_step_cases_per_s": rate["whole"],
            "whole_step_vs_simpy": rate["whole"] / rate["simpy"],
            "tolerance": tolerance,
            "seconds": times,
        }
        ratio = rate["ours"] / rate["simpy"]
        target = None if spec.get("report") else 20.0
        results.append(
            Result(
                name=f"service {name}: engine vs SimPy",
                ours=rate["ours"],
                reference=rate["simpy"],
                unit="cases/s",
                ratio=ratio,
                target=target,
                passed=(ratio >= target and agree) if target else (None if agree else False),
                note=(
                    f"{kind} ours {estimate['ours']:.3f} h, SimPy {estimate['simpy']:.3f} h "
                    f"(means of {repeats} seeds), theory {expected:.3f} h; "
                    f"{details['cases_per_day']:.0f} cases and {per_day['ours']:.1f} µs a day; "
                    "records "
                    + ("identical to" if identical else "DIFFER from")
                    + " the Python engine's"
                    + f"; whole model step {rate['whole'] / rate['simpy']:.2f}× SimPy"
                    + ("" if agree else f" — MEANS DISAGREE beyond {tolerance:.0%}")
                ),
                details=details,
            )
        )
        results.append(
            Result(
                name=f"service {name}: Python reference engine vs SimPy",
                ours=rate["python"],
                reference=rate["simpy"],
                unit="cases/s",
                ratio=rate["python"] / rate["simpy"],
                target=None,
                note=f"model/journey.py, the path the kernel is tested against; "
                f"{per_day['python']:.0f} µs a day; the compiled engine is "
                f"{rate['ours'] / rate['python']:.1f}× faster",
            )
        )
        same = values["visits"]["rows"] == values["ours"]["rows"]
        results.append(
            Result(
                name=f"service {name}: visits kept vs not",
                ours=medians["visits"],
                reference=medians["ours"],
                unit="s",
                ratio=medians["visits"] / medians["ours"],
                target=None,
                higher_is_better=False,
                passed=None if same else False,
                note="the compiled engine with collect_visits=True (a row per counter visit, "
                "back-office task, hand-off, trip and rework period) against without; case "
                "records " + ("identical" if same else "DIFFER"),
            )
        )
    return results
