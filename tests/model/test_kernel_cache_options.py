"""The kernels' cache stamp (model/kernel/cache.py) sees a change of a helper's compile options.

``inline="always"`` changes what a kernel compiles to, not the helper's code: a stamp made of the
code alone kept loading the kernel compiled before the option changed (seen while measuring the
compile time of ``make kernels``: every run after an edit of the decorators used a stale kernel).
"""

from __future__ import annotations

import types

import numba

from govlab.model.kernel import cache


def _module(**options) -> types.ModuleType:
    module = types.ModuleType("govlab.model.kernel.example")

    def helper(x):
        return x + 1

    helper.__module__ = module.__name__
    module.helper = numba.njit(_nrt=False, **options)(helper)
    return module


def test_a_helpers_inline_option_is_in_the_fingerprint():
    inlined = cache.module_fingerprint(_module(inline="always"))
    called = cache.module_fingerprint(_module())
    assert inlined != called
    assert inlined == cache.module_fingerprint(_module(inline="always"))
