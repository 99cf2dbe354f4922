"""Data-flow map (``leakline map``): integration surfaces, what each reads and writes, where it goes.

``source`` opens an org folder or a case; ``flows`` derives observed flows from the events;
``build`` adds inventory, possible flows (from permissions), elements, destinations and flags;
``render`` writes JSON / Markdown / SVG / HTML. Law and settings are data: ``transfer_rules.yaml``
(adequacy, country fields) and the user's destinations registry (``destinations.example.yaml``).
"""
