"""Posture audit: the org and integration-code misconfigurations that cause leaks.

``loader`` reads Salesforce metadata (DX source and metadata-API format) into a typed model,
``codescan`` reads integration code, ``registry`` loads the checks (one folder each under
``checks/``), ``engine`` runs them and scores the result, ``output`` renders it.
"""
