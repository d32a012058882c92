"""The UI server serves only bundled assets and hides resource statistics (issue 10, item 2)."""

from __future__ import annotations

import asyncio

from govlab.viz.gate import guard


def _request_then_wait():
    """An ASGI ``receive``: the request, then nothing (the client waits for the answer)."""
    messages = [{"type": "http.request", "body": b""}]

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.Event().wait()

    return receive


def _call(app, path: str) -> tuple[int, bool]:
    """(status, whether the inner app was reached) for a GET of ``path``."""
    reached, sent = [], []

    async def inner(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    receive = _request_then_wait()

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "root_path": "", "method": "GET", "headers": []}
    asyncio.run(guard(inner, app)(scope, receive, send))
    return sent[0]["status"], bool(reached)


def _call_app(app, path: str) -> tuple[int, bytes]:
    """(status, body) of a GET of ``path`` from an ASGI ``app``."""
    sent = []

    receive = _request_then_wait()

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "root_path": "", "method": "GET", "headers": []}
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


# CDN paths as the server hands them to the app (percent-decoded once) that name no cached file
# character for character: each would have made Solara's proxy fetch from the CDN and write it
REFUSED = (
    "/_solara/cdn/jquery@3.7.1/dist/jquery.min.js",  # not bundled: never fetched
    "/_solara/cdn/requirejs@2.3.6/",  # a folder
    "/_solara/cdn/requirejs@2.3.6",  # one part: Solara would fetch its __main.js
    "/_solara/cdn",
    "/_solara/cdn/",
    "/_solara/cdn/requirejs%402.3.6/require.js",  # a double-encoded @, decoded once
    "/_solara/cdn/requirejs%252.3.6/require.js",
    "/_solara/cdn/REQUIREJS@2.3.6/require.js",  # case
    "/_solara/cdn/requirejs@2.3.6/../requirejs@2.3.6/require.js",  # dot segments
    "/_solara/cdn/./requirejs@2.3.6/require.js",
    "/_solara/cdn/requirejs@2.3.6//require.js",
    "/_solara/cdn/requirejs@2.3.6/%2e%2e/requirejs@2.3.6/require.js",
    "/_solara/cdn/requirejs@2.3.6/%2E%2E/%2E%2E/secret.txt",
    "/_solara/cdn/requirejs@2.3.6\\require.js",  # backslash
    "/_solara/cdn/requirejs@2.3.6/../../secret.txt",
)


def test_only_files_in_the_asset_cache_are_served(tmp_path):
    """A CDN path is answered by the gate (never by Solara, whose proxy fetches): the file when
    the path names a file of the cache's manifest exactly, else 404; nothing is written."""
    cache = tmp_path / "cdn"
    (cache / "requirejs@2.3.6").mkdir(parents=True)
    (cache / "requirejs@2.3.6" / "require.js").write_text("x")
    (tmp_path / "secret.txt").write_text("s")
    assert _call(cache, "/_solara/cdn/requirejs@2.3.6/require.js") == (200, False)
    for path in REFUSED:
        assert _call(cache, path) == (404, False), path
    assert sorted(p.name for p in cache.rglob("*")) == ["require.js", "requirejs@2.3.6"]


def test_a_file_added_after_start_is_not_served(tmp_path):
    """The manifest is taken when the server starts: the cache is read-only while serving."""
    cache = tmp_path / "cdn"
    cache.mkdir()
    app_cache = guard(lambda *_: None, cache)  # manifest taken now (empty)
    (cache / "late@1.0.0").mkdir()
    (cache / "late@1.0.0" / "x.js").write_text("x")
    assert _call_app(app_cache, "/_solara/cdn/late@1.0.0/x.js")[0] == 404


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


# raw request targets, as a client sends them (the server decodes each once)
RAW_VARIANTS = (
    "/_solara/cdn/echarts%25405.4.0/dist/echarts.js",  # double-encoded @ (the reported bypass)
    "/_solara/cdn/echarts%2540%35.4.0/dist/echarts.js",  # mixed
    "/_solara/cdn/ECHARTS@5.4.0/dist/echarts.js",  # case
    "/_solara/cdn/echarts@5.4.0/dist/%2e%2e/dist/echarts.js",  # encoded dot segments
    "/_solara/cdn/echarts@5.4.0/dist/%2E%2E/%2E%2E/echarts@5.4.0/dist/echarts.js",
    "/_solara/cdn/echarts@5.4.0/dist%5cecharts.js",  # encoded backslash
    "/_solara/cdn/echarts@5.4.0\\dist\\echarts.js",  # backslashes
    "/_solara/cdn/echarts@5.4.0/dist/%252e%252e/echarts.js",
    "/_solara/cdn/jquery@3.7.1/dist/jquery.min.js",  # a real package, not bundled
    "/_solara/cdn/echarts@5.4.1/dist/echarts.js",  # another version
    "/_solara/cdn/echarts@5.4.0",
)


def test_the_real_server_never_asks_the_cdn(tmp_path):
    """Issue 19: ``govlab ui`` configured with a CDN on loopback (a fake one that counts what it
    is asked): every encoding variant of a CDN path is 404, the bundled file (also with its
    ``@`` encoded once) is served, the fake CDN receives zero requests, the cache is unchanged."""
    import http.client
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from govlab.viz import assets
    from tests.viz.served import _serve

    asked = []

    class FakeCdn(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"fetched from the fake CDN")

        def log_message(self, *_):
            pass

    fake = ThreadingHTTPServer(("127.0.0.1", 0), FakeCdn)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    cdn = f"http://127.0.0.1:{fake.server_address[1]}/"
    cache = assets.cache_dir()
    before = sorted(str(p) for p in cache.rglob("*"))
    served = _serve(tmp_path, f"sqlite:///{tmp_path / 's.db'}", SOLARA_ASSETS_CDN=cdn)
    url = next(served)
    try:
        host, port = url.removeprefix("http://").rstrip("/").split(":")

        def get(target: str) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.request("GET", target)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            return response.status, body

        real = (cache / "echarts@5.4.0" / "dist" / "echarts.js").read_bytes()
        for target in ("/_solara/cdn/echarts@5.4.0/dist/echarts.js",
                       "/_solara/cdn/echarts%405.4.0/dist/echarts.js"):  # fmt: skip
            assert get(target) == (200, real), target
        statuses = {target: get(target)[0] for target in RAW_VARIANTS}
        assert set(statuses.values()) == {404}, statuses
    finally:
        next(served, None)
        fake.shutdown()
        fake.server_close()
    assert asked == []
    assert sorted(str(p) for p in cache.rglob("*")) == before
