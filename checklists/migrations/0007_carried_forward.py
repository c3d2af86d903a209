"""Answers carried forward into a new round, until confirmed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0006_notification_frequency"),
    ]

    operations = []
