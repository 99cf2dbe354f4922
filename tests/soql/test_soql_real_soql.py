"""Every inline SOQL statement in a real Salesforce project (coral-cloud's Apex) parses."""

from __future__ import annotations

import re

from leakline.soql import BindVar, Comparison, parse


def inline_soql(apex: str) -> list[str]:
    """``[SELECT …]`` blocks of Apex source, with nested brackets (``:rows[0].Id``) balanced."""
    found = []
    for match in re.finditer(r"\[\s*SELECT\b", apex, re.IGNORECASE):
        depth, i = 0, match.start()
        while i < len(apex):
            depth += {"[": 1, "]": -1}.get(apex[i], 0)
            if depth == 0:
                break
            i += 1
        found.append(apex[match.start() + 1 : i].strip())
    return found


def test_coral_cloud_apex_soql_parses(real_fixtures):
    queries = [
        q
        for path in sorted((real_fixtures / "coral-cloud").rglob("*.cls"))
        for q in inline_soql(path.read_text(encoding="utf-8"))
    ]
    assert len(queries) == 34
    parsed = [parse(q) for q in queries]
    objects = {p.sobject for p in parsed}
    assert {"Session__c", "Experience__c", "Contact", "PermissionSetAssignment"} <= objects


def test_apex_bind_expressions():
    q = parse("SELECT Id FROM Session__c WHERE Id = :initialSessions[0].Id AND OwnerId = :u.getId() LIMIT :n")
    first = q.where.items[0]  # type: ignore[union-attr]
    assert isinstance(first, Comparison) and first.value == BindVar("initialSessions[0].Id")
    assert q.where.items[1].value == BindVar("u.getId()")  # type: ignore[union-attr]
