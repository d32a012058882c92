"""Unit tests of the trainer app's Solara components, rendered without a browser."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import pytest
import solara

from viz.app import Page
from viz.controls import LeverControls, Transport
from viz.pair import Pair, PaneSpec
from viz.results_page import ResultsPage
from viz.views import JourneyView, PaneView


@pytest.fixture
def pair() -> Pair:
    return Pair(PaneSpec("silo"), PaneSpec("smart"), seed=3)


def _image_values(rc, cls: str) -> bytes:
    """The PNG shown by the image widget carrying CSS class ``cls``."""
    (image,) = [w for w in rc.find(ipywidgets.Image).widgets if cls in w._dom_classes]
    return image.value


def _click(rc, label: str) -> None:
    """Click the button labelled ``label`` (buttons with icons have the icon as first child)."""
    (button,) = [w for w in rc.find(v.Btn).widgets if label in w.children]
    button.click()


def _text(rc, cls: str) -> str:
    return rc.find(v.Html, class_=cls).widget.children[0]


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


def test_step_advances_both_panes_and_redraws(pair):
    version = solara.reactive(0)

    @solara.component
    def Panes():
        Transport(
            pair,
            solara.use_reactive(False),
            solara.use_reactive("auto"),
            lambda: version.set(version.value + 1),
            day=pair.day,
        )
        PaneView(pair, "left", version.value)
        PaneView(pair, "right", version.value)

    _, rc = solara.render(Panes(), handle_error=False)
    before = _image_values(rc, "govlab-charts-right")
    for _ in range(3):
        _click(rc, "Step")
    assert pair.left.day == pair.right.day == 3
    assert _image_values(rc, "govlab-charts-right") != before
    assert _text(rc, "govlab-status-left").startswith("day 3")
    assert set(pair.draw_seconds) >= {"left charts", "right charts", "left departments"}
    rc.close()


def test_lever_switch_rebuilds_the_right_pane_only(pair):
    pair.step(5)
    left, right = pair.left, pair.right

    @solara.component
    def Levers():
        LeverControls(pair, lambda: None)

    _, rc = solara.render(Levers(), handle_error=False)
    switch = rc.find(v.Switch, label="front desk").widget
    assert switch.v_model is True  # smart has a front desk
    switch.v_model = False
    assert pair.left is left and pair.right is not right
    assert pair.right.spec.overrides == {"levers.front_desk": False}
    assert pair.right.day == pair.left.day == 5  # replayed to the current day
    assert pair.right.scenario.levers.front_desk is False
    rc.close()


def test_journey_view_follows_a_case_type(pair):
    @solara.component
    def Journey():
        JourneyView(pair, 0, lambda: None)

    _, rc = solara.render(Journey(), handle_error=False)
    select = rc.find(v.Select, label="case type").widget
    select.v_model = "newborn_bundle"
    names = [plan.name for plan in pair.left.model.plans]
    assert pair.follow_type == names.index("newborn_bundle")
    assert pair.left.followed == pair.right.followed == pair.follow_type
    rc.close()


def test_results_page_without_a_store(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVLAB_DB", f"sqlite:///{tmp_path / 'absent.db'}")
    _, rc = solara.render(ResultsPage(lambda run, base: None), handle_error=False)
    rc.find(v.Alert, class_="govlab-no-results").assert_single()
    assert not (tmp_path / "absent.db").exists()  # reading never creates a store
    rc.close()
