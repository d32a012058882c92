"""The UI server serves only bundled assets and hides resource statistics (issue 10, item 2)."""

from __future__ import annotations

import asyncio

from govlab.viz.gate import guard


def _call(app, path: str) -> tuple[int, bool]:
    """(status, whether the inner app was reached) for a GET of ``path``."""
    reached, sent = [], []

    async def inner(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "root_path": "", "method": "GET", "headers": []}
    asyncio.run(guard(inner, app)(scope, receive, send))
    return sent[0]["status"], bool(reached)


def test_only_files_in_the_asset_cache_are_served(tmp_path):
    cache = tmp_path / "cdn"
    (cache / "requirejs@2.3.6").mkdir(parents=True)
    (cache / "requirejs@2.3.6" / "require.js").write_text("x")
    (tmp_path / "secret.txt").write_text("s")
    assert _call(cache, "/_solara/cdn/requirejs@2.3.6/require.js") == (200, True)
    for path in (
        "/_solara/cdn/jquery@3.7.1/dist/jquery.min.js",  # not bundled: never fetched
        "/_solara/cdn/requirejs@2.3.6/",  # a folder
        "/_solara/cdn/requirejs@2.3.6/../../secret.txt",
        "/_solara/cdn/requirejs@2.3.6/%2e%2e/%2e%2e/secret.txt",
    ):
        assert _call(cache, path) == (404, False), path
    assert sorted(p.name for p in cache.rglob("*")) == ["require.js", "requirejs@2.3.6"]


def test_resource_statistics_are_hidden(tmp_path):
    for path in ("/resourcez", "/resourcez/"):
        assert _call(tmp_path, path) == (404, False)
    assert _call(tmp_path, "/readyz") == (200, True)


def test_the_server_closes_sessions_whose_browser_is_gone_within_a_minute():
    from solara.util import parse_timedelta

    from govlab.viz.server import server_command, server_environment

    env = server_environment({})
    assert parse_timedelta(env["SOLARA_KERNEL_CULL_TIMEOUT"]) <= 60
    assert env["REACTON_FAST"] == "1"  # the renderer that skips unchanged subtrees
    assert server_command("127.0.0.1", 1)[1:3] == ["-m", "govlab.viz.gate"]
