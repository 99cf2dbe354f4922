"""The one-command end-to-end demo: simulate → emulate → collect → hunt → scope → obligate → contain → report."""
