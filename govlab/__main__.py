"""``python -m govlab`` = the ``govlab`` command."""

from govlab.experiments.cli import main

main()
