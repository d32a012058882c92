"""Branch and loop probabilities from a hand-made log (issue 21 item 4; ``results.branches``).

The log is written here by a small generator following the catalogue's routing semantics
(a step's end draws once: a loop back, a choice of one of the steps it names ahead, skipping
the others, an exit, or going on, which skips them all: ``scenarios/routing.py``), in the
documented CSV columns, and read back by ``read_event_log``. The generator records every draw,
so the estimator must find exactly its counts; the probabilities then lie in their 99%
Clopper-Pearson intervals.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from govlab.results.branches import EXIT, clopper_pearson, estimate, rework_events
from govlab.results.discovery import discover
from govlab.results.logread import read_event_log

ORIGIN = pd.Timestamp("2026-01-01")
STEPS = ("1 intake", "2 review", "3 inspection", "4 fast_track", "5 decision")
FUNCTION = {"1 intake": "civil_affairs", "2 review": "civil_affairs",
            "3 inspection": "public_security", "4 fast_track": "civil_affairs",
            "5 decision": "civil_affairs"}  # fmt: skip
# the routing: per step, (target, p); the rest goes on
BRANCHES = {
    "1 intake": [(EXIT, 0.05)],
    "2 review": [("3 inspection", 0.3), ("4 fast_track", 0.5), ("1 intake", 0.1), (EXIT, 0.05)],
}
CASES = 3000


def _draw(rng, step: str) -> str | None:
    u, total = rng.random(), 0.0
    for target, p in BRANCHES.get(step, []):
        total += p
        if u < total:
            return target
    return None


def generate(rng, cases: int = CASES) -> tuple[list[tuple], Counter]:
    """Rows of a log, and the true outcome counts ``(step, target) -> count`` (with
    ``(step, None)`` for going on)."""
    rows, truth = [], Counter()
    for case in range(cases):
        t = rng.uniform(0, 200)
        skipped: set[str] = set()
        k = 0
        while k < len(STEPS):
            step = STEPS[k]
            if step in skipped:
                k += 1
                continue
            for kind in ("counter", "back office"):
                duration = rng.exponential(0.05 if kind == "counter" else 0.3)
                station = f"{FUNCTION[step]} {kind}"
                rows.append((case, step, kind, station, t, t + duration))
                t += duration + 0.01
            target = _draw(rng, step)
            truth[(step, target)] += 1
            if target == EXIT:
                break
            ahead = {s for s, _ in BRANCHES.get(step, []) if s in STEPS and STEPS.index(s) > k}
            if target is None:  # going on skips every step this one names ahead
                skipped |= ahead
                k += 1
            elif STEPS.index(target) <= k:  # a loop: a correction period first
                duration = rng.exponential(1.0)
                rows.append((case, "rework", "rework", "applicant", t, t + duration))
                t += duration + 0.01
                k = STEPS.index(target)
            else:  # a choice: the others named ahead are skipped
                skipped |= ahead - {target}
                k += 1
    return rows, truth


def write_log(rows, path) -> None:
    frame = pd.DataFrame(rows, columns=["case", "step", "kind", "station", "start", "end"])
    frame = pd.DataFrame({
        "case:concept:name": frame["case"].astype(str),
        "case:case_type": "licence",
        "concept:name": frame["step"] + ": " + frame["kind"],
        "kind": frame["kind"],
        "function": frame["step"].map(FUNCTION).fillna("civil_affairs"),
        "org:resource": frame["station"],
        "start_timestamp": ORIGIN + pd.to_timedelta(frame["start"], unit="D"),
        "time:timestamp": ORIGIN + pd.to_timedelta(frame["end"], unit="D"),
    })  # fmt: skip
    frame.to_csv(path, index=False)


@pytest.fixture(scope="module")
def estimated(tmp_path_factory):
    rows, truth = generate(np.random.default_rng(1))
    path = tmp_path_factory.mktemp("branches") / "log.csv"
    write_log(rows, path)
    events = read_event_log(path)
    found = discover(events)
    return found, estimate(found.case_types["licence"], rework_events(events)), truth


def test_the_estimator_finds_the_generators_exact_counts(estimated):
    found, routing, truth = estimated
    names = [s.name for s in found.case_types["licence"].steps]
    assert names[:2] == list(STEPS[:2]) and names[-1] == STEPS[-1]  # the choice's two: any order
    assert [(c, sorted(m)) for c, m in routing.groups] == [("2 review", list(STEPS[2:4]))]
    passes = Counter()
    for (step, _), count in truth.items():
        passes[step] += count
    for step, branches in BRANCHES.items():
        found_counts = {b.to: (b.count, b.n) for b in routing.branches[step]}
        expected = {target: (truth[(step, target)], passes[step]) for target, _ in branches}
        assert found_counts == expected, step
    assert set(routing.branches) == set(BRANCHES)
    loops = {b.to: b.correction for b in routing.branches["2 review"]}
    assert loops["1 intake"] is True and loops["3 inspection"] is False


def test_probabilities_lie_in_their_clopper_pearson_intervals(estimated):
    _, routing, _ = estimated
    for step, branches in BRANCHES.items():
        found = {b.to: b for b in routing.branches[step]}
        for target, p in branches:
            b = found[target]
            assert (b.low, b.high) == clopper_pearson(b.count, b.n, 0.99)
            assert b.low <= p <= b.high, (step, target, b)


def test_a_fixed_route_log_has_no_branches(tmp_path):
    rng = np.random.default_rng(1)
    saved = dict(BRANCHES)
    try:
        BRANCHES.clear()
        rows, _ = generate(rng, 200)
    finally:
        BRANCHES.update(saved)
    write_log(rows, tmp_path / "log.csv")
    events = read_event_log(tmp_path / "log.csv")
    found = discover(events)
    routing = estimate(found.case_types["licence"], rework_events(events))
    assert routing.branches == {} and routing.groups == [] and routing.max_loops_seen == 0
    steps = found.case_types["licence"].steps
    assert [s.after for s in steps] == [(), *((name,) for name in STEPS[:-1])]
