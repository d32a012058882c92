"""The journey view marks when a step's inputs exist (``ready`` in the trace, issue 11 §1)."""

from __future__ import annotations

import pytest

from govlab.model import GovernanceModel
from govlab.scenarios.textbook import textbook_scenario
from govlab.viz.journey import draw_journeys, station_labels, timeline


def test_ready_marks_sit_where_the_waiting_step_is_served():
    """A -> B by a document: B's mark is on B's back-office row when A finishes."""
    scenario = textbook_scenario(
        {"a": (0, 10), "b": (0, 10)},
        {
            "v": {
                "per_hour": 0.5,
                "steps": [
                    {"function": "a", "backoffice_hours": 8.0, "issues": ["permit_a"]},
                    {"function": "b", "backoffice_hours": 8.0, "requires": ["permit_a"]},
                ],
            }
        },
        levers={"approval": "parallel"},
        world={"service_time_distribution": "deterministic"},
    )
    model = GovernanceModel(scenario, rng=1)
    model.journeys.trace_next(0)
    for _ in range(10):
        model.step()
    (trace,) = model.journeys.traces.values()
    tl = timeline(trace, station_labels(model.layout))
    assert all(tl.rows[row].startswith(f) for (row, _), f in zip(tl.ready, "ab", strict=True))
    assert [t for _, t in tl.ready] == pytest.approx([0.0, 1.0])
    # one precedence edge: A's back office (row 0) ended and released B (row 1) at day 1
    assert tl.released == [(0, 1, pytest.approx(1.0))]
    assert tl.end == pytest.approx(2.0)
    assert draw_journeys([("parallel", tl)], "v") is not None
