"""Event logs of a run's visits (issue 21 item 3): a table of named events, written as CSV, XES
and OCEL 2.0 with pm4py (``govlab log``).

``event_frame`` names the rows of ``journeys.visits`` (``model.records.VISIT_FIELDS``): one event
per counter visit, back-office task, hand-off, trip and rework period, its activity named after the
case's step (``"<k> <function>: <kind>"``, k the step's number in its case type's route, counting
from 1 after any bundling; ``"front desk: <kind>"`` at the front desk), so that a case type's
directly-follows graph over its counter and back-office events is its route. Times are model
working days from ``ORIGIN``, one working day shown as one calendar day (timestamps have no
weekends or office hours). The resource is the station (``"tax counter, district 2"``), the
applicant (trips, rework) or ``"transfer"`` (hand-offs; the engines' servers are anonymous, so no
server is named).

The OCEL 2.0 log has three object types: ``case``; ``department`` (the office the event happens
at, or for a hand-off, trip or rework period the office it leads to); ``document`` — what the
model knows of documents: the catalogue's documents a step requires (the applicant's own, the
government's, those issued earlier in the case), one object per case and document, related to the
counter visits of the steps that require it (at the front desk, to every step's). Whether a
government document was fetched from the data hub instead is decided per case but not kept per
visit, so the relation says "required", not "handed in".
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from govlab.model.records import A_COUNTER, ACTIVITIES, VisitRecords
from govlab.model.routes import CasePlan

ORIGIN = pd.Timestamp("2026-01-01")
KIND_NAMES = ("counter", "back office", "hand-off", "trip", "rework")  # by ``ACTIVITIES`` code
FILES = {"csv": "visits.csv", "xes": "log.xes", "ocel": "log.ocel.json"}
SEPARATOR = " AND "  # between object ids in one cell (pm4py.convert_log_to_ocel)


def step_label(plan: CasePlan, step: int, functions: tuple[str, ...]) -> str:
    """The name of a case type's step: its number in the route and its function."""
    if step < 0:
        return "front desk"
    return f"{step + 1} {functions[plan.steps[step].function]}"


def activity_name(plan: CasePlan, step: int, kind: int, functions: tuple[str, ...]) -> str:
    """The activity of a visit row: ``"<step label>: <kind>"``."""
    return f"{step_label(plan, step, functions)}: {KIND_NAMES[kind]}"


def _station_names(layout) -> dict[int, tuple[str, str]]:
    """Per station: (its name, its office's name)."""
    names = {}
    for office in layout.offices:
        where = "city" if office.district is None else f"district {office.district}"
        department = f"{office.function}, {where}"
        names[office.counter] = (f"{office.function} counter, {where}", department)
        if office.backoffice is not None:
            names[office.backoffice] = (f"{office.function} back office, {where}", department)
    for district, desk in enumerate(layout.front_desks):
        names[desk] = (f"front desk, district {district}",) * 2
    return names


def event_frame(model, cases: int | None = None) -> pd.DataFrame:
    """The visits of a ``GovernanceModel`` built with ``collect_visits=True`` (of its first
    ``cases`` cases if given), one named event a row, by case and end time; columns in pm4py's
    names (``case:concept:name``, ``concept:name``, ``time:timestamp``, ``start_timestamp``,
    ``org:resource``) plus the case's applicant (``case:applicant``), the step's function
    (``function``; ``"front desk"`` there), when the visit joined its station's queue
    (``arrival_timestamp``), the raw fields and the related department and documents (the columns
    ``govlab catalogue --from-log`` reads: ``results.logread``)."""
    visits: VisitRecords = model.journeys.visits
    table = visits.table()
    if cases is not None:
        kept = table["case"] <= cases
        table = {name: column[kept] for name, column in table.items()}
    plans, layout = [rules.plans for rules in model.journeys.rule_sets], model.layout
    functions = layout.functions
    documents = list(model.catalogue.documents)
    stations = _station_names(layout)
    rows = []
    for case, plan_index, step, kind, station, online, district, rule_set in zip(
        *(table[name].tolist() for name in ("case", "case_type", "step", "activity", "station",
                                            "online", "district", "rule_set")),
        strict=True,
    ):  # fmt: skip
        plan = plans[rule_set][plan_index]  # its type's plan under the rules it followed
        if station >= 0:
            resource, department = stations[station]
        else:
            if step < 0:
                department = stations[layout.front_desks[district]][1]
            else:
                office = layout.department(plan.steps[step].function, district)
                department = stations[office.counter][1]
            resource = "transfer" if ACTIVITIES[kind] == "handoff" else "applicant"
        docs = ""
        if kind == A_COUNTER:
            steps = plan.steps if step < 0 else (plan.steps[step],)
            codes = dict.fromkeys(
                d for s in steps for d in (*s.applicant_docs, *s.government_docs, *s.case_docs)
            )
            docs = SEPARATOR.join(f"{case} {documents[d]}" for d in codes)
        function = "front desk" if step < 0 else functions[plan.steps[step].function]
        rows.append((str(case), plan.name, plan.applicant, activity_name(plan, step, kind,
                     functions), KIND_NAMES[kind], function, resource, department, docs,
                     "online" if online else "in person"))  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=["case:concept:name", "case:case_type", "case:applicant", "concept:name", "kind",
                 "function", "org:resource", "department", "document", "case:channel"],
    )  # fmt: skip
    frame["case:district"] = table["district"]
    frame["step"] = table["step"]
    frame["station"] = table["station"]
    for name in ("arrival_day", "start_day", "end_day"):
        frame[name] = table[name]
    frame["arrival_timestamp"] = ORIGIN + pd.to_timedelta(table["arrival_day"], unit="D")
    frame["start_timestamp"] = ORIGIN + pd.to_timedelta(table["start_day"], unit="D")
    frame["time:timestamp"] = ORIGIN + pd.to_timedelta(table["end_day"], unit="D")
    frame["case"] = frame["case:concept:name"]
    order = np.lexsort((np.arange(len(frame)), table["end_day"], table["case"]))
    return frame.iloc[order].reset_index(drop=True)  # by case, then time: how logs are read


def load_pm4py():
    """pm4py, imported without its progress bars (a setting it reads when first imported)."""
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "false")
    import pm4py

    return pm4py


def write_logs(frame: pd.DataFrame, out: Path) -> dict[str, Path]:
    """Write ``frame`` as CSV, XES and OCEL 2.0 (JSON) into ``out`` (created if needed), each
    file whole or not at all; return the paths by format. Needs pm4py (the ``logs`` extra)."""
    pm4py = load_pm4py()
    out.mkdir(parents=True, exist_ok=True)
    paths = {fmt: out / name for fmt, name in FILES.items()}
    partial = {fmt: path.with_name(f".partial-{path.name}") for fmt, path in paths.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pm4py's advice on optional faster readers and writers
        _write(pm4py, frame, partial)
        for fmt, path in paths.items():
            os.replace(partial[fmt], path)
    return paths


def _write(pm4py, frame: pd.DataFrame, partial: dict[str, Path]) -> None:
    try:
        frame.to_csv(partial["csv"], index=False)
        log = frame.drop(columns=["document", "case"])
        pm4py.write_xes(log, str(partial["xes"]), case_id_key="case:concept:name")
        ocel = pm4py.convert_log_to_ocel(
            frame,
            activity_column="concept:name",
            timestamp_column="time:timestamp",
            object_types=["case", "department", "document"],
            obj_separator=SEPARATOR,
            additional_event_attributes=["kind", "org:resource", "start_timestamp"],
        )
        pm4py.write_ocel2_json(ocel, str(partial["ocel"]))
    except BaseException:
        for path in partial.values():
            path.unlink(missing_ok=True)
        raise
