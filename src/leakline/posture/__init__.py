"""Posture audit: the org and integration-code misconfigurations that cause leaks.

``loader`` reads Salesforce metadata (DX source and metadata-API format, through the safe XML
reader in ``xmlsafe``) into the typed model of ``model``; ``codescan`` reads integration code;
``live`` reads profiles and permission sets from an org through ``leakline.salesforce``;
``registry`` loads the checks; ``engine`` runs them and computes the Health-Check-style score
(``scoring.yaml``); ``output`` renders table rows, JSON, Markdown and SARIF 2.1.0.

A check is a folder ``checks/<id>/`` (the id is the folder name) with ``check.py`` defining a
pure ``evaluate(ctx) -> list[Result]`` and ``meta.yaml`` holding title, severity, rationale,
remediation, references, SOC 2 / ISO 27001 / SBS mappings, parameters (default + reason) and
embedded examples with their full expected results. ``selftest.selftest()`` (run by
``leakline selftest`` and pytest) runs every example. Unknown is not pass: a check without the
input it needs returns NOT_EVALUATED with the reason, and secrets only appear masked.
"""
