"""Probabilistic routing (issue 21 item 1, ``scenarios.routing``): both engines take the same
branches bit for bit; who goes where is counted exactly from the visit rows (each case's walk is a
walk the route allows, choices and loops come with their probabilities, the loop cap holds, a
return for correction falls with transparency, a step done again takes fresh numbers).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np
import pytest
from scipy import stats

from govlab.model import GovernanceModel
from govlab.model.records import A_BACKOFFICE
from govlab.scenarios.textbook import textbook_scenario
from tests.model.routed import routed
from tests.model.test_compiled_engine import assert_same, run_both

VARIANTS = {
    "silo": ("silo", {}),
    "smart": ("smart", {}),
    "parallel, bundled": ("parallel", {"reengineering.bundle_all": True}),
    "front desk, courier": ("front_desk", {"levers.handoff": "applicant"}),
}
LEVEL = 1e-3  # each goodness-of-fit test; a broken branch misses by far more


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_both_engines_take_the_same_branches(variant):
    name, overrides = VARIANTS[variant]
    reference, compiled = run_both(routed(name, overrides), days=120)
    assert_same(reference, compiled)


def test_both_engines_write_the_same_visits_on_branching_routes():
    scenario = routed("silo")
    rows = []
    for engine in ("python", "compiled"):
        model = GovernanceModel(scenario, rng=3, engine=engine, collect=False, collect_visits=True)
        for _ in range(80):
            model.step()
        rows.append(model.journeys.visits.rows())
    assert len(rows[0]) > 1000 and rows[0] == rows[1]


def walks(scenario, days: int = 300, seed: int = 7) -> dict[int, str]:
    """Each case's back-office visits in time order, as step letters ("a", "b", ...), for the
    cases opened in the run (numbered 1 .. opened), each run out to its end."""
    model = GovernanceModel(scenario, rng=seed, collect=False, collect_visits=True)
    for _ in range(days):
        model.step()
    end = model.run_out()
    assert end.runout_open_cases == 0
    visits = model.journeys.visits.table()
    by_case: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for case, step, activity, start in zip(
        visits["case"].tolist(),
        visits["step"].tolist(),
        visits["activity"].tolist(),
        visits["start_day"].tolist(),
        strict=True,
    ):
        if activity == A_BACKOFFICE and case <= end.opened:
            by_case[case].append((start, step))
    return {case: "".join("abcdefgh"[s] for _, s in sorted(v)) for case, v in by_case.items()}


def world(steps: list[dict], per_hour: float = 0.6, max_loops: int = 20, **levers):
    """One service of back-office steps a, b, c, ... (one server each, 20 min) in a chain."""
    functions = {letter: (0, 4) for letter in "abcdefgh"[: len(steps)]}
    chain = []
    for index, (letter, step) in enumerate(zip(functions, steps, strict=True)):
        after = [chain[-1]["name"]] if chain else []
        chain.append(
            {"function": letter, "name": letter, "backoffice_hours": 1 / 3, "after": after, **step}
        )
        assert chain[index]["name"] == letter
    services = {"v": {"per_hour": per_hour, "steps": chain, "max_loops": max_loops}}
    return textbook_scenario(functions, services, levers=levers or None)


def fits(observed: Counter, expected: dict[str, float]) -> float:
    """The chi-square p-value of ``observed`` counts against ``expected`` probabilities."""
    keys = sorted(expected)
    assert set(observed) <= set(keys), set(observed) - set(keys)
    counts = np.array([observed[k] for k in keys], dtype=float)
    probabilities = np.array([expected[k] for k in keys])
    return float(stats.chisquare(counts, counts.sum() * probabilities).pvalue)


@pytest.mark.parametrize("approval", ["sequential", "parallel"])
def test_a_choice_runs_the_chosen_step_and_skips_the_others(approval):
    """a → {b: 0.5, c: 0.3, neither: 0.2} → d: every case runs a, then at most one of b and c,
    then d, with the branch probabilities (b and c side by side under parallel approval)."""
    scenario = world(
        [
            {"branches": [{"to": "b", "p": 0.5}, {"to": "c", "p": 0.3}]},
            {},
            {"after": ["a"]},
            {"after": ["b", "c"]},
        ],
        approval=approval,
    )
    paths = walks(scenario)
    assert len(paths) > 1000
    assert set(paths.values()) <= {"abd", "acd", "ad"}
    assert fits(Counter(paths.values()), {"abd": 0.5, "acd": 0.3, "ad": 0.2}) > LEVEL


def test_a_loop_does_the_steps_from_its_target_again_in_order():
    """a → b → c, after b back to a with 0.3 (at most 20 loops): walks (ab)^k c with
    P(k) = 0.3^(k-1) · 0.7."""
    scenario = world([{}, {"branches": [{"to": "a", "p": 0.3}]}, {}])
    paths = walks(scenario)
    assert all(re.fullmatch(r"(ab)+c", path) for path in paths.values())
    rounds = Counter(len(path) // 2 for path in paths.values())
    expected = {k: 0.3 ** (k - 1) * 0.7 for k in range(1, 5)}
    expected[5] = 1 - sum(expected.values())  # 5 or more
    observed = Counter({min(k, 5): n for k, n in rounds.items()})
    observed = Counter({k: sum(n for r, n in rounds.items() if min(r, 5) == k) for k in observed})
    assert fits(observed, expected) > LEVEL


def test_the_loop_cap_holds_exactly():
    """b loops to itself with 0.6, at most 2 loops: b is done 1, 2 or 3 times, with 0.4, 0.24 and
    0.36 (the third end goes on whatever its number says)."""
    scenario = world([{}, {"branches": [{"to": "b", "p": 0.6}]}, {}], max_loops=2)
    paths = walks(scenario)
    assert set(paths.values()) <= {"abc", "abbc", "abbbc"}
    assert fits(Counter(paths.values()), {"abc": 0.4, "abbc": 0.24, "abbbc": 0.36}) > LEVEL


def test_leaving_skips_every_later_step():
    scenario = world([{"branches": [{"to": "exit", "p": 0.25}]}, {}, {}])
    paths = walks(scenario)
    assert fits(Counter(paths.values()), {"a": 0.25, "abc": 0.75}) > LEVEL


def test_transparency_prevents_a_return_for_correction_like_a_missing_paper():
    """A return for correction of 0.5 at transparency 1 (effect 0.8) is one of 0.1; a plain
    loop of 0.5 is not prevented."""
    for correction, p_loop in ((True, 0.1), (False, 0.5)):
        step = {"branches": [{"to": "a", "p": 0.5, "correction": correction}]}
        scenario = world([{}, step], max_loops=0 if p_loop == 0 else 1, transparency=1.0)
        paths = Counter(walks(scenario, days=200).values())
        assert set(paths) <= {"ab", "abab"}
        assert fits(paths, {"ab": 1 - p_loop, "abab": p_loop}) > LEVEL


def test_a_step_done_again_takes_fresh_service_times():
    """The first and second rounds of a looping step have independent exponential times (the
    same numbers would make every pair equal)."""
    scenario = world([{"branches": [{"to": "a", "p": 0.5}]}], per_hour=0.3, max_loops=1)
    model = GovernanceModel(scenario, rng=4, collect=False, collect_visits=True)
    for _ in range(300):
        model.step()
    model.run_out()
    visits = model.journeys.visits.table()
    times: dict[int, list[float]] = defaultdict(list)
    for case, activity, start, end in zip(
        visits["case"].tolist(),
        visits["activity"].tolist(),
        visits["start_day"].tolist(),
        visits["end_day"].tolist(),
        strict=True,
    ):
        if activity == A_BACKOFFICE:
            times[case].append(end - start)
    pairs = np.array([t for t in times.values() if len(t) == 2])
    assert len(pairs) > 300
    assert not np.any(pairs[:, 0] == pairs[:, 1])
    assert abs(stats.spearmanr(pairs[:, 0], pairs[:, 1]).statistic) < 0.15


def test_choices_and_loops_together_walk_the_markov_chain():
    """The Jackson network's routing (tests/validation/test_jackson.py): after a, b or c (½
    each); after b back to a with 0.3, after c with 0.2, else leave. Every walk is (a[bc])+ and
    each transition comes with its probability, however many loops came before (a step a choice
    skipped in an earlier round runs when chosen again)."""
    scenario = world(
        [
            {"branches": [{"to": "b", "p": 0.5}, {"to": "c", "p": 0.5}]},
            {"branches": [{"to": "a", "p": 0.3}]},
            {"branches": [{"to": "a", "p": 0.2}]},
        ],
        per_hour=0.4,
        max_loops=1000,
    )
    paths = walks(scenario)
    assert all(re.fullmatch(r"(a[bc])+", path) for path in paths.values())
    moves = Counter(
        pair for path in paths.values() for pair in zip(path, path[1:] + "$", strict=True)
    )
    after_a = Counter({k[1]: n for k, n in moves.items() if k[0] == "a"})
    assert fits(after_a, {"b": 0.5, "c": 0.5}) > LEVEL
    for step, back in (("b", 0.3), ("c", 0.2)):
        after = Counter({k[1]: n for k, n in moves.items() if k[0] == step})
        assert fits(after, {"a": back, "$": 1 - back}) > LEVEL
    assert sum(n for k, n in moves.items() if k == ("c", "a")) > 100  # loops after c happen


def test_the_example_routes_construction_permits_by_probability():
    """examples/routed_rework.toml loads (a file, extending silo) and its branches act: about
    60% of construction permits get a fire review, and some go back to planning."""
    from pathlib import Path

    from govlab.scenarios import load_scenario

    path = Path(__file__).resolve().parents[2] / "examples" / "routed_rework.toml"
    scenario = load_scenario(str(path))
    model = GovernanceModel(scenario, rng=2, collect=False, collect_visits=True)
    for _ in range(250):
        model.step()
    model.run_out()
    plan = next(p for p in model.plans if p.name == "construction_permit")
    visits = model.journeys.visits.table()
    mine = (visits["case_type"] == plan.index) & (visits["activity"] == A_BACKOFFICE)
    steps = Counter(zip(visits["case"][mine].tolist(), visits["step"][mine].tolist(), strict=True))
    cases = {case for case, _ in steps}
    fire = sum((case, 2) in steps for case in cases) / len(cases)
    assert len(cases) > 100 and abs(fire - 0.6) < 0.15
    assert any(n > 1 for (_, step), n in steps.items() if step == 1)  # planning done again


def test_a_step_waits_for_at_most_62_others_and_for_every_one_of_them():
    """Readiness is a bit per predecessor in one word: a barrier after 62 parallel steps starts
    only after the last of them ends (visits); one after 64 is refused in one line."""
    from pydantic import ValidationError

    wide = [{"function": "a", "backoffice_hours": 1.0} for _ in range(64)]
    with pytest.raises(ValidationError, match=r"a step waits for 64 others .* at most 62"):
        textbook_scenario(
            {"a": (0, 1)},
            {
                "v": {
                    "per_hour": 0.1,
                    "steps": [*wide, {"function": "a", "approval": False, "backoffice_hours": 1.0}],
                }
            },
        )
    steps = [*wide[:62], {"function": "a", "approval": False, "backoffice_hours": 1.0}]
    scenario = textbook_scenario(
        {"a": (0, 8)}, {"v": {"per_hour": 0.05, "steps": steps}}, levers={"approval": "parallel"}
    )
    model = GovernanceModel(scenario, rng=1, collect=False, collect_visits=True)
    for _ in range(40):
        model.step()
    model.run_out()
    visits = model.journeys.visits.table()
    ends: dict[int, list[float]] = defaultdict(list)
    barrier: dict[int, float] = {}
    for case, step, activity, start, end in zip(
        visits["case"].tolist(),
        visits["step"].tolist(),
        visits["activity"].tolist(),
        visits["start_day"].tolist(),
        visits["end_day"].tolist(),
        strict=True,
    ):
        if activity == A_BACKOFFICE:
            if step == 62:
                barrier[case] = start
            else:
                ends[case].append(end)
    assert len(barrier) > 5
    for case, start in barrier.items():
        assert len(ends[case]) == 62 and start >= max(ends[case])
