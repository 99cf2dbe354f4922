"""Render a :class:`FlowMap` as JSON, Markdown, a self-contained SVG diagram, or one offline HTML page."""

from __future__ import annotations

from html import escape

from leakline.core import jsonio
from leakline.core.clock import iso
from leakline.flowmap.model import Flow, FlowMap, Surface

_ROW = 34
_FLAG_COLOUR = {"FAIL": "#b42318", "NOT_EVALUATED": "#8a6d00", "PASS": "#2e7d32"}


def to_json(fmap: FlowMap) -> str:
    """Stable JSON (``format_version`` 1)."""
    return jsonio.dumps(fmap.model_dump(mode="json"))


def _ops(flow: Flow) -> str:
    parts = []
    for op, vol in flow.operations.items():
        parts.append(f"{op} ({vol.calls} calls, {vol.rows} rows)" if vol else f"{op} (possible)")
    return "; ".join(parts)


def _when(value: object) -> str:
    return iso(value) if value is not None else "-"  # type: ignore[arg-type]


def to_markdown(fmap: FlowMap) -> str:
    """A readable report: surfaces, observed flows, flags."""
    out = [
        "# Data-flow map",
        "",
        f"Source: {fmap.source} · org {fmap.org_id or '-'} · window {_when(fmap.window_start)} → "
        f"{_when(fmap.window_end)} · transfer rules reviewed {fmap.rules_reviewed}",
        "",
        "| surface | kind | users | destination | last seen | flags |",
        "|---|---|---|---|---|---|",
    ]
    for s in fmap.surfaces:
        dest = s.destination
        where = f"{dest.host or '?'} ({dest.country or '?'})" if dest else "-"
        fails = ", ".join(sorted({f.id for f in s.flags if f.status == "FAIL"})) or "-"
        out.append(f"| {s.name} | {s.kind} | {len(s.users)} | {where} | {_when(s.last_seen)} | {fails} |")
    for s in fmap.surfaces:
        observed = [f for f in s.flows if f.status == "observed"]
        possible = [f for f in s.flows if f.status == "possible"]
        if not observed and not possible and not s.flags:
            continue
        out += ["", f"## {s.name} ({s.kind})", ""]
        if observed:
            out += ["| object | operations | fields read | elements | subjects |", "|---|---|---|---|---|"]
            for f in observed:
                fields = ", ".join(f.fields_read) or ("all visible fields" if f.all_fields else "-")
                subjects = ", ".join(f"{c}:{n}" for c, n in f.subjects.items()) or "-"
                out.append(f"| {f.object} | {_ops(f)} | {fields} | {', '.join(f.elements) or '-'} | {subjects} |")
        if possible:
            out += ["", "Possible (granted, never seen): " + ", ".join(f.object for f in possible)]
        for flag in s.flags:
            cite = f" ({flag.citation})" if flag.citation else ""
            out.append(f"- **{flag.status}** {flag.id}: {flag.title} — {flag.detail}{cite}")
    out += ["", "## Notes", ""] + [f"- {n}" for n in fmap.notes]
    return "\n".join(out) + "\n"


def _t(x: float, y: float, text: str, size: int = 12, weight: str = "normal", fill: str = "#1f2933",
       anchor: str = "start") -> str:
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
            f'text-anchor="{anchor}">{escape(text)}</text>')


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def to_svg(fmap: FlowMap) -> str:
    """A three-column diagram: org objects → integrations → destinations. No scripts, no external refs."""
    drawn = [s for s in fmap.surfaces if s.kind in ("connected_app", "integration_user")]
    callouts = [s for s in fmap.surfaces if s not in drawn and s.kind != "installed_package"]
    objects = sorted({f.object for s in drawn for f in s.flows if f.status == "observed"})
    dests: list[str] = []
    for s in drawn + callouts:
        label = _dest_label(s)
        if label and label not in dests:
            dests.append(label)
    top = 70
    obj_y = {o: float(top + i * _ROW) for i, o in enumerate(objects)}
    heights = [50 + 14 * min(len([f for f in s.flags if f.status == "FAIL"]), 4) for s in drawn]
    surf_y: dict[str, float] = {}
    y = float(top)
    for s, h in zip(drawn, heights, strict=True):
        surf_y[s.id] = y
        y += h + 14
    call_y: dict[str, float] = {}
    for s in callouts:
        call_y[s.id] = y
        y += 46
    dest_y = {d: float(top + i * 48) for i, d in enumerate(dests)}
    height = int(max([y, top + len(objects) * _ROW, top + len(dests) * 48]) + 60)
    width = 1020
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Helvetica, Arial, sans-serif" role="img" aria-label="data-flow map">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        _t(20, 24, f"Data-flow map · {fmap.org_id or fmap.source}", 16, "bold"),
        _t(20, 44, f"window {_when(fmap.window_start)} → {_when(fmap.window_end)} · blue = read, orange = write, "
           "red = flagged", 11, fill="#52606d"),
        _t(30, 62, "Salesforce objects", 12, "bold"),
        _t(350, 62, "Integrations", 12, "bold"),
        _t(730, 62, "Destinations", 12, "bold"),
    ]
    edges: list[str] = []
    for s in drawn:
        sy = surf_y[s.id] + 20
        for f in s.flows:
            if f.status != "observed":
                continue
            oy = obj_y[f.object] + 12
            reads = "read" in f.operations and f.operations["read"] is not None
            writes = any(f.operations.get(op) is not None for op in ("create", "edit", "delete"))
            if reads:
                edges.append(_edge(210, oy, 340, sy, "#2563eb", f.personal))
            if writes:
                edges.append(_edge(340, sy + 8, 210, oy + 6, "#ea580c", f.personal))
        label = _dest_label(s)
        if label:
            colour = "#b42318" if any(f.id == "cross_border_transfer" and f.status == "FAIL" for f in s.flags) \
                else "#64748b"
            edges.append(_edge(620, sy, 730, dest_y[label] + 16, colour, False))
    for s in callouts:
        label = _dest_label(s)
        if label:
            edges.append(_edge(620, call_y[s.id] + 16, 730, dest_y[label] + 16, "#64748b", False, dashed=True))
    parts += edges
    for o in objects:
        yy = obj_y[o]
        parts.append(f'<rect x="20" y="{yy}" width="190" height="26" rx="4" fill="#eef2ff" stroke="#6366f1"/>')
        parts.append(_t(28, yy + 17, _short(o, 28)))
    for s in drawn:
        yy = surf_y[s.id]
        fails = [f for f in s.flags if f.status == "FAIL"]
        h = 50 + 14 * min(len(fails), 4)
        stroke = "#b42318" if fails else "#475569"
        parts.append(f'<rect x="340" y="{yy}" width="280" height="{h}" rx="6" fill="#f8fafc" stroke="{stroke}"/>')
        parts.append(_t(350, yy + 17, _short(s.name, 38), 12, "bold"))
        possible = len([f for f in s.flows if f.status == "possible"])
        last = _when(s.last_seen)[:10]
        parts.append(_t(350, yy + 33, f"{len(s.users)} user(s) · last seen {last} · +{possible} possible", 10,
                        fill="#52606d"))
        for i, flag in enumerate(fails[:4]):
            parts.append(_t(350, yy + 48 + 14 * i, "⚑ " + _short(flag.title, 52), 10, fill="#b42318"))
    for s in callouts:
        yy = call_y[s.id]
        fails = [f for f in s.flags if f.status == "FAIL"]
        stroke = "#b42318" if fails else "#94a3b8"
        parts.append(f'<rect x="340" y="{yy}" width="280" height="34" rx="6" fill="#ffffff" stroke="{stroke}" '
                     'stroke-dasharray="4 3"/>')
        parts.append(_t(350, yy + 14, _short(f"{s.kind.replace('_', ' ')}: {s.name}", 42), 11))
        note = "⚑ " + fails[0].title if fails else (s.urls[0] if s.urls else "")
        parts.append(_t(350, yy + 28, _short(note, 48), 10, fill="#b42318" if fails else "#52606d"))
    for d in dests:
        yy = dest_y[d]
        parts.append(f'<rect x="730" y="{yy}" width="270" height="32" rx="6" fill="#f0fdf4" stroke="#16a34a"/>')
        parts.append(_t(740, yy + 20, _short(d, 40), 11))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _dest_label(s: Surface) -> str | None:
    d = s.destination
    if d is None or (d.host is None and d.country is None):
        return None
    return f"{d.host or 'unknown host'} · {d.country or '??'}"


def _edge(x1: float, y1: float, x2: float, y2: float, colour: str, thick: bool, dashed: bool = False) -> str:
    mid = (x1 + x2) / 2
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return (f'<path d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" fill="none" '
            f'stroke="{colour}" stroke-width="{2.5 if thick else 1.2}" opacity="0.8"{dash}/>')


def to_html(fmap: FlowMap) -> str:
    """One offline HTML page: the SVG diagram, the surfaces, flows and flags."""
    rows = []
    for s in fmap.surfaces:
        for f in s.flows:
            if f.status != "observed":
                continue
            rows.append(
                f"<tr><td>{escape(s.name)}</td><td>{escape(f.object)}</td><td>{escape(_ops(f))}</td>"
                f"<td>{escape(', '.join(f.fields_read) or ('all visible fields' if f.all_fields else '-'))}</td>"
                f"<td>{escape(', '.join(f.elements) or '-')}</td></tr>"
            )
    flags = []
    for s, flag in fmap.flags():
        colour = _FLAG_COLOUR[flag.status]
        flags.append(
            f'<tr><td>{escape(s.name)}</td><td style="color:{colour}">{flag.status}</td><td>{escape(flag.id)}</td>'
            f"<td>{escape(flag.title)}</td><td>{escape(flag.detail)}</td><td>{escape(flag.citation or '')}</td></tr>"
        )
    style = ("body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2933}"
             "table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #cbd2d9;padding:4px 8px;"
             "font-size:13px;vertical-align:top}th{background:#f0f4f8}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Data-flow map</title>"
        f"<style>{style}</style></head><body>\n<h1>Data-flow map</h1>\n"
        f"<p>{escape(fmap.source)} · org {escape(fmap.org_id or '-')} · window {_when(fmap.window_start)} → "
        f"{_when(fmap.window_end)} · generated {_when(fmap.generated_at)}</p>\n"
        + to_svg(fmap)
        + "<h2>Flags</h2><table><tr><th>surface</th><th>status</th><th>flag</th><th>title</th><th>detail</th>"
        "<th>citation</th></tr>" + "".join(flags) + "</table>\n"
        "<h2>Observed flows</h2><table><tr><th>surface</th><th>object</th><th>operations</th><th>fields read</th>"
        "<th>elements</th></tr>" + "".join(rows) + "</table>\n"
        "<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in fmap.notes) + "</ul>\n</body></html>\n"
    )


def render(fmap: FlowMap, fmt: str) -> str:
    """``json`` | ``md`` | ``svg`` | ``html``."""
    return {"json": to_json, "md": to_markdown, "svg": to_svg, "html": to_html}[fmt](fmap)
