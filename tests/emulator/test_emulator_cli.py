"""``leakline emulator serve|reset``."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import requests
from typer.testing import CliRunner

from leakline.cli.main import app

runner = CliRunner()


def test_cert_without_key_is_a_usage_error(org_dir, tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("x")
    result = runner.invoke(app, ["emulator", "serve", "--org", str(org_dir), "--cert", str(cert)])
    assert result.exit_code == 2
    assert "give both --cert and --key" in result.output


def test_not_an_org_folder(tmp_path):
    result = runner.invoke(app, ["emulator", "serve", "--org", str(tmp_path), "--port", "0"])
    assert result.exit_code == 3
    assert "org.json missing" in result.output
    assert "Traceback" not in result.output


def test_reset_removes_the_overlay(org_dir):
    (org_dir / "state").mkdir()
    (org_dir / "state" / "changes.jsonl").write_text("{}\n")
    result = runner.invoke(app, ["emulator", "reset", "--org", str(org_dir), "--yes"])
    assert result.exit_code == 0
    assert not (org_dir / "state").exists()
    assert (org_dir / "org.json").is_file()


@pytest.mark.slow
def test_serve_over_https_with_a_self_signed_certificate(org_dir):
    proc = subprocess.Popen(
        [sys.executable, "-c", "from leakline.cli.main import main; main()", "emulator", "serve",
         "--org", str(org_dir), "--port", "0", "--tls", "--now", "2026-03-10T00:00:00Z"],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            match = re.search(r"(https://127\.0\.0\.1:\d+)", line)
            url = match.group(1) if match else None
        assert url is not None
        cert = org_dir / "state" / "tls" / "cert.pem"
        resp = requests.get(f"{url}/services/data/", verify=str(cert), timeout=10)
        assert resp.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()
