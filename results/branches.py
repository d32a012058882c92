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
- **forward** to u: u is one of a group of alternatives (steps sometimes absent from a case:
  in every case either all of a group or exactly one of it; ``groups``) and the case holds u and
  none of the others;
  the outcome belongs to the group's chooser, the last step before the group that precedes
  all its members, at its last occurrence without a loop;
- **exit**: the case's last occurrence, when steps after it are absent and no forward choice
  explains their absence;
- otherwise it went on.

Per step, each outcome's count k of its n occurrences gives p = k / n with its exact
(Clopper-Pearson) interval. Alternatives are found as the finest partition of the sometimes-absent
steps into groups that explains every case (a group's members all present, or exactly one), with
the fewest exits.

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


def _partitions(items: list[str]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _partitions(rest):
        yield [[first], *partition]
        for i in range(len(partition)):
            yield [*partition[:i], [first, *partition[i]], *partition[i + 1 :]]


def _explain(present: set[str], last: str, groups, position) -> tuple[bool, bool, dict]:
    """Whether the case's absent steps are explained (consistent), whether it exits at its last
    step, and the forward choice it made per group (group index -> chosen member)."""
    absent = set(position) - present
    explained, chosen = set(), {}
    for index, group in enumerate(groups):
        members = set(group) & present
        if len(group) >= 2 and len(members) == 1:
            explained |= set(group) - members
            chosen[index] = next(iter(members))
    unexplained = absent - explained
    after_last = {s for s in position if position[s] > position[last]}
    return unexplained <= after_last, bool(unexplained), chosen


def groups(found: CaseTypeFound, cases: dict[str, tuple[set[str], str]]) -> list[list[str]]:
    """The finest partition of the sometimes-absent steps into alternatives that explains every
    case with the fewest exits (groups of one are no alternatives)."""
    position = {s.name: k for k, s in enumerate(found.steps)}
    present_count = {s.name: 0 for s in found.steps}
    for present, _ in cases.values():
        for step in present:
            present_count[step] += 1
    optional = [s for s in position if present_count[s] < len(cases)][:MAX_ALTERNATIVES]
    patterns: dict[tuple, int] = {}
    for present, last in cases.values():
        key = (frozenset(present), last)
        patterns[key] = patterns.get(key, 0) + 1
    best, best_score = [], None
    for partition in _partitions(optional):
        bad = exits = 0
        for (present, last), count in patterns.items():
            ok, exit_, _ = _explain(set(present), last, partition, position)
            bad += (not ok) * count
            exits += exit_ * count
        score = (bad, exits, -len(partition))
        if best_score is None or score < best_score:
            best, best_score = partition, score
    return [g for g in best if len(g) >= 2]


def _chooser(found: CaseTypeFound, group: list[str]) -> str | None:
    """The last step before the group that precedes every member."""
    names = [s.name for s in found.steps]
    first = min(names.index(m) for m in group)
    for step in reversed(names[:first]):
        if all(m in found.precedes[step] for m in group):
            return step
    return None


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
    found_groups = groups(found, cases)
    notes, choosers = [], []
    for group in found_groups:
        chooser = _chooser(found, group)
        if chooser is None:
            notes.append(f"{found.name}: alternatives {', '.join(group)} have no step before "
                         "them that precedes them all: their choice is not written")  # fmt: skip
        else:
            choosers.append((chooser, tuple(group)))
    for case, frame in by_case.items():
        present, last = cases[case]
        ok, exit_, chosen = _explain(present, last, found_groups, position)
        rows = list(frame.itertuples())
        if ok and exit_:
            final = max(rows, key=lambda r: (r.end, r.Index))
            outcome.setdefault(final.Index, (EXIT, False))
        for index, member in chosen.items():
            match = [c for c, g in choosers if g == tuple(found_groups[index])]
            if not match:
                continue
            mine = [r for r in rows if r.step == match[0] and r.Index not in outcome]
            if mine:
                outcome[mine[-1].Index] = (member, False)
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
    return Routing(branches, int(most), choosers, notes)


def rework_events(events: pd.DataFrame) -> pd.DataFrame:
    """The log's rework periods (``case, start, end``)."""
    return events.loc[events["kind"] == "rework", ["case", "start", "end"]]
