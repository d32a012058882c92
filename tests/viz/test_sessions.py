"""Sessions without a browser: a link's day replayed by the play loop, the cap on concurrent
sessions, and a closed session letting go of its models (issue 19 item 2)."""

from __future__ import annotations

import gc
import itertools
import threading
import weakref

import ipyvuetify as v
import numpy as np
import pytest
import solara

from govlab.model.metrics import summarise
from govlab.viz import app as trainer_app
from govlab.viz import sessions
from govlab.viz.links import LINK_MAX_DAY
from govlab.viz.pair import Pair, PaneSpec
from govlab.viz.session import REPLAY_CHUNK_DAYS, Session, Shown
from tests.viz.test_components import _click, _text


def _drawn(session: Session, on_frame=None) -> list[Shown]:
    """Listen as the page does: every published snapshot counts as drawn at once."""
    frames: list[Shown] = []

    def listener(snapshot: Shown) -> None:
        frames.append(snapshot)
        session.rendered_frame = snapshot.frame
        if on_frame:
            on_frame(snapshot)

    session.listeners.append(listener)
    return frames


def _same_state(replayed: Pair, direct: Pair) -> None:
    assert replayed.day == direct.day
    for mine, theirs in zip(replayed.panes, direct.panes, strict=True):
        assert mine.days == theirs.days
        for name in ("delay_mean", "delay_p90", "trips", "backlog"):
            np.testing.assert_equal(getattr(mine, name), getattr(theirs, name), err_msg=name)
        assert mine.model.civic_series == theirs.model.civic_series
        np.testing.assert_equal(summarise(mine.model), summarise(theirs.model))


def test_a_links_day_is_replayed_in_chunks_to_exactly_that_day():
    """The page opens at day 0; the play loop then reaches day 60 in chunks of at most
    REPLAY_CHUNK_DAYS, every frame published, and ends in the state of stepping 60 days."""
    link = "?left=silo&right=smart&seed=3&day=60&levers.front_desk=false"
    session, problem = trainer_app.new_session(link)
    assert problem == ""
    shown = session.shown()
    assert (shown.day, shown.playing, shown.replaying, shown.stop_at) == (0, True, True, 60)
    frames = _drawn(session)
    session.play()  # what the page's task runs
    days = [frame.day for frame in frames]
    assert days == [25, 50, 60], days  # the counter climbs, chunk by chunk, to the link's day
    end = session.shown()
    assert (end.day, end.playing, end.replaying, end.stop_at) == (60, False, False, None)
    direct = Pair(PaneSpec("silo"), PaneSpec("smart", {"levers.front_desk": False}), seed=3)
    direct.step(60)
    _same_state(session.pair, direct)


def test_a_replay_pauses_and_play_resumes_it():
    session = Session.start("silo", "smart", seed=2)
    session.replay_to(80)

    paused = []

    def pause_after_the_first_chunk(snapshot: Shown) -> None:
        if snapshot.day == REPLAY_CHUNK_DAYS and not paused:
            paused.append(snapshot)
            session.set_playing(False)  # the Pause button

    frames = _drawn(session, pause_after_the_first_chunk)
    session.play()
    paused = session.shown()
    assert (paused.day, paused.playing, paused.replaying, paused.stop_at) == (25, False, True, 80)
    session.set_playing(True)  # the Play button: the replay goes on, unpaced
    session.play()
    assert session.pair.day == 80 and not session.replaying and session.stop_at is None
    # paused at 25 (the pause's frame), resumed there (Play's frame), then on in chunks
    assert [frame.day for frame in frames] == [25, 25, 25, 50, 75, 80]


def test_run_to_day_ends_a_replay_and_plays_at_the_set_speed():
    session = Session.start("silo", "smart", seed=2)
    session.replay_to(500)
    session.run_to("30")
    assert session.replaying is False and session.stop_at == 30
    assert session.days_this_frame(0.1, 0.0)[0] == 1  # paced by the speed again (10 days/s)


@pytest.mark.parametrize("day", [str(LINK_MAX_DAY + 1), "5000", "-1", "soon"])
def test_a_links_day_beyond_the_cap_is_one_line_naming_the_field_and_range(day):
    session, problem = trainer_app.new_session(f"?left=parallel&right=smart&seed=3&day={day}")
    assert problem.startswith("link: day must be a whole number of working days from 0 to 1000")
    assert day in problem and "\n" not in problem
    shown = session.shown()  # the default comparison at day 0, nothing replayed
    assert (shown.left, shown.day, shown.playing, shown.replaying) == ("silo", 0, False, False)


def test_the_cap_on_sessions_comes_from_the_environment():
    assert sessions.max_sessions({}) == sessions.DEFAULT_MAX_SESSIONS == 8
    assert sessions.max_sessions({"GOVLAB_UI_MAX_SESSIONS": " 3 "}) == 3
    for bad in ("0", "-1", "many", "1.5"):
        with pytest.raises(ValueError, match="GOVLAB_UI_MAX_SESSIONS: a whole number"):
            sessions.max_sessions({"GOVLAB_UI_MAX_SESSIONS": bad})


@pytest.fixture
def one_seat(monkeypatch):
    """A cap of one session, with the process's seats counted afresh."""
    monkeypatch.setenv(sessions.MAX_SESSIONS_VARIABLE, "1")
    seats = sessions.Seats()
    monkeypatch.setattr(sessions, "SEATS", seats)
    return seats


def test_a_visitor_beyond_the_cap_gets_a_page_saying_so_and_no_models(one_seat, monkeypatch):
    built = []
    real = trainer_app.new_session
    monkeypatch.setattr(trainer_app, "new_session", lambda query: built.append(1) or real(query))
    _, first = solara.render(trainer_app.Page(), handle_error=False)
    assert _text(first, "govlab-day") == "day 0" and len(built) == 1
    _, second = solara.render(trainer_app.Page(), handle_error=False)
    assert len(built) == 1  # nothing built for the second visitor
    message = second.find(v.Alert, class_="govlab-full-message").widget.children[0]
    assert "1 sessions are open, the most this server runs at once" in message
    assert "try again" in message
    assert not second.find(class_="govlab-day").widgets
    _click(second, "Try again")  # still full
    assert len(built) == 1 and second.find(class_="govlab-full-message").widgets
    first.close()  # the first visitor leaves: the seat is free again
    assert one_seat.taken == 0
    _click(second, "Try again")
    assert len(built) == 2 and _text(second, "govlab-day") == "day 0"
    assert one_seat.taken == 1
    second.close()
    assert one_seat.taken == 0


def test_closing_a_session_drops_its_models_even_if_the_session_is_kept(one_seat):
    """Whatever might still hold the ``Session`` (a thread, a closure), its models are freed."""
    assert one_seat.take()
    session = Session.start("silo", "smart", seed=1)
    session.step(3)
    models = [weakref.ref(pane.model) for pane in session.pair.panes]
    session.listeners.append(lambda snapshot: None)
    thread = sessions.release(session)
    assert one_seat.taken == 0 and session.closed.is_set() and not session.playing
    thread.join(timeout=60)
    gc.collect()
    assert session.pair is None and session.listeners == []
    assert [ref() for ref in models] == [None, None]
    assert sessions.release(session) is None and one_seat.taken == 0  # once only


def test_a_session_closed_while_playing_stops_and_lets_go():
    session = Session.start("silo", "smart", seed=1)
    frames = _drawn(session)
    session.set_playing(True)
    loop = threading.Thread(target=session.play)
    loop.start()
    while not frames:  # the loop has stepped and published
        loop.join(timeout=0.05)
    session.close()
    loop.join(timeout=60)
    assert not loop.is_alive()
    count = len(frames)
    session.drop_models()
    assert session.pair is None
    session.publish()  # a late publish of a closed session tells nobody and does not fail
    assert len(frames) == count


def test_trim_hands_freed_heap_memory_back_to_the_system():
    """What ``release`` relies on: memory Python has freed stays in the process (glibc keeps it)
    until ``malloc_trim``; here 128 MB freed below a live block come back only with the trim."""
    blocks = [b"\x01" * (64 * 1024) for _ in range(2048)]  # from malloc's heap, pages touched
    pin = b"\x02" * (64 * 1024)  # after them: free() alone cannot shrink the heap past it
    del blocks
    freed = sessions.resident_mb()
    if not sessions.trim_heap():
        pytest.skip("no malloc_trim in this C library")
    after = sessions.resident_mb()
    assert freed - after > 64, (freed, after)
    assert pin


def test_reset_ends_a_replay_and_forgets_its_day():
    session = Session.start("silo", "smart", seed=2)
    session.replay_to(300)
    session.reset()
    shown = session.shown()
    assert (shown.day, shown.playing, shown.replaying, shown.stop_at) == (0, False, False, None)


def test_the_play_loop_waits_for_the_browser_to_draw_each_frame():
    """Issue 24 item 3: once the browser reports frames drawn (``viz.frame``), the play loop
    publishes a frame only after the browser has drawn the one before: no frame is ever more
    than one ahead of the browser, and each covers the days the speed asks for."""
    session = Session.start("silo", "smart", seed=1)
    session.set_speed(50)
    session.browser_drawn(session.frame)  # a browser paces this session
    ahead, days = [], []

    def listener(snapshot: Shown) -> None:
        session.rendered_frame = snapshot.frame  # the server has rendered it
        ahead.append(snapshot.frame - session.drawn_frame)
        days.append(snapshot.day)
        # the browser draws it a little later, in its own time
        threading.Timer(0.05, session.browser_drawn, [snapshot.frame]).start()

    session.listeners.append(listener)
    session.run_to(20)
    session.play()
    assert session.pair.day == 20 and days[-1] == 20
    assert set(ahead) == {1}, ahead
    assert all(b > a for a, b in itertools.pairwise(days)), days  # each frame steps on


@pytest.mark.parametrize(
    "reforms",
    ['[[0, "levers.data_sharing", 0.9]]', '[[5, "levers.colour", true]]', "[[5]]", "soon",
     '[[5, "data_sharing", 0.9]]'],
)  # fmt: skip
def test_a_links_bad_reforms_are_one_line_naming_the_field_and_what_is_allowed(reforms):
    import urllib.parse

    query = "?left=silo&right=silo&seed=3&reforms=" + urllib.parse.quote(reforms)
    session, problem = trainer_app.new_session(query)
    assert (
        problem.startswith("link: reforms must be a list of [day 1..1000") and "\n" not in problem
    )
    assert "data_sharing, handoff" in problem
    assert session.shown().reforms == () and session.shown().left == "silo"


def test_a_links_reform_with_a_value_out_of_range_names_the_lever():
    import urllib.parse

    query = "?left=silo&right=silo&reforms=" + urllib.parse.quote('[[5, "levers.data_sharing", 2]]')
    _, problem = trainer_app.new_session(query)
    assert problem.startswith("link: ") and "data_sharing" in problem and "\n" not in problem


def test_a_links_reform_may_open_the_front_desk_but_not_close_it():
    import urllib.parse

    opened = urllib.parse.quote('[[5, "levers.front_desk", true]]')
    session, problem = trainer_app.new_session(f"?left=silo&right=silo&reforms={opened}")
    assert not problem and session.shown().reforms == ((5, "levers.front_desk", True),)
    closed = urllib.parse.quote('[[5, "levers.front_desk", false]]')
    _, problem = trainer_app.new_session(f"?left=smart&right=smart&reforms={closed}")
    assert problem.startswith("link: ") and "\n" not in problem
    assert "front_desk: a front desk opened stays open" in problem
