"""The ``--db`` option of the commands that read or write the results store.

``open_store`` opens the store a ``--db`` names (refusing, with one line, an empty URL, an
in-memory SQLite database and anything that cannot be a store), ``experiment_name`` and
``load_stored`` read an experiment back, and ``store_errors`` wraps a command so that a store that
fails while it is read or written (a damaged file, a lost server) is the same one-line ``--db``
error with status 2 rather than a driver's traceback. Credentials never print.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL of the results store [default: results/govlab.db]"),
]


def _fail(message: str) -> typer.Exit:
    from govlab.experiments.cli import fail

    return fail(message)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.splitlines()[0] if text.strip() else type(error).__name__


def open_store(url: str | None):
    """Open the store at ``url``; any failure is one line naming ``--db``, credentials hidden."""
    from sqlalchemy.exc import SQLAlchemyError

    from govlab.results.engine import check_url
    from govlab.results.provenance import redact, scrub
    from govlab.results.store import Store, StoreError

    try:
        check_url(url)
        return Store(url)
    except StoreError as error:
        raise _fail(f"--db: {scrub(str(error), url)}") from None
    except (SQLAlchemyError, ModuleNotFoundError, OSError, ValueError) as error:
        raise _fail(
            f"--db: cannot open the store {redact(url or '')}: {scrub(_first_line(error), url)}"
        ) from None


def store_errors[**P, R](command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command taking ``db``: a store error while it reads or writes (SQLAlchemy's, e.g.
    "database disk image is malformed") becomes one line naming ``--db``, status 2."""

    @functools.wraps(command)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return command(*args, **kwargs)
        except SQLAlchemyError as error:
            from govlab.results.engine import default_url
            from govlab.results.provenance import redact, scrub

            url = str(kwargs.get("db") or default_url())
            raise _fail(
                f"--db: the store {redact(url)} cannot be read or written: "
                f"{scrub(_first_line(error), url)}"
            ) from None

    return guarded


def experiment_name(experiment: str) -> str:
    """A stored experiment's name: the argument, or the ``name`` of the file it points to."""
    from govlab.experiments.spec import ExperimentError, load_experiment

    path = Path(experiment)
    if path.suffix == ".toml" or path.is_file():
        try:
            return load_experiment(path)[0].name
        except ExperimentError as error:
            raise _fail(str(error)) from None
    return experiment


def load_stored(store, name: str):
    """The stored experiment ``name`` (``results.frames.ExperimentData``), or a one-line error."""
    from govlab.results import frames
    from govlab.results.store import StoreError

    try:
        return frames.load(store, name)
    except StoreError as error:
        raise _fail(str(error)) from None


def finished_runs(store, name: str) -> int | None:
    """How many finished runs experiment ``name`` has in the store (None if it cannot say)."""
    from sqlalchemy.exc import SQLAlchemyError

    from govlab.results.store import StoreError

    try:
        return len(store.finished(store.experiment(name).id))
    except (SQLAlchemyError, StoreError):
        return None
