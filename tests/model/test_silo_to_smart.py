"""Issue 23 item 1's own test: a scenario switching silo → smart at day D equals silo up to D.

The entry sets every lever of ``smart`` (front desk, parallel approval, data hub, electronic
hand-off, cross-district service, online coverage, sensing with its policy, transparency,
platform, co-production, privacy) and its re-engineering, in every district. Smart's response
office is a section of its own, not a lever, and stays silo's.
"""

from __future__ import annotations

import numpy as np

from govlab.model import GovernanceModel
from govlab.model.schedule import rule_set
from govlab.scenarios import load_scenario
from govlab.scenarios.schedule import InForce
from tests.model.test_lever_schedules import SEED, scheduled

D, DAYS = 40, 90


def test_silo_switching_to_smart_at_day_d_equals_silo_up_to_d_then_runs_smarts_rules():
    smart = load_scenario("smart")
    entry = {"day": D, "levers": smart.levers.model_dump(),
             "reengineering": smart.reengineering.model_dump()}  # fmt: skip
    plain, switched = scheduled([entry])
    models = {}
    for name, scenario in (("silo", plain), ("switched", switched)):
        model = GovernanceModel(scenario, rng=SEED)
        for _ in range(DAYS):
            model.step()
        models[name] = model
    silo, model = models["silo"], models["switched"]
    ours, theirs = model.journeys.records, silo.journeys.records
    before = int((theirs.table()["completion_day"] < D).sum())
    assert before > 200 and ours.rows()[:before] == theirs.rows()[:before]
    series = [m.datacollector.get_model_vars_dataframe() for m in (model, silo)]
    assert series[0].iloc[:D].equals(series[1].iloc[:D])
    for name, values in model.civic_series.items():
        assert values[:D] == silo.civic_series[name][:D], name
    # from D every district is under smart's levers and catalogue: the rules and plans of smart
    state = InForce(smart.levers, smart.reengineering)
    assert model.levers_in_force.levers == [state] * plain.world.districts
    (index,) = set(model.journeys.tables.rule_of.tolist())
    assert model.journeys.rule_sets[index] == rule_set(plain, state)
    table = ours.table()
    late = table["arrival_day"] >= D
    assert (table["rule_set"] == np.where(late, index, 0)).all()
    assert (table["hub_retrievals"][~late] == 0).all() and table["hub_retrievals"][late].mean() > 1
    silo_late = theirs.table()["arrival_day"] >= D
    assert table["trips"][late].mean() < 0.5 * theirs.table()["trips"][silo_late].mean()
