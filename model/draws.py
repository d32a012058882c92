"""Buffered scalar draws from the model's generator, for the event loop's hot path.

Drawing one NumPy scalar costs about a microsecond; drawing blocks and handing them out one by
one costs a tenth of that. Uniform, exponential and normal variates each come from their own
stream, spawned from the model's ``numpy.random.Generator`` (``service_streams``): the n-th draw
of a kind is then the same whenever its block is refilled, which lets the compiled engine
(``model.kernel``) refill ahead of need and still take exactly the numbers this reference takes.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK = 4096


def service_streams(rng: np.random.Generator) -> tuple[np.random.Generator, ...]:
    """The uniform, exponential and normal streams of the service engine, spawned from ``rng``."""
    return tuple(rng.spawn(3))


class Draws:
    """Standard uniform, exponential and normal variates drawn in blocks, each from its stream."""

    __slots__ = ("_e", "_exponential", "_n", "_normal", "_streams", "_u", "_uniform")

    def __init__(self, streams: tuple[np.random.Generator, ...]) -> None:
        self._streams = streams
        self._uniform: list[float] = []
        self._exponential: list[float] = []
        self._normal: list[float] = []
        self._u = self._e = self._n = BLOCK

    def uniform(self) -> float:
        """One draw from U[0, 1)."""
        if self._u == BLOCK:
            self._uniform = self._streams[0].random(BLOCK).tolist()
            self._u = 0
        self._u += 1
        return self._uniform[self._u - 1]

    def exponential(self) -> float:
        """One draw from Exp(1)."""
        if self._e == BLOCK:
            self._exponential = self._streams[1].standard_exponential(BLOCK).tolist()
            self._e = 0
        self._e += 1
        return self._exponential[self._e - 1]

    def normal(self) -> float:
        """One draw from N(0, 1)."""
        if self._n == BLOCK:
            self._normal = self._streams[2].standard_normal(BLOCK).tolist()
            self._n = 0
        self._n += 1
        return self._normal[self._n - 1]


def lognormal_parameters(cv: float) -> tuple[float, float]:
    """``(sigma, shift)`` with ``exp(sigma z + shift)``, z ~ N(0, 1), of mean 1 and CV ``cv``."""
    sigma = math.sqrt(math.log1p(cv * cv))
    return sigma, -0.5 * sigma * sigma


def service_sampler(draws: Draws, distribution: str, cv: float):
    """Return ``sample(mean) -> duration`` for a service-time shape with the given mean."""
    if distribution == "exponential":
        exponential = draws.exponential
        return lambda mean: mean * exponential()
    if distribution == "lognormal":
        sigma, shift = lognormal_parameters(cv)
        normal = draws.normal
        exp = math.exp
        return lambda mean: mean * exp(sigma * normal() + shift)
    if distribution == "deterministic":
        return lambda mean: mean
    raise ValueError(f"unknown service-time distribution {distribution!r}")
