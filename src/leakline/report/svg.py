"""Small, dependency-free SVG charts (inline in the single-file HTML report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

SEVERITY_COLOURS = {
    "critical": "#7f1d1d",
    "high": "#dc2626",
    "medium": "#f59e0b",
    "low": "#3b82f6",
    "info": "#9ca3af",
}


@dataclass(frozen=True)
class Span:
    """One bar on the timeline."""

    label: str
    start: datetime
    end: datetime
    severity: str


@dataclass(frozen=True)
class Mark:
    """One point event on the timeline (e.g. a containment action)."""

    label: str
    at: datetime


def timeline(spans: Sequence[Span], marks: Sequence[Mark] = (), width: int = 900) -> str:
    """Gantt-style attack timeline: one row per span, diamonds for marks, UTC axis."""
    if not spans and not marks:
        return '<p class="muted">No timed events.</p>'
    times = [s.start for s in spans] + [s.end for s in spans] + [m.at for m in marks]
    lo, hi = min(times), max(times)
    total = max((hi - lo).total_seconds(), 60.0)
    left, right, row_h = 260, 20, 18
    plot_w = width - left - right
    height = 40 + row_h * (len(spans) + (1 if marks else 0))

    def x(at: datetime) -> float:
        return left + plot_w * (at - lo).total_seconds() / total

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Attack timeline" font-family="sans-serif" font-size="11">'
    ]
    for i in range(5):
        tick = lo + (hi - lo) * (i / 4)
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="20" x2="{tx:.1f}" y2="{height - 5}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{tx:.1f}" y="12" text-anchor="middle" fill="#374151">{tick:%m-%d %H:%M}Z</text>')
    for row, span in enumerate(spans):
        y = 24 + row * row_h
        x1, x2 = x(span.start), x(span.end)
        colour = SEVERITY_COLOURS.get(span.severity, "#6b7280")
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end" fill="#111827">{escape(span.label[:40])}</text>')
        parts.append(
            f'<rect x="{x1:.1f}" y="{y + 2}" width="{max(x2 - x1, 3):.1f}" height="{row_h - 6}" rx="2" fill="{colour}">'
            f"<title>{escape(span.label)}: {span.start:%Y-%m-%d %H:%M:%S}Z – {span.end:%Y-%m-%d %H:%M:%S}Z</title></rect>"
        )
    if marks:
        y = 24 + len(spans) * row_h
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end" fill="#111827">containment actions</text>')
        for mark in marks:
            mx = x(mark.at)
            parts.append(
                f'<path d="M{mx:.1f},{y + 2} l5,6 l-5,6 l-5,-6 z" fill="#059669"><title>{escape(mark.label)} '
                f"{mark.at:%Y-%m-%d %H:%M:%S}Z</title></path>"
            )
    parts.append("</svg>")
    return "".join(parts)


def bars(items: Sequence[tuple[str, float]], title: str, unit: str = "", width: int = 900) -> str:
    """Horizontal bar chart (largest first)."""
    if not items:
        return '<p class="muted">No data.</p>'
    top = max(v for _, v in items) or 1.0
    left, row_h = 260, 20
    plot_w = width - left - 90
    height = 10 + row_h * len(items)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">'
    ]
    for row, (label, value) in enumerate(items):
        y = 5 + row * row_h
        w = plot_w * value / top
        parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(label[:40])}</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{max(w, 1):.1f}" height="{row_h - 6}" fill="#2563eb"/>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 12}">{value:,.0f}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(points: Sequence[tuple[datetime, float]], title: str, width: int = 900, height: int = 140) -> str:
    """Column chart of a time series (e.g. events per hour)."""
    if not points:
        return '<p class="muted">No data.</p>'
    top = max(v for _, v in points) or 1.0
    left, bottom = 50, 20
    col_w = (width - left - 10) / len(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="10">',
        f'<text x="4" y="12">{top:,.0f}</text>',
    ]
    for i, (at, value) in enumerate(points):
        h = (height - bottom - 15) * value / top
        px = left + i * col_w
        parts.append(
            f'<rect x="{px:.1f}" y="{height - bottom - h:.1f}" width="{max(col_w - 1, 1):.1f}" height="{h:.1f}" '
            f'fill="#6366f1"><title>{at:%Y-%m-%d %H:00}Z: {value:,.0f}</title></rect>'
        )
    first, last = points[0][0], points[-1][0]
    parts.append(f'<text x="{left}" y="{height - 4}">{first:%Y-%m-%d %H:00}Z</text>')
    parts.append(f'<text x="{width - 10}" y="{height - 4}" text-anchor="end">{last:%Y-%m-%d %H:00}Z</text>')
    parts.append("</svg>")
    return "".join(parts)
