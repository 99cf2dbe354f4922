"""Just-in-time admin access: time-bound permission-set assignments, requested, approved by
another person, granted and expired through the containment framework.

Every step is an entry in the case journal written by ``leakline.contain.engine.Containment``
(hash-chained), and every org change goes through the containment ``OrgOps`` interface, so the
grant and its removal are observed before and verified after like any containment action. State
is folded from the journal alone: rerunning a command never grants twice.

Expiry is enforced by ``expire`` (run it from a scheduler): ``OrgOps`` creates assignments
without Salesforce's ``PermissionSetAssignment.ExpirationDate``, so leakline removes them itself.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from leakline.access.review import load_params
from leakline.contain.engine import Containment
from leakline.contain.ops import OrgOps
from leakline.core import jsonio
from leakline.core.case import Case
from leakline.core.clock import Clock, iso, parse_utc
from leakline.core.errors import UsageError
from leakline.core.sfid import to18

STATES = ("requested", "approved", "granted", "expired", "revoked", "denied")


class JitAccess:
    """Requests, approvals, grants and expiry of temporary permission-set assignments in one case."""

    def __init__(self, case: Case, clock: Clock) -> None:
        self.engine = Containment(case, clock)
        self.clock = clock

    def requests(self) -> dict[str, dict[str, Any]]:
        """Request id → current state, folded from the journal."""
        out: dict[str, dict[str, Any]] = {}
        for e in self.engine.journal.entries():
            event = str(e.get("event", ""))
            if not event.startswith("jit_"):
                continue
            jid = str(e.get("jit_id"))
            if event == "jit_requested":
                out[jid] = {"id": jid, "state": "requested", "user_id": e["user_id"],
                            "permission_set_id": e["permission_set_id"], "hours": e["hours"],
                            "reason": e.get("reason"), "requested_by": e.get("actor"), "requested_at": e["ts"],
                            "approved_by": None, "assignment_id": None, "expires_at": None}
            elif jid in out:
                state = out[jid]
                state["state"] = event.removeprefix("jit_")
                if event == "jit_approved":
                    state["approved_by"] = e.get("actor")
                elif event == "jit_granted":
                    state["assignment_id"] = e.get("assignment_id")
                    state["expires_at"] = e.get("expires_at")
        return out

    def _get(self, jid: str, wanted: str) -> dict[str, Any]:
        req = self.requests().get(jid)
        if req is None:
            raise UsageError(f"unknown JIT request {jid}", hint="see: leakline jit status")
        if req["state"] != wanted:
            raise UsageError(f"JIT request {jid} is {req['state']}, not {wanted}")
        return req

    def request(self, user_id: str, permission_set_id: str, hours: float, reason: str, by: str) -> str:
        """Record a request; ``hours`` is capped by ``jit_max_hours`` (access/review.yaml)."""
        limit = load_params().jit_max_hours
        if not 0 < hours <= limit:
            raise UsageError(f"--hours must be > 0 and ≤ {limit}", hint="the cap is jit_max_hours in access/review.yaml")
        if not reason.strip():
            raise UsageError("a reason is required for just-in-time access")
        now = self.clock.now()
        body = [to18(user_id), to18(permission_set_id), iso(now), by]
        jid = hashlib.sha256(jsonio.dumps(body, indent=None).encode()).hexdigest()[:12]
        self.engine.log("jit_requested", actor=by, jit_id=jid, user_id=to18(user_id),
                        permission_set_id=to18(permission_set_id), hours=hours, reason=reason)
        return jid

    def approve(self, jid: str, by: str) -> None:
        """A second person approves (the requester cannot)."""
        req = self._get(jid, "requested")
        if by == req["requested_by"]:
            raise UsageError("the requester cannot approve their own JIT request", hint="ask a second person")
        self.engine.log("jit_approved", actor=by, jit_id=jid)

    def deny(self, jid: str, by: str, note: str | None = None) -> None:
        """Refuse a pending request."""
        self._get(jid, "requested")
        self.engine.log("jit_denied", actor=by, jit_id=jid, note=note)

    def grant(self, ops: OrgOps, jid: str) -> dict[str, Any]:
        """Create the assignment for an approved request and verify it exists."""
        req = self._get(jid, "approved")
        before = [a.id for a in ops.assignments(req["user_id"]) if a.permission_set_id == req["permission_set_id"]]
        if before:
            raise UsageError(
                f"user already holds permission set {req['permission_set_id']} (standing access)",
                hint="remove the standing assignment first; JIT grants only what is not already there",
            )
        assignment_id = ops.create_assignment(req["user_id"], req["permission_set_id"])
        now = self.clock.now()
        expires = now + timedelta(hours=float(req["hours"]))
        present = any(a.id == to18(assignment_id) for a in ops.assignments(req["user_id"]))
        self.engine.log("jit_granted", jit_id=jid, assignment_id=to18(assignment_id), expires_at=iso(expires),
                        verified=present)
        return {"assignment_id": to18(assignment_id), "expires_at": iso(expires), "verified": present}

    def _remove(self, ops: OrgOps, req: dict[str, Any], event: str, by: str | None) -> dict[str, Any]:
        ops.delete_assignment(req["assignment_id"])
        gone = all(a.id != req["assignment_id"] for a in ops.assignments(req["user_id"]))
        self.engine.log(event, actor=by, jit_id=req["id"], assignment_id=req["assignment_id"], verified=gone)
        return {"id": req["id"], "assignment_id": req["assignment_id"], "verified": gone}

    def expire(self, ops: OrgOps, now: datetime | None = None) -> list[dict[str, Any]]:
        """Remove every granted assignment whose time is up."""
        at = now or self.clock.now()
        due = [r for r in self.requests().values()
               if r["state"] == "granted" and parse_utc(str(r["expires_at"])) <= at]
        return [self._remove(ops, r, "jit_expired", None) for r in due]

    def revoke(self, ops: OrgOps, jid: str, by: str) -> dict[str, Any]:
        """End a grant early."""
        return self._remove(ops, self._get(jid, "granted"), "jit_revoked", by)
