"""``python -m govlab`` and the ``govlab`` script (``main``).

Ctrl-C is one line and status 130 from the first moment: ``main`` arms the early SIGINT handler
(``experiments.interrupt``) before it imports the command line.
"""


def main() -> None:
    """The ``govlab`` command."""
    from govlab.experiments import interrupt

    interrupt.arm()
    from govlab.experiments.cli import main as command

    command()


if __name__ == "__main__":
    main()
