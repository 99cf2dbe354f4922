"""A local Salesforce-compatible API server whose state is an org folder.

Unmodified clients (simple-salesforce, requests, curl) work against it::

    with EmulatorServer(org_dir, tls=ssl_context) as server:          # or tls=(cert, key), or None
        session = emulator_session(server.url, verify=ca_file)         # login hosts → emulator
        sf = Salesforce(instance_url=server.instance_url, session_id=token, session=session)

What it serves (``reference/salesforce.md`` §1–§5):

- OAuth 2.0 ``/services/oauth2/token``: JWT bearer (RS256, checked against the app's
  certificate in ``credentials.json``; ``exp`` against the emulator clock), client credentials,
  username-password, refresh token, device flow (``response_type=device_code``, approval on
  ``POST /setup/connect`` or :meth:`EmulatorServer.approve_device`); ``/services/oauth2/revoke``
  (access token, refresh token or an OauthToken ``DeleteToken``); ``/services/oauth2/userinfo``;
  SOAP ``login`` on ``/services/Soap/u/XX.X`` (simple-salesforce's username+password+token path).
- REST ``/services/data/``: versions, ``limits``, ``query``/``queryAll`` with ``nextRecordsUrl``
  paging (``Sforce-Query-Options: batchSize``), ``sobjects`` and ``describe`` (from
  ``schema.json``), record read/create/update/delete with Salesforce's per-object rules
  (UserLogin: only IsFrozen/IsPasswordLocked; AuthSession: delete only; OauthToken,
  EventLogFile, LoginHistory, SetupAuditTrail, ConnectedApplication, RTEM objects: query only),
  ``composite/sobjects`` delete, ``sobjects/User/{id}/password``,
  ``sobjects/EventLogFile/{id}/LogFile`` (streamed; gzip when asked), Bulk API 2.0 query jobs,
  Tooling ``query`` (``<org>/tooling/<Object>.jsonl`` if present, else the data objects) and the
  Metadata API ``retrieve``/``checkRetrieveStatus`` (zip in Metadata API format, converted from
  the org's DX source ``metadata/``).
- Errors as Salesforce sends them (``[{"message","errorCode"}]``; OAuth ``{"error",…}``),
  ``Sforce-Limit-Info`` and a daily API counter (``DailyApiRequests``).
- Its own traffic as Event Monitoring: RestApi, ApiTotalUsage, Login and BulkApi2 rows,
  published as hourly EventLogFiles when EventLogFile is next queried (see
  :mod:`leakline.emulator.events`), plus an ``ApiEvent`` per query and LoginHistory/AuthSession/
  OauthToken/SetupAuditTrail records where Salesforce writes them.
- Containment that sticks: changes go to an overlay under ``<org>/state/`` and survive a restart;
  the simulator's files are never modified (``leakline emulator reset`` forgets the overlay).
- Fault injection: :class:`Faults`.
"""

from leakline.emulator.api import ApiError, Emulator, Request, Response
from leakline.emulator.client import emulator_session
from leakline.emulator.faults import Faults
from leakline.emulator.server import EmulatorServer, RunningClock, default_clock

__all__ = [
    "ApiError",
    "Emulator",
    "EmulatorServer",
    "Faults",
    "Request",
    "Response",
    "RunningClock",
    "default_clock",
    "emulator_session",
]
