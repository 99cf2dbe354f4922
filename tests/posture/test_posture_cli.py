"""``leakline posture`` end to end: formats, SARIF structure, --fail-on, case findings, masking."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.core.findings import read_findings

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
CANARIES = (
    "canary-Pw-7Qz91xLm",
    "CANARYsecretCANARYsecretCANARYsecret0042",
    "AKIACANARY0000000042",
    "canaryTok-55f1e2d3c4",
)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    meta = tmp_path / "metadata"
    _write(
        meta,
        "namedCredentials/Erp.namedCredential-meta.xml",
        f"<NamedCredential {NS}>\n<endpoint>https://erp.example.com</endpoint>\n<password>{CANARIES[0]}</password>\n"
        "</NamedCredential>\n",
    )
    _write(
        meta,
        "customMetadata/Cfg.Main.md-meta.xml",
        f"<CustomMetadata {NS}>\n<values>\n<field>Client_Secret__c</field>\n<value>{CANARIES[1]}</value>\n</values>\n"
        "</CustomMetadata>\n",
    )
    _write(meta, "classes/Erp.cls", f"public class Erp {{\n    String api_password = '{CANARIES[0]}';\n}}\n")
    code = tmp_path / "code"
    _write(
        code,
        "sync/config.py",
        f"from simple_salesforce import Salesforce\nAWS_KEY = '{CANARIES[2]}'\n"
        f"aws_secret = '{CANARIES[1]}'\nsf = Salesforce(username='svc@example.com', password='{CANARIES[0]}', "
        f"security_token='{CANARIES[3]}')\n",
    )
    return meta, code


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["posture", *args])
    return result.exit_code, result.output


def test_sarif_structure(planted: tuple[Path, Path], tmp_path: Path) -> None:
    meta, code = planted
    out = tmp_path / "out.sarif"
    exit_code, _ = _run(
        "--metadata", str(meta), "--code", str(code), "--format", "sarif", "--output", str(out)
    )
    assert exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    rule_ids = [r["id"] for r in rules]
    assert len(rule_ids) >= 40 and len(set(rule_ids)) == len(rule_ids)
    assert all(r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] for r in rules)
    assert run["results"]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
    located = [r for r in run["results"] if "locations" in r]
    assert located
    for result in located:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert physical["region"]["startLine"] >= 1
    assert set(run["originalUriBaseIds"]) == {"CODE", "METADATA"}
    assert run["originalUriBaseIds"]["CODE"]["uri"] == code.resolve().as_uri() + "/"
    bases = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0][
            "physicalLocation"
        ]["artifactLocation"]["uriBaseId"]
        for r in located
    }
    assert bases["sync/config.py"] == "CODE" and bases["classes/Erp.cls"] == "METADATA"
    assert {"sync/config.py", "classes/Erp.cls"} <= {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in located
    }


def test_fail_on_high_exits_1_with_one_line(planted: tuple[Path, Path]) -> None:
    meta, code = planted
    exit_code, output = _run(
        "--metadata", str(meta), "--code", str(code), "--format", "json", "--fail-on", "high"
    )
    assert exit_code == 1
    assert "error: posture FAIL at critical severity (--fail-on high)" in output


def test_fail_on_not_reached_exits_0(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "remoteSiteSettings/A.remoteSite-meta.xml",
        f"<RemoteSiteSetting {NS}><url>http://a.example</url></RemoteSiteSetting>",
    )
    exit_code, _ = _run(
        "--metadata",
        str(tmp_path),
        "--check",
        "remote_site_insecure",
        "--fail-on",
        "high",
        "--format",
        "json",
    )
    assert exit_code == 0
    exit_code, _ = _run(
        "--metadata",
        str(tmp_path),
        "--check",
        "remote_site_insecure",
        "--fail-on",
        "medium",
        "--format",
        "json",
    )
    assert exit_code == 1


def test_secrets_masked_in_every_format(planted: tuple[Path, Path], tmp_case: Case, tmp_path: Path) -> None:
    meta, code = planted
    texts = []
    for fmt in ("table", "json", "md", "sarif"):
        out = tmp_path / f"out.{fmt}"
        args = ["--metadata", str(meta), "--code", str(code), "--format", fmt, "--case", str(tmp_case.root)]
        exit_code, output = _run(*args, *(["--output", str(out)] if fmt != "table" else []))
        assert exit_code == 0
        texts.append(output)
        if fmt != "table":
            texts.append(out.read_text())
    texts.append((tmp_case.work_dir / "findings" / "posture.jsonl").read_text())
    blob = "\n".join(texts)
    assert "AKIA****[20 chars]" in blob
    for canary in CANARIES:
        assert canary not in blob


def test_findings_written_to_case(planted: tuple[Path, Path], tmp_case: Case) -> None:
    meta, code = planted
    exit_code, _ = _run(
        "--metadata", str(meta), "--code", str(code), "--case", str(tmp_case.root), "--format", "json"
    )
    assert exit_code == 0
    findings = read_findings(tmp_case, "posture")
    rules = sorted({f.rule_id for f in findings})
    assert rules == [
        "posture.apex_hardcoded_credentials",
        "posture.code_hardcoded_secrets",
        "posture.code_salesforce_credentials",
        "posture.custom_metadata_secrets",
        "posture.named_credential_insecure",
    ]
    assert all(f.data["file"] for f in findings)
    config = next(f for f in findings if f.rule_id == "posture.code_hardcoded_secrets")
    assert config.data["source"] == {
        "path": "sync/config.py",
        "line": config.data["line"],
        "sha256": hashlib.sha256((code / "sync/config.py").read_bytes()).hexdigest(),
    }


def test_json_output_is_stable(planted: tuple[Path, Path]) -> None:
    meta, code = planted
    first = _run("--metadata", str(meta), "--code", str(code), "--format", "json")[1]
    second = _run("--metadata", str(meta), "--code", str(code), "--format", "json")[1]
    assert first == second
    data = json.loads(first)
    assert set(data) == {"tool", "version", "score", "checks", "check_status_counts", "results"}


def test_usage_errors() -> None:
    assert _run()[0] == 2
    exit_code, output = _run("--code", ".", "--check", "no_such_check")
    assert exit_code == 2 and "unknown check id(s): no_such_check" in output
    exit_code, output = _run("--code", ".", "--fail-on", "extreme")
    assert exit_code == 2
    exit_code, output = _run("--code", ".", "--param", "oops")
    assert exit_code == 2 and "bad --param" in output


def test_param_override(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "remoteSiteSettings/A.remoteSite-meta.xml",
        f"<RemoteSiteSetting {NS}><url>https://a.example</url></RemoteSiteSetting>",
    )
    exit_code, output = _run(
        "--metadata",
        str(tmp_path),
        "--check",
        "site_clickjack",
        "--param",
        "site_clickjack.insecure_levels=[X]",
        "--format",
        "json",
    )
    assert exit_code == 0 and "no sites in the metadata" in output


def test_malformed_metadata_exit_3(tmp_path: Path) -> None:
    _write(tmp_path, "profiles/Bad.profile-meta.xml", "<Profile>\n<x>\n</Profile>\n")
    exit_code, output = _run("--metadata", str(tmp_path))
    assert exit_code == 3
    assert "profiles/Bad.profile-meta.xml:3: malformed XML" in output
    assert "Traceback" not in output


def test_case_from_environment(
    planted: tuple[Path, Path], tmp_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    meta, _ = planted
    monkeypatch.setenv("LEAKLINE_CASE", str(tmp_case.root))
    exit_code, _ = _run("--metadata", str(meta), "--format", "json")
    assert exit_code == 0
    assert {f.rule_id for f in read_findings(tmp_case, "posture")} >= {"posture.named_credential_insecure"}
