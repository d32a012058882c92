"""Start the trainer app's web server on this machine, offline (``govlab ui``).

The server is Solara's app for ``viz.app`` in production mode behind ``viz.gate`` (only bundled
assets are served, resource statistics are hidden), with the project-local asset cache
(``viz.assets``) as Solara's CDN proxy cache and Solara's telemetry switched off, so the page
makes no request beyond localhost. A session whose browser is gone is closed after
``SESSION_TIMEOUT``. The current process is replaced by the server (``os.execve``),
so stopping ``govlab ui`` stops the server.
"""

from __future__ import annotations

import os
import sys

from govlab.viz import assets

SESSION_TIMEOUT = "30s"  # Solara's default keeps a disconnected session 24 h


def server_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the server runs with."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(assets.cache_dir())
    env["SOLARA_ASSETS_PROXY"] = "True"
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    env["SOLARA_APP"] = "govlab.viz.app"
    env["SOLARA_MODE"] = "production"
    env["SOLARA_THEME_SHOW_BANNER"] = "False"  # the corner banner covers the charts
    # a session whose browser is gone is closed (and stops simulating) after this long
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", SESSION_TIMEOUT)
    env.setdefault("MPLBACKEND", "Agg")
    # glibc gives each new thread (a session's play loop, the server's workers) its own arena, up
    # to 8 per core, and freed memory left in them stays with the process: with two arenas the
    # RSS after 20 sessions came back to its level after the first (+30 MB with glibc's default)
    env.setdefault("MALLOC_ARENA_MAX", "2")
    # reacton's renderer that skips unchanged component subtrees (its own fuzz tests compare it
    # with the default one): a frame at day 365 renders in ~40-55 ms instead of ~115 ms
    env.setdefault("REACTON_FAST", "1")
    return env


def server_command(host: str, port: int) -> list[str]:
    """The command line of the gated Solara server for ``viz.app`` (``viz.gate``)."""
    return [sys.executable, "-m", "govlab.viz.gate", "--host", host, "--port", str(port)]


def serve(host: str = "127.0.0.1", port: int = 8765, log=print) -> None:
    """Fill the asset cache if needed (idempotent), then become the Solara server."""
    absent = assets.missing()
    if absent:
        log(f"govlab ui: fetching the page's browser assets: {', '.join(absent)}")
        assets.install()
    log(f"govlab ui: serving on http://{host}:{port}/ (Ctrl+C stops it)")
    command = server_command(host, port)
    os.execve(sys.executable, command, server_environment())
