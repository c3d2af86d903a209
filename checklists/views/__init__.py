"""Checklist pages, one module per feature: overview, item, evidence, submit, sites."""
