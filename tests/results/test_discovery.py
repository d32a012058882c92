"""Pieces of ``results.discovery`` on hand-made events: staff from concurrency and from named
servers, exact Poisson intervals, precedence read from start and end times."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from govlab.results.discovery import occurrences, ordered, poisson_interval, precedence, staff


def _station(rows, server=None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["arrival", "start", "end"])
    if server is not None:
        frame["server"] = server
    return frame


def test_staff_is_exact_when_a_waiting_event_starts_with_all_servers_busy():
    # two servers: events 1 and 2 overlap, event 3 waits for event 1 to end
    busy = _station([(0.0, 0.0, 1.0), (0.1, 0.1, 2.0), (0.5, 1.0, 1.5)])
    assert staff(busy) == (2, True)
    # nobody waited: the most seen at once is a lower bound
    quiet = _station([(0.0, 0.0, 1.0), (0.1, 0.1, 2.0), (2.5, 2.5, 3.0)])
    assert staff(quiet) == (2, False)
    # an event ending when the next starts is not in service with it
    chain = _station([(0.0, 0.0, 1.0), (0.5, 1.0, 2.0), (0.7, 2.0, 3.0)])
    assert staff(chain) == (1, True)
    named = _station([(0, 0, 1), (0, 2, 3), (0, 4, 5)], server=["ana", "bo", "ana"])
    assert staff(named) == (2, True)


def test_poisson_interval_is_garwoods():
    low, high = poisson_interval(10, 5.0, 0.95)
    assert np.isclose(low * 5, stats.chi2.ppf(0.025, 20) / 2)
    assert np.isclose(high * 5, stats.chi2.ppf(0.975, 22) / 2)
    assert poisson_interval(0, 2.0, 0.95)[0] == 0.0


def test_precedence_keeps_concurrent_steps_apart():
    # a, then b and c overlapping in case 1 (concurrent), then d
    work = pd.DataFrame(
        [("1", "a", "back office", 0, 0, 1), ("1", "b", "back office", 1, 1, 3),
         ("1", "c", "back office", 2, 2, 4), ("1", "d", "back office", 4, 4, 5),
         ("2", "a", "back office", 0, 0, 1), ("2", "b", "back office", 1, 1, 2),
         ("2", "c", "back office", 2, 2, 3), ("2", "d", "back office", 3, 3, 4)],
        columns=["case", "step", "kind", "arrival", "start", "end"],
    )  # fmt: skip
    occ = occurrences(work, {"a", "b", "c", "d"})
    precedes = precedence(occ, ["a", "b", "c", "d"])
    assert precedes == {"a": {"b", "c", "d"}, "b": {"d"}, "c": {"d"}, "d": set()}
    order, direct = ordered(["a", "b", "c", "d"], precedes, {"a": 0, "b": 1, "c": 2, "d": 3.5})
    assert order == ["a", "b", "c", "d"]
    assert direct == {"a": (), "b": ("a",), "c": ("a",), "d": ("b", "c")}
