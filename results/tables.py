"""The tables of the results store (SQLAlchemy 2 ORM).

``experiments`` (name, spec, identity digest, design), ``runs`` (one row per run with provenance:
scenario digest, design point, seed, status, error and traceback, start and end, host, package
versions, git commit, model version, the full summary as JSON), ``run_metrics`` (every numeric
summary value, flattened with dotted names), ``run_series`` (kept daily series, long format) and
``run_cases`` (optionally sampled completed cases, one column per field of
``model.journey.RECORD_FIELDS``) and ``run_claims`` (which batch is computing which run, until
when: ``results.claims``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the results tables."""


class ExperimentRow(Base):
    """One experiment: its name, its spec and the digest of what fixes its numbers."""

    __tablename__ = "experiments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    identity: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict] = mapped_column(JSON)
    design: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunRow(Base):
    """One run and its provenance."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("experiment_id", "run_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), index=True)
    run_key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(100))
    scenario: Mapped[str] = mapped_column(String(200))
    point: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSON)
    replication: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    days: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    # the code's version (results.provenance.model_version); NULL for runs stored before it existed
    model_version: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float] = mapped_column(Float)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    versions: Mapped[dict] = mapped_column(JSON)
    git_commit: Mapped[str | None] = mapped_column(String(80))
    summary: Mapped[dict | None] = mapped_column(JSON)


class MetricRow(Base):
    """One numeric value of a run's summary (``by_case_type.birth.delay_mean_days`` etc.)."""

    __tablename__ = "run_metrics"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)


class SeriesRow(Base):
    """One day of one kept daily series of a run."""

    __tablename__ = "run_series"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)


CASE_INTS = (
    "home_district",
    "service_district",
    "trips",
    "handoffs",
    "documents_submitted",
    "documents_resubmitted",
    "offices",
    "returns",
    "hub_retrievals",
)
CASE_FLOATS = (
    "arrival_day",
    "delay_days",
    "wait_days",
    "service_days",
    "handoff_days",
    "travel_days",
    "rework_days",
)
CASE_BOOLS = ("online", "away", "refused")


class CaseRow(Base):
    """One sampled completed case of a run (the fields of ``model.journey.RECORD_FIELDS``)."""

    __tablename__ = "run_cases"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_type: Mapped[str] = mapped_column(String(100))
    online: Mapped[bool | None] = mapped_column()
    away: Mapped[bool | None] = mapped_column()
    refused: Mapped[bool | None] = mapped_column()
    home_district: Mapped[int | None] = mapped_column(Integer)
    service_district: Mapped[int | None] = mapped_column(Integer)
    trips: Mapped[int | None] = mapped_column(Integer)
    handoffs: Mapped[int | None] = mapped_column(Integer)
    documents_submitted: Mapped[int | None] = mapped_column(Integer)
    documents_resubmitted: Mapped[int | None] = mapped_column(Integer)
    offices: Mapped[int | None] = mapped_column(Integer)
    returns: Mapped[int | None] = mapped_column(Integer)
    hub_retrievals: Mapped[int | None] = mapped_column(Integer)
    arrival_day: Mapped[float | None] = mapped_column(Float)
    delay_days: Mapped[float | None] = mapped_column(Float)
    wait_days: Mapped[float | None] = mapped_column(Float)
    service_days: Mapped[float | None] = mapped_column(Float)
    handoff_days: Mapped[float | None] = mapped_column(Float)
    travel_days: Mapped[float | None] = mapped_column(Float)
    rework_days: Mapped[float | None] = mapped_column(Float)


def case_row(run_id: int, row: int, case: dict[str, Any]) -> dict[str, Any]:
    """The columns of one sampled case (fields the model does not give are NULL)."""

    def typed(name: str, kind: type) -> Any:
        value = case.get(name)
        return None if value is None else kind(value)

    values: dict[str, Any] = {"run_id": run_id, "row": row, "case_type": str(case["case_type"])}
    for names, kind in ((CASE_INTS, int), (CASE_FLOATS, float), (CASE_BOOLS, bool)):
        values.update({name: typed(name, kind) for name in names})
    return values


CHILDREN = (MetricRow, SeriesRow, CaseRow)


class ClaimRow(Base):
    """A run being computed: the batch ``owner`` holds it until ``expires_at`` (renewed while it
    runs). Keyed by the run's identity in its experiment: key (scenario, point, replication),
    digest and seed."""

    __tablename__ = "run_claims"
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    seed: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
