"""Engines and schema of the results store, safe when several processes share one store.

``make_engine`` (SQLite: WAL mode, ``BEGIN IMMEDIATE`` for writers, busy timeout), ``check_url``
(a URL or SQLite path that cannot be a store is refused with one line), ``create_schema`` (under
a PostgreSQL advisory lock, retried when another process created the tables first) and
``retried`` / ``retrying`` (a transaction that lost a race between writers, such as a unique
violation or "database is locked", is run again after a jittered exponential back-off).
"""

from __future__ import annotations

import functools
import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

from govlab.results.provenance import redact
from govlab.results.tables import Base

DEFAULT_DB = Path(__file__).resolve().parent / "govlab.db"


def default_url() -> str:
    """``$GOVLAB_DB`` if set, else the SQLite file ``results/govlab.db``."""
    return os.environ.get("GOVLAB_DB") or f"sqlite:///{DEFAULT_DB}"


class StoreError(ValueError):
    """The store cannot do what was asked (conflicting experiment, unknown name); one line."""


SQLITE_MAGIC = b"SQLite format 3\x00"
# Retries of a transaction that lost a race: attempts and the first back-off (doubling, jittered,
# at most MAX_BACKOFF_S): about a minute in all before the error is shown.
RETRIES = 16
FIRST_BACKOFF_S = 0.02
MAX_BACKOFF_S = 4.0
# Words of the driver errors that mean "another process got there first; try again".
TRANSIENT = ("locked", "busy", "already exists", "deadlock", "could not serialize", "duplicate")
SCHEMA_LOCK = 0x60B1AB  # the PostgreSQL advisory lock taken while creating the tables


def check_url(url: str | None) -> None:
    """Refuse, with one line, a URL that is not one or a SQLite path that cannot be a store.

    ``None`` is the default store (``default_url``); an empty URL is refused rather than read as
    the default, and so is an in-memory SQLite database (``sqlite://``, ``:memory:``,
    ``mode=memory``), which would keep nothing once the command ends.

    Raises:
        StoreError: empty, not a URL, or a SQLite store in memory; the SQLite path is a folder,
            lies below a file, or is an existing file that is not a SQLite database.
    """
    if url is not None and not url.strip():
        raise StoreError(
            "is empty; give a SQLAlchemy URL (e.g. sqlite:///results/mine.db), or leave --db out "
            "for the default store"
        )
    text = url or default_url()
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise StoreError(f"not a database URL: {redact(text)}") from None
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database or ""
    if (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or (parsed.query.get("mode") == "memory")
    ):
        raise StoreError(
            f"{redact(text)} is a SQLite database in memory: it would keep nothing once the "
            "command ends; give a file, e.g. sqlite:///results/mine.db"
        )
    path = Path(parsed.database)
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise StoreError(f"{path}: {parent} is a file, not a folder")
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a SQLite database file")
    if path.is_file():
        try:
            with path.open("rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except OSError as error:
            raise StoreError(f"{path}: cannot read it ({error.strerror})") from None
        if head and head != SQLITE_MAGIC:
            raise StoreError(f"{path} exists and is not a SQLite database; refusing to touch it")


def transient(error: BaseException) -> bool:
    """True for errors of a lost race between writers (worth retrying)."""
    if isinstance(error, IntegrityError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    text = str(error.orig).lower()
    return any(word in text for word in TRANSIENT)


def retried[T](action: Callable[[], T], attempts: int = RETRIES) -> T:
    """``action()`` retried with jittered exponential back-off while it loses races."""
    for attempt in range(attempts):
        try:
            return action()
        except DBAPIError as error:
            if attempt == attempts - 1 or not transient(error):
                raise
            backoff = min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2**attempt)
            time.sleep(backoff * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")  # pragma: no cover


def retrying(method):
    """Decorator: the whole method (one transaction) is retried while it loses races."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        return retried(lambda: method(*args, **kwargs))

    return wrapper


def _sqlite_connect(connection, _record) -> None:
    connection.isolation_level = None  # transactions are begun by _sqlite_begin below
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    for attempt in range(RETRIES):  # WAL sticks to the file; switching needs a moment alone
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as error:
            if attempt == RETRIES - 1 or not any(w in str(error).lower() for w in TRANSIENT):
                raise
            time.sleep(min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2**attempt) * random.uniform(0.5, 1.5))
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Writers take the write lock at BEGIN (waiting up to busy_timeout), readers do not."""
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _add_missing_columns(connection) -> None:
    """Bring a store written by an older govlab up to date (columns added since)."""
    columns = {column["name"] for column in inspect(connection).get_columns("runs")}
    if "model_version" not in columns:
        connection.execute(text("ALTER TABLE runs ADD COLUMN model_version VARCHAR(64)"))


def create_schema(engine: Engine) -> None:
    """Create the missing tables, safe when other processes do the same at the same moment."""

    def create() -> None:
        with engine.execution_options(sqlite_immediate=True).begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK)))
            Base.metadata.create_all(connection)
            _add_missing_columns(connection)

    retried(create)
