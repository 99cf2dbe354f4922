"""Access review (``leakline access-review``) and just-in-time admin access (``leakline jit``).

``grants`` computes effective permissions; ``review`` compares them with observed use (from
``leakline.flowmap.flows``); ``sod`` evaluates ``sod_rules/*.yaml``; ``permset`` writes
least-privilege permission sets (DX source); ``replay`` verifies them against observed queries;
``retention`` counts records beyond a declared retention period; ``jit`` runs time-bound grants
through the containment journal and ``OrgOps``.
"""
