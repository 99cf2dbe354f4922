"""Hunt: detection rules (``rules/*.yaml``), IOC feeds, baselines, correlation, evaluation."""
