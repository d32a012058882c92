"""Buffered scalar draws from the model's generator, for the event loop's hot path.

Drawing one NumPy scalar costs about a microsecond; drawing blocks and handing them out one by
one costs a tenth of that. Every draw still comes from the model's ``numpy.random.Generator``, in a
fixed order, so a seed gives the same numbers every time.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK = 4096


class Draws:
    """Standard uniform, exponential and normal variates drawn in blocks from one generator."""

    __slots__ = ("_e", "_exponential", "_n", "_normal", "_rng", "_u", "_uniform")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._uniform: list[float] = []
        self._exponential: list[float] = []
        self._normal: list[float] = []
        self._u = self._e = self._n = BLOCK

    def uniform(self) -> float:
        """One draw from U[0, 1)."""
        if self._u == BLOCK:
            self._uniform = self._rng.random(BLOCK).tolist()
            self._u = 0
        self._u += 1
        return self._uniform[self._u - 1]

    def exponential(self) -> float:
        """One draw from Exp(1)."""
        if self._e == BLOCK:
            self._exponential = self._rng.standard_exponential(BLOCK).tolist()
            self._e = 0
        self._e += 1
        return self._exponential[self._e - 1]

    def normal(self) -> float:
        """One draw from N(0, 1)."""
        if self._n == BLOCK:
            self._normal = self._rng.standard_normal(BLOCK).tolist()
            self._n = 0
        self._n += 1
        return self._normal[self._n - 1]


def service_sampler(draws: Draws, distribution: str, cv: float):
    """Return ``sample(mean) -> duration`` for a service-time shape with the given mean."""
    if distribution == "exponential":
        exponential = draws.exponential
        return lambda mean: mean * exponential()
    if distribution == "lognormal":
        sigma = math.sqrt(math.log1p(cv * cv))
        shift = -0.5 * sigma * sigma
        normal = draws.normal
        exp = math.exp
        return lambda mean: mean * exp(sigma * normal() + shift)
    if distribution == "deterministic":
        return lambda mean: mean
    raise ValueError(f"unknown service-time distribution {distribution!r}")
