"""Branch and loop probabilities of a discovered catalogue, estimated from the cases of a log.

The catalogue's routing (``[[services.X.steps]] branches``): when a step ends, its case draws
once and takes a branch ``to`` with probability p — a later step (a forward choice: the chosen
target runs, the other forward targets of the step are skipped), the same or an earlier step it
waits for (a loop: the steps from there up to this one are redone; ``correction`` when the
applicant corrects the file in between), or ``"exit"`` (every later step is skipped); otherwise
the case goes on by its precedence graph. Each completion of a step (an *occurrence*,
``results.discovery.occurrences``) has one outcome, read from what the case does next:

- **loop** to t: the case passes t again, and the occurrence that ended last before it started
  is of t or of a step after t (a redo of the steps after t is the loop going on, not a loop);
  ``correction`` when the case has a ``rework`` event in between;
- **choice** of u: u is one of the steps some cases skip although they went past them, grouped
  by their chooser (the last step preceding them); the chooser's last occurrence without a loop
  chose u when the case holds u and none of the others, and went on (skipping them all) when it
  holds none;
- **exit**: the case's last occurrence, when a step every case holds once past it is absent
  after it (an exit before steps that are all optional looks like going on);
- otherwise it went on.

Per step, each outcome's count k of its n occurrences gives p = k / n with its exact
(Clopper-Pearson) interval. ``correction`` does not show in a log (it scales p by transparency);
the p written is the one the log shows.

Limits: presence is read per case, so a loop that passes a chooser again is taken to choose at its
last pass; a loop is attributed to the occurrence that ended last before the redo (exact for
sequential routes, an approximation inside a parallel fork); a case stopped by the catalogue's
cap on loops counts as going on there.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy import stats

from govlab.results.discovery import EPS_DAYS, CaseTypeFound

EXIT = "exit"
MAX_ALTERNATIVES = 8  # sometimes-absent steps of one case type searched for groups


@dataclass(frozen=True)
class Branch:
    """One estimated branch of a step: target, count of n occurrences, p with its interval."""

    to: str
    count: int
    n: int
    p: float
    low: float
    high: float
    correction: bool = False


@dataclass
class Routing:
    """A case type's estimated routing: branches by step, loops per case (the most seen), the
    groups of alternative steps with their choosers, notes."""

    branches: dict[str, list[Branch]]
    max_loops_seen: int
    groups: list[tuple[str, tuple[str, ...]]]
    notes: list[str]


def clopper_pearson(count: int, n: int, level: float) -> tuple[float, float]:
    """Exact binomial interval of a proportion."""
    interval = stats.binomtest(count, n).proportion_ci(confidence_level=level, method="exact")
    return float(interval.low), float(interval.high)


def mandatory(found: CaseTypeFound, cases: dict[str, tuple[set[str], str]]) -> set[str]:
    """Steps every case holds once it has gone past them (a step of the case after them)."""
    position = {s.name: k for k, s in enumerate(found.steps)}
    needed = set(position)
    for present, _ in cases.values():
        furthest = max(position[s] for s in present)
        needed -= {s for s in position if position[s] < furthest and s not in present}
    return needed


def _chooser(found: CaseTypeFound, step: str) -> str | None:
    """The last step before ``step`` that precedes it: the one whose end chose it."""
    names = [s.name for s in found.steps]
    for before in reversed(names[: names.index(step)]):
        if step in found.precedes[before]:
            return before
    return None


def groups(found: CaseTypeFound, cases: dict[str, tuple[set[str], str]]) -> list[list[str]]:
    """The choices: the steps some cases skip although they went past them, grouped by their
    chooser (the last step preceding them); each group with its chooser first."""
    optional = [s.name for s in found.steps if s.name not in mandatory(found, cases)]
    by_chooser: dict[str, list[str]] = {}
    for step in optional:
        chooser = _chooser(found, step)
        if chooser is not None:
            by_chooser.setdefault(chooser, []).append(step)
    return [[chooser, *members] for chooser, members in by_chooser.items()]


def estimate(found: CaseTypeFound, rework: pd.DataFrame, level: float = 0.99) -> Routing:
    """The branches of ``found``'s steps from its occurrences and the log's ``rework`` events
    (``case, start, end``)."""
    position = {s.name: k for k, s in enumerate(found.steps)}
    occ = found.occurrences
    outcome: dict[int, tuple[str, bool]] = {}  # occurrence row -> (target or EXIT, correction)
    loops_per_case: dict[str, int] = {}
    rework_by_case = {case: frame for case, frame in rework.groupby("case")}
    cases: dict[str, tuple[set[str], str]] = {}
    by_case = {case: frame for case, frame in occ.groupby("case", sort=False)}
    for case, frame in by_case.items():
        seen: set[str] = set()
        rows = list(frame.itertuples())
        for row in rows:
            if row.step in seen:
                ended = [r for r in rows if r.end <= row.start + EPS_DAYS and r.Index != row.Index]
                if ended:
                    before = max(ended, key=lambda r: (r.end, r.Index))
                    if position[before.step] >= position[row.step] and before.Index not in outcome:
                        mine = rework_by_case.get(case)
                        correction = mine is not None and bool(
                            ((mine["start"] >= before.end - EPS_DAYS)
                             & (mine["end"] <= row.start + EPS_DAYS)).any())  # fmt: skip
                        outcome[before.Index] = (row.step, correction)
                        loops_per_case[case] = loops_per_case.get(case, 0) + 1
            seen.add(row.step)
        last = max(rows, key=lambda r: (r.end, r.Index))
        cases[case] = (seen, last.step)
    choices = groups(found, cases)
    needed = mandatory(found, cases)
    for case, frame in by_case.items():
        present, last = cases[case]
        rows = list(frame.itertuples())
        if any(s in needed and s not in present and position[s] > position[last]
               for s in position):  # fmt: skip
            final = max(rows, key=lambda r: (r.end, r.Index))
            outcome.setdefault(final.Index, (EXIT, False))
        for chooser, *members in choices:
            mine = [r for r in rows if r.step == chooser and r.Index not in outcome]
            held = [m for m in members if m in present]
            if mine and len(held) == 1:
                outcome[mine[-1].Index] = (held[0], False)
    notes = [f"{found.name}: {', '.join(m)} chosen at the end of {c}" for c, *m in choices]
    branches: dict[str, list[Branch]] = {}
    counts = occ.groupby("step").size().to_dict()
    tally: dict[tuple[str, str], list[int]] = {}
    for index, (target, correction) in outcome.items():
        entry = tally.setdefault((occ.at[index, "step"], target), [0, 0])
        entry[0] += 1
        entry[1] += correction
    for (step, target), (count, corrections) in sorted(
        tally.items(), key=lambda item: (position[item[0][0]], position.get(item[0][1], 1e9))
    ):
        n = int(counts[step])
        low, high = clopper_pearson(count, n, level)
        branches.setdefault(step, []).append(
            Branch(target, count, n, count / n, low, high, corrections * 2 > count)
        )
    most = max(loops_per_case.values(), default=0)
    return Routing(branches, int(most), [(c, tuple(m)) for c, *m in choices], notes)


def rework_events(events: pd.DataFrame) -> pd.DataFrame:
    """The log's rework periods (``case, start, end``)."""
    return events.loc[events["kind"] == "rework", ["case", "start", "end"]]
