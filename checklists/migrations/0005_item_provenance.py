"""Where each item comes from, and why it is mandatory or optional and expects evidence."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0004_review_history"),
    ]

    operations = []
