"""The case-keyed random numbers (``model.draws``, compiled in ``model.kernel.keyed``) tested as a
generator (issue 20 item 5).

Every draw is a hash of ``(key, case, purpose, step, item, visit)``. The tests call the kernel's
own functions in numba loops and check, at the key a seed-1 model uses:

- marginals: 10^7 uniforms per purpose (case numbers 1..10^7, as cases open), and 10^7 walking
  steps, items and visits fastest: mean, second moment (variance) and Kolmogorov–Smirnov; 10^7
  exponentials per purpose that draws them (service, hand-off, rework: mean, second moment, KS;
  they transform the same hashes as that purpose's uniforms, so these check the transform);
  10^7 normals per purpose that draws them (lognormal service times: the same three);
- independence, on 10^6 pairs each: every pair of purposes, adjacent case numbers (and lags 2, 3,
  1024), adjacent steps, items and visits, the radius and the angle of a Box–Muller normal, the
  "rectangle" of two adjacent cases × two adjacent visits (the hash combines a case word and a
  purpose-step-item-visit word by XOR, so these four share structure), and streams under
  different keys: the keys of adjacent seeds, of the seed ranges the Jackson test uses, of a
  batch's first two replication seeds (``experiments.seeds``), and keys one bit apart. A pair is
  checked twice: the correlation (|r| √n below the normal quantile) and a 16 × 16 chi-square of
  the pair's cells, which also sees non-linear dependence;
- the seed → key map: a model's key is ``service_key`` of its seed's generator, and 10^4 seeds
  give 10^4 distinct keys.

Significance: the module's ``CHECKS`` assertions form one family at level 1% (Bonferroni: each at
``LEVEL`` = 0.01 / ``CHECKS`` ≈ 5e-5, two-sided z ≈ 4.0), so a correct generator fails any with
probability below 1%; everything is drawn at fixed keys, so a run is deterministic.
The standard battery (dieharder) runs outside the tests: ``scripts/keyed_stream.py``.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from scipy import stats

from govlab.experiments.seeds import replication_seeds
from govlab.model import GovernanceModel, draws
from govlab.model.kernel.keyed import exponential, normal, uniform
from govlab.model.kernel.layout import F_KEY
from govlab.scenarios.textbook import textbook_scenario

N = 10**7  # draws per marginal test
PAIRS = 10**6  # pairs per independence test
CELLS = 16  # per axis of a pair's chi-square
KEY = draws.service_key(np.random.default_rng(1))  # a seed-1 model's (test_model_key_is_...)

PURPOSES = {
    name: getattr(draws, name)
    for name in (
        "ONLINE",
        "AWAY",
        "AWAY_DISTRICT",
        "SHARED",
        "REFUSAL",
        "MISSING",
        "COUNTER",
        "BACKOFFICE",
        "HANDOFF",
        "REWORK",
    )
}
EXPONENTIAL = ("COUNTER", "BACKOFFICE", "HANDOFF", "REWORK")  # model.kernel: service_factor, ...
NORMAL = ("COUNTER", "BACKOFFICE")  # lognormal service times
WALKS = {"step": 1, "item": 2, "visit": 3}  # the argument that counts fastest (then the case)
SPAN = 1000  # its values 1..SPAN (item and visit from 0) before the case moves on
CASE_LAGS = (1, 2, 3, 1024)
PURPOSE_PAIRS = [(a, b) for i, a in enumerate(PURPOSES) for b in list(PURPOSES)[i + 1 :]]
SEED_PAIRS = [(s, s + 1) for s in range(1, 6)] + [(1, 61), (1, 1001), (61, 1001)]
SEED_PAIRS.append(tuple(replication_seeds(1, 2)))  # a batch's replications 0 and 1 (root 1)
KEY_BITS = (0, 31, 62)  # KEY against KEY with this bit flipped
INDEPENDENCE = (
    len(PURPOSE_PAIRS) + len(CASE_LAGS) + len(WALKS) + 1 + len(SEED_PAIRS) + len(KEY_BITS)
)  # + 1: Box–Muller
CHECKS = 3 * (len(PURPOSES) + len(WALKS) + len(EXPONENTIAL) + len(NORMAL)) + 2 * INDEPENDENCE + 1
FAMILY = 0.01
LEVEL = FAMILY / CHECKS
Z = float(stats.norm.isf(LEVEL / 2))

UNIFORM, EXP, NORM, ANGLE = range(4)  # what _draws returns
MOMENTS = {  # mean, sd; E[X^2], sd of X^2
    UNIFORM: (0.5, math.sqrt(1 / 12), 1 / 3, math.sqrt(4 / 45)),
    EXP: (1.0, 1.0, 2.0, math.sqrt(20.0)),
    NORM: (0.0, 1.0, 1.0, math.sqrt(2.0)),
}


@numba.njit(cache=True)
def _draws(kind, key, purpose, field, n, first=1, span=1):
    """``n`` draws of ``kind`` (``UNIFORM``, ``EXP``, ``NORM``, ``ANGLE``): draw ``i`` is at case
    ``first + i // span`` and, unless ``field`` is 0 (the case counts), step / item / visit
    (``field`` 1 / 2 / 3) at ``i % span`` (+ 1 for a step); the other arguments are 0."""
    out = np.empty(n)
    for i in range(n):
        case, rest = first + i // span, i % span
        step = rest + 1 if field == 1 else 0
        item = rest if field == 2 else 0
        visit = rest if field == 3 else 0
        if kind == 0:
            out[i] = uniform(key, case, purpose, step, item, visit)
        elif kind == 1:
            out[i] = exponential(key, case, purpose, step, item, visit)
        elif kind == 2:
            out[i] = normal(key, case, purpose, step, item, visit)
        else:  # the angle of the Box–Muller normal, as a uniform: z = r cos(2πv) with r from
            # the keyed uniform, so |z| / r = |cos 2πv| and (2/π) arccos |cos 2πv| ~ U[0, 1]
            radius = math.sqrt(-2.0 * math.log1p(-uniform(key, case, purpose, step, item, visit)))
            cosine = min(abs(normal(key, case, purpose, step, item, visit)) / radius, 1.0)
            out[i] = math.acos(cosine) * 2.0 / math.pi
    return out


@numba.njit(cache=True)
def _ks_distance(x, kind):
    """Kolmogorov–Smirnov distance of the sample ``x`` (sorted here) from U[0, 1), Exp(1) or
    N(0, 1) (``kind`` 0 / 1 / 2)."""
    x = np.sort(x)
    n = x.size
    distance = 0.0
    for i in range(n):
        if kind == 0:
            cdf = x[i]
        elif kind == 1:
            cdf = -math.expm1(-x[i])
        else:
            cdf = 0.5 * math.erfc(-x[i] / math.sqrt(2.0))
        distance = max(distance, (i + 1) / n - cdf, cdf - i / n)
    return distance


def assert_marginal(x: np.ndarray, kind: int, label: str) -> None:
    """Mean, second moment and KS of ``x`` against its distribution, each at ``LEVEL``."""
    mean, sd, square, square_sd = MOMENTS[kind]
    n = x.size
    z_mean = (x.mean() - mean) / (sd / math.sqrt(n))
    z_square = (np.dot(x, x) / n - square) / (square_sd / math.sqrt(n))
    p_ks = float(stats.kstwo.sf(_ks_distance(x, kind), n))
    figures = f"{label}: mean {x.mean():.6f} (z {z_mean:+.2f}), var {x.var():.6f} "
    figures += f"(z {z_square:+.2f}), KS p {p_ks:.3g}"
    print(figures)
    assert abs(z_mean) < Z and abs(z_square) < Z and p_ks > LEVEL, figures


def assert_independent(a: np.ndarray, b: np.ndarray, label: str) -> None:
    """Uniform pairs: correlation within ±Z/√n, and a chi-square of CELLS² cells above LEVEL."""
    n = a.size
    z = float(np.corrcoef(a, b)[0, 1]) * math.sqrt(n)
    cells = (a * CELLS).astype(np.int64) * CELLS + (b * CELLS).astype(np.int64)
    p = float(stats.chisquare(np.bincount(cells, minlength=CELLS * CELLS)).pvalue)
    figures = f"{label}: r√n {z:+.2f}, chi-square p {p:.3g}"
    print(figures)
    assert abs(z) < Z and p > LEVEL, figures


def test_family_level():
    """The stated levels: 1% for the family, ≈ 5e-5 and |z| ≈ 4 for each check."""
    assert CHECKS == 188
    assert pytest.approx(5.32e-5, rel=1e-3) == LEVEL
    assert pytest.approx(4.04, abs=0.01) == Z


@pytest.mark.parametrize("name", PURPOSES)
def test_uniform_per_purpose(name):
    """10^7 uniforms of one purpose over case numbers 1..10^7."""
    assert_marginal(_draws(UNIFORM, KEY, PURPOSES[name], 0, N), UNIFORM, name)


@pytest.mark.parametrize("walk", WALKS)
def test_uniform_walking_an_argument(walk):
    """10^7 uniforms with the step, item or visit counting fastest (1000 values a case)."""
    x = _draws(UNIFORM, KEY, draws.MISSING, WALKS[walk], N, span=SPAN)
    assert_marginal(x, UNIFORM, walk)


@pytest.mark.parametrize("name", EXPONENTIAL)
def test_exponential_per_purpose(name):
    assert_marginal(_draws(EXP, KEY, PURPOSES[name], 0, N), EXP, name)


@pytest.mark.parametrize("name", NORMAL)
def test_normal_per_purpose(name):
    assert_marginal(_draws(NORM, KEY, PURPOSES[name], 0, N), NORM, name)


@pytest.mark.parametrize(("first", "second"), PURPOSE_PAIRS)
def test_purposes_independent(first, second):
    """The same case, step, item and visit under two purposes."""
    a = _draws(UNIFORM, KEY, PURPOSES[first], 0, PAIRS)
    assert_independent(a, _draws(UNIFORM, KEY, PURPOSES[second], 0, PAIRS), f"{first}-{second}")


@pytest.mark.parametrize("lag", CASE_LAGS)
def test_case_numbers_independent(lag):
    x = _draws(UNIFORM, KEY, draws.COUNTER, 0, PAIRS + lag)
    assert_independent(x[:PAIRS], x[lag:], f"case lag {lag}")


@pytest.mark.parametrize("walk", WALKS)
def test_adjacent_steps_items_visits_independent(walk):
    """Step s and s + 1 (item, visit: i and i + 1) of the same case, for 10^6 cases."""
    x = _draws(UNIFORM, KEY, draws.MISSING, WALKS[walk], 2 * PAIRS, span=2)
    assert_independent(x[0::2], x[1::2], walk)


def test_box_muller_uniforms_independent():
    """The normal's radius (the keyed uniform) and its angle (read back from the normal) are
    independent uniforms."""
    a = _draws(UNIFORM, KEY, draws.COUNTER, 0, PAIRS)
    assert_independent(a, _draws(ANGLE, KEY, draws.COUNTER, 0, PAIRS), "Box-Muller")


def test_rectangle_of_cases_and_visits():
    """Cases c, c + 1 × visits 0, 1: the top two bits of the four draws fill 256 cells evenly."""
    x = _draws(UNIFORM, KEY, draws.MISSING, WALKS["visit"], 2 * PAIRS + 2, span=2)
    quarters = (x * 4).astype(np.int64)
    corners = (quarters[0:-2:2], quarters[1:-2:2], quarters[2::2], quarters[3::2])
    cells = ((corners[0] * 4 + corners[1]) * 4 + corners[2]) * 4 + corners[3]
    p = float(stats.chisquare(np.bincount(cells, minlength=256)).pvalue)
    print(f"rectangle: chi-square p {p:.3g}")
    assert p > LEVEL


def _seed_key(seed: int) -> int:
    return draws.service_key(np.random.default_rng(seed))


@pytest.mark.parametrize("seeds", SEED_PAIRS, ids=str)
def test_seed_streams_independent(seeds):
    """The same cases under the keys of two model seeds (adjacent, or the Jackson ranges')."""
    a, b = (_draws(UNIFORM, _seed_key(s), draws.COUNTER, 0, PAIRS) for s in seeds)
    assert_independent(a, b, f"seeds {seeds}")


@pytest.mark.parametrize("bit", KEY_BITS)
def test_keys_one_bit_apart_independent(bit):
    a = _draws(UNIFORM, KEY, draws.COUNTER, 0, PAIRS)
    assert_independent(a, _draws(UNIFORM, KEY ^ (1 << bit), draws.COUNTER, 0, PAIRS), f"bit {bit}")


def test_model_key_is_the_seed_key_and_seeds_give_distinct_keys():
    """The map the tests above sample is the model's: seed → ``service_key(default_rng(seed))``;
    it is one to one on 10^4 seeds, within [0, 2^63)."""
    visit = {"per_hour": 1.0, "steps": [{"function": "desk"}]}
    scenario = textbook_scenario({"desk": (1, 0)}, {"visit": visit})
    for seed in (1, 2, 1001):
        model = GovernanceModel(scenario, rng=seed)
        assert int(model.journeys.tables.flag[F_KEY]) == _seed_key(seed)
    keys = [_seed_key(seed) for seed in range(10_000)]
    assert len(set(keys)) == len(keys)
    assert min(keys) >= 0 and max(keys) < 2**63
