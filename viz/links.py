"""A link that reopens the same comparison: scenarios, the right pane's lever changes, seed, day.

``comparison_query`` writes the page address's query (``?left=silo&right=smart&seed=1&day=40&
lang=zh&levers.front_desk=false``); ``comparison_from_query`` reads it back and validates it
(unknown scenarios, bad levers, seeds, days or languages raise ``InputError`` naming the
parameter). ``link_language`` reads only the language (a link without one follows the
browser). A link's day is at most ``LINK_MAX_DAY``: the page replays it when it opens, at the
server's cost.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from govlab.scenarios import ScenarioError, shipped_scenarios
from govlab.scenarios.schedule import SCHEDULABLE
from govlab.viz.pair import PaneSpec
from govlab.viz.session import CONTROL_SECTIONS, InputError, Shown, parse_seed

# the day a link may name: replaying the default pair costs ~3 ms of server time per working day
# on an idle 2-core machine and 12-18 ms under load (the review's day=5000 link took 71 s), so
# 1,000 days (four working years, twice the longest shipped experiment's 500 days) is 3-18 s,
# replayed while the page shows, and pausable
LINK_MAX_DAY = 1_000


@dataclass(frozen=True)
class Comparison:
    """What a link names."""

    left: str
    right: str
    seed: int
    day: int = 0
    overrides: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None  # the page's language (None: the browser's)
    reforms: tuple[tuple[int, str, Any], ...] = ()  # the right pane's changes from a later day


LANGUAGES = ("en", "zh")


def comparison_query(shown: Shown, lang: str | None = None) -> str:
    """The query string (with ``?``) that reopens what ``shown`` shows (in ``lang``)."""
    items = [("left", shown.left), ("right", shown.right), ("seed", shown.seed)]
    items.append(("day", shown.day))
    if lang is not None:
        items.append(("lang", lang))
    items += [(key, json.dumps(value)) for key, value in shown.overrides]
    if shown.reforms:
        items.append(("reforms", json.dumps([list(reform) for reform in shown.reforms])))
    return "?" + urllib.parse.urlencode(items)


def comparison_from_query(query: str | None) -> Comparison | None:
    """The comparison a query names (None without ``left``/``right``); validated."""
    params = dict(urllib.parse.parse_qsl((query or "").lstrip("?")))
    if "left" not in params and "right" not in params:
        return None
    names = shipped_scenarios()
    for side in ("left", "right"):
        if params.get(side, "") not in names:
            raise InputError(side, f"link: {side} must be one of {', '.join(names)}")
    overrides = {}
    for key, text in params.items():
        if key.split(".")[0] in CONTROL_SECTIONS:
            try:
                overrides[key] = json.loads(text)
            except json.JSONDecodeError:
                raise InputError(key, f"link: {key} has an unreadable value {text!r}") from None
    reforms = link_reforms(params.get("reforms", "[]"))
    try:
        PaneSpec(params["right"], overrides, reforms).build()
    except ScenarioError as error:
        raise InputError("levers", f"link: {error}") from None
    return Comparison(
        left=params["left"],
        right=params["right"],
        seed=parse_seed(params.get("seed", "1")),
        day=link_day(params.get("day", "0")),
        overrides=overrides,
        lang=link_language(query),
        reforms=reforms,
    )


def link_reforms(text: str) -> tuple[tuple[int, str, Any], ...]:
    """A link's ``reforms``: a JSON list of [day, "levers.<lever a schedule can set>", value],
    each day from 1 to ``LINK_MAX_DAY``; the values are checked when the scenario is built."""
    allowed = (
        f'link: reforms must be a list of [day 1..{LINK_MAX_DAY}, "levers.<lever>", value] with '
        f"a lever among {', '.join(SCHEDULABLE)}"
    )
    try:
        items = json.loads(text)
        reforms = tuple((int(day), str(key), value) for day, key, value in items)
    except (json.JSONDecodeError, TypeError, ValueError):
        raise InputError("reforms", allowed) from None
    for day, key, _ in reforms:
        if not 1 <= day <= LINK_MAX_DAY or key.removeprefix("levers.") not in SCHEDULABLE:
            raise InputError("reforms", allowed)
        if not key.startswith("levers."):
            raise InputError("reforms", allowed)
    return reforms


def link_language(query: str | None) -> str | None:
    """The language a link names (``lang=en|zh``), None without one; another is refused."""
    params = dict(urllib.parse.parse_qsl((query or "").lstrip("?")))
    lang = params.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise InputError("lang", f"link: lang must be one of {', '.join(LANGUAGES)} (got {lang!r})")
    return lang


def link_day(text: str) -> int:
    """A link's ``day``: a whole number of working days from 0 to ``LINK_MAX_DAY``."""
    allowed = f"link: day must be a whole number of working days from 0 to {LINK_MAX_DAY}"
    try:
        day = int(text.strip())
    except ValueError:
        raise InputError("day", f"{allowed} (got {text!r})") from None
    if not 0 <= day <= LINK_MAX_DAY:
        raise InputError("day", f"{allowed} (got {day})")
    return day
