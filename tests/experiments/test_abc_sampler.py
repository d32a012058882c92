"""ABC-SMC's simulations through govlab's executors and store (``experiments.abc_sampler``):
the same particles as pyabc's single-core sampler under the same seeding, whichever executor
runs them and however they are batched; a killed fit resumes from the store without recomputing
a finished simulation, and a second fit reads every simulation back (no new run)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyabc
import pytest

from govlab.experiments.abc_fit import AbcBudget, LabSimulator, Parameter, Target, fit
from govlab.experiments.abc_sampler import AbcRunFailed, StoreSampler, batch_size, generation_seed
from govlab.experiments.ensemble import small_world
from govlab.experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from govlab.results.store import Store
from govlab.scenarios import load_scenario

BUDGET = AbcBudget(population=8, generations=2, days=60)


@pytest.fixture(scope="module")
def simulator() -> LabSimulator:
    scenario = small_world(load_scenario("silo"), 100).with_overrides({"world.warmup_days": 20})
    targets = [
        Target("returns", "returns_per_case", 0.5, 0.05),
        Target("trips", "trips_per_case", 4.0, 0.4),
    ]
    return LabSimulator(
        scenario, [Parameter("world.p_missing_document", 0.02, 0.4)], targets, 60, 7
    )


class SeededSingleCore(pyabc.sampler.SingleCoreSampler):
    """pyabc's own sampler, simulating in this process, seeded as the store sampler seeds."""

    def __init__(self, root: int) -> None:
        super().__init__()
        self.root = root

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        np.random.seed(generation_seed(self.root, t))
        return super().sample_until_n_accepted(n, simulate_one, t, **kwargs)


class Killed(Exception):
    """Stands for the calibration's process dying."""


class DiesAfter(SerialExecutor):
    """Serial, but the process 'dies' after ``runs`` results (those are stored)."""

    def __init__(self, runs: int) -> None:
        self.left = runs

    def run(self, specs) -> Iterator:
        for pair in super().run(specs):
            if self.left == 0:
                raise Killed
            self.left -= 1
            yield pair


def fitted(simulator, path, sampler):
    points, weights, info = fit(simulator, BUDGET, path, sampler)
    return points[:, 0].tolist(), weights.tolist(), info["epsilons"], info["simulations"]


def store_sampler(simulator, store, executor):
    return StoreSampler(simulator, store, executor, "abc", {"test": 1})


@pytest.fixture(scope="module")
def reference(simulator, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    return fitted(simulator, folder / "h.db", SeededSingleCore(simulator.root_seed))


def test_batch_size_follows_the_acceptance_rate():
    assert batch_size(8, 0, 0, 2, 8) == 8  # nothing seen yet: one proposal per particle
    assert batch_size(6, 2, 8, 2, 8) == 24  # 1 in 4 accepted: 6 more need 24 proposals
    assert batch_size(1, 7, 7, 2, 8) == 2  # at least one proposal per worker
    assert batch_size(8, 0, 50, 1, 8) == 32  # none accepted yet: at most 4 populations


def test_same_particles_as_single_core_killed_and_resumed_from_the_store(
    simulator, reference, tmp_path
):
    runs_total = None
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        first = store_sampler(simulator, store, DiesAfter(20))  # 8 calibration + 8 + 4 of t=1
        with pytest.raises(Killed):
            fit(simulator, BUDGET, tmp_path / "h.db", first)
        assert pyabc.History(f"sqlite:///{tmp_path / 'h.db'}").max_t == 0  # t=1 unfinished
        again = store_sampler(simulator, store, SerialExecutor())
        assert fitted(simulator, tmp_path / "h.db", again) == reference
        stored = store.runs(again.experiment_id)
        runs_total = len(stored)
        assert stored["run_key"].is_unique and (stored["status"] == "done").all()
        assert again.computed == runs_total - 20  # the 20 finished runs were not run again
        assert again.reused > 0
        (tmp_path / "h.db").unlink()  # pyabc's history lost: every generation drawn again
        third = store_sampler(simulator, store, SerialExecutor())
        assert fitted(simulator, tmp_path / "h.db", third) == reference
        assert third.computed == 0 and len(store.runs(third.experiment_id)) == runs_total


@pytest.mark.parametrize("kind", ["processes", "dask"])
def test_same_particles_on_processes_and_dask(simulator, reference, tmp_path, kind):
    executor = ProcessExecutor(2) if kind == "processes" else DaskExecutor(workers=2)
    try:
        with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
            sampler = store_sampler(simulator, store, executor)
            assert fitted(simulator, tmp_path / "h.db", sampler) == reference
            assert sampler.computed == len(store.runs(sampler.experiment_id)) > BUDGET.population
    finally:
        executor.close()


def test_a_failed_simulation_stops_the_fit_with_its_error(simulator, tmp_path, monkeypatch):
    """Rejecting a failed run would bias the posterior: the fit stops, the failure is stored."""
    monkeypatch.setenv("GOVLAB_INJECT_FAILURE", "abc/*")
    with Store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        sampler = store_sampler(simulator, store, SerialExecutor())
        with pytest.raises(AbcRunFailed, match=r"8 ABC simulation\(s\) failed \(abc/.*injected"):
            fit(simulator, BUDGET, tmp_path / "h.db", sampler)
        runs = store.runs(sampler.experiment_id)
        assert len(runs) == 8 and (runs["status"] == "failed").all()
