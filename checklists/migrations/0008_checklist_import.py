"""Checklist spreadsheet imports awaiting confirmation."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0007_carried_forward"),
    ]

    operations = []
