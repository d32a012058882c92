"""The compiled service engine (model.kernel) against the readable reference (model.journey).

Same scenario, same seed: the two engines must produce the same case records bit for bit, the same
station statistics, the same journey traces and the same jobs in the system at the end. The
scenarios cover every lever value the journeys branch on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from govlab.model import GovernanceModel
from govlab.model import compiled as compiled_module
from govlab.scenarios import apply_overrides, load_scenario
from govlab.scenarios.textbook import textbook_scenario

DAYS = 120
STATION_FIELDS = (
    "servers",
    "busy",
    "in_system",
    "queue_length",
    "arrivals",
    "departures",
    "area_in_system",
    "area_busy",
    "last_time",
    "time_in_system",
)

LADDER = ["silo", "front_desk", "data_sharing", "parallel", "seamless", "smart"]
VARIANTS = {
    "silo, deterministic service": ("silo", {"world.service_time_distribution": "deterministic"}),
    "smart, exponential service": ("smart", {"world.service_time_distribution": "exponential"}),
    "front desk, courier hand-off": ("front_desk", {"levers.handoff": "applicant"}),
    "seamless, home only, many away": (
        "seamless",
        {"levers.cross_district": "home_only", "world.away_from_home_share": 0.5},
    ),
    "parallel, applicant hand-off": ("parallel", {"levers.handoff": "applicant"}),
    "smart, unprotected": ("smart_unprotected", {}),
    "reengineered": ("reengineered", {}),
    "silo, bundled and exempt": (
        "silo",
        {"reengineering.bundle_all": True, "reengineering.exemption_share": 0.5},
    ),
}


def scenario_of(name: str, overrides: dict):
    return apply_overrides(load_scenario(name), overrides)


def run_both(scenario, days: int = DAYS, seed: int = 11, visits: bool = False):
    """Both engines on one scenario and seed; each follows the journey of one case per type
    (and keeps the visit rows if ``visits``)."""
    models = {}
    for engine in ("python", "compiled"):
        model = GovernanceModel(scenario, rng=seed, engine=engine, collect_visits=visits)
        for day in range(days):
            if day == 5:
                for case_type in range(len(model.plans)):
                    model.journeys.trace_next(case_type)
            model.step()
        models[engine] = model
    return models["python"], models["compiled"]


def assert_same(reference: GovernanceModel, compiled: GovernanceModel) -> None:
    ours, theirs = compiled.journeys, reference.journeys
    assert len(theirs.records) > 100
    assert ours.records.rows() == theirs.records.rows()
    assert (ours.opened, ours.open_cases, ours.refusals) == (
        theirs.opened,
        theirs.open_cases,
        theirs.refusals,
    )
    for index, (mine, reference_station) in enumerate(
        zip(ours.stations, theirs.stations, strict=True)
    ):
        for field in STATION_FIELDS:
            assert getattr(mine, field) == getattr(reference_station, field), (index, field)
    now = float(compiled.steps)
    # the same jobs inside, summed in another order
    np.testing.assert_allclose(ours.time_inside(now), theirs.time_inside(now), rtol=1e-12)
    assert ours.traces == theirs.traces
    assert len(ours.traces) == len(compiled.plans)


@pytest.mark.parametrize("name", LADDER)
def test_compiled_engine_equals_reference_on_the_ladder(name):
    assert_same(*run_both(load_scenario(name)))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_compiled_engine_equals_reference_on_lever_variants(variant):
    name, overrides = VARIANTS[variant]
    assert_same(*run_both(scenario_of(name, overrides)))


def test_compiled_engine_equals_reference_on_forks_and_steps_without_counter():
    """Parallel approval with a back-office-only step and a step that ends at once."""
    scenario = textbook_scenario(
        {"a": (2, 2), "b": (1, 2), "c": (1, 1)},
        {
            "v": {
                "per_hour": 1.5,
                "steps": [
                    {"function": "a", "counter_hours": 0.5, "backoffice_hours": 2.0},
                    {"function": "b", "backoffice_hours": 3.0, "approval": True},
                    {"function": "c", "counter_hours": 0.5, "approval": True},
                    {"function": "c", "counter_hours": 0.0, "approval": True},
                ],
            },
            "graph": {  # steps that end at once release the next ones (the kernel's stack)
                "per_hour": 1.0,
                "steps": [
                    {"function": "a", "counter_hours": 0.5, "issues": ["permit_a"]},
                    {"function": "c", "requires": ["permit_a"], "issues": ["permit_b"]},
                    {"function": "c", "requires": ["permit_a"], "name": "z"},
                    {"function": "b", "backoffice_hours": 1.0, "requires": ["permit_b"]},
                    {"function": "b", "after": ["z"]},
                    {"function": "c", "after": ["z"], "counter_hours": 0.25},
                ],
            },
        },
        levers={"approval": "parallel"},
        world={"p_missing_document": 0.3, "rework_days": 0.5},
    )
    assert_same(*run_both(scenario, days=80))


def test_compiled_engine_grows_its_arrays_without_changing_a_number(monkeypatch):
    """Start with room for 2 cases and jobs: every array grows many times during the run."""
    monkeypatch.setattr(compiled_module, "INITIAL_ROWS", 2)
    reference, compiled = run_both(load_scenario("silo"), days=60)
    assert len(compiled.journeys.state.case_i) >= 128
    assert_same(reference, compiled)


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be"):
        GovernanceModel(load_scenario("silo"), rng=1, engine="fortran")


def test_every_kernel_is_cached_under_the_whole_packages_stamp():
    """numba keys a cached function by its own file, but the kernels inline functions and freeze
    constants from the package's other modules: each kernel's cache stamp must include a
    fingerprint of the modules it was imported after (``model.kernel.cache``), so that an edit
    anywhere there recompiles (an edit of a constant in ``keyed.py`` was seen to change a silo
    run); the fingerprint is the same in every process, or each would compile afresh."""
    from govlab.model.kernel import cache, keyed, layout, loop

    for kernel in (loop.run, loop.set_servers, loop.advance_all, loop.time_inside, keyed.uniform):
        assert isinstance(kernel._cache._impl.locator, cache.PackageLocator), kernel
    stamp = loop.run._cache._impl.locator.get_source_stamp()[1]
    assert stamp == cache.loaded_fingerprint(excluding="govlab.model.kernel.loop")
    package = Path(layout.__file__).parent
    imported = {  # every model module outside the package that a kernel module imports from
        f"govlab.model.{match}"
        for path in package.glob("*.py")
        for match in re.findall(
            r"^from govlab\.model\.(\w+) import", path.read_text(), re.MULTILINE
        )
        if match != "kernel"
    }
    assert imported <= set(cache.OUTSIDE)
    source = Path(layout.__file__).read_text()
    edited = source.replace("DONE, NEED_ROOM = 0, 2", "DONE, NEED_ROOM = 0, 4")
    assert edited != source
    fingerprints = []
    for text in (source, edited):
        copy = types.ModuleType(layout.__name__)
        exec(compile(text, "layout_copy.py", "exec"), copy.__dict__)
        fingerprints.append(cache.module_fingerprint(copy))
    assert fingerprints[0] == cache.module_fingerprint(layout) != fingerprints[1]
    bodies = []
    for body in ("x + 1", "x + 2"):  # a function's code, not only constants
        module = types.ModuleType("govlab.model.kernel.example")
        exec(f"def f(x):\n    return {body}\n", module.__dict__)
        module.f.__module__ = module.__name__
        bodies.append(cache.module_fingerprint(module))
    assert bodies[0] != bodies[1]
    printed = [
        subprocess.run(
            [sys.executable, "-c", "from govlab.model.kernel import loop; "
             "print(loop.run._cache._impl.locator.get_source_stamp()[1])"],
            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]  # fmt: skip
    assert printed == [stamp + "\n"] * 2
