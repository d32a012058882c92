"""Store round trips on SQLite (always) and PostgreSQL (when GOVLAB_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from govlab.experiments.plan import plan_runs
from govlab.experiments.spec import load_experiment
from govlab.results.provenance import redact
from govlab.results.store import Store
from tests.conftest import missing_part
from tests.experiments.batch_helpers import run_serial, snapshot, write_experiment

POSTGRES = os.environ.get("GOVLAB_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    if not POSTGRES:
        missing_part("PostgreSQL store tests need GOVLAB_TEST_POSTGRES_URL (set by .ci/run)")
    return POSTGRES


def result(status="done", metrics=None, series=None, cases=None, error=None):
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return {
        "status": status,
        "summary": {"delay_mean_days": 1.5, "by_channel": {"online": {"n": 2}}},
        "metrics": metrics if metrics is not None else {"delay_mean_days": 1.5, "empty": None},
        "series": series if series is not None else {"backlog": [3.0, None, 5.0]},
        "cases": cases or [],
        "error": error,
        "traceback": "Traceback ..." if error else None,
        "started_at": start,
        "finished_at": start + timedelta(seconds=2),
        "host": "h",
        "pid": 1,
        "versions": {"python": "3.12"},
    }


def test_runs_round_trip_and_replace_in_one_transaction(url, tmp_path):
    name = f"rt_{uuid.uuid4().hex[:8]}"
    path = write_experiment(tmp_path, name=name, replications=1)
    experiment, scenarios = load_experiment(path)
    spec = plan_runs(experiment, scenarios)[0]
    with Store(url) as store:
        eid = store.register(name, experiment.model_dump(mode="json"), {"a": 1}, {"method": "x"})
        assert store.register(name, {}, {"a": 1}, {"method": "x"}) == eid
        store.write_run(eid, spec, result("failed", {}, {}, error="Boom: x"), "abc")
        assert store.finished(eid) == {}
        case = {"case_type": "birth", "online": 1, "arrival_day": 10.5, "delay_days": 2.0,
                "trips": 1, "wait_days": 0.5}  # fmt: skip
        store.write_run(eid, spec, result(cases=[case]), "abc")
        assert store.finished(eid) == {spec.key: (spec.digest, spec.seed)}
        runs = store.runs(eid)
        assert len(runs) == 1 and runs.iloc[0].status == "done" and runs.iloc[0].error is None
        assert int(runs.iloc[0].seed) == spec.seed and runs.iloc[0].seconds == 2.0
        metrics = store.metrics(eid).set_index("name")["value"]
        assert metrics["delay_mean_days"] == 1.5 and metrics.isna()["empty"]
        series = store.series(eid).sort_values("day")
        assert series["day"].tolist() == [1, 2, 3] and series["value"].isna().tolist()[1]
        cases = store.cases(eid)
        assert cases.iloc[0].case_type == "birth" and cases.iloc[0].trips == 1
        assert bool(cases.iloc[0].online) is True and cases.iloc[0].wait_days == 0.5
        store.register(name, {}, {"a": 1}, {}, fresh=True)
        assert store.runs(store.experiment(name).id).empty
        assert store.delete(name) and name not in store.experiment_names()  # PostgreSQL is shared


def test_a_batch_reads_back_the_same_on_every_backend(url, tmp_path):
    name = f"batch_{uuid.uuid4().hex[:8]}"
    path = write_experiment(tmp_path, name=name, replications=2)
    run_serial(path, url, fresh=True)
    run_serial(path, f"sqlite:///{tmp_path / 'reference.db'}")
    assert snapshot(url, name) == snapshot(f"sqlite:///{tmp_path / 'reference.db'}", name)
    with Store(url) as store:
        assert store.delete(name)


def test_sqlite_store_is_in_wal_mode(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'x' / 'store.db'}") as store:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert store.safe_url.endswith("store.db")


def test_passwords_are_redacted():
    shown = redact("postgresql+psycopg://me:topsecret@db.example:5432/lab")
    assert "topsecret" not in shown and "me:***@db.example" in shown
    assert "sqlite" in Store("sqlite://").safe_url
