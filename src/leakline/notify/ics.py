"""iCalendar (RFC 5545) export of obligation deadlines, written by hand (no dependency)."""

from __future__ import annotations

from datetime import datetime

from leakline.notify.engine import NOT_LEGAL_ADVICE, ObligationResult


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Fold at 75 octets as RFC 5545 §3.1 requires (continuation lines start with a space)."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _stamp(when: datetime) -> str:
    return when.strftime("%Y%m%dT%H%M%SZ")


def to_ics(results: list[ObligationResult], now: datetime, case_id: str = "leakline") -> str:
    """One VEVENT (with a 24-hour alarm) per obligation that has a fixed deadline and is not ruled out."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//leakline//obligations//EN", "CALSCALE:GREGORIAN"]
    for r in results:
        if r.deadline_utc is None or r.status == "not_required":
            continue
        description = (
            f"{r.status.upper()}: {r.deadline_text}\nRecipient: {r.recipient}\nClock start: {r.clock_start}\n"
            f"Affected: {r.affected}\nCitation: {r.citation}\n"
            + (f"Question: {r.question}\n" if r.question else "")
            + NOT_LEGAL_ADVICE
        )
        event = [
            "BEGIN:VEVENT",
            f"UID:{case_id}-{r.regime}-{r.step}@leakline",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(r.deadline_utc)}",
            f"DTEND:{_stamp(r.deadline_utc)}",
            f"SUMMARY:{_escape(f'[{r.status}] {r.regime} {r.audience} ({r.step}) deadline')}",
            f"DESCRIPTION:{_escape(description)}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-PT24H",
            f"DESCRIPTION:{_escape(f'{r.regime} {r.step} due in 24 hours')}",
            "END:VALARM",
            "END:VEVENT",
        ]
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
