"""``GovernanceModel(collect=False)`` (the trainer's replay) skips the DataCollector and nothing
else: the records and the civic series are the same numbers as with collection."""

from __future__ import annotations

import numpy as np

from govlab.model import GovernanceModel, case_table
from govlab.scenarios import load_scenario


def test_skipping_the_datacollector_changes_no_number():
    runs = []
    for collect in (True, False):
        model = GovernanceModel(load_scenario("smart"), rng=3, collect=collect)
        for _ in range(40):
            model.step()
        runs.append(model)
    full, bare = runs
    assert len(full.datacollector.model_vars["trust_mean"]) == 40
    assert not bare.datacollector.model_vars.get("trust_mean")
    assert full.civic_series == bare.civic_series
    assert full.civic_series["trust_mean"] == full.datacollector.model_vars["trust_mean"]
    a, b = case_table(full.journeys.records), case_table(bare.journeys.records)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
