"""Collection: from an org (live, through ``leakline.salesforce``) or from files, into the locker.

``collect(case, ...)`` runs a live or offline collector (resumable, idempotent), then ingests
every new evidence object into the event store so ``leakline hunt`` can run next.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from leakline.collect.common import (
    DEFAULT_RECORD_OBJECTS,
    SOURCES,
    CollectReport,
    Progress,
    Window,
    no_progress,
    parse_sources,
)
from leakline.collect.live import LiveCollector
from leakline.collect.offline import OfflineCollector
from leakline.core.case import Case
from leakline.evidence import Locker
from leakline.salesforce import SalesforceClient
from leakline.store import EventStore


def collect(
    case: Case,
    locker: Locker,
    *,
    client: SalesforceClient | None = None,
    from_dir: Path | None = None,
    window: Window | None = None,
    sources: Sequence[str] = SOURCES,
    record_objects: Sequence[str] = DEFAULT_RECORD_OBJECTS,
    progress: Progress = no_progress,
) -> CollectReport:
    """Collect (live with ``client`` + ``window``, or offline ``from_dir``), then ingest into the store.

    A budget stop or API failure does not raise: ``report.error`` holds it, and everything stored
    before it is ingested, so the caller can show a summary and then raise.
    """
    if client is not None:
        assert window is not None, "a live collection needs a window"
        report = LiveCollector(case, locker, client, window, sources, record_objects, progress).run()
    else:
        assert from_dir is not None, "give a client or a folder"
        report = OfflineCollector(case, locker, from_dir, window, progress).run()
    store = EventStore(case)
    for result in store.ingest_all(locker):
        report.events_loaded += result.events
        report.ingest_problems.extend(result.problems)
        if result.error:
            report.ingest_problems.append(result.error)
    return report


__all__ = [
    "DEFAULT_RECORD_OBJECTS",
    "SOURCES",
    "CollectReport",
    "LiveCollector",
    "OfflineCollector",
    "Window",
    "collect",
    "parse_sources",
]
