"""Writes of the checklists, one module per feature: check the state, change rows, record the audit event."""
