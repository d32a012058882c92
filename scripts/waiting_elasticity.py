"""Elasticities of trust and participation to service delay, with and without felt waiting.

Halving every department's back-office staff (nothing civic changed) raises the delay; per seed,
the elasticity of a civic outcome y to the mean delay d is (Δy / y) / (Δd / d), paired by seed
(common random numbers). "before" switches waiting off (civic.waiting_weight = 0, patience far
beyond the run): only completed cases count, as before issue 20; "after" is the shipped model.

    python scripts/waiting_elasticity.py [--seeds 10] [--days 150]

Prints mean and 95% t-interval over seeds, per scenario and model (issue 20 item 1's note).
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import stats

from govlab.experiments.single import run_simulation
from govlab.scenarios import load_scenario

WINDOW = {"world.residents": 20_000, "world.enterprises": 1_000, "world.warmup_days": 20}
BEFORE = {"civic.waiting_weight": 0.0, "civic.patience_days": 10_000.0}
OUTCOMES = ("trust_mean_final", "enterprise_trust_mean_final", "participation_rate_final")


def half_staff(name: str) -> dict:
    return {
        f"functions.{key}.backoffice_staff": max(1, function.backoffice_staff // 2)
        for key, function in load_scenario(name).functions.items()
    }


def interval(values: list[float]) -> str:
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return "— (fewer than 2 seeds with a value)"
    mean = values.mean()
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return f"{mean:+.3f} [{mean - half:+.3f}, {mean + half:+.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=int, default=150)
    args = parser.parse_args()
    for name in ("silo", "smart"):
        for model, extra in (("before", BEFORE), ("after", {})):
            base = load_scenario(name).with_overrides({**WINDOW, **extra})
            worse = base.with_overrides(half_staff(name))
            found = {outcome: [] for outcome in (*OUTCOMES, "delay")}
            for seed in range(1, args.seeds + 1):
                full, _ = run_simulation(base, seed, args.days)
                half, _ = run_simulation(worse, seed, args.days)
                delay = half["delay_mean_days"] / full["delay_mean_days"] - 1
                found["delay"].append(half["delay_mean_days"] - full["delay_mean_days"])
                for outcome in OUTCOMES:
                    if full[outcome]:  # a share of 0 has no relative change
                        found[outcome].append((half[outcome] / full[outcome] - 1) / delay)
            print(f"{name:6} {model:6} Δdelay {interval(found['delay'])} days")
            for outcome in OUTCOMES:
                print(f"{'':14}elasticity of {outcome}: {interval(found[outcome])}")


if __name__ == "__main__":
    main()
