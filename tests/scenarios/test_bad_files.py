"""Bad scenario input through the real ``govlab run`` (issue 19, item 3): nesting too deep, wrong
types (strict bools and counts), non-finite numbers, empty catalogues, an override emptying a
table. Each is one line naming the file (or ``--set``) and the field, status 2. What the shipped
files and ordinary overrides use keeps working (``true`` for a bool, an integer for a real).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govlab.experiments.optimise_spec import load_optimisation
from govlab.experiments.spec import load_experiment
from govlab.scenarios import load_scenario, shipped_scenarios
from govlab.scenarios.tomlfile import MAX_DEPTH
from tests.cli_process import govlab, one_line_error

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
DEEP = "[" * 5000 + "]" * 5000
SMALL = ["--days", "2", "--seed", "3", "--json",
         "--set", "world.residents=300", "--set", "world.enterprises=20"]  # fmt: skip

# a route of two steps whose second has the branches given
ROUTE = """[services.residence_permit]
applicant = "resident"
rate_per_year = 0.03
steps = [
  {{ function = "social_security", name = "first", approval = false }},
  {{ function = "public_security", name = "second", branches = [{}] }},
]
"""
BAD_FILES = {
    "deep_array": (f"[levers]\nx = {DEEP}\n", ["line 2 (levers.x)", f"more than {MAX_DEPTH} deep"]),
    "deep_inline_tables": ("[world]\ny = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
                           ["line 2 (world.y)", "nested more than"]),
    "deep_dotted_keys": ("[civic]\n" + ".".join(["a"] * 5000) + " = 1\n",
                         ["civic.a.a", "nested more than"]),
    "residents_true": ("[world]\nresidents = true\n", ["world.residents", "valid integer"]),
    "residents_float": ("[world]\nresidents = 4.0e4\n", ["world.residents", "got 40000.0"]),
    "front_desk_one": ("[levers]\nfront_desk = 1\n", ["levers.front_desk", "true | false"]),
    "bundle_all_yes": ('[reengineering]\nbundle_all = "yes"\n',
                       ["reengineering.bundle_all", "got 'yes'"]),
    "share_as_text": ('[levers]\ntransparency = "0.5"\n', ["levers.transparency", "number"]),
    "share_as_bool": ("[levers]\ndata_sharing = true\n", ["levers.data_sharing", "number"]),
    "transparency_nan": ("[levers]\ntransparency = nan\n", ["levers.transparency", "finite"]),
    "threshold_inf": ("[civic]\nthreshold_mean = inf\n", ["civic.threshold_mean", "finite"]),
    "threshold_values_nan": ("[civic]\nthreshold_values = [0.1, nan]\n",
                             ["civic.threshold_values.1", "finite"]),
    "utility_as_text": ('[civic]\nopenness_cost = [0.5, "0.3", 0.2, 0.1]\n',
                        ["civic.openness_cost.1"]),
    "staff_float": ("[functions.tax]\ncounter_staff = 2.5\n",
                    ["functions.tax.counter_staff", "valid integer"]),
    "no_services": ("[services]\n", ["services", "at least 1 item"]),
    "branch_to_nowhere": (ROUTE.format('{to = "nowhere", p = 0.2}'),
                          ["services.residence_permit.steps.1.branches.0.to",
                           "'nowhere' is not one of ['exit', 'first', 'second']"]),
    "branches_over_one": (ROUTE.format('{to = "first", p = 0.7}, {to = "exit", p = 0.6}'),
                          ["services.residence_permit.steps.1.branches", "sum to 1.3; at most 1"]),
    "branch_never": (ROUTE.format('{to = "exit", p = 0}'),
                     ["services.residence_permit.steps.1.branches.0.p", "greater than 0"]),
    "branch_beside": (ROUTE.format('{to = "first", p = 0.5}').replace(", approval = false", ""),
                      ["steps.1.branches.0.to", "'first' neither waits for this step"]),
    # lever schedules (issue 23 item 1): the front desk only opens, real districts, a day
    "schedule_front_desk_off": ("[[schedule]]\nday = 5\ndistricts = [2]\n"
                                "[schedule.levers]\nfront_desk = false\n",
                                ["schedule.0.levers", "front_desk: a front desk opened stays open",
                                 "allowed in a schedule: true", "switching it off mid-run"]),
    "schedule_front_desk_one": ("[[schedule]]\nday = 5\n[schedule.levers]\nfront_desk = 1\n",
                                ["schedule.0.levers.front_desk", "true | false"]),
    "schedule_no_district": ('[[schedule]]\nday = 5\ndistricts = [1, 6]\n'
                             '[schedule.levers]\ndata_sharing = 1\n',
                             ["schedule.0.districts", "6 is not a district", "0 .. 5"]),
    "schedule_bad_value": ('[[schedule]]\nday = 5\n[schedule.levers]\nhandoff = "fax"\n',
                           ["schedule.0.levers.handoff", "applicant | electronic"]),
    "schedule_no_day": ("[[schedule]]\n[schedule.levers]\ndata_sharing = 1\n",
                        ["schedule.0.day", "Field required"]),
    "schedule_nothing_set": ("[[schedule]]\nday = 3\nlevers = {}\n",
                             ["schedule.0: levers: an entry must set at least one of"]),
    "schedule_city_lever_in_a_district": ('[[schedule]]\nday = 5\ndistricts = [1]\n'
                                          '[schedule.levers]\nplatform_openness = 3\n',
                                          ["schedule.0", "platform_openness acts on the whole city",
                                           "names no districts"]),
    "schedule_time_limit_unstaffed": ("[[schedule]]\nday = 5\n[schedule.reengineering]\n"
                                      "backoffice_time_cut = 0.3\n",
                                      ["schedule.0.reengineering", "extra_backoffice_staff",
                                       "at least 1"]),
    "schedule_bundle_unknown": ('[[schedule]]\nday = 5\ndistricts = [1]\n'
                                '[schedule.reengineering]\nbundle_services = ["nope"]\n',
                                ["schedule.0.reengineering", "bundle_services",
                                 "'nope' is not one of"]),
    "schedule_exemption_over_one": ("[[schedule]]\nday = 5\n[schedule.reengineering]\n"
                                    "exemption_share = 2\n",
                                    ["schedule.0.reengineering.exemption_share",
                                     "less than or equal to 1"]),
    # adaptive policies (issue 23 item 3)
    "trigger_no_threshold": ('[[trigger]]\nmetric = "delay_mean_days"\n'
                             '[trigger.levers]\ndata_sharing = 1\n',
                             ["trigger.0", "exactly one of above = X or below = X"]),
    "trigger_city_figure": ('[[trigger]]\nmetric = "response_rate"\nbelow = 0.9\n'
                            '[trigger.levers]\ndata_sharing = 1\n',
                            ["trigger.0", 'response_rate is a city figure; needs watch = "city"']),
    "trigger_no_district": ('[[trigger]]\nmetric = "delay_mean_days"\nabove = 3\n'
                            'districts = [6]\n[trigger.levers]\ndata_sharing = 1\n',
                            ["trigger.0.districts", "6 is not a district", "0 .. 5"]),
    "trigger_front_desk_off": ('[[trigger]]\nmetric = "delay_mean_days"\nabove = 3\n'
                               '[trigger.levers]\nfront_desk = false\n',
                               ["trigger.0.levers", "front_desk: a front desk opened stays open"]),
    "trigger_city_lever_by_district": ('[[trigger]]\nmetric = "delay_mean_days"\nabove = 3\n'
                                       '[trigger.levers]\ncoproduction = 0.5\n',
                                       ["trigger.0", "coproduction acts on the whole city",
                                        'watch = "city"']),
    "trigger_bad_metric": ('[[trigger]]\nmetric = "queue"\nabove = 3\n'
                           '[trigger.levers]\ndata_sharing = 1\n',
                           ["trigger.0.metric", "delay_mean_days", "response_rate"]),
}  # fmt: skip


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_scenario_file_is_one_line_naming_file_and_field(tmp_path, name):
    text, expected = BAD_FILES[name]
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    one_line_error(govlab("run", str(path), *SMALL), str(path), *expected)


BAD_SETS = {
    "services={}": ["--set", "services: refusing to replace the whole table by an empty one"],
    "levers={}": ["--set", "levers: refusing", "14 entries"],
    "functions={}": ["--set", "functions: refusing"],
    f"levers.front_desk={DEEP}": ["--set levers.front_desk", f"more than {MAX_DEPTH} deep"],
    "levers.front_desk=1": ["--set", "levers.front_desk", "true | false"],
    "levers.transparency=nan": ["--set", "levers.transparency", "finite"],
    "world.residents=4e4": ["--set", "world.residents", "valid integer"],
    "world.residents=true": ["--set", "world.residents", "valid integer"],
}


@pytest.mark.parametrize("assignment", BAD_SETS)
def test_bad_override_is_one_line(assignment):
    one_line_error(govlab("run", "silo", *SMALL, "--set", assignment), *BAD_SETS[assignment])


def test_what_files_and_overrides_legitimately_use_still_runs(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "silo"\n[levers]\ntransparency = 1\nfront_desk = true\n')
    result = govlab(
        "run", str(path), *SMALL, "--set", "levers.approval=parallel",
        "--set", "levers.data_sharing=1", "--set", "civic.openness_cost=[0.5, 0.4, 0.3, 0.2]",
        "--set", "levers.handoff=electronic", "--set", "world.districts=2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenario"] == "mine"
    changed = govlab("run", "silo", *SMALL, "--set", "levers.front_desk=true")
    assert changed.returncode == 0, changed.stderr


def test_shipped_files_load_under_strict_types():
    for name in shipped_scenarios():
        load_scenario(name)
    files = sorted(EXPERIMENTS.glob("*.toml"))
    assert len(files) >= 5
    for path in files:
        text = path.read_text()
        if "\npackage = " in text:  # a robustness file
            from govlab.experiments.robust_cli import prepare

            prepare(path)
        elif "[objectives]" in text:
            load_optimisation(path)
        else:
            load_experiment(path)
