"""The trainer app's web server: Solara's ASGI app behind a gate that serves only bundled assets.

Solara's CDN proxy (``/_solara/cdn/<package>@<version>/<file>``) fetches a missing file from a
public CDN and stores it; ``/resourcez`` shows the host's resource statistics. Behind ``--host
0.0.0.0`` in a training room the first is an open proxy and the second an information leak. So
no CDN path ever reaches Solara: the gate answers every one itself, with the file when the path
names, character for character, a file of the offline asset cache's manifest (``viz.assets``;
the list of its files taken when the server starts), else 404. The path compared is the one
Solara would serve (the ASGI path, percent-decoded once by the server): a second decoding, dot
segments, backslashes or a changed case never match a manifest entry, so the server can never
fetch or write a file. ``/resourcez`` is 404; everything else goes to Solara unchanged.

``python -m govlab.viz.gate --host H --port P`` runs it with uvicorn (``govlab ui`` does, via
``viz.server``), with Solara in production mode and ``SOLARA_APP=govlab.viz.app``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

CDN_PREFIX = "/_solara/cdn"
HIDDEN_PATHS = ("/resourcez",)
IMMUTABLE = "public, max-age=31536000, immutable"  # every bundled path pins an exact version


def manifest(cache: Path) -> frozenset[str]:
    """The files of the asset cache, as paths relative to it with ``/`` separators."""
    if not cache.is_dir():
        return frozenset()
    return frozenset(p.relative_to(cache).as_posix() for p in cache.rglob("*") if p.is_file())


def bundled_file(path: str, cache: Path, files: frozenset[str]) -> Path | None:
    """The cached file a CDN path names exactly (``files`` is the manifest), else None."""
    if not path.startswith(CDN_PREFIX + "/"):
        return None
    relative = path[len(CDN_PREFIX) + 1 :]
    return cache / relative if relative in files else None


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
    """An ASGI app that serves CDN paths from the cache's manifest (never from Solara), refuses
    hidden paths, and calls ``inner`` for everything else."""
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import FileResponse

    files = manifest(cache)

    async def serve_file(scope, receive, send):
        target = bundled_file(scope["gate_path"], cache, files)
        if target is None:
            return await _not_found(send)
        response = FileResponse(target, headers={"Cache-Control": IMMUTABLE})
        return await response(scope, receive, send)

    compressed = GZipMiddleware(serve_file, minimum_size=1024)

    async def app(scope, receive, send):
        if scope["type"] == "http":
            path = scope.get("path", "")
            root = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            if path.rstrip("/") in HIDDEN_PATHS:
                return await _not_found(send)
            if path == CDN_PREFIX or path.startswith(CDN_PREFIX + "/"):
                return await compressed({**scope, "gate_path": path}, receive, send)
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
