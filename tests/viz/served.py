"""Start ``govlab ui`` for a test: on a free port, with the offline asset cache, a given store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from govlab.viz import assets


def stored_experiment(folder: Path, name: str, text: str) -> Path:
    """Run the experiment ``text`` (saved as ``name``.toml in ``folder``) with ``govlab batch``
    into a new SQLite store there; return the store's path."""
    spec = folder / f"{name}.toml"
    spec.write_text(text)
    db = folder / "results.db"
    govlab = Path(sys.executable).with_name("govlab")
    subprocess.run(
        [str(govlab), "batch", str(spec), "--db", f"sqlite:///{db}", "--executor", "serial"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_server(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"govlab ui exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer")


class Served(str):
    """The server's URL, knowing the server's process id."""

    def __new__(cls, url: str, pid: int, log: Path):
        served = super().__new__(cls, url)
        served.pid, served.log = pid, log
        return served


SESSION_TIMEOUT_SECONDS = 8  # the server's clean-up of a session whose browser is gone (test value)


def _serve(tmp_path: Path, db_url: str, **extra_env: str):
    """``govlab ui`` on a free port with the project's offline asset cache and store ``db_url``."""
    if assets.missing():
        assets.install()
    port = _free_port()
    govlab = shutil.which("govlab", path=str(Path(sys.executable).parent)) or "govlab"
    env = {
        **os.environ,
        "GOVLAB_DB": db_url,
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{SESSION_TIMEOUT_SECONDS}s",
        **extra_env,
    }
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [govlab, "ui", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_server(url, process)
        yield Served(url, process.pid, tmp_path / "server.log")
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
