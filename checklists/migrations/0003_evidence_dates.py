"""Evidence: the date it speaks for and the date it is valid until."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0002_readiness"),
    ]

    operations = []
