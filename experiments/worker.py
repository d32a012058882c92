"""Executing runs: one ``RunSpec`` in, one plain ``RunResult`` dict out (what executors ship back).

A run that raises becomes a ``failed`` result with its error and traceback; it never stops the
batch. The result holds the summary, its flattened numeric metrics, the kept daily series and the
sampled case records, plus where and when it ran (host, pid, start, end, package versions).
"""

from __future__ import annotations

import fnmatch
import math
import os
import signal
import socket
import time
import traceback
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import numpy as np

from govlab.experiments.plan import RunSpec
from govlab.results.provenance import package_versions

RunResult = dict[str, Any]

# Fault injection for tests of failure handling: run keys (glob patterns, comma-separated) that
# raise instead of running. Read from the environment so that worker processes see it too.
INJECT_PREFIX = "GOVLAB_INJECT_"
INJECT_FAILURE = "GOVLAB_INJECT_FAILURE"
# Likewise runs that kill their own worker process (SIGKILL), as the out-of-memory killer would:
# every time, or only the first time per run when ``$GOVLAB_INJECT_KILL_ONCE`` names a folder
# (a marker file per run key is left there).
INJECT_KILL = "GOVLAB_INJECT_KILL"
INJECT_KILL_ONCE = "GOVLAB_INJECT_KILL_ONCE"
# A folder where every run that starts leaves an empty file ``<run key>@<host>@<pid>@<ns>`` (the
# key %-quoted, ns = time.time_ns()), so that tests count how often each run was computed.
INJECT_TRACE = "GOVLAB_INJECT_TRACE"


class InjectedFailure(RuntimeError):
    """Raised for runs named in ``$GOVLAB_INJECT_FAILURE`` (tests only)."""


def _matches(key: str, variable: str) -> bool:
    patterns = [p for p in os.environ.get(variable, "").split(",") if p]
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns)


def _trace(key: str) -> None:
    folder = os.environ.get(INJECT_TRACE)
    if folder:
        name = f"{quote(key, safe='')}@{socket.gethostname()}@{os.getpid()}@{time.time_ns()}"
        open(os.path.join(folder, name), "w").close()


def _maybe_fail(key: str) -> None:
    _trace(key)
    if _matches(key, INJECT_KILL):
        once = os.environ.get(INJECT_KILL_ONCE)
        marker = None if not once else os.path.join(once, key.replace("/", "_"))
        if marker is None or not os.path.exists(marker):
            if marker is not None:
                open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
    if _matches(key, INJECT_FAILURE):
        raise InjectedFailure(f"injected failure for run {key}")


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become None, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, float | None]:
    """Numeric leaves of a summary as ``{"dotted.name": value}``; bools and strings are left out."""
    flat: dict[str, float | None] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif value is None:
            flat[name] = None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[name] = float(value) if math.isfinite(value) else None
    flat.pop("seed", None)
    flat.pop("days", None)
    return flat


def kept_series(model, names: tuple[str, ...] | None) -> dict[str, list[float | None]]:
    """The model's daily series to keep (all of them when ``names`` is None)."""
    frame = model.datacollector.get_model_vars_dataframe()
    chosen = list(frame.columns) if names is None else list(names)
    missing = [name for name in chosen if name not in frame.columns]
    if missing:
        raise KeyError(f"keep.series: the model has no series {missing}; it has {list(frame)}")
    return {name: clean([float(v) for v in frame[name].to_numpy()]) for name in chosen}


def sampled_cases(model, count: int, seed: int) -> list[dict[str, Any]]:
    """Up to ``count`` completed cases (arriving after the warm-up), drawn without replacement."""
    if count <= 0:
        return []
    from govlab.model import case_table

    table = case_table(model.journeys.records)
    rows = np.flatnonzero(table["arrival_day"] >= model.config.world.warmup_days)
    if len(rows) > count:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=count, replace=False))
    names = [plan.name for plan in model.plans]
    cases = []
    for row in rows.tolist():
        record = {name: clean(column[row]) for name, column in table.items()}
        record["case_type"] = names[int(record["case_type"])]
        cases.append(record)
    return cases


def _now() -> datetime:
    return datetime.now(UTC)


def execute(spec: RunSpec) -> RunResult:
    """Run one simulation; never raises for a failure of the run itself."""
    from govlab.experiments.single import run_simulation

    result: RunResult = {
        "key": spec.key,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "versions": package_versions(),
        "started_at": _now(),
        "summary": None,
        "metrics": {},
        "series": {},
        "cases": [],
        "error": None,
        "traceback": None,
    }
    try:
        _maybe_fail(spec.key)
        summary, model = run_simulation(spec.scenario, spec.seed, spec.days)
        result["summary"] = clean(summary)
        result["metrics"] = flatten(summary)
        result["series"] = kept_series(model, spec.series)
        if spec.home_series:  # govlab pilot: delay and trips by home district and arrival day
            from govlab.experiments.pilot_series import home_district_series

            result["series"].update(home_district_series(model, spec.days))
        result["cases"] = sampled_cases(model, spec.cases, spec.seed)
        result["status"] = "done"
    except Exception as error:  # a failed run is data, not a crash of the batch
        result["status"] = "failed"
        result["error"] = f"{type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc()
    result["finished_at"] = _now()
    return result


def execute_chunk(specs: list[RunSpec]) -> list[RunResult]:
    """Run several specs in a row (one executor task), returning their results in order."""
    return [execute(spec) for spec in specs]
