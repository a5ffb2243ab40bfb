"""The resident app behind a reverse proxy that mounts SIP under /sip (it strips the prefix and
says X-Forwarded-Prefix: /sip, as nginx's `proxy_pass http://sip/;` with that header does): the
page registers /sip/sw.js with scope /sip/, the worker stores the offline pages under the prefix
and answers a page it has not stored with them, and no request of the browser leaves /sip."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.e2e

PREFIX = "/sip"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "accept-encoding"}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the browser follows redirects itself


def _proxy_handler(upstream: str, outside: list[str]):
    opener = urllib.request.build_opener(_NoRedirects)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _forward(self):
            if not (self.path == PREFIX or self.path.startswith(PREFIX + "/")):
                outside.append(self.path)
                self.send_error(404, "outside the prefix")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            request = urllib.request.Request(
                upstream + (self.path[len(PREFIX) :] or "/"), data=body, method=self.command
            )
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    request.add_header(name, value)
            request.add_header("X-Forwarded-Prefix", PREFIX)
            request.add_header("X-Forwarded-Host", self.headers["Host"])
            try:
                resp = opener.open(request, timeout=120)
            except urllib.error.HTTPError as exc:
                resp = exc
            content = resp.read()
            self.send_response(resp.status)
            for name, value in resp.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_POST = do_HEAD = _forward

    return Handler


@pytest.fixture
def proxy(live_server_url):
    """http://127.0.0.1:<port> serving SIP under /sip; .outside lists requests outside it."""
    outside: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(live_server_url, outside))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.outside = outside
    yield server
    server.shutdown()
    server.server_close()


def test_the_worker_behind_a_prefix_controls_it_and_answers_offline(proxy, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="pl-PL")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        site = proxy.base + PREFIX
        page.goto(f"{site}/nowogrodziec/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60000)
        registration = page.evaluate(
            "async () => { const r = await navigator.serviceWorker.getRegistration();"
            " return {scope: r.scope, script: r.active.scriptURL}; }"
        )
        assert registration == {"scope": f"{site}/", "script": f"{site}/sw.js"}
        stored = page.evaluate(
            "async () => { const out = [];"
            " for (const name of await caches.keys()) if (name.startsWith('sip-shell-'))"
            "   for (const r of await (await caches.open(name)).keys()) out.push(r.url);"
            " return out; }"
        )
        assert f"{site}/offline/" in stored and f"{site}/offline/grob/" in stored
        assert all(url.startswith(f"{site}/") for url in stored), stored

        # Without network, a page the worker never stored gets the offline page (its fallback
        # from the configuration, under the prefix).
        context.set_offline(True)
        page.goto(f"{site}/gmina-nieznana/")
        page.get_by_role("heading", name="Brak połączenia z internetem").wait_for()
        assert page.url == f"{site}/gmina-nieznana/"
    finally:
        context.close()
    assert not errors, errors
    assert proxy.outside == [], proxy.outside
