"""A small mutation-testing run over pure-Python modules of ``model/`` (not part of the tests).

For each module, every site of a few simple operator swaps is mutated once (one mutant per site):
comparisons (``==``/``!=``, ``<``/``<=``, ``>``/``>=``), arithmetic (``+``/``-``, ``*``/``/``,
also augmented), ``and``/``or``, ``True``/``False`` and numeric literals (``c`` → ``c + 1``).
Each mutant is written over the module (``ast.unparse``), the module's tests run (``pytest -x``
in a subprocess, with a timeout), and the file is restored. A mutant is *killed* if the tests
fail, *timed out* if they exceed the timeout, else it *survived*. mutmut 2.5 crashed here
(pony: "Attribute Mutant.line is required") and mutmut 3 tests a copy under ``mutants/`` that
the ``govlab.*`` package mapping would not import, hence this script.

Usage: ``python scripts/mutate.py model/spread.py "tests/model/test_x.py ..." [--timeout S]``
"""

from __future__ import annotations

import argparse
import ast
import copy
import shlex
import subprocess
import sys
from pathlib import Path

SWAPS = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
    ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Add: ast.Sub, ast.Sub: ast.Add,
    ast.Mult: ast.Div, ast.Div: ast.Mult, ast.And: ast.Or, ast.Or: ast.And,
}  # fmt: skip


def sites(tree: ast.AST) -> list[tuple[int, str]]:
    """(node index in ``ast.walk`` order, description) of every mutable site."""
    found = []
    for index, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.Compare) and type(node.ops[0]) in SWAPS:
            found.append((index, f"L{node.lineno} {type(node.ops[0]).__name__}"))
        elif isinstance(node, ast.BinOp | ast.AugAssign | ast.BoolOp) and type(node.op) in SWAPS:
            found.append((index, f"L{node.lineno} {type(node.op).__name__}"))
        elif (
            isinstance(node, ast.Constant)
            and type(node.value) in (bool, int, float)
            and getattr(node, "lineno", None) is not None
        ):
            found.append((index, f"L{node.lineno} {node.value!r}"))
    return found


def mutated(tree: ast.AST, target: int) -> str:
    tree = copy.deepcopy(tree)
    node = list(ast.walk(tree))[target]
    if isinstance(node, ast.Compare):
        node.ops[0] = SWAPS[type(node.ops[0])]()
    elif isinstance(node, ast.BinOp | ast.AugAssign | ast.BoolOp):
        node.op = SWAPS[type(node.op)]()
    elif isinstance(node.value, bool):
        node.value = not node.value
    else:
        node.value = node.value + 1
    return ast.unparse(tree)


def in_docstring_or_annotation(tree: ast.AST) -> set[int]:
    """Nodes inside type annotations (mutating them changes nothing at run time)."""
    skip = set()
    nodes = list(ast.walk(tree))
    ids = {id(node): index for index, node in enumerate(nodes)}
    for node in nodes:
        for annotation in (getattr(node, "annotation", None), getattr(node, "returns", None)):
            if annotation is not None:
                skip.update(ids[id(inner)] for inner in ast.walk(annotation))
    return skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("module", type=Path)
    parser.add_argument("tests")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    source = args.module.read_text()
    tree = ast.parse(source)
    skip = in_docstring_or_annotation(tree)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               *shlex.split(args.tests)]  # fmt: skip
    counts = {"killed": 0, "survived": 0, "timeout": 0}
    try:
        for target, label in sites(tree):
            if target in skip:
                continue
            args.module.write_text(mutated(tree, target))
            try:
                done = subprocess.run(command, capture_output=True, timeout=args.timeout)
                outcome = "survived" if done.returncode == 0 else "killed"
            except subprocess.TimeoutExpired:
                outcome = "timeout"
            counts[outcome] += 1
            if outcome != "killed":
                print(f"{args.module} {label}: {outcome}", flush=True)
    finally:
        args.module.write_text(source)
    total = sum(counts.values())
    print(f"{args.module}: {total} mutants, " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f"; score {counts['killed'] / max(total, 1):.1%}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
