"""Live mode against the emulator over real HTTP: simple-salesforce via leakline.salesforce.

The org is a simulator org folder; the access token is one of its FAKE sessions, passed through
the environment (never the command line).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sim_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    simulate = pytest.importorskip("leakline.simulate")
    return simulate.generate(
        tmp_path_factory.mktemp("posture-live") / "org", seed=7, size="small", scenarios=[], days=3
    )


def _by_check(rows: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        out.setdefault(str(row["check"]), []).append(row)
    return out


def test_live_permissions_from_emulator(
    sim_org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = pytest.importorskip("leakline.emulator")
    org = tmp_path / "org"
    shutil.copytree(sim_org, org)
    creds = json.loads((org / "credentials.json").read_text())
    token = next(s["access_token"] for s in creds["sessions"] if not s["attacker"])
    monkeypatch.setenv("LEAKLINE_TEST_TOKEN", token)
    with emulator.EmulatorServer(org) as server:
        result = CliRunner().invoke(
            app,
            ["posture", "--org", server.url, "--session-id-env", "LEAKLINE_TEST_TOKEN", "--format", "json"],
        )
    assert result.exit_code == 0, result.output
    assert token not in result.output
    live = _by_check(json.loads(result.stdout)["results"])
    assert [r["resource"] for r in live["perm_view_all_data"]] == [
        "PermissionSet Integration_Full_Access",
        "PermissionSet Integration_Modify_All",
    ]
    assert [r["resource"] for r in live["perm_modify_all_data"]] == ["PermissionSet Integration_Modify_All"]
    # What live mode cannot read is NOT_EVALUATED with the reason, never PASS.
    for check in (
        "guest_object_access",
        "profile_login_ip_ranges",
        "guest_sharing_rules",
        "connected_app_full_scope",
    ):
        assert {r["status"] for r in live[check]} == {"NOT_EVALUATED"}, check
    assert "live mode reads profiles and permission sets as records" in str(
        live["profile_login_ip_ranges"][0]["message"]
    )

    # The same org audited from its metadata folder gives the same permission findings.
    offline_run = CliRunner().invoke(
        app, ["posture", "--metadata", str(org / "metadata"), "--format", "json"]
    )
    offline = _by_check(json.loads(offline_run.stdout)["results"])
    for check in sorted(c for c in live if c.startswith("perm_")):
        assert [(r["status"], r["resource"], r["message"]) for r in live[check]] == [
            (r["status"], r["resource"], r["message"]) for r in offline[check]
        ], check


def test_live_and_metadata_are_alternatives(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["posture", "--org", "https://example.my.salesforce.com", "--metadata", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "--metadata and --org are alternatives" in result.output
