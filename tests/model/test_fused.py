"""The fused passes (model/fused.py) give the numbers of the NumPy expressions they replace, bit
for bit, and the network's in-place CSR is scipy's canonical COO → CSR."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from govlab.model.evaluation import Evaluation
from govlab.model.network import NeighbourShare, _symmetric, neighbour_share, watts_strogatz
from govlab.model.population import Population, attitude_columns, make_population
from govlab.model.records import ENTERPRISE, RESIDENT
from govlab.model.response_office import ResponseOffice
from govlab.model.voice import Voice, participation_utility
from govlab.scenarios import Civic, World, load_scenario

N = 20_000


def _tables(seed: int) -> tuple[Population, Population]:
    rng = np.random.default_rng(seed)
    residents = make_population(rng, World(residents=N, districts=6), Civic())
    # a spread of cases: some recent, some long ago, many never
    residents.last_case_day[:] = np.where(
        rng.random(N) < 0.5, -np.inf, rng.integers(0, 40, N)
    ).astype(np.float32)
    firms = Population(
        {
            "district": rng.integers(0, 6, 500).astype(np.int16),
            "digital_skill": rng.random(500).astype(np.float32),
            "time": np.full(500, 0.5, dtype=np.float32),
            "civic_skill": np.full(500, 0.7, dtype=np.float32),
            **attitude_columns(rng, Civic(), 500),
        }
    )
    return residents, firms


def _copy(table: Population) -> Population:
    return Population({name: column.copy() for name, column in table.columns.items()})


@pytest.mark.parametrize("transparency", [0.3, 1.0])
def test_fused_published_read_equals_the_numpy_columns(transparency):
    scenario = load_scenario("smart").with_overrides({"levers.transparency": transparency})
    residents, firms = _tables(1)
    fused = Evaluation(scenario, residents, firms, None)
    reference = Evaluation(scenario, _copy(residents), _copy(firms), None)
    published = np.random.default_rng(2).random(len(fused.published))
    published[3] = np.nan  # a district without a case yet
    for evaluation in (fused, reference):
        evaluation.published[:] = published[: len(evaluation.published)]
    for day in (5.0, 30.0, 41.0):
        fused._read_published(residents, day)
        reference.read_published_numpy(reference.tables[RESIDENT], day)
    ref = reference.tables[RESIDENT]
    assert np.array_equal(residents.trust, ref.trust)
    assert np.array_equal(residents.expectation, ref.expectation)
    assert not np.array_equal(residents.trust, _tables(1)[0].trust)  # it did move trust


def test_fused_utility_equals_the_numpy_expression():
    scenario = load_scenario("smart")
    residents, firms = _tables(3)
    office = ResponseOffice(scenario.response_office, 2, np.random.default_rng(0), 8.0)
    adjacency = watts_strogatz(np.random.default_rng(4), N, 10, 0.1)
    degree = np.diff(adjacency.indptr).astype(np.float32)
    voice = Voice(scenario, residents, firms, adjacency, degree, np.random.default_rng(5), office)
    share = np.random.default_rng(6).random(N).astype(np.float32)
    expected = participation_utility(scenario.civic, voice.cost_open, share, residents)
    assert expected.dtype == np.float32
    assert np.array_equal(voice._utility(residents, share), expected)
    # the firms' float64 district share keeps the NumPy (float64) expression
    firm_share = voice._district_share(ENTERPRISE)[firms.district]
    assert voice._utility(firms, firm_share).dtype == np.float64


def test_district_share_counts_the_participants():
    scenario = load_scenario("smart")
    residents, firms = _tables(7)
    residents.participating[:] = np.random.default_rng(8).random(N) < 0.3
    office = ResponseOffice(scenario.response_office, 2, np.random.default_rng(0), 8.0)
    adjacency = sp.csr_array((N, N), dtype=np.float32)
    voice = Voice(
        scenario, residents, firms, adjacency, np.zeros(N, np.float32), np.random.default_rng(9),
        office,
    )  # fmt: skip
    districts = voice.districts
    counts = np.bincount(residents.district, minlength=districts)
    active = np.bincount(residents.district, residents.participating, minlength=districts)
    expected = np.divide(active, counts, out=np.zeros(districts), where=counts > 0)
    assert np.array_equal(voice._district_share(RESIDENT), expected)


def test_incremental_neighbour_share_equals_the_product_after_each_change():
    rng = np.random.default_rng(10)
    adjacency = watts_strogatz(rng, 5_000, 7.25, 0.2)
    degree = np.diff(adjacency.indptr).astype(np.float32)
    share = NeighbourShare(adjacency, degree)
    flags = rng.random(5_000) < 0.3
    for flip in (0.0, 0.01, 0.5, 1.0):
        flags ^= rng.random(5_000) < flip
        expected = adjacency @ flags.astype(np.float32)
        expected = np.divide(expected, degree, out=np.zeros_like(degree), where=degree > 0)
        assert np.array_equal(share(flags), expected)
        assert np.array_equal(neighbour_share(adjacency, degree, flags), expected)


@pytest.mark.parametrize("n", [3, 10, 2_000])
def test_in_place_csr_is_scipys_canonical_form(n):
    rng = np.random.default_rng(n)
    m = 6 * n
    source = rng.integers(0, n, m).astype(np.int32)
    target = ((source + 1 + rng.integers(0, n - 1, m)) % n).astype(np.int32)  # no self-loops
    source[: m // 3] = source[m // 3 : 2 * (m // 3)]  # many repeated edges
    target[: m // 3] = target[m // 3 : 2 * (m // 3)]
    rows, cols = np.r_[source, target], np.r_[target, source]
    expected = sp.csr_array((np.ones(2 * m, np.float32), (rows, cols)), shape=(n, n))
    expected.sum_duplicates()
    built = _symmetric(n, source, target)
    assert np.array_equal(built.indptr, expected.indptr)
    assert np.array_equal(built.indices, expected.indices)
    assert set(built.data.tolist()) == {1.0} and len(built.data) == expected.nnz
    assert built.indptr.dtype == built.indices.dtype == np.int32
