"""Contain and recover: actions (plan, apply, verify, undo), playbooks, approvals, journal, restore."""
