"""Unit tests of the trainer app's Solara components, rendered without a browser."""

from __future__ import annotations

import html
import re

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from govlab.viz import app as trainer_app
from govlab.viz.app import Page
from govlab.viz.frame_widgets import FrameChartWidget, FrameSlotWidget, FrameSourceWidget
from govlab.viz.pair import PaneSpec
from govlab.viz.results_page import ResultsPage
from govlab.viz.session import Session


@pytest.fixture
def session() -> Session:
    return Session.start("silo", "smart", seed=3)


def _frame(rc) -> dict:
    """The page's last frame as sent to the browser (``viz.frame``: one message a frame)."""
    return rc.find(FrameSourceWidget).widget.get_state()["frame"]


def _chart_update(rc, cls: str) -> dict:
    """What the last frame sent for the chart carrying CSS class ``cls`` (a whole option or
    the days added)."""
    (chart,) = [w for w in rc.find(FrameChartWidget).widgets if w.attributes.get("class") == cls]
    return _frame(rc)["charts"].get(chart.slot_key, {})


def _image_values(rc, cls: str) -> bytes:
    """The PNG shown by the image widget carrying CSS class ``cls``."""
    (image,) = [w for w in rc.find(ipywidgets.Image).widgets if cls in w._dom_classes]
    return image.value


def _click(rc, label: str) -> None:
    """Click the button labelled ``label`` (buttons with icons have the icon as first child)."""
    (button,) = [w for w in rc.find(v.Btn).widgets if label in w.children]
    button.click()


def _text(rc, cls: str) -> str:
    texts = [w.children for w in rc.find(v.Html).widgets if cls in (w.class_ or "").split()]
    texts += [
        [w.unsafe_innerHTML]
        for w in rc.find(solara.widgets.HTML).widgets
        if cls in w.attributes.get("class", "").split()
    ]
    texts += [  # a slot of the page's frame (viz.frame)
        [html.unescape(re.sub("<[^>]+>", "", _frame(rc)["slots"][w.slot_key]["html"]))]
        for w in rc.find(FrameSlotWidget).widgets
        if cls in w.css_class.split()
    ]
    ((text,),) = texts
    return str(text)


def test_page_builds_its_own_models_per_render():
    _, first = solara.render(Page(), handle_error=False)
    _, second = solara.render(Page(), handle_error=False)
    assert _text(first, "govlab-day") == _text(second, "govlab-day") == "day 0"
    # pressing step in one session leaves the other at day 0
    _click(first, "Step")
    assert _text(first, "govlab-day") == "day 1"
    assert _text(second, "govlab-day") == "day 0"
    first.close()
    second.close()


def test_step_advances_both_panes_and_sends_only_the_days_added(page):
    """The first frame sends each chart whole; once the charts' layout is set (day 1: the open
    cases' areas appear), a step sends the day added to each of their lines and the axes' tops,
    the texts of the new day: every view of the day in one frame."""
    rc, session = page
    first = _frame(rc)
    whole = _chart_update(rc, "govlab-charts-right")["option"]
    assert first["full"] and first["base"] is None and first["day"] == 0
    assert all(series["data"] == [] for series in whole["series"])  # no day yet
    _click(rc, "Step")
    whole = _chart_update(rc, "govlab-charts-right")["option"]  # new lines: sent whole
    for expected in (2, 3, 4):
        _click(rc, "Step")
        frame = _frame(rc)
        assert (frame["day"], frame["full"], frame["base"]) == (expected, False, frame["seq"] - 1)
        update = _chart_update(rc, "govlab-charts-right")
        assert len(update["append"]) == len(whole["series"])
        assert len(update["y"]) == len(update["x"]) == 4
        # one point per line, of today
        assert [[p[0] for p in points] for points in update["append"]] == [[expected]] * len(
            whole["series"]
        )
    assert session.pair.left.day == session.pair.right.day == 4
    assert _text(rc, "govlab-status-left").startswith("day 4")
    assert _text(rc, "govlab-status-right").startswith("day 4")
    assert _text(rc, "govlab-day") == "day 4"
    assert _frame(rc)["slots"]["diff"]["attrs"]["data-day"] == "4"
    assert "day=4" in _frame(rc)["slots"]["link"]["attrs"]["href"]
    assert "frame" in session.pair.draw_seconds


def test_a_rebuilt_pane_is_sent_whole_and_a_browser_that_asks_gets_everything(page):
    """A lever change rebuilds the right pane: its charts are sent whole (the history changed),
    the left's as the day added; a browser that asks for everything (``hello``) gets a whole
    frame."""
    rc, _session = page
    _click(rc, "Step")
    _click(rc, "Step")
    _widget(rc, "govlab-lever-front_desk").v_model = False
    assert "option" in _chart_update(rc, "govlab-charts-right")
    assert [
        series["data"][-1][0]
        for series in _chart_update(rc, "govlab-charts-right")["option"]["series"][:3]
    ] == [2, 2, 2]
    assert "option" not in _chart_update(rc, "govlab-charts-left")  # nothing new: no day added
    source = rc.find(FrameSourceWidget).widget
    source.vue_hello(None)
    frame = _frame(rc)
    assert frame["full"] and all("option" in update for update in frame["charts"].values())
    assert set(frame["charts"]) == {"charts-left", "charts-right", "network-left", "network-right"}


def _widget(rc, cls: str):
    return rc.find(class_=cls).widget


@pytest.fixture
def page(monkeypatch):
    """A rendered ``Page`` and the session it built."""
    made = []
    real = trainer_app.new_session
    monkeypatch.setattr(
        trainer_app, "new_session", lambda query: made.append(real(query)) or made[-1]
    )
    _, rc = solara.render(Page(), handle_error=False)
    yield rc, made[0][0]
    rc.close()


def test_lever_switch_rebuilds_the_right_pane_only(page):
    rc, session = page
    session.step(5)
    left = session.pair.left
    switch = _widget(rc, "govlab-lever-front_desk")
    assert switch.v_model is True  # smart has a front desk
    switch.v_model = False
    assert session.pair.left is left
    assert session.pair.right.spec.overrides == {"levers.front_desk": False}
    assert session.pair.right.day == session.pair.left.day == 5  # replayed to the current day
    assert session.pair.right.scenario.levers.front_desk is False


def _summary(rc) -> str:
    return _text(rc, "govlab-lever-summary")


def test_lever_panel_always_shows_what_the_right_model_runs(page):
    """Issue 13: front desk off, then hand-off to applicant: the panel, the title and the model
    agree (2 changes, front desk still off); picking silo shows silo's levers; a later lever
    change starts from silo, not from smart."""
    rc, session = page
    _widget(rc, "govlab-lever-front_desk").v_model = False
    _widget(rc, "govlab-lever-handoff").v_model = "applicant"
    levers = session.pair.right.scenario.levers
    assert levers.front_desk is False and levers.handoff == "applicant"
    assert _summary(rc).endswith("2 lever(s) changed")
    assert "+2 lever change(s)" in _text(rc, "govlab-title-right")
    assert _widget(rc, "govlab-lever-front_desk").v_model is False
    _widget(rc, "govlab-pick-right").v_model = "silo"
    assert session.pair.right.spec.scenario == "silo" and not session.pair.right.spec.overrides
    assert _summary(rc).endswith("0 lever(s) changed")
    assert _widget(rc, "govlab-lever-front_desk").v_model is False  # silo's, not smart's
    assert _widget(rc, "govlab-lever-approval").v_model == "sequential"
    session.set_lever("transparency", 0.5)
    assert session.pair.right.spec == PaneSpec("silo", {"levers.transparency": 0.5})


def test_setting_a_lever_back_to_its_scenario_value_removes_the_change(page):
    rc, session = page
    _widget(rc, "govlab-lever-front_desk").v_model = False
    _widget(rc, "govlab-lever-front_desk").v_model = True
    assert session.pair.right.spec.overrides == {}
    assert _summary(rc).endswith("0 lever(s) changed")


def test_bad_seed_is_a_message_on_the_field_not_a_traceback(page):
    rc, session = page
    session.pair.step(2)
    seed = _widget(rc, "govlab-seed")
    seed.v_model = "-5"
    assert seed.error and "seed" in str(seed.messages)
    _click(rc, "Reset")  # refused: nothing changes
    assert session.pair.seed == 1 and session.pair.day == 2
    seed.v_model = "7"
    assert not seed.error
    _click(rc, "Reset")
    assert session.pair.seed == 7 and session.pair.day == 0


def test_results_page_without_a_store(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVLAB_DB", f"sqlite:///{tmp_path / 'absent.db'}")
    _, rc = solara.render(ResultsPage(lambda run, base: None), handle_error=False)
    rc.find(v.Alert, class_="govlab-no-results").assert_single()
    assert not (tmp_path / "absent.db").exists()  # reading never creates a store
    rc.close()


def test_opening_a_stored_run_updates_the_pickers_and_the_panel(page):
    """Issue 13: after "Open in the live panes" the pickers still named the old scenarios."""
    rc, session = page
    session.load(PaneSpec("front_desk"), PaneSpec("parallel", {"levers.transparency": 0.5}), 9)
    assert _widget(rc, "govlab-pick-left").v_model == "front_desk"
    assert _widget(rc, "govlab-pick-right").v_model == "parallel"
    assert _summary(rc).endswith("1 lever(s) changed")
    assert _widget(rc, "govlab-seed").v_model == "9"


def test_a_frame_renders_one_component_and_sends_one_message(monkeypatch):
    """A frame (here a step) re-renders the frame's one component, not the page, the pickers,
    the lever panel or the panes; and of the page's widgets only the frame's source sends its
    state (one message to the browser: issue 24 item 1)."""
    from govlab.viz.controls import LeverControls, ScenarioPickers
    from govlab.viz.frame import FrameFeed
    from govlab.viz.views import PaneView as Pane

    _, rc = solara.render(Page(), handle_error=False)
    components = (Page, LeverControls, ScenarioPickers, Pane, FrameFeed)
    counts = [c.render_count for c in components]
    sent = []  # (widget, synced trait) changed: what the browser is sent
    notify = ipywidgets.Widget._notify_trait

    def record(widget, name, old, new):
        if name in widget.keys:
            sent.append((type(widget).__name__, name))
        return notify(widget, name, old, new)

    monkeypatch.setattr(ipywidgets.Widget, "_notify_trait", record)
    for expected in (1, 2, 3):
        _click(rc, "Step")
        assert _text(rc, "govlab-day") == f"day {expected}"
    after = [c.render_count for c in components]
    assert after[:4] == counts[:4], (counts, after)
    assert after[4] == counts[4] + 3  # one render a frame
    assert [(kind, name) for kind, name in sent if kind == "FrameSourceWidget"] == [
        ("FrameSourceWidget", "frame")
    ] * 3  # one message a frame
    others = {kind for kind, _ in sent if kind not in ("FrameSourceWidget", "Btn")}
    assert not others, sent
    rc.close()


def test_chart_widget_sends_the_option_it_is_given():
    from govlab.viz.live_charts import ChartWidget, Opaque

    option = {"series": [{"type": "line", "data": [[0, 1.0], [1, 2.5]]}]}
    widget = ChartWidget(option=Opaque(option))
    assert widget.get_state()["option"] == option
    widget.close()


def _slider_label(rc, lever: str) -> str:
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith(lever)]
    return slider.label


def test_lever_changes_while_playing_show_as_pending_and_collapse_to_the_last(page):
    """Issue 24 item 2: while playing, a burst of slider moves shows each as "applying…" with
    the value asked for (never a third value), the model keeps its own until the play loop runs
    the change, and the burst collapses to one rebuild with the last value."""
    import threading
    import time

    rc, session = page
    pair = session.pair
    rebuilds = []
    rebuild = pair.rebuild
    pair.rebuild = lambda side, spec: rebuilds.append(spec) or rebuild(side, spec)
    gate = threading.Event()  # the play loop waits here before its first frame
    wait = session.wait_rendered
    session.wait_rendered = lambda *args: (gate.wait(60), wait(*args))
    session.set_playing(True)  # the page's task runs the play loop
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith("data sharing")]
    try:
        for value in (0.2, 0.4, 0.6):
            slider.v_model = value
            assert _slider_label(rc, "data sharing") == f"data sharing · applying…: {value:g}"
            assert slider.v_model == value
            assert pair.right.scenario.levers.data_sharing == 0.95  # the model's own, still
            assert session.shown().pending == (("data_sharing", value),)
        assert len(session.pending) == 1  # one queued change for the three moves
    finally:
        gate.set()  # the loop runs its frame: the change, then the day
    deadline = time.monotonic() + 60
    while session.shown().pending and time.monotonic() < deadline:
        time.sleep(0.05)
    session.set_playing(False)
    assert pair.right.scenario.levers.data_sharing == 0.6
    assert [spec.overrides for spec in rebuilds] == [{"levers.data_sharing": 0.6}]
    assert _slider_label(rc, "data sharing") == "data sharing •: 0.6"
    assert "+1 lever change(s)" in _text(rc, "govlab-title-right")
