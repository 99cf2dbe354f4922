"""One folder per check: ``check.py`` (pure ``evaluate``) and ``meta.yaml``."""
