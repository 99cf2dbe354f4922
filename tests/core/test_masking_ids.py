import pytest

from leakline.core.masking import keyed_hash, mask_email, mask_secret, mask_value
from leakline.core.models import Finding, Severity
from leakline.core.sfid import same_id, to18


def test_masks() -> None:
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    assert mask_value("123-45-6789") == "***-**-6789"
    assert mask_value("1234") == "****"
    assert mask_secret("AKIAABCDEFGHIJKLMNOP") == "AKIA****[20 chars]"
    assert "ABCDEFGH" not in mask_secret("AKIAABCDEFGHIJKLMNOP")


def test_keyed_hash_depends_on_key() -> None:
    assert keyed_hash("x", b"k1") != keyed_hash("x", b"k2")
    assert keyed_hash("x", b"k1") == keyed_hash("x", b"k1")


@pytest.mark.parametrize(
    ("short", "long"),
    [("0053000000Ank29", "0053000000Ank29AAB"), ("00D30000000V77Y", "00D30000000V77YEAS")],
)
def test_to18(short: str, long: str) -> None:
    assert to18(short) == long
    assert same_id(short, long.lower())


def test_severity_order_and_finding_id() -> None:
    assert Severity.parse("High").rank > Severity.MEDIUM.rank
    assert Finding.make_id("r", {"a": 1}) == Finding.make_id("r", {"a": 1})
    assert Finding.make_id("r", {"a": 1}) != Finding.make_id("r", {"a": 2})
