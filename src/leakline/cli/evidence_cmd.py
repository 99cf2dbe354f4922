"""``leakline evidence add|list|show|cat|verify|seal|export|import|hold|release|shred``.

The evidence key comes from ``LEAKLINE_KEY_FILE`` or ``LEAKLINE_PASSPHRASE`` (else a per-case
key file under ``$LEAKLINE_HOME/keys``), never from an option. A wrong key exits 2 (it is a
configuration problem; nothing is read); any integrity failure exits 5.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leakline.cli.common import (
    CaseOption,
    Format,
    OutputOption,
    clock,
    emit,
    err_console,
    open_case,
    out_console,
)
from leakline.core import jsonio
from leakline.core.clock import iso, parse_utc
from leakline.core.errors import IntegrityError, UsageError
from leakline.evidence import Locker, ObjectInfo, Provenance
from leakline.evidence.bundle import export_bundle, import_bundle
from leakline.evidence.integrity import seal as seal_locker
from leakline.evidence.integrity import verify as verify_locker

evidence_app = typer.Typer(
    help=(
        "Evidence locker: encrypted store, chain of custody, seal, export. "
        "Key from LEAKLINE_KEY_FILE or LEAKLINE_PASSPHRASE (else $LEAKLINE_HOME/keys/<case-id>.key). "
        "Exit 2: wrong or missing key, usage error; exit 5: integrity failure."
    ),
    no_args_is_help=True,
)

FormatOption = Annotated[Format, typer.Option("--format", help="table or json")]


def _open(case: Path | None) -> Locker:
    locker = Locker.open(open_case(case), clock=clock())
    if locker.key_notice:
        err_console.print(f"[yellow]note:[/] {locker.key_notice}", soft_wrap=True)
    return locker


def _info_json(info: ObjectInfo) -> dict[str, Any]:
    return info.model_dump(mode="json", exclude_none=True) | {"acquired_at": iso(info.acquired_at)}


def _objects_table(items: list[ObjectInfo]) -> Table:
    table = Table(box=None)
    for column in ("sha256", "size", "kind", "name", "acquired_at", "source"):
        table.add_column(column)
    for info in items:
        table.add_row(
            info.sha256[:16],
            str(info.size),
            info.kind,
            info.name,
            iso(info.acquired_at),
            info.provenance.source,
        )
    return table


@evidence_app.command("add")
def add(
    paths: Annotated[list[Path], typer.Argument(help="Files to add (streamed; any size).")],
    case: CaseOption = None,
    kind: Annotated[str, typer.Option(help="What the file is (elf_csv, export, screenshot, …).")] = "file",
    name: Annotated[
        str | None, typer.Option(help="Name to record (one file only; default: file name).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Free-text provenance note.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add files to the locker; each acquisition is logged with its original path and mtime."""
    if name is not None and len(paths) != 1:
        raise UsageError("--name applies to a single file")
    locker = _open(case)
    added = []
    for path in paths:
        if not path.is_file():
            raise UsageError(f"{path} is not a file")
        provenance = None
        if note is not None:
            base = Locker.file_provenance(path)
            provenance = Provenance(**(base.model_dump() | {"note": note}))
        added.append(locker.add_file(path, provenance=provenance, name=name, kind=kind))
        err_console.print(f"added {added[-1].sha256[:16]}… {path.name}", markup=False)
    if fmt == Format.json:
        emit(jsonio.dumps([_info_json(info) for info in added]), None)


@evidence_app.command("list")
def list_objects(
    case: CaseOption = None,
    fmt: FormatOption = Format.table,
    holds: Annotated[bool, typer.Option("--holds", help="List active legal holds instead.")] = False,
) -> None:
    """List stored objects (or active legal holds)."""
    locker = _open(case)
    if holds:
        active = list(locker.state().holds.values())
        if fmt == Format.json:
            emit(jsonio.dumps([hold.model_dump(mode="json", exclude_none=True) for hold in active]), None)
            return
        table = Table(box=None)
        for column in ("hold_id", "object", "reason", "matter", "retain_until", "placed_at", "placed_by"):
            table.add_column(column)
        for hold in active:
            table.add_row(
                hold.hold_id,
                hold.sha256[:16] if hold.sha256 else "(all)",
                hold.reason,
                hold.matter or "",
                iso(hold.retain_until) if hold.retain_until else "",
                iso(hold.placed_at),
                hold.placed_by,
            )
        out_console.print(table)
        return
    items = locker.list()
    if fmt == Format.json:
        emit(jsonio.dumps([_info_json(info) for info in items]), None)
        return
    out_console.print(_objects_table(items))


@evidence_app.command("show")
def show(
    object_id: Annotated[
        str, typer.Argument(metavar="SHA256", help="Object id (or a unique 8+ char prefix).")
    ],
    case: CaseOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show one object and its custody history."""
    locker = _open(case)
    sha = locker.resolve(object_id)
    state = locker.state()
    history = [
        entry
        for entry in locker.log.entries()
        if entry.get("sha256") == sha or sha in (entry.get("detail", {}).get("objects") or [])
    ]
    data: dict[str, Any] = {
        "object": _info_json(state.objects[sha])
        if sha in state.objects
        else {"sha256": sha, "shredded": True},
        "holds": [hold.model_dump(mode="json", exclude_none=True) for hold in state.holds_on(sha)],
        "custody": history,
    }
    if fmt == Format.json:
        emit(jsonio.dumps(data), None)
        return
    table = Table(show_header=False, box=None)
    for key, value in data["object"].items():
        table.add_row(
            f"[bold]{key}[/]", jsonio.dumps(value, indent=None) if isinstance(value, dict) else str(value)
        )
    table.add_row("[bold]holds[/]", ", ".join(hold["hold_id"] for hold in data["holds"]) or "none")
    out_console.print(table)
    log = Table(box=None, title="custody")
    for column in ("seq", "at", "action", "operator", "host"):
        log.add_column(column)
    for entry in history:
        log.add_row(str(entry["seq"]), entry["at"], entry["action"], entry["operator"], entry["host"])
    out_console.print(log)


@evidence_app.command("cat")
def cat(
    object_id: Annotated[
        str, typer.Argument(metavar="SHA256", help="Object id (or a unique 8+ char prefix).")
    ],
    case: CaseOption = None,
    output: OutputOption = None,
    purpose: Annotated[str | None, typer.Option(help="Why it is read (recorded in the custody log).")] = None,
) -> None:
    """Write an object's decrypted bytes to stdout or --output (logged as accessed)."""
    locker = _open(case)
    sha = locker.resolve(object_id)
    if output is not None and output.exists():
        raise UsageError(f"{output} already exists", hint="choose a new file name")
    with locker.open_object(sha, purpose=purpose or ("cat to file" if output else "cat to stdout")) as reader:
        if output is None:
            target = sys.stdout.buffer
            while block := reader.read(1 << 20):
                target.write(block)
            target.flush()
            return
        part = output.with_name(f".{output.name}.part")
        with part.open("wb") as handle:
            while block := reader.read(1 << 20):
                handle.write(block)
        part.replace(output)
    err_console.print(f"wrote {output}")


@evidence_app.command("verify")
def verify(
    case: CaseOption = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Compare ciphertext hashes only; do not decrypt every object.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Check objects, custody log, manifest and signature; exit 5 naming each bad item."""
    locker = _open(case)
    report = verify_locker(locker, deep=not quick)
    if fmt == Format.json:
        emit(jsonio.dumps({"ok": report.ok, "problems": report.problems, "checked": report.checked}), None)
    else:
        for problem in report.problems:
            err_console.print(f"  {problem}", markup=False, soft_wrap=True)
    if not report.ok:
        raise IntegrityError(
            f"evidence verification failed: {len(report.problems)} problem(s); first: {report.problems[0]}",
            hint="do not use or export this evidence until the cause is understood",
        )
    counts = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in report.checked.items())
    err_console.print(f"evidence verified: {counts}; no problems")


@evidence_app.command("seal")
def seal(case: CaseOption = None) -> None:
    """Sign the manifest (all objects + custody log head) with the case's Ed25519 key."""
    locker = _open(case)
    entry = seal_locker(locker)
    detail = entry["detail"]
    err_console.print(
        f"sealed {detail['object_count']} object(s) and custody log up to seq {detail['custody_seq']}; "
        f"manifest sha256 {detail['manifest_sha256']}"
    )


@evidence_app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Bundle file to write (.tar).")],
    case: CaseOption = None,
    decrypt: Annotated[bool, typer.Option("--decrypt", help="Put decrypted objects in the bundle.")] = False,
    objects: Annotated[
        list[str] | None, typer.Option("--object", help="Export only these objects (repeatable).")
    ] = None,
    keys_output: Annotated[
        Path | None,
        typer.Option(
            "--keys-output", help="Encrypted export: write the data keys here (hand over separately)."
        ),
    ] = None,
) -> None:
    """Write one archive for a third party: objects, manifest, signature, custody log, SHA256SUMS, VERIFY.md."""
    locker = _open(case)
    result = export_bundle(locker, output, decrypt=decrypt, objects=objects, keys_output=keys_output)
    err_console.print(f"wrote {result.path} ({len(result.objects)} object(s)); sha256 {result.sha256}")
    if result.keys_path is not None:
        err_console.print(
            f"data keys in {result.keys_path} (mode 0600): send them through a different channel"
        )
    elif not decrypt:
        err_console.print("objects are encrypted; without --keys-output the recipient can check hashes only")


@evidence_app.command("import")
def import_(
    bundle: Annotated[Path, typer.Argument(help="Bundle written by leakline evidence export.")],
    case: CaseOption = None,
    keys: Annotated[Path | None, typer.Option("--keys", help="Keys file for an encrypted bundle.")] = None,
) -> None:
    """Check a bundle (SHA256SUMS, signature, custody chain) and add its objects to this case."""
    locker = _open(case)
    result = import_bundle(locker, bundle, keys_file=keys)
    err_console.print(
        f"imported {len(result.objects)} object(s) from case {result.source_case} (bundle sha256 {result.bundle_sha256})"
    )


@evidence_app.command("hold")
def hold(
    object_id: Annotated[
        str | None, typer.Argument(metavar="[SHA256]", help="Object to hold (omit with --all).")
    ] = None,
    case: CaseOption = None,
    all_objects: Annotated[bool, typer.Option("--all", help="Hold the whole locker.")] = False,
    reason: Annotated[str, typer.Option(help="Why (litigation, regulator request, …).")] = "",
    matter: Annotated[str | None, typer.Option(help="Matter or docket reference.")] = None,
    retain_until: Annotated[
        str | None, typer.Option(help="Retention date (UTC); the hold cannot be released before it.")
    ] = None,
) -> None:
    """Place a legal hold: held objects cannot be shredded or removed."""
    if (object_id is None) == (not all_objects):
        raise UsageError("give one object id or --all")
    locker = _open(case)
    sha = locker.resolve(object_id) if object_id else None
    until = parse_utc(retain_until, what="--retain-until") if retain_until else None
    placed = locker.hold(sha, reason=reason, matter=matter, retain_until=until)
    err_console.print(
        f"placed legal hold {placed.hold_id} on {sha[:16] + '…' if sha else 'the whole locker'}"
    )


@evidence_app.command("release")
def release(
    hold_id: Annotated[str, typer.Argument(help="Hold id (see: evidence list --holds).")],
    case: CaseOption = None,
    reason: Annotated[str, typer.Option(help="Why the hold ends.")] = "",
) -> None:
    """End a legal hold (logged)."""
    locker = _open(case)
    locker.release(hold_id, reason=reason)
    err_console.print(f"released legal hold {hold_id}")


@evidence_app.command("shred")
def shred(
    object_id: Annotated[str, typer.Argument(metavar="SHA256", help="Object to destroy.")],
    case: CaseOption = None,
    reason: Annotated[str, typer.Option(help="Why (end of retention, …).")] = "",
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
) -> None:
    """Crypto-shred one object (destroy its data key and ciphertext); refused under legal hold."""
    if not yes:
        raise UsageError("shredding cannot be undone", hint="add --yes to confirm")
    locker = _open(case)
    sha = locker.resolve(object_id)
    locker.shred(sha, reason=reason)
    err_console.print(f"shredded {sha}")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
