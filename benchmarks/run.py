"""Run the benchmarks, print the table and write it as JSON under benchmarks/results/.

Usage: ``python benchmarks/run.py [--quick] [--only NAME ...]`` (NAME: service, civic, scaling,
batch, trainer, events), or ``python benchmarks/run.py --city [--quick]`` for the city-scale run
alone (``bench_city.py``: 2.5 × 10^7 residents, ~10 GB; never part of the default run). Every
figure is a ratio measured in this one invocation (see README.md).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from common import Result  # noqa: E402

BENCHMARKS = ("events", "service", "civic", "scaling", "batch", "trainer")
PACKAGES = ("govlab", "mesa", "numpy", "scipy", "numba", "simpy", "dask", "matplotlib", "solara")


def machine() -> dict:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "versions": versions,
    }


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1e5:
        return f"{value:.3g}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(results: list[Result]) -> str:
    rows = [("benchmark", "ours", "reference", "unit", "ratio", "target", "result")]
    for r in results:
        verdict = {True: "PASS", False: "FAIL", None: "report"}[r.passed]
        if r.passed is False:
            verdict += f" ({r.shortfall()})" if r.shortfall() else ""
        rows.append(
            (
                r.name,
                fmt(r.ours),
                fmt(r.reference),
                r.unit,
                "—" if r.ratio is None else f"{r.ratio:.3g}{r.ratio_unit}",
                r.target_text(),
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.note}" for r in results if r.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (< 2 minutes)")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, help="run only these")
    parser.add_argument(
        "--city", action="store_true", help="only the city-scale run (2.5e7 residents, ~10 GB)"
    )
    args = parser.parse_args(argv)
    if args.city and args.only:
        parser.error("--city runs alone: not with --only")
    chosen = ["city"] if args.city else args.only or list(BENCHMARKS)
    results: list[Result] = []
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for name in chosen:
        t0 = time.perf_counter()
        print(f"[{name}] running…", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench_{name}")
            results.extend(module.bench(args.quick))
        except Exception as error:  # one broken benchmark must not hide the others
            errors[name] = f"{type(error).__name__}: {error}"
            traceback.print_exc()
        print(f"[{name}] {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    print(table(results))
    for name, error in errors.items():
        print(f"ERROR in {name}: {error}")
    elapsed = time.perf_counter() - started
    print(f"\n{len(results)} figures in {elapsed:.0f} s ({'quick' if args.quick else 'full'})")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "mode": ("city-" if args.city else "") + ("quick" if args.quick else "full"),
        "when": stamp,
        "seconds": elapsed,
        **machine(),
        "errors": errors,
        "results": [r.as_dict() for r in results],
    }
    path = out / f"{stamp}{'-city' if args.city else ''}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(document, indent=2, default=str))
    (out / "latest.json").write_text(path.read_text())
    print(f"written {path.relative_to(HERE.parent)}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
