"""Point unmodified clients at the emulator.

``simple_salesforce.SalesforceLogin`` always posts to ``https://<domain>.salesforce.com``;
:func:`emulator_session` returns a ``requests.Session`` whose transport sends every request for
a ``*.salesforce.com`` / ``*.force.com`` host (login, test, My Domain) to the emulator instead,
so the client code itself stays unmodified and nothing reaches the real Salesforce.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

SALESFORCE_DOMAINS = (".salesforce.com", ".force.com")


class _RedirectAdapter(HTTPAdapter):
    def __init__(self, target: str, hosts: Iterable[str]) -> None:
        super().__init__()
        self._target = urlsplit(target)
        self._hosts = {h.lower() for h in hosts}

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        host = (parts.hostname or "").lower()
        if host in self._hosts or host.endswith(SALESFORCE_DOMAINS):
            request.url = urlunsplit(
                (self._target.scheme, self._target.netloc, parts.path, parts.query, parts.fragment)
            )
            if request.headers is not None:
                request.headers["Host"] = self._target.netloc
        return super().send(request, *args, **kwargs)


def emulator_session(
    url: str,
    *,
    verify: bool | str = True,
    extra_hosts: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
) -> requests.Session:
    """A session that sends Salesforce hosts (and ``extra_hosts``) to the emulator at ``url``.

    ``verify`` is the CA bundle for an HTTPS emulator (or False); environment proxy and CA
    variables are ignored on purpose.
    """
    session = requests.Session()
    # REQUESTS_CA_BUNDLE etc. would override session.verify for clients that pass no verify=
    # (simple-salesforce), and proxy variables must not capture 127.0.0.1 traffic.
    session.trust_env = False
    session.verify = verify
    adapter = _RedirectAdapter(url, extra_hosts)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if headers:
        session.headers.update(headers)
    return session
