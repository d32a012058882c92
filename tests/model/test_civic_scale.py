"""Scale: the civic state of 10^6 residents (mean degree 10) is arrays, and its memory is bounded.

Documented bounds (measured: 128 B/resident of state — 40 B of population columns, 84 B of CSR
network, 4 B of degrees; ~24 B/resident of temporaries in a day; ~290 B/resident peak while the
network is built):

- persistent civic state ≤ 160 bytes per resident;
- extra memory allocated while stepping a day (tracemalloc peak) ≤ 64 bytes per resident;
- peak while building the model ≤ 600 bytes per resident;
- no Mesa agent is made per resident (residents are rows, views are lazy).

No wall-clock assertions; the run (build + 3 days) takes a few seconds.
"""

from __future__ import annotations

import tracemalloc

import pytest

from govlab.agents import Resident
from govlab.model import GovernanceModel
from govlab.scenarios import load_scenario

N = 1_000_000
STATE_BYTES = 160
STEP_BYTES = 64
BUILD_BYTES = 600


@pytest.fixture(scope="module")
def measured():
    scenario = load_scenario("smart").with_overrides(
        {"world.residents": N, "world.enterprises": 2_000, "civic.voice_every_days": 1}
    )
    tracemalloc.start()
    try:
        model = GovernanceModel(scenario, rng=7)
        build_peak = tracemalloc.get_traced_memory()[1]
        model.step()
        step_peaks = []
        for _ in range(3):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            model.step()
            step_peaks.append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    return model, build_peak, max(step_peaks)


def test_civic_state_per_resident_is_bounded(measured):
    model, _, _ = measured
    network = model.network
    assert network.nnz / N == pytest.approx(10.0, rel=0.01)
    state = (
        model.population.nbytes()
        + network.data.nbytes
        + network.indices.nbytes
        + network.indptr.nbytes
        + model.degree.nbytes
    )
    assert state / N <= STATE_BYTES


def test_daily_step_memory_per_resident_is_bounded(measured):
    _, _, step_peak = measured
    assert step_peak / N <= STEP_BYTES


def test_build_memory_per_resident_is_bounded(measured):
    _, build_peak, _ = measured
    assert build_peak / N <= BUILD_BYTES


def test_residents_are_rows_not_agents(measured):
    model, _, _ = measured
    assert Resident not in model.agents_by_type
    assert model.population.participating.any()  # the platform is live at this scale too
    view = model.resident(123_456)
    assert view.trust == pytest.approx(float(model.population.trust[123_456]))
