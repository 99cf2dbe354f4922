from pathlib import Path

import pytest

from leakline.contain.playbook import PLAYBOOK_DIR, Playbook, load_playbooks
from leakline.core.registry import UnitLoadError, load_units

EXPECTED = {
    "compromised_integration_token",
    "rogue_connected_app",
    "compromised_user",
    "insider_export",
    "guest_exposure",
    "corrupted_sync",
}


def test_every_playbook_loads() -> None:
    assert {u.id for u in load_playbooks(PLAYBOOK_DIR)} == EXPECTED


def test_bad_playbook_reports_all_problems_with_lines(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "title: x\ndescription: y\ntriggers: []\nroles: {}\nsteps:\n"
        "  - id: a\n    title: t\n    type: action\n    action: nuke_org\n    for_each: apps\n    role: salesforce_admin\n    target_minutes: 5\n"
    )
    with pytest.raises(UnitLoadError) as info:
        load_units(tmp_path, Playbook)
    found = [(p.line, p.message.split(":")[0]) for p in info.value.problems]
    assert found == [(3, "triggers"), (6, "steps.0")]
