"""`govlab scenarios` and `govlab run`: output, determinism, and one-line errors with status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

REQUIRED_KEYS = {
    "scenario",
    "seed",
    "days",
    "cases_completed",
    "delay_mean_days",
    "delay_p50_days",
    "delay_p90_days",
    "delay_p99_days",
    "trips_per_case",
    "share_at_most_one_trip",
    "documents_resubmitted_per_case",
    "handoffs_per_case",
    "offices_per_case",
    "business_registration_days_mean",
    "runout_days",
    "runout_open_cases",
}
SMALL = [
    "--set",
    "world.residents=5000",
    "--set",
    "world.enterprises=300",
    "--set",
    "world.warmup_days=5",
]


def govlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "govlab", *args], capture_output=True, text=True, timeout=120
    )


def test_scenarios_lists_the_ladder_one_line_each():
    result = govlab("scenarios")
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[:6]] == [
        "silo", "front_desk", "data_sharing", "parallel", "seamless", "smart",
    ]  # fmt: skip


def test_run_json_is_one_object_and_byte_identical_for_a_seed():
    first = govlab("run", "silo", "--days", "40", "--seed", "3", "--json", *SMALL)
    again = govlab("run", "silo", "--days", "40", "--seed", "3", "--json", *SMALL)
    other = govlab("run", "silo", "--days", "40", "--seed", "4", "--json", *SMALL)
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout
    summary = json.loads(first.stdout)
    assert set(summary) >= REQUIRED_KEYS
    assert summary["scenario"] == "silo" and summary["seed"] == 3 and summary["days"] == 40
    assert summary["cases_completed"] > 0
    assert first.stdout.count("\n") == 1


def test_run_prints_a_table_and_applies_overrides():
    result = govlab("run", "front_desk", "--days", "20", *SMALL, "--set", "world.districts=2")
    assert result.returncode == 0, result.stderr
    assert "note" not in result.stderr  # 20 days >= twice the 5-day warm-up
    assert "front_desk" in result.stdout
    assert "trips per case" in result.stdout
    plain = json.loads(govlab("run", "silo", "--days", "20", "--json", *SMALL).stdout)
    overridden = json.loads(
        govlab(
            "run", "silo", "--days", "20", "--json", *SMALL, "--set", "levers.front_desk=true"
        ).stdout
    )
    assert plain["offices_per_case"] > 1.5
    assert overridden["offices_per_case"] == 1.0


def test_run_accepts_a_scenario_file(tmp_path):
    path = tmp_path / "reform.toml"
    path.write_text('extends = "silo"\n[levers]\nhandoff = "electronic"\n')
    result = govlab("run", str(path), "--days", "10", "--json", *SMALL)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenario"] == "reform"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "utopia"], "unknown scenario 'utopia'"),
        (["run", "silo", "--set", "levers.front_desk"], "expected dotted.path=value"),
        (["run", "silo", "--set", "levers.data_sharing=2"], "levers.data_sharing"),
        (["run", "silo", "--set", "levers.warp_drive=1"], "levers.warp_drive: unknown key"),
        (["run", "silo", "--set", "world.districts=zero"], "world.districts"),
        (["run", "silo", "--days", "-3"], "--days"),
        (["run"], "Missing argument"),
        (["fly"], "No such command"),
    ],
)
def test_bad_input_is_one_line_and_status_2(args, expected):
    result = govlab(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_scenario_file_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[levers]\nplatform_openness = 7\n")
    result = govlab("run", str(path))
    assert result.returncode == 2
    assert str(path) in result.stderr and "levers.platform_openness" in result.stderr
    assert "<= 3" in result.stderr


def test_run_shorter_than_twice_the_warm_up_says_how_short_its_delay_window_is():
    result = govlab("run", "silo", "--days", "8", "--json", *SMALL)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("\n") == 1
    assert "leaves 3 days of arrivals after the 5-day warm-up" in result.stderr
    assert "--days 10" in result.stderr
    assert json.loads(result.stdout)["days"] == 8
