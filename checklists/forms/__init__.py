"""Forms of the checklist pages, one module per feature, rendered with the GOV.UK template pack."""
