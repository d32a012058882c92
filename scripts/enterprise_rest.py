"""Where the silo world's firms come to rest: the calibration of ``civic.enterprise_*_initial``.

    .venv/bin/python scripts/enterprise_rest.py                      # 3 seeds × 4,000 days
    .venv/bin/python scripts/enterprise_rest.py --days 1000 --seeds 1 2 3 4 5

Residents start at rest in silo because ``trust_initial`` and ``expectation_initial`` are set at
the silo world's rest point (``civic.satisfaction_base``). Firms apply for slower services
(business registration, construction permits; mean performance P ≈ 0.035 in silo against the
residents' 0.37), so their own rest point is lower: between their own cases (trust towards
a + b·P, expectation towards P) and the published district figures they read between cases.
This script runs silo from the current initial values and prints, per seed, the firms' mean
trust and expectation at the start, every quarter and over the last quarter (the rest point to
put into ``enterprise_trust_initial`` and ``enterprise_expectation_initial`` when the model's
dynamics change), the change over the run and the drift per 100 days over its last quarter;
then their means with 95% intervals over the seeds.
"""

from __future__ import annotations

import argparse

import numpy as np

from govlab.model import GovernanceModel
from govlab.model.metrics import drift_per_100_days
from govlab.model.population import FIRM
from govlab.scenarios import load_scenario


def firm_path(seed: int, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily mean trust and expectation of the firms in silo (index 0: before the first day)."""
    model = GovernanceModel(load_scenario("silo"), rng=seed, collect=False)
    table = model.enterprise_table
    firm = table.kind == FIRM
    trust, expectation = [table.trust[firm].mean()], [table.expectation[firm].mean()]
    for _ in range(days):
        model.step()
        trust.append(table.trust[firm].mean())
        expectation.append(table.expectation[firm].mean())
    return np.asarray(trust, float), np.asarray(expectation, float)


def interval(values) -> str:
    values = np.asarray(values, float)
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else np.nan
    return f"{values.mean():.4f} ± {half:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=4000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    quarter = max(args.days // 4, 1)
    rows = []
    for seed in args.seeds:
        trust, expectation = firm_path(seed, args.days)
        rows.append(
            (
                trust[-1] - trust[0],
                drift_per_100_days(trust[1:]),
                trust[-quarter:].mean(),
                expectation[-quarter:].mean(),
            )
        )
        marks = " ".join(f"d{d}={trust[d]:.4f}" for d in range(0, args.days + 1, quarter))
        print(
            f"seed {seed}: trust {marks}; last quarter: trust {rows[-1][2]:.4f}, "
            f"expectation {rows[-1][3]:.4f}; change {rows[-1][0]:+.4f}, "
            f"drift {rows[-1][1]:+.4f} per 100 days",
            flush=True,
        )
    change, drift, trust, expectation = zip(*rows, strict=True)
    print(f"change over {args.days} days: {interval(change)}; drift/100 days: {interval(drift)}")
    print(
        f"rest point (last quarter): trust {interval(trust)}; expectation {interval(expectation)}"
    )


if __name__ == "__main__":
    main()
