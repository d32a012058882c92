"""The file format of observed figures (scenarios/observed.py): values in the lab's units,
uncertainty rules, and one-line errors naming the file, the field and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from govlab.scenarios import ScenarioError
from govlab.scenarios.observed import WORKING_PER_CALENDAR_DAY, Z90, load_observed

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios" / "observed" / "china.toml"

SOURCE = 'source = { title = "t", issuer = "i", year = 2020, url = "https://example.org/x" }'


def figure(**fields: str) -> str:
    base = {
        "id": '"f1"',
        "metric": '"business_registration_days_mean"',
        "published_value": "22",
        "published_unit": '"calendar days"',
        "as_published": '"22 days"',
        "uncertainty": '{ rule = "rounded" }',
        "period": '"before"',
        "reform": '"r"',
        "place": '"Shanghai"',
        "year": "2017",
    }
    base.update(fields)
    lines = [f"{key} = {value}" for key, value in base.items() if value is not None]
    return "[[figure]]\n" + "\n".join(lines) + "\n" + SOURCE + "\n"


def write(tmp_path: Path, *figures: str, head: str = 'title = "test"\n') -> Path:
    path = tmp_path / "observed.toml"
    path.write_text(head + "\n".join(figures), encoding="utf-8")
    return path


def test_shipped_file_loads_with_values_in_working_days():
    observed = load_observed(SHIPPED)
    by_id = {f.id: f for f in observed.figure}
    days = by_id["sh_db2018_startbiz_days"]
    assert days.value == pytest.approx(22 * 250 / 365)
    assert days.interval == pytest.approx((0.8 * 22 * 250 / 365, 1.2 * 22 * 250 / 365))
    assert days.se == pytest.approx(0.2 * 22 * 250 / 365 / Z90)
    permit = by_id["sh_db2018_permit_days"]
    assert permit.run_metric == "by_case_type.construction_permit.delay_mean_days"
    assert {f.period for f in observed.figure} == {"before", "after"}
    assert all(f.source.url.startswith("http") for f in observed.figure)
    assert not observed.synthetic and observed.unmatched


def test_uncertainty_rules(tmp_path):
    path = write(
        tmp_path,
        figure(id='"a"', uncertainty='{ rule = "se", se = 2.0 }'),
        figure(id='"b"', uncertainty='{ rule = "interval", low = 20, high = 30 }'),
        figure(id='"c"', published_value="1", uncertainty='{ rule = "rounded", resolution = 1 }'),
        figure(
            id='"d"',
            metric='"response_rate"',
            published_value="40",
            published_unit='"percent"',
            uncertainty='{ rule = "rounded", relative = 0.1 }',
        ),
    )
    a, b, c, d = load_observed(path).figure
    factor = WORKING_PER_CALENDAR_DAY
    assert a.se == pytest.approx(2.0 * factor)
    assert a.interval == pytest.approx(
        (22 * factor - Z90 * 2 * factor, 22 * factor + Z90 * 2 * factor)
    )
    assert b.interval == pytest.approx((20 * factor, 30 * factor))
    assert b.se == pytest.approx(8 * factor / Z90)  # the wider side: 30 - 22
    assert c.interval == pytest.approx((0.5 * factor, 1.5 * factor))  # ± half the last digit
    assert d.value == pytest.approx(0.4) and d.interval == pytest.approx((0.36, 0.44))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"metric": '"delay_days"'}, "metric: 'delay_days' is not a lab metric; allowed: "),
        ({"case_type": '"wedding"'}, "case_type: 'wedding' is not a case type; allowed: "),
        (
            {"case_type": '"business_registration"', "metric": '"participation_rate"'},
            "is not measured per case type; allowed with case_type:",
        ),
        ({"period": '"during"'}, "period: Input should be 'before' or 'after'"),
        ({"published_unit": '"weeks"'}, "published_unit: Input should be"),
        ({"uncertainty": '{ rule = "interval", low = 1 }'}, "rule 'interval' needs low and high"),
        ({"uncertainty": '{ rule = "se" }'}, "rule 'se' needs se"),
        ({"uncertainty": '{ rule = "guess" }'}, "uncertainty.rule: Input should be"),
        ({"colour": '"red"'}, "figure.0.colour: unknown key; allowed keys: id, metric"),
        ({"id": '"1x"'}, "id: '1x' must be a letter"),
        ({"year": "1800"}, "figure.0.year: Input should be greater than or equal to 1900"),
    ],
)
def test_bad_figures_are_one_line_naming_file_and_field(tmp_path, fields, expected):
    path = write(tmp_path, figure(**fields))
    with pytest.raises(ScenarioError) as caught:
        load_observed(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert expected in message


def test_duplicate_ids_and_bad_files(tmp_path):
    with pytest.raises(ScenarioError, match="id 'f1' appears twice"):
        load_observed(write(tmp_path, figure(), figure()))
    with pytest.raises(ScenarioError, match="no such file of observed figures"):
        load_observed(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("title = ", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_observed(bad)
    with pytest.raises(ScenarioError, match="figure: Field required"):
        load_observed(write(tmp_path))


def test_select_by_place_period_and_ids(tmp_path):
    observed = load_observed(
        write(
            tmp_path,
            figure(id='"a"'),
            figure(id='"b"', period='"after"'),
            figure(id='"c"', place='"Beijing"'),
        )
    )
    assert [f.id for f in observed.select("Shanghai", "before")] == ["a"]
    assert [f.id for f in observed.select(None, "before")] == ["a", "c"]
    assert [f.id for f in observed.select(ids=["b"])] == ["b"]
    with pytest.raises(ScenarioError, match="'z' is not a figure id; allowed: a, b, c"):
        observed.select(ids=["z"])
