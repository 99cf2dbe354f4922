"""PII and secret classification: one element vocabulary, column and value detectors."""
