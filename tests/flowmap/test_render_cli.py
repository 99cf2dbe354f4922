"""Output formats and the ``leakline map`` command."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from leakline.cli.main import app
from leakline.core.case import Case
from leakline.flowmap.model import FlowMap
from leakline.flowmap.render import render

runner = CliRunner()


def _usernames(org_dir: Path) -> list[str]:
    users = [json.loads(line) for line in (org_dir / "sobjects" / "User.jsonl").read_text().splitlines()]
    return [u["Username"] for u in users]


def test_json_round_trips_to_the_model(fmap: FlowMap) -> None:
    again = FlowMap.model_validate_json(render(fmap, "json"))
    assert again == fmap


def test_svg_is_self_contained_and_names_every_drawn_surface(fmap: FlowMap) -> None:
    svg = render(fmap, "svg")
    root = etree.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"<script" not in svg.encode() and "href" not in svg
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for surface in fmap.surfaces:
        if surface.kind == "connected_app":
            assert surface.name[:30] in text


def test_html_embeds_the_svg_and_has_no_external_resources(fmap: FlowMap) -> None:
    html = render(fmap, "html")
    assert "<svg" in html
    for token in ("<script", "<link", "src=", "href=", "url(", "@import"):
        assert token not in html


def test_usernames_are_masked_by_default(fmap: FlowMap, org_dir: Path) -> None:
    outputs = "".join(render(fmap, f) for f in ("json", "md", "svg", "html"))
    for username in _usernames(org_dir):
        assert username not in outputs


def test_cli_org_json(org_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.json"
    result = runner.invoke(app, ["map", "--org", str(org_dir), "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["format_version"] == 1 and data["surfaces"]


def test_cli_case_and_org_are_exclusive(org_dir: Path, tmp_case: Case) -> None:
    result = runner.invoke(app, ["map", "--org", str(org_dir), "--case", str(tmp_case.root)])
    assert result.exit_code == 2
    assert "alternatives" in result.output


def test_cli_bad_destinations_is_one_line_with_location(org_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "dest.yaml"
    bad.write_text("destinations:\n  - country: DE\n", encoding="utf-8")
    result = runner.invoke(app, ["map", "--org", str(org_dir), "--destinations", str(bad)])
    assert result.exit_code == 3
    assert "dest.yaml" in result.output and "Traceback" not in result.output


def test_cli_case_writes_map_json(tmp_case: Case) -> None:
    result = runner.invoke(app, ["map", "--case", str(tmp_case.root), "--format", "md"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_case.work_dir / "map.json").read_text())
    assert data["surfaces"] == []
    assert (tmp_case.work_dir / "findings" / "map.jsonl").is_file()


def test_cli_fail_on_high_exits_1(org_dir: Path) -> None:
    result = runner.invoke(app, ["map", "--org", str(org_dir), "--format", "json", "--fail-on", "high"])
    assert result.exit_code == 1  # the planted http:// remote site is a high flag
    assert "failed map flag" in result.output


def test_published_json_schema_is_current() -> None:
    from leakline.core import jsonio
    from leakline.flowmap import model

    published = (Path(model.__file__).with_name("map.schema.json")).read_text(encoding="utf-8")
    assert published == jsonio.dumps(FlowMap.model_json_schema()) + "\n", "regenerate map.schema.json"
