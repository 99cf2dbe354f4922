"""Tabletop exercise pack: the simulated org, a facilitator sheet with timed injects and expected
decisions, and participant handouts (Markdown). Built from the ground truth, never from guesses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from leakline.core.clock import iso
from leakline.core.errors import UsageError
from leakline.simulate.generate import Progress, generate
from leakline.simulate.truth import GroundTruth, ScenarioTruth, load

ROLES = {
    "incident-lead": "Incident lead: owns the timeline, decisions and the 72-hour clock.",
    "salesforce-admin": "Salesforce admin: knows the org's users, connected apps and integrations.",
    "privacy-counsel": "Privacy counsel: decides what is notifiable, to whom and by when.",
    "communications": "Communications: customers, partners, press and regulators' correspondence.",
}
DECISIONS = {
    "stolen_integration_token": ["Revoke the chat app's OAuth grants and block the app before rotating its secret",
                                 "Kill the attacker's live session; freeze the integration user",
                                 "Treat Case text secrets (AWS keys, passwords) as compromised: rotate them",
                                 "Scope exposure from Bulk 2.0 jobs even though they were deleted (ELF keeps them)"],
    "vishing_rogue_dataloader": ["Revoke the look-alike app's token and block the uninstalled app",
                                 "Reset the employee's password, freeze until re-verified",
                                 "Restrict 'Approve Uninstalled Connected Apps' / device flow going forward"],
    "insider_report_export": ["Freeze the departing employee; preserve evidence before HR action",
                              "Decide whether exported customer lists are a notifiable breach"],
    "credential_stuffing": ["Reset and freeze the compromised accounts; enforce MFA",
                            "Decide whether locked-but-not-breached users need contact"],
    "guest_user_exposure": ["Remove guest object access / sharing; decide on site shutdown",
                            "Scope from Sites logs: which Contacts were reachable"],
    "session_hijack": ["Kill the hijacked session, reset the password, check for malware on the endpoint"],
    "corrupted_sync": ["Pause the ERP sync; restore vendors/contacts from the pre-incident snapshot",
                       "Verify vendor bank details out-of-band before the next payment run"],
}


def _injects(st: ScenarioTruth) -> list[tuple[datetime, str, str]]:
    out = [(st.start, "Alert", _alert(st))]
    if st.exfiltrated:
        objs = ", ".join(sorted({e.object for e in st.exfiltrated}))
        out.append((st.end, "Discovery", f"Log review shows large reads of: {objs}."))
    if st.secrets:
        out.append((st.end, "Escalation", f"{len(st.secrets)} secrets were found in exported Case text."))
    if st.subjects:
        jur = sorted({g.jurisdiction for g in st.subjects})
        out.append((st.end, "Legal", f"Affected people live in {len(jur)} jurisdictions ({', '.join(jur[:8])}…)."))
    if st.changed_records:
        out.append((st.end, "Operations", f"{len(st.changed_records)} records changed or deleted by the sync."))
    return out


def _alert(st: ScenarioTruth) -> str:
    if st.user_agents:
        return f"Unusual API client seen: {st.user_agents[0]} from {st.ips[0].ip if st.ips else 'unknown IP'}."
    return st.summary


def _facilitator(truth: GroundTruth, org: dict[str, object]) -> str:
    lines = [f"# Facilitator sheet — {org['name']}", "",
             f"Window {iso(truth.window.start)} → {iso(truth.window.end)}; seed {truth.seed}; size {truth.size}.",
             "Do not share this sheet with participants.", ""]
    minute = 0
    for st in truth.scenarios:
        lines += [f"## Scenario: {st.name}", "", st.summary, "",
                  "| T+ (min) | inject | what participants get | in the data (UTC) |", "|---|---|---|---|"]
        for ts, kind, text in _injects(st):
            lines.append(f"| {minute} | {kind} | {text} | {iso(ts)} |")
            minute += 15
        lines += ["", "Expected decisions:"] + [f"- {d}" for d in DECISIONS.get(st.name, [])]
        c = st.containment
        lines += ["", "Containment targets (ground truth): "
                  f"freeze {len(c.freeze_users)} users, revoke {len(c.revoke_tokens)} tokens, "
                  f"kill {len(c.kill_sessions)} sessions, block {len(c.block_apps)} apps, "
                  f"reset {len(c.reset_passwords)} passwords, restore {len(c.restore_records)} records.",
                  f"Malicious ELF rows: {len(st.malicious_events)}; subjects: {sum(g.count for g in st.subjects)}.",
                  ""]
    return "\n".join(lines) + "\n"


def _handout(role: str, text: str, truth: GroundTruth, org: dict[str, object]) -> str:
    lines = [f"# Participant handout — {role}", "", text, "",
             f"Organisation: {org['name']} (Salesforce org {truth.org_id}, {org['instance_url']}).",
             "An e-commerce retailer with a procurement team; integrations: support chat widget, marketing sync, "
             "ERP connector, data-warehouse sync, Data Loader.", "",
             "You will receive injects from the facilitator. For each, write down: what you know, what you "
             "decide, who you tell, and the time.", "",
             "The org's data is in `org/` (run `leakline` commands against it or against the emulator)."]
    return "\n".join(lines) + "\n"


def new_pack(out: Path, *, scenarios: Sequence[str], seed: int = 1, size: str = "small", days: int = 14,
             end: datetime | None = None, progress: Progress | None = None) -> Path:
    """Create ``out/`` with ``org/`` (the simulated org), ``facilitator.md`` and ``handouts/*.md``."""
    if not scenarios:
        raise UsageError("an exercise needs at least one --scenario")
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"output folder {out} already exists and is not empty", hint="choose a new --out folder")
    org_dir = generate(out / "org", seed=seed, size=size, scenarios=scenarios, days=days, end=end,
                       progress=progress)
    truth = load(org_dir)
    org = json.loads((org_dir / "org.json").read_text(encoding="utf-8"))
    (out / "facilitator.md").write_text(_facilitator(truth, org), encoding="utf-8")
    (out / "handouts").mkdir()
    for role, text in ROLES.items():
        (out / "handouts" / f"{role}.md").write_text(_handout(role, text, truth, org), encoding="utf-8")
    return out
