"""Process re-engineering (issue 11 §2): bundling, exemption and committed time limits act on the
catalogue; procedures and materials per case are the design properties they change."""

from __future__ import annotations

import pytest

from govlab.model import GovernanceModel
from govlab.model.metrics import DESIGN_PROPERTIES, summarise
from govlab.model.reengineering import exempted_documents, reengineered
from govlab.model.routes import compile_plans
from govlab.scenarios import ScenarioError, apply_overrides, load_scenario
from govlab.scenarios.textbook import textbook_scenario
from tests.conftest import run_cases


def plan_of(scenario, name):
    return next(p for p in compile_plans(reengineered(scenario)) if p.name == name)


def test_bundling_merges_same_function_steps_unless_a_cycle_forms():
    """Business registration: name check + licence (market regulation) and tax registration +
    invoices (tax) merge; the statistics filing (market regulation) needs the tax registration,
    which needs the licence: merging it with the licence would form a cycle, so it stays."""
    parallel = load_scenario("parallel")
    bundled = apply_overrides(
        parallel, {"reengineering.bundle_services": ["business_registration"]}
    )
    plan = plan_of(bundled, "business_registration")
    assert [s.members for s in plan.steps] == [(0, 1), (2,), (3, 4), (5,), (6,), (7,)]
    assert plan.predecessors == ((), (0,), (1,), (2,), (1,), (2,))
    merged = plan.steps[0]
    catalogue = parallel.services["business_registration"].steps
    assert merged.counter_days == pytest.approx((0.5 + 0.75) / 8)
    assert merged.backoffice_days == catalogue[0].backoffice_days + catalogue[1].backoffice_days
    documents = list(parallel.documents)
    assert documents.index("name_approval") not in merged.case_docs  # issued inside the bundle
    assert plan.procedures(front_desk=True) == 1 + 6
    assert plan_of(parallel, "business_registration").procedures(front_desk=True) == 1 + 8
    # only the named service is bundled
    assert len(plan_of(bundled, "construction_permit").steps) == 5


def test_bundling_keeps_a_topological_written_order_under_sequential_approval():
    silo = apply_overrides(load_scenario("silo"), {"reengineering.bundle_all": True})
    plan = plan_of(silo, "business_registration")
    assert plan.predecessors == ((), (0,), (1,), (2,), (3,), (4,))
    assert plan.procedures(front_desk=False) == 6 + 6  # 8 + 8 before


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_a_bundled_task_takes_the_sum_of_its_members_own_draws(engine):
    """A bundled contact or back-office task lasts the sum of the times its member steps take
    unbundled (each its own case-keyed draw), not one draw at the summed mean. Under sequential
    approval every step is on the critical path and, with no paper ever missing, a case's service
    time is the sum of all its service draws: the bundled and the unbundled run must give every
    case the same service days (up to the order of the additions), while each bundled case has
    fewer procedures."""
    silo = apply_overrides(load_scenario("silo"), {"world.p_missing_document": 0.0})
    bundled = apply_overrides(silo, {"reengineering.bundle_all": True})
    tables = []
    for scenario in (silo, bundled):
        model = GovernanceModel(scenario, rng=5, engine=engine)
        for _ in range(30):
            model.step()
        tables.append(model.journeys.records.table())
    keys = [
        {
            (t["case_type"][i], t["applicant"][i], t["arrival_day"][i]): t["service_days"][i]
            for i in range(len(t["case_type"]))
        }
        for t in tables
    ]
    common = sorted(set(keys[0]) & set(keys[1]))
    merged = {p.index for p in compile_plans(bundled) if any(len(s.members) > 1 for s in p.steps)}
    assert merged  # business registration bundles two pairs of steps
    bundled_cases = [key for key in common if key[0] in merged]
    assert len(bundled_cases) > 20
    for key in common:
        assert keys[1][key] == pytest.approx(keys[0][key], rel=1e-12, abs=1e-12), key


def bundling_world(bundle: bool, chained: bool):
    """Three steps (f, g, f) with counters; the applicant carries the file (one trip a step).
    ``chained``: g needs f's permit and the last f needs g's, so f and f cannot merge."""
    steps = [
        {"function": "f", "counter_hours": 1.0, "backoffice_hours": 8.0, "issues": ["permit_a"]},
        {"function": "g", "counter_hours": 1.0, "backoffice_hours": 8.0, "issues": ["permit_b"]},
        {"function": "f", "counter_hours": 1.0, "backoffice_hours": 16.0},
    ]
    if chained:
        steps[1]["requires"], steps[2]["requires"] = ["permit_a"], ["permit_b"]
    scenario = textbook_scenario(
        {"f": (100, 100), "g": (100, 100)},
        {"v": {"per_hour": 0.5, "steps": steps}},
        levers={"handoff": "applicant"},
        world={"service_time_distribution": "deterministic"},
    )
    return apply_overrides(scenario, {"reengineering.bundle_all": bundle})


@pytest.mark.parametrize(
    ("bundle", "chained", "trips", "days"),
    [
        (False, False, 3, 3 / 8 + 4.0),  # three visits, three back-office tasks in sequence
        (True, False, 2, 3 / 8 + 4.0),  # f + f merged: one visit fewer, the same work
        (True, True, 3, 3 / 8 + 4.0),  # a cycle would form: nothing merges
    ],
)
def test_bundling_saves_a_contact_where_no_cycle_forms(bundle, chained, trips, days):
    cases, _ = run_cases(bundling_world(bundle, chained), 1, 40, settle_days=10)
    assert len(cases["trips"]) > 50
    assert (cases["trips"] == trips).all()
    assert cases["delay_days"] == pytest.approx(days, abs=1e-9)


def test_exemption_drops_documents_from_outside_the_case_only():
    parallel = load_scenario("parallel")
    half = apply_overrides(parallel, {"reengineering.exemption_share": 0.5})
    # government-issued documents by how many steps need them from outside their case
    assert exempted_documents(half) == {"id_card", "household_register", "marriage_certificate"}
    named = apply_overrides(
        parallel, {"reengineering.exempt_documents": ["social_insurance_record"]}
    )
    services = reengineered(named).services
    assert "social_insurance_record" not in services["social_assistance"].steps[3].requires
    # issued inside the residence-permit case: the dependency stays
    assert "social_insurance_record" in services["residence_permit"].steps[1].requires
    assert plan_of(named, "residence_permit").predecessors == ((), (0,))
    assert plan_of(named, "social_assistance").materials == 6 - 1
    assert plan_of(half, "newborn_bundle").materials == 4 - 3  # only the application form left


def test_exemption_is_not_data_sharing():
    """Exempted documents are not fetched from the hub: no retrieval, hence no privacy risk."""
    base = apply_overrides(load_scenario("parallel"), {"levers.data_sharing": 1.0})
    every = {"reengineering.exemption_share": 1.0}
    shared = run_cases(base, 2, 30)[1].journeys.records.table()
    exempt = run_cases(apply_overrides(base, every), 2, 30)[1].journeys.records.table()
    assert shared["hub_retrievals"].sum() > 1000
    assert exempt["hub_retrievals"].sum() == 0


def test_time_limit_cuts_backoffice_times_and_needs_staff():
    scenario = textbook_scenario(
        {"f": (0, 100)},
        {"v": {"per_hour": 0.5, "steps": [{"function": "f", "backoffice_hours": 40.0}]}},
        world={"service_time_distribution": "deterministic"},
    )
    scenario = apply_overrides(
        scenario,
        {"reengineering.backoffice_time_cut": 0.2, "reengineering.extra_backoffice_staff": 2},
    )
    cases, model = run_cases(scenario, 1, 30, settle_days=6)
    assert cases["delay_days"] == pytest.approx(5.0 * 0.8, abs=1e-9)
    assert model.stations[1].servers == 102
    assert summarise(model)["staff_total"] == 102
    with pytest.raises(ScenarioError, match=r"reengineering\.extra_backoffice_staff"):
        apply_overrides(load_scenario("parallel"), {"reengineering.backoffice_time_cut": 0.2})


def test_bad_names_in_the_reengineering_section(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('extends = "parallel"\n[reengineering]\nbundle_services = ["tea_party"]\n')
    with pytest.raises(ScenarioError, match=r"reengineering.bundle_services: 'tea_party'"):
        load_scenario(path)


def test_design_properties_by_case_type():
    model = GovernanceModel(apply_overrides(load_scenario("reengineered"), {}), rng=3)
    for _ in range(60):
        model.step()
    summary = summarise(model)
    assert set(DESIGN_PROPERTIES) <= set(summary)
    business = summary["by_case_type"]["business_registration"]
    assert (business["procedures_per_case"], business["materials_per_case"]) == (7, 3)
