"""A draft service catalogue from a discovery (``results.discovery``), in the project's own format:
a scenario file holding ``[world]`` (what the log says of it), ``[functions]``, ``[documents]``
and ``[services]`` as in ``scenarios/service_catalogue.toml``, each figure with its interval in a
comment. ``govlab run draft.toml`` runs it; ``extends`` puts it into a scenario's levers and world.

``build_draft`` gives the data (a dict a ``Scenario`` validates) and the comments;
``to_toml`` writes them; ``apply_draft`` puts a draft into a scenario (for a round trip);
``fit_table`` is the per-step fits as rows (``.fits.csv`` beside the draft).

Conventions where a log is silent: a step's counter time is its mean counter visit times the
working hours of a day (``hours_per_day``); rates are per applicant and year, for the stated
numbers of residents and enterprises (``rate_per_year = per day × working_days_per_year /
applicants``); a function's staff is the most seen at any of its stations of that kind (the
catalogue has one figure per district department); a function is city-level when its one
station serves cases of several districts; documents are not in a log, so the draft has none
(no papers to miss, carry or fetch); every step waits for the steps it directly follows
(``after``), so the precedence is the log's under either approval lever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from govlab.results.branches import Routing
from govlab.results.discovery import Discovery
from govlab.results.servicefits import Fit, Shape, fit_sample, shared_shape

WORKING_DAYS_PER_YEAR = 250.0  # the default world's (scenarios/world.py)


@dataclass
class Draft:
    """A draft catalogue: its data, comments by dotted path, the shared shape and the fits."""

    data: dict[str, Any]
    comments: dict[str, str]
    shape: Shape
    fits: list[tuple[str, str, str, np.ndarray, Fit]]  # case type, step, kind, sample, fit


def _g(value: float) -> float:
    return float(f"{value:.6g}")


def build_draft(
    found: Discovery,
    routing: dict[str, Routing],
    hours_per_day: float = 8.0,
    residents: int = 40_000,
    enterprises: int = 2_000,
    name: str = "draft",
) -> Draft:
    """The draft catalogue of ``found`` with the branches of ``routing``."""
    pct = f"{found.level:.0%}"
    fits = []
    for case_type in found.case_types.values():
        for step in case_type.steps:
            for kind, sample in (("counter", step.counter_days),
                                 ("back office", step.backoffice_days)):  # fmt: skip
                if len(sample):
                    fits.append((case_type.name, step.name, kind, sample,
                                 fit_sample(sample, found.level)))  # fmt: skip
    shape = shared_shape([sample for *_, sample, _ in fits])
    comments: dict[str, str] = {}
    world = {
        "districts": found.districts,
        "residents": residents,
        "enterprises": enterprises,
        "working_hours_per_day": hours_per_day,
        "working_days_per_year": WORKING_DAYS_PER_YEAR,
        "service_time_distribution": shape.family,
    }
    if shape.family == "lognormal":
        world["service_time_cv"] = _g(shape.cv)
        comments["world.service_time_cv"] = (
            f"pooled log sd {shape.sigma:.3f}; AIC lognormal {shape.aic['lognormal']:.0f}, "
            f"exponential {shape.aic['exponential']:.0f}"
        )
    functions: dict[str, dict[str, Any]] = {}
    for station in found.stations:
        empty = {"level": "district", "counter_staff": 0, "backoffice_staff": 0, "_seen": []}
        entry = functions.setdefault(station.function, empty)
        key = "counter_staff" if station.kind == "counter" else "backoffice_staff"
        entry[key] = max(entry[key], station.staff)
        entry["_seen"].append(f"{station.name} {station.staff}{'' if station.exact else '+'}")
        entry.setdefault("_stations", {}).setdefault(station.kind, []).append(station)
    for function, entry in functions.items():
        stations = entry.pop("_stations")
        if found.districts > 1 and all(len(v) == 1 and v[0].districts > 1
                                       for v in stations.values()):  # fmt: skip
            entry["level"] = "city"
        for key in ("counter_staff", "backoffice_staff"):
            entry[key] = max(entry[key], 1)
        comments[f"functions.{function}"] = "staff seen: " + "; ".join(entry.pop("_seen"))
    fit_of = {(c, s, k): fit for c, s, k, _, fit in fits}
    services = {}
    applicants = {"resident": residents, "enterprise": enterprises}
    for case_type in found.case_types.values():
        where = f"services.{case_type.name}"
        per_year = WORKING_DAYS_PER_YEAR / max(applicants[case_type.applicant], 1)
        services[case_type.name] = {
            "applicant": case_type.applicant,
            "rate_per_year": _g(case_type.rate_per_day * per_year),
            "online": case_type.online,
            "steps": [],
        }
        comments[f"{where}.rate_per_year"] = (
            f"{case_type.cases} cases in {found.days:g} days: {case_type.rate_per_day:.4g} a day, "
            f"{pct} [{case_type.rate_low:.4g}, {case_type.rate_high:.4g}]"
        )
        route = routing.get(case_type.name)
        for k, step in enumerate(case_type.steps):
            entry: dict[str, Any] = {"name": step.name, "function": step.function}
            for kind, key, scale in (("counter", "counter_hours", hours_per_day),
                                     ("back office", "backoffice_days", 1.0)):  # fmt: skip
                fit = fit_of.get((case_type.name, step.name, kind))
                entry[key] = _g(fit.mean * scale) if fit else 0.0
                if fit:
                    comments[f"{where}.steps.{k}.{key}"] = (
                        f"n {fit.n}, {pct} [{fit.low * scale:.4g}, {fit.high * scale:.4g}], "
                        f"cv {fit.cv:.2f}, best {fit.family}"
                        + (f" (KS p {fit.ks_p:.2f})" if fit.family != "deterministic" else "")
                    )
            entry["after"] = list(step.after)
            branches = route.branches.get(step.name, []) if route else []
            if branches:
                entry["branches"] = [
                    {"to": b.to, "p": _g(b.p), **({"correction": True} if b.correction else {})}
                    for b in branches
                ]
                comments[f"{where}.steps.{k}.branches"] = "; ".join(
                    f"{b.to} {b.count}/{b.n} [{b.low:.3f}, {b.high:.3f}]" for b in branches
                )
            services[case_type.name]["steps"].append(entry)
        if route and route.max_loops_seen:
            comments[f"{where}.loops"] = f"at most {route.max_loops_seen} loops seen in a case"
    data = {
        "name": name,
        "description": "draft catalogue discovered from an event log (govlab catalogue)",
        "world": world,
        "functions": functions,
        "documents": {},
        "services": services,
    }
    return Draft(data, comments, shape, fits)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def _key(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() else _value(name)


def _line(key: str, value: Any, comment: str | None) -> str:
    text = f"{_key(key)} = {_value(value)}"
    return f"{text}  # {comment}" if comment else text


def to_toml(draft: Draft, header: list[str], extends: str | None = None) -> str:
    """The draft as a scenario file (TOML), ``header`` lines as comments on top."""
    data, notes = draft.data, draft.comments
    lines = [f"# {line}" for line in header]
    if extends:
        lines.append(_line("extends", extends, "its levers and world, then this file's"))
    lines += [_line("name", data["name"], None), _line("description", data["description"], None)]
    lines += ["", "[world]"]
    lines += [_line(k, v, notes.get(f"world.{k}")) for k, v in data["world"].items()]
    for name, entry in data["functions"].items():
        lines += ["", f"# {notes[f'functions.{name}']}", f"[functions.{_key(name)}]"]
        lines += [_line(k, v, None) for k, v in entry.items()]
    lines += ["", "[documents]  # none: a log shows no documents"]
    for name, service in data["services"].items():
        where = f"services.{name}"
        lines += ["", f"[{where if _key(name) == name else 'services.' + _key(name)}]"]
        for key in ("applicant", "rate_per_year", "online"):
            lines.append(_line(key, service[key], notes.get(f"{where}.{key}")))
        if f"{where}.loops" in notes:
            lines.append(f"# {notes[f'{where}.loops']}")
        for k, step in enumerate(service["steps"]):
            lines += ["", f"[[services.{_key(name)}.steps]]"]
            lines += [_line(key, value, notes.get(f"{where}.steps.{k}.{key}"))
                      for key, value in step.items()]  # fmt: skip
    return "\n".join(lines) + "\n"


def apply_draft(scenario, data: dict[str, Any]):
    """``scenario`` with the draft's catalogue (functions, documents, services) and world."""
    from govlab.scenarios import Scenario

    merged = scenario.model_dump(mode="json")
    for key in ("functions", "documents", "services"):
        merged[key] = data[key]
    merged["world"].update(data["world"])
    return Scenario.model_validate(merged)


def fit_table(draft: Draft) -> list[dict[str, Any]]:
    """One row per step and kind of work: n, mean (days), interval, cv, best family, KS p."""
    return [
        {"case_type": c, "step": s, "kind": k, "n": f.n, "mean_days": f.mean, "low_days": f.low,
         "high_days": f.high, "cv": f.cv, "best_family": f.family, "ks_p": f.ks_p}
        for c, s, k, _, f in draft.fits
    ]  # fmt: skip
