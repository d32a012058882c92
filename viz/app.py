"""The trainer app: a silo and a seamless government side by side, in the browser.

``Page`` is the Solara entry point (``solara run viz.app``; ``govlab ui`` starts it). Every browser
session renders its own ``Page`` and so holds its own ``viz.session.Session`` (``solara.use_memo``;
nothing is built at import time). The session is the single source of truth: every control
renders from the ``Shown`` snapshot it publishes, and asks it for changes; while playing, the
session's play loop (a worker thread) applies queued changes between frames, steps the models and
publishes a frame. When the browser's session ends (Solara culls a disconnected kernel after
``SOLARA_KERNEL_CULL_TIMEOUT``, set by ``viz.server``), the page's clean-up stops the loop and
``viz.sessions.release`` frees the session's seat and memory. A visitor beyond the cap on
concurrent sessions (``viz.sessions``) gets ``FullPage`` and no models. A link's day is replayed
by the session's play loop after the page shows (``Session.replay_to``), never before.
"""

from __future__ import annotations

from collections.abc import Callable

import reacton.core
import solara

from govlab.results.provenance import model_version
from govlab.viz import i18n, sessions, style
from govlab.viz.about import AboutPage
from govlab.viz.controls import LeverControls, ScenarioPickers, Transport
from govlab.viz.frame import FrameFeed
from govlab.viz.frame_widgets import FrameSlot
from govlab.viz.links import comparison_from_query, link_language
from govlab.viz.pair import PaneSpec
from govlab.viz.results_page import ResultsPage, StoredRun, version_note
from govlab.viz.session import InputError, Session, Shown
from govlab.viz.views import DownloadBar, JourneyView, PaneView, ResidentSample

DEFAULT_LEFT, DEFAULT_RIGHT, DEFAULT_SEED = "silo", "smart", 1
TAB_LIVE, TAB_JOURNEY, TAB_RESULTS, TAB_ABOUT = 0, 1, 2, 3


def new_session(query: str | None) -> tuple[Session, str]:
    """A session for the page's address at day 0: the comparison a link names, else the default
    pair; a link's day is replayed in the play loop once the page shows (``replay_to``)."""
    try:
        wanted = comparison_from_query(query)
    except InputError as error:
        return Session.start(DEFAULT_LEFT, DEFAULT_RIGHT, DEFAULT_SEED), str(error)
    if wanted is None:
        return Session.start(DEFAULT_LEFT, DEFAULT_RIGHT, DEFAULT_SEED), ""
    session = Session.start(
        wanted.left, wanted.right, wanted.seed, wanted.overrides, wanted.reforms
    )
    session.replay_to(wanted.day)
    return session, ""


def admit(query: str | None) -> tuple[Session, str] | None:
    """``new_session`` if a seat is free (``viz.sessions.SEATS``), else None: nothing built."""
    if not sessions.SEATS.take():
        return None
    try:
        return new_session(query)
    except BaseException:
        sessions.SEATS.give_back()
        raise


def header_language() -> str:
    """A first guess of the page's language, from the websocket's ``Accept-Language`` (not
    always there: the browser's own report, ``BrowserLanguage``, decides once it arrives)."""
    headers = solara.lab.headers.value or {}
    values = headers.get("accept-language") or headers.get("Accept-Language") or [""]
    return i18n.language_of(values[0] if values else "")


@solara.component_vue("browser_language.vue")
def BrowserLanguage(event_report: Callable[[str], None]) -> None:
    """Reports the browser's ``navigator.languages`` (comma-joined) once the page is mounted."""


def follow_browser(lang, chosen) -> Callable[[str], None]:
    """The page's language follows the browser's report unless the user has chosen one."""

    def report(languages: str) -> None:
        if not chosen.value:
            lang.set(i18n.language_of(languages))

    return report


def use_shown(session: Session, select: Callable[[Shown], Shown] | None = None) -> Shown:
    """The session's snapshot, or the part ``select`` takes of it: the calling component
    re-renders when that part changes, and only then (a frame re-renders the views that show the
    day, not the whole page)."""
    take = select or (lambda snapshot: snapshot)
    shown, set_shown = solara.use_state(take(session.shown()))
    if select is None:  # a view of the day has drawn this frame (see Session.wait_rendered)
        session.rendered_frame = max(session.rendered_frame, shown.frame)

    def connect():
        def listener(snapshot: Shown) -> None:
            set_shown(take(snapshot))

        session.listeners.append(listener)
        return lambda: listener in session.listeners and session.listeners.remove(listener)

    solara.use_effect(connect, [])
    return shown


@solara.component
def Page() -> None:
    """The whole app for a visitor with a seat (``Trainer``), else the page saying it is full."""
    router = solara.use_router()
    attempt = solara.use_reactive(0)  # "try again" asks for a seat anew
    admitted = solara.use_memo(lambda: admit(router.search), [attempt.value])

    def connect():
        if admitted is None:
            return None
        session = admitted[0]
        # the browser's session is gone: stop simulating, free the seat and the memory
        return lambda: sessions.release(session)

    solara.use_effect(connect, [admitted])
    if admitted is None:
        FullPage(lambda: attempt.set(attempt.value + 1))
    else:
        Trainer(*admitted)


@solara.component
def FullPage(retry: Callable[[], None]) -> None:
    """Every seat is taken: the limit, and to try again shortly (no models are built)."""
    lang = solara.use_reactive(header_language())
    chosen = solara.use_reactive(False)
    t = i18n.translator(lang.value)
    solara.Title("govlab")
    solara.Style(style.CSS)
    BrowserLanguage(event_report=follow_browser(lang, chosen))
    with solara.Column(classes=["govlab-root", "govlab-full"], style={"padding": "24px"}):
        solara.HTML(tag="h2", unsafe_innerHTML=t("govlab — the trainer is full"))
        solara.Info(
            t(
                "{limit} sessions are open, the most this server runs at once. Please try "
                "again in a minute: a session frees its place when its tab is closed."
            ).format(limit=sessions.max_sessions()),
            classes=["govlab-full-message"],
        )
        solara.Button(t("Try again"), icon_name="mdi-refresh", color="primary", on_click=retry,
                      classes=["govlab-try-again"])  # fmt: skip


@solara.component
def Trainer(session: Session, link_problem: str) -> None:
    """The trainer: live panes, journey and resident networks, stored results, about."""
    shown = use_shown(session, Shown.controls)
    session.render_lock = reacton.core.get_render_context().thread_lock
    search = solara.use_router().search
    linked = solara.use_memo(lambda: _link_language(search), [])
    lang = solara.use_reactive(linked or header_language())
    # chosen by the user or named by the link: the browser's report then does not decide
    language_chosen = solara.use_reactive(linked is not None)
    projector = solara.use_reactive(False)
    show_levers = solara.use_reactive(True)
    tab = solara.use_reactive(TAB_LIVE)
    problem = solara.use_reactive(link_problem)
    version = solara.use_reactive("")  # a stored run of another model version was opened
    t = i18n.translator(lang.value)
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
        version.set(version_note(run, model_version(), lang.value))
        tab.set(TAB_LIVE)
        session.replay_to(run.days, "run")  # a stored run opens at its last day

    def toggle_projector() -> None:
        on = not projector.value
        projector.set(on)
        show_levers.set(not on)  # the lever panel folds away on the projector

    def choose_language(value: str) -> None:
        language_chosen.set(True)
        lang.set(value)

    solara.Title("govlab")
    solara.Style(style.CSS)
    BrowserLanguage(event_report=follow_browser(lang, language_chosen))
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
            DayCounter(session, lang.value)
            ScenarioPickers(session, shown.choices(), lang.value)
            i18n.ChoiceSelect(
                t("language"),
                list(i18n.LANGUAGES),
                lang.value,
                choose_language,
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
        FrameFeed(session, lang.value, projector.value)  # every view of the day: one message
        if problem.value:
            solara.Error(problem.value)
        if version.value:
            solara.Warning(version.value, classes=["govlab-version-note"], dense=True)
        with solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab(t("Side by side")):
                pass  # the live panes stay built under the tabs (below): switching back is instant
            with solara.lab.Tab(t("Journey & residents")):
                JourneyTab(session, lang.value)
            with solara.lab.Tab(t("Results")):
                ResultsPage(open_run, lang.value)
            with solara.lab.Tab(t("About")):
                AboutPage(lang.value)
        # built once and hidden on the other tabs (not rebuilt on every return, as a lazy tab's
        # content is: that took most of a tab switch)
        live = ["govlab-live"] + ([] if tab.value == TAB_LIVE else ["govlab-hidden"])
        with solara.Column(classes=live, gap="0"):
            LivePanes(session, shown, lang.value, projector.value, show_levers)


def _link_language(query: str | None) -> str | None:
    """The language the page's link names, if any (a bad one is ignored here: ``new_session``
    reports the link's problem)."""
    try:
        return link_language(query)
    except InputError:
        return None


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
        FrameBar(session, lang)
    # one structure whether the lever panel shows or not (moving the panes to another parent
    # leaves their widgets blank in the browser): the panel folds away by its style
    panel = ["govlab-lever-column"] + ([] if show_levers.value else ["govlab-hidden"])
    with solara.Row(gap="6px", style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        with solara.Column(classes=panel):
            LeverControls(session, shown.choices(), pair.right.shown_scenario, lang)
        with solara.Column(classes=["govlab-panes-column"]):
            TwoPanes(session, lang, projector)


@solara.component
def DayCounter(session: Session, lang: str) -> None:
    """Today's working day (and the day play pauses at): a slot of the page's frame
    (``viz.frame``); the line of a replay under it, from the controls' snapshot."""
    shown = use_shown(session, Shown.controls)
    t = i18n.translator(lang)
    FrameSlot("counter", "span", ["govlab-day"], "font-size: 1.3em; font-weight: bold")
    if shown.replaying:  # a link's day or a stored run's last: the counter climbs meanwhile
        going = {
            "link": "replaying the link to day {day}…",
            "run": "replaying the stored run to its last day, {day}…",
        }[shown.replay_kind]
        line = going if shown.playing else "replay paused (Play resumes it)"
        solara.Text(t(line).format(day=shown.stop_at), classes=["govlab-replay"])


@solara.component
def FrameBar(session: Session, lang: str) -> None:
    """The difference strip (a slot of the page's frame) and the downloads."""
    FrameSlot("diff", "div", ["govlab-diff"])
    with solara.Row(classes=["govlab-not-projector"]):
        DownloadBar(session, lang)


@solara.component
def JourneyTab(session: Session, lang: str) -> None:
    """The journey of one case in both governments and the resident networks, per frame."""
    shown = use_shown(session)
    JourneyView(session, shown.frame, lang)
    with solara.Columns([1, 1]):
        ResidentSample(session.pair, "left", shown.frame, lang)
        ResidentSample(session.pair, "right", shown.frame, lang)


@solara.component
def TwoPanes(session: Session, lang: str, projector: bool) -> None:
    """The left and the right government (slots of the page's frame: re-rendered only when the
    scenarios change, not per frame)."""
    shown = use_shown(session, Shown.choices)
    with solara.Columns([1, 1], gutters_dense=True):
        PaneView(session.pair, "left", lang, projector, shown.left)
        PaneView(session.pair, "right", lang, projector, shown.right)
