"""Case-keyed random numbers, compiled (the scheme is documented in ``model.draws``, which
re-exports them): a SplitMix64-style hash of ``(key, case number, purpose, step, item, visit)``
gives a uniform, an exponential, a normal or a service-time factor. The kernels inline them and
the Python reference (``model.journey``) calls them, so both engines take the same numbers.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# Compiled in the kernel package (whose cache stamp covers all its modules, model.kernel.cache),
# not in model.draws; model.draws and model.journey use these.
# Purposes (what a number decides).
(
    K_ONLINE,
    K_AWAY,
    K_AWAY_DISTRICT,
    K_SHARED,
    K_REFUSAL,
    K_MISSING,
    K_COUNTER,
    K_BACKOFFICE,
    K_HANDOFF,
    K_REWORK,
    K_ROUTE,  # which branch a step's end takes (scenarios.routing)
) = range(1, 12)
ROUND_SHIFT = 10  # a step's draw step + (loops of its case before it) << ROUND_SHIFT
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SECOND = np.uint64(0xD1B54A32D192ED03)  # offsets the second uniform of a normal
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53
_TAU = 2.0 * math.pi


@numba.njit(cache=True, _nrt=False, inline="always")
def _mix(z):
    """The SplitMix64 finaliser: a bijection of 64-bit words with full avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(cache=True, _nrt=False, inline="always")
def _bits(key, case, purpose, step, item, visit):
    word = (
        (np.uint64(purpose) << np.uint64(56))
        | (np.uint64(step) << np.uint64(36))
        | (np.uint64(item) << np.uint64(16))
        | np.uint64(visit)
    )
    h = _mix(np.uint64(key) ^ _mix(np.uint64(case) * _GOLDEN + _GOLDEN))
    return _mix(h ^ _mix(word + _GOLDEN))


@numba.njit(cache=True, _nrt=False, inline="always")
def in_round(step, loops):
    """The draw step of catalogue draw step ``step`` (< 2^10) done again after ``loops`` loops
    back of its case (< 2^10): fresh numbers for a step done again, the same in round 0."""
    return step + (loops << ROUND_SHIFT)


@numba.njit(cache=True, _nrt=False, inline="always")
def _unit(bits):
    """53 random bits as a float on [0, 1)."""
    return float(bits >> _S11) * _TO_UNIT


@numba.njit(cache=True, _nrt=False, inline="always")
def uniform(key, case, purpose, step, item, visit):
    """U[0, 1) for ``(case, purpose, step, item, visit)`` under ``key``."""
    return _unit(_bits(key, case, purpose, step, item, visit))


@numba.njit(cache=True, _nrt=False, inline="always")
def exponential(key, case, purpose, step, item, visit):
    """Exp(1) by inverse CDF of the keyed uniform."""
    return -math.log1p(-_unit(_bits(key, case, purpose, step, item, visit)))


@numba.njit(cache=True, _nrt=False, inline="always")
def normal(key, case, purpose, step, item, visit):
    """N(0, 1) by Box–Muller from two uniforms derived from the key."""
    bits = _bits(key, case, purpose, step, item, visit)
    radius = math.sqrt(-2.0 * math.log1p(-_unit(bits)))  # 1 - u in (0, 1]: finite
    return radius * math.cos(_TAU * _unit(_mix(bits ^ _SECOND)))


@numba.njit(cache=True, _nrt=False, inline="always")
def service_factor(key, case, purpose, step, visit, distribution, sigma, shift):
    """A service time of mean 1: Exp(1) (``distribution`` 0), lognormal ``exp(sigma z + shift)``
    (1) or exactly 1 (2); multiply by the mean service time."""
    if distribution == 0:
        return exponential(key, case, purpose, step, 0, visit)
    if distribution == 1:
        return math.exp(sigma * normal(key, case, purpose, step, 0, visit) + shift)
    return 1.0
