"""Legal hold, retention and crypto-shredding."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from leakline.core.clock import FixedClock, parse_utc
from leakline.core.errors import UsageError
from leakline.evidence import Locker, Provenance
from leakline.evidence.bundle import export_bundle
from leakline.evidence.integrity import seal, verify

PROV = Provenance(source="leakline")


def test_held_object_cannot_be_shredded(locker: Locker) -> None:
    info = locker.add_bytes(b"keep me", provenance=PROV, name="k")
    hold = locker.hold(info.sha256, reason="litigation hold", matter="Doe v. Acme")
    with pytest.raises(UsageError, match=f"under legal hold \\({hold.hold_id}\\); it cannot be removed"):
        locker.shred(info.sha256, reason="cleanup")
    assert locker.has(info.sha256)
    entry = list(locker.log.entries())[-1]
    assert (entry["action"], entry["detail"]["matter"]) == ("held", "Doe v. Acme")


def test_locker_wide_hold_covers_every_object(locker: Locker) -> None:
    info = locker.add_bytes(b"a", provenance=PROV, name="a")
    locker.hold(None, reason="regulator request")
    with pytest.raises(UsageError, match="under legal hold"):
        locker.shred(info.sha256, reason="x")


def test_release_then_shred_is_logged_and_verifies(locker: Locker, fixed_clock: FixedClock) -> None:
    info = locker.add_bytes(os.urandom(100), provenance=PROV, name="gone")
    other = locker.add_bytes(b"stays", provenance=PROV, name="stays")
    hold = locker.hold(info.sha256, reason="hold", retain_until=parse_utc("2026-06-01"))
    with pytest.raises(UsageError, match="retains its evidence until 2026-06-01T00:00:00Z"):
        locker.release(hold.hold_id, reason="done")
    fixed_clock.advance(timedelta(days=100))
    locker.release(hold.hold_id, reason="matter closed")
    seal(locker)
    locker.shred(info.sha256, reason="end of retention")
    assert not locker.has(info.sha256)
    assert not locker.object_path(info.sha256).exists()
    assert not locker.key_path(info.sha256).exists()
    assert [i.sha256 for i in locker.list()] == [other.sha256]
    actions = [e["action"] for e in locker.log.entries()]
    assert actions[-4:] == ["held", "released", "sealed", "shredded"]
    assert verify(locker, record=False).problems == []
    with pytest.raises(UsageError, match="was crypto-shredded"):
        locker.info(info.sha256)


def test_shredding_makes_exported_ciphertext_unreadable(locker: Locker, tmp_path: Path) -> None:
    info = locker.add_bytes(b"secret ciphertext copy", provenance=PROV, name="s")
    ciphertext = locker.object_path(info.sha256).read_bytes()
    locker.shred(info.sha256, reason="end of retention")
    locker.object_path(info.sha256).parent.mkdir(parents=True, exist_ok=True)
    locker.object_path(info.sha256).write_bytes(ciphertext)
    problems = verify(locker, record=False).problems
    assert problems == [
        f"locker/objects/{info.sha256[:2]}/{info.sha256}: present although shredded at custody seq 3"
    ]
    with pytest.raises(UsageError, match="shredded"):
        export_bundle(locker, tmp_path / "b.tar", decrypt=True, objects=[info.sha256])


def test_hold_needs_a_reason_and_a_known_object(locker: Locker) -> None:
    with pytest.raises(UsageError, match="needs a reason"):
        locker.hold(None, reason=" ")
    with pytest.raises(UsageError, match="no object"):
        locker.hold("f" * 64, reason="x")
    with pytest.raises(UsageError, match="no active hold hold-x"):
        locker.release("hold-x", reason="x")
