"""numba's cache for the kernel package: one freshness stamp for all of its modules.

numba keys a cached function by its own source file only, but the kernels inline functions and
freeze constants from the package's other modules, so an edit there would leave a stale compiled
kernel in the cache. ``PackageLocator`` finds the cache where numba would, and stamps every function
defined in this package with the digest of all the package's sources and of the modules outside it
that the kernels import from (``OUTSIDE``): an edit to any of them recompiles every kernel (about
half a minute, ``make kernels``). It must be registered before the package's functions are decorated
(``model/kernel/__init__.py`` imports this module first).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from numba.core import caching

PACKAGE = Path(__file__).resolve().parent
OUTSIDE = (PACKAGE.parent / "records.py",)  # modules outside the package the kernels import from


def digest_of(directory: Path, also: tuple[Path, ...] = ()) -> str:
    """SHA-256 of every module in ``directory`` and of the files ``also`` (names and bytes)."""
    digest = hashlib.sha256()
    for path in [*sorted(directory.glob("*.py")), *also]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def package_digest() -> str:
    """The digest of this package's modules and of ``OUTSIDE``, once per process."""
    return digest_of(PACKAGE, OUTSIDE)


class PackageLocator(caching._CacheLocator):
    """numba's own locator for the function, with the package's digest added to its stamp."""

    def __init__(self, inner: caching._CacheLocator) -> None:
        self._inner = inner

    def ensure_cache_path(self) -> None:
        self._inner.ensure_cache_path()

    def get_cache_path(self) -> str:
        return self._inner.get_cache_path()

    def get_source_stamp(self) -> tuple:
        return self._inner.get_source_stamp(), package_digest()

    def get_disambiguator(self) -> str:
        return self._inner.get_disambiguator()

    @classmethod
    def from_function(cls, py_func, py_file):
        if Path(py_file).resolve().parent != PACKAGE:
            return None  # not a kernel: numba's locators as usual
        for locator in _NUMBA_LOCATORS:
            inner = locator.from_function(py_func, py_file)
            if inner is not None:
                return cls(inner)
        return None


_IMPL = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # _CacheImpl in older numba
_NUMBA_LOCATORS = tuple(_IMPL._locator_classes)


def register() -> None:
    """Put ``PackageLocator`` first in numba's list of cache locators (once)."""
    locators = _IMPL._locator_classes
    if PackageLocator not in locators:
        locators.insert(0, PackageLocator)
