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

import math
import statistics
import time

import numpy as np
import simpy_ref
from common import HOURS, Result, alternate, textbook_scenario

from model import GovernanceModel


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


def run_ours(
    scenario, days: int, seed: int, engine: str = "compiled", whole_day: bool = False
) -> dict:
    """The model's service engine for ``days`` days: each day its demand and its events. With
    ``whole_day`` the full ``GovernanceModel.step`` runs instead. ``seconds`` is the time of the
    days alone (the model's build is not timed)."""
    model = GovernanceModel(scenario, rng=seed, engine=engine)
    journeys = model.journeys
    start = time.perf_counter()
    for day in range(days):
        if whole_day:
            model.step()
        else:
            model._demand(float(day))
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
        probe = run_ours(scenario, days, 1)  # also loads the compiled kernels (untimed)
        arrivals = probe["arrivals"]
        skip = int(spec["per_hour"] * HOURS * scenario.world.warmup_days)
        loops: dict[str, list[float]] = {"ours": [], "python": [], "whole": []}

        def loop(side: str, value: dict, loops=loops) -> dict:
            loops[side].append(value["seconds"])
            return value

        medians, times, values = alternate(
            {
                "ours": lambda sc=scenario, d=days: loop("ours", run_ours(sc, d, 1)),
                "python": lambda sc=scenario, d=days: loop(
                    "python", run_ours(sc, d, 1, engine="python")
                ),
                "whole": lambda sc=scenario, d=days: loop(
                    "whole", run_ours(sc, d, 1, whole_day=True)
                ),
                "simpy": lambda s=spec, n=arrivals, k=skip: run_reference(
                    simpy_ref.network, n, s, 1, k
                ),
            },
            repeats,
        )
        for side, seconds in loops.items():  # the model-driven sides: their days alone
            medians[side] = statistics.median(seconds)
            times[f"{side}_days_only"] = seconds
        rate = {side: values[side]["cases"] / medians[side] for side in medians}
        identical = values["ours"]["rows"] == values["python"]["rows"]
        kind, expected = spec["theory"]
        tolerance = 0.15 if quick else 0.10
        errors = {side: values[side][kind] / expected - 1.0 for side in ("ours", "simpy")}
        agree = all(abs(error) <= tolerance for error in errors.values()) and identical
        per_day = {side: medians[side] / days * 1e6 for side in ("ours", "python", "whole")}
        details = {
            "arrivals": arrivals,
            "cases_per_day": arrivals / days,
            "completed_ours": values["ours"]["cases"],
            f"theory_{kind}_hours": expected,
            **{f"{side}_{kind}_hours": values[side][kind] for side in ("ours", "simpy")},
            "records_identical_to_python_engine": identical,
            "microseconds_per_day": per_day,
            "python_engine_cases_per_s": rate["python"],
            "whole_step_cases_per_s": rate["whole"],
            "whole_step_vs_simpy": rate["whole"] / rate["simpy"],
            "tolerance": tolerance,
            "seconds": times,
        }
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
                    f"{values['simpy'][kind]:.3f} h, theory {expected:.3f} h; "
                    f"{arrivals / days:.0f} cases and {per_day['ours']:.1f} µs a day; records "
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
    return results
