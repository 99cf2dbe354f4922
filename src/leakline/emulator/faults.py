"""Fault injection for tests and drills: slow, failing, rate-limited or truncating org."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Faults:
    """What to break. Counts are of API requests handled since the server started.

    - ``latency``: seconds added to every response;
    - ``error_rate``: share (0–1) of API requests answered ``503 SERVER_UNAVAILABLE`` (seeded);
    - ``rate_limit_after``: after this many API calls every call gets ``403 REQUEST_LIMIT_EXCEEDED``;
    - ``token_expiry_after``: an access token stops working (``401 INVALID_SESSION_ID``) after
      this many calls; a new token (login or refresh) works again;
    - ``truncate_downloads``: EventLogFile bodies and Bulk results are cut in half (the
      connection closes before Content-Length bytes were sent);
    - ``daily_api_limit``: the org's ``DailyApiRequests`` maximum (default 100000);
    - ``seed``: seed of the random stream behind ``error_rate``.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    rate_limit_after: int | None = None
    token_expiry_after: int | None = None
    truncate_downloads: bool = False
    daily_api_limit: int = 100_000
    seed: int = 0
