"""govlab: an agent-based laboratory for smart governance (silo vs seamless government).

This is the root of the one installed namespace. In the repository the parts keep their folders at
the top — ``model/``, ``agents/``, ``scenarios/``, ``experiments/``, ``results/``, ``viz/`` — and
``pyproject.toml`` maps them to ``govlab.model``, ``govlab.agents``, ... (setuptools' package-dir),
so an installed govlab adds no generic top-level names such as ``model`` to ``sys.path``. This
folder holds only the root: the version and ``python -m govlab``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("govlab")
except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    __version__ = "0+unknown"
