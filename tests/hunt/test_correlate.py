"""Union-find clustering of findings by session, login, token/app and IP."""

from __future__ import annotations

from datetime import UTC, datetime

from leakline.core.models import Finding, Severity
from leakline.hunt.correlate import clusters


def _f(fid: str, sev: str, hour: int, **entities: tuple[str, ...]) -> Finding:
    return Finding(
        id=fid, rule_id=fid.split(":")[0], severity=Severity(sev), title=fid, entities=entities,
        first_seen=datetime(2026, 3, 2, hour, tzinfo=UTC), last_seen=datetime(2026, 3, 2, hour, 30, tzinfo=UTC),
    )


def test_findings_chain_through_session_and_ip_but_not_user() -> None:
    a = _f("recon:1", "medium", 10, session=("S1",), ip=("1.2.3.4",), user=("U1",))
    b = _f("export:1", "high", 11, session=("S1",), ip=("5.6.7.8",), user=("U1",))
    c = _f("ioc:1", "high", 9, ip=("5.6.7.8",))
    d = _f("country:1", "low", 8, user=("U1",))
    got = clusters([d, c, b, a])
    assert [c_["findings"] for c_ in got] == [["export:1", "ioc:1", "recon:1"], ["country:1"]]
    first = got[0]
    assert first["severity"] == "high"
    assert (first["first_seen"], first["last_seen"]) == ("2026-03-02T09:00:00Z", "2026-03-02T11:30:00Z")
    assert [t["finding_id"] for t in first["timeline"]] == ["ioc:1", "recon:1", "export:1"]
    assert first["entities"]["ip"] == ["1.2.3.4", "5.6.7.8"]
    assert first["id"] == clusters([a, b, c])[0]["id"]
