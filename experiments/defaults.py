"""Defaults the command line shows in its help, importable without the model (``govlab --help``
imports only this, Typer and Rich)."""

DEFAULT_DAYS = 400  # twice the default 190-day warm-up: the delay window is no shorter than it
EXECUTORS = ("serial", "processes", "dask")  # where runs execute (experiments.executors)
# A run claimed by a batch stays claimed this long without renewal (experiments.feed); the
# environment variable of ``govlab batch --claim-seconds``.
DEFAULT_CLAIM_SECONDS = 120.0
MAX_CLAIM_SECONDS = 7 * 86400.0
CLAIM_ENV = "GOVLAB_CLAIM_SECONDS"

# The optional parts of govlab (pyproject's extras) by the top-level module that needs them: a
# command that meets one missing says which extra to install, in one line (experiments.cli.main).
EXTRA_OF_MODULE = {
    "solara": "ui",
    "ipyvue": "ui",
    "ipyvuetify": "ui",
    "reacton": "ui",
    "uvicorn": "ui",
    "dask": "dask",
    "distributed": "dask",
    "psycopg": "postgres",
    "ema_workbench": "explore",
    "platypus": "explore",
    "sklearn": "explore",
    "pyarrow": "parquet",
    "pm4py": "logs",
    "pyabc": "calibrate",
}
