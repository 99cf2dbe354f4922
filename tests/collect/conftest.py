"""A simulated org served by the emulator, and credentials for it (all FAKE): see tests/emulated_org.py."""

from tests.emulated_org import (
    WINDOW_END,
    Creds,
    ca,
    ca_file,
    creds,
    emu_clock,
    key_file,
    org_copy,
    serve,
    serve_org,
    server,
    sim_org,
    tls_server,
)

__all__ = [
    "WINDOW_END",
    "Creds",
    "ca",
    "ca_file",
    "creds",
    "emu_clock",
    "key_file",
    "org_copy",
    "serve",
    "serve_org",
    "server",
    "sim_org",
    "tls_server",
]
