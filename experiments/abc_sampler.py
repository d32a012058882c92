"""pyabc's sampler on govlab's executors and store: ABC-SMC's simulations as stored runs.

pyabc hands a sampler one closure, ``simulate_one``, that draws a proposal (from numpy's global
generator), simulates it with the model and decides its acceptance; a sampler calls it until
``n`` particles are accepted. ``StoreSampler`` does this in batches, in three passes over the same
random numbers:

1. **Propose**: save numpy's state and call ``simulate_one`` ``size`` times with the simulator
   noting each proposal instead of running it (``LabSimulator.proposed``).
2. **Run**: every proposal the store does not hold is a run of the store's experiment
   ``calibrate:<name>:abc`` (key ``abc/<digest of the values>``, the particle's own seed, the
   scenario's digest), sent to the executor (serial, processes or Dask) and written to the store
   as it finishes; a killed calibration loses only the runs in flight.
3. **Replay**: restore numpy's state and call ``simulate_one`` again, the simulator reading each
   run's metrics back (``LabSimulator.simulated``): the same proposals, now with their data and
   acceptance; the particles are kept up to the ``n``-th accepted one, as pyabc's single-core
   sampler keeps them (runs proposed after it stay in the store, unused).

Numpy's generator is seeded at the start of every generation from the root seed and the
generation's index, so a generation drawn again after a kill makes the same proposals and reads
their simulations from the store: the posterior is the same whether the calibration was killed,
which executor ran it and how the proposals were batched, and equals pyabc's single-core sampler
under the same seeding. A run that fails stops the calibration with its error (rejecting it would
bias the posterior); the runs already stored are kept for the next attempt.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

from govlab.experiments.abc_fit import LabSimulator, particle_seed, proposal_key
from govlab.experiments.ensemble import with_params
from govlab.experiments.executors import Executor
from govlab.experiments.plan import RunSpec, digest_of
from govlab.results.provenance import git_commit, model_version
from govlab.results.store import Store

MAX_BATCH_FACTOR = 4  # a batch holds at most this many times the population size


class AbcRunFailed(RuntimeError):
    """An ABC simulation failed; the calibration stops (rerun to resume from the store)."""


def generation_seed(root: int, t: int) -> int:
    """numpy's seed for generation ``t`` (-1: pyabc's calibration sample from the prior)."""
    return int(np.random.SeedSequence([root, t + 1]).generate_state(1)[0])


def batch_size(needed: int, accepted: int, evaluated: int, workers: int, population: int) -> int:
    """Proposals for the next batch: enough to reach ``needed`` acceptances at the rate seen so
    far in the generation (all of them when nothing was evaluated yet), at least one per worker
    and at most ``MAX_BATCH_FACTOR`` populations."""
    rate = 1.0 if evaluated == 0 else max(accepted, 1) / evaluated
    wanted = math.ceil(needed / rate)
    return int(min(max(wanted, workers, 1), MAX_BATCH_FACTOR * population))


class StoreSampler(Sampler):
    """Samples pyabc generations in batches of stored govlab runs (see the module docstring)."""

    def __init__(
        self,
        simulator: LabSimulator,
        store: Store,
        executor: Executor,
        name: str,
        identity: dict[str, Any],
    ) -> None:
        super().__init__()
        self.simulator = simulator
        self.store = store
        self.executor = executor
        self.workers = int(getattr(executor, "workers", 1))
        self.metrics = sorted({target.metric for target in simulator.targets})
        spec = {  # read like any stored experiment (results.frames): one label, one run a point
            "kind": "abc",
            **identity,
            "name": name,
            "scenarios": [{"scenario": simulator.scenario.name, "label": "abc"}],
            "baseline": "abc",
            "days": simulator.days,
            "replications": 1,
            "seed": simulator.root_seed,
        }
        design = {"method": "abc-smc", "points": [], "options": None}
        self.experiment_id = store.register(name, spec, identity, design)
        self.next_point = 0  # each stored proposal is a point of its own
        self.known = self._stored()  # run key -> (digest, seed, target metrics)
        self.computed = 0  # runs this sampler sent to the executor
        self.reused = 0  # proposals whose run the store already held

    def _stored(self) -> dict[str, tuple[str, int, dict[str, float | None]]]:
        runs = self.store.runs(self.experiment_id)
        self.next_point = int(runs["point"].max()) + 1 if len(runs) else 0
        runs = runs[runs["status"] == "done"]
        long = self.store.metrics(self.experiment_id, self.metrics)
        values: dict[int, dict[str, float | None]] = {}
        for run_id, name, value in long.itertuples(index=False):
            values.setdefault(int(run_id), {})[name] = None if value is None else float(value)
        return {
            row.run_key: (row.digest, int(row.seed), values.get(int(row.id), {}))
            for row in runs.itertuples()
        }

    def _spec(self, overrides: dict[str, float]) -> RunSpec:
        scenario = with_params(self.simulator.scenario, overrides)
        days = self.simulator.days
        return RunSpec(
            key=proposal_key(overrides),
            label="abc",
            point=self.next_point,
            replication=0,
            seed=particle_seed(self.simulator.root_seed, overrides),
            days=days,
            params=dict(overrides),
            scenario=scenario,
            digest=digest_of(scenario, days),
            series=(),
            model_version=model_version(),
        )

    def _run(self, proposals: list[dict[str, float]]) -> dict[str, dict[str, float | None]]:
        """The target metrics of every proposal, running (and storing) the ones not stored."""
        specs: dict[str, RunSpec] = {}
        for proposal in proposals:
            key = proposal_key(proposal)
            if key not in specs:
                specs[key] = self._spec(proposal)
                self.next_point += 1
        todo = [
            spec
            for key, spec in specs.items()
            if self.known.get(key, ("", 0, {}))[:2] != (spec.digest, spec.seed)
        ]
        self.reused += len(specs) - len(todo)
        failures = []
        if todo:
            commit = git_commit()
            for spec, result in self.executor.run(todo):
                self.store.write_run(self.experiment_id, spec, result, commit)
                self.computed += 1
                if result["status"] != "done":
                    failures.append(f"{spec.key}: {result.get('error')}")
                    continue
                metrics = {m: result["metrics"].get(m) for m in self.metrics}
                self.known[spec.key] = (spec.digest, spec.seed, metrics)
        if failures:
            raise AbcRunFailed(
                f"{len(failures)} ABC simulation(s) failed ({failures[0]}); the finished ones "
                "are stored: run the calibration again to resume"
            )
        return {key: self.known[key][2] for key in specs}

    def sample_until_n_accepted(
        self,
        n,
        simulate_one,
        t,
        *,
        max_eval=np.inf,
        all_accepted=False,
        ana_vars=None,
    ):
        np.random.seed(generation_seed(self.simulator.root_seed, t))
        sample = self._create_empty_sample()
        accepted = evaluated = 0
        while accepted < n:
            size = batch_size(n - accepted, accepted, evaluated, self.workers, n)
            state = np.random.get_state()
            self.simulator.proposed = []
            try:
                for _ in range(size):
                    simulate_one()
                proposals = self.simulator.proposed
            finally:
                self.simulator.proposed = None
            self.simulator.simulated = self._run(proposals)
            np.random.set_state(state)
            try:
                for _ in range(size):
                    particle = simulate_one()
                    sample.append(particle)
                    evaluated += 1
                    if particle.accepted:
                        accepted += 1
                        if accepted == n:
                            break
            finally:
                self.simulator.simulated = None
        self.nr_evaluations_ = evaluated
        return sample
