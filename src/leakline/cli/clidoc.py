"""Generate the CLI reference (docs/cli.md) from the Typer app itself, so it cannot drift."""

from __future__ import annotations

from typing import Any

import typer


def _walk(command: Any, path: list[str], out: list[str]) -> None:
    name = " ".join(path)
    sub = getattr(command, "commands", None)
    if path:
        help_text = (command.help or "").strip().split("\n\n")[0].replace("\n", " ")
        out.append(f"### `{name}`\n")
        if help_text:
            out.append(help_text + "\n")
        params = [p for p in command.params if getattr(p, "name", None) not in ("help",)]
        if params and not sub:
            out.append("| argument / option | help |")
            out.append("|---|---|")
            for p in params:
                if p.param_type_name == "argument":
                    label = "`" + (p.name or "").upper() + "`"
                else:
                    label = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                text = (getattr(p, "help", None) or "").replace("|", "\\|").replace("\n", " ")
                default = getattr(p, "default", None)
                if default not in (None, False, (), []) and not callable(default) and p.param_type_name != "argument":
                    shown = getattr(default, "value", default)
                    text += f" (default: `{shown}`)"
                out.append(f"| {label} | {text} |")
            out.append("")
    if sub:
        for key in sorted(sub):
            _walk(sub[key], [*path, key], out)


def render(app: typer.Typer) -> str:
    """Markdown reference of every command and option."""
    command = typer.main.get_command(app)
    out = ["# CLI reference", "", "Generated from the program itself (`python -m leakline.cli.clidoc`).", ""]
    out.append("Exit codes: 0 ok · 1 findings at or above `--fail-on` (or failed self-tests) · 2 usage error · "
               "3 bad input (file/line given) · 4 remote/API error · 5 integrity failure.\n")
    _walk(command, ["leakline"], out)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    from leakline.cli.main import app

    print(render(app), end="")
