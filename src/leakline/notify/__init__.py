"""Breach-notification obligations: cited jurisdiction rules, deadline engine, notices, exposure."""
