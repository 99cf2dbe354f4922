"""Check a leakline evidence bundle with nothing but Python 3 and ``cryptography``.

Shipped in every export bundle as ``verify_bundle.py`` (and quoted in ``VERIFY.md``), so a
third party can check the bundle without leakline. Run it inside the unpacked bundle:
``python3 verify_bundle.py [keys.json]``. It must not import leakline.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def entry_hash(entry: dict[str, Any]) -> str:
    """The custody-log hash of one entry: sha256 of its canonical JSON without ``hash``."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decrypted_sha256(path: Path, data_key: bytes) -> str:
    """Decrypt an ``.llobj`` file chunk by chunk and return the sha256 of the original bytes."""
    import zstandard
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(data_key)
    inflate = zstandard.ZstdDecompressor().decompressobj(read_across_frames=True)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        header = handle.read(16)
        record = struct.unpack(">I", header[8:12])[0] + 16
        index, chunk = 0, handle.read(record)
        while True:
            following = handle.read(record)
            last = not following
            nonce = index.to_bytes(8, "big") + b"\0\0\0" + (b"\1" if last else b"\0")
            digest.update(inflate.decompress(aead.decrypt(nonce, chunk, header)))
            if last:
                return digest.hexdigest()
            index, chunk = index + 1, following


def check(root: Path, keys: dict[str, str]) -> list[str]:
    """Every problem found in the bundle at ``root``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    problems: list[str] = []
    for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if not (root / name).is_file():
            problems.append(f"{name}: missing")
        elif file_sha256(root / name) != digest:
            problems.append(f"{name}: sha256 differs from SHA256SUMS")

    body = (root / "manifest.json").read_bytes()
    public_key = load_pem_public_key((root / "public_key.pem").read_bytes())
    try:
        public_key.verify((root / "manifest.sig").read_bytes(), body)  # type: ignore[union-attr,call-arg]
    except InvalidSignature:
        problems.append("manifest.sig: signature does not verify")
    manifest = json.loads(body)

    prev, by_seq = GENESIS, {}
    for number, raw in enumerate((root / "custody.log").read_bytes().splitlines(), start=1):
        entry = json.loads(raw)
        if entry_hash(entry) != entry["hash"] or entry["prev"] != prev or entry["seq"] != number:
            problems.append(f"custody.log:{number}: hash chain broken")
        prev, by_seq[entry["seq"]] = entry["hash"], entry
    head = manifest["custody_log"]
    if by_seq.get(head["seq"], {}).get("hash") != head["hash"]:
        problems.append("custody.log: does not contain the head signed in manifest.json")
    manifest_sha = hashlib.sha256(body).hexdigest()
    if not any(
        e["action"] == "sealed" and e.get("detail", {}).get("manifest_sha256") == manifest_sha
        for e in by_seq.values()
    ):
        problems.append("custody.log: no 'sealed' entry records this manifest")

    listed = {obj["sha256"]: obj for obj in manifest["objects"]}
    for path in sorted((root / "objects").iterdir()):
        object_id = path.name.removesuffix(".llobj")
        entry = listed.get(object_id)
        if entry is None:
            problems.append(f"objects/{path.name}: not in the manifest")
        elif path.suffix == ".llobj":
            if file_sha256(path) != entry["stored_sha256"]:
                problems.append(f"objects/{path.name}: differs from the manifest's stored_sha256")
            elif object_id in keys and decrypted_sha256(path, bytes.fromhex(keys[object_id])) != object_id:
                problems.append(f"objects/{path.name}: decrypted content does not match its sha256")
        elif file_sha256(path) != object_id:
            problems.append(f"objects/{path.name}: content does not match its sha256")
    return problems


def main(argv: list[str]) -> int:
    """Check the bundle in the current folder; print OK or each problem."""
    keys = json.loads(Path(argv[1]).read_text(encoding="utf-8"))["objects"] if len(argv) > 1 else {}
    problems = check(Path("."), keys)
    for problem in problems:
        print(problem)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
