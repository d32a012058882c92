"""Provenance of runs: package versions, the git commit, the model version, the host.

The *model version* is what a run's numbers depend on in the code: a digest of the Python
sources of ``model/``, ``agents/`` and ``scenarios/`` read as syntax trees without docstrings, so
a change of code changes it and a change of comments, docstrings or formatting does not (the git
commit would invalidate stored runs on every documentation edit). It is part of every run's digest
(``experiments.plan``), so runs of different code are never pooled.

Also redacts database URLs: a password is never printed or stored in full.
"""

from __future__ import annotations

import ast
import hashlib
import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGES = ("govlab", "mesa", "numpy", "scipy", "pydantic", "sqlalchemy", "SALib", "dask")
ROOT = Path(__file__).resolve().parent.parent
# The packages whose code produces a run's numbers (the service catalogue and scenario files are
# data: they enter each run's digest through the resolved scenario).
MODEL_PACKAGES = ("model", "agents", "scenarios")


@cache
def package_versions() -> dict[str, str]:
    """Python and the versions of the packages a run's numbers depend on."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@cache
def git_commit(root: Path = ROOT) -> str | None:
    """The commit of the code (``+dirty`` if the tree has changes), or None outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if status else "")


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """``tree`` with the docstring of every module, class and function removed."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def source_version(root: Path, packages: tuple[str, ...] = MODEL_PACKAGES) -> str:
    """A 16-hex-digit digest of the code in ``packages`` under ``root``: each ``.py`` file's
    syntax tree without docstrings (comments and formatting never reach the tree), by path."""
    digest = hashlib.sha256()
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            tree = _without_docstrings(ast.parse(path.read_bytes(), filename=str(path)))
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(ast.dump(tree, annotate_fields=False).encode() + b"\0")
    return digest.hexdigest()[:16]


@cache
def model_version() -> str:
    """The version of the code that produces the numbers (``source_version`` of this tree)."""
    return source_version(ROOT)


def redact(url: str) -> str:
    """A database URL fit to print: the password replaced by ``***``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"
