"""A local Salesforce-compatible API server whose state is an org folder.

See :class:`EmulatorServer` (HTTP/HTTPS transport), :class:`Emulator` (the API logic),
:class:`Faults` (fault injection) and :func:`emulator_session` (point login hosts at it).
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
