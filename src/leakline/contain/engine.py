"""Containment runs: plan from findings, approve, apply (or dry-run), status, undo.

State lives in two places: ``work/contain/plan.json`` (what to do, derived from findings and
the org state at planning time) and the case journal (``journal.jsonl``, hash-chained, append
only), which records everything that happened. Status is always derived from the journal, so a
crash at any point leaves a state that a rerun reads and resumes: every action observes the org
before changing it, so nothing is done twice.
"""

from __future__ import annotations

import fnmatch
import getpass
import hashlib
import json
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from leakline import __version__
from leakline.contain.actions import ACTIONS, make_action
from leakline.contain.ops import OrgOps
from leakline.contain.playbook import Playbook, Step, load_playbooks
from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.chainlog import ChainLog
from leakline.core.clock import Clock, iso
from leakline.core.errors import BadInputError, LeaklineError, UsageError
from leakline.core.models import Finding, Severity

DONE = {"verified", "noop", "confirmed", "decided", "undone"}


def operator() -> str:
    """Who is acting: ``LEAKLINE_OPERATOR`` or the OS user, with the host."""
    name = os.environ.get("LEAKLINE_OPERATOR") or getpass.getuser()
    return f"{name}@{socket.gethostname()}"


@dataclass
class PlannedStep:
    key: str
    playbook: str
    step_id: str
    title: str
    type: str
    role: str
    due: str
    approvals_required: int
    action: str | None = None
    target: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    noop: bool = False
    reversible: bool = False
    instructions: str | None = None
    question: str | None = None
    options: list[str] = field(default_factory=list)


# Entity keys a selector reads (short form as hunt rules emit them, long form from the contract).
SELECTOR_KEYS = {
    "apps": ("app", "app_id"),
    "users": ("user", "user_id"),
    "ips": ("ip",),
    "remote_sites": ("remote_site",),
    "named_credentials": ("named_credential",),
}
SELECTOR_PARAM = {
    "apps": "app",
    "users": "user_id",
    "ips": "ip",
    "remote_sites": "remote_site",
    "named_credentials": "named_credential",
}
INPUTS_FILE = "inputs.json"  # plan inputs under work/contain/, e.g. {"egress_ranges": "203.0.113.0/24"}


def _select(step: Step, findings: list[Finding], exclude: frozenset[str]) -> list[dict[str, str]]:
    selector = step.for_each or ""
    values = sorted(
        {v for f in findings for key in SELECTOR_KEYS[selector] for v in f.entities.get(key, ()) if v not in exclude}
    )
    return [{SELECTOR_PARAM[selector]: v, **step.params} for v in values]


def _missing_inputs(step: Step, inputs: Mapping[str, str]) -> list[str]:
    return [v[1:] for v in step.params.values() if v.startswith("$") and not inputs.get(v[1:])]


def _fill(target: dict[str, str], inputs: Mapping[str, str]) -> dict[str, str]:
    return {k: (inputs[v[1:]] if v.startswith("$") else v) for k, v in target.items()}


def _person_step(
    pid: str,
    step: Step,
    due: str,
    kind: str,
    instructions: str | None,
    question: str | None = None,
    options: list[str] | None = None,
) -> PlannedStep:
    """A step a person does or decides (no approvals; confirmed in the journal)."""
    return PlannedStep(
        key=f"{pid}.{step.id}",
        playbook=pid,
        step_id=step.id,
        title=step.title,
        type=kind,
        role=step.role,
        due=due,
        approvals_required=0,
        instructions=instructions,
        question=question,
        options=options or [],
    )


ENTITY_ALIASES = {"app": ("app", "app_id"), "user_id": ("user", "user_id"), "ip": ("ip",), "session_key": ("session", "session_key")}


def _matches(playbook: Playbook, finding: Finding) -> bool:
    for trigger in playbook.triggers:
        if finding.severity.rank < Severity(trigger.min_severity).rank:
            continue
        if trigger.requires_entity and not any(
            finding.entities.get(k) for k in ENTITY_ALIASES.get(trigger.requires_entity, (trigger.requires_entity,))
        ):
            continue
        if any(fnmatch.fnmatch(finding.rule_id, glob) for glob in trigger.rule_globs):
            return True
    return False


class Containment:
    """One case's containment state."""

    def __init__(self, case: Case, clock: Clock) -> None:
        self.case = case
        self.clock = clock
        self.dir = case.work_dir / "contain"
        self.plan_path = self.dir / "plan.json"
        self.journal = ChainLog(case.journal_path)

    # -- journal -----------------------------------------------------------------------------

    def log(self, event: str, **fields: Any) -> dict[str, Any]:
        entry = {"ts": iso(self.clock.now()), "actor": fields.pop("actor", None) or operator(), "event": event}
        entry["tool"] = f"leakline {__version__}"
        entry.update({k: v for k, v in fields.items() if v is not None})
        return self.journal.append(entry)

    def _entries(self, plan_id: str) -> list[dict[str, Any]]:
        return [e for e in self.journal.entries() if e.get("plan_id") == plan_id]

    # -- plan --------------------------------------------------------------------------------

    def plan(
        self,
        findings: list[Finding],
        ops: OrgOps | None,
        playbooks: list[str] | None = None,
        exclude: frozenset[str] = frozenset(),
        inputs: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Build a concrete plan from findings; with ``ops``, each action is checked against the org.

        ``inputs`` (merged over ``work/contain/inputs.json``) fill ``$name`` step parameters, e.g.
        an integration's known egress ranges. An action step whose input is missing is planned
        as a manual step saying what to provide.
        """
        given = self._inputs()
        given.update(inputs or {})
        units = {u.id: u.model for u in load_playbooks()}
        if playbooks:
            unknown = [p for p in playbooks if p not in units]
            if unknown:
                raise UsageError(f"unknown playbook(s): {', '.join(unknown)}", hint=f"known: {', '.join(units)}")
            chosen = {p: [f for f in findings if f.severity.rank >= Severity.MEDIUM.rank] for p in playbooks}
        else:
            chosen = {pid: [f for f in findings if _matches(pb, f)] for pid, pb in units.items()}
            chosen = {pid: fs for pid, fs in chosen.items() if fs}
        now = self.clock.now()
        steps: list[PlannedStep] = []
        seen: set[tuple[str | None, str]] = set()
        for pid, matched in chosen.items():
            for step in units[pid].steps:
                due = iso(now + timedelta(minutes=step.target_minutes))
                if step.type != "action":
                    steps.append(
                        _person_step(
                            pid, step, due, step.type, step.instructions, question=step.question, options=list(step.options)
                        )
                    )
                    continue
                cls = ACTIONS[step.action or ""]
                selected = _select(step, matched, exclude)
                missing = _missing_inputs(step, given)
                if selected and missing:
                    targets = sorted({str(t.get(SELECTOR_PARAM[step.for_each or ""])) for t in selected})
                    instructions = (
                        f"Needs plan input {', '.join(missing)} (see the playbook step). Pass "
                        f"`contain plan --input {missing[0]}=203.0.113.0/24` or put it in "
                        f"work/contain/{INPUTS_FILE} (e.g. {{\"{missing[0]}\": \"203.0.113.0/24, 198.51.100.7\"}}) "
                        f"and plan again to automate {cls.name}, or do it in Setup and confirm here. "
                        f"Targets: {', '.join(targets)}."
                    )
                    steps.append(_person_step(pid, step, due, "manual", instructions))
                    continue
                for target in (_fill(t, given) for t in selected):
                    ident = (step.action, jsonio.dumps(target, indent=None))
                    if ident in seen:
                        continue  # the same action on the same target from two playbooks runs once
                    seen.add(ident)
                    action = make_action(cls.name, target)
                    summary, noop = f"{cls.name} {target}", False
                    if ops is not None:
                        change = action.plan(ops)
                        summary, noop = change.summary, change.noop
                    digest = hashlib.sha256(ident[1].encode()).hexdigest()[:8]
                    steps.append(
                        PlannedStep(
                            key=f"{pid}.{step.id}.{digest}",
                            playbook=pid,
                            step_id=step.id,
                            title=step.title,
                            type="action",
                            role=step.role,
                            due=due,
                            approvals_required=step.approvals if step.approvals is not None else (2 if cls.destructive else 1),
                            action=cls.name,
                            target=target,
                            summary=summary,
                            noop=noop,
                            reversible=cls.reversible,
                        )
                    )
        body = {
            "created_at": iso(now),
            "playbooks": sorted(chosen),
            "excluded": sorted(exclude),
            "steps": [s.__dict__ for s in steps],
        }
        plan_id = hashlib.sha256(jsonio.dumps(body, indent=None).encode()).hexdigest()[:12]
        plan = {"plan_id": plan_id, **body}
        self.dir.mkdir(parents=True, exist_ok=True)
        jsonio.write(self.plan_path, plan)
        self.log("planned", plan_id=plan_id, playbooks=sorted(chosen), steps=len(steps))
        return plan

    def _inputs(self) -> dict[str, str]:
        path = self.dir / INPUTS_FILE
        data = jsonio.read(path, "the plan inputs file")
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise BadInputError("expected a JSON object of plan inputs", path=path)
        return {str(k): str(v) for k, v in data.items() if v not in (None, "")}

    def load_plan(self) -> dict[str, Any]:
        if not self.plan_path.is_file():
            raise UsageError("no containment plan yet", hint="run: leakline contain plan --case DIR")
        data: dict[str, Any] = json.loads(self.plan_path.read_text(encoding="utf-8"))
        return data

    # -- approvals ---------------------------------------------------------------------------

    def approve(self, keys: list[str], by: str, role: str | None = None) -> list[str]:
        """Record approval of steps (or all with ``["all"]``) by a named person."""
        plan = self.load_plan()
        steps = {s["key"]: s for s in plan["steps"]}
        chosen = list(steps) if keys == ["all"] else keys
        unknown = [k for k in chosen if k not in steps]
        if unknown:
            raise UsageError(f"unknown step(s): {', '.join(unknown)}", hint="see: leakline contain status")
        approved = []
        for key in chosen:
            if steps[key]["type"] != "action":
                continue
            already = self.approvers(plan["plan_id"]).get(key, set())
            if by in already:
                continue
            self.log("approved", plan_id=plan["plan_id"], step=key, approver=by, role=role)
            approved.append(key)
        return approved

    def approvers(self, plan_id: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for e in self._entries(plan_id):
            if e["event"] == "approved":
                out.setdefault(e["step"], set()).add(e["approver"])
        return out

    def confirm(self, key: str, by: str, note: str | None = None, option: str | None = None) -> None:
        """A person confirms a manual step or records a decision."""
        plan = self.load_plan()
        step = next((s for s in plan["steps"] if s["key"] == key), None)
        if step is None:
            raise UsageError(f"unknown step {key}")
        if step["type"] == "decision":
            if option not in step["options"]:
                raise UsageError(f"decision {key} needs --option, one of: {'; '.join(step['options'])}")
            self.log("decided", plan_id=plan["plan_id"], step=key, by=by, option=option, note=note)
        elif step["type"] == "manual":
            self.log("confirmed", plan_id=plan["plan_id"], step=key, by=by, note=note)
        else:
            raise UsageError(f"{key} is an automated step; use approve and apply")

    # -- status ------------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """Per step: last event, approvals (count/required), due time."""
        plan = self.load_plan()
        last: dict[str, str] = {}
        for e in self._entries(plan["plan_id"]):
            if "step" in e and e["event"] not in ("approved", "dry_run"):
                last[e["step"]] = e["event"]
        approvals = self.approvers(plan["plan_id"])
        rows = []
        for s in plan["steps"]:
            state = last.get(s["key"], "pending")
            got = len(approvals.get(s["key"], set()))
            if state == "pending" and s["type"] == "action" and got < s["approvals_required"]:
                state = "awaiting_approval"
            rows.append(
                {
                    "key": s["key"],
                    "type": s["type"],
                    "title": s["title"],
                    "action": s.get("action"),
                    "target": s.get("target", {}),
                    "role": s["role"],
                    "due": s["due"],
                    "approvals": f"{got}/{s['approvals_required']}",
                    "state": state,
                }
            )
        return rows

    # -- apply -------------------------------------------------------------------------------

    def apply(
        self,
        ops: OrgOps,
        *,
        dry_run: bool = False,
        snapshot: Callable[[str, dict[str, Any]], str | None] | None = None,
        on_step: Callable[[str, str], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Apply every approved, not-yet-done action step in order; return what happened.

        ``snapshot(name, state)`` stores a before/after snapshot (e.g. into the evidence locker)
        and returns its sha256.
        """
        plan = self.load_plan()
        plan_id = plan["plan_id"]
        state = {row["key"]: row["state"] for row in self.status()}
        approvals = self.approvers(plan_id)
        outcomes = []
        for step in plan["steps"]:
            key = step["key"]
            if step["type"] != "action" or state.get(key) in DONE:
                continue
            if len(approvals.get(key, set())) < step["approvals_required"]:
                outcomes.append({"step": key, "outcome": "awaiting_approval"})
                continue
            action = make_action(step["action"], step["target"])
            action.handover_dir = self.dir / "handover"
            if on_step:
                on_step(key, step["title"])
            if dry_run:
                change = action.plan(ops)
                self.log("dry_run", plan_id=plan_id, step=key, summary=change.summary, noop=change.noop)
                outcomes.append({"step": key, "outcome": "would_change" if not change.noop else "already_done", "summary": change.summary})
                continue
            try:
                change = action.plan(ops)
                before_sha = snapshot(f"{key}.before", change.before) if snapshot else None
                if change.noop:
                    self.log("noop", plan_id=plan_id, step=key, action=step["action"], target=step["target"], before=change.before, before_sha256=before_sha)
                    outcomes.append({"step": key, "outcome": "already_done"})
                    continue
                self.log("applying", plan_id=plan_id, step=key, action=step["action"], target=step["target"], before=change.before, before_sha256=before_sha)
                result = action.apply(ops)
                self.log("applied", plan_id=plan_id, step=key, result=result)
                verdict = action.verify(ops)
                after = action.observe(ops)
                after_sha = snapshot(f"{key}.after", after) if snapshot else None
                event = {"ok": "verified", "failed": "verify_failed", "unverifiable": "unverifiable"}[verdict]
                if verdict == "unverifiable":
                    event = "verified"  # the API call succeeded; the result notes it cannot be observed
                self.log(event, plan_id=plan_id, step=key, verdict=verdict, after=after, after_sha256=after_sha)
                outcomes.append({"step": key, "outcome": verdict, "result": result})
                if verdict == "failed":
                    break
            except LeaklineError as exc:
                self.log("failed", plan_id=plan_id, step=key, error=exc.message)
                outcomes.append({"step": key, "outcome": "failed", "error": exc.message})
                break
        return outcomes

    def undo(self, ops: OrgOps, key: str, by: str) -> dict[str, Any]:
        """Undo one applied, reversible step from its recorded "before" state."""
        plan = self.load_plan()
        step = next((s for s in plan["steps"] if s["key"] == key), None)
        if step is None or step["type"] != "action":
            raise UsageError(f"unknown action step {key}")
        before = None
        for e in self._entries(plan["plan_id"]):
            if e.get("step") == key and e["event"] == "applying":
                before = e["before"]
        if before is None:
            raise UsageError(f"step {key} was not applied; nothing to undo")
        action = make_action(step["action"], step["target"])
        if not action.reversible:
            raise BadInputError(f"{step['action']} cannot be undone through the Salesforce API")
        result = action.undo(ops, before)
        self.log("undone", plan_id=plan["plan_id"], step=key, by=by, result=result)
        return result
