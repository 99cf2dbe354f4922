"""Live mode: what the checks can learn from the org itself (Health Check via the Tooling API).

The org client lives in ``leakline.salesforce``; until it is available in this build, live
mode reports why it could not run, and live-only checks say NOT_EVALUATED / MANUAL with that
reason instead of guessing.
"""

from __future__ import annotations

import importlib.util

from leakline.posture.results import LiveData

HEALTH_CHECK_SOQL = "SELECT Setting, RiskType FROM SecurityHealthCheckRisks"


def live_data(org: str | None) -> LiveData:
    """Read Health Check risks from ``org`` when a client is available; otherwise say why not."""
    if org is None:
        return LiveData(False, "no --org given")
    if importlib.util.find_spec("leakline.salesforce.client") is None:
        return LiveData(
            False, "live org access is not available in this build (leakline.salesforce client missing)"
        )
    return LiveData(False, f"live Health Check read for {org!r} is not wired up yet")
