"""Fixtures of the results tests: a fresh store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import missing_part
from tests.experiments.batch_helpers import sqlite_url

POSTGRES = os.environ.get("GOVLAB_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """The URL of an empty store: a new SQLite file, or a new PostgreSQL schema (each test in a
    schema of its own, so that its schema really is created concurrently)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    if not POSTGRES:
        missing_part("PostgreSQL store tests need GOVLAB_TEST_POSTGRES_URL (set by .ci/run)")
    schema = f"concurrent_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES else "?"
    yield f"{POSTGRES}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
