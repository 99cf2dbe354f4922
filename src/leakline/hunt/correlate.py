"""Group findings into attacker activity clusters (union-find over shared keys).

Two findings belong to one cluster when they share a session key, login key, token, connected
app or IP address (the ``session``, ``login``, ``token``, ``app`` and ``ip`` entities). Each
cluster carries the union of its entities, its severity (the highest of its findings) and a
timeline ordered by time. Cluster ids are derived from the member finding ids, so the same
findings always give the same clusters.
"""

from __future__ import annotations

import hashlib
from typing import Any

from leakline.core.clock import iso
from leakline.core.models import Finding, Severity

LINK_KINDS = ("session", "login", "token", "app", "ip")


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def clusters(findings: list[Finding], link_kinds: tuple[str, ...] = LINK_KINDS) -> list[dict[str, Any]]:
    """Clusters as JSON-ready dicts, largest severity first, then earliest."""
    ordered = sorted(findings, key=lambda f: f.id)
    uf = _UnionFind(len(ordered))
    owner: dict[tuple[str, str], int] = {}
    for index, finding in enumerate(ordered):
        for kind in link_kinds:
            for value in finding.entities.get(kind, ()):
                key = (kind, value)
                if key in owner:
                    uf.union(owner[key], index)
                else:
                    owner[key] = index
    groups: dict[int, list[Finding]] = {}
    for index, finding in enumerate(ordered):
        groups.setdefault(uf.find(index), []).append(finding)
    out = [_cluster(members) for members in groups.values()]
    out.sort(key=lambda c: (-Severity(c["severity"]).rank, c["first_seen"] or "", c["id"]))
    return out


def _cluster(members: list[Finding]) -> dict[str, Any]:
    ids = sorted(f.id for f in members)
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]
    entities: dict[str, set[str]] = {}
    for finding in members:
        for kind, values in finding.entities.items():
            entities.setdefault(kind, set()).update(values)
    firsts = [f.first_seen for f in members if f.first_seen is not None]
    lasts = [t for f in members if (t := f.last_seen or f.first_seen) is not None]
    severity = max((f.severity for f in members), key=lambda s: s.rank)
    timeline = sorted(
        (
            {
                "ts": iso(f.first_seen) if f.first_seen else None,
                "until": iso(f.last_seen) if f.last_seen else None,
                "finding_id": f.id,
                "rule_id": f.rule_id,
                "severity": f.severity.value,
                "title": f.title,
            }
            for f in members
        ),
        key=lambda item: (item["ts"] or "", item["finding_id"]),
    )
    return {
        "id": f"cluster:{digest}",
        "severity": severity.value,
        "first_seen": iso(min(firsts)) if firsts else None,
        "last_seen": iso(max(lasts)) if lasts else None,
        "findings": ids,
        "rules": sorted({f.rule_id for f in members}),
        "entities": {kind: sorted(values) for kind, values in sorted(entities.items())},
        "timeline": timeline,
    }
