"""Run claims: which batch is computing which run, so that batches sharing a store share the work.

Before computing a run a batch *claims* it: a row of ``run_claims`` keyed by the run's identity
(experiment, run key, digest, seed) holding the batch's owner id and an expiry time. ``claim``
takes runs in one write transaction: a run nobody holds by an INSERT that does nothing when the
key exists (``ON CONFLICT DO NOTHING``), a run whose claim has expired (its batch died) by an
``UPDATE ... WHERE expires_at < now``. Two live batches never hold one run: SQLite serialises the
takers with its write lock (``BEGIN IMMEDIATE``); on PostgreSQL the loser of a race waits for the
winner's row lock, then finds the key taken (the INSERT does nothing) or the claim live again (the
UPDATE re-checks its WHERE on the new row and changes nothing).

The holder ``renew``s its claims while its runs are in progress; storing a run releases its claim
in the same transaction (``Store.write_run``); ``release`` drops what is left when a batch ends.
A claim of a batch that died on *this* machine (its owner id names this machine, and its process
is gone) is taken at once, without waiting for it to expire: a batch resumed after a SIGKILL
does not wait for its predecessor's claims. The machine is the host name and the kernel's boot id
(two machines, or one machine rebooted, never match); claims of other machines wait for expiry.
Times are read on the database's clock on PostgreSQL (batches on several machines agree) and on
this machine's clock otherwise (a SQLite file is shared by the processes of one machine).

Claims only save work: if two batches do compute one run (a claim that expired while its batch was
alive but stalled), the store still keeps it once.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from govlab.results.engine import retrying
from govlab.results.tables import ClaimRow, RunRow

Identity = tuple[str, str, int]  # run key, digest, seed
SLICE = 500  # run keys per IN (...) list
MACHINE_ENV = "GOVLAB_INJECT_MACHINE"  # tests: this process's batches claim as another machine


@dataclass
class Claimed:
    """What one ``claim`` found: runs taken, runs already stored ``done``, runs held by others."""

    taken: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    busy: int = 0


def machine() -> str:
    """This machine: host name and boot id (``$GOVLAB_INJECT_MACHINE`` instead, in tests that
    play a batch of another machine)."""
    try:
        with open("/proc/sys/kernel/random/boot_id") as handle:
            boot = handle.read().strip()[:8]
    except OSError:  # pragma: no cover - not Linux
        boot = "?"
    return os.environ.get(MACHINE_ENV) or f"{socket.gethostname()[:120]}@{boot}"


def owner_id() -> str:
    """A new owner id for one batch: ``machine:pid:random``."""
    return f"{machine()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def gone(owner: str, here: str | None = None) -> bool:
    """True if ``owner`` is a batch of this machine whose process no longer runs."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or parts[0] != (here or machine()):
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def clock(connection: Connection) -> datetime:
    """Now, in UTC: the PostgreSQL server's clock, else this machine's."""
    if connection.dialect.name == "postgresql":
        return connection.scalar(select(func.now())).astimezone(UTC)
    return datetime.now(UTC)


def _take(
    connection: Connection,
    experiment_id: int,
    run: Identity,
    owner: str,
    now: datetime,
    until: datetime,
    dead: str | None = None,
) -> bool:
    """Take one run if nobody claimed it, its claim expired, or it is held by ``dead`` (a batch
    of this machine that is gone); True if taken."""
    key, dig, seed = run
    same = (
        ClaimRow.experiment_id == experiment_id,
        ClaimRow.run_key == key,
        ClaimRow.digest == dig,
        ClaimRow.seed == seed,
    )
    renewed = connection.execute(
        update(ClaimRow)
        .where(*same, or_(ClaimRow.expires_at < now, ClaimRow.owner == (dead or "")))
        .values(owner=owner, claimed_at=now, expires_at=until)
    )
    if renewed.rowcount == 1:
        return True
    values = {
        "experiment_id": experiment_id,
        "run_key": key,
        "digest": dig,
        "seed": seed,
        "owner": owner,
        "claimed_at": now,
        "expires_at": until,
    }
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(connection.dialect.name)
    if dialect is not None:
        statement = (
            dialect.insert(ClaimRow)
            .values(values)
            .on_conflict_do_nothing()
            .returning(ClaimRow.run_key)  # (psycopg reports no row count for an INSERT)
        )
        return connection.execute(statement).first() is not None
    try:  # pragma: no cover - other databases: the unique key refuses the second insert
        with connection.begin_nested():
            connection.execute(insert(ClaimRow).values(values))
        return True
    except IntegrityError:  # pragma: no cover
        return False


@retrying
def claim(
    store, experiment_id: int, runs: Sequence[Identity], owner: str, seconds: float, want: int
) -> Claimed:
    """Claim up to ``want`` of ``runs`` (in their order) for ``seconds``, in one transaction.

    Runs stored ``done`` with the same digest and seed are not taken but reported (``stored``);
    runs held unexpired (by another owner, or already by ``owner``) are left (``busy``).
    """
    found = Claimed()
    with store.writer.begin() as connection:
        now = clock(connection)
        until = now + timedelta(seconds=seconds)
        live = {
            (key, dig, seed): holder
            for key, dig, seed, holder in connection.execute(
                select(ClaimRow.run_key, ClaimRow.digest, ClaimRow.seed, ClaimRow.owner).where(
                    ClaimRow.experiment_id == experiment_id, ClaimRow.expires_at >= now
                )
            )
        }
        here = machine()
        dead = {holder for holder in set(live.values()) if gone(holder, here)}
        free = [run for run in runs if live.get(tuple(run)) in dead or tuple(run) not in live]
        found.busy = len(runs) - len(free)
        for start in range(0, len(free), SLICE):
            part = free[start : start + SLICE]
            done = {
                tuple(row)
                for row in connection.execute(
                    select(RunRow.run_key, RunRow.digest, RunRow.seed).where(
                        RunRow.experiment_id == experiment_id,
                        RunRow.status == "done",
                        RunRow.run_key.in_([key for key, _, _ in part]),
                    )
                )
            }
            for run in part:
                if tuple(run) in done:
                    found.stored.append(run[0])
                elif len(found.taken) < want:
                    holder = live.get(tuple(run))
                    if _take(connection, experiment_id, tuple(run), owner, now, until, holder):
                        found.taken.append(run[0])
                    else:  # another batch took it since we read the claims
                        found.busy += 1
            if len(found.taken) >= want:
                break
    return found


@retrying
def renew(store, experiment_id: int, owner: str, seconds: float) -> int:
    """Push the expiry of every claim ``owner`` holds to ``seconds`` from now; how many."""
    with store.writer.begin() as connection:
        until = clock(connection) + timedelta(seconds=seconds)
        return connection.execute(
            update(ClaimRow)
            .where(ClaimRow.experiment_id == experiment_id, ClaimRow.owner == owner)
            .values(expires_at=until)
        ).rowcount


@retrying
def release(store, experiment_id: int, owner: str) -> int:
    """Drop every claim ``owner`` holds; how many."""
    with store.writer.begin() as connection:
        return connection.execute(
            delete(ClaimRow).where(ClaimRow.experiment_id == experiment_id, ClaimRow.owner == owner)
        ).rowcount


def held(store, experiment_id: int) -> dict[str, tuple[str, datetime]]:
    """Unexpired claims of the experiment: ``run_key -> (owner, expires_at in UTC)``."""
    with store.engine.connect() as connection:
        now = clock(connection)
        query = select(ClaimRow.run_key, ClaimRow.owner, ClaimRow.expires_at).where(
            ClaimRow.experiment_id == experiment_id, ClaimRow.expires_at >= now
        )
        return {
            key: (holder, until if until.tzinfo else until.replace(tzinfo=UTC))
            for key, holder, until in connection.execute(query)
        }
