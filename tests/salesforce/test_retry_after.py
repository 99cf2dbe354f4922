"""Retry-After is honoured: a real local HTTP server answers 503 + Retry-After, then succeeds."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from leakline.core.clock import FixedClock
from leakline.salesforce import SalesforceClient, SessionAuth


class _Busy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        return

    def do_GET(self):
        server = self.server
        if server.failures_left > 0:  # type: ignore[attr-defined]
            server.failures_left -= 1  # type: ignore[attr-defined]
            body = json.dumps([{"errorCode": "SERVER_UNAVAILABLE", "message": "busy"}]).encode()
            self.send_response(503)
            self.send_header("Retry-After", "7")
        else:
            body = json.dumps({"DailyApiRequests": {"Max": 1000, "Remaining": 990}}).encode()
            self.send_response(200)
            self.send_header("Sforce-Limit-Info", "api-usage=10/1000")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def busy_org() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    server.failures_left = 2  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_retry_after_is_honoured(busy_org, monkeypatch):
    monkeypatch.setenv("SF_ACCESS_TOKEN", "test-token")
    sleeps: list[float] = []
    client = SalesforceClient(
        SessionAuth(busy_org), clock=FixedClock("2026-03-01T00:00:00Z"), sleep=sleeps.append
    )
    limits = client.connect().limits()
    assert sleeps == [7.0, 7.0]
    assert limits["DailyApiRequests"].remaining == 990
    assert (client.usage.used, client.usage.limit, client.retries) == (10, 1000, 2)
