"""Writing a stored experiment to files (``govlab export``): runs, daily series, cases, manifest.

``write_export`` writes one table per kind as CSV or Parquet: ``runs`` (one row per run: its
identity and provenance, the values of its design point, its levers and warm-up, every summary
metric), ``series`` (the kept daily series, long: run id, series, day, value) and ``cases`` (the
sampled completed cases), the last two only when the store holds some, plus ``manifest.json``
naming each file, its columns and their units (``results.metric_info``), the delay window, the
experiment, the store's URL with its credentials hidden, and the govlab version.

Everything is written into a hidden temporary folder beside the destination and moved into place
at the end, so an interrupted or failed export leaves no half-written folder. A destination that
exists is replaced only if it is an earlier export (its manifest says so) or empty. Series and
cases are read and written a chunk of runs at a time, so an export's memory does not grow with
the experiment.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from govlab.results.frames import RUN_COLUMNS, ExperimentData
from govlab.results.metric_info import info
from govlab.results.store import Store
from govlab.results.tables import CASE_BOOLS, CASE_FLOATS, CASE_INTS

FORMATS = ("csv", "parquet")
MANIFEST = "manifest.json"
WRITTEN_BY = "govlab export"  # the manifest's mark: a folder an export may replace
CHUNK_ROWS = 500_000  # series or case rows read and written at a time (about)
MAX_CHUNK_RUNS = 1000  # runs per query (their ids are bound parameters of one IN list)

# The run columns taken from the store, in this order (those that exist), with unit and meaning.
RUN_INFO: dict[str, tuple[str | None, str]] = {
    "run_id": (None, "the run's id in the store; series and cases refer to it"),
    "run_key": (None, "the run's key in the experiment: label/p<point>/r<replication>"),
    "label": (None, "the scenario's label in the experiment"),
    "scenario": (None, "the scenario's name"),
    "point": (None, "design point (0 without a design); its values are the design.* columns"),
    "replication": (None, "replication; replication r of every scenario and point shares a seed"),
    "seed": (None, "seed of the run's random generator"),
    "days": ("working days", "working days simulated"),
    "warmup_days": ("working days", "warm-up: per-case metrics cover cases arriving from it on"),
    "status": (None, "done | failed (failed runs have no metrics)"),
    "error": (None, "why a failed run failed (its traceback stays in the store)"),
    "digest": (None, "SHA-256 of the resolved scenario, the days and the model version"),
    "model_version": (None, "digest of the model code that produced the numbers"),
    "git_commit": (None, "git commit of the code (+dirty: uncommitted changes)"),
    "started_at": ("UTC", "start of the run"),
    "finished_at": ("UTC", "end of the run"),
    "seconds": ("seconds", "wall time of the run"),
    "host": (None, "machine that ran it"),
    "pid": (None, "process that ran it"),
    "versions": (None, "Python and package versions, JSON"),
}
SERIES_DTYPES = {"run_id": "int64", "series": "str", "day": "int64", "value": "float64"}
CASE_DTYPES = {
    "run_id": "int64",
    "row": "int64",
    "case_type": "str",
    **dict.fromkeys(CASE_BOOLS, "boolean"),
    **dict.fromkeys(CASE_INTS, "Int64"),
    **dict.fromkeys(CASE_FLOATS, "float64"),
}


class ExportError(Exception):
    """The destination cannot take the export; the message is one line."""


def runs_table(data: ExperimentData, resolved: dict[int, dict[str, Any]]) -> pd.DataFrame:
    """One row per stored run (failed ones too): run columns, ``design.<path>`` values of its
    design point, the ``resolved`` columns of its run id (levers, warm-up) and every metric
    (a metric named like another column is renamed ``metric.<name>``)."""
    runs = data.runs.rename(columns={"id": "run_id"}).reset_index(drop=True)
    frame = runs[[c for c in RUN_INFO if c in runs.columns]].copy()
    if "versions" in frame:
        frame["versions"] = [None if v is None else json.dumps(v, sort_keys=True)
                             for v in frame["versions"]]  # fmt: skip
    design = pd.DataFrame(
        [{f"design.{k}": v for k, v in (p or {}).items()} for p in runs["params"]],
        index=frame.index,
    )
    extra = pd.DataFrame([resolved.get(int(r), {}) for r in runs["run_id"]], index=frame.index)
    if "warmup_days" in extra:
        frame.insert(list(frame.columns).index("days") + 1, "warmup_days", extra.pop("warmup_days"))
    frame = pd.concat([frame, design, extra], axis=1)
    metrics = data.wide.drop(columns=[c for c in RUN_COLUMNS if c != "run_id"])
    taken = set(frame.columns)
    metrics = metrics.rename(columns={c: f"metric.{c}" for c in metrics if c in taken - {"run_id"}})
    return frame.merge(metrics, on="run_id", how="left")


def _run_chunks(runs: list[int], rows_per_run: int) -> Iterator[list[int]]:
    size = min(MAX_CHUNK_RUNS, max(1, CHUNK_ROWS // max(rows_per_run, 1)))
    for start in range(0, len(runs), size):
        yield runs[start : start + size]


def _typed(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    return frame[list(dtypes)].astype(dtypes)


def series_chunks(store: Store, data: ExperimentData) -> Iterator[pd.DataFrame]:
    """The kept daily series, long (``run_id, series, day, value``), a chunk of runs at a time."""
    done = sorted(int(r) for r in data.wide["run_id"])
    keep = data.spec.get("keep", {}).get("series", "all")
    per_run = int(data.spec.get("days", 1)) * (len(keep) if isinstance(keep, list) else 20)
    for ids in _run_chunks(done, per_run):
        chunk = store.series(data.experiment.id, run_ids=ids).rename(columns={"name": "series"})
        if len(chunk):
            yield _typed(chunk.sort_values(["run_id", "series", "day"]), SERIES_DTYPES)


def case_chunks(store: Store, data: ExperimentData) -> Iterator[pd.DataFrame]:
    """The stored sampled cases, one row each, a chunk of runs at a time."""
    done = sorted(int(r) for r in data.wide["run_id"])
    for ids in _run_chunks(done, int(data.spec.get("keep", {}).get("cases", 0))):
        chunk = store.cases(data.experiment.id, run_ids=ids)
        if len(chunk):
            yield _typed(chunk.sort_values(["run_id", "row"]), CASE_DTYPES)


class TableFile:
    """One table written chunk by chunk as CSV (header once) or Parquet (one schema)."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path, self.fmt, self.rows, self.columns = path, fmt, 0, []
        self._writer: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (the first chunk fixes the columns and their types)."""
        if self.fmt == "csv":
            frame.to_csv(self.path, mode="a" if self.columns else "w",
                         header=not self.columns, index=False)  # fmt: skip
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = self._writer.schema if self._writer is not None else None
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            if self._writer is None:
                self._writer = pq.ParquetWriter(self.path, table.schema)
            self._writer.write_table(table)
        self.columns = self.columns or list(frame.columns)
        self.rows += len(frame)

    def close(self) -> None:
        """Finish the file."""
        if self._writer is not None:
            self._writer.close()


def _unit_entry(unit: str | None, definition: str) -> dict[str, str]:
    entry = {"unit": unit} if unit and unit != "—" else {}
    return {**entry, "definition": definition}


def run_column_info(columns: list[str]) -> dict[str, dict[str, str]]:
    """Unit and meaning of each column of the runs table."""
    from govlab.scenarios.levers import Levers

    described: dict[str, dict[str, str]] = {}
    for name in columns:
        if name in RUN_INFO:
            described[name] = _unit_entry(*RUN_INFO[name])
        elif name.startswith("design."):
            described[name] = _unit_entry(None, f"value of {name[7:]} at the run's design point")
        elif name.startswith("levers.") and name[7:] in Levers.model_fields:
            text = Levers.model_fields[name[7:]].description or name
            described[name] = _unit_entry(None, f"lever as the run had it: {text}")
        else:
            metric = info(name.removeprefix("metric."))
            described[name] = _unit_entry(metric.unit, metric.definition)
    return described


def series_info(names: list[str]) -> dict[str, Any]:
    """The series table's columns and each series' unit (where ``metric_info`` has one)."""
    return {
        "columns": {
            "run_id": _unit_entry(None, "the run (runs table)"),
            "series": _unit_entry(None, "name of the daily series"),
            "day": _unit_entry("working day", "day of the run, 1 = the first"),
            "value": _unit_entry(None, "the series' value that day (unit: series_units)"),
        },
        "series_units": {n: info(n).unit for n in names if info(n).unit != "—"},
    }


def case_info(columns: list[str]) -> dict[str, dict[str, str]]:
    """Unit and meaning of each column of the cases table."""
    described = {
        "run_id": _unit_entry(None, "the run (runs table)"),
        "row": _unit_entry(None, "the case's row in the run's sample"),
        "case_type": _unit_entry(None, "service the case asked for"),
        "arrival_day": _unit_entry("working day", "day the case arrived (0 = the run's start)"),
        "home_district": _unit_entry(None, "district index of the applicant's home"),
        "service_district": _unit_entry(None, "district index where the case was served"),
    }
    for name in columns:
        if name in described:
            continue
        if name in CASE_BOOLS:
            described[name] = _unit_entry("true/false", name.replace("_", " "))
        elif name.endswith("_days"):
            described[name] = _unit_entry("working days", name.replace("_", " "))
        else:
            described[name] = _unit_entry("count", f"{name.replace('_', ' ')} of the case")
    return {c: described[c] for c in columns}


def _check_destination(out: Path) -> None:
    """Refuse a destination that is a file, or a folder holding anything but an earlier export."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir() or out.is_symlink():
        raise ExportError(f"--out: {out} exists and is not a folder; choose another --out")
    if not any(out.iterdir()):
        return
    try:
        earlier = json.loads((out / MANIFEST).read_text()).get("written_by") == WRITTEN_BY
    except (OSError, ValueError, AttributeError):
        earlier = False
    if not earlier:
        raise ExportError(
            f"--out: {out} holds files that are not a govlab export; choose an empty or new folder"
        )


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, deepest last."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def write_export(
    out: Path,
    fmt: str,
    tables: dict[str, Callable[[TableFile], dict[str, Any]]],
    manifest: dict[str, Any],
) -> dict[str, Any]:
    """Write ``<kind>.<fmt>`` for each of ``tables`` and ``manifest.json`` into ``out``, whole or
    not at all.

    Args:
        tables: kind -> a function that writes the table into the ``TableFile`` it is given and
            returns what the manifest says of its columns. A table without rows is not written.
        manifest: the manifest's other entries; ``files`` is added.

    Raises:
        ExportError: ``out`` is a file or a folder that is not an earlier export.
        OSError: it cannot be written (nothing is left behind).
    """
    if fmt not in FORMATS:
        raise ExportError(f"--format: {fmt!r} is not one of {' | '.join(FORMATS)}")
    out = Path(out).absolute()
    _check_destination(out)
    created = _make_parents(out.parent)
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        files: dict[str, Any] = {}
        skipped: dict[str, str] = {}
        for kind, fill in tables.items():
            table = TableFile(temporary / f"{kind}.{fmt}", fmt)
            try:
                described = fill(table)
            finally:
                table.close()
            if table.rows:
                files[table.path.name] = {"table": kind, "rows": table.rows, **described}
            else:
                table.path.unlink(missing_ok=True)
                skipped[kind] = "not written: the store holds none (see keep in the experiment)"
        manifest = {"written_by": WRITTEN_BY, "format": fmt, **manifest, "files": files}
        manifest["not_written"] = skipped
        manifest["exported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        (temporary / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str) + "\n")
        temporary.chmod(0o777 & ~_umask())  # mkdtemp makes it private; an export is not
        if out.exists():  # an earlier export (or an empty folder): swap it for the new one
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            out.replace(old / out.name)
            try:
                temporary.rename(out)
            except BaseException:
                (old / out.name).replace(out)
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
        else:
            temporary.rename(out)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    return manifest


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
