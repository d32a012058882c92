"""Unit tests of the trainer app's pure parts: the pair of models, charts, networks, journey,
controls and the offline-asset discovery."""

from __future__ import annotations

import json
import math
import threading
from decimal import Decimal

import numpy as np
import pytest
import scipy.sparse as sp

from govlab.scenarios import Levers
from govlab.viz import assets, controls
from govlab.viz.charts import Limits, draw_pane, function_colour, png
from govlab.viz.controls import lever_kind, lever_step, shipped_values
from govlab.viz.journey import station_labels, timeline
from govlab.viz.live_charts import nice_top, pane_option
from govlab.viz.network import (
    PARTICIPANT,
    department_edges,
    department_option,
    department_positions,
    residents_option,
    sample_layout,
    sample_nodes,
    sharing_links,
)
from govlab.viz.pair import Pair, PaneSpec
from govlab.viz.session import Session


@pytest.fixture(scope="module")
def stepped() -> Pair:
    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=5, follow=0)
    pair.step(30)
    return pair


def test_pair_runs_both_panes_on_one_seed_and_day(stepped):
    assert stepped.left.day == stepped.right.day == 30
    assert len(stepped.left.days) == len(stepped.left.delay_mean) == 30
    fresh = Pair(PaneSpec("silo"), PaneSpec("silo"), seed=5)
    fresh.step(10)
    assert fresh.left.delay_mean == pytest.approx(fresh.right.delay_mean, nan_ok=True)
    assert fresh.left.trips[-1] == fresh.right.trips[-1]


def test_rebuild_replays_to_the_current_day_and_keeps_the_left_pane(stepped):
    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=5)
    pair.step(12)
    left = pair.left
    pair.rebuild("right", PaneSpec("smart", {"levers.approval": "sequential"}))
    assert pair.left is left
    assert pair.right.day == 12 and len(pair.right.days) == 12
    assert pair.right.scenario.levers.approval == "sequential"


def test_a_change_undone_takes_up_the_replaced_pane_in_the_state_of_a_replay():
    """Front desk off at day 8, back on at day 12: the right pane is the one replaced at day 8,
    stepped on to day 12, in exactly the state of a pane replayed from day 0 (same seed); a
    reset forgets the kept panes."""
    from govlab.model.metrics import summarise

    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=5)
    pair.step(8)
    original = pair.right
    pair.rebuild("right", PaneSpec("smart", {"levers.front_desk": False}))
    pair.step(4)
    pair.rebuild("right", PaneSpec("smart"))
    assert pair.right is original and original.day == 12
    replayed = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=5)
    replayed.step(12)
    for name in ("days", "delay_mean", "delay_p90", "trips", "backlog"):
        np.testing.assert_equal(getattr(original, name), getattr(replayed.right, name), name)
    np.testing.assert_equal(summarise(original.model), summarise(replayed.right.model))
    pair.reset()
    assert pair.kept == {}


def test_reset_and_load_start_over(stepped):
    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=5)
    pair.step(3)
    pair.reset(seed=9)
    assert pair.day == 0 and pair.seed == 9
    pair.load(PaneSpec("silo"), PaneSpec("parallel", {"levers.data_sharing": 0.5}), seed=4)
    assert pair.seed == 4 and pair.right.scenario.levers.data_sharing == 0.5


def test_backlog_by_function_adds_up_to_the_cases_in_departments(stepped):
    pane = stepped.left
    in_system = sum(d.in_system for d in pane.model.departments)
    assert float(np.sum(pane.backlog[-1])) == in_system
    assert len(pane.backlog[-1]) == len(pane.functions)


def test_civic_series_appear_when_the_model_collects_them(stepped):
    for name in ("participation_rate", "trust_mean"):
        series = stepped.right.civic(name)
        if name in stepped.right.model.datacollector.model_vars:
            assert len(series) == len(stepped.right.days)
        else:
            assert series is None


def test_charts_share_axes_and_render(stepped):
    limits = Limits.of(*stepped.panes)
    assert limits.days >= 30
    assert limits.delay >= max(v for v in stepped.left.delay_p90 if not math.isnan(v))
    data = png(draw_pane(stepped.left, limits))
    assert data.startswith(b"\x89PNG")


def test_department_layout_is_fixed_and_links_follow_documents(stepped):
    model = stepped.right.model
    keys = tuple((d.function, d.district) for d in model.departments)
    first = department_positions(keys, model.config.world.districts)
    assert department_positions(keys, model.config.world.districts) is first  # computed once
    assert len(set(first.values())) == len(keys)  # no two departments on one spot
    links = sharing_links(model.config)
    assert ("public_security", "civil_affairs") in links or links
    for i, j in department_edges(model):
        a, b = model.departments[i].district, model.departments[j].district
        assert a is None or b is None or a == b
    option = department_option(model, "zh")
    links, nodes, labels = option["series"][:3]
    queues = [d.queue_length for d in model.departments]
    assert [node["value"][2] for node in nodes["data"]] == queues
    assert str(sum(queues)) in option["title"]["text"] and "部门网络" in option["title"]["text"]
    share = model.config.levers.data_sharing
    assert len(links["data"]) == (len(department_edges(model)) if share > 0 else 0)
    assert len(labels["data"]) == model.config.world.districts
    from govlab.viz.i18n import function_label

    functions = sorted({d.function for d in model.departments})  # every node colour explained
    assert option["legend"]["data"] == [function_label(f, "zh") for f in functions]
    legend_series = option["series"][3:]
    assert [x["itemStyle"]["color"] for x in legend_series] == [
        function_colour(f) for f in functions
    ] and all(x["data"] == [] for x in legend_series)
    json.dumps(option)  # what the widget sends


def test_resident_sample_keeps_a_few_hundred_connected_nodes():
    rng = np.random.default_rng(1)
    n = 2_000
    rows = rng.integers(n, size=8_000)
    cols = rng.integers(n, size=8_000)
    adjacency = sp.csr_array((np.ones(16_000), (np.r_[rows, cols], np.r_[cols, rows])), (n, n))
    nodes = sample_nodes(adjacency, size=300, seed=2)
    assert len(nodes) == 300 and len(set(nodes.tolist())) == 300
    xy = sample_layout(adjacency, nodes, seed=2)
    assert xy.shape == (300, 2)
    big = 2021251017632032385  # a stored run's 63-bit seed (networkx seeds only 32 bits)
    assert sample_layout(adjacency, nodes[:50], seed=big).shape == (50, 2)
    assert sample_nodes(adjacency, size=50, seed=big).shape == (50,)

    from types import SimpleNamespace

    population = SimpleNamespace(columns={"participating": rng.random(n) < 0.3})
    fake = SimpleNamespace(network=adjacency, population=population)
    option = residents_option(fake, nodes, xy, "en")
    active = population.columns["participating"][nodes]
    links, points = option["series"][:2]
    colours = [node["itemStyle"]["color"] for node in points["data"]]
    assert colours.count(PARTICIPANT) == int(active.sum())
    assert f"{int(active.sum())} participating" in option["title"]["text"]
    assert option["legend"]["data"] == ["participating", "not participating"]
    sub = adjacency[nodes][:, nodes]
    assert len(links["data"]) == sp.triu(sub, k=1).nnz


def test_journey_timeline_counts_trips_waits_and_returns(stepped):
    labels = station_labels(stepped.left.model.layout)
    trace = [
        (1.0, "open", -1),
        (1.0, "trip", -1),
        (1.2, "arrive", 0),
        (1.5, "start", 0),
        (1.6, "finish", 0),
        (1.6, "return", 0),
        (3.0, "trip", -1),
        (3.1, "arrive", 0),
        (3.1, "start", 0),
        (3.2, "finish", 0),
        (3.2, "arrive", 1),
        (3.2, "start", 1),
        (4.0, "finish", 1),
        (4.5, "arrive", 2),
        (4.5, "start", 2),
        (5.0, "finish", 2),
        (5.0, "complete", -1),
    ]
    tl = timeline(trace, labels)
    assert tl.end == pytest.approx(4.0)
    assert tl.trips == [0.0, 2.0]
    assert len(tl.returns) == 1 and len(tl.services) == 4
    assert tl.waits[0][1:] == pytest.approx((0.2, 0.5))
    assert tl.handoffs == 1  # counter -> back office is one department; then another department
    live = stepped.left.trace()
    if live is not None:
        assert timeline(live, labels).trips


def test_days_per_frame_follow_the_speed_and_stop_at_the_stop_day():
    session = Session.start("silo", "silo", seed=1)
    session.speed = 10
    assert session.days_this_frame(0.1, 0.0) == (1, pytest.approx(0.0))
    assert session.days_this_frame(0.25, 0.0) == (2, pytest.approx(0.5))
    assert session.days_this_frame(5.0, 0.0)[0] == 5  # a slow frame catches up at most 0.5 s
    session.stop_at = 3
    assert session.days_this_frame(0.45, 0.0)[0] == 3


def test_every_shipped_lever_value_lies_on_its_slider():
    """A slider whose steps miss a shipped value snaps it on showing and rebuilds the pane."""
    for name in Levers.model_fields:
        kind, (low, *_) = lever_kind(name) if lever_kind(name)[1] else (None, (0,))
        if kind != "float":
            continue
        step = Decimal(str(lever_step(name)))
        for value in shipped_values(name):
            steps = (Decimal(repr(value)) - Decimal(repr(low))) / step
            assert steps == steps.to_integral_value(), (name, value, step)


def test_a_shipped_value_off_the_coarse_grid_gets_a_finer_step(monkeypatch):
    """Issue 13 met responsiveness = 0.33 on a 0.05 slider (snapped to 0.35, rebuilding the pane
    by itself); that lever has since left the schema, so the rule is checked on a stand-in."""
    monkeypatch.setattr(controls, "shipped_values", lambda name: (0.0, 0.33, 0.5))
    assert controls.lever_step("transparency") == 0.01
    monkeypatch.setattr(controls, "shipped_values", lambda name: (0.1, 0.125))
    assert controls.lever_step("transparency") == 0.005


def test_lever_controls_cover_every_lever_kind():
    assert lever_kind("front_desk") == ("switch", ())
    assert lever_kind("approval") == ("select", ("sequential", "parallel"))
    assert lever_kind("data_sharing") == ("float", (0.0, 1.0))
    assert lever_kind("platform_openness") == ("int", (0, 3))


def test_asset_discovery_names_the_exact_packages_solara_requests():
    packages = assets.discover_packages()
    assert "requirejs@2.3.6" in packages
    assert any(p.startswith("@widgetti/solara-vuetify-app@") for p in packages)
    assert not any(p.startswith("@widgetti/solara-vuetify3-app@") for p in packages)  # ipyvue<2
    assert all("@" in p.lstrip("@") for p in packages)


def test_integrity_check_rejects_a_changed_tarball():
    import base64
    import hashlib

    data = b"tarball"
    good = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    assets._check_integrity(data, good, "x@1.0.0")
    with pytest.raises(RuntimeError):
        assets._check_integrity(data + b"!", good, "x@1.0.0")


def test_open_cases_axis_covers_the_peak_not_only_today():
    """Issue 13: the backlog chart's y-limit came from the last day and cut the peaks."""
    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=5)
    pair.step(60)
    totals = [float(np.sum(day)) for pane in pair.panes for day in pane.backlog]
    last = max(float(np.sum(pane.backlog[-1])) for pane in pair.panes)
    assert max(totals) > last  # this run has a peak before today (the test can tell)
    limits = Limits.of(*pair.panes)
    assert limits.backlog >= max(totals)
    option = pane_option(pair.left, limits, "#000")
    assert option["yAxis"][2]["max"] >= max(totals)
    assert nice_top(27.5) == 30 and nice_top(150) == 150 and nice_top(4.79) == 5


def test_response_office_controls_change_the_right_model_and_undo_restores_it():
    """The panel's response office controls are overrides of the right pane's scenario: the
    rebuilt model's office runs them; setting the scenario's own value again removes the change."""
    session = Session.start("silo", "smart", seed=2)
    session.pair.step(5)
    session.set_lever("response_office.rule", "discretionary")
    session.set_lever("response_office.staff_per_10k_residents", 0.5)
    right = session.pair.right
    assert right.day == 5
    assert right.model.config.response_office.rule == "discretionary"
    assert right.model.config.response_office.staff_per_10k_residents == 0.5
    assert session.shown().lever_changes == {
        "response_office.rule": "discretionary",
        "response_office.staff_per_10k_residents": 0.5,
    }
    session.set_lever("response_office.rule", "every_request")  # smart's own value
    assert session.shown().lever_changes == {"response_office.staff_per_10k_residents": 0.5}
    for name in controls.OFFICE_CONTROLS:
        kind, extra = lever_kind(name)
        assert kind in ("select", "float"), name
        if kind == "float":
            assert all(extra[0] <= v <= extra[1] for v in shipped_values(name)), name


class _NotingLock:
    """A page's render lock that notes when the play loop starts waiting for it."""

    def __init__(self) -> None:
        self.lock, self.waited = threading.Lock(), threading.Event()

    def acquire(self, timeout: float = -1) -> bool:
        self.waited.set()
        return self.lock.acquire(timeout=timeout)

    def release(self) -> None:
        self.lock.release()


@pytest.mark.parametrize("stop", ["pause", "reset"])
def test_no_day_is_stepped_after_pause_or_reset(stop):
    """The play loop waits for the page to finish a render (a click's) before each frame; a pause
    or reset clicked meanwhile must hold: the loop steps no more days once it is asked to stop
    (it stepped one more frame after the paused page showed, issue 18)."""
    session = Session.start("silo", "silo", seed=1)
    session.render_lock = _NotingLock()
    session.render_lock.lock.acquire()  # the page is rendering a click
    session.playing = True
    loop = threading.Thread(target=session.play)
    loop.start()
    assert session.render_lock.waited.wait(timeout=30)  # the frame waits for that render
    if stop == "pause":
        session.set_playing(False)
    else:
        session.reset()
    session.render_lock.lock.release()
    loop.join(timeout=30)
    assert not loop.is_alive()
    assert session.pair.day == 0 and session.shown().day == 0


def test_every_colour_and_line_style_of_the_live_charts_is_explained():
    """Issue 24 item 4: axis names with units; the delay lines (solid mean, dashed p90) and the
    civic lines (dashed participation, solid trust) have a legend drawn in their own style; every
    stacked function colour is in the functions' legend; text and lines larger on the projector."""
    from govlab.viz.i18n import function_label

    pair = Pair(PaneSpec("silo"), PaneSpec("smart"), seed=3)
    pair.step(12)
    for lang in ("en", "zh"):
        option = pane_option(pair.right, Limits.of(*pair.panes), "#0072b2", lang)
        assert all(axis["name"] for axis in option["yAxis"] + option["xAxis"])
        assert option["yAxis"][0]["name"] == ("working days" if lang == "en" else "工作日")
        drawn = {}  # legend text -> dashed?
        for group in option["graphic"]:
            children = group["children"]
            for line, text in zip(children[::2], children[1::2], strict=True):
                drawn[text["style"]["text"]] = line["style"]["lineDash"] is not None
        lines = {
            s["name"]: s["lineStyle"]["type"] == "dashed"
            for s in option["series"]
            if s["xAxisIndex"] in (0, 3)
        }
        assert drawn == lines and len(lines) == 4 and sum(lines.values()) == 2
        areas = [s for s in option["series"] if s["xAxisIndex"] == 2]
        (functions,) = option["legend"]
        assert sorted(functions["data"]) == sorted(s["name"] for s in areas)
        assert sorted(functions["data"]) == sorted(
            function_label(f, lang) for f in pair.right.functions
        )
    normal = pane_option(pair.right, Limits.of(*pair.panes), "#0072b2", "en")
    projector = pane_option(pair.right, Limits.of(*pair.panes), "#0072b2", "en", projector=True)
    assert projector["textStyle"]["fontSize"] >= 16 > normal["textStyle"]["fontSize"]
    assert projector["xAxis"][0]["axisLabel"]["fontSize"] >= 16
    assert projector["series"][0]["lineStyle"]["width"] > normal["series"][0]["lineStyle"]["width"]


def test_the_journey_line_counts_in_words_that_take_the_number():
    from govlab.viz.journey import Timeline

    line = Timeline(handoffs=1, end=2.0).summary()
    assert line == "done in 2.0 days · 0 trips · 0 counters/back offices · 1 hand-off · 0 returns"


def test_a_lever_changed_after_day_0_is_a_reform_from_today_that_a_link_replays():
    """Issue 23 item 5: after day 0, a lever a schedule can set changes the running model from
    the next day (no replay); the pane's spec records it as a reform of that day, so a link —
    a replay from day 0 — reaches the same state; the strip splits the delay at that day. The
    front desk switched on is such a reform too; switched off (a schedule cannot close a desk)
    it rebuilds the pane from day 0, keeping the other reforms."""
    from govlab.viz.links import comparison_from_query, comparison_query
    from govlab.viz.pair import Pane
    from govlab.viz.views import diff_html, differences

    session = Session.start("silo", "silo", 3)
    session.pair.step(20)
    model = session.pair.right.model
    session.set_lever("data_sharing", 0.9)
    session.set_lever("handoff", "electronic")
    right = session.pair.right
    assert right.model is model  # reformed in place, no replay
    assert right.spec.reforms == (
        (20, "levers.data_sharing", 0.9),
        (20, "levers.handoff", "electronic"),
    )
    assert (
        right.shown_scenario.levers.data_sharing
        == 0.9
        == session.shown().lever_changes["data_sharing"]
    )
    session.pair.step(25)
    twin = Pane(right.spec, 3)  # what a link opens: the spec replayed from day 0
    for _ in range(45):
        twin.step()
    assert twin.model.journeys.records.rows() == right.model.journeys.records.rows()
    assert twin.model.civic_series == right.model.civic_series
    link = comparison_from_query(comparison_query(session.shown()))
    assert link.reforms == right.spec.reforms and link.overrides == {}
    diffs = differences(session.pair)
    assert diffs["reform_day"] == 20.0
    # the cases opened since follow the new rules; those before only share the lighter queues
    assert diffs["delay_since"] < diffs["delay_before"] < 0
    assert "reform from day 20" in diff_html(diffs, "en") and "第 20 天起改革" in diff_html(
        diffs, "zh"
    )
    session.set_lever("front_desk", True)  # the desks open from today too (no replay)
    right = session.pair.right
    assert right.model is model and right.spec.reforms[-1] == (45, "levers.front_desk", True)
    session.pair.step(5)
    twin = Pane(right.spec, 3)
    for _ in range(50):
        twin.step()
    assert twin.model.journeys.records.rows() == right.model.journeys.records.rows()
    assert right.model.front_desks.opened_on == {d: 45 for d in range(6)}
    session.set_lever("front_desk", False)  # a desk cannot close mid-run: a rebuild from day 0
    right = session.pair.right
    assert right.model is not model and right.day == 50
    assert right.spec.overrides == {} and len(right.spec.reforms) == 2
    assert not right.model.front_desks.open.any()
