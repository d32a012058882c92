"""Parallel approval runs each case's precedence graph (DESIGN.md §2 step 3, issue 11 §1).

Without congestion a case takes exactly its critical path: a step starts once the documents it
needs from inside the case exist, after the steps it names in ``after``, and after barriers
(``approval = false``). Deterministic times give exact durations; exponential times give the
expected critical path of a small graph in closed form.
"""

from __future__ import annotations

import pytest

from govlab.model import GovernanceModel
from tests.conftest import mean_ci, run_cases
from tests.validation.test_queues import replicate

# A -> B by a document, C -> D by ``after``; times in days.
TIMES = {"a": 2.0, "b": 3.0, "c": 1.0, "d": 3.5}


def graph_scenario(textbook, approval, times=TIMES, distribution="deterministic", extra=()):
    hours = 8.0
    steps = [
        {"function": "a", "backoffice_hours": times["a"] * hours, "issues": ["permit_a"]},
        {"function": "b", "backoffice_hours": times["b"] * hours, "requires": ["permit_a"]},
        {"function": "c", "backoffice_hours": times["c"] * hours, "name": "C"},
        {"function": "d", "backoffice_hours": times["d"] * hours, "after": ["C"]},
        *extra,
    ]
    functions = {f: (0, 1000) for f in ("a", "b", "c", "d", "e")}  # no queue ever forms
    return textbook(
        functions,
        {"permit": {"per_hour": 0.5, "steps": steps}},
        {"approval": approval},
        {"service_time_distribution": distribution},
    )


@pytest.mark.parametrize(
    ("approval", "extra", "days"),
    [
        ("parallel", (), 5.0),  # max(A + B, C + D) = max(5, 4.5)
        ("sequential", (), 9.5),  # written order: A + B + C + D
        # a barrier waits for all before it: 5 + 1
        ("parallel", ({"function": "e", "backoffice_hours": 8.0, "approval": False},), 6.0),
    ],
)
def test_deterministic_case_takes_its_critical_path(textbook, approval, extra, days):
    cases, _ = run_cases(graph_scenario(textbook, approval, extra=extra), 3, 60, settle_days=15)
    assert len(cases["delay_days"]) > 100
    assert cases["delay_days"] == pytest.approx(days, abs=1e-9)
    assert cases["service_days"] == pytest.approx(days, abs=1e-9)  # the path's split
    assert cases["wait_days"] == pytest.approx(0.0, abs=1e-12)


def test_documents_and_after_links_bind(textbook):
    """Drop the document and the ``after`` link: the four steps fork, max(2, 3, 1, 3.5)."""
    steps = [{"function": f, "backoffice_hours": TIMES[f] * 8.0} for f in ("a", "b", "c", "d")]
    scenario = textbook(
        {f: (0, 1000) for f in "abcd"},
        {"permit": {"per_hour": 0.5, "steps": steps}},
        {"approval": "parallel"},
        {"service_time_distribution": "deterministic"},
    )
    cases, _ = run_cases(scenario, 3, 40, settle_days=10)
    assert cases["delay_days"] == pytest.approx(3.5, abs=1e-9)


def test_trace_shows_a_step_ready_when_its_inputs_exist(textbook):
    """B is ready when A finishes (its permit exists), D when C finishes; C at opening."""
    model = GovernanceModel(graph_scenario(textbook, "parallel"), rng=5)
    model.journeys.trace_next(0)
    for _ in range(20):
        model.step()
    (trace,) = model.journeys.traces.values()
    backoffice = {f: 2 * i + 1 for i, f in enumerate("abcde")}  # one district
    ready = {station: day for day, event, station in trace if event == "ready"}
    finish = {station: day for day, event, station in trace if event == "finish"}
    opened = trace[0][0]
    assert ready[backoffice["a"]] == ready[backoffice["c"]] == opened
    assert ready[backoffice["b"]] == finish[backoffice["a"]] == opened + 2.0
    assert ready[backoffice["d"]] == finish[backoffice["c"]] == opened + 1.0
    assert trace[-1][1:] == ("complete", -1)
    assert trace[-1][0] == pytest.approx(opened + 5.0, abs=1e-12)


def test_exponential_critical_path(textbook):
    """A -> B and C alone, each Exp(mean 1 day), no congestion: with S = A + B ~ Erlang(2),
    E[max(S, C)] = E[S] + E[C] - E[min(S, C)] = 2 + 1 - 3/4 = 2.25 days."""
    scenario = textbook(
        {f: (0, 1000) for f in "abc"},
        {
            "permit": {
                "per_hour": 1.0,
                "steps": [
                    {"function": "a", "backoffice_hours": 8.0, "issues": ["permit_a"]},
                    {"function": "b", "backoffice_hours": 8.0, "requires": ["permit_a"]},
                    {"function": "c", "backoffice_hours": 8.0},
                ],
            }
        },
        {"approval": "parallel"},
    )
    mean, low, high = mean_ci(replicate(scenario, 60, lambda c: c["delay_days"].mean(), 20.0), 0.99)
    assert low <= 2.25 <= high, (mean, low, high)
    assert high - low < 0.1  # tells 2.25 from a fork of three (11/6) or a chain (3)
