"""Review history records, item-level review queries, reasons for overrides and closed concerns."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0003_evidence_dates"),
    ]

    operations = []
