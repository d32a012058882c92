"""The results store: ``Store`` writes runs and reads experiments back (tables in ``tables``).

Each run is written in ONE transaction, so a killed batch leaves only whole runs. SQLite (WAL
mode) by default under ``results/``; any SQLAlchemy URL works (PostgreSQL is tested).

Runs of different definitions never mix: each run carries the digest of what it simulates
(resolved scenario, days, model version). ``conflicts`` finds stored finished runs whose digest
differs from the plan's; ``set_aside`` moves them to an experiment of their own.

Several batches may share one store at once (on one machine or many), each computing the runs
it claimed (``results.claims``): the schema is created under a lock (PostgreSQL advisory lock)
and retried when another process created it first; a run is written by an upsert (a run stored
``done`` is never stored twice: a second copy is dropped), and transactions that lose a race
(unique violation, SQLite "database is locked", deadlock) are retried with jittered exponential
back-off. SQLite writes take the write lock when they begin (``BEGIN IMMEDIATE``), so two writers
never deadlock on a lock upgrade.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from govlab.results.engine import (
    StoreError,
    create_schema,
    default_url,
    make_engine,
    retrying,
)
from govlab.results.provenance import redact
from govlab.results.tables import (
    CHILDREN,
    CaseRow,
    ClaimRow,
    ExperimentRow,
    MetricRow,
    RunRow,
    SeriesRow,
    case_row,
)


def digest(data: Any) -> str:
    """SHA-256 of canonical JSON."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    """Read and write experiments and runs in one database.

    Args:
        url: a SQLAlchemy URL; default ``default_url()``.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        self.writer = self.engine.execution_options(sqlite_immediate=True)
        create_schema(self.engine)

    @property
    def safe_url(self) -> str:
        """The URL with its password hidden."""
        return redact(self.url)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- experiments ---------------------------------------------------------------------------
    @retrying
    def register(
        self,
        name: str,
        spec: dict[str, Any],
        identity: dict[str, Any],
        design: dict[str, Any],
        source: str | None = None,
        fresh: bool = False,
    ) -> int:
        """Create the experiment or check that the stored one has the same identity.

        Raises:
            StoreError: the name is taken by an experiment whose numbers would differ
                (unless ``fresh``, which deletes the old experiment and its runs).
        """
        key = digest(identity)
        with Session(self.writer) as session, session.begin():
            row = session.scalars(select(ExperimentRow).where(ExperimentRow.name == name)).first()
            if row is not None and fresh:
                self._delete_experiment(session, row.id)
                row = None
            if row is None:
                row = ExperimentRow(
                    name=name,
                    identity=key,
                    spec=spec,
                    design=design,
                    source=source,
                    created_at=datetime.now(UTC),
                )
                session.add(row)
                session.flush()
            elif row.identity != key:
                raise StoreError(
                    f"experiment {name!r} in {self.safe_url} was run with a different "
                    "specification; rename it, or pass --fresh to replace the stored runs"
                )
            else:
                row.spec, row.design, row.source = spec, design, source
            return row.id

    @retrying
    def delete(self, name: str) -> bool:
        """Delete experiment ``name`` and all its runs; False if there was none."""
        with Session(self.writer) as session, session.begin():
            row = session.scalars(select(ExperimentRow).where(ExperimentRow.name == name)).first()
            if row is None:
                return False
            self._delete_experiment(session, row.id)
            return True

    def _delete_experiment(self, session: Session, experiment_id: int) -> None:
        runs = select(RunRow.id).where(RunRow.experiment_id == experiment_id)
        for table in CHILDREN:
            session.execute(delete(table).where(table.run_id.in_(runs)))
        session.execute(delete(RunRow).where(RunRow.experiment_id == experiment_id))
        session.execute(delete(ClaimRow).where(ClaimRow.experiment_id == experiment_id))
        session.execute(delete(ExperimentRow).where(ExperimentRow.id == experiment_id))

    def experiment(self, name: str) -> ExperimentRow:
        """The stored experiment called ``name``, or StoreError listing the known names."""
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.scalars(select(ExperimentRow).where(ExperimentRow.name == name)).first()
            if row is None:
                known = ", ".join(self.experiment_names()) or "none"
                raise StoreError(f"no experiment {name!r} in {self.safe_url} (stored: {known})")
            return row

    def experiment_names(self) -> list[str]:
        """Names of the stored experiments."""
        with Session(self.engine) as session:
            return list(session.scalars(select(ExperimentRow.name).order_by(ExperimentRow.id)))

    # --- runs ----------------------------------------------------------------------------------
    def finished(self, experiment_id: int) -> dict[str, tuple[str, int]]:
        """Finished (status ``done``) runs: ``run_key -> (digest, seed)``."""
        query = select(RunRow.run_key, RunRow.digest, RunRow.seed).where(
            RunRow.experiment_id == experiment_id, RunRow.status == "done"
        )
        with Session(self.engine) as session:
            return {key: (dig, seed) for key, dig, seed in session.execute(query)}

    def conflicts(self, experiment_id: int, planned: dict[str, str]) -> dict[str, str | None]:
        """Finished runs whose key is planned with another digest: ``run_key -> stored model
        version`` (another definition: an edited scenario, or other code)."""
        query = select(RunRow.run_key, RunRow.digest, RunRow.model_version).where(
            RunRow.experiment_id == experiment_id, RunRow.status == "done"
        )
        with Session(self.engine) as session:
            return {
                key: version
                for key, dig, version in session.execute(query)
                if key in planned and planned[key] != dig
            }

    @retrying
    def set_aside(self, name: str, keys: list[str]) -> str:
        """Move the runs ``keys`` of experiment ``name`` to a new experiment (same spec) named
        ``name@set-aside-<UTC time>``, so they stay readable but never mix; returns its name."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        aside = f"{name}@set-aside-{stamp}"
        with Session(self.writer) as session, session.begin():
            row = session.scalars(select(ExperimentRow).where(ExperimentRow.name == name)).one()
            copy = ExperimentRow(
                name=aside,
                identity=row.identity,
                spec=row.spec,
                design=row.design,
                source=row.source,
                created_at=datetime.now(UTC),
            )
            session.add(copy)
            session.flush()
            for start in range(0, len(keys), 500):
                session.execute(
                    update(RunRow)
                    .where(
                        RunRow.experiment_id == row.id,
                        RunRow.run_key.in_(keys[start : start + 500]),
                    )
                    .values(experiment_id=copy.id)
                )
        return aside

    @retrying
    def write_run(
        self,
        experiment_id: int,
        spec,
        result: dict[str, Any],
        git_commit: str | None,
        owner: str | None = None,
    ) -> bool:
        """Store one run in one transaction; False if the store already had it ``done``.

        An upsert by ``(experiment, run key)``: an earlier attempt that failed, or was made with
        another digest or seed, is replaced; a run already stored ``done`` with the same digest
        and seed (written meanwhile by another batch sharing the store) is kept and this copy is
        dropped, so every run is stored exactly once. Racing writers are serialised by the row
        lock (PostgreSQL) or the write lock (SQLite); the loser of an insert race retries.
        The claim ``owner`` holds on the run (``results.claims``) is released in the same
        transaction.
        """
        started, finished = result["started_at"], result["finished_at"]
        run = RunRow(
            experiment_id=experiment_id,
            run_key=spec.key,
            label=spec.label,
            scenario=spec.scenario.name,
            point=spec.point,
            params=spec.params,
            replication=spec.replication,
            seed=spec.seed,
            days=spec.days,
            digest=spec.digest,
            model_version=spec.model_version or None,
            status=result["status"],
            error=result["error"],
            traceback=result["traceback"],
            started_at=started,
            finished_at=finished,
            seconds=(finished - started).total_seconds(),
            host=result["host"],
            pid=result["pid"],
            versions=result["versions"],
            git_commit=git_commit,
            summary=result["summary"],
        )
        with Session(self.writer) as session, session.begin():
            if owner is not None:
                session.execute(
                    delete(ClaimRow).where(
                        ClaimRow.experiment_id == experiment_id,
                        ClaimRow.run_key == spec.key,
                        ClaimRow.digest == spec.digest,
                        ClaimRow.seed == spec.seed,
                        ClaimRow.owner == owner,
                    )
                )
            old = session.execute(
                select(RunRow.id, RunRow.status, RunRow.digest, RunRow.seed)
                .where(RunRow.experiment_id == experiment_id, RunRow.run_key == spec.key)
                .with_for_update()
            ).first()
            if old is not None:
                if (old.status, old.digest, old.seed) == ("done", spec.digest, spec.seed):
                    return False
                for table in CHILDREN:
                    session.execute(delete(table).where(table.run_id == old.id))
                session.execute(delete(RunRow).where(RunRow.id == old.id))
            session.add(run)
            session.flush()
            rid = run.id
            metrics = [{"run_id": rid, "name": k, "value": v} for k, v in result["metrics"].items()]
            series = [
                {"run_id": rid, "name": name, "day": day + 1, "value": value}
                for name, values in result["series"].items()
                for day, value in enumerate(values)
            ]
            cases = [case_row(rid, row, case) for row, case in enumerate(result["cases"])]
            for table, rows in ((MetricRow, metrics), (SeriesRow, series), (CaseRow, cases)):
                if rows:
                    session.execute(insert(table), rows)
        return True

    # --- reading -------------------------------------------------------------------------------
    def _frame(self, query) -> pd.DataFrame:
        with self.engine.connect() as connection:
            result = connection.execute(query)
            # plain tuples: pandas reads Row objects field by field, 3-4 times slower
            return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))

    def runs(self, experiment_id: int) -> pd.DataFrame:
        """Every run of the experiment with its provenance (no summary JSON), by key."""
        columns = [c for c in RunRow.__table__.columns if c.name != "summary"]
        query = (
            select(*columns).where(RunRow.experiment_id == experiment_id).order_by(RunRow.run_key)
        )
        return self._frame(query)

    def metrics(self, experiment_id: int, names: list[str] | None = None) -> pd.DataFrame:
        """Long table ``run_id, name, value`` of the experiment's finished runs."""
        query = (
            select(MetricRow.run_id, MetricRow.name, MetricRow.value)
            .join(RunRow, RunRow.id == MetricRow.run_id)
            .where(RunRow.experiment_id == experiment_id, RunRow.status == "done")
        )
        if names is not None:
            query = query.where(MetricRow.name.in_(names))
        return self._frame(query)

    def series(
        self,
        experiment_id: int,
        names: list[str] | None = None,
        run_ids: list[int] | None = None,
    ) -> pd.DataFrame:
        """Long table ``run_id, name, day, value`` of the finished runs' kept series (of the
        runs ``run_ids`` only, when given)."""
        query = (
            select(SeriesRow.run_id, SeriesRow.name, SeriesRow.day, SeriesRow.value)
            .join(RunRow, RunRow.id == SeriesRow.run_id)
            .where(RunRow.experiment_id == experiment_id, RunRow.status == "done")
        )
        if names is not None:
            query = query.where(SeriesRow.name.in_(names))
        if run_ids is not None:
            query = query.where(SeriesRow.run_id.in_(run_ids))
        return self._frame(query)

    def cases(self, experiment_id: int, run_ids: list[int] | None = None) -> pd.DataFrame:
        """Sampled cases of the finished runs, one row each (``run_id, row, case_type, ...``);
        of the runs ``run_ids`` only, when given."""
        query = (
            select(*CaseRow.__table__.columns)
            .join(RunRow, RunRow.id == CaseRow.run_id)
            .where(RunRow.experiment_id == experiment_id, RunRow.status == "done")
        )
        if run_ids is not None:
            query = query.where(CaseRow.run_id.in_(run_ids))
        return self._frame(query)
