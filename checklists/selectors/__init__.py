"""Reads of the checklists, one module per feature: what a person may see, shaped for pages."""
