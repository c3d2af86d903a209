"""Checklist pages, one module per feature: sites, overview, responses, evidence, comments, sign-offs, review,
activity, preferences."""

# Read-only pages check access before the method, so that outsiders get 404 whatever they send.
READ_METHODS = ["GET", "HEAD"]
