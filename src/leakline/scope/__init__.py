"""Scope: exposed objects, fields and records from findings and events; affected subjects."""
