"""Reading an event log for discovery (``govlab catalogue --from-log``): CSV or XES, one event a
row, in the columns ``govlab log`` writes (pm4py's names where pm4py has one).

Required columns (``COLUMNS``):

- ``case:concept:name`` — the case;
- ``case:case_type`` — its type (a service of the catalogue);
- ``concept:name`` — the activity; the step is the activity without its ``": <kind>"`` ending
  (``"2 tax: counter"`` → step ``"2 tax"``);
- ``kind`` — one of ``KINDS``: a ``counter`` visit or a ``back office`` task is a step's work at a
  station; ``hand-off``, ``trip`` and ``rework`` events are the time between (read, not fitted);
- ``function`` — the department function doing the step (``"front desk"``: a pooled contact,
  which is no step of the catalogue);
- ``org:resource`` — the station: a pool of identical servers (for a counter visit or a
  back-office task);
- ``start_timestamp`` and ``time:timestamp`` — when the work started and ended.

Optional: ``arrival_timestamp`` (when the event joined its station's queue; default: its start),
``server`` (the one server, e.g. a clerk, of the station who did the work), ``case:applicant``
(``resident`` or ``enterprise``; default ``resident``), ``case:district`` (a whole number, the
serving district; default 0), ``case:channel`` (``online`` or ``in person``; default online).
Timestamps count working time, as govlab writes them: one working day is one day on the clock
(24 hours), so a counter visit of half an hour in an 8-hour working day lasts 1.5 clock hours.
``read_event_log`` returns the events with times in working days from midnight of the earliest
one. A mistake is a ``LogError`` naming the file, the column and what is allowed.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

CASE, TYPE, ACTIVITY, KIND = "case:concept:name", "case:case_type", "concept:name", "kind"
FUNCTION, STATION, START, END = "function", "org:resource", "start_timestamp", "time:timestamp"
ARRIVAL, SERVER, APPLICANT, DISTRICT = (
    "arrival_timestamp",
    "server",
    "case:applicant",
    "case:district",
)
COLUMNS = (CASE, TYPE, ACTIVITY, KIND, FUNCTION, STATION, START, END)
CHANNEL = "case:channel"
OPTIONAL = (ARRIVAL, SERVER, APPLICANT, DISTRICT, CHANNEL)
CHANNELS = ("online", "in person")
KINDS = ("counter", "back office", "hand-off", "trip", "rework")
WORK_KINDS = ("counter", "back office")
APPLICANTS = ("resident", "enterprise")
FRONT_DESK = "front desk"
FORMATS = ("csv", "xes")


class LogError(ValueError):
    """An event log that cannot be read: one line naming the file and the column."""


def _raw(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise LogError(f"{path}: a log is a .csv or .xes file (not {path.suffix or 'no suffix'})")
    if not path.is_file():
        raise LogError(f"{path}: no such file")
    try:
        if suffix == "csv":
            return pd.read_csv(path, dtype={CASE: str, TYPE: str, ACTIVITY: str, STATION: str,
                                            SERVER: str}, low_memory=False)  # fmt: skip
        _check_xml(path)  # pm4py leaves the file open when its parser fails
        os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "false")
        import pm4py

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pm4py's advice on optional faster readers
            return pm4py.read_xes(str(path))
    except ImportError:
        raise
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as error:
        first = (str(error).splitlines() or [type(error).__name__])[0]
        raise LogError(f"{path}: cannot read it as {suffix.upper()}: {first}") from None
    except Exception as error:  # the XES parser's own errors (lxml)
        first = (str(error).splitlines() or [type(error).__name__])[0]
        raise LogError(f"{path}: cannot read it as {suffix.upper()}: {first}") from None


def _check_xml(path: Path) -> None:
    """Parse the file as XML (streaming), so that a broken one is our one-line error."""
    from xml.etree.ElementTree import ParseError, iterparse

    try:
        with path.open("rb") as handle:
            for _, element in iterparse(handle):
                element.clear()
    except ParseError as error:
        raise LogError(f"{path}: cannot read it as XES: not XML: {error}") from None


def _times(raw: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_datetime(raw[column], errors="coerce", utc=True, format="mixed")
    bad = values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise LogError(f"{path}: column {column!r}, row {row + 1}: not a timestamp "
                       f"({raw[column].iloc[row]!r})")  # fmt: skip
    return values.dt.tz_localize(None)


def read_event_log(path: Path) -> pd.DataFrame:
    """The events of the log at ``path`` (CSV or XES) with columns ``case, case_type, applicant,
    district, online, step, kind, function, station, server, arrival, start, end`` (times in working
    days), sorted by case and start.

    Raises:
        LogError: not a CSV or XES file, a required column missing, an empty log, a value not
            allowed (kind, applicant, district, timestamps, end before start).
    """
    path = Path(path)
    raw = _raw(path)
    missing = [name for name in COLUMNS if name not in raw.columns]
    if missing:
        raise LogError(f"{path}: column {missing[0]!r} is missing (required: {', '.join(COLUMNS)})")
    if raw.empty:
        raise LogError(f"{path}: no events")
    for name in (CASE, TYPE, ACTIVITY, FUNCTION, STATION):
        if raw[name].isna().any():
            row = int(np.flatnonzero(raw[name].isna().to_numpy())[0])
            raise LogError(f"{path}: column {name!r}, row {row + 1}: empty")
    kinds = raw[KIND].astype(str)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise LogError(f"{path}: column 'kind': {unknown[0]!r} is not one of {', '.join(KINDS)}")
    if APPLICANT in raw:
        applicant = raw[APPLICANT].astype(str)
    else:
        applicant = pd.Series("resident", index=raw.index)
    unknown = sorted(set(applicant) - set(APPLICANTS))
    if unknown:
        raise LogError(f"{path}: column {APPLICANT!r}: {unknown[0]!r} is not one of "
                       f"{', '.join(APPLICANTS)}")  # fmt: skip
    channel = pd.Series("online", index=raw.index)
    if CHANNEL in raw:
        channel = raw[CHANNEL].astype(str)
    unknown = sorted(set(channel) - set(CHANNELS))
    if unknown:
        raise LogError(f"{path}: column {CHANNEL!r}: {unknown[0]!r} is not one of "
                       f"{', '.join(CHANNELS)}")  # fmt: skip
    district = pd.Series(0, index=raw.index)
    if DISTRICT in raw:
        district = pd.to_numeric(raw[DISTRICT], errors="coerce")
        if district.isna().any() or (district < 0).any() or (district % 1 != 0).any():
            raise LogError(f"{path}: column {DISTRICT!r}: districts are whole numbers from 0")
    start, end = _times(raw, START, path), _times(raw, END, path)
    arrival = _times(raw, ARRIVAL, path) if ARRIVAL in raw else start
    late = (end < start) | (start < arrival)
    if late.any():
        row = int(np.flatnonzero(late.to_numpy())[0])
        raise LogError(f"{path}: row {row + 1}: {END!r} before {START!r}, or {START!r} before "
                       f"{ARRIVAL!r}")  # fmt: skip
    origin = arrival.min().normalize()
    day = pd.Timedelta(days=1)
    activity = raw[ACTIVITY].astype(str)
    suffix = ": " + kinds
    step = [a[: -len(s)] if a.endswith(s) else a for a, s in zip(activity, suffix, strict=True)]
    frame = pd.DataFrame({
        "case": raw[CASE].astype(str),
        "case_type": raw[TYPE].astype(str),
        "applicant": applicant.to_numpy(),
        "district": district.astype(np.int64).to_numpy(),
        "online": (channel == "online").to_numpy(),
        "step": step,
        "kind": kinds.to_numpy(),
        "function": raw[FUNCTION].astype(str).to_numpy(),
        "station": raw[STATION].astype(str).to_numpy(),
        "server": raw[SERVER].astype(str).to_numpy() if SERVER in raw else None,
        "arrival": ((arrival - origin) / day).to_numpy(),
        "start": ((start - origin) / day).to_numpy(),
        "end": ((end - origin) / day).to_numpy(),
    })  # fmt: skip
    for name in ("applicant", "case_type"):
        per_case = frame.groupby("case")[name].nunique()
        if (per_case > 1).any():
            case = per_case.index[int(np.flatnonzero(per_case.to_numpy() > 1)[0])]
            column = TYPE if name == "case_type" else APPLICANT
            raise LogError(f"{path}: column {column!r}: case {case!r} has more than one value")
    order = np.lexsort((frame["end"].to_numpy(), frame["start"].to_numpy(),
                        frame["case"].to_numpy()))  # fmt: skip
    return frame.iloc[order].reset_index(drop=True)
