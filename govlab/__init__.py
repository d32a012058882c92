"""govlab: an agent-based laboratory for smart governance (silo vs seamless government).

This is the root of the one installed namespace. In the repository the parts keep their folders at
the top — ``model/``, ``agents/``, ``scenarios/``, ``experiments/``, ``results/``, ``viz/`` — and
``pyproject.toml`` maps them to ``govlab.model``, ``govlab.agents``, ... (setuptools' package-dir),
so an installed govlab adds no generic top-level names such as ``model`` to ``sys.path``. This
folder holds only the root: the version and the ``govlab`` command (``python -m govlab``).

``__version__`` is read from the installed metadata when first asked for, so that importing the
package costs nothing before the command has armed its Ctrl-C handler (``govlab.__main__``).
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module 'govlab' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govlab")
    except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
        return "0+unknown"
