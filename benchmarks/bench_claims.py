"""Concurrent batches sharing one store: runs computed in all, against the plan (issue 19, item 8).

Starts ``--batches`` ``govlab batch`` processes of one small experiment (2 scenarios ×
``--replications``, small world, ``--days``) at once on one fresh store (a SQLite file, or
``--db`` URL: the experiment gets a new name each time) and adds up the runs each batch computed
(the "D done" of its summary line: a batch counts a run it computed even when the store dropped
its copy), and their CPU time (user + system of the batches and their workers: on a shared
machine a steadier figure than the wall time). Without claims every batch computes every run
(batches × plan); with claims the plan once.

    .venv/bin/python benchmarks/bench_claims.py [--batches 4] [--replications 4] [--db URL]
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

EXPERIMENT = """name = "{name}"
scenarios = ["silo", "seamless"]
replications = {replications}
days = {days}
seed = 42
set = {{ "world.residents" = 4000, "world.enterprises" = 300, "world.warmup_days" = 5 }}
"""
LINE = re.compile(r"(\d+) runs: (\d+) already stored, (\d+) done, (\d+) failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--days", type=int, default=600)
    parser.add_argument("--executor", default="serial")
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench_claims.toml"
        name = f"bench_claims_{uuid.uuid4().hex[:8]}"
        path.write_text(
            EXPERIMENT.format(name=name, replications=args.replications, days=args.days)
        )
        url = args.db or f"sqlite:///{folder}/store.db"
        command = [sys.executable, "-m", "govlab", "batch", str(path), "--db", url]
        start = time.perf_counter()
        batches = [
            subprocess.Popen(
                [*command, "--executor", args.executor],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.batches)
        ]
        outputs = [batch.communicate()[1] for batch in batches]
        seconds = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    computed = []
    plan = 2 * args.replications
    for batch, err in zip(batches, outputs, strict=True):
        match = LINE.search(err)
        if batch.returncode != 0 or match is None:
            sys.exit(f"a batch failed (status {batch.returncode}):\n{err}")
        computed.append(int(match.group(3)) + int(match.group(4)))
    print(
        f"plan: {plan} runs; {args.batches} concurrent batches ({args.executor}) in {seconds:.1f} s"
    )
    print(f"runs computed per batch: {computed}")
    print(f"CPU time of the batches: {usage.ru_utime + usage.ru_stime:.1f} s")
    print(f"runs computed in all: {sum(computed)} = {sum(computed) / plan:.2f} × the plan")


if __name__ == "__main__":
    main()
