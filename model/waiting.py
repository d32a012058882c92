"""Waiting (DESIGN.md §2 step 6): open cases are experienced, and may be given up.

The ledger holds every case opened: its applicant (kind, row) and arrival time; whether the
applicant still waits for it, gave it up, or saw it complete. At the end of each day ``t``,
after the day's completed cases are judged (``model.evaluation``):

1. **Giving up.** A case still open ``θ = patience_days`` days after it arrived is abandoned at
   ``arrival + θ``: the applicant judges it then by the rule of a completed case with
   performance P = exp(−θ / D) (its delay so far; the trips it made are inside the engine and
   not counted), updating expectation, satisfaction and trust, and may complain. The case stays
   with the offices (they cannot know the applicant gave up, so the queues stay as they are): its
   completion is recorded and published as any other, its delay counted, but it is not judged
   again. Abandoned cases are counted (``abandoned_cases``, ``abandonment_share``).
2. **Waiting felt.** Each applicant i still waiting for a case feels the oldest one, open for
   a_i days: with P_wait = exp(−a_i / D) (the best performance it can still reach) below their
   expectation E_i,

       S_wait = clip(a + b·P_wait + c·(P_wait − E_i), 0, 1)
       T_i ← T_i + ω α_T min(S_wait − T_i, 0)     (ω = ``waiting_weight`` per day)

   (a resident's ΔT spills to neighbours as for a completed case); E_i is unchanged until the
   case ends. A late case is bad news only: it never raises trust (S_wait may exceed a low T_i
   while P_wait is still fair), and a case within expectation is not felt, so a fast service
   costs no trust.

So trust falls while cases are late, before they complete, and an overloaded service that never
drains is felt every day. The run-out (``GovernanceModel.run_out``) judges nothing.
"""

from __future__ import annotations

import numpy as np

from govlab.model.evaluation import Evaluation
from govlab.scenarios import Civic

WAITING, COMPLETED, ABANDONED = 0, 1, 2  # the states of a ledger entry


class Waiting:
    """The ledger of opened cases and the daily rule of the module docstring.

    Attributes:
        kind, applicant, arrival, state: the ledger's columns (first ``size`` rows filled).
        given_up_satisfaction: each entry's satisfaction when it was given up (nan if not).
        unmatched: completions with no waiting entry (0 unless the engines' applicant rule and
            this ledger's differ; a test holds it at 0).
    """

    def __init__(self, civic: Civic, evaluation: Evaluation) -> None:
        self.civic = civic
        self.evaluation = evaluation
        self.size = 0
        self.kind = np.zeros(0, dtype=np.int8)
        self.applicant = np.zeros(0, dtype=np.int64)
        self.arrival = np.zeros(0)
        self.state = np.zeros(0, dtype=np.int8)
        self.given_up_satisfaction = np.zeros(0)
        self.waiting = np.zeros(0, dtype=np.int64)  # entries still waited for
        self._entry: dict[tuple[int, int, float], int] = {}
        self.unmatched = 0

    def open(self, kind: np.ndarray, applicant: np.ndarray, arrival: np.ndarray) -> None:
        """Cases opened (one value per case in each array)."""
        n = len(arrival)
        if self.size + n > len(self.arrival):
            self._grow(self.size + n)
        rows = np.arange(self.size, self.size + n)
        self.kind[rows], self.applicant[rows], self.arrival[rows] = kind, applicant, arrival
        self.state[rows] = WAITING
        self.given_up_satisfaction[rows] = np.nan
        keys = zip(kind.tolist(), applicant.tolist(), arrival.tolist(), strict=True)
        self._entry.update(zip(keys, rows.tolist(), strict=True))
        self.waiting = np.concatenate([self.waiting, rows])
        self.size += n

    def completed(self, cases: dict[str, np.ndarray]) -> np.ndarray:
        """Mark today's completed cases; return, per case, the satisfaction it was given up
        with (nan for a case its applicant still waited for)."""
        keys = zip(
            cases["applicant_kind"].tolist(),
            cases["applicant"].tolist(),
            cases["arrival_day"].tolist(),
            strict=True,
        )
        rows = np.array([self._entry.pop(key, -1) for key in keys], dtype=np.int64)
        found = rows >= 0
        self.unmatched += int((~found).sum())
        rows = rows[found]
        given_up = np.full(len(found), np.nan)
        given_up[found] = self.given_up_satisfaction[rows]
        self.state[rows[self.state[rows] == WAITING]] = COMPLETED
        return given_up

    def step(self, time: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The day ending at ``time``: give up cases past patience, then feel the oldest waited
        case of each applicant. Returns the cases given up today (``completion_day`` = when
        given up, ``applicant_kind``, ``applicant``) and their satisfaction, for complaints."""
        civic, evaluation = self.civic, self.evaluation
        self.waiting = self.waiting[self.state[self.waiting] == WAITING]
        waited = self.waiting
        age = time - self.arrival[waited]
        late = age >= civic.patience_days
        gone = waited[late]
        kind, applicant = self.kind[gone], self.applicant[gone]
        when = self.arrival[gone] + civic.patience_days
        satisfaction = np.zeros(len(gone))
        if len(gone):
            performance = np.exp(
                np.full(len(gone), -civic.patience_days / civic.delay_reference_days)
            )
            satisfaction = evaluation.judge(kind, applicant, performance, time)
            self.given_up_satisfaction[gone] = satisfaction
            self.state[gone] = ABANDONED
            self.waiting = waited = waited[~late]
            age = age[~late]
        if civic.waiting_weight > 0.0 and len(waited):
            self._feel(waited, age)
        given_up = {"completion_day": when, "applicant_kind": kind, "applicant": applicant}
        return given_up, satisfaction

    def _feel(self, waited: np.ndarray, age: np.ndarray) -> None:
        """Each applicant's oldest waited case, felt through ``Evaluation.feel_waiting``."""
        civic = self.civic
        for kind in np.unique(self.kind[waited]).tolist():
            mine = self.kind[waited] == kind
            rows = self.applicant[waited[mine]]
            order = np.lexsort((-age[mine], rows))  # by applicant, the oldest first
            rows, oldest = rows[order], age[mine][order]
            first = np.r_[True, rows[1:] != rows[:-1]]
            performance = np.exp(-oldest[first] / civic.delay_reference_days)
            self.evaluation.feel_waiting(kind, rows[first], performance)

    def abandoned_between(self, start: float, end: float) -> tuple[int, int]:
        """Cases arriving in ``[start, end)``: how many were given up, and how many opened."""
        arrival = self.arrival[: self.size]
        inside = (arrival >= start) & (arrival < end)
        return int((self.state[: self.size][inside] == ABANDONED).sum()), int(inside.sum())

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * len(self.arrival), 1024)
        for name in ("kind", "applicant", "arrival", "state", "given_up_satisfaction"):
            column = getattr(self, name)
            grown = np.zeros(capacity, dtype=column.dtype)
            grown[: self.size] = column[: self.size]
            setattr(self, name, grown)
