"""The trainer app: a silo and a seamless government side by side, in the browser.

``Page`` is the Solara entry point (``solara run viz.app``; ``govlab ui`` starts it). Every browser
session renders its own ``Page`` and so holds its own ``viz.session.Session`` (``solara.use_memo``;
nothing is built at import time). The session is the single source of truth: every control
renders from the ``Shown`` snapshot it publishes, and asks it for changes; while playing, the
session's play loop (a worker thread) applies queued changes between frames, steps the models and
publishes a frame. When the browser's session ends (Solara culls a disconnected kernel after
``SOLARA_KERNEL_CULL_TIMEOUT``, set by ``viz.server``), the page's clean-up stops the loop.
"""

from __future__ import annotations

import reacton.core
import solara

from viz import i18n, style
from viz.about import AboutPage
from viz.controls import LeverControls, ScenarioPickers, Transport
from viz.links import comparison_from_query, comparison_query
from viz.pair import PaneSpec
from viz.results_page import ResultsPage, StoredRun
from viz.session import InputError, Session
from viz.views import DiffStrip, DownloadBar, JourneyView, PaneView, ResidentSample

DEFAULT_LEFT, DEFAULT_RIGHT, DEFAULT_SEED = "silo", "smart", 1
TAB_LIVE, TAB_JOURNEY, TAB_RESULTS, TAB_ABOUT = 0, 1, 2, 3


def new_session(query: str | None) -> tuple[Session, str]:
    """A session for the page's address: the comparison a link names, else the default pair."""
    try:
        wanted = comparison_from_query(query)
    except InputError as error:
        return Session.start(DEFAULT_LEFT, DEFAULT_RIGHT, DEFAULT_SEED), str(error)
    if wanted is None:
        return Session.start(DEFAULT_LEFT, DEFAULT_RIGHT, DEFAULT_SEED), ""
    session = Session.start(wanted.left, wanted.right, wanted.seed, wanted.overrides)
    if wanted.day:
        session.pair.step(wanted.day)
    return session, ""


def browser_language() -> str:
    """The page's default language, from the browser's ``Accept-Language``."""
    headers = solara.lab.headers.value or {}
    values = headers.get("accept-language") or headers.get("Accept-Language") or [""]
    return i18n.language_of(values[0] if values else "")


@solara.component
def Page() -> None:
    """The whole app: live panes, journey and resident networks, stored results, about."""
    router = solara.use_router()
    session, link_problem = solara.use_memo(lambda: new_session(router.search), [])
    shown, set_shown = solara.use_state(session.shown())
    session.rendered_frame = max(session.rendered_frame, shown.frame)  # (see wait_rendered)
    session.render_lock = reacton.core.get_render_context().thread_lock
    lang = solara.use_reactive(browser_language())
    projector = solara.use_reactive(False)
    show_levers = solara.use_reactive(True)
    tab = solara.use_reactive(TAB_LIVE)
    problem = solara.use_reactive(link_problem)
    t = i18n.translator(lang.value)

    def connect():
        session.listeners.append(set_shown)

        def disconnect() -> None:  # the browser's session is gone: stop simulating
            session.playing = False
            session.closed.set()
            if set_shown in session.listeners:
                session.listeners.remove(set_shown)

        return disconnect

    solara.use_effect(connect, [])
    solara.lab.use_task(session.play, dependencies=[shown.playing], prefer_threaded=True)

    def open_run(run: StoredRun, baseline: StoredRun | None) -> None:
        pair = session.pair
        left = PaneSpec(baseline.scenario, baseline.overrides) if baseline else pair.left.spec
        try:
            session.load(left, PaneSpec(run.scenario, run.overrides), run.seed)
        except InputError as error:
            problem.set(f"cannot open run {run.key}: {error}")
            return
        problem.set("")
        tab.set(TAB_LIVE)

    def toggle_projector() -> None:
        on = not projector.value
        projector.set(on)
        show_levers.set(not on)  # the lever panel folds away on the projector

    solara.Title("govlab")
    solara.Style(style.CSS)
    root = ["govlab-root", f"govlab-lang-{lang.value}"]
    if projector.value:
        root.append("govlab-projector")
    with solara.Column(
        style={"padding": "2px 10px", "overflow-x": "hidden"}, classes=root, gap="0"
    ):
        solara.HTML(  # hidden on the projector by the page's style
            tag="h2",
            unsafe_innerHTML=t("govlab — silo and seamless government, side by side"),
            classes=["govlab-heading"],
        )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="6px"):
            Transport(session, shown, lang.value)
            ScenarioPickers(session, shown.choices(), lang.value)
            i18n.ChoiceSelect(
                t("language"),
                list(i18n.LANGUAGES),
                lang.value,
                lang.set,
                lang.value,
                kind="language",
                classes=["govlab-language"],
                style={"max-width": "110px"},
            )
            solara.Button(
                t("projector"),
                icon_name="mdi-projector-screen",
                outlined=not projector.value,
                color="primary",
                on_click=toggle_projector,
                classes=["govlab-projector-toggle"],
            )  # fmt: skip
            style.FullScreenButton(t("full screen"))
        if problem.value:
            solara.Error(problem.value)
        with solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab(t("Side by side")):
                LivePanes(session, shown, lang.value, projector.value, show_levers)
            with solara.lab.Tab(t("Journey & residents")):
                JourneyView(session, shown.frame, lang.value)
                with solara.Columns([1, 1]):
                    ResidentSample(session.pair, "left", shown.frame, lang.value)
                    ResidentSample(session.pair, "right", shown.frame, lang.value)
            with solara.lab.Tab(t("Results")):
                ResultsPage(open_run, lang.value)
            with solara.lab.Tab(t("About")):
                AboutPage(lang.value)


@solara.component
def LivePanes(session: Session, shown, lang: str, projector: bool, show_levers) -> None:
    """The difference strip, the two panes and the (folding) lever panel."""
    t = i18n.translator(lang)
    pair = session.pair
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="8px"):
        solara.Button(
            t("levers"),
            icon_name="mdi-tune" if not show_levers.value else "mdi-chevron-left",
            text=True,
            on_click=lambda: show_levers.set(not show_levers.value),
            classes=["govlab-levers-toggle"],
        )
        DiffStrip(pair, shown.frame, lang)
        with solara.Row(classes=["govlab-not-projector"]):
            DownloadBar(pair, shown.frame, lang, comparison_query(shown))
    # one structure whether the lever panel shows or not (moving the panes to another parent
    # leaves their widgets blank in the browser): the panel folds away by its style
    panel = ["govlab-lever-column"] + ([] if show_levers.value else ["govlab-hidden"])
    with solara.Row(gap="6px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Column(classes=panel):
            LeverControls(session, shown.choices(), pair.right.scenario.levers, lang)
        with solara.Column(classes=["govlab-panes-column"]):
            TwoPanes(session, shown, lang, projector)


@solara.component
def TwoPanes(session: Session, shown, lang: str, projector: bool) -> None:
    """The left and the right government."""
    with solara.Columns([1, 1], gutters_dense=True):
        PaneView(session.pair, "left", shown.frame, lang, projector)
        PaneView(session.pair, "right", shown.frame, lang, projector)
