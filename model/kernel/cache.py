"""numba's cache for the kernel package: one freshness stamp for all of its modules.

numba keys a cached function by its own source file only, but the kernels inline functions and
freeze constants from the package's other modules (and ``model.records``), so an edit there would
leave a stale compiled kernel in the cache. ``PackageLocator`` finds the cache where numba would,
and adds to each kernel's stamp a fingerprint of the modules already loaded when the kernel is
decorated: the package's modules it was imported after (each module imports what it uses first,
``model/kernel/__init__.py``), read from memory, not from files — their constants and their
functions' code. An edit to any of them recompiles the kernels after it (about half a minute,
``make kernels``). It must be registered before the package's functions are decorated
(``model/kernel/__init__.py`` imports this module first).
"""

from __future__ import annotations

import hashlib
import sys
import types

import numpy as np
from numba.core import caching

PACKAGE = __name__.rpartition(".")[0]  # "govlab.model.kernel"
OUTSIDE = ("govlab.model.records",)  # modules outside the package the kernels import from


def _feed(digest, value) -> None:
    """Add what a compiled kernel could freeze of ``value`` to ``digest``, the same in every
    process (no ids, no hash-ordered sets)."""
    if isinstance(value, types.CodeType):
        digest.update(value.co_code + repr(value.co_names).encode())
        for constant in value.co_consts:
            _feed(digest, constant)
    elif hasattr(value, "py_func"):  # a numba dispatcher: its code and its options (inline…)
        _feed(digest, value.py_func.__code__)
        options = getattr(value, "targetoptions", {})
        digest.update(repr(sorted((k, repr(v)) for k, v in options.items())).encode())
    elif isinstance(value, types.FunctionType):
        _feed(digest, value.__code__)
    elif isinstance(value, tuple):
        digest.update(b"(")
        for item in value:
            _feed(digest, item)
        digest.update(b")")
    elif isinstance(value, frozenset):
        digest.update(repr(sorted(map(repr, value))).encode())
    elif isinstance(value, (bool, int, float, complex, str, bytes, type(None), np.generic)):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, type):
        digest.update(f"{value.__qualname__}{getattr(value, '_fields', '')};".encode())


def module_fingerprint(module: types.ModuleType) -> str:
    """SHA-256 of a loaded module's constants and its own functions' code (not of its file)."""
    digest = hashlib.sha256()
    for name, value in sorted(vars(module).items()):
        if name.startswith("__") or isinstance(value, types.ModuleType):
            continue
        owner = getattr(getattr(value, "py_func", value), "__module__", module.__name__)
        if callable(value) and not isinstance(value, type) and owner != module.__name__:
            continue  # imported from elsewhere: fingerprinted with its own module
        digest.update(name.encode() + b"=")
        _feed(digest, value)
    return digest.hexdigest()


def loaded_fingerprint(excluding: str) -> str:
    """The fingerprint of the package's modules (and ``OUTSIDE``) loaded now, but ``excluding``
    (the module being decorated: numba's own stamp covers its file)."""
    digest = hashlib.sha256()
    for name in sorted(sys.modules):
        if name != excluding and (name.startswith(PACKAGE + ".") or name in OUTSIDE):
            digest.update(name.encode() + module_fingerprint(sys.modules[name]).encode())
    return digest.hexdigest()


class PackageLocator(caching._CacheLocator):
    """numba's own locator for the function, with the loaded modules' fingerprint in its stamp."""

    def __init__(self, inner: caching._CacheLocator, module: str) -> None:
        self._inner = inner
        self._stamp = loaded_fingerprint(excluding=module)

    def ensure_cache_path(self) -> None:
        self._inner.ensure_cache_path()

    def get_cache_path(self) -> str:
        return self._inner.get_cache_path()

    def get_source_stamp(self) -> tuple:
        return self._inner.get_source_stamp(), self._stamp

    def get_disambiguator(self) -> str:
        return self._inner.get_disambiguator()

    @classmethod
    def from_function(cls, py_func, py_file):
        if not py_func.__module__.startswith(PACKAGE + "."):
            return None  # not a kernel: numba's locators as usual
        for locator in _NUMBA_LOCATORS:
            inner = locator.from_function(py_func, py_file)
            if inner is not None:
                return cls(inner, py_func.__module__)
        return None


_IMPL = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # _CacheImpl in older numba
_NUMBA_LOCATORS = tuple(_IMPL._locator_classes)


def register() -> None:
    """Put ``PackageLocator`` first in numba's list of cache locators (once)."""
    locators = _IMPL._locator_classes
    if PackageLocator not in locators:
        locators.insert(0, PackageLocator)
