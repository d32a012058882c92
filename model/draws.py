"""The service engine's random numbers: counter-based, keyed by the case they belong to.

Every random attribute of a case's journey (its channel, whether it is away from home, which
district, whether the hub holds each government document, a refusal, each document missing at
each counter visit, each service time, each hand-off and rework delay, each branch taken) is a
pure function of ``(key, case number, purpose, step, item, visit)``: a SplitMix64-style hash of
these integers gives 64 random bits, which become a uniform on [0, 1) and then, by an exact
transform, an exponential (inverse CDF) or a normal (Box–Muller from two keyed uniforms).
Nothing is drawn from a stream, so a lever that changes how many numbers one case uses (a front
desk instead of one counter per step, data sharing that skips documents) leaves every other
case's numbers, and this case's other numbers, unchanged: paired scenarios meet the same luck
(common random numbers).

``key`` is drawn once per model from its generator (``service_key(model.rng)``); case numbers are
the order in which cases open (1, 2, ...), the same in every scenario because arrivals are drawn
from the model's generator before any lever acts. The functions are numba-compiled and called as
they are by both engines (``model.kernel`` inlines them, ``model.journey`` calls them from Python),
so the two engines take the same numbers bit for bit. The compiled functions live in
``model.kernel.keyed`` (numba's cache of the kernels would not notice a change made here) and are
re-exported by this module.

Packing: ``purpose`` < 2^8, ``step`` < 2^20 (the catalogue step's index + 1, ``StepPlan.key``, <
2^10; a bundled step's service times use each member's own; the front desk is 0; a step done
again after a loop back adds the loops before it << 10, ``in_round``, so it takes fresh numbers),
``item`` (a document number) < 2^20 and ``visit`` < 2^16 share one 64-bit word.
"""

from __future__ import annotations

import math

import numpy as np

from govlab.model.kernel import (
    DISTRIBUTIONS,
    exponential,
    in_round,
    normal,
    service_factor,
    uniform,
)
from govlab.model.kernel import K_AWAY as AWAY
from govlab.model.kernel import K_AWAY_DISTRICT as AWAY_DISTRICT
from govlab.model.kernel import K_BACKOFFICE as BACKOFFICE
from govlab.model.kernel import K_COUNTER as COUNTER
from govlab.model.kernel import K_HANDOFF as HANDOFF
from govlab.model.kernel import K_MISSING as MISSING
from govlab.model.kernel import K_ONLINE as ONLINE
from govlab.model.kernel import K_REFUSAL as REFUSAL
from govlab.model.kernel import K_REWORK as REWORK
from govlab.model.kernel import K_ROUTE as ROUTE
from govlab.model.kernel import K_SHARED as SHARED

__all__ = [
    "AWAY",
    "AWAY_DISTRICT",
    "BACKOFFICE",
    "COUNTER",
    "DISTRIBUTIONS",
    "HANDOFF",
    "MISSING",
    "ONLINE",
    "REFUSAL",
    "REWORK",
    "ROUTE",
    "SHARED",
    "exponential",
    "in_round",
    "lognormal_parameters",
    "normal",
    "service_factor",
    "service_key",
    "uniform",
]


def service_key(rng: np.random.Generator) -> int:
    """The service engine's key (0 <= key < 2^63), drawn from a child of the model's generator."""
    return int(rng.spawn(1)[0].integers(0, 2**63 - 1))


def lognormal_parameters(cv: float) -> tuple[float, float]:
    """``(sigma, shift)`` with ``exp(sigma z + shift)``, z ~ N(0, 1), of mean 1 and CV ``cv``."""
    sigma = math.sqrt(math.log1p(cv * cv))
    return sigma, -0.5 * sigma * sigma
