"""Run claims (issue 19, item 8): batches sharing a store share the work.

A claim is exclusive until it expires; storing a run releases it; racing processes claiming the
same runs (free, or claimed by a batch that died) each get different ones; a `govlab batch`
SIGKILLed while holding a claim is taken over by another batch (at once on the same machine, once
the claim expires from another machine), and that batch finishes the plan. (Four concurrent
batches computing each run once: ``test_concurrent_store.py``.) SQLite always; PostgreSQL when
GOVLAB_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from govlab.experiments.defaults import CLAIM_ENV
from govlab.experiments.feed import ClaimFeed
from govlab.experiments.plan import plan_runs
from govlab.experiments.spec import load_experiment
from govlab.experiments.worker import INJECT_KILL, INJECT_TRACE
from govlab.results import claims
from govlab.results.store import Store
from tests.experiments.batch_helpers import computed, snapshot, traced, write_experiment
from tests.results.racer import Spec, claim_all, fake_result

RACERS = 6
KEYS = [f"a/p0000/r{r:04d}" for r in range(30)]
HOLD_S = 10  # the killed batch's claims last this long (GOVLAB_CLAIM_SECONDS)


def identities(keys: list[str]) -> list[tuple[str, str, int]]:
    """The identities of ``racer.Spec`` runs (digest "d" * 64, seed 1)."""
    return [(key, "d" * 64, 1) for key in keys]


def owners(store: Store, experiment_id: int) -> dict[str, str]:
    return {key: owner for key, (owner, _) in claims.held(store, experiment_id).items()}


def test_a_claim_is_exclusive_until_it_expires_and_storing_releases_it(fresh_url):
    k0, k1, k2 = KEYS[:3]
    runs = identities([k0, k1, k2])
    with Store(fresh_url) as store:
        eid = store.register("claims", {}, {"same": 1}, {"method": "none"})
        assert claims.claim(store, eid, runs, "A", 60, 2).taken == [k0, k1]
        second = claims.claim(store, eid, runs, "B", 60, 5)
        assert (second.taken, second.busy) == ([k2], 2)  # A's live claims are left to A
        assert claims.claim(store, eid, runs, "C", 60, 5).taken == []
        assert owners(store, eid) == {k0: "A", k1: "A", k2: "B"}
        # A stops renewing: its claims run out (as 1 s after a SIGKILL) and C takes them over
        assert claims.renew(store, eid, "A", -1) == 2
        assert claims.renew(store, eid, "B", 60) == 1  # B renews: B keeps k2
        assert claims.claim(store, eid, runs, "C", 60, 5).taken == [k0, k1]
        assert owners(store, eid) == {k0: "C", k1: "C", k2: "B"}
        # storing a run releases its claim; a batch that comes later skips the stored run
        assert store.write_run(eid, Spec(k0), fake_result(1), None, owner="C")
        assert owners(store, eid) == {k1: "C", k2: "B"}
        later = claims.claim(store, eid, runs, "D", 60, 5)
        assert (later.taken, later.stored, later.busy) == ([], [k0], 2)
        # a batch that ends releases what it holds
        assert claims.release(store, eid, "C") == 1
        assert claims.claim(store, eid, runs, "D", 60, 5).taken == [k1]
        # another definition of a run (other digest) is another run: its claim is separate
        assert claims.claim(store, eid, [(k2, "e" * 64, 1)], "D", 60, 1).taken == [k2]


def test_a_batch_renews_its_claims_while_its_runs_are_in_progress(fresh_url, tmp_path):
    """The batch's feed keeps the claims of the runs it handed out alive past their expiry
    (renewing every third of it), and releases them when the batch ends."""
    path = write_experiment(tmp_path, name="renewed", replications=2, days=10)
    experiment, scenarios = load_experiment(path)
    runs = plan_runs(experiment, scenarios)
    with Store(fresh_url) as store:
        eid = store.register("renewed", {}, {"same": 1}, {"method": "none"})
        mine = [(run.key, run.digest, run.seed) for run in runs]
        with ClaimFeed(store, eid, runs, seconds=3) as feed:
            taken = feed.take(2, wait=False)
            time.sleep(4)  # longer than a claim lasts without renewal
            assert claims.claim(store, eid, mine, "other", 60, len(runs)).taken == [
                run.key for run in runs[2:]
            ]  # the runs in progress are still the batch's
            assert owners(store, eid) == {
                **dict.fromkeys((run.key for run in taken), feed.owner),
                **dict.fromkeys((run.key for run in runs[2:]), "other"),
            }
        assert owners(store, eid) == dict.fromkeys((run.key for run in runs[2:]), "other")


def race(url: str, dead: bool) -> list[str]:
    """RACERS processes claim the KEYS at once (each until none is left); every key they got."""
    with Store(url) as store:
        eid = store.register("claims", {}, {"same": 1}, {"method": "none"})
        if dead:  # every run claimed by a batch that died a while ago: its claims expired
            assert claims.claim(store, eid, identities(KEYS), "dead", -1, len(KEYS)).taken
    context = multiprocessing.get_context("forkserver")
    with context.Manager() as manager, context.Pool(RACERS) as pool:
        barrier = manager.Barrier(RACERS)
        got = pool.starmap(claim_all, [(url, barrier, eid, KEYS)] * RACERS)
    return [key for keys in got for key in keys]


def test_racing_batches_claim_each_free_run_once(fresh_url):
    assert Counter(race(fresh_url, dead=False)) == Counter(KEYS)  # every key, each to one racer


def test_racing_batches_take_each_expired_claim_once(fresh_url):
    assert Counter(race(fresh_url, dead=True)) == Counter(KEYS)


def test_claims_of_a_dead_batch_of_this_machine_are_taken_at_once(fresh_url):
    """A live claim whose owner is a process of this machine that is gone (a SIGKILLed batch)
    is taken without waiting for its expiry; one of a live process, or of another machine, is
    not."""
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    here = claims.machine()
    dead, alive = f"{here}:{dead_pid.pid}:x", f"{here}:{os.getppid()}:y"
    far = f"elsewhere@00000000:{dead_pid.pid}:z"
    assert claims.gone(dead) and not claims.gone(alive) and not claims.gone(far)
    runs = identities(KEYS[:3])
    with Store(fresh_url) as store:
        eid = store.register("claims", {}, {"same": 1}, {"method": "none"})
        for owner, run in zip((dead, alive, far), runs, strict=True):
            assert claims.claim(store, eid, [run], owner, 3600, 1).taken == [run[0]]
        found = claims.claim(store, eid, runs, "B", 60, 3)
        assert (found.taken, found.busy) == ([KEYS[0]], 2)
        assert owners(store, eid) == {KEYS[0]: "B", KEYS[1]: alive, KEYS[2]: far}


@pytest.mark.parametrize("machine", ["this", "another"])
def test_a_batch_killed_holding_a_claim_is_taken_over(fresh_url, tmp_path, machine):
    """A serial batch is SIGKILLed in its first run, holding its claim; a process batch started
    next computes the rest, takes the dead batch's run and ends with every run of the plan
    stored. On this machine the dead batch's claim is taken at once (before it expires: the
    claim lasts an hour); as a batch of another machine (GOVLAB_INJECT_MACHINE), whose process
    cannot be checked, only once the claim expired (GOVLAB_CLAIM_SECONDS short)."""
    path = write_experiment(tmp_path, name="killed", replications=3, days=10, cases=5)
    trace = tmp_path / "trace"
    trace.mkdir()
    command = [sys.executable, "-m", "govlab", "batch", str(path), "--db", fresh_url]
    base = {**os.environ, INJECT_TRACE: str(trace)}
    dying = {INJECT_KILL: "*", CLAIM_ENV: "3600"}
    if machine == "another":
        dying = {INJECT_KILL: "*", CLAIM_ENV: str(HOLD_S), claims.MACHINE_ENV: "elsewhere@1"}
    killed = subprocess.Popen(
        [*command, "--executor", "serial"],
        env={**base, **dying},
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = killed.communicate(timeout=600)
    assert killed.returncode == -signal.SIGKILL, err
    with Store(fresh_url) as store:
        held = claims.held(store, store.experiment("killed").id)
    [(key, (owner, expires))] = held.items()  # the dead batch holds the run it was computing
    assert f":{killed.pid}:" in owner and [pid for pid, _ in traced(trace, key)] == [killed.pid]

    survivor = subprocess.run(
        [*command, "--executor", "processes", "--workers", "2"],
        env=base,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert survivor.returncode == 0, survivor.stderr
    assert "Traceback" not in survivor.stderr
    stored = snapshot(fresh_url, "killed")
    assert len(stored) == 6 and all(run["status"] == "done" for run in stored.values())
    assert computed(trace) == Counter({**dict.fromkeys(stored, 1), key: 2})
    [_, (pid, again)] = traced(trace, key)
    assert pid != killed.pid
    if machine == "this":
        assert again < expires.timestamp() * 1e9  # taken at once, not an hour later
    else:
        assert again > expires.timestamp() * 1e9  # taken only once expired
    with Store(fresh_url) as store:
        assert claims.held(store, store.experiment("killed").id) == {}  # nothing left claimed
