"""A process racing others on one fresh store (tests/results/test_concurrent_store.py).

Imports only the store, so that many such processes start quickly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

RUNS = 8


def fake_result(pid: int) -> dict:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "status": "done",
        "summary": {"x": 1.0},
        "metrics": {"x": 1.0, "y": 2.0},
        "series": {"backlog": [1.0, 2.0, 3.0]},
        "cases": [],
        "error": None,
        "traceback": None,
        "started_at": start,
        "finished_at": start + timedelta(seconds=1),
        "host": "h",
        "pid": pid,
        "versions": {},
    }


@dataclass(frozen=True)
class Spec:
    """What ``Store.write_run`` reads of a ``RunSpec`` (lighter to import in each process)."""

    key: str
    label: str = "a"
    point: int = 0
    params: dict = field(default_factory=dict)
    replication: int = 0
    seed: int = 1
    days: int = 3
    digest: str = "d" * 64
    model_version: str = "m"
    scenario: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(name="silo"))


def open_and_write(url: str, barrier) -> int:
    """One racing process: open the (fresh) store, register, write every run; runs it wrote."""
    from govlab.results.store import Store

    barrier.wait()
    with Store(url) as store:
        eid = store.register("race", {}, {"same": 1}, {"method": "none"})
        return sum(
            store.write_run(eid, Spec(f"a/p0000/r{r:04d}"), fake_result(os.getpid()), None)
            for r in range(RUNS)
        )


def claim_all(url: str, barrier, experiment_id: int, keys: list[str]) -> list[str]:
    """One racing batch: claim the runs ``keys`` one at a time until none is left; the keys it
    got."""
    from govlab.results import claims
    from govlab.results.store import Store

    identities = [(key, "d" * 64, 1) for key in keys]
    owner = claims.owner_id()
    got: list[str] = []
    with Store(url) as store:
        barrier.wait()
        while taken := claims.claim(store, experiment_id, identities, owner, 60, 1).taken:
            got.extend(taken)
    return got
