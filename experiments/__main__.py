"""``python -m experiments`` = the ``govlab`` command."""

from experiments.cli import main

main()
