"""The trainer app's web server: Solara's ASGI app behind a gate that serves only bundled assets.

Solara's CDN proxy (``/_solara/cdn/<package>@<version>/<file>``) fetches a missing file from a
public CDN and stores it; ``/resourcez`` shows the host's resource statistics. Behind ``--host
0.0.0.0`` in a training room the first is an open proxy and the second an information leak. The
gate answers 404 for any CDN path that is not a file already in the offline asset cache
(``viz.assets``), and 404 for ``/resourcez``; everything else goes to Solara unchanged.

``python -m govlab.viz.gate --host H --port P`` runs it with uvicorn (``govlab ui`` does, via
``viz.server``), with Solara in production mode and ``SOLARA_APP=govlab.viz.app``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from urllib.parse import unquote

CDN_PREFIX = "/_solara/cdn/"
HIDDEN_PATHS = ("/resourcez",)


def bundled_file(path: str, cache: Path) -> Path | None:
    """The cached file a CDN path names, or None if it is not a file inside the cache."""
    relative = unquote(path[len(CDN_PREFIX) :])
    target = (cache / relative).resolve()
    if not target.is_relative_to(cache.resolve()) or not target.is_file():
        return None
    return target


async def _not_found(send) -> None:
    body = b"Not Found"
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


def guard(inner, cache: Path):
    """An ASGI app that refuses uncached CDN paths and hidden paths, else calls ``inner``."""

    async def app(scope, receive, send):
        if scope["type"] == "http":
            path = scope.get("path", "")
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            if path.rstrip("/") in HIDDEN_PATHS:
                return await _not_found(send)
            if path.startswith(CDN_PREFIX) and bundled_file(path, cache) is None:
                return await _not_found(send)
        return await inner(scope, receive, send)

    return app


def build_app():
    """Solara's app (imported now, after the environment is set) behind the gate."""
    from solara.server.starlette import app as solara_app

    from govlab.viz.assets import cache_dir

    return guard(solara_app, cache_dir())


def main(argv: list[str] | None = None) -> None:
    """Run the gated server (the environment comes from ``viz.server.server_environment``)."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m govlab.viz.gate")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    os.environ.setdefault("SOLARA_APP", "govlab.viz.app")
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = args.host, str(args.port)
    uvicorn.run(build_app(), host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
