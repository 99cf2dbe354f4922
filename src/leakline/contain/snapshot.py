"""Read a pre-incident snapshot: a folder of ``<Object>.jsonl``, ``<Object>.csv`` or
``<Object>.parquet`` files (collected records or a customer's backup export)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from leakline.core.errors import BadInputError


def load_snapshot(folder: Path, objects: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Records per object; every record needs an ``Id``. Bad lines are reported with file:line."""
    if not folder.is_dir():
        raise BadInputError("snapshot folder not found", path=folder)
    out: dict[str, list[dict[str, Any]]] = {}
    for sobject in objects:
        candidates = [folder / f"{sobject}.{ext}" for ext in ("jsonl", "csv", "parquet")]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise BadInputError(f"no snapshot file for {sobject} (.jsonl, .csv or .parquet)", path=folder)
        out[sobject] = _read(path)
    return out


def _read(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if path.suffix == ".jsonl":
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInputError(f"not JSON: {exc.msg}", path=path, line=number) from None
            rows.append({k: v for k, v in row.items() if k != "attributes"})
    elif path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                rows.append({k: (v if v != "" else None) for k, v in row.items()})
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
    for number, row in enumerate(rows, start=1):
        if not row.get("Id"):
            raise BadInputError("record without Id", path=path, line=number)
    return rows
