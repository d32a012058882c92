"""Provenance of runs: package versions, the git commit, the model version, the host.

The *model version* is what a run's numbers depend on in the code: a digest of the Python
sources of ``model/``, ``agents/`` and ``scenarios/`` read as syntax trees without docstrings, so
a change of code changes it and a change of comments, docstrings or formatting does not (the git
commit would invalidate stored runs on every documentation edit). It is part of every run's digest
(``experiments.plan``), so runs of different code are never pooled.

Also redacts database URLs (``redact``) and scrubs their credentials out of error messages
(``scrub``): a password is never printed, logged or stored.
"""

from __future__ import annotations

import ast
import hashlib
import platform
import re
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, unquote_plus

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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


# Query parameters whose value is a credential, or may hold one: password, sslpassword, passfile
# (its path; the file is never read), token, api_key, a whole ODBC / libpq connection string...
SECRET_WORDS = r"pass|pwd|secret|token|key|auth|cred|sig|odbc_connect|dsn|conninfo"
SECRET_NAME = re.compile(SECRET_WORDS, re.I)
SECRET_PARAMETER = re.compile(
    rf"(?P<name>[?&;](?P<key>[^=&;?]*(?:{SECRET_WORDS})[^=&;?]*)=)(?P<value>[^&;]*)", re.I
)
HIDDEN = "***"


def _split(url: str) -> tuple[str, str, str | None, str | None]:
    """``(scheme, rest with secret query values hidden, user, password)`` of a URL's text."""
    scheme, _, rest = url.partition("://")
    rest = SECRET_PARAMETER.sub(rf"\g<name>{HIDDEN}", rest)
    at = rest.rfind("@")
    if at < 0:
        return scheme, rest, None, None
    user, colon, password = rest[:at].partition(":")
    return scheme, rest[at + 1 :], user, password if colon else None


def redact(url: str) -> str:
    """A database URL fit to print, log or store: every credential replaced by ``***``.

    Works on the text rather than on SQLAlchemy's parse, so that a password holding ``@``, ``/``,
    ``?`` or ``:`` is hidden whole: query parameters with a secret-like name (``password``,
    ``sslpassword``, ``passfile``, ``token``, ``odbc_connect``, ...) are hidden first; then the
    user information is everything up to the LAST ``@`` (the user name before the first ``:``
    stays visible). It hides too much rather than too little: an ``@`` in a harmless query
    value hides the host as well.
    """
    if "://" not in url:
        return url if "@" not in url and "=" not in url else "<unparsable database URL>"
    scheme, rest, user, password = _split(url)
    if user is None:
        return f"{scheme}://{rest}"
    if any(c in user for c in "/?#"):  # the "user" runs into a path: hide it all
        return f"{scheme}://{HIDDEN}@{rest}"
    return f"{scheme}://{user}{':' + HIDDEN if password is not None else ''}@{rest}"


def secrets_of(url: str) -> list[str]:
    """The credential strings in ``url`` (as written and percent-decoded), longest first."""
    if "://" not in url:
        return []
    found = {match.group("value") for match in SECRET_PARAMETER.finditer(url.partition("://")[2])}
    password = _split(url)[3]
    if password:  # and its pieces between "@": SQLAlchemy reads the tail as part of the host
        found |= {password, *password.split("@")}
    try:  # what SQLAlchemy hands the driver (it ends a password at its first "@")
        parsed = make_url(url)
        found.add(str(parsed.password or ""))
        found |= {str(v) for k, v in parsed.query.items() if SECRET_NAME.search(k)}
    except (ArgumentError, ValueError, TypeError):
        pass
    found |= {unquote_plus(s) for s in found} | {unquote(s) for s in found}
    return sorted((s for s in found if len(s) >= 3 and s != HIDDEN), key=len, reverse=True)


def scrub(text: str, url: str | None) -> str:
    """``text`` (an error message, a log line) with every credential of ``url`` hidden."""
    if not url:
        return text
    text = text.replace(url, redact(url))
    for secret in secrets_of(url):
        text = text.replace(secret, HIDDEN)
    return text
