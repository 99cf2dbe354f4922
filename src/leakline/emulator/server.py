"""HTTP(S) transport for the emulator: a stdlib ``ThreadingHTTPServer`` in a background thread.

    with EmulatorServer(org_dir, tls=(cert_pem, key_pem)) as server:
        sf = Salesforce(instance_url=server.instance_url, session_id=token, session=session)

Time: the emulator's clock defaults to the org's window end (``org.json`` ``window.end``) and
then advances with real elapsed time, so the simulated tokens and sessions are current and
the emulator's own activity is logged just after the simulated incident. Pass ``clock=`` to
pin it (tests use ``FixedClock``).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from filelock import FileLock, Timeout

from leakline.core.clock import Clock, parse_utc
from leakline.core.errors import BadInputError, UsageError
from leakline.emulator.api import Emulator, Request, Response
from leakline.emulator.faults import Faults


class RunningClock:
    """Starts at ``start`` and advances with real elapsed (monotonic) time."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


def default_clock(org_dir: Path) -> Clock:
    """The org window's end, running forward from when the server starts."""
    path = Path(org_dir) / "org.json"
    if not path.is_file():
        raise BadInputError("not an org folder (org.json missing)", path=Path(org_dir))
    try:
        org = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInputError(f"cannot read org.json ({exc})", path=path) from None
    end = (org.get("window") or {}).get("end")
    if not end:
        raise BadInputError("org.json has no window.end; pass a clock", path=path)
    return RunningClock(parse_utc(str(end), what="window.end"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms
    disable_nagle_algorithm = True
    server_version = "leakline-emulator"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        # Requests carry tokens in headers/queries: never echo them to a console.
        return

    def _serve(self) -> None:
        emulator: Emulator = self.server.emulator  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        req = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_ip=self.client_address[0],
        )
        resp = emulator.handle(req)
        try:
            self._write(resp)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def _write(self, resp: Response) -> None:
        data: bytes | None = resp.body if resp.stream is None else None
        if resp.stream is not None and (resp.length is None or resp.truncate) and resp.truncate:
            data = b"".join(resp.stream)
        self.send_response(resp.status)
        for key, value in resp.headers.items():
            self.send_header(key, value)
        if data is not None:
            self.send_header("Content-Length", str(len(data)))
            if resp.truncate and len(data) > 1:
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self._abort()
                return
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            return
        assert resp.stream is not None
        if self.command == "HEAD":
            self.send_header("Content-Length", str(resp.length or 0))
            self.end_headers()
            return
        if resp.length is not None:
            self.send_header("Content-Length", str(resp.length))
            self.end_headers()
            for chunk in resp.stream:
                self.wfile.write(chunk)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in resp.stream:
            if chunk:
                self.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _abort(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = _serve
    do_POST = _serve
    do_PATCH = _serve
    do_PUT = _serve
    do_DELETE = _serve
    do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], tls: ssl.SSLContext | None) -> None:
        self.tls = tls
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(30)
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Client disconnects (e.g. a killed collector) are normal; stay quiet.
        return


TlsSpec = ssl.SSLContext | tuple[str | Path, str | Path] | None


def _tls_context(tls: TlsSpec) -> ssl.SSLContext | None:
    if tls is None or isinstance(tls, ssl.SSLContext):
        return tls
    cert, key = tls
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"cannot load TLS certificate/key: {exc}") from None
    return context


class EmulatorServer:
    """Serve an org folder as a Salesforce-compatible API on 127.0.0.1 (HTTP or HTTPS)."""

    def __init__(
        self,
        org_dir: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TlsSpec = None,
        clock: Clock | None = None,
        faults: Faults | None = None,
        state_dir: Path | str | None = None,
        record_events: bool = True,
        enforce_permissions: bool = False,
    ) -> None:
        self.org_dir = Path(org_dir)
        context = _tls_context(tls)
        state = Path(state_dir) if state_dir is not None else self.org_dir / "state"
        if not (self.org_dir / "org.json").is_file():
            raise BadInputError("not an org folder (org.json missing)", path=self.org_dir)
        state.mkdir(parents=True, exist_ok=True)
        # One server per state folder: two would interleave their overlay files.
        self._lock = FileLock(str(state / ".emulator.lock"))
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise UsageError(
                f"another emulator is already serving {self.org_dir}",
                hint="stop it, or pass a different --state",
            ) from None
        try:
            self._httpd = _Server((host, port), context)
        except OSError as exc:
            self._lock.release()
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        bound_host, bound_port = str(self._httpd.server_address[0]), int(self._httpd.server_address[1])
        scheme = "https" if context is not None else "http"
        self.url = f"{scheme}://{bound_host}:{bound_port}"
        try:
            self.emulator = Emulator(
                self.org_dir,
                clock=clock or default_clock(self.org_dir),
                faults=faults,
                state_dir=state,
                base_url=self.url,
                record_events=record_events,
                enforce_permissions=enforce_permissions,
            )
        except Exception:
            self._httpd.server_close()
            self._lock.release()
            raise
        self._httpd.emulator = self.emulator  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def instance_url(self) -> str:
        """What token responses return as ``instance_url`` (the server's own URL)."""
        return self.url

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> EmulatorServer:
        """Serve in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="leakline-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI)."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._httpd.server_close()
        if self._lock.is_locked:
            self._lock.release()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def approve_device(self, user_code: str, username: str) -> bool:
        """Approve a device-flow login (what the user does on the verification page)."""
        return self.emulator.approve_device(user_code, username)

    def publish_event_logs(self) -> int:
        """Publish the emulator's pending activity as EventLogFile files now."""
        return self.emulator.publish_event_logs()
