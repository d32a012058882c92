"""Completed-case records: one row per case in completion order, kept as growing columns.

Both service engines write here (``model.journey`` appends a tuple per case, ``model.kernel`` writes
rows in place); the metrics read columns (``CaseRecords.table``). Integer fields and float fields
are two 2-D arrays, grown by doubling.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

RECORD_FIELDS = (
    "case_type",
    "applicant_kind",  # 0 resident, 1 enterprise
    "applicant",
    "home_district",
    "service_district",
    "online",
    "away",
    "refused",
    "arrival_day",
    "completion_day",
    "trips",
    "handoffs",
    "documents_submitted",
    "documents_resubmitted",
    "offices",
    "returns",
    "hub_retrievals",
    "rule_set",  # the rule set it followed (model.schedule): its home's when it opened
    "wait_days",
    "service_days",
    "handoff_days",
    "travel_days",
    "rework_days",
)
FLOAT_FIELDS = (
    "arrival_day",
    "completion_day",
    "wait_days",
    "service_days",
    "handoff_days",
    "travel_days",
    "rework_days",
)
INT_FIELDS = tuple(name for name in RECORD_FIELDS if name not in FLOAT_FIELDS)
BOOL_FIELDS = ("online", "away", "refused")
RESIDENT, ENTERPRISE = 0, 1  # the codes of ``applicant_kind``
_FLOAT_AT = tuple(RECORD_FIELDS.index(name) for name in FLOAT_FIELDS)
_INT_AT = tuple(RECORD_FIELDS.index(name) for name in INT_FIELDS)


def _reserve(table, rows: int) -> None:
    """Grow ``table.ints`` and ``table.floats`` (by doubling) to hold ``rows`` more rows."""
    needed = table.size + rows
    if needed > len(table.ints):
        capacity = max(needed, 2 * len(table.ints))
        for name in ("ints", "floats"):
            old = getattr(table, name)
            new = np.zeros((capacity, old.shape[1]), dtype=old.dtype)
            new[: table.size] = old[: table.size]
            setattr(table, name, new)


class CaseRecords:
    """Completed cases: ``ints`` (rows × ``INT_FIELDS``) and ``floats`` (rows × ``FLOAT_FIELDS``);
    the first ``len(self)`` rows are filled."""

    def __init__(self, capacity: int = 1024) -> None:
        self.ints = np.zeros((capacity, len(INT_FIELDS)), dtype=np.int64)
        self.floats = np.zeros((capacity, len(FLOAT_FIELDS)))
        self.size = 0

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> CaseRecords:
        """Records from tuples in ``RECORD_FIELDS`` order."""
        records = cls()
        for row in rows:
            records.append(row)
        return records

    def __len__(self) -> int:
        return self.size

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` more records."""
        _reserve(self, rows)

    def append(self, row: tuple) -> None:
        """Add one record given in ``RECORD_FIELDS`` order."""
        self.reserve(1)
        self.ints[self.size] = [row[i] for i in _INT_AT]
        self.floats[self.size] = [row[i] for i in _FLOAT_AT]
        self.size += 1

    def table(self, start: int = 0) -> dict[str, np.ndarray]:
        """Records ``start:`` as columns, one array per field plus ``delay_days``."""
        ints = self.ints[start : self.size]
        floats = self.floats[start : self.size]
        table = {name: ints[:, k].copy() for k, name in enumerate(INT_FIELDS)}
        table.update({name: floats[:, k].copy() for k, name in enumerate(FLOAT_FIELDS)})
        for name in BOOL_FIELDS:
            table[name] = table[name].astype(bool)
        table = {name: table[name] for name in RECORD_FIELDS}
        table["delay_days"] = table["completion_day"] - table["arrival_day"]
        return table

    def rows(self) -> list[tuple]:
        """All records as tuples in ``RECORD_FIELDS`` order (for tests and debugging)."""
        table = self.table()
        return list(zip(*(table[name].tolist() for name in RECORD_FIELDS), strict=True))


# -- per-visit records (kept only when asked: ``GovernanceModel(collect_visits=True)``) ------------
# One row per counter visit, back-office task, hand-off, trip and rework period of every case, in
# the order the engine writes them (a station visit when it ends; a hand-off, trip or rework period
# when it is decided, with its end). ``case`` is the case's number (opening order, 1, 2, ...),
# ``step`` the index in its plan's steps (-1: the front desk; the plan of its type under its
# ``rule_set``), ``station`` the station index (-1:
# none; a hand-off, trip or rework period happens between stations), ``online`` the channel (1
# online), ``district`` the serving district. ``arrival_day`` is when the case joined the
# station's queue (the start for rows without a station), ``start_day`` when a server took it,
# ``end_day`` when it ended. Servers are anonymous in both engines (a station is c identical
# servers): no server column.
VISIT_INT_FIELDS = (
    "case", "case_type", "step", "activity", "station", "online", "district", "rule_set"
)  # fmt: skip
VISIT_FLOAT_FIELDS = ("arrival_day", "start_day", "end_day")
VISIT_FIELDS = VISIT_INT_FIELDS + VISIT_FLOAT_FIELDS
# The codes of ``activity``: a counter visit (at a step's counter or the front desk), a back-office
# task, a hand-off of the file to a step (courier, electronic, or the applicant's visit gap), a trip
# of the applicant (before a counter visit; a refusal's detour is a trip of its own), the time to
# gather documents found missing at a counter visit (the case returns to that counter after it).
ACTIVITIES = ("counter", "backoffice", "handoff", "travel", "rework")
A_COUNTER, A_BACKOFFICE, A_HANDOFF, A_TRAVEL, A_REWORK = range(5)


class VisitRecords:
    """Visit rows: ``ints`` (rows × ``VISIT_INT_FIELDS``) and ``floats`` (rows ×
    ``VISIT_FLOAT_FIELDS``); the first ``len(self)`` rows are filled, grown by doubling."""

    def __init__(self, capacity: int = 1024) -> None:
        self.ints = np.zeros((capacity, len(VISIT_INT_FIELDS)), dtype=np.int64)
        self.floats = np.zeros((capacity, len(VISIT_FLOAT_FIELDS)))
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` more visits."""
        _reserve(self, rows)

    def append(self, ints: tuple[int, ...], floats: tuple[float, float, float]) -> None:
        """Add one visit: its ``VISIT_INT_FIELDS`` and ``VISIT_FLOAT_FIELDS`` values."""
        self.reserve(1)
        self.ints[self.size] = ints
        self.floats[self.size] = floats
        self.size += 1

    def table(self, start: int = 0) -> dict[str, np.ndarray]:
        """Visits ``start:`` as columns, one array per field of ``VISIT_FIELDS``."""
        table = {name: self.ints[start : self.size, k].copy() for k, name in
                 enumerate(VISIT_INT_FIELDS)}  # fmt: skip
        for k, name in enumerate(VISIT_FLOAT_FIELDS):
            table[name] = self.floats[start : self.size, k].copy()
        return table

    def rows(self) -> list[tuple]:
        """All visits as tuples in ``VISIT_FIELDS`` order (for tests and debugging)."""
        table = self.table()
        return list(zip(*(table[name].tolist() for name in VISIT_FIELDS), strict=True))
